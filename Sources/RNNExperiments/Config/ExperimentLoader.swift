// ExperimentLoader: an experiment file (YAML) → typed `ExperimentConfig`, once, at the edge.
//
// It reads the file (refusing folders, devices and oversized files), parses it, applies `--set`
// overrides, and hands the tree to `ExperimentDecoder`, which checks every key and value and
// produces the fully resolved file (every default filled in) that a run saves as config.yaml.
// Every failure is one `ExperimentError`: file:line:column: key.path: what is wrong; what is valid.

import Foundation
import RNNYAML

/// An experiment file after decoding.
public struct LoadedExperiment: Sendable {
    public var config: ExperimentConfig
    /// The fully resolved experiment, defaults filled in; runnable as is.
    public var resolved: YAMLNode
    public var resolvedYAML: String { resolved.emit() }
    /// The file after overrides, before decoding (what sweeps expand from).
    public var root: YAMLNode
}

/// Decodes experiment files with the components of a registry.
public struct ExperimentLoader {
    public let registry: ComponentRegistry

    public init(registry: ComponentRegistry) {
        self.registry = registry
    }

    /// Reads, overrides and decodes the experiment file at `path`.
    public func load(path: String, overrides: [String] = []) throws(ExperimentError) -> LoadedExperiment {
        let bytes = try Self.readExperimentFile(path)
        return try load(bytes: bytes, name: path, overrides: overrides)
    }

    /// The bytes of the experiment file at `path`: a regular file of at most the YAML reader's limit.
    static func readExperimentFile(_ path: String) throws(ExperimentError) -> [UInt8] {
        let what = "give the path of a YAML experiment file"
        var info = stat()
        guard stat(path, &info) == 0 else { throw ExperimentError("no such file; \(what)", file: path) }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw ExperimentError("\(path) is a folder; \(what)") }
        // A device or a pipe could be endless (/dev/zero); an experiment file is a regular file.
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ExperimentError("\(path) is not a regular file (a device or a pipe?); \(what)")
        }
        let limit = YAMLDocument.Limits.default.maxBytes
        guard Int(info.st_size) <= limit else {
            throw ExperimentError("the file has \(info.st_size) bytes, more than the \(limit) an experiment file may have; is it the right file?", file: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExperimentError("the file cannot be read (permission denied?)", file: path)
        }
        return Array(data)
    }

    /// Decodes experiment YAML held in memory; `name` stands for the file in messages.
    public func load(text: String, name: String, overrides: [String] = []) throws(ExperimentError) -> LoadedExperiment {
        try load(bytes: Array(text.utf8), name: name, overrides: overrides)
    }

    /// Decodes experiment YAML bytes; `name` stands for the file in messages.
    public func load(bytes: [UInt8], name: String, overrides: [String] = []) throws(ExperimentError) -> LoadedExperiment {
        do {
            var root = try YAMLDocument.parse(bytes, file: name)
            if root.isNull {
                throw ExperimentError("the file is empty; an experiment needs at least name, data, model and training", file: name)
            }
            guard root.mapping != nil else {
                throw ExperimentError("the top level is \(root.valueDescription); expected a mapping with name, data, model and training", mark: root.mark)
            }
            root = Self.normalizeComponents(root)
            for o in overrides {
                root = Self.normalizeComponents(try applyOverride(o, to: root))
            }
            let (config, resolved) = try ExperimentDecoder(registry: registry).decode(root, file: name)
            return LoadedExperiment(config: config, resolved: resolved, root: root)
        } catch {
            throw ExperimentError(wrapping: error)
        }
    }

    /// Rewrites a component given by name alone (`optimizer: sgd`) as `{name: sgd}`, so that
    /// overrides and sweeps can address its parameters (`training.optimizer.lr`).
    static func normalizeComponents(_ root: YAMLNode) -> YAMLNode {
        var root = root
        for slot in ComponentSlot.allCases {
            root = rewrite(root, slot.path[...]) { node in
                if case .scalar = node.kind {
                    return YAMLNode(kind: .mapping([.init(key: "name", value: node, keyMark: node.mark)]), mark: node.mark)
                }
                return node
            }
        }
        return root
    }

    private static func rewrite(_ node: YAMLNode, _ path: ArraySlice<String>, _ f: (YAMLNode) -> YAMLNode) -> YAMLNode {
        guard let key = path.first, var entries = node.mapping, let i = entries.firstIndex(where: { $0.key == key }) else { return node }
        entries[i].value = path.count == 1 ? f(entries[i].value) : rewrite(entries[i].value, path.dropFirst(), f)
        return YAMLNode(kind: .mapping(entries), mark: node.mark)
    }
}
