// ConfigSection: one mapping of an experiment file being decoded — typed, range-checked reads
// that remember the key (so leftovers are unknown keys with a did-you-mean) and the value read
// or defaulted (so the resolved config.yaml is exactly what was decoded, in reading order).
//
// A key is spelled once: where it is read. There are no separate key lists and no separate
// writer of the resolved file. This type does not know which sections an experiment has.

import RNNYAML

/// A mapping under decoding, recording its resolved form.
struct ConfigSection {
    private var reader: MappingReader
    /// The resolved entries, in the order they were read.
    private(set) var resolved: [(String, YAMLNode)] = []
    /// Missing required keys, reported by `finish()` after any unknown key: a misspelt key
    /// (`hiden_size`) says more than the missing one it leaves (`hidden_size`).
    private var missing: [ConfigError] = []
    /// True for a required section that is absent (its own `missing` is then reported by its parent).
    private(set) var isAbsent = false

    /// The section at `keyPath`; `node` must be a mapping.
    init(_ node: YAMLNode, keyPath: String) throws(ConfigError) {
        guard node.mapping != nil else {
            throw ConfigError(mark: node.mark, keyPath: keyPath, value: node.valueDescription,
                              message: "expected a mapping, got \(node.valueDescription)")
        }
        reader = try MappingReader(node, keyPath: keyPath)
    }

    var mark: SourceMark { reader.mark }
    var keyPath: String { reader.keyPath }
    func path(_ key: String) -> String { reader.path(key) }

    /// The keys present, in document order.
    var presentKeys: [String] { reader.keys }
    func keyMark(_ key: String) -> SourceMark? { reader.keyMark(key) }

    /// True when `key` is written with a null value (`clip:` or `clip: null`), marking it as valid.
    mutating func isExplicitNull(_ key: String) -> Bool {
        reader.node(key)?.isNull ?? false
    }

    /// The raw node under `key` (nil when absent or null), marking the key as valid.
    mutating func node(_ key: String) -> YAMLNode? {
        guard let n = reader.node(key), !n.isNull else { return nil }
        return n
    }

    /// Records the resolved value of `key`.
    mutating func resolve(_ key: String, _ value: YAMLNode) {
        resolved.append((key, value))
    }

    /// A value of `kind` under `key`, or `defaultValue` when absent or null; recorded as resolved
    /// (as null when there is no value, or left out when `omitNull`).
    mutating func value(_ key: String, _ kind: ParameterKind, default defaultValue: ConfigValue?,
                        omitNull: Bool = false, nullable: Bool = true) throws(ConfigError) -> ConfigValue? {
        let v: ConfigValue?
        if !nullable, let raw = reader.node(key), raw.isNull {
            throw ConfigError(mark: raw.mark, keyPath: path(key), value: raw.valueDescription,
                              message: "expected \(kind.expectation), got \(raw.valueDescription)")
        }
        if let n = node(key) { v = try kind.decode(n, keyPath: path(key)) } else { v = defaultValue }
        if v != nil || !omitNull { resolve(key, v.map(\.yamlNode) ?? .null()) }
        return v
    }

    /// True when no required key was missing so far (cross-key checks are meaningful).
    var isComplete: Bool { missing.isEmpty }

    /// Notes a missing required key, reported by `finish()` unless an unknown key explains it.
    mutating func missing(_ key: String, _ message: String) {
        missing.append(ConfigError(mark: mark, keyPath: path(key), value: nil, message: message))
    }

    /// A required value of `kind`: `missing; expected <kind>` (from `finish()`) when absent, and
    /// meanwhile `placeholder`.
    mutating func required(_ key: String, _ kind: ParameterKind, placeholder: ConfigValue) throws(ConfigError) -> ConfigValue {
        guard let v = try value(key, kind, default: nil) else {
            missing(key, "missing; expected \(kind.expectation)")
            return placeholder
        }
        return v
    }

    mutating func int(_ key: String, min: Int, default defaultValue: Int?) throws(ConfigError) -> Int? {
        try value(key, .int(min: min), default: defaultValue.map(ConfigValue.int))?.intValue
    }

