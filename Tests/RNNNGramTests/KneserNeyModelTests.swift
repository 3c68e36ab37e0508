// KneserNeyModel beyond the hand-computed cases: every distribution sums to 1, the discount
// estimate and its fallback, the binary form (round trip, and damaged or hostile bytes), sampling.

import RNNNGram
import RNNTensor
import XCTest

final class KneserNeyModelTests: XCTestCase {
    /// A skewed random stream over V − 1 words with `<eos>` (id V − 1) about one token in six.
    static func stream(_ n: Int, V: Int, seed: UInt64) -> [Int32] {
        var rng = Xoshiro256(seed: seed)
        return (0..<n).map { _ in
            let u = rng.nextUnit()
            let x = (u - 1.0 / 6) * 1.2
            return u < 1.0 / 6 ? Int32(V - 1) : Int32(x * x * Double(V - 1))
        }
    }

    func testEveryDistributionSumsToOne() {
        let V = 12
        let train = Self.stream(600, V: V, seed: 1)
        for order in 1...5 {
            for context in [SentenceContext.acrossSentences, .independent(endOfSentence: Int32(V - 1))] {
                let model = KneserNeyModel.train(tokens: train, vocabularySize: V, order: order, sentenceContext: context)
                let histories: [[Int32]] = [
                    [], Array(train.prefix(order)), Array(train.suffix(7)), [Int32(V - 2), Int32(V - 2), Int32(V - 2)],   // rare, unseen n-grams
                    [0, 0, 0, 0, 0, 0], [Int32(V - 1)], [3, Int32(V - 1), 4], Array(Self.stream(9, V: V, seed: 99)),
                ]
                for h in histories {
                    let p = model.probabilities(context: h)
                    XCTAssertEqual(p.count, V)
                    XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-12, "order \(order) \(context) history \(h)")
                    XCTAssertTrue(p.allSatisfy { $0 > 0 }, "every token keeps some probability")
                    for w in [0, 5, V - 1] {
                        XCTAssertEqual(exp(model.logProbability(of: Int32(w), context: h)), p[w], accuracy: 1e-14)
                    }
                }
            }
        }
    }

    func testEmptyTrainingGivesUniform() {
        let model = KneserNeyModel.train(tokens: [], vocabularySize: 4, order: 3)
        XCTAssertEqual(model.probabilities(context: [1, 2]), [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(model.evaluate(tokens: [0, 1]).perplexity, 4, accuracy: 1e-12)
    }

    func testDiscountEstimateAndFallback() {
        // PTB's order-5 count-of-counts (across sentences): Y = 832529 / (832529 + 2·16643).
        let d = KneserNeyDiscounts.estimate(countOfCounts: [832_529, 16_643, 3_553, 1_612])
        let y = 832_529.0 / (832_529 + 2 * 16_643)
        XCTAssertFalse(d.isFallback)
        XCTAssertEqual(d.one, y, accuracy: 1e-15)
        XCTAssertEqual(d.two, 2 - 3 * y * 3_553 / 16_643, accuracy: 1e-15)
        XCTAssertEqual(d.threePlus, 3 - 4 * y * 1_612 / 3_553, accuracy: 1e-15)
        // A zero count-of-count, or a discount outside (0, r], falls back to KenLM's values.
        for n in [[0, 1, 1, 1], [5, 3, 0, 2], [10, 1, 100, 1], [10, 100, 1, 50]] {
            let f = KneserNeyDiscounts.estimate(countOfCounts: n)
            XCTAssertTrue(f.isFallback, "\(n)")
            XCTAssertEqual([f.one, f.two, f.threePlus], [0.5, 1, 1.5])
            XCTAssertEqual(f.countOfCounts, n)
        }
    }

    func testGreaterOrderDoesNotHurtOnItsOwnTrainingText() {
        // Not a law, but on its own training stream a higher order must fit better.
        let train = Self.stream(2_000, V: 20, seed: 3)
        let ppl = (1...4).map { KneserNeyModel.train(tokens: train, vocabularySize: 20, order: $0).evaluate(tokens: train).perplexity }
        for k in 1..<4 { XCTAssertLessThan(ppl[k], ppl[k - 1]) }
    }

    // MARK: - Binary form

    func model(order: Int = 3, independent: Bool = false) -> KneserNeyModel {
        let V = 9
        return KneserNeyModel.train(tokens: Self.stream(300, V: V, seed: 5), vocabularySize: V, order: order,
                                    sentenceContext: independent ? .independent(endOfSentence: Int32(V - 1)) : .acrossSentences)
    }

    func testRoundTripGivesTheSameModel() throws {
        let test = Self.stream(200, V: 9, seed: 6)
        for order in [1, 2, 4] {
            for independent in [false, true] {
                let m = model(order: order, independent: independent)
                let bytes = m.encoded()
                let back = try KneserNeyModel.decode(bytes)
                XCTAssertEqual(back.order, m.order)
                XCTAssertEqual(back.vocabularySize, m.vocabularySize)
                XCTAssertEqual(back.sentenceContext, m.sentenceContext)
                XCTAssertEqual(back.discounts, m.discounts)
                XCTAssertEqual(back.ngramCounts, m.ngramCounts)
                XCTAssertEqual(back.tokenProbabilities(of: test), m.tokenProbabilities(of: test))
                XCTAssertEqual(back.encoded(), bytes)
            }
        }
    }

    func expectFailure(_ bytes: [UInt8], _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try KneserNeyModel.decode(bytes), file: file, line: line) { error in
            XCTAssertEqual((error as? KneserNeyFormatError)?.reason, reason, file: file, line: line)
        }
    }

    /// `bytes` with its checksum recomputed, as a hostile writer would.
    func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var out = Array(bytes.dropLast(8))
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in out { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        withUnsafeBytes(of: h.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    func testTruncatedAndFlippedBytesThrow() {
        let bytes = model(order: 3, independent: true).encoded()
        expectFailure([], "it is empty")
        expectFailure(Array("RNNLABCK".utf8) + bytes.dropFirst(8), "it does not start with the rnnlab Kneser-Ney signature")
        for cut in [8, 12, 19, 20, 40, bytes.count / 2, bytes.count - 9, bytes.count - 1] {
            XCTAssertThrowsError(try KneserNeyModel.decode(Array(bytes.prefix(cut))), "cut at \(cut)")
        }
        expectFailure(Array(bytes.prefix(bytes.count - 1)), "its checksum does not match (the bytes are damaged or incomplete)")
        // Every single flipped bit after the signature is caught (version or checksum).
        for i in 8..<bytes.count {
            for bit in [0, 7] {
                var damaged = bytes
                damaged[i] ^= 1 << bit
                XCTAssertThrowsError(try KneserNeyModel.decode(damaged), "byte \(i) bit \(bit)")
            }
        }
        var newer = bytes
        newer[8] = 2
        expectFailure(newer, "it has format version 2, and this rnnlab reads version 1 only")
    }

    func testHostileBytesWithAValidChecksumThrowOrGiveAUsableModel() {
        let bytes = model(order: 3, independent: true).encoded()
        // Header fields, by offset: order 12, V 16, mode 20, eos 24, discounts of order 1 from 28.
        func with(_ offset: Int, _ value: UInt32) -> [UInt8] {
            var b = bytes
            withUnsafeBytes(of: value.littleEndian) { for (i, x) in $0.enumerated() { b[offset + i] = x } }
            return resealed(b)
        }
        expectFailure(with(12, 11), "its order is 11, outside 1…10")
        expectFailure(with(12, 0), "its order is 0, outside 1…10")
        expectFailure(with(20, 7), "its sentence-context code is 7, not 0 or 1")
        expectFailure(with(24, 9), "its end-of-sentence id 9 is outside the vocabulary 0..<9")
        expectFailure(with(16, 0xFFFF_FFFF), "its vocabulary size is 4294967295")
        expectFailure(with(16, 1_000_000), "it is truncated (a table of 1000001 values runs past its end)")
        // D1 of order 1 (a Float64 at 28..<36) set to 2: more than the count it discounts.
        var big = bytes
        withUnsafeBytes(of: (2.0).bitPattern.littleEndian) { for (i, x) in $0.enumerated() { big[28 + i] = x } }
        XCTAssertThrowsError(try KneserNeyModel.decode(resealed(big)))
        expectFailure(resealed(bytes.dropLast(8) + [0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0]), "it has 4 bytes after its last table")

        // Random damage with the checksum resealed: every outcome is an error or a model whose
        // distributions still sum to 1; none is a trap.
        var rng = Xoshiro256(seed: 77)
        var decoded = 0
        for _ in 0..<3_000 {
            var b = bytes
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let i = 8 + Int(rng.next() % UInt64(b.count - 16))
                b[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            guard let m = try? KneserNeyModel.decode(resealed(b)) else { continue }
            decoded += 1
            for h: [Int32] in [[], [1, 2], [0, 0, 8, 3]] where h.allSatisfy({ Int($0) < m.vocabularySize }) {
                XCTAssertEqual(m.probabilities(context: h).reduce(0, +), 1, accuracy: 1e-9)
            }
        }
        XCTAssertGreaterThan(decoded, 0, "some damage (a count changed) leaves a valid model")
    }

    // MARK: - Sampling

    func testSamplingIsSeededAndFollowsTheDistribution() {
        let m = model(order: 2)
        var r1 = Xoshiro256(seed: 9), r2 = Xoshiro256(seed: 9)
        let s1 = m.sample(count: 50, prime: [0], using: &r1)
        XCTAssertEqual(s1, m.sample(count: 50, prime: [0], using: &r2))
        XCTAssertTrue(s1.allSatisfy { $0 >= 0 && $0 < 9 })
        // Frequencies of 40,000 draws after one context match its distribution.
        let p = m.probabilities(context: [3])
        var counts = [Int](repeating: 0, count: 9)
        var rng = Xoshiro256(seed: 10)
        let n = 40_000
        for _ in 0..<n { counts[Int(m.sampleNext(context: [3], using: &rng))] += 1 }
        for j in 0..<9 {
            let sd = (p[j] * (1 - p[j]) / Double(n)).squareRoot()
            XCTAssertEqual(Double(counts[j]) / Double(n), p[j], accuracy: 5 * sd + 1e-9, "token \(j)")
        }
        // A very low temperature picks the most likely token.
        let top = Int32(p.indices.max { p[$0] < p[$1] }!)
        XCTAssertEqual(m.sampleNext(context: [3], temperature: 1e-3, using: &rng), top)
    }
}
