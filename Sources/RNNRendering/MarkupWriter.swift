// MarkupWriter: builds XML-compatible markup (SVG, and HTML written as XHTML-compatible text)
// one element per line with stable attribute order and escaping of every text and attribute.
// It will not validate element names or nesting beyond matching open/close in debug builds.

import Foundation

/// An append-only builder of indented, escaped markup.
struct MarkupWriter {
    private(set) var output = ""
    private var open: [String] = []

    init() {}

    /// Writes `<name attrs>` and indents what follows until `close`.
    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        line("<" + name + Self.attributeText(attributes) + ">")
        open.append(name)
    }

    /// Writes `</name>`; `name` must be the innermost open element.
    mutating func close(_ name: String) {
        precondition(open.last == name, "MarkupWriter: closing <\(name)> but the innermost open element is <\(open.last ?? "none")>")
        open.removeLast()
        line("</" + name + ">")
    }

    /// Writes a self-closed `<name attrs/>`.
    mutating func empty(_ name: String, _ attributes: [(String, String)] = []) {
        line("<" + name + Self.attributeText(attributes) + "/>")
    }

    /// Writes `<name attrs>escaped text</name>` on one line.
    mutating func element(_ name: String, _ attributes: [(String, String)] = [], text: String) {
        line("<" + name + Self.attributeText(attributes) + ">" + Self.escape(text) + "</" + name + ">")
    }

    /// Appends already-formed markup lines (e.g. a rendered SVG), indented to the current depth.
    mutating func raw(_ markup: String) {
        for l in markup.split(separator: "\n", omittingEmptySubsequences: true) { line(String(l)) }
    }

    /// Appends `markup` exactly as given plus "\n" — for content whose whitespace matters (`<pre>`).
    mutating func verbatim(_ markup: String) {
        output += markup + "\n"
    }

    private mutating func line(_ text: String) {
        output += String(repeating: "  ", count: open.count) + text + "\n"
    }

    /// The finished markup. - Precondition: every opened element was closed.
    var finished: String {
        precondition(open.isEmpty, "MarkupWriter: unclosed elements \(open)")
        return output
    }

    private static func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// Escapes `& < > " '` and replaces characters XML 1.0 forbids (control characters other than
    /// tab, newline and carriage return; U+FFFE, U+FFFF) with U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            switch s {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(s)
            default:
                if s.value < 0x20 || s.value == 0xFFFE || s.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out
    }

    /// A pixel coordinate with at most two decimals and no trailing zeros (`12.5`, `100`).
    /// Non-finite input is a programmer error upstream; it is written as 0 so output stays valid.
    static func coordinate(_ v: Double) -> String {
        assert(v.isFinite, "MarkupWriter.coordinate: non-finite coordinate \(v)")
        return NumberFormat.trimZeros(NumberFormat.fixed(v.isFinite ? v : 0, decimals: 2))
    }
}