    /// An integer in `min...max`: `0 is out of range; expected an integer from 1 to 10`.
    mutating func int(_ key: String, min: Int, max: Int, default defaultValue: Int) throws(ConfigError) -> Int {
        try value(key, .int(min: min, max: max), default: .int(defaultValue))?.intValue ?? defaultValue
    }

    mutating func bool(_ key: String, default defaultValue: Bool) throws(ConfigError) -> Bool {
        try value(key, .bool, default: .bool(defaultValue))?.boolValue ?? defaultValue
    }

    /// A nested section; an absent or null key reads as an empty mapping (all defaults) unless
    /// `required`, when it is `missing; expected a mapping`.
    mutating func section(_ key: String, required: Bool = false) throws(ConfigError) -> ConfigSection {
        if let n = node(key) { return try ConfigSection(n, keyPath: path(key)) }
        var empty = try ConfigSection(YAMLNode(kind: .mapping([]), mark: mark), keyPath: path(key))
        if required {
            missing(key, "missing; expected a mapping")
            empty.isAbsent = true
        }
        return empty
    }

    /// Checks that every key present was read, then records `child`'s resolved form under `key`.
    mutating func close(_ child: ConfigSection, as key: String) throws(ConfigError) {
        resolve(key, child.isAbsent ? .null() : try child.finish())
    }

    /// Throws for the first key that was never read, then for the first missing one; returns the
    /// resolved mapping.
    func finish() throws(ConfigError) -> YAMLNode {
        try reader.finish()
        if let first = missing.first { throw first }
        return YAMLNode(pairs: resolved)
    }
}

extension ConfigValue {
    var intValue: Int? { if case let .int(v) = self { return v }; return nil }
    var doubleValue: Double? {
        switch self {
        case let .double(v): return v
        case let .int(v): return Double(v)
        default: return nil
        }
    }
    var boolValue: Bool? { if case let .bool(v) = self { return v }; return nil }
    var stringValue: String? { if case let .string(v) = self { return v }; return nil }

    /// The value as YAML, for the resolved file.
    var yamlNode: YAMLNode {
        switch self {
        case let .int(i): return YAMLNode(i)
        case let .double(d): return YAMLNode(d)
        case let .bool(b): return YAMLNode(b)
        case let .string(s): return YAMLNode(s)
        case let .list(items): return YAMLNode(items.map(\.yamlNode))
        }
    }
}

extension ParameterKind {
    /// Converts `node` to this kind with its range checked:
    /// `expected an integer ≥ 1, got "4"`, `0 is out of range; expected an integer ≥ 1`.
    func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> ConfigValue {
        let got = node.valueDescription
        func fail(_ message: String) -> ConfigError { ConfigError(mark: node.mark, keyPath: keyPath, value: got, message: message) }
        let value: ConfigValue
        switch self {
        case .int:
            if let i = node.int { value = .int(i) }
            else if case .oversizedInt? = node.resolvedScalar { throw fail("\(got) is out of range; expected \(expectation)") }
            else { throw fail("expected \(expectation), got \(got)") }
        case .double:
            guard let d = node.double else { throw fail("expected \(expectation), got \(got)") }
            value = .double(d)
        case .bool:
            guard let b = node.bool else { throw fail("expected true or false, got \(got)") }
            value = .bool(b)
        case .string:
            guard let s = node.scalarText, !node.isNull else { throw fail("expected \(expectation), got \(got)") }
            value = .string(s)
        case .doubleList:
            guard let items = node.sequence else { throw fail("expected a list of numbers, got \(got)") }
            var list: [ConfigValue] = []
            for item in items {
                guard let d = item.double else {
                    throw ConfigError(mark: item.mark, keyPath: keyPath, value: item.valueDescription,
                                      message: "expected a number, got \(item.valueDescription)")
                }
                list.append(.double(d))
            }
            value = .list(list)
        }
        if let problem = rangeProblem(value) { throw fail("\(got) is \(problem); expected \(expectation)") }
        return value
    }
}
