// SourceMarks: where each key of an experiment was written (file:line:column, or the `--set` that
// gave it), kept with the decoded config so that a problem found after decoding — by a component
// factory while the model or corpus is built — is reported at its key's place, as decoding
// problems are.

import RNNYAML

/// The place of every key path of an experiment file, after overrides.
public struct SourceMarks: Sendable, Equatable {
    private var byKeyPath: [String: SourceMark] = [:]

    public init() {}

    /// Every key path of `root`'s mappings (`model.init.bias`), at the place of its value.
    public init(_ root: YAMLNode) {
        record(root, prefix: "")
    }

    private mutating func record(_ node: YAMLNode, prefix: String) {
        guard let entries = node.mapping else { return }
        for entry in entries {
            let path = prefix.isEmpty ? entry.key : prefix + "." + entry.key
            byKeyPath[path] = entry.value.mark
            record(entry.value, prefix: path)
        }
    }

    /// The place of `keyPath`, or of its nearest written parent (`model` for a missing
    /// `model.init.forget_gate_bias`); nil when none of it was written.
    public func mark(for keyPath: String) -> SourceMark? {
        var path = Substring(keyPath)
        while true {
            if let mark = byKeyPath[String(path)] { return mark }
            guard let dot = path.lastIndex(of: ".") else { return nil }
            path = path[..<dot]
        }
    }

    /// Two configs are the same experiment wherever their values were written.
    public static func == (_: SourceMarks, _: SourceMarks) -> Bool { true }
}
