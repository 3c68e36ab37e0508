// Turning libyaml's scanner, parser and reader problems into one plain-English sentence.
//
// libyaml reports a terse problem ("did not find expected key") and a context ("while parsing a
// block mapping"). The common mistakes in hand-written configs get a sentence that says what to
// fix; anything else keeps libyaml's words. This file only builds strings.

enum YAMLSyntaxMessages {
    /// The sentence for a scanner or parser error.
    /// - Parameters:
    ///   - problem: libyaml's `problem` text.
    ///   - context: libyaml's `context` text, if any.
    ///   - contextLine: 1-based line of libyaml's `context_mark` (where the construct started).
    ///   - character: the character at the problem mark, if known.
    static func syntax(problem: String, context: String?, contextLine: Int, character: Unicode.Scalar?) -> String {
        let tab = "a tab character is used for indentation here; YAML indentation must use spaces."
        switch problem {
        case "found character that cannot start any token":
            if character == "\t" { return tab }
            if let c = character {
                if c == "@" || c == "`" {
                    return "'\(c)' is reserved in YAML and cannot start a value; put the value in quotes."
                }
                return "the character '\(printable(c))' cannot start a YAML value; put the value in quotes."
            }
            return "this character cannot start a YAML value; put the value in quotes."
        case "found a tab character that violates indentation",
             "found a tab character where an indentation space is expected":
            return tab
        case "mapping values are not allowed in this context":
            return "a ':' followed by a space is not allowed here; quote the value if it contains ': ', or fix the indentation."
        case "did not find expected key":
            return "expected a key aligned with the other keys of the mapping that starts on line \(contextLine); check the indentation of this line."
        case "did not find expected '-' indicator":
            return "expected another '-' item of the sequence that starts on line \(contextLine); check the indentation of this line."
        case "block sequence entries are not allowed in this context":
            return "a '-' sequence item is not allowed here; check the indentation of this line."
        case "could not find expected ':'":
            return "expected ':' after the key that starts on line \(contextLine); a key must fit on one line and be followed by ': '."
        case "did not find expected ',' or ']'":
            return "the '[' sequence that starts on line \(contextLine) is missing a ',' between items or its closing ']'."
        case "did not find expected ',' or '}'":
            return "the '{' mapping that starts on line \(contextLine) is missing a ',' between entries or its closing '}'."
        case "found unknown escape character":
            return "unknown escape sequence in a double-quoted string; write a backslash as \\\\ or use single quotes."
        case "did not find expected node content":
            return "expected a value here."
        case "did not find expected <document start>":
            return "unexpected text after the end of the document."
        case "found unexpected end of stream":
            switch context {
            case "while scanning a quoted scalar":
                return "the quoted string that starts on line \(contextLine) is never closed."
            default:
                return "the file ends unexpectedly \(context ?? "in the middle of a value")."
            }
        case "did not find expected alphabetic or numeric character":
            if let context, context.contains("anchor") || context.contains("alias") {
                return "an anchor or alias name must be made of letters, digits, '-' or '_'."
            }
        default:
            break
        }
        if let context, !context.isEmpty {
            return "invalid YAML: \(problem) \(context)."
        }
        return "invalid YAML: \(problem)."
    }

    /// The sentence for a libyaml reader error (bad bytes after our own UTF-8 check passed).
    static func reader(problem: String, value: Int32) -> String {
        if problem == "control characters are not allowed", value >= 0 {
            return "the control character \(codePoint(UInt32(value))) is not allowed in YAML text; remove it."
        }
        return "the text cannot be read: \(problem)."
    }

    static func codePoint(_ v: UInt32) -> String {
        let hex = String(v, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func printable(_ c: Unicode.Scalar) -> String {
        c.properties.generalCategory == .control ? codePoint(c.value) : String(c)
    }
}
