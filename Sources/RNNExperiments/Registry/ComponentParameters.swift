// The typed parameters a component factory declares, and the validated values it receives.
//
// A factory lists its parameters (name, type and range, default, one-line meaning); the
// experiments layer decodes the YAML against that list once, at the edge, filling defaults and
// rejecting unknown keys, wrong types and out-of-range values with their key path. The factory
// then reads plain Swift values from `ComponentArguments`.

import RNNRendering

/// A configuration value after decoding.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ConfigValue])

    public var description: String {
        switch self {
        case let .int(v): return String(v)
        case let .double(v): return NumberFormat.plain(v)
        case let .bool(v): return v ? "true" : "false"
        case let .string(v): return v
        case let .list(v): return "[" + v.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// The type and valid range of a parameter.
public enum ParameterKind: Sendable, Equatable {
    /// An integer in `min...max` (either bound optional).
    case int(min: Int? = nil, max: Int? = nil)
    /// A number; `exclusiveMin` makes the lower bound strict (e.g. a learning rate > 0).
    case double(min: Double? = nil, max: Double? = nil, exclusiveMin: Bool = false)
    case bool
    /// A string, optionally one of `choices`.
    case string(choices: [String]? = nil)
    /// A list of numbers.
    case doubleList

    /// What a valid value looks like, for error messages and `rnnlab components`.
    public var expectation: String {
        switch self {
        case let .int(min, max):
            switch (min, max) {
            case let (lo?, hi?): return "an integer from \(lo) to \(hi)"
            case let (lo?, nil): return "an integer ≥ \(lo)"
            case let (nil, hi?): return "an integer ≤ \(hi)"
            default: return "an integer"
            }
        case let .double(min, max, exclusive):
            switch (min, max) {
            case let (lo?, hi?): return "a number \(exclusive ? ">" : "≥") \(NumberFormat.plain(lo)) and ≤ \(NumberFormat.plain(hi))"
            case let (lo?, nil): return "a number \(exclusive ? ">" : "≥") \(NumberFormat.plain(lo))"
            case let (nil, hi?): return "a number ≤ \(NumberFormat.plain(hi))"
            default: return "a number"
            }
        case .bool: return "true or false"
        case let .string(choices):
            if let choices { return "one of " + choices.joined(separator: ", ") }
            return "a string"
        case .doubleList: return "a list of numbers"
        }
    }

    /// Checks the range of an already well-typed value; nil when valid.
    public func rangeProblem(_ value: ConfigValue) -> String? {
        switch (self, value) {
        case let (.int(min, max), .int(v)):
            if let min, v < min { return "out of range" }
            if let max, v > max { return "out of range" }
        case let (.double(min, max, exclusive), .double(v)):
            if !v.isFinite { return "not a finite number" }
            if let min, exclusive ? v <= min : v < min { return "out of range" }
            if let max, v > max { return "out of range" }
        case let (.string(choices?), .string(v)):
            if !choices.contains(v) { return "not a valid choice" }
        default:
            break
        }
        return nil
    }
}

/// One parameter of a component factory.
public struct ParameterSpec: Sendable, Equatable {
    public var name: String
    public var kind: ParameterKind
    /// The value used when the key is absent; nil makes the parameter required unless optional.
    public var defaultValue: ConfigValue?
    /// Whether the parameter may be absent with no default (meaning "no limit" or "none").
    public var isOptional: Bool
    /// One line: what it means.
    public var summary: String

    public init(_ name: String, _ kind: ParameterKind, default defaultValue: ConfigValue?, optional: Bool = false, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.isOptional = optional
        self.summary = summary
    }
}

/// Validated values for a factory's parameters, defaults filled in.
public struct ComponentArguments: Sendable, Equatable {
    /// Values in the factory's declared order.
    public private(set) var values: [(name: String, value: ConfigValue)]

    public init(_ values: [(name: String, value: ConfigValue)]) { self.values = values }

    public static func == (a: ComponentArguments, b: ComponentArguments) -> Bool {
        a.values.map(\.name) == b.values.map(\.name) && a.values.map(\.value) == b.values.map(\.value)
    }

    public subscript(name: String) -> ConfigValue? { values.first { $0.name == name }?.value }

    /// The integer parameter `name`; a programmer error if the factory did not declare it so.
    public func int(_ name: String) -> Int {
        guard case let .int(v)? = self[name] else { preconditionFailure("argument \(name) is not a declared integer") }
        return v
    }

    /// The number parameter `name` (an integer value converts).
    public func double(_ name: String) -> Double {
        switch self[name] {
        case let .double(v)?: return v
        case let .int(v)?: return Double(v)
        default: preconditionFailure("argument \(name) is not a declared number")
        }
    }

    public func bool(_ name: String) -> Bool {
        guard case let .bool(v)? = self[name] else { preconditionFailure("argument \(name) is not a declared bool") }
        return v
    }

    public func string(_ name: String) -> String {
        guard case let .string(v)? = self[name] else { preconditionFailure("argument \(name) is not a declared string") }
        return v
    }

    /// An optional number: nil when the value is the string "none" or absent.
    public func optionalDouble(_ name: String) -> Double? {
        switch self[name] {
        case let .double(v)?: return v
        case let .int(v)?: return Double(v)
        default: return nil
        }
    }

    public func doubles(_ name: String) -> [Double] {
        guard case let .list(items)? = self[name] else { preconditionFailure("argument \(name) is not a declared list") }
        return items.map { if case let .double(v) = $0 { return v }; if case let .int(v) = $0 { return Double(v) }; return .nan }
    }
}
