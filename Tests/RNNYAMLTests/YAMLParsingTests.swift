// Parsing: structure, marks, anchors/aliases, merge keys and core-schema scalar resolution.
import RNNTestSupport
import XCTest
@testable import RNNYAML

final class YAMLParsingTests: XCTestCase {
    private func parse(_ text: String, file: String = "exp.yaml") throws -> YAMLNode {
        try YAMLDocument.parse(text, file: file)
    }

    func testMappingKeepsDocumentOrderAndNesting() throws {
        let root = try parse("""
        model:
          cell: elman
          hidden_size: 64
        training:
          lr: 0.5
          epochs: 3
        """)
        XCTAssertEqual(root.mapping?.map(\.key), ["model", "training"])
        XCTAssertEqual(root["model"]?.mapping?.map(\.key), ["cell", "hidden_size"])
        XCTAssertEqual(root["model"]?["cell"]?.string, "elman")
        XCTAssertEqual(root["model"]?["hidden_size"]?.int, 64)
        XCTAssertEqual(root["training"]?["lr"]?.double, 0.5)
    }

    func testMarksOfNestedValuesAndKeys() throws {
        let root = try parse("""
        # comment
        model:
          layers:
            - size: 16
              name: "first"
            - [1, 2]
        """)
        let layers = try XCTUnwrap(root["model"]?["layers"])
        XCTAssertEqual(layers.mark, SourceMark(file: "exp.yaml", line: 4, column: 5))
        let first = try XCTUnwrap(layers.sequence?.first)
        XCTAssertEqual(first.mark.description, "exp.yaml:4:7")
        XCTAssertEqual(first["size"]?.mark.description, "exp.yaml:4:13")
        XCTAssertEqual(first["name"]?.mark.description, "exp.yaml:5:13")
        XCTAssertEqual(first.mapping?[1].keyMark.description, "exp.yaml:5:7")
        XCTAssertEqual(layers.sequence?[1].sequence?[1].mark.description, "exp.yaml:6:11")
        XCTAssertEqual(root.mapping?[0].keyMark.description, "exp.yaml:2:1")
    }

    func testColumnsCountCharactersNotBytes() throws {
        let root = try parse("ключ: значение\nb: 1\n")
        XCTAssertEqual(root["ключ"]?.mark.column, 7)
        XCTAssertEqual(root["ключ"]?.string, "значение")
    }

    func testAnchorsAndAliases() throws {
        let root = try parse("""
        base: &b
          lr: 0.1
          sizes: &s [1, 2]
        copy: *b
        sizes_again: *s
        name: &n hello
        greeting: *n
        """)
        XCTAssertEqual(root["copy"], root["base"])
        XCTAssertEqual(root["copy"]?["lr"]?.double, 0.1)
        XCTAssertEqual(root["sizes_again"]?.sequence?.compactMap(\.int), [1, 2])
        XCTAssertEqual(root["greeting"]?.string, "hello")
        // The aliased node is marked where the alias is used; its insides where they are written.
        XCTAssertEqual(root["copy"]?.mark.description, "exp.yaml:4:7")
        XCTAssertEqual(root["copy"]?["lr"]?.mark.description, "exp.yaml:2:7")
    }

    func testMergeKeyExplicitKeysWinAndMergedKeysTakeThePlaceOfTheMergeKey() throws {
        let root = try parse("""
        defaults: &d
          lr: 0.1
          epochs: 3
          clip: 5
        run:
          name: a
          <<: *d
          lr: 0.5
        """)
        let run = try XCTUnwrap(root["run"])
        XCTAssertEqual(run.mapping?.map(\.key), ["name", "epochs", "clip", "lr"])
        XCTAssertEqual(run["lr"]?.double, 0.5)
        XCTAssertEqual(run["epochs"]?.int, 3)
    }

    func testMergeOfASequenceEarlierMappingsWin() throws {
        let root = try parse("""
        a: &a {x: 1, y: 1}
        b: &b {y: 2, z: 2}
        c:
          <<: [*a, *b]
          z: 3
        """)
        let c = try XCTUnwrap(root["c"])
        XCTAssertEqual(c.mapping?.map(\.key), ["x", "y", "z"])
        XCTAssertEqual(c["y"]?.int, 1)
        XCTAssertEqual(c["z"]?.int, 3)
    }

