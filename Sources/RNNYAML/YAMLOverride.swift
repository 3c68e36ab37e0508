// YAMLOverride: a command-line assignment such as `--set training.lr=0.5`, parsed once and applied
// to a parsed config tree.
//
// The right-hand side is YAML (so `[1, 2]`, `true`, `0.5`, `"x"` and `null` mean what they mean in
// a file) and every node it creates is marked with the assignment itself as the "file", e.g.
// `--set training.lr=0.5:1:13`, so later config errors point at the override. This file does not
// know which keys are valid; decoding the result does.

/// One `key.path=value` override.
public struct YAMLOverride: Sendable, Equatable {
    /// The dotted key path split into its keys, e.g. `["training", "lr"]`.
    public let path: [String]
    /// The parsed right-hand side (`.null` when it is empty).
    public let value: YAMLNode
    /// The source name used in marks: `"<source> <assignment>"`, e.g. `--set training.lr=0.5`.
    public let sourceName: String
    /// The mark of each key of `path` (column of that key within the assignment).
    private let keyMarks: [SourceMark]

    /// Parses `assignment` (`key.path=value`).
    ///
    /// Keys are separated by dots and may not be empty; whitespace around the key path is ignored.
    /// Keys that themselves contain dots cannot be addressed.
    /// - Parameter source: how the user wrote it, e.g. `--set`; shown in marks.
    /// - Throws: `ConfigError` for a missing `=` or a malformed key path, `YAMLError` for a
    ///   right-hand side that is not valid YAML.
    public init(parsing assignment: String, source: String = "--set", limits: YAMLDocument.Limits = .default) throws {
        let name = source.isEmpty ? assignment : source + " " + assignment
        sourceName = name
        let scalars = Array(assignment.unicodeScalars)
        guard let equals = scalars.firstIndex(of: "=") else {
            throw ConfigError(mark: SourceMark(file: name, line: 1, column: 1), keyPath: "", value: assignment,
                              message: "an override must look like key.path=value (for example training.lr=0.5).")
        }
        // Split the key path, remembering the column where each key starts.
        var keys: [String] = [], marks: [SourceMark] = []
        var current = String.UnicodeScalarView(), start = 0
        func flush(at end: Int) {
            var s = String(current)
            var column = start + 1
            while s.first?.isWhitespace == true { s.removeFirst(); column += 1 }
            while s.last?.isWhitespace == true { s.removeLast() }
            keys.append(s)
            marks.append(SourceMark(file: name, line: 1, column: column))
            current = String.UnicodeScalarView()
            start = end + 1
        }
        for i in 0..<equals {
            if scalars[i] == "." { flush(at: i) } else { current.append(scalars[i]) }
        }
        flush(at: equals)
        let pathText = String(String.UnicodeScalarView(scalars[..<equals])).trimmingWhitespace()
        if keys.contains(where: \.isEmpty) {
            throw ConfigError(mark: SourceMark(file: name, line: 1, column: 1), keyPath: pathText, value: nil,
                              message: "an override key path must be names separated by single dots, with none empty.")
        }
        path = keys
        keyMarks = marks
        let rhs = Array(String(String.UnicodeScalarView(scalars[(equals + 1)...])).utf8)
        value = try YAMLDocument.parse(rhs, file: name, limits: limits, firstLineColumnOffset: equals + 1)
    }

    /// The dotted key path, e.g. `training.lr`.
    public var keyPath: String { path.joined(separator: ".") }

    /// `root` with the value set at `path`: an existing key keeps its position and takes the new
    /// value; a missing key is appended; missing or null intermediate mappings are created.
    /// An empty document (`.null` root) becomes a mapping.
    /// - Throws: `ConfigError` when the root or an intermediate value exists and is not a mapping.
    public func apply(to root: YAMLNode) throws(ConfigError) -> YAMLNode {
        try set(in: root, depth: 0)
    }

    private func set(in node: YAMLNode?, depth: Int) throws(ConfigError) -> YAMLNode {
        if depth == path.count { return value }
        var entries: [YAMLNode.Entry]
        var mark = keyMarks[depth]
        if let node, !node.isNull {
            guard let existing = node.mapping else {
                let parent = depth == 0 ? "the document" : path[..<depth].joined(separator: ".")
                throw ConfigError(mark: keyMarks[depth], keyPath: keyPath, value: node.valueDescription,
                                  message: "cannot be set because \(parent) is \(node.valueDescription) (at \(node.mark)), not a mapping.")
            }
            entries = existing
            mark = node.mark
        } else {
            entries = []
        }
        let key = path[depth]
        let isLeaf = depth + 1 == path.count
        if let i = entries.firstIndex(where: { $0.key == key }) {
            entries[i].value = try set(in: entries[i].value, depth: depth + 1)
            if isLeaf { entries[i].keyMark = keyMarks[depth] }
        } else {
            entries.append(YAMLNode.Entry(key: key, value: try set(in: nil, depth: depth + 1), keyMark: keyMarks[depth]))
        }
        return YAMLNode(kind: .mapping(entries), mark: mark)
    }
}

/// Parses `assignment` (`key.path=value`) and applies it to `root`; see `YAMLOverride`.
///
///     let root2 = try applyOverride("training.lr=0.5", to: root, source: "--set")
///
/// - Throws: `ConfigError` (malformed assignment, or a non-mapping in the way) or `YAMLError`
///   (the value is not valid YAML).
public func applyOverride(_ assignment: String, to root: YAMLNode, source: String = "--set") throws -> YAMLNode {
    try YAMLOverride(parsing: assignment, source: source).apply(to: root)
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
