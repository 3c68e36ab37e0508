// Tests for CSVWriter and CSVReader: RFC 4180 quoting, round trips of awkward fields, number
// formatting, a truncated last line from a killed run, and the exact error sentences.

import XCTest
@testable import RNNRendering

final class CSVTests: XCTestCase {
    func testQuotingOnlyWhenNeeded() {
        XCTAssertEqual(CSVWriter.quoted("plain"), "plain")
        XCTAssertEqual(CSVWriter.quoted(""), "")
        XCTAssertEqual(CSVWriter.quoted("a,b"), "\"a,b\"")
        XCTAssertEqual(CSVWriter.quoted("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(CSVWriter.quoted("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(CSVWriter.quoted("cr\r\nlf"), "\"cr\r\nlf\"")
        XCTAssertEqual(CSVWriter.quoted(" padded"), "\" padded\"")
    }

    func testWriterText() {
        var w = CSVWriter(header: ["step", "loss", "note"])
        w.append(["1", NumberFormat.fixed(5.123456, decimals: 4), "warm, up"])
        w.append(["2", NumberFormat.shortest(0.1), ""])
        XCTAssertEqual(w.text, "step,loss,note\n1,5.1235,\"warm, up\"\n2,0.1,\n")
        XCTAssertEqual(CSVWriter.line([""]), "\"\"\n")
    }

    func testRoundTripOfAwkwardFields() throws {
        let header = ["name", "value", "comment"]
        let rows = [
            ["tied, 256", "1.5", "he said \"ok\""],
            ["multi\nline", "", "crlf\r\ninside"],
            ["ünïcödé ✓", "-0.0", "\"\""],
            ["", "", ""],
            ["trailing ", " leading", ","],
        ]
        var w = CSVWriter(header: header)
        for r in rows { w.append(r) }
        let table = try CSVReader.parse(w.text, source: "t.csv")
        XCTAssertEqual(table.header, header)
        XCTAssertEqual(table.rows, rows)
        XCTAssertFalse(table.droppedIncompleteLastLine)
        XCTAssertEqual(table.columnIndex("comment"), 2)
    }

    func testSingleColumnWithEmptyValueRoundTrips() throws {
        var w = CSVWriter(header: ["x"])
        w.append([""])
        w.append(["1"])
        XCTAssertEqual(try CSVReader.parse(w.text).rows, [[""], ["1"]])
    }

    func testNumbersRoundTripThroughShortest() throws {
        let values: [Double] = [0.1, 1.0 / 3.0, 1e-300, 123456789.125, -2.5e-8]
        var w = CSVWriter(header: ["v"])
        for v in values { w.append([NumberFormat.shortest(v)]) }
        let read = try CSVReader.parse(w.text).rows.map { Double($0[0]) }
        XCTAssertEqual(read, values)
    }

    func testTruncatedLastLineIsDroppedAndReported() throws {
        let complete = "step,loss\n1,5.0\n2,4.5\n"
        let table = try CSVReader.parse(complete + "3,4.", source: "metrics.csv")
        XCTAssertEqual(table.rows, [["1", "5.0"], ["2", "4.5"]])
        XCTAssertTrue(table.droppedIncompleteLastLine)

        // Cut inside an open quoted field that already spans a line break.
        let open = try CSVReader.parse(complete + "3,\"half\nway", source: "metrics.csv")
        XCTAssertEqual(open.rows.count, 2)
        XCTAssertTrue(open.droppedIncompleteLastLine)

        // A complete file reports nothing dropped.
        XCTAssertFalse(try CSVReader.parse(complete).droppedIncompleteLastLine)
    }

    func testCRLFBlankLinesAndByteOrderMark() throws {
        let table = try CSVReader.parse("\u{FEFF}a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n")
        XCTAssertEqual(table.header, ["a", "b"])
        XCTAssertEqual(table.rows, [["1", "2"], ["3", "x\r\ny"]])
    }

    func testErrorsAreOneSentenceNamingTheFile() {
        XCTAssertThrowsError(try CSVReader.parse("a,b\n1,2\n3\n", source: "runs/x/metrics.csv")) { error in
            XCTAssertEqual("\(error)", "runs/x/metrics.csv: line 3 has 1 field, but the header has 2.")
        }
        XCTAssertThrowsError(try CSVReader.parse("a,b\n\"q\"x,2\n", source: "e.csv")) { error in
            XCTAssertEqual(error as? CSVReadError, .badQuote(source: "e.csv", line: 2))
        }
        XCTAssertThrowsError(try CSVReader.parse("a,b\n1,x\"y\n", source: "e.csv")) { error in
            XCTAssertEqual(error as? CSVReadError, .badQuote(source: "e.csv", line: 2))
        }
        XCTAssertThrowsError(try CSVReader.parse("", source: "empty.csv")) { error in
            XCTAssertEqual("\(error)", "empty.csv: has no complete header line; a CSV file must start with a line of column names.")
        }
        XCTAssertThrowsError(try CSVReader.parse("step,lo", source: "cut.csv")) { error in
            XCTAssertEqual(error as? CSVReadError, .noHeader(source: "cut.csv"))
        }
    }

    func testLineNumbersCountEmbeddedLineBreaks() {
        XCTAssertThrowsError(try CSVReader.parse("a,b\n\"x\ny\",1\n2\n", source: "f.csv")) { error in
            XCTAssertEqual(error as? CSVReadError, .wrongFieldCount(source: "f.csv", line: 4, found: 1, expected: 2))
        }
    }

    func testReadFromFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csvtests-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try CSVWriter.line(["a", "b"]).appending(CSVWriter.line(["1", "x,y"])).write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CSVReader.read(contentsOf: url).rows, [["1", "x,y"]])

        let missing = url.appendingPathExtension("missing")
        XCTAssertThrowsError(try CSVReader.read(contentsOf: missing)) { error in
            guard case .unreadable(let source, _)? = error as? CSVReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(source, missing.path)
        }
    }
}