    func testQuotedMergeKeyIsAnOrdinaryKey() throws {
        let root = try parse("\"<<\": 1\n")
        XCTAssertEqual(root["<<"]?.int, 1)
    }

    func testMergeOfANonMappingIsAnError() {
        XCTAssertThrowsError(try parse("a:\n  <<: 5\n")) { error in
            XCTAssertEqual("\(error)", "exp.yaml:2:7: the value of a '<<' merge key must be a mapping or a sequence of mappings, not 5.")
        }
        XCTAssertThrowsError(try parse("m: &m {a: 1}\nb:\n  <<: [*m, text]\n")) { error in
            XCTAssertEqual("\(error)", "exp.yaml:3:12: the value of a '<<' merge key must be a mapping or a sequence of mappings, not \"text\".")
        }
    }

    func testUnknownAliasIsAnError() {
        XCTAssertThrowsError(try parse("a: *nope\n")) { error in
            XCTAssertEqual("\(error)", "exp.yaml:1:4: the alias *nope refers to an anchor &nope that is not defined before it.")
        }
    }

    func testNonStringKeysAreTheirText() throws {
        let root = try parse("1: one\ntrue: yes\n0x10: hex\nnull: n\n")
        XCTAssertEqual(root.mapping?.map(\.key), ["1", "true", "0x10", "null"])
        XCTAssertEqual(root["true"]?.string, "yes")
    }

    func testCollectionKeyIsAnError() {
        XCTAssertThrowsError(try parse("? [a, b]\n: c\n")) { error in
            XCTAssertEqual("\(error)", "exp.yaml:1:3: a mapping key must be a single value, not a sequence or mapping.")
        }
    }

    func testCoreSchemaResolutionOfPlainScalars() throws {
        let root = try parse("""
        n1: ~
        n2: null
        n3:
        n4: NULL
        b1: true
        b2: FALSE
        b3: True
        i1: 42
        i2: -7
        i3: +3
        i4: 0x1F
        i5: 0o17
        f1: 1e-3
        f2: .inf
        f3: -.inf
        f4: .nan
        f5: 2.5
        f6: .5
        f7: 1.
        s1: yes
        s2: "42"
        s3: '1e-3'
        s4: 0x
        s5: 1_000
        s6: nULL
        """)
        for key in ["n1", "n2", "n3", "n4"] { XCTAssertTrue(root[key]!.isNull, key) }
        XCTAssertEqual(root["b1"]?.bool, true)
        XCTAssertEqual(root["b2"]?.bool, false)
        XCTAssertEqual(root["b3"]?.bool, true)
        XCTAssertEqual(root["i1"]?.int, 42)
        XCTAssertEqual(root["i2"]?.int, -7)
        XCTAssertEqual(root["i3"]?.int, 3)
        XCTAssertEqual(root["i4"]?.int, 31)
        XCTAssertEqual(root["i5"]?.int, 15)
        XCTAssertEqual(root["i1"]?.double, 42)
        XCTAssertEqual(root["f1"]?.double, 0.001)
        XCTAssertNil(root["f1"]?.int)
        XCTAssertEqual(root["f2"]?.double, .infinity)
        XCTAssertEqual(root["f3"]?.double, -.infinity)
        XCTAssertTrue(root["f4"]!.double!.isNaN)
        XCTAssertEqual(root["f5"]?.double, 2.5)
        XCTAssertEqual(root["f6"]?.double, 0.5)
        XCTAssertEqual(root["f7"]?.double, 1.0)
        XCTAssertEqual(root["s1"]?.string, "yes")
        XCTAssertEqual(root["s2"]?.string, "42")
        XCTAssertNil(root["s2"]?.int)
        XCTAssertEqual(root["s3"]?.string, "1e-3")
        XCTAssertEqual(root["s4"]?.string, "0x")
        XCTAssertEqual(root["s5"]?.string, "1_000")
        XCTAssertEqual(root["s6"]?.string, "nULL")
    }

