// Emitting: the exact block layout, quoting of tricky strings, float round trips, and
// parse(emit(x)) == x for parsed and built documents.
import RNNTestSupport
import XCTest
@testable import RNNYAML

final class YAMLEmitterTests: XCTestCase {
    private func roundTrip(_ node: YAMLNode, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = node.emit()
        let back = try YAMLDocument.parse(text, file: "emitted")
        XCTAssertEqual(back, node, "emitted:\n\(text)", file: file, line: line)
        XCTAssertEqual(back.emit(), text, "emitting is not stable", file: file, line: line)
    }

    func testBlockLayout() {
        let node: YAMLNode = [
            "model": ["cell": "elman", "hidden_size": 64, "layers": [16, 32]],
            "runs": [["name": "a", "lr": 0.5], ["name": "b", "lr": 1e-3]],
            "grid": [[1, 2], [3]],
            "empty_list": [],
            "empty_map": YAMLNode(pairs: []),
            "nothing": nil,
            "flag": false,
        ]
        XCTAssertEqual(node.emit(), """
        model:
          cell: elman
          hidden_size: 64
          layers:
            - 16
            - 32
        runs:
          - name: a
            lr: 0.5
          - name: b
            lr: 0.001
        grid:
          - - 1
            - 2
          - - 3
        empty_list: []
        empty_map: {}
        nothing: null
        flag: false

        """)
    }

    func testTopLevelScalarsAndEmptyCollections() {
        XCTAssertEqual(YAMLNode(3).emit(), "3\n")
        XCTAssertEqual(YAMLNode.null().emit(), "null\n")
        XCTAssertEqual(YAMLNode([YAMLNode]()).emit(), "[]\n")
        XCTAssertEqual(YAMLNode("yes").emit(), "\"yes\"\n")
    }

    func testTrickyStringsAreQuotedOnlyWhenNeeded() throws {
        let expectations: [(String, String)] = [
            ("plain", "plain"),
            ("two words", "two words"),
            ("yes", "\"yes\""),
            ("No", "\"No\""),
            ("1.0", "\"1.0\""),
            ("42", "\"42\""),
            ("0x1F", "\"0x1F\""),
            ("null", "\"null\""),
            ("~", "\"~\""),
            ("true", "\"true\""),
            ("", "\"\""),
            ("a: b", "\"a: b\""),
            ("a:b", "a:b"),
            ("#x", "\"#x\""),
            ("a #x", "\"a #x\""),
            ("a#x", "a#x"),
            ("  leading", "\"  leading\""),
            ("trailing ", "\"trailing \""),
            ("- item", "\"- item\""),
            ("*star", "\"*star\""),
            ("line\nbreak", "\"line\\nbreak\""),
            ("tab\there", "\"tab\\there\""),
            ("quote\"back\\slash", "quote\"back\\slash"),
            ("\"starts quoted", "\"\\\"starts quoted\""),
            ("héllo wörld ✓", "héllo wörld ✓"),
            ("日本語", "日本語"),
            ("bell\u{07}", "\"bell\\a\""),
            ("\u{FEFF}bom", "\"\\uFEFFbom\""),
            (".inf", "\".inf\""),
            ("...", "\"...\""),
            ("2024-01-01", "\"2024-01-01\""),
            ("key:", "\"key:\""),
        ]
        for (value, emitted) in expectations {
            XCTAssertEqual(YAMLNode(["k": YAMLNode(value)]).emit(), "k: \(emitted)\n", value)
            try roundTrip(YAMLNode(["k": YAMLNode(value)]))
            try roundTrip(YAMLNode([YAMLNode(value)]))
        }
    }

    func testTrickyKeys() throws {
        let node = YAMLNode(pairs: [("<<", 1), ("a: b", 2), ("", 3), ("1", 4), ("null", 5), ("-", 6)])
        XCTAssertEqual(node.emit(), "\"<<\": 1\n\"a: b\": 2\n\"\": 3\n\"1\": 4\n\"null\": 5\n\"-\": 6\n")
        try roundTrip(node)
        let long = String(repeating: "k", count: 2000)
        try roundTrip(YAMLNode(pairs: [(long, ["x": 1])]))
        try roundTrip(YAMLNode(pairs: [(long, 1)]))
    }

    func testFloatsRoundTripExactly() throws {
        let values: [Double] = [0.1, 1.0, -0.0, 1e-3, 1e-8, 123456789.123, 1e300, .leastNonzeroMagnitude, .pi,
                                .greatestFiniteMagnitude, .infinity, -.infinity, .nan, 3]
        for v in values {
            let text = YAMLNode(v).emit()
            let back = try YAMLDocument.parse(text, file: "f").double
            if v.isNaN {
                XCTAssertTrue(back?.isNaN == true, text)
            } else {
                XCTAssertEqual(back, v, text)
                XCTAssertEqual(back?.sign, v.sign, text)
            }
            XCTAssertNil(try YAMLDocument.parse(text, file: "f").int, "a float must stay a float: \(text)")
        }
        XCTAssertEqual(YAMLNode(0.1).emit(), "0.1\n")
        XCTAssertEqual(YAMLNode(1.0).emit(), "1.0\n")
        XCTAssertEqual(YAMLNode(1e-8).emit(), "1e-08\n")
        XCTAssertEqual(YAMLNode(-Double.infinity).emit(), "-.inf\n")
    }

    func testParsedDocumentRoundTrips() throws {
        let text = """
        defaults: &d
          lr: 0.1
          sched: {kind: cosine, warmup: 0x10}
        runs:
          - <<: *d
            name: 'yes'
          - name: "multi\\nline"
            lr: 1e-3
            tags: [a, "b c", '#x', ~, "", 2.50]
        notes: |
          first
            indented
        unicode: "é\\u2028ü"
        """
        let node = try YAMLDocument.parse(text, file: "exp.yaml")
        try roundTrip(node)
    }

    func testPlainScalarsKeepTheirSpelling() throws {
        let node = try YAMLDocument.parse("a: 0x10\nb: 1e-3\nc: TRUE\nd: ~\n", file: "x")
        XCTAssertEqual(node.emit(), "a: 0x10\nb: 1e-3\nc: TRUE\nd: null\n")
    }

    /// Random strings full of indicators, escapes and odd code points survive as keys and values.
    func testRandomStringsRoundTrip() throws {
        var rng = SeededGenerator(seed: 9)
        let pool: [Unicode.Scalar] = Array("ab1.-:# ?&*!|>'\"%@`,[]{}~<=\\\t\n\r0xeE+_".unicodeScalars)
            + ["\u{0}", "\u{7}", "\u{85}", "\u{A0}", "\u{2028}", "\u{FEFF}", "\u{1F600}", "é", "\u{7F}", "\u{9F}", "\u{FFFE}"]
        for _ in 0..<2000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int(rng.next() % 7) { scalars.append(pool[Int(rng.next() % UInt64(pool.count))]) }
            let s = String(scalars)
            try roundTrip(YAMLNode(pairs: [(s, YAMLNode(s)), ("k", [YAMLNode(s), YAMLNode(pairs: [(s, 1)])])]))
        }
    }
}
