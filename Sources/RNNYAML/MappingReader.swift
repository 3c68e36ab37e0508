// MappingReader: typed, range-checked reading of one YAML mapping of a config, remembering which
// keys were read so that leftovers can be reported as unknown keys with a suggestion.
//
// It only decodes and checks; it does not know which config sections exist or build components.

/// Reads typed values out of one mapping and reports unknown keys.
///
/// Typical use:
///
///     var model = try root.mapping("model")
///     let hidden = try model.positiveInt("hidden_size")
///     let activation = try model.oneOf("activation", ["relu", "tanh"], default: "tanh")
///     try model.finish()   // "model.hiden_size: unknown key; did you mean hidden_size? (valid: …)"
///
/// Rules shared by all accessors:
/// - a key that is absent is a `missing required key` error unless a default is given (or the
///   accessor returns an optional);
/// - a key that is present with a null value (`lr:` or `lr: null`) is a type error for accessors
///   with a default, and `nil` for the optional-returning accessors;
/// - every key asked about — present or not — becomes "valid", so call `finish()` after all reads;
/// - nested readers (`mapping(_:)`) track their own keys and need their own `finish()`.
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

    /// An empty reader at `mark` (for an optional section that is absent).
    private init(emptyAt mark: SourceMark, keyPath: String) {
        self.node = YAMLNode(kind: .mapping([]), mark: mark)
        self.keyPath = keyPath
        self.entries = []
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

    /// Declares keys as valid (and read) without decoding them, e.g. keys a later stage reads.
    public mutating func markRead(_ keys: String...) {
        for key in keys { readKeys.insert(key) }
    }

    /// The raw node under `key`, marking it read; nil when absent.
    public mutating func node(_ key: String) -> YAMLNode? {
        readKeys.insert(key)
        return entries.first(where: { $0.key == key })?.value
    }

    // MARK: - Typed values

    /// The value under `key`, which must be present.
    public mutating func required<T: ConfigDecodable>(_ key: String, as type: T.Type = T.self) throws(ConfigError) -> T {
        guard let value = node(key) else { throw .missingKey(keyPath: path(key), in: mark) }
        return try T.decode(value, keyPath: path(key))
    }

    /// The value under `key`, or `default` when the key is absent (a null value is a type error).
    public mutating func optional<T: ConfigDecodable>(_ key: String, default: T) throws(ConfigError) -> T {
        guard let value = node(key) else { return `default` }
        return try T.decode(value, keyPath: path(key))
    }

    /// The value under `key`, or nil when the key is absent or null.
    public mutating func optional<T: ConfigDecodable>(_ key: String, as type: T.Type = T.self) throws(ConfigError) -> T? {
        guard let value = node(key), !value.isNull else { return nil }
        return try T.decode(value, keyPath: path(key))
    }

    /// A nested mapping, which must be present.
    public mutating func mapping(_ key: String) throws(ConfigError) -> MappingReader {
        try required(key, as: MappingReader.self)
    }

    /// A nested mapping; an absent or null key reads as an empty mapping (all defaults).
    public mutating func optionalMapping(_ key: String) throws(ConfigError) -> MappingReader {
        guard let value = node(key), !value.isNull else { return MappingReader(emptyAt: mark, keyPath: path(key)) }
        return try MappingReader(value, keyPath: path(key))
    }

    // MARK: - Range-checked values (a nil default means required)

    /// An integer ≥ 1.
    public mutating func positiveInt(_ key: String, default value: Int? = nil) throws(ConfigError) -> Int {
        try int(key, atLeast: 1, default: value)
    }

    /// An integer ≥ 0.
    public mutating func nonNegativeInt(_ key: String, default value: Int? = nil) throws(ConfigError) -> Int {
        try int(key, atLeast: 0, default: value)
    }

    /// An integer ≥ `minimum` (message: `expected an integer ≥ 1`).
    public mutating func int(_ key: String, atLeast minimum: Int, default value: Int? = nil) throws(ConfigError) -> Int {
        try checked(key, default: value, expected: "an integer ≥ \(minimum)") { $0 >= minimum }
    }

    /// An integer in `range` (message: `expected an integer from 1 to 10`).
    public mutating func int(_ key: String, in range: ClosedRange<Int>, default value: Int? = nil) throws(ConfigError) -> Int {
        try checked(key, default: value, expected: "an integer from \(range.lowerBound) to \(range.upperBound)") { range.contains($0) }
    }

    /// A finite number > 0 (message: `expected a finite number > 0`).
    public mutating func positiveDouble(_ key: String, default value: Double? = nil) throws(ConfigError) -> Double {
        try checked(key, default: value, expected: "a finite number > 0") { $0 > 0 && $0.isFinite }
    }

    /// A number in `range`; NaN is always out of range. Infinite bounds read as one-sided
    /// (`expected a number ≥ 0`), finite ones as `expected a number ≥ 0 and ≤ 1`.
    public mutating func double(_ key: String, in range: ClosedRange<Double>, default value: Double? = nil) throws(ConfigError) -> Double {
        let lo = range.lowerBound, hi = range.upperBound
        let expected: String
        switch (lo == -.infinity, hi == .infinity) {
        case (true, true): expected = "a number"
        case (false, true): expected = "a number ≥ \(formatBound(lo))"
        case (true, false): expected = "a number ≤ \(formatBound(hi))"
        case (false, false): expected = "a number ≥ \(formatBound(lo)) and ≤ \(formatBound(hi))"
        }
        return try checked(key, default: value, expected: expected) { range.contains($0) }
    }

    /// One of `choices` (case-sensitive), with a did-you-mean on a miss.
    public mutating func oneOf(_ key: String, _ choices: [String], default value: String? = nil) throws(ConfigError) -> String {
        precondition(value.map(choices.contains) ?? true, "MappingReader.oneOf: the default is not among the choices")
        guard let node = node(key) else {
            if let value { return value }
            throw .missingKey(keyPath: path(key), in: mark)
        }
        guard node.resolvedScalar != nil else {
            throw .typeMismatch(node, keyPath: path(key), expected: "one of " + choices.sorted().joined(separator: ", "))
        }
        guard let s = node.string, choices.contains(s) else {
            throw .invalidChoice(node, keyPath: path(key), choices: choices)
        }
        return s
    }

    private mutating func checked<T: ConfigDecodable>(_ key: String, default value: T?, expected: String,
                                                      _ isValid: (T) -> Bool) throws(ConfigError) -> T {
        guard let node = node(key) else {
            guard let value else { throw .missingKey(keyPath: path(key), in: mark) }
            precondition(isValid(value), "MappingReader: the default for \(path(key)) is not \(expected)")
            return value
        }
        let v = try T.decode(node, keyPath: path(key))
        guard isValid(v) else { throw .outOfRange(node, keyPath: path(key), expected: expected) }
        return v
    }

    // MARK: - Leftovers

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

extension MappingReader: ConfigDecodable {
    public static var configExpectation: String { "a mapping" }
    public static var configPluralName: String { "mappings" }

    public static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> MappingReader {
        try MappingReader(node, keyPath: keyPath)
    }
}

/// A bound in a message: whole numbers without `.0` (`1`, `0.5`, `1e-08`).
func formatBound(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    return YAMLScalarValue.canonicalText(v)
}
