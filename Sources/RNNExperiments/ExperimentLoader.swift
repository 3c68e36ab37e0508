// ExperimentLoader: an experiment file (YAML) → typed `ExperimentConfig`, once, at the edge.
//
// It applies `--set` overrides, checks every key against what is valid (unknown keys get a
// did-you-mean), converts and range-checks every value, decodes each component's parameters
// against its factory in the registry, and produces the fully resolved file (every default
// filled in) that the run saves as config.yaml. Errors are one sentence:
//   file:line:column: key.path: what is wrong; what would be valid.

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

    static let topKeys = ["name", "description", "seed", "data", "model", "training", "sweep"]
    static let modelKeys = ["cell", "embedding_size", "hidden_size", "activation", "tied", "bias", "output", "init", "dropout"]
    static let dropoutKeys = ["embedding", "output"]
    static let initKeys = ["embedding", "input", "recurrent", "output", "bias"]
    static let trainingKeys = ["bptt", "batch_size", "eval_batch_size", "epochs", "max_steps", "time_budget", "optimizer",
                               "schedule", "clip", "eval_every", "log_every", "checkpoint_every", "threads"]
    /// Key paths whose value names a component (a name, or a mapping with `name`).
    static let componentPaths: [(path: [String], kind: ComponentKind)] = [
        (["model", "cell"], .cell), (["model", "activation"], .activation), (["model", "output"], .output),
        (["model", "init", "embedding"], .initializer), (["model", "init", "input"], .initializer),
        (["model", "init", "recurrent"], .initializer), (["model", "init", "output"], .initializer),
        (["model", "init", "bias"], .initializer), (["training", "optimizer"], .optimizer), (["training", "schedule"], .schedule),
    ]

    /// Reads, overrides and decodes the experiment file at `path`.
    public func load(path: String, overrides: [String] = []) throws -> LoadedExperiment {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ExperimentError.plain("\(path): no such file; give the path of a YAML experiment file")
        }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw ExperimentError.plain("\(path) is a folder; give the path of a YAML experiment file") }
        // A device or a pipe could be endless (/dev/zero); an experiment file is a regular file.
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ExperimentError.plain("\(path) is not a regular file (a device or a pipe?); give the path of a YAML experiment file")
        }
        let limit = YAMLDocument.Limits.default.maxBytes
        guard Int(info.st_size) <= limit else {
            throw ExperimentError.plain("\(path): the file has \(info.st_size) bytes, more than the \(limit) an experiment file may have; is it the right file?")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExperimentError.plain("\(path): the file cannot be read (permission denied?)")
        }
        return try load(bytes: Array(data), name: path, overrides: overrides)
    }

    /// Decodes experiment YAML held in memory; `name` stands for the file in messages.
    public func load(text: String, name: String, overrides: [String] = []) throws -> LoadedExperiment {
        try load(bytes: Array(text.utf8), name: name, overrides: overrides)
    }

    /// Decodes experiment YAML bytes; `name` stands for the file in messages.
    public func load(bytes: [UInt8], name: String, overrides: [String] = []) throws -> LoadedExperiment {
        var root: YAMLNode
        do { root = try YAMLDocument.parse(bytes, file: name) } catch { throw ExperimentError.plain("\(error)") }
        if root.isNull {
            throw ExperimentError.plain("\(name): the file is empty; an experiment needs at least name, data, model and training")
        }
        guard root.mapping != nil else {
            throw ExperimentError.plain("\(root.mark): the top level is \(root.valueDescription); expected a mapping with name, data, model and training")
        }
        root = Self.normalizeComponents(root)
        for o in overrides {
            do { root = try applyOverride(o, to: root) } catch { throw ExperimentError.plain("\(error)") }
            root = Self.normalizeComponents(root)
        }
        return try decode(root, file: name)
    }

    /// Rewrites a component given by name alone (`optimizer: sgd`) as `{name: sgd}`, so that
    /// overrides and sweeps can address its parameters (`training.optimizer.lr`).
    static func normalizeComponents(_ root: YAMLNode) -> YAMLNode {
        var root = root
        for (path, _) in componentPaths {
            root = rewrite(root, path[...]) { node in
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

    // MARK: - Decoding

    func fail(_ mark: SourceMark, _ keyPath: String, _ message: String) -> ExperimentError {
        .plain("\(mark): \(keyPath): \(message)")
    }

    /// Rejects keys of `node` not in `valid`, naming the closest valid one.
    func checkKeys(_ node: YAMLNode, _ keyPath: String, valid: [String]) throws {
        for e in node.mapping ?? [] where !valid.contains(e.key) {
            let path = keyPath.isEmpty ? e.key : "\(keyPath).\(e.key)"
            throw fail(e.keyMark, path, "unknown key" + Self.suggestion(e.key, valid: valid.sorted()))
        }
    }

    /// `; did you mean x? (valid: a, b)`, or ` (valid: a, b)` without a close match, or
    /// `; it takes none` for an empty list.
    static func suggestion(_ word: String, valid: [String]) -> String {
        guard !valid.isEmpty else { return "; it takes none" }
        let list = "(valid: \(valid.joined(separator: ", ")))"
        return didYouMean(word, among: valid).map { "; did you mean \($0)? \(list)" } ?? " \(list)"
    }

    func mapping(_ node: YAMLNode?, _ keyPath: String, parent: YAMLNode, required: Bool = true) throws -> YAMLNode? {
        guard let node, !node.isNull else {
            if required { throw fail(parent.mark, keyPath, "missing; expected a mapping") }
            return nil
        }
        guard node.mapping != nil else { throw fail(node.mark, keyPath, "expected a mapping, got \(node.valueDescription)") }
        return node
    }

    /// Converts `node` to the kind a parameter declares, with range checks.
    func value(_ node: YAMLNode, _ kind: ParameterKind, _ keyPath: String) throws -> ConfigValue {
        let got = node.valueDescription
        let value: ConfigValue
        switch kind {
        case .int:
            if let i = node.int { value = .int(i) }
            else if case .oversizedInt? = node.resolvedScalar { throw fail(node.mark, keyPath, "\(got) is out of range; expected \(kind.expectation)") }
            else { throw fail(node.mark, keyPath, "expected \(kind.expectation), got \(got)") }
        case .double:
            guard let d = node.double else { throw fail(node.mark, keyPath, "expected \(kind.expectation), got \(got)") }
            value = .double(d)
        case .bool:
            guard let b = node.bool else { throw fail(node.mark, keyPath, "expected true or false, got \(got)") }
            value = .bool(b)
        case .string:
            guard let s = node.scalarText, !node.isNull else { throw fail(node.mark, keyPath, "expected \(kind.expectation), got \(got)") }
            value = .string(s)
        case .doubleList:
            guard let items = node.sequence else { throw fail(node.mark, keyPath, "expected a list of numbers, got \(got)") }
            value = .list(try items.map { item in
                guard let d = item.double else { throw fail(item.mark, keyPath, "expected a number, got \(item.valueDescription)") }
                return .double(d)
            })
        }
        if let problem = kind.rangeProblem(value) {
            throw fail(node.mark, keyPath, "\(got) is \(problem); expected \(kind.expectation)")
        }
        return value
    }

    /// Decodes a component reference at `keyPath`: `{name: …, params…}` (after normalisation).
    func component(_ node: YAMLNode?, _ kind: ComponentKind, _ keyPath: String, parent: YAMLNode, default name: String,
                   defaults: [String: ConfigValue] = [:]) throws -> ComponentChoice {
        guard let node, !node.isNull else {
            return ComponentChoice(name, try registry.arguments(kind, name, given: defaults, keyPath: keyPath))
        }
        guard let entries = node.mapping else {
            throw fail(node.mark, keyPath, "expected \(kind.withArticle) name or a mapping with name, got \(node.valueDescription)")
        }
        // Without `name` the mapping sets parameters of the default component, so that
        // `--set training.optimizer.lr=2` works on a file that does not mention the optimizer.
        let chosen: String, nameMark: SourceMark, nameKeyPath: String
        if let nameNode = node["name"], !nameNode.isNull {
            guard let text = nameNode.scalarText else {
                throw fail(nameNode.mark, "\(keyPath).name", "expected \(kind.withArticle) name, got \(nameNode.valueDescription)")
            }
            // A bare name (`cell: elman`) was normalised into a mapping that shares its mark:
            // the user wrote `model.cell`, so an error names that path.
            (chosen, nameMark) = (text, nameNode.mark)
            nameKeyPath = nameNode.mark == node.mark ? keyPath : keyPath + ".name"
        } else {
            (chosen, nameMark, nameKeyPath) = (name, node.mark, keyPath + ".name")
        }
        return try componentArguments(kind, chosen, nameMark: nameMark, nameKeyPath: nameKeyPath,
                                      entries: entries.filter { $0.key != "name" },
                                      keyPath: keyPath, defaults: chosen == name ? defaults : [:])
    }

    func componentArguments(_ kind: ComponentKind, _ name: String, nameMark: SourceMark, nameKeyPath: String,
                            entries: [YAMLNode.Entry], keyPath: String,
                            defaults: [String: ConfigValue] = [:]) throws -> ComponentChoice {
        let specs: [ParameterSpec]
        do { specs = try registry.parameters(kind, name) }
        catch { throw fail(nameMark, nameKeyPath, "\(error)") }
        var given = defaults
        for e in entries {
            guard let spec = specs.first(where: { $0.name == e.key }) else {
                throw fail(e.keyMark, "\(keyPath).\(e.key)", "unknown parameter of \(kind.rawValue) \(name)" + Self.suggestion(e.key, valid: specs.map(\.name)))
            }
            if e.value.isNull && spec.isOptional { given[e.key] = nil; continue }
            given[e.key] = try value(e.value, spec.kind, "\(keyPath).\(e.key)")
        }
        for spec in specs where spec.defaultValue == nil && !spec.isOptional && given[spec.name] == nil {
            throw fail(nameMark, "\(keyPath).\(spec.name)", "missing; \(kind.rawValue) \(name) needs \(spec.kind.expectation)")
        }
        return ComponentChoice(name, try registry.arguments(kind, name, given: given, keyPath: keyPath))
    }

    /// A top-level or section scalar with a kind, or its default when absent or null.
    func field(_ section: YAMLNode, _ key: String, _ keyPath: String, _ kind: ParameterKind, default d: ConfigValue?) throws -> ConfigValue? {
        guard let node = section[key], !node.isNull else { return d }
        return try value(node, kind, keyPath)
    }

    func int(_ section: YAMLNode, _ key: String, _ keyPath: String, min: Int, default d: Int?) throws -> Int? {
        guard case let .int(v)? = try field(section, key, keyPath, .int(min: min), default: d.map { .int($0) }) else { return nil }
        return v
    }

    func decode(_ root: YAMLNode, file: String) throws -> LoadedExperiment {
        try checkKeys(root, "", valid: Self.topKeys)
        guard let nameNode = root["name"], !nameNode.isNull else {
            throw fail(root.mark, "name", "missing; give the experiment a name (letters, digits, '.', '_' or '-')")
        }
        guard let name = nameNode.scalarText,
              !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }),
              name != ".", name != ".." else {
            throw fail(nameNode.mark, "name", "\(nameNode.valueDescription) is not a valid name; use letters, digits, '.', '_' or '-'")
        }
        let description = root["description"].flatMap { $0.isNull ? nil : $0.scalarText } ?? ""
        var seed: UInt64 = 1
        if let s = root["seed"], !s.isNull {
            guard let v = s.int, v >= 0 else {
                throw fail(s.mark, "seed", "\(s.valueDescription) is not a valid seed; expected an integer ≥ 0")
            }
            seed = UInt64(v)
        }

        // data
        let data = try mapping(root["data"], "data", parent: root)!
        guard let typeNode = data["type"], let type = typeNode.scalarText, !typeNode.isNull else {
            throw fail(data.mark, "data.type", "missing; name a dataset: \(registry.datasets.keys.sorted().joined(separator: ", "))")
        }
        let dataChoice = try componentArguments(.dataset, type, nameMark: typeNode.mark, nameKeyPath: "data.type",
                                                entries: (data.mapping ?? []).filter { $0.key != "type" }, keyPath: "data")

        // model
        let model = try mapping(root["model"], "model", parent: root)!
        try checkKeys(model, "model", valid: Self.modelKeys)
        guard let E = try int(model, "embedding_size", "model.embedding_size", min: 1, default: nil) else {
            throw fail(model.mark, "model.embedding_size", "missing; expected an integer ≥ 1")
        }
        guard let H = try int(model, "hidden_size", "model.hidden_size", min: 1, default: nil) else {
            throw fail(model.mark, "model.hidden_size", "missing; expected an integer ≥ 1")
        }
        guard case let .bool(tied)? = try field(model, "tied", "model.tied", .bool, default: .bool(false)),
              case let .bool(bias)? = try field(model, "bias", "model.bias", .bool, default: .bool(true)) else { fatalError("unreachable") }
        if tied && E != H {
            let mark = model["tied"]?.mark ?? model.mark
            throw fail(mark, "model.tied", "a tied model needs embedding_size equal to hidden_size, got embedding_size \(E) and hidden_size \(H); set them equal or tied: false")
        }
        let initNode = try mapping(model["init"], "model.init", parent: model, required: false)
        if let initNode { try checkKeys(initNode, "model.init", valid: Self.initKeys) }
        let empty = YAMLNode(kind: .mapping([]), mark: model.mark)
        let i = initNode ?? empty
        let initialization = InitializationConfig(
            embedding: try component(i["embedding"], .initializer, "model.init.embedding", parent: i, default: "uniform", defaults: ["range": .double(0.1)]),
            input: try component(i["input"], .initializer, "model.init.input", parent: i, default: "pytorch_rnn"),
            recurrent: try component(i["recurrent"], .initializer, "model.init.recurrent", parent: i, default: "pytorch_rnn"),
            output: try component(i["output"], .initializer, "model.init.output", parent: i, default: "uniform", defaults: ["range": .double(0.1)]),
            bias: try component(i["bias"], .initializer, "model.init.bias", parent: i, default: "zeros"))
        var dropoutEmbedding = 0.0, dropoutOutput = 0.0
        let rate = ParameterKind.double(min: 0, max: 0.95)
        if let d = model["dropout"], !d.isNull {
            if d.mapping != nil {
                try checkKeys(d, "model.dropout", valid: Self.dropoutKeys)
                if case let .double(v)? = try field(d, "embedding", "model.dropout.embedding", rate, default: .double(0)) { dropoutEmbedding = v }
                if case let .double(v)? = try field(d, "output", "model.dropout.output", rate, default: .double(0)) { dropoutOutput = v }
            } else if case let .double(v) = try value(d, rate, "model.dropout") {
                dropoutEmbedding = v
                dropoutOutput = v
            }
        }
        var modelConfig = ModelConfig(
            cell: try component(model["cell"], .cell, "model.cell", parent: model, default: "elman"),
            embeddingSize: E, hiddenSize: H,
            activation: try component(model["activation"], .activation, "model.activation", parent: model, default: "tanh"),
            tied: tied, bias: bias,
            output: try component(model["output"], .output, "model.output", parent: model, default: "softmax"),
            initialization: initialization)
        modelConfig.dropoutEmbedding = dropoutEmbedding
        modelConfig.dropoutOutput = dropoutOutput

        // training
        let training = try mapping(root["training"], "training", parent: root)!
        try checkKeys(training, "training", valid: Self.trainingKeys)
        var bptt: Int? = 35
        if let b = training["bptt"], !b.isNull {
            if b.string == "full" { bptt = nil }
            else if let v = b.int, v >= 1 { bptt = v }
            else { throw fail(b.mark, "training.bptt", "\(b.valueDescription) is not valid; expected an integer ≥ 1 or full") }
        }
        let maxSteps = try int(training, "max_steps", "training.max_steps", min: 1, default: nil)
        var timeBudget: Double? = nil
        if let t = training["time_budget"], !t.isNull {
            guard let s = Self.seconds(t), s > 0, s.isFinite else {
                throw fail(t.mark, "training.time_budget", "\(t.valueDescription) is not a duration; expected a finite number of seconds > 0 or text like 90s, 15m, 1h30m")
            }
            timeBudget = s
        }
        let epochs = try int(training, "epochs", "training.epochs", min: 1, default: (maxSteps == nil && timeBudget == nil) ? 1 : nil)
        var clip: Double? = 0.25
        if let c = training["clip"] {
            if c.isNull || c.string == "none" { clip = nil }
            else if case let .double(v) = try value(c, .double(min: 0, exclusiveMin: true), "training.clip") { clip = v }
        }
        let trainingConfig = TrainingConfig(
            bptt: bptt,
            batchSize: try int(training, "batch_size", "training.batch_size", min: 1, default: 20)!,
            evalBatchSize: try int(training, "eval_batch_size", "training.eval_batch_size", min: 1, default: 10)!,
            epochs: epochs, maxSteps: maxSteps, timeBudget: timeBudget,
            optimizer: try component(training["optimizer"], .optimizer, "training.optimizer", parent: training, default: "sgd"),
            schedule: try component(training["schedule"], .schedule, "training.schedule", parent: training, default: "constant"),
            clip: clip,
            evalEvery: try int(training, "eval_every", "training.eval_every", min: 1, default: nil),
            logEvery: try int(training, "log_every", "training.log_every", min: 1, default: 100)!,
            checkpointEvery: try int(training, "checkpoint_every", "training.checkpoint_every", min: 1, default: 1000),
            threads: try int(training, "threads", "training.threads", min: 1, default: nil))

        let config = ExperimentConfig(name: name, description: description, seed: seed, data: dataChoice,
                                      model: modelConfig, training: trainingConfig, sourcePath: file)
        return LoadedExperiment(config: config, resolved: Self.resolvedNode(config), root: root)
    }

    /// Seconds from a number or text such as `90s`, `15m`, `1h`, `1h30m`.
    static func seconds(_ node: YAMLNode) -> Double? {
        if let d = node.double { return d }
        guard let text = node.string?.lowercased().replacingOccurrences(of: " ", with: ""), !text.isEmpty else { return nil }
        var total = 0.0, number = ""
        for c in text {
            if c.isNumber || c == "." { number.append(c); continue }
            guard let v = Double(number) else { return nil }
            switch c {
            case "h": total += v * 3600
            case "m": total += v * 60
            case "s": total += v
            default: return nil
            }
            number = ""
        }
        if !number.isEmpty { return nil }
        return total
    }

    // MARK: - The resolved file

    static func node(_ v: ConfigValue) -> YAMLNode {
        switch v {
        case let .int(i): return YAMLNode(i)
        case let .double(d): return YAMLNode(d)
        case let .bool(b): return YAMLNode(b)
        case let .string(s): return YAMLNode(s)
        case let .list(items): return YAMLNode(items.map(node))
        }
    }

    static func node(_ c: ComponentChoice) -> YAMLNode {
        YAMLNode(pairs: [("name", YAMLNode(c.name))] + c.arguments.values.map { ($0.name, node($0.value)) })
    }

    static func optional(_ v: Int?) -> YAMLNode { v.map { YAMLNode($0) } ?? .null() }
    static func optional(_ v: Double?) -> YAMLNode { v.map { YAMLNode($0) } ?? .null() }

    /// The experiment with every default filled in, in the documented key order (without any
    /// sweep section: a resolved file describes one run).
    static func resolvedNode(_ c: ExperimentConfig) -> YAMLNode {
        let m = c.model, t = c.training, i = m.initialization
        let pairs: [(String, YAMLNode)] = [
            ("name", YAMLNode(c.name)),
            ("description", YAMLNode(c.description)),
            ("seed", YAMLNode(Int(c.seed))),
            ("data", YAMLNode(pairs: [("type", YAMLNode(c.data.name))] + c.data.arguments.values.map { ($0.name, node($0.value)) })),
            ("model", YAMLNode(pairs: [
                ("cell", node(m.cell)), ("embedding_size", YAMLNode(m.embeddingSize)), ("hidden_size", YAMLNode(m.hiddenSize)),
                ("activation", node(m.activation)), ("tied", YAMLNode(m.tied)), ("bias", YAMLNode(m.bias)), ("output", node(m.output)),
                ("init", YAMLNode(pairs: [("embedding", node(i.embedding)), ("input", node(i.input)), ("recurrent", node(i.recurrent)),
                                          ("output", node(i.output)), ("bias", node(i.bias))])),
                ("dropout", YAMLNode(pairs: [("embedding", YAMLNode(m.dropoutEmbedding)), ("output", YAMLNode(m.dropoutOutput))])),
            ])),
            ("training", YAMLNode(pairs: [
                ("bptt", t.bptt.map { YAMLNode($0) } ?? YAMLNode("full")), ("batch_size", YAMLNode(t.batchSize)),
                ("eval_batch_size", YAMLNode(t.evalBatchSize)), ("epochs", optional(t.epochs)), ("max_steps", optional(t.maxSteps)),
                ("time_budget", optional(t.timeBudget)), ("optimizer", node(t.optimizer)), ("schedule", node(t.schedule)),
                ("clip", optional(t.clip)), ("eval_every", optional(t.evalEvery)), ("log_every", YAMLNode(t.logEvery)),
                ("checkpoint_every", optional(t.checkpointEvery)), ("threads", optional(t.threads)),
            ])),
        ]
        return YAMLNode(pairs: pairs)
    }
}
