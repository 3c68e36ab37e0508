// ParameterDeclaration: a component's parameters as one typed Swift value, declared once — each
// field's key, type and range, meaning, and (from the type's `init()`) default — next to the
// factory that uses it. The experiment decoder checks the YAML against the declaration's specs
// (unknown keys, types, ranges, required ones) and the factory receives the filled-in value;
// `rnnlab components` prints the same declaration. No key is spelled twice.
//
//     struct AdamParameters: ComponentParameters {
//         var lr = 0.001, beta1 = 0.9
//         static let declaration = ParameterDeclaration<Self>()
//             .number("lr", \.lr, .double(min: 0, exclusiveMin: true), "initial learning rate")
//             .number("beta1", \.beta1, .double(min: 0, max: 0.999999), "first-moment decay")
//     }

/// A component's parameters: a value with every default, and the declaration of its fields.
public protocol ComponentParameters: Sendable {
    /// Every parameter at its default.
    init()
    static var declaration: ParameterDeclaration<Self> { get }
}

/// The parameters of a component that takes none.
public struct NoParameters: ComponentParameters {
    public init() {}
    public static let declaration = ParameterDeclaration<NoParameters>()
}

/// The fields of a parameter type, in the order they are documented and resolved.
public struct ParameterDeclaration<P: ComponentParameters>: Sendable {
    private struct Field: Sendable {
        var spec: ParameterSpec
        var assign: @Sendable (inout P, ConfigValue) -> Void
    }
    private var fields: [Field] = []

    public init() {}

    private func adding(_ key: String, _ kind: ParameterKind, default value: ConfigValue?, optional: Bool = false,
                        _ summary: String, assign: @escaping @Sendable (inout P, ConfigValue) -> Void) -> Self {
        precondition(!fields.contains { $0.spec.name == key }, "ParameterDeclaration: \(key) is declared twice")
        if let value { precondition(kind.rangeProblem(value) == nil, "ParameterDeclaration: the default of \(key) is out of its own range") }
        var copy = self
        copy.fields.append(Field(spec: ParameterSpec(key, kind, default: value, optional: optional, summary), assign: assign))
        return copy
    }

    /// An integer field (`kind` gives its range).
    public func int(_ key: String, _ path: WritableKeyPath<P, Int> & Sendable, _ kind: ParameterKind = .int(), _ summary: String) -> Self {
        adding(key, kind, default: .int(P()[keyPath: path]), summary) { p, v in if case let .int(i) = v { p[keyPath: path] = i } }
    }

    /// An integer field that may be absent (nil: "no limit", "all").
    public func optionalInt(_ key: String, _ path: WritableKeyPath<P, Int?> & Sendable, _ kind: ParameterKind = .int(), _ summary: String) -> Self {
        adding(key, kind, default: P()[keyPath: path].map(ConfigValue.int), optional: true, summary) { p, v in
            if case let .int(i) = v { p[keyPath: path] = i }
        }
    }

    /// A number field (an integer in the YAML converts).
    public func number(_ key: String, _ path: WritableKeyPath<P, Double> & Sendable, _ kind: ParameterKind = .double(), _ summary: String) -> Self {
        adding(key, kind, default: .double(P()[keyPath: path]), summary) { p, v in if let d = v.doubleValue { p[keyPath: path] = d } }
    }

    /// A number field that may be absent (nil: the component picks, e.g. from the data).
    public func optionalNumber(_ key: String, _ path: WritableKeyPath<P, Double?> & Sendable, _ kind: ParameterKind = .double(), _ summary: String) -> Self {
        adding(key, kind, default: P()[keyPath: path].map(ConfigValue.double), optional: true, summary) { p, v in
            if let d = v.doubleValue { p[keyPath: path] = d }
        }
    }

    public func bool(_ key: String, _ path: WritableKeyPath<P, Bool> & Sendable, _ summary: String) -> Self {
        adding(key, .bool, default: .bool(P()[keyPath: path]), summary) { p, v in if case let .bool(b) = v { p[keyPath: path] = b } }
    }

    /// A string field, optionally one of `choices`; a required one has no default (its default in
    /// `init()` is never used).
    public func string(_ key: String, _ path: WritableKeyPath<P, String> & Sendable, choices: [String]? = nil,
                       required: Bool = false, _ summary: String) -> Self {
        adding(key, .string(choices: choices), default: required ? nil : .string(P()[keyPath: path]), summary) { p, v in
            if case let .string(s) = v { p[keyPath: path] = s }
        }
    }

    /// What the experiment decoder checks against and `rnnlab components` prints.
    public var specs: [ParameterSpec] { fields.map(\.spec) }

    /// The typed value of arguments the decoder validated against `specs`.
    public func decode(_ arguments: ComponentArguments) -> P {
        var p = P()
        for field in fields {
            if let value = arguments[field.spec.name] { field.assign(&p, value) }
        }
        return p
    }
}
