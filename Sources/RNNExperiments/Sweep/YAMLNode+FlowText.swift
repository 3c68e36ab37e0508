// YAMLNode+FlowText: a value written on one line as YAML flow text (`200`, `true`, `"a b"`,
// `[1, 2]`, `{name: adam, lr: 0.001}`), the form a `--set key=value` override takes. Sweeps turn the
// values they read from a file into overrides with it, and reports use it to compare config values.
// It will not write block YAML (see YAMLNode+Emit in RNNYAML) and keeps no comments or anchors.

import RNNYAML

extension YAMLNode {
    /// The node as one line of YAML that parses back to an equal node (structural equality).
    ///
    /// Scalars keep their text when it reads back the same (so `0.10` stays `0.10`); strings are
    /// double-quoted when a plain scalar would read as something else or contains a flow
    /// indicator (`,[]{}`); null is `null`; sequences are `[a, b]` and mappings `{k: v}`.
    public var flowText: String {
        switch kind {
        case .null:
            return "null"
        case let .scalar(text, style):
            switch YAMLScalarValue.resolve(text, plain: style == .plain) {
            case .null: return "null"
            case let .string(s): return Self.flowString(s)
            default: return text
            }
        case let .sequence(items):
            return "[" + items.map(\.flowText).joined(separator: ", ") + "]"
        case let .mapping(entries):
            return "{" + entries.map { Self.flowString($0.key) + ": " + $0.value.flowText }.joined(separator: ", ") + "}"
        }
    }

    /// A string as a flow scalar: plain when the block emitter would write it plain and it holds
    /// no flow indicator, else double-quoted with JSON-style escapes (valid YAML).
    static func flowString(_ s: String) -> String {
        let block = YAMLNode(s).emit().dropLast()   // emit() ends with "\n"
        if !block.hasPrefix("\"") && !s.contains(where: { ",[]{}".contains($0) }) { return String(block) }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
