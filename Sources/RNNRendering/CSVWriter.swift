// CSVWriter: RFC 4180 CSV text — a header, then rows of the same width — with the fixed number
// spellings of NumberFormat. Lines end in "\n" (RFC 4180 says CRLF; every reader we care about,
// CSVReader included, accepts LF, and LF keeps files diff-friendly on Unix).
// It will not write files: callers append `line(_:)` output or write `text` themselves.

import Foundation

/// Builds CSV text: a header and rows, each field quoted only when it must be.
public struct CSVWriter: Sendable, Equatable {
    public let header: [String]
    public private(set) var rows: [[String]] = []

    /// - Precondition: the header has at least one column.
    public init(header: [String]) {
        precondition(!header.isEmpty, "CSVWriter: the header needs at least one column")
        self.header = header
    }

    /// Adds a row. - Precondition: it has as many fields as the header.
    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count,
                     "CSVWriter: row has \(row.count) fields but the header \(header) has \(header.count)")
        rows.append(row)
    }

    /// The whole table: header line, then one line per row, each ending in "\n".
    public var text: String {
        ([header] + rows).map(Self.line).joined()
    }

    /// One CSV record ending in "\n" — for appending rows to a file as they are produced.
    ///
    /// A record of one empty field is written `""`, so it cannot be mistaken for a blank line.
    public static func line(_ fields: [String]) -> String {
        if fields.count == 1 && fields[0].isEmpty { return "\"\"\n" }
        return fields.map(quoted).joined(separator: ",") + "\n"
    }

    /// A field as RFC 4180 wants it: wrapped in double quotes (with inner quotes doubled) when it
    /// contains a comma, quote, CR or LF, or begins or ends with a space; otherwise unchanged.
    public static func quoted(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || field.hasPrefix(" ") || field.hasSuffix(" ")
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
