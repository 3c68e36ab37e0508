// CSVReader: parses the CSV that CSVWriter writes (RFC 4180: quoted fields with embedded commas,
// doubled quotes and line breaks; LF or CRLF line ends) into a header and rows of strings.
// A run killed mid-write leaves an unfinished last line: it is ignored and reported, not an error.
// It will not convert field types or guess delimiters.

import Foundation

/// A parsed CSV file.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]
    /// True when the text did not end with a line break, so its unfinished last line (for
    /// example from a run killed mid-write) was ignored.
    public var droppedIncompleteLastLine: Bool

    public init(header: [String], rows: [[String]], droppedIncompleteLastLine: Bool = false) {
        self.header = header
        self.rows = rows
        self.droppedIncompleteLastLine = droppedIncompleteLastLine
    }

    /// The position of the column named `name`, if there is one.
    public func columnIndex(_ name: String) -> Int? {
        header.firstIndex(of: name)
    }
}

/// Why a CSV file could not be read; each renders as one sentence naming the file.
public enum CSVReadError: Error, Equatable, CustomStringConvertible {
    case unreadable(source: String, reason: String)
    case noHeader(source: String)
    case wrongFieldCount(source: String, line: Int, found: Int, expected: Int)
    case badQuote(source: String, line: Int)

    public var description: String {
        switch self {
        case let .unreadable(source, reason):
            return "\(source): cannot be read (\(reason))."
        case let .noHeader(source):
            return "\(source): has no complete header line; a CSV file must start with a line of column names."
        case let .wrongFieldCount(source, line, found, expected):
            return "\(source): line \(line) has \(found) field\(found == 1 ? "" : "s"), but the header has \(expected)."
        case let .badQuote(source, line):
            return "\(source): line \(line) has a stray double quote; inside a field a quote must be doubled and the field wrapped in quotes."
        }
    }
}

/// Reads CSV text.
public enum CSVReader {
    /// Reads and parses the file at `url` (UTF-8). See `parse(_:source:)`.
    public static func read(contentsOf url: URL) throws(CSVReadError) -> CSVTable {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(source: url.path, reason: (error as NSError).localizedDescription)
        }
        return try parse(String(decoding: data, as: UTF8.self), source: url.path)
    }

    /// Parses CSV text; `source` names it in errors (a file path, or a description).
    ///
    /// The first record is the header; every other record must have as many fields. Blank lines
    /// are skipped. If the text does not end with a line break, the last record is unfinished
    /// (even if its quotes are open) and is dropped, with `droppedIncompleteLastLine` set.
    /// - Throws: `CSVReadError` for no header, a record of the wrong width, or a stray quote.
    public static func parse(_ text: String, source: String = "CSV text") throws(CSVReadError) -> CSVTable {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quotedFieldClosed = false   // just after the closing quote of a quoted field
        var recordHasBytes = false
        var line = 1, recordLine = 1

        let bytes = Array(text.utf8)
        // A UTF-8 byte order mark (as some spreadsheet programs write) is not part of the header.
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quotedFieldClosed = false
        }
        func endRecord() {
            if recordHasBytes {
                endField()
                records.append((recordLine, fields))
            }
            fields = []
            field.removeAll(keepingCapacity: true)
            quotedFieldClosed = false
            recordHasBytes = false
        }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote {
                        field.append(quote)
                        i += 2
                        continue
                    }
                    inQuotes = false
                    quotedFieldClosed = true
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case comma:
                recordHasBytes = true
                endField()
            case lf, cr:
                if b == cr, i + 1 < bytes.count, bytes[i + 1] == lf { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            case quote:
                guard field.isEmpty, !quotedFieldClosed else { throw .badQuote(source: source, line: line) }
                inQuotes = true
                recordHasBytes = true
            default:
                if quotedFieldClosed { throw .badQuote(source: source, line: line) }
                field.append(b)
                recordHasBytes = true
            }
            i += 1
        }
        let dropped = recordHasBytes

        guard let header = records.first?.fields else { throw .noHeader(source: source) }
        var rows: [[String]] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            guard record.fields.count == header.count else {
                throw .wrongFieldCount(source: source, line: record.line, found: record.fields.count, expected: header.count)
            }
            rows.append(record.fields)
        }
        return CSVTable(header: header, rows: rows, droppedIncompleteLastLine: dropped)
    }
}
