// Errors from reading YAML: exact texts for syntax mistakes, bad encodings, duplicate keys, several
// documents, and hostile input (depth and alias bombs, oversized files), which must fail fast.
import RNNTestSupport
import XCTest
@testable import RNNYAML

final class YAMLErrorTests: XCTestCase {
    /// The description of the YAMLError that parsing `text` throws.
    private func error(_ text: String, file: String = "exp.yaml", limits: YAMLDocument.Limits = .default) -> String? {
        error(Array(text.utf8), file: file, limits: limits)
    }

    private func error(_ bytes: [UInt8], file: String = "exp.yaml", limits: YAMLDocument.Limits = .default) -> String? {
        do {
            _ = try YAMLDocument.parse(bytes, file: file, limits: limits)
            return nil
        } catch {
            return error.description
        }
    }

    func testTabIndentationSaysSo() {
        XCTAssertEqual(error("model:\n\thidden_size: 4\n"),
                       "exp.yaml:2:1: a tab character is used for indentation here; YAML indentation must use spaces.")
        XCTAssertEqual(error("model:\n  a: 1\n\tb: 2\n"),
                       "exp.yaml:3:1: a tab character is used for indentation here; YAML indentation must use spaces.")
    }

    func testMisalignedKey() {
        XCTAssertEqual(error("model:\n  cell: elman\n hidden_size: 4\n"),
                       "exp.yaml:3:2: expected a key aligned with the other keys of the mapping that starts on line 1; check the indentation of this line.")
    }

    func testColonInsidePlainValue() {
        XCTAssertEqual(error("name: a: b\n"),
                       "exp.yaml:1:8: a ':' followed by a space is not allowed here; quote the value if it contains ': ', or fix the indentation.")
    }

    func testUnclosedQuoteAndFlowSequence() {
        XCTAssertEqual(error("a: 1\nb: \"open\nc: 2\n"),
                       "exp.yaml:4:1: the quoted string that starts on line 2 is never closed.")
        XCTAssertEqual(error("sizes: [1, 2\nnext: 1\n"),
                       "exp.yaml:2:5: the '[' sequence that starts on line 1 is missing a ',' between items or its closing ']'.")
    }

    func testReservedCharacter() {
        XCTAssertEqual(error("a: @home\n"),
                       "exp.yaml:1:4: '@' is reserved in YAML and cannot start a value; put the value in quotes.")
    }

    func testDuplicateKeyNamesBothLines() {
        XCTAssertEqual(error("training:\n  lr: 0.1\n  epochs: 2\n  lr: 0.2\n"),
                       "exp.yaml:4:3: duplicate key \"lr\" on line 4; it is already defined on line 2 of the same mapping.")
    }

    func testSameKeyInDifferentMappingsIsFine() {
        XCTAssertNil(error("a:\n  x: 1\nb:\n  x: 2\n"))
    }

    func testNonUTF8BytesArePinpointed() {
        // "café" in Latin-1 on line 2.
        let bytes: [UInt8] = Array("a: 1\nname: caf".utf8) + [0xE9] + Array("\n".utf8)
        XCTAssertEqual(error(bytes),
                       "exp.yaml:2:10: the text is not valid UTF-8 (byte 0xE9 does not start a valid character here); save the file as UTF-8.")
        XCTAssertEqual(error([0xFF, 0xFE, 0x61, 0x00]),
                       "exp.yaml:1:1: the text is not valid UTF-8 (byte 0xFF does not start a valid character here); save the file as UTF-8.")
        // A truncated multi-byte character at the very end.
        XCTAssertEqual(error(Array("é: x\nb: ".utf8) + [0xE2, 0x82]),
                       "exp.yaml:2:4: the text is not valid UTF-8 (byte 0xE2 does not start a valid character here); save the file as UTF-8.")
    }

    func testControlCharacterIsReported() {
        XCTAssertEqual(error("a: 1\nb: x\u{07}y\n"),
                       "exp.yaml:2:5: the control character U+0007 is not allowed in YAML text; remove it.")
    }

    func testSecondDocumentIsAnError() {
        XCTAssertEqual(error("a: 1\n---\nb: 2\n"),
                       "exp.yaml:2:1: a second YAML document starts here, but a config file must hold exactly one; remove the extra '---'.")
    }

    func testDepthBombFailsFast() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertEqual(error(deep),
                       "exp.yaml:1:65: the structure is nested more than 64 levels deep, which no config needs; flatten it.")
        // 64 levels are fine.
        XCTAssertNil(error(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
        var block = ""
        for level in 0..<70 { block += String(repeating: " ", count: level) + "k:\n" }
        XCTAssertEqual(error(block),
                       "exp.yaml:65:65: the structure is nested more than 64 levels deep, which no config needs; flatten it.")
    }

    func testBillionLaughsFailsFast() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        let start = Date()
        XCTAssertEqual(error(text),
                       "exp.yaml:5:45: aliases expand to more than 100000 nodes, which looks like an alias bomb (\"billion laughs\"); refusing to expand them.")
        XCTAssertLessThan(Date().timeIntervalSince(start), 2.0)
    }

    func testOrdinaryAliasUseIsWellUnderTheLimit() {
        XCTAssertNil(error("d: &d {lr: 0.1, epochs: 3}\nruns: [*d, *d, *d, *d]\n"))
    }

    func testFileSizeCap() {
        let big = "a: \"" + String(repeating: "x", count: 1 << 20) + "\"\n"
        XCTAssertEqual(error(big),
                       "exp.yaml: the file is larger than the 1 MiB limit for YAML configs (1048582 bytes).")
        XCTAssertEqual(error("a: 1\n", limits: YAMLDocument.Limits(maxBytes: 3)),
                       "exp.yaml: the file is larger than the 3-byte limit for YAML configs (5 bytes).")
    }

    func testMissingFileAndDirectory() {
        XCTAssertThrowsError(try YAMLDocument.load(path: "/nonexistent/rnnlab/exp.yaml")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/rnnlab/exp.yaml: the file does not exist.")
        }
        XCTAssertThrowsError(try YAMLDocument.load(path: "/tmp", displayName: "tmp")) { error in
            XCTAssertEqual("\(error)", "tmp: this is a directory, not a YAML file.")
        }
    }

    func testErrorCarriesFileLineAndColumn() throws {
        do {
            _ = try YAMLDocument.parse("a:\n\tb: 1\n", file: "exp.yaml")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.file, "exp.yaml")
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.column, 1)
            XCTAssertTrue(error.message.hasSuffix("."))
        }
    }

    /// Random and mutated inputs must produce a node or a YAMLError — never a crash.
    func testFuzzedInputNeverCrashes() {
        var rng = SeededGenerator(seed: 42)
        let seeds = ["a: [1, {b: &x 2}]\nc: *x\n", "- a\n- b: |\n    text\n", "k: \"\\u00e9\"\n<<: {z: 1}\n"]
        let alphabet = Array("ab:-[]{},&*!|>'\"#%@`\t\n ?<=~.0x1".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        for round in 0..<3000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<Int(rng.next() % 6) {
                let position = Int(rng.next() % UInt64(bytes.count + 1))
                let byte = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                if rng.next() % 2 == 0, position < bytes.count { bytes[position] = byte } else { bytes.insert(byte, at: position) }
            }
            do {
                let node = try YAMLDocument.parse(bytes, file: "fuzz")
                _ = node.emit()
            } catch {
                XCTAssertFalse(error.message.isEmpty)
                XCTAssertGreaterThanOrEqual(error.line, 1)
            }
        }
    }
}
