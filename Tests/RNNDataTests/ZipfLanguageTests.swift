// Tests of the Zipf class-bigram language: its entropy rate in closed form for small cases and
// against the true model's likelihood of a long sample, the stationary distribution, the Zipf
// weights within a class, and that most words are rare in a corpus of the demo's size.

import Foundation
import RNNData
import RNNTestSupport
import XCTest

final class ZipfLanguageTests: XCTestCase {
    func testEntropyRateInClosedFormForSmallLanguages() {
        var rng = SeededGenerator(seed: 1)
        // One class, uniform words: log V.
        let uniform = ZipfLanguage(.init(words: 10, classes: 1, successors: 1, exponent: 0), grammar: &rng)
        XCTAssertEqual(uniform.entropyRate, log(10.0), accuracy: 1e-12)
        // One class, Zipf words: the entropy of the normalised weights 1/r.
        let zipf = ZipfLanguage(.init(words: 5, classes: 1, successors: 1, exponent: 1), grammar: &rng)
        let w = (1...5).map { 1 / Double($0) }, z = w.reduce(0, +)
        XCTAssertEqual(zipf.entropyRate, -w.map { $0 / z * log($0 / z) }.reduce(0, +), accuracy: 1e-12)
        // Two classes of two uniform words, each class followed by the other (weight 1) or
        // itself (weight 1/2): π is uniform by symmetry, H = H(2/3, 1/3) + log 2.
        let two = ZipfLanguage(.init(words: 4, classes: 2, successors: 2, exponent: 0), grammar: &rng)
        XCTAssertEqual(two.stationary[0], 0.5, accuracy: 1e-12)
        XCTAssertEqual(two.entropyRate, -(2.0 / 3 * log(2.0 / 3) + 1.0 / 3 * log(1.0 / 3)) + log(2.0), accuracy: 1e-12)
    }

    func testEntropyRateMatchesTheTrueModelsLikelihood() {
        var grammar = SeededGenerator(seed: 5)
        let language = ZipfLanguage(.init(), grammar: &grammar)
        var rng = SeededGenerator(seed: 6)
        let stream = language.generate(tokens: 300_000, using: &rng)
        let rate = language.negativeLogLikelihood(stream) / Double(stream.count)
        // Per-token NLL has a standard deviation of about 2 nats: 300k tokens give ±0.004.
        XCTAssertEqual(rate, language.entropyRate, accuracy: 0.02, "empirical \(rate) vs exact \(language.entropyRate)")
    }

    func testStationaryDistributionIsStationary() {
        var grammar = SeededGenerator(seed: 7)
        let language = ZipfLanguage(.init(words: 500, classes: 25, successors: 3), grammar: &grammar)
        let pi = language.stationary
        XCTAssertEqual(pi.reduce(0, +), 1, accuracy: 1e-12)
        var next = [Double](repeating: 0, count: pi.count)
        for c in pi.indices { for t in language.transitions[c] { next[t.next] += pi[c] * t.probability } }
        for c in pi.indices { XCTAssertEqual(next[c], pi[c], accuracy: 1e-12) }
        for row in language.transitions { XCTAssertEqual(row.map(\.probability).reduce(0, +), 1, accuracy: 1e-12) }
    }

    func testWordsWithinAClassFollowZipf() {
        var grammar = SeededGenerator(seed: 8)
        let language = ZipfLanguage(.init(words: 1000, classes: 10, successors: 2, exponent: 1.2), grammar: &grammar)
        for members in language.members {
            XCTAssertEqual(members.count, 100)
            let (a, b) = (members[0], members[members.count - 1])
            XCTAssertEqual(language.wordProbability[a] / language.wordProbability[b], pow(Double(b + 1) / Double(a + 1), 1.2), accuracy: 1e-9)
        }
    }

    func testMostWordsAreRareInTheDemosCorpus() {
        var grammar = SeededGenerator(seed: 9)
        let language = ZipfLanguage(.init(), grammar: &grammar)
        var rng = SeededGenerator(seed: 10)
        var counts = [Int](repeating: 0, count: language.parameters.words)
        for t in language.generate(tokens: 200_000, using: &rng) { counts[Int(t)] += 1 }
        let rare = counts.filter { $0 < 10 }.count
        XCTAssertGreaterThan(rare, language.parameters.words / 4, "\(rare) of \(counts.count) words seen fewer than 10 times")
        XCTAssertGreaterThan(counts.max()!, 2000)
    }

    func testImpossibleStreamsHaveInfiniteCost() {
        var grammar = SeededGenerator(seed: 11)
        let language = ZipfLanguage(.init(words: 100, classes: 10, successors: 2), grammar: &grammar)
        let c = 0, w = language.members[c][0]
        let allowed = Set(language.transitions[c].map(\.next))
        let forbidden = (0..<10).first { !allowed.contains($0) }!
        XCTAssertEqual(language.negativeLogLikelihood([Int32(w), Int32(language.members[forbidden][0])]), .infinity)
        XCTAssertEqual(language.negativeLogLikelihood([100]), .infinity)
        XCTAssertNotNil(ZipfLanguage.Parameters(words: 5, classes: 10).problem)
        XCTAssertEqual(ZipfLanguage.Parameters(words: 5, classes: 10).problem, "the word count must be ≥ the class count (10), got 5")
    }
}
