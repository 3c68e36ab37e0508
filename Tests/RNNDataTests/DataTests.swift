// Tests of the data layer: vocabulary, tokenisation and its errors, splits, SHA-256, and the
// synthetic language's entropy rate.

import Foundation
import RNNData
import RNNTestSupport
import XCTest

final class DataTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testWordTokensAppendEndOfSentencePerLine() throws {
        let tokens = try tokenize(bytes("the cat\n\n a dog \n"), level: .word, name: "t.txt")
        XCTAssertEqual(tokens.map { String($0.token) }, ["the", "cat", "<eos>", "<eos>", "a", "dog", "<eos>"])
        XCTAssertEqual(tokens.map(\.line), [1, 1, 1, 2, 3, 3, 3])
    }

    func testCharTokensKeepNewlines() throws {
        let tokens = try tokenize(bytes("ab\né"), level: .chars, name: "t.txt")
        XCTAssertEqual(tokens.map { String($0.token) }, ["a", "b", "\n", "é"])
    }

    func testCorpusErrorsAreOneSentence() {
        func error(_ b: [UInt8], _ level: TokenLevel = .word) -> String {
            do { _ = try tokenize(b, level: level, name: "c.txt"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error([]), "c.txt is empty; a corpus needs text")
        XCTAssertEqual(error(bytes("\n \n\t\n")), "c.txt holds only whitespace; a corpus needs at least one word")
        XCTAssertEqual(error([0x61, 0x00, 0x62]), "c.txt looks binary (a NUL byte at offset 1); a corpus must be UTF-8 text")
        XCTAssertEqual(error([0x61, 0x0A, 0x62, 0xFF, 0x63]), "c.txt is not valid UTF-8 (first bad byte at offset 3, line 2); convert it to UTF-8")
        XCTAssertEqual(error([0xE2, 0x82]), "c.txt is not valid UTF-8 (first bad byte at offset 0, line 1); convert it to UTF-8")
        XCTAssertThrowsError(try CorpusBuilder.requireLength(10, name: "the training split", batchSize: 4, bptt: 5)) {
            XCTAssertEqual("\($0)", "the training split has 10 tokens, fewer than the 24 that 4 streams × (5 steps + 1) need; use a longer corpus, fewer streams or shorter chunks")
        }
    }

    func testWordVocabularyKeepsFirstOccurrenceOrderAndMapsUnknowns() throws {
        let corpus = try CorpusBuilder.fromSplits(train: (bytes("b a b\nc b\n"), "train"), valid: (bytes("a z\n"), "valid"),
                                                  test: (bytes("b\n"), "test"), level: .word)
        XCTAssertEqual(corpus.vocabulary.tokens, ["b", "a", "<eos>", "c", "<unk>"])
        XCTAssertEqual(corpus.vocabulary.counts, [3, 1, 2, 1, 0])
        XCTAssertEqual(corpus.train, [0, 1, 0, 2, 3, 0, 2])
        XCTAssertEqual(corpus.valid, [1, 4, 2])
    }

    func testMaxVocabularyKeepsMostFrequent() throws {
        let corpus = try CorpusBuilder.fromSplits(train: (bytes("a b b c c c\n"), "train"), valid: (bytes("a\n"), "v"),
                                                  test: (bytes("c\n"), "t"), level: .word,
                                                  options: VocabularyOptions(maxSize: 3))
        // Counts: c 3, b 2, a 1, <eos> 1; three slots keep c and b (first-occurrence order) and <unk>.
        XCTAssertEqual(corpus.vocabulary.tokens, ["b", "c", "<unk>"])
        XCTAssertEqual(corpus.train, [2, 0, 0, 1, 1, 1, 2])
    }

    func testSingleTextSplitsContiguously() throws {
        let text = String(repeating: "abcdefghi\n", count: 10)
        let corpus = try CorpusBuilder.fromSingleText(bytes(text), name: "one.txt", level: .chars, validFraction: 0.1, testFraction: 0.2)
        XCTAssertEqual(corpus.train.count, 70)
        XCTAssertEqual(corpus.valid.count, 10)
        XCTAssertEqual(corpus.test.count, 20)
        XCTAssertEqual(corpus.vocabulary.tokens, ["\n"] + (0..<9).map { String(UnicodeScalar(97 + $0)!) })
        XCTAssertThrowsError(try CorpusBuilder.fromSingleText(bytes(text), name: "one.txt", level: .chars, validFraction: 0.6, testFraction: 0.5))
    }

    func testSHA256Vectors() {
        XCTAssertEqual(SHA256.hex(of: []), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(of: [UInt8](repeating: 0x61, count: 1000)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    func testSyntheticEntropyRateMatchesTheTrueModelsLikelihood() {
        var grammar = SeededGenerator(seed: 1)
        let language = SyntheticLanguage(.init(), grammar: &grammar)
        var rng = SeededGenerator(seed: 2)
        let stream = language.generate(tokens: 200_000, using: &rng)
        let rate = language.negativeLogLikelihood(stream) / Double(stream.count)
        XCTAssertEqual(rate, language.entropyRate, accuracy: 0.01, "empirical \(rate) vs exact \(language.entropyRate)")
        // With K=8, F=16, S=4, L in 4…8: (log 8 + log 5 + log 16 + 5 log 4) / 8.
        XCTAssertEqual(language.entropyRate, (log(8.0) + log(5.0) + log(16.0) + 5 * log(4.0)) / 8, accuracy: 1e-12)
    }

    func testSyntheticLanguageDefeatsShortNGrams() {
        // The best trigram model, fitted on a large sample, stays well above the floor.
        var grammar = SeededGenerator(seed: 3)
        let language = SyntheticLanguage(.init(), grammar: &grammar)
        var rng = SeededGenerator(seed: 4)
        let train = language.generate(tokens: 400_000, using: &rng)
        let test = language.generate(tokens: 100_000, using: &rng)
        var counts: [Int: [Int32: Int]] = [:]
        for i in 2..<train.count { counts[Int(train[i - 2]) * 1000 + Int(train[i - 1]), default: [:]][train[i], default: 0] += 1 }
        var nll = 0.0
        let V = Double(language.vocabulary.count)
        for i in 2..<test.count {
            let context = counts[Int(test[i - 2]) * 1000 + Int(test[i - 1])] ?? [:]
            let total = Double(context.values.reduce(0, +))
            // Add-0.01 smoothing keeps unseen events finite without helping the model much.
            nll -= log((Double(context[test[i]] ?? 0) + 0.01) / (total + 0.01 * V))
        }
        let trigram = nll / Double(test.count - 2)
        XCTAssertGreaterThan(trigram, language.entropyRate + 0.15, "trigram \(trigram) vs floor \(language.entropyRate)")
    }

    func testSameSeedSameStream() {
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        let a = SyntheticLanguage(.init(), grammar: &g1), b = SyntheticLanguage(.init(), grammar: &g2)
        var r1 = SeededGenerator(seed: 6), r2 = SeededGenerator(seed: 6)
        XCTAssertEqual(a.generate(tokens: 1000, using: &r1), b.generate(tokens: 1000, using: &r2))
    }

    func testPennTreebankHasTheKnownSizes() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/ptb").path
        guard FileManager.default.fileExists(atPath: dir + "/ptb.train.txt") else {
            throw XCTSkip("Penn Treebank not found at \(dir); skipping the real-data check")
        }
        func read(_ n: String) -> ([UInt8], String) { (Array(FileManager.default.contents(atPath: dir + "/" + n)!), n) }
        let corpus = try CorpusBuilder.fromSplits(train: read("ptb.train.txt"), valid: read("ptb.valid.txt"), test: read("ptb.test.txt"), level: .word)
        XCTAssertEqual(corpus.vocabulary.count, 10000)
        XCTAssertEqual(corpus.train.count, 929_589)
        XCTAssertEqual(corpus.valid.count, 73_760)
        XCTAssertEqual(corpus.test.count, 82_430)
    }
}
