// Tests for MarkdownTable: exact GitHub markdown and plain-text renderings with alignments.

import XCTest
@testable import RNNRendering

final class MarkdownTableTests: XCTestCase {
    private func table() -> MarkdownTable {
        var t = MarkdownTable(columns: [.init("model"), .init("ppl", alignment: .right), .init("note", alignment: .center)])
        t.append(["tied", "142.31", "ok"])
        t.append(["untied", "1.5", "a|b"])
        return t
    }

    func testMarkdown() {
        XCTAssertEqual(table().markdown(), """
            | model  |    ppl | note |
            | :----- | -----: | :--: |
            | tied   | 142.31 |  ok  |
            | untied |    1.5 | a\\|b |

            """)
    }

    func testPlainText() {
        XCTAssertEqual(table().plainText(), """
            model      ppl  note
            ------  ------  ----
            tied    142.31   ok
            untied     1.5  a|b

            """)
    }

    func testNarrowColumnsAndLineBreaks() {
        var t = MarkdownTable(columns: [.init("a", alignment: .center), .init("b")])
        t.append(["x\ny", "z"])
        XCTAssertEqual(t.markdown(), "|  a  | b   |\n| :-: | :-- |\n| x y | z   |\n")
        XCTAssertEqual(t.plainText(), " a   b\n---  -\nx y  z\n")
    }

    func testEmptyTableHasHeaderOnly() {
        let t = MarkdownTable(columns: [.init("only", alignment: .right)])
        XCTAssertEqual(t.markdown(), "| only |\n| ---: |\n")
        XCTAssertEqual(t.plainText(), "only\n----\n")
    }
}
