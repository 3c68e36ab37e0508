// MarkdownTable: a table of strings with per-column alignment, rendered as a GitHub-flavoured
// markdown table or as plain aligned text for the terminal. Also the table model HTMLReport uses.
// It will not format numbers (callers pass NumberFormat output) or wrap long cells.

import Foundation

/// A table of text cells with column titles and alignments.
///
/// Widths are counted in characters (grapheme clusters), which lines up for the ASCII and most
/// Latin text reports contain; wide (East Asian) characters will look misaligned in plain text.
public struct MarkdownTable: Sendable, Equatable {
    public enum Alignment: Sendable, Equatable {
        case left, right, center
    }

    public struct Column: Sendable, Equatable {
        public var title: String
        public var alignment: Alignment

        public init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public let columns: [Column]
    public private(set) var rows: [[String]] = []

    /// - Precondition: at least one column.
    public init(columns: [Column]) {
        precondition(!columns.isEmpty, "MarkdownTable: needs at least one column")
        self.columns = columns
    }

    /// Adds a row. - Precondition: one cell per column.
    public mutating func append(_ row: [String]) {
        precondition(row.count == columns.count,
                     "MarkdownTable: row has \(row.count) cells but the table has \(columns.count) columns")
        rows.append(row)
    }

    /// GitHub-flavoured markdown, cells padded so the source lines up, each line ending in "\n".
    ///
    /// `|` in a cell is escaped as `\|`; line breaks in a cell become spaces.
    public func markdown() -> String {
        let header = columns.map { Self.markdownCell($0.title) }
        let body = rows.map { $0.map(Self.markdownCell) }
        let widths = columnWidths(header: header, body: body, minimum: 3)
        func render(_ cells: [String]) -> String {
            "| " + zip(cells, zip(widths, columns)).map { Self.pad($0, to: $1.0, $1.1.alignment) }.joined(separator: " | ") + " |\n"
        }
        let rule = zip(widths, columns).map { width, column -> String in
            switch column.alignment {
            case .left: return ":" + String(repeating: "-", count: width - 1)
            case .right: return String(repeating: "-", count: width - 1) + ":"
            case .center: return ":" + String(repeating: "-", count: width - 2) + ":"
            }
        }
        return render(header) + "| " + rule.joined(separator: " | ") + " |\n" + body.map(render).joined()
    }

    /// Plain text: columns separated by two spaces, titles underlined with dashes, no trailing
    /// spaces; each line ends in "\n". Line breaks in a cell become spaces.
    public func plainText() -> String {
        let header = columns.map { Self.singleLine($0.title) }
        let body = rows.map { $0.map(Self.singleLine) }
        let widths = columnWidths(header: header, body: body, minimum: 1)
        func render(_ cells: [String]) -> String {
            let text = zip(cells, zip(widths, columns)).map { Self.pad($0, to: $1.0, $1.1.alignment) }.joined(separator: "  ")
            return String(text.reversed().drop(while: { $0 == " " }).reversed()) + "\n"
        }
        let underline = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        return render(header) + underline + body.map(render).joined()
    }

    private func columnWidths(header: [String], body: [[String]], minimum: Int) -> [Int] {
        var widths = header.map { max($0.count, minimum) }
        for row in body {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        return widths
    }

    private static func pad(_ text: String, to width: Int, _ alignment: Alignment) -> String {
        let gap = max(0, width - text.count)
        switch alignment {
        case .left: return text + String(repeating: " ", count: gap)
        case .right: return String(repeating: " ", count: gap) + text
        case .center:
            let before = gap / 2
            return String(repeating: " ", count: before) + text + String(repeating: " ", count: gap - before)
        }
    }

    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    private static func markdownCell(_ text: String) -> String {
        singleLine(text).replacingOccurrences(of: "|", with: "\\|")
    }
}
