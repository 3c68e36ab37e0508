// YAMLScalarValue: what a scalar means under the YAML 1.2 core schema.
//
// Only plain (unquoted) scalars are resolved; quoted and block scalars are always strings. This
// file does no number formatting for output (see YAMLNode+Emit.swift) and knows nothing of configs.

/// The meaning of a scalar under the YAML 1.2 core schema.
///
/// Resolution rules for plain scalars, tried in this order:
/// - null: `~`, `null`, `Null`, `NULL`, or the empty scalar;
/// - bool: `true` / `false` in any letter case;
/// - int: `[-+]?[0-9]+`, `0x[0-9a-fA-F]+`, `0o[0-7]+`; a literal that does not fit in `Int`
///   resolves to `.oversizedInt` so that callers can report it instead of trapping;
/// - float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf` (also `.Inf`,
///   `.INF`) and `.nan` (also `.NaN`, `.NAN`); a finite literal too large for `Double` becomes ±inf;
/// - anything else: string.
///
/// Equality treats NaN as equal to NaN, so that structural comparison of documents is reflexive.
public enum YAMLScalarValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    /// An integer literal outside `Int.min...Int.max`; the payload is the literal as written.
    case oversizedInt(String)

    /// Resolves the text of a scalar; `plain` is false for quoted and block scalars.
    public static func resolve(_ text: String, plain: Bool) -> YAMLScalarValue {
        guard plain else { return .string(text) }
        if isNull(text) { return .null }
        if let b = bool(text) { return .bool(b) }
        if let i = integer(text) { return i }
        if let d = float(text) { return .double(d) }
        return .string(text)
    }

    public static func == (a: YAMLScalarValue, b: YAMLScalarValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.oversizedInt(x), .oversizedInt(y)): return x == y
        default: return false
        }
    }

    /// A short rendering for messages: strings in double quotes, everything else as YAML text.
    public var description: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .double(d): return YAMLScalarValue.canonicalText(d)
        case let .string(s): return "\"" + s + "\""
        case let .oversizedInt(s): return s
        }
    }

    /// Text for a Double that resolves back to exactly the same Double: shortest round-trip digits
    /// (Swift's `description`), `.inf`, `-.inf` or `.nan`. Whole numbers keep their `.0`.
    public static func canonicalText(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
        return d.description
    }

    // MARK: - Core schema matchers

    static func isNull(_ s: String) -> Bool {
        s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    static func bool(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// `.int`, `.oversizedInt`, or nil when `s` is not an integer literal.
    static func integer(_ s: String) -> YAMLScalarValue? {
        let u = Array(s.utf8)
        guard !u.isEmpty else { return nil }
        if u.count > 2, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "o") {
            let radix = u[1] == UInt8(ascii: "x") ? 16 : 8
            let digits = u[2...]
            guard digits.allSatisfy({ digitValue($0).map { $0 < radix } ?? false }) else { return nil }
            if let v = Int(String(decoding: digits, as: UTF8.self), radix: radix) { return .int(v) }
            return .oversizedInt(s)
        }
        var body = u[...]
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy(isDecimalDigit) else { return nil }
        // Int("+5") works, Int of an overlong literal returns nil: that is exactly the overflow case.
        if let v = Int(s) { return .int(v) }
        return .oversizedInt(s)
    }

    static func float(_ s: String) -> Double? {
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let u = Array(s.utf8)
        var i = 0
        if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
        var mantissaDigits = 0
        while i < u.count, isDecimalDigit(u[i]) { i += 1; mantissaDigits += 1 }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var fraction = 0
            while i < u.count, isDecimalDigit(u[i]) { i += 1; fraction += 1 }
            // ".5" and "5." are floats; "." alone is not.
            if mantissaDigits == 0 && fraction == 0 { return nil }
            mantissaDigits += fraction
        }
        guard mantissaDigits > 0 else { return nil }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
            var exponentDigits = 0
            while i < u.count, isDecimalDigit(u[i]) { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return nil }
        }
        guard i == u.count else { return nil }
        return Double(s)
    }

    /// The value of an integer literal (decimal, `0x`, `0o`) as a Double, also when it does not fit
    /// in `Int`; nil for anything else.
    static func integerAsDouble(_ s: String) -> Double? {
        let u = Array(s.utf8)
        if u.count > 2, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "o") {
            let radix = u[1] == UInt8(ascii: "x") ? 16 : 8
            var value = 0.0
            for c in u[2...] {
                guard let d = digitValue(c), d < radix else { return nil }
                value = value * Double(radix) + Double(d)
            }
            return value
        }
        guard integer(s) != nil else { return nil }
        return Double(s)
    }

    private static func isDecimalDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func digitValue(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
