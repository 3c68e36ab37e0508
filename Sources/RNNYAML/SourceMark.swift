// SourceMark: where a YAML node (or an error) came from — a file's display name, line and column.
//
// Marks are for people reading error messages; they take no part in node equality and are never
// used to look anything up. This file does not read files or know about libyaml.

/// A position in a YAML source: display name, 1-based line and 1-based column.
///
/// Columns count Unicode scalars (characters as libyaml counts them), not bytes. A mark with
/// `line == 0` means "the whole source" (e.g. a file that cannot be read); it renders without a
/// position.
public struct SourceMark: Sendable, Hashable, CustomStringConvertible {
    /// The display name of the source: a path as the user gave it, or e.g. `--set training.lr=0.5`.
    public var file: String
    /// 1-based line, or 0 when the mark refers to the whole source.
    public var line: Int
    /// 1-based column, or 0 when the mark refers to the whole source.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        precondition(line >= 0 && column >= 0, "SourceMark: line and column must not be negative")
        self.file = file
        self.line = line
        self.column = column
    }

    /// The mark of nodes built in Swift code rather than parsed (`<built>:1:1`).
    public static let built = SourceMark(file: "<built>", line: 1, column: 1)

    /// A mark for the whole of `file`, with no position.
    public static func wholeFile(_ file: String) -> SourceMark {
        SourceMark(file: file, line: 0, column: 0)
    }

    /// `file:line:column`, or just `file` for a whole-source mark.
    public var description: String {
        line == 0 ? file : "\(file):\(line):\(column)"
    }
}
