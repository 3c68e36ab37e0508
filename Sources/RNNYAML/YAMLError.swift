// YAMLError: the one error type for YAML that cannot be read — syntax, encoding, structure and
// hostile-input limits.
//
// It does not cover configuration meaning (wrong types, unknown keys): that is `ConfigError`.

/// A YAML source that could not be turned into a `YAMLNode`.
///
/// `description` is one sentence prefixed by the position: `exp.yaml:3:1: <message>`.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var mark: SourceMark
    /// One sentence in plain English, ending with a period, without the position prefix.
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }

    /// The source's display name.
    public var file: String { mark.file }
    /// 1-based line, or 0 for problems with the whole source.
    public var line: Int { mark.line }
    /// 1-based column, or 0 for problems with the whole source.
    public var column: Int { mark.column }

    public var description: String { "\(mark): \(message)" }
}
