// Tests of the text people bring as it is: WikiText-shaped files, Windows line ends, characters
// of non-Latin scripts (and characters Swift would call equal), and one file split by fractions
// on line boundaries. Every corpus is made here; nothing is read from disk.

import RNNData
import XCTest

final class CorpusFormatTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    func words(_ ids: [Int32], _ v: Vocabulary) -> [String] { ids.map { v.tokens[Int($0)] } }

    /// The shape of WikiText-2's tokenised files: a blank line before and after each heading,
    /// ` = Title = ` and ` = = Section = = ` headings, `@-@` joins, and `<unk>` already there.
    static let wikiTrain = """
         
         = Valkyria Chronicles III = 
         
         Senjō no Valkyria 3 : <unk> Chronicles is a tactical role @-@ playing video game . 
         The game began development in 2010 . 
         
         = = Gameplay = = 
         
         As with previous <unk> Chronicles games , it is a tactical role @-@ playing game . 

        """
    static let wikiValid = """
         
         = Homarus gammarus = 
         
         Homarus gammarus is a large crustacean . 

        """

    func testWikiTextTrainsAsItIs() throws {
        let corpus = try CorpusBuilder.fromSplits(train: (bytes(Self.wikiTrain), "wiki.train.tokens"),
                                                  valid: (bytes(Self.wikiValid), "wiki.valid.tokens"),
                                                  test: (bytes(Self.wikiValid), "wiki.test.tokens"), level: .word)
        let v = corpus.vocabulary
        // The file's own <unk> is the unknown token: not added a second time, and unseen words map to it.
        XCTAssertEqual(v.tokens.filter { $0 == "<unk>" }.count, 1)
        XCTAssertEqual(v.unknownID, v.id("<unk>"))
        // Headings are ordinary words; each line ends in <eos>, a blank line (here " ") is a lone <eos>,
        // as in PyTorch's example: 9 lines, 9 <eos>.
        let train = words(corpus.train, v)
        XCTAssertEqual(Array(train.prefix(6)), ["<eos>", "=", "Valkyria", "Chronicles", "III", "="])
        XCTAssertEqual(train.filter { $0 == "<eos>" }.count, 9)
        XCTAssertEqual(train.count, 9 + 5 + 16 + 7 + 5 + 16)  // <eos>s and the words of each line
        XCTAssertTrue(train.contains("@-@"))
        XCTAssertTrue(train.contains("Senjō"))
        XCTAssertEqual(words(corpus.valid, v), ["<eos>", "=", "<unk>", "<unk>", "=", "<eos>", "<eos>",
                                                "<unk>", "<unk>", "is", "a", "<unk>", "<unk>", ".", "<eos>"])
        XCTAssertNoThrow(try CorpusBuilder.requireLength(corpus.train.count, name: "train", batchSize: 2, bptt: 20))
    }

    func testWindowsLineEndsCountAsLineEnds() throws {
        let unix = try tokenize(bytes("a b\n\nc\n"), level: .word, name: "u.txt")
        let windows = try tokenize(bytes("a b\r\n\r\nc\r\n"), level: .word, name: "w.txt")
        XCTAssertEqual(windows.map { String($0.token) }, ["a", "b", "<eos>", "<eos>", "c", "<eos>"])
        XCTAssertEqual(windows.map { String($0.token) }, unix.map { String($0.token) })
        XCTAssertEqual(windows.map(\.line), unix.map(\.line))
    }

    func testCharactersOfAnyScriptRoundTrip() throws {
        // Greek (with the Greek question mark U+037E, canonically equal to ";" in Swift), Japanese,
        // "é" both precomposed and as e + U+0301, and an emoji outside the BMP.
        let text = "Καλημέρα κόσμε; Τι κάνεις\u{37E}\n日本語のテキストです。\ncafé cafe\u{301} 🙂\n"
        let corpus = try CorpusBuilder.fromSplits(train: (bytes(text), "train"), valid: (bytes("κόσμε\n"), "valid"),
                                                  test: (bytes("日本\n"), "test"), level: .chars)
        let v = corpus.vocabulary
        XCTAssertEqual(v.count, Set(text.unicodeScalars.map(\.value)).count)
        XCTAssertEqual(v.tokens.map { $0.unicodeScalars.first!.value }, v.tokens.map { $0.unicodeScalars.first!.value }.sorted())
        XCTAssertNotEqual(v.id(";"), v.id("\u{37E}"))
        let back = corpus.train.map { v.tokens[Int($0)] }.joined()
        XCTAssertTrue(back.utf8.elementsEqual(text.utf8), "the characters did not come back byte for byte")
        XCTAssertEqual(corpus.train.count, text.unicodeScalars.count)
        XCTAssertEqual(corpus.test.map { v.tokens[Int($0)] }, ["日", "本", "\n"])
        // Built twice, the same ids (no dependence on hashing order).
        let again = try CorpusBuilder.fromSplits(train: (bytes(text), "train"), valid: (bytes("κόσμε\n"), "valid"),
                                                 test: (bytes("日本\n"), "test"), level: .chars)
        XCTAssertEqual(again.vocabulary, v)
        XCTAssertEqual(again.train, corpus.train)
    }

    func testWordsDifferingOnlyInNormalisationStayApart() throws {
        let corpus = try CorpusBuilder.fromSplits(train: (bytes("café cafe\u{301} café\n"), "train"),
                                                  valid: (bytes("café\n"), "valid"), test: (bytes("cafe\u{301}\n"), "test"), level: .word)
        XCTAssertEqual(corpus.vocabulary.tokens.count, 3)  // two spellings and <eos>, as Python's str sees them
        XCTAssertEqual(corpus.train, [0, 1, 0, 2])
        XCTAssertEqual(corpus.test, [1, 2])
    }

    func testOneFileSplitsOnLineBoundaries() throws {
        // Lines of different lengths, so the exact token fractions fall inside lines.
        let lines = (0..<40).map { i in (0...(i % 7)).map { "w\($0 + i % 3)" }.joined(separator: " ") }
        let text = lines.joined(separator: "\n") + "\n"
        for level in [TokenLevel.word, .chars] {
            let corpus = try CorpusBuilder.fromSingleText(bytes(text), name: "one.txt", level: level,
                                                          validFraction: 0.13, testFraction: 0.17)
            let v = corpus.vocabulary
            let lineEnd = level == .word ? "<eos>" : "\n"
            for part in [corpus.train, corpus.valid, corpus.test] {
                XCTAssertFalse(part.isEmpty)
                XCTAssertEqual(v.tokens[Int(part.last!)], lineEnd, "\(level): a part ends inside a line")
            }
            let total = Double(corpus.train.count + corpus.valid.count + corpus.test.count)
            XCTAssertEqual(Double(corpus.valid.count) / total, 0.13, accuracy: 0.05, "\(level)")
            XCTAssertEqual(Double(corpus.test.count) / total, 0.17, accuracy: 0.05, "\(level)")
            if level == .chars {
                let back = (corpus.train + corpus.valid + corpus.test).map { v.tokens[Int($0)] }.joined()
                XCTAssertEqual(back, text)
            }
        }
    }

    func testOneFileOfTooFewLinesIsRefusedWithASentence() {
        XCTAssertThrowsError(try CorpusBuilder.fromSingleText(bytes("one long line without a break"), name: "one.txt", level: .chars,
                                                              validFraction: 0.1, testFraction: 0.1)) {
            XCTAssertEqual("\($0)", "one.txt has 1 line, too few to split on line boundaries into non-empty train, valid (0.1) and test (0.1) parts; use a text of more lines or separate train, valid and test files")
        }
    }
}
