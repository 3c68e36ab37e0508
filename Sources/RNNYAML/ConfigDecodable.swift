// ConfigDecodable: the value types a MappingReader can read — Int, Double, Bool, String, arrays of
// them, raw YAMLNode and nested MappingReader — each with the phrase its type errors use.
//
// Type checks only; ranges and choices are MappingReader's. Not Codable: configs are small and the
// error wording matters more than generality.

/// A type that can be decoded from one YAML node of a config.
public protocol ConfigDecodable {
    /// What a valid value looks like, for "expected …" messages: "an integer", "a number".
    static var configExpectation: String { get }
    /// The plural used for sequences of this type: "integers", "numbers".
    static var configPluralName: String { get }
    /// Decodes `node`, which sits at `keyPath`; throws a `ConfigError` naming the path and value.
    static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> Self
}

extension Int: ConfigDecodable {
    public static var configExpectation: String { "an integer" }
    public static var configPluralName: String { "integers" }

    /// Plain integer literals only (`3`, `-2`, `0x10`); `3.0` and `"3"` are type errors and a
    /// literal beyond 64 bits is out of range.
    public static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> Int {
        switch node.resolvedScalar {
        case let .int(i)?: return i
        case .oversizedInt?: throw .outOfRange(node, keyPath: keyPath, expected: "an integer from \(Int.min) to \(Int.max)")
        default: throw .typeMismatch(node, keyPath: keyPath, expected: configExpectation)
        }
    }
}

extension Double: ConfigDecodable {
    public static var configExpectation: String { "a number" }
    public static var configPluralName: String { "numbers" }

    /// Plain float or integer literals (`0.5`, `1e-3`, `2`, `.inf`); quoted text is a type error.
    public static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> Double {
        guard let d = node.double else { throw .typeMismatch(node, keyPath: keyPath, expected: configExpectation) }
        return d
    }
}

extension Bool: ConfigDecodable {
    public static var configExpectation: String { "true or false" }
    public static var configPluralName: String { "booleans" }

    /// Plain `true` or `false` in any case; `yes`, `1` and `"true"` are type errors.
    public static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> Bool {
        guard let b = node.bool else { throw .typeMismatch(node, keyPath: keyPath, expected: configExpectation) }
        return b
    }
}

extension String: ConfigDecodable {
    public static var configExpectation: String { "a string" }
    public static var configPluralName: String { "strings" }

    /// Quoted scalars, and plain scalars that are not null, bool or numbers; `5` is a type error
    /// (write `"5"`).
    public static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> String {
        guard let s = node.string else { throw .typeMismatch(node, keyPath: keyPath, expected: configExpectation) }
        return s
    }
}

extension Array: ConfigDecodable where Element: ConfigDecodable {
    public static var configExpectation: String { "a sequence of \(Element.configPluralName)" }
    public static var configPluralName: String { "sequences" }

    /// A sequence whose items all decode as `Element`; item errors carry `keyPath[index]`.
    public static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> [Element] {
        guard let items = node.sequence else { throw .typeMismatch(node, keyPath: keyPath, expected: configExpectation) }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            result.append(try Element.decode(item, keyPath: "\(keyPath)[\(i)]"))
        }
        return result
    }
}

extension YAMLNode: ConfigDecodable {
    public static var configExpectation: String { "a value" }
    public static var configPluralName: String { "values" }

    /// Any node, unchanged (for callers that decode it themselves, e.g. a component's parameters).
    public static func decode(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> YAMLNode { node }
}