    func testHugeIntegerResolvesWithoutTrapping() throws {
        let root = try parse("a: 123456789012345678901234567890\nb: 0xFFFFFFFFFFFFFFFFFF\nc: -9223372036854775808\n")
        XCTAssertNil(root["a"]?.int)
        XCTAssertEqual(root["a"]?.resolvedScalar, .oversizedInt("123456789012345678901234567890"))
        XCTAssertEqual(root["a"]?.double, 1.2345678901234568e29)
        XCTAssertEqual(root["b"]?.double, 4722366482869645213695.0)
        XCTAssertEqual(root["c"]?.int, Int.min)
    }

    func testQuotedAndBlockScalarsAreStrings() throws {
        let root = try parse("a: 'true'\nb: \"null\"\nc: |\n  12\nd: !!str 5\ne: ! 6\n")
        XCTAssertEqual(root["a"]?.string, "true")
        XCTAssertEqual(root["b"]?.string, "null")
        XCTAssertEqual(root["c"]?.string, "12\n")
        XCTAssertEqual(root["d"]?.string, "5")
        XCTAssertEqual(root["e"]?.string, "6")
    }

    func testUnsupportedTagIsAnError() {
        XCTAssertThrowsError(try parse("a: !!float 1\n")) { error in
            XCTAssertEqual("\(error)", "exp.yaml:1:4: the tag !!float is not supported; write the value without a tag (or use !!str for text).")
        }
    }

    func testEmptyAndCommentOnlyDocumentsAreNullAtTheStart() throws {
        for text in ["", "# nothing here\n", "\n\n"] {
            let node = try parse(text)
            XCTAssertTrue(node.isNull, text)
            XCTAssertEqual(node.mark.line, 1, text)
            XCTAssertEqual(node.mark.column, 1, text)
        }
        XCTAssertTrue(try parse("---\n").isNull)
    }

    func testBytesDataAndStringAgree() throws {
        let text = "a: [1, 2]\n"
        let fromString = try YAMLDocument.parse(text, file: "x")
        XCTAssertEqual(try YAMLDocument.parse(Array(text.utf8), file: "x"), fromString)
        XCTAssertEqual(try YAMLDocument.parse(Data(text.utf8), file: "x"), fromString)
    }

    func testLoadReadsAFileAndUsesThePathAsDisplayName() throws {
        let scratch = ScratchFolder("yaml")
        defer { scratch.remove() }
        let path = scratch.path + "/exp.yaml"
        try "a:\n  b: oops\n".write(toFile: path, atomically: true, encoding: .utf8)
        let root = try YAMLDocument.load(path: path)
        XCTAssertEqual(root["a"]?["b"]?.mark.description, "\(path):2:6")
        XCTAssertEqual(try YAMLDocument.load(path: path, displayName: "exp.yaml")["a"]?.mark.file, "exp.yaml")
    }

    func testStructuralEqualityIgnoresMarksAndSpelling() throws {
        XCTAssertEqual(try parse("a: 0x10\nb: abc\n"), try parse("a: 16\nb: 'abc'\n", file: "other.yaml"))
        XCTAssertNotEqual(try parse("a: '1'\n"), try parse("a: 1\n"))
        XCTAssertNotEqual(try parse("a: 1\nb: 2\n"), try parse("b: 2\na: 1\n"))
        XCTAssertEqual(try parse("a: .nan\n"), try parse("a: .NaN\n"))
    }

    func testBuilderMakesOrderedNodes() {
        let node: YAMLNode = ["b": 1, "a": [1.5, "x", true, nil]]
        XCTAssertEqual(node.mapping?.map(\.key), ["b", "a"])
        XCTAssertEqual(node["a"]?.sequence?[0].double, 1.5)
        XCTAssertEqual(node["a"]?.sequence?[1].string, "x")
        XCTAssertEqual(YAMLNode(["z": 1, "y": 2]).mapping?.map(\.key), ["z", "y"])
        XCTAssertEqual(YAMLNode(pairs: [("k", YAMLNode("1"))])["k"]?.string, "1")
        XCTAssertEqual(YAMLNode(1.0).scalarText, "1.0")
    }
}
