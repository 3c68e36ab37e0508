// MappingReader: one YAML mapping of a config, remembering which keys the program asked about so
// that the keys left over can be reported as unknown, each with a did-you-mean over the keys that
// were asked about.
//
// It only tracks keys; it does not convert values or know which sections a config has (the
// experiments layer's ConfigSection reads typed values through it).

/// Tracks the keys read from one mapping and reports the others as unknown.
///
/// Typical use:
///
///     var model = try MappingReader(node, keyPath: "model")
///     let hidden = model.node("hidden_size")    // marks hidden_size as valid, present or not
///     try model.finish()   // "model.hiden_size: unknown key; did you mean hidden_size? (valid: …)"
///
/// Every key asked about — present or not — becomes valid, so call `finish()` after all reads.
public struct MappingReader: Sendable {
    /// The mapping being read.
    public let node: YAMLNode
    /// Key path of the mapping, e.g. `model`; "" for the document root.
    public let keyPath: String
    /// Keys the program has asked about so far.
    public private(set) var readKeys: Set<String> = []
    private let entries: [YAMLNode.Entry]

    /// A reader for `node`, which must be a mapping.
    ///
    /// An empty document at the root (`.null` with key path "") gets its own message:
    /// `exp.yaml:1:1: the document is empty; expected a mapping.`
    public init(_ node: YAMLNode, keyPath: String = "") throws(ConfigError) {
        guard let entries = node.mapping else {
            if node.isNull && keyPath.isEmpty {
                throw ConfigError(mark: node.mark, keyPath: "", value: nil, message: "the document is empty; expected a mapping.")
            }
            throw .typeMismatch(node, keyPath: keyPath, expected: "a mapping")
        }
        self.node = node
        self.keyPath = keyPath
        self.entries = entries
    }

    /// Where the mapping starts.
    public var mark: SourceMark { node.mark }

    /// The keys present, in document order.
    public var keys: [String] { entries.map(\.key) }

    /// Where `key` is written (for unknown-key messages); nil when absent. Does not mark it as read.
    public func keyMark(_ key: String) -> SourceMark? { entries.first { $0.key == key }?.keyMark }

    /// True when `key` is present (with any value, including null). Does not mark it as read.
    public func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The full key path of `key` in this mapping: `model.hidden_size`, or `hidden_size` at the root.
    public func path(_ key: String) -> String { keyPath.isEmpty ? key : keyPath + "." + key }

    /// Declares keys as valid (and read) without reading them, e.g. keys a later stage reads.
    public mutating func markRead(_ keys: String...) {
        for key in keys { readKeys.insert(key) }
    }

    /// The raw node under `key`, marking it read; nil when absent.
    public mutating func node(_ key: String) -> YAMLNode? {
        readKeys.insert(key)
        return entries.first(where: { $0.key == key })?.value
    }

    /// One error per key that was never read, in document order, each with a did-you-mean over
    /// the keys that were read and the full sorted list of them.
    public func unknownKeyErrors() -> [ConfigError] {
        let valid = Array(readKeys)
        return entries.filter { !readKeys.contains($0.key) }.map {
            ConfigError.unknownKey($0.key, keyPath: path($0.key), at: $0.keyMark, validKeys: valid)
        }
    }

    /// Throws the first of `unknownKeyErrors()`, if any. Call after all reads.
    public func finish() throws(ConfigError) {
        if let first = unknownKeyErrors().first { throw first }
    }
}
