// Writing a YAMLNode back out as deterministic block-style YAML (e.g. the resolved config.yaml a
// run saves next to its results).
//
// Two-space indentation, keys in stored order, strings quoted only when a plain scalar would read
// back as something else. No comments, anchors, flow style (except `[]` and `{}` for empty
// collections) or line folding; marks are not written.

extension YAMLNode {
    /// Block-style YAML for this node, ending with a newline, such that
    /// `YAMLDocument.parse(node.emit(), file:) == node` (structural equality).
    ///
    /// Scalars: plain non-strings (numbers, booleans) keep their text; null is `null`; strings are
    /// plain when that is unambiguous and double-quoted otherwise (anything that would resolve as
    /// null, bool or a number — also YAML 1.1's `yes`/`no`/`on`/`off` — starts with an indicator or
    /// a digit, has leading or trailing spaces, contains `: `, ` #`, or a non-printable character).
    public func emit() -> String {
        var out = ""
        switch kind {
        case .sequence(let items) where !items.isEmpty:
            Self.emitBlock(self, indent: 0, continuingLine: false, into: &out)
        case .mapping(let entries) where !entries.isEmpty:
            Self.emitBlock(self, indent: 0, continuingLine: false, into: &out)
        default:
            out = Self.inlineText(self) + "\n"
        }
        return out
    }

    /// Text for a node that fits after `key: ` or `- `: scalars, null, and empty collections.
    private static func inlineText(_ node: YAMLNode) -> String {
        switch node.kind {
        case .null: return "null"
        case let .scalar(text, style):
            switch YAMLScalarValue.resolve(text, plain: style == .plain) {
            case .null: return "null"
            case let .string(s): return YAMLScalarFormatting.quotedIfNeeded(s)
            default: return text
            }
        case .sequence: return "[]"
        case .mapping: return "{}"
        }
    }

    private static func isBlock(_ node: YAMLNode) -> Bool {
        switch node.kind {
        case let .sequence(items): return !items.isEmpty
        case let .mapping(entries): return !entries.isEmpty
        default: return false
        }
    }

    /// Writes a non-empty collection at `indent`. With `continuingLine`, the first line's indentation
    /// was already written (after `- `).
    private static func emitBlock(_ node: YAMLNode, indent: Int, continuingLine: Bool, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        var first = true
        func startLine() {
            if !(first && continuingLine) { out += pad }
            first = false
        }
        switch node.kind {
        case let .sequence(items):
            for item in items {
                startLine()
                out += "-"
                if isBlock(item) {
                    out += " "
                    emitBlock(item, indent: indent + 2, continuingLine: true, into: &out)
                } else {
                    out += " " + inlineText(item) + "\n"
                }
            }
        case let .mapping(entries):
            for entry in entries {
                startLine()
                let key = YAMLScalarFormatting.key(entry.key)
                if key.unicodeScalars.count > YAMLScalarFormatting.maxImplicitKeyLength {
                    // libyaml only accepts implicit keys up to 1024 characters; longer ones are explicit.
                    out += "? " + key + "\n" + pad + ":"
                } else {
                    out += key + ":"
                }
                if isBlock(entry.value) {
                    out += "\n"
                    emitBlock(entry.value, indent: indent + 2, continuingLine: false, into: &out)
                } else {
                    out += " " + inlineText(entry.value) + "\n"
                }
            }
        default:
            preconditionFailure("emitBlock needs a non-empty collection")
        }
    }
}

/// When and how strings are quoted.
enum YAMLScalarFormatting {
    static let maxImplicitKeyLength = 1000

    /// A mapping key: like a string value, and `<<` is always quoted so it is not read as a merge.
    static func key(_ s: String) -> String {
        s == "<<" ? "\"<<\"" : quotedIfNeeded(s)
    }

    /// `s` plain when that reads back as the same string, else double-quoted with escapes.
    static func quotedIfNeeded(_ s: String) -> String {
        needsQuotes(s) ? doubleQuoted(s) : s
    }

    static func needsQuotes(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return true }
        if case .string = YAMLScalarValue.resolve(s, plain: true) {} else { return true }
        let yaml11Words: Set<String> = ["y", "n", "yes", "no", "on", "off"]
        if yaml11Words.contains(s.lowercased()) { return true }
        if first == " " || last == " " { return true }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return true }
        // Digits and signed or dotted numbers: other YAML readers see dates, times, 1_000 or 0b101.
        if ("0"..."9").contains(first) { return true }
        if first == "+" || first == "." {
            let rest = s.unicodeScalars.dropFirst()
            if let second = rest.first, ("0"..."9").contains(second) || second == "." { return true }
        }
        if s.contains(": ") || s.contains(" #") || last == ":" { return true }
        if s.hasPrefix("...") { return true }
        return s.unicodeScalars.contains(where: { !isPrintable($0) })
    }

    /// Characters that may appear unescaped in a plain or double-quoted scalar (YAML's
    /// c-printable minus line breaks, tab, and the BOM).
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x20...0x7E: return true
        case 0xA0...0xD7FF, 0xE000...0xFFFD: return c.value != 0xFEFF && c.value != 0x2028 && c.value != 0x2029
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\0": out += "\\0"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{0B}": out += "\\v"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            case "\u{1B}": out += "\\e"
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default:
                if isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else if c.value <= 0xFF {
                    out += "\\x" + hex(c.value, digits: 2)
                } else {
                    out += "\\u" + hex(c.value, digits: 4)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ v: UInt32, digits: Int) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - h.count)) + h
    }
}
