// Kneser-Ney probabilities worked out by hand on toy corpora, for orders 1–3, both sentence
// conventions, the discounts included; then the same against a slow reference on random corpora.

import RNNNGram
import RNNTensor
import XCTest

final class KneserNeyHandComputedTests: XCTestCase {
    // Toy corpus A. Ids: a 0, b 1, c 2, E 3 (<eos>), d 4 (in the vocabulary, never in training).
    //   a b c E a b E a c E          (10 tokens, three sentences)
    let a: Int32 = 0, b: Int32 = 1, c: Int32 = 2, E: Int32 = 3, d: Int32 = 4
    var toy: [Int32] { [a, b, c, E, a, b, E, a, c, E] }

    func assertClose(_ x: Double, _ y: Double, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(x, y, accuracy: 1e-12, message, file: file, line: line)
    }

    func p(_ model: KneserNeyModel, _ w: Int32, _ context: [Int32]) -> Double {
        exp(model.logProbability(of: w, context: context))
    }

    func testOrder1RawCountsWithFallbackDiscounts() {
        // Raw counts a 3, b 2, c 2, E 3, d 0; total 10. Count-of-counts n1..n4 = 0 2 2 0: n1 = 0,
        // so Chen & Goodman's estimate is undefined and the order falls back to 0.5, 1, 1.5.
        // γ = (1.5·2 [a, E: count 3] + 1·2 [b, c: count 2]) / 10 = 0.5; uniform = 1/5.
        //   p(a) = (3 − 1.5)/10 + 0.5/5 = 0.25      p(E) = 0.25
        //   p(b) = (2 − 1)/10 + 0.1 = 0.2           p(c) = 0.2
        //   p(d) = 0 + 0.1 = 0.1                     (sum 1)
        let model = KneserNeyModel.train(tokens: toy, vocabularySize: 5, order: 1)
        XCTAssertEqual(model.discounts[0].countOfCounts, [0, 2, 2, 0])
        XCTAssertTrue(model.discounts[0].isFallback)
        XCTAssertEqual([model.discounts[0].one, model.discounts[0].two, model.discounts[0].threePlus], [0.5, 1, 1.5])
        let expected = [0.25, 0.2, 0.2, 0.25, 0.1]
        for (w, e) in expected.enumerated() { assertClose(p(model, Int32(w), [b, c]), e, "token \(w)") }
        XCTAssertEqual(model.probabilities(context: [a]).count, 5)
        for (x, e) in zip(model.probabilities(context: []), expected) { assertClose(x, e) }
    }

    func testOrder1EstimatedDiscounts() {
        // a a a a b b b c c d (ids 0…3): counts 4 3 2 1, so n1..n4 = 1 1 1 1:
        //   Y = 1/(1 + 2) = 1/3, D1 = 1 − 2Y·1/1 = 1/3, D2 = 2 − 3Y·1/1 = 1, D3+ = 3 − 4Y·1/1 = 5/3.
        // γ = (5/3·2 [a, b] + 1 [c] + 1/3 [d]) / 10 = 14/30; γ/4 = 7/60.
        //   p(a) = (4 − 5/3)/10 + 7/60 = 14/60 + 7/60 = 0.35
        //   p(b) = (3 − 5/3)/10 + 7/60 = 8/60 + 7/60 = 0.25
        //   p(c) = (2 − 1)/10 + 7/60 = 13/60
        //   p(d) = (1 − 1/3)/10 + 7/60 = 11/60       (sum 1)
        let model = KneserNeyModel.train(tokens: [0, 0, 0, 0, 1, 1, 1, 2, 2, 3], vocabularySize: 4, order: 1)
        let d = model.discounts[0]
        XCTAssertFalse(d.isFallback)
        assertClose(d.one, 1.0 / 3)
        assertClose(d.two, 1)
        assertClose(d.threePlus, 5.0 / 3)
        let expected = [0.35, 0.25, 13.0 / 60, 11.0 / 60]
        for (x, e) in zip(model.probabilities(context: []), expected) { assertClose(x, e) }
    }

    func testOrder2EstimatedBigramDiscounts() {
        // a a a a a b b b b c c c (ids 0…2), across sentences, order 2.
        // Bigrams (raw, top order): aa 4, ab 1, bb 3, bc 1, cc 2 → n1..n4 = 2 1 1 1:
        //   Y = 2/(2 + 2) = 0.5, D1 = 0.5, D2 = 2 − 3·0.5·1/1 = 0.5, D3+ = 3 − 4·0.5·1/1 = 1.
        // Unigram continuation counts: •a {a} 1, •b {a, b} 2, •c {b, c} 2 (the first a has no left
        // neighbour); total 5; n1..n4 = 1 2 0 0 → fallback 0.5, 1, 1.5; γ = (0.5 + 1 + 1)/5 = 0.5.
        //   p1(a) = 0.5/5 + 0.5/3 = 4/15,  p1(b) = p1(c) = 1/5 + 1/6 = 11/30.
        // Context a: children a 4, b 1; total 5; γ(a) = (D3+ + D1)/5 = 0.3.
        //   p(a|a) = (4 − 1)/5 + 0.3·4/15 = 0.68
        //   p(b|a) = (1 − 0.5)/5 + 0.3·11/30 = 0.21
        //   p(c|a) = 0.3·11/30 = 0.11
        let model = KneserNeyModel.train(tokens: [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2], vocabularySize: 3, order: 2)
        XCTAssertEqual(model.discounts[1].countOfCounts, [2, 1, 1, 1])
        XCTAssertFalse(model.discounts[1].isFallback)
        assertClose(model.discounts[1].one, 0.5)
        assertClose(model.discounts[1].two, 0.5)
        assertClose(model.discounts[1].threePlus, 1)
        XCTAssertEqual(model.discounts[0].countOfCounts, [1, 2, 0, 0])
        XCTAssertTrue(model.discounts[0].isFallback)
        for (x, e) in zip(model.probabilities(context: [0]), [0.68, 0.21, 0.11]) { assertClose(x, e) }
        // The stream's start has an empty history: the continuation unigram.
        for (x, e) in zip(model.probabilities(context: []), [4.0 / 15, 11.0 / 30, 11.0 / 30]) { assertClose(x, e) }
    }

    func testOrder2AcrossSentences() {
        // Bigrams of the stream: ab 2, bc 1, cE 2, Ea 2, bE 1, ac 1.
        // Unigram continuation counts: •a {E} 1, •b {a} 1, •c {b, a} 2, •E {c, b} 2, d 0; total 6;
        // n1..n4 = 2 2 0 0 → fallback. γ = (0.5·2 + 1·2)/6 = 0.5, so with 0.5/5 = 0.1:
        //   p1(a) = p1(b) = 0.5/6 + 0.1 = 11/60,  p1(c) = p1(E) = 1/6 + 0.1 = 16/60,  p1(d) = 0.1.
        // Bigram counts n1..n4 = 3 3 0 0 → fallback. Context a: children b 2, c 1; total 3;
        // γ(a) = (1 + 0.5)/3 = 0.5:
        //   p(b|a) = (2 − 1)/3 + 0.5·11/60 = 0.425
        //   p(c|a) = (1 − 0.5)/3 + 0.5·16/60 = 0.3
        //   p(a|a) = 0.5·11/60,  p(E|a) = 0.5·16/60,  p(d|a) = 0.05
        let model = KneserNeyModel.train(tokens: toy, vocabularySize: 5, order: 2)
        XCTAssertEqual(model.discounts[0].countOfCounts, [2, 2, 0, 0])
        XCTAssertEqual(model.discounts[1].countOfCounts, [3, 3, 0, 0])
        let unigram = [11.0 / 60, 11.0 / 60, 16.0 / 60, 16.0 / 60, 0.1]
        let afterA = [0.5 * 11 / 60, 0.425, 0.3, 0.5 * 16 / 60, 0.05]
        for (x, e) in zip(model.probabilities(context: [E, a]), afterA) { assertClose(x, e) }
        // d was never seen, so a history ending in d uses the unigram level; so does the start.
        for (x, e) in zip(model.probabilities(context: [a, d]), unigram) { assertClose(x, e) }
        for (x, e) in zip(model.probabilities(context: []), unigram) { assertClose(x, e) }
    }

    func testOrder3AcrossSentences() {
        // Trigrams: abc, bcE, cEa, Eab, abE, bEa, Eac, acE, each once: n1 = 8 → fallback, D1 0.5.
        // Bigram continuation counts: ab {E} 1, bc {a} 1, cE {b, a} 2, Ea {c, b} 2, bE {a} 1,
        // ac {E} 1 (the stream's first "a b" has no left neighbour): n1..n4 = 4 2 0 0 → fallback.
        // Unigrams as at order 2: p1 = 11/60, 11/60, 16/60, 16/60, 0.1.
        // Order 2, context a: children b 1, c 1; total 2; γ = 0.5:
        //   p2(b|a) = 0.5/2 + 0.5·11/60 = 0.341666…,  p2(c|a) = 0.25 + 0.5·16/60 = 0.383333…
        //   p2(a|a) = 0.5·11/60,  p2(E|a) = 0.5·16/60,  p2(d|a) = 0.05
        // Order 2, context b: children c 1, E 1; γ = 0.5: p2(c|b) = 0.25 + 0.5·16/60 = 0.383333…
        // Order 3, context (E a): children b 1, c 1; total 2; γ = 0.5:
        //   p(b|E a) = 0.25 + 0.5·p2(b|a) = 0.420833…,  p(c|E a) = 0.25 + 0.5·p2(c|a) = 0.441666…
        //   p(a|E a) = 0.5·p2(a|a), p(E|E a) = 0.5·p2(E|a), p(d|E a) = 0.025
        // Order 3, context (a b): children c 1, E 1: p(c|a b) = 0.25 + 0.5·p2(c|b) = 0.441666…
        let model = KneserNeyModel.train(tokens: toy, vocabularySize: 5, order: 3)
        XCTAssertEqual(model.discounts.map(\.countOfCounts), [[2, 2, 0, 0], [4, 2, 0, 0], [8, 0, 0, 0]])
        XCTAssertEqual(model.ngramCounts, [4, 6, 8])
        let p2a = [0.5 * 11 / 60, 0.25 + 0.5 * 11 / 60, 0.25 + 0.5 * 16 / 60, 0.5 * 16 / 60, 0.05]
        let expected = [0.5 * p2a[0], 0.25 + 0.5 * p2a[1], 0.25 + 0.5 * p2a[2], 0.5 * p2a[3], 0.025]
        for (x, e) in zip(model.probabilities(context: [c, E, a]), expected) { assertClose(x, e) }
        assertClose(p(model, b, [E, a]), 0.25 + 0.5 * 0.25 + 0.25 * 11 / 60)
        assertClose(p(model, c, [a, b]), 0.25 + 0.5 * (0.25 + 0.5 * 16 / 60))
        // An unseen bigram history (d a): the order-2 context a alone.
        for (x, e) in zip(model.probabilities(context: [d, a]), p2a) { assertClose(x, e) }
        // evaluate(): a b c from the stream's start: p1(a) · p2(b|a) · p(c|a b).
        let score = model.evaluate(tokens: [a, b, c])
        XCTAssertEqual(score.count, 3)
        assertClose(score.logLikelihood, log(11.0 / 60) + log(p2a[1]) + log(0.25 + 0.5 * (0.25 + 0.5 * 16 / 60)))
    }

    func testOrder2And3IndependentSentences() {
        // Sentences: <s> a b c E | <s> a b E | <s> a c E.
        // Order 2 bigrams (raw): <s>a 3, ab 2, ac 1, bc 1, bE 1, cE 2 → n1..n4 = 3 2 1 0, fallback.
        // Unigram continuation counts: •a {<s>} 1, •b {a} 1, •c {a, b} 2, •E {b, c} 2 → the same
        // unigram level as across sentences: 11/60, 11/60, 16/60, 16/60, 0.1.
        //   p(a|<s>) = (3 − 1.5)/3 + (1.5/3)·11/60 = 0.591666…
        //   p(E|b): children c 1, E 1; γ 0.5: 0.25 + 0.5·16/60 = 0.383333…
        let eos = SentenceContext.independent(endOfSentence: E)
        let m2 = KneserNeyModel.train(tokens: toy, vocabularySize: 5, order: 2, sentenceContext: eos)
        XCTAssertEqual(m2.discounts.map(\.countOfCounts), [[2, 2, 0, 0], [3, 2, 1, 0]])
        assertClose(p(m2, a, []), 0.5 + 0.5 * 11 / 60)
        assertClose(p(m2, a, [b, c, E]), 0.5 + 0.5 * 11 / 60, "after <eos> the history is <s>")
        assertClose(p(m2, E, [a, b]), 0.25 + 0.5 * 16 / 60)
        let s = m2.evaluate(tokens: [a, b, E])
        assertClose(s.logLikelihood, log(0.5 + 0.5 * 11 / 60) + log(0.425) + log(0.25 + 0.5 * 16 / 60))

        // Order 3 trigrams (raw): <s>ab 2, abc, bcE, abE, <s>ac, acE 1 → n1..n4 = 5 1 0 0.
        // Bigram level: <s>a keeps its raw count 3 (no left neighbour); the others are
        // continuation counts: ab {<s>} 1, ac {<s>} 1, bc {a} 1, bE {a} 1, cE {a, b} 2 → 4 1 1 0.
        //   p2(a|<s>) = (3 − 1.5)/3 + 0.5·11/60 (as above)
        //   p2(b|a): children b 1, c 1: 0.25 + 0.5·11/60
        //   p(b|<s> a): children b 2, c 1; total 3; γ = (1 + 0.5)/3 = 0.5:
        //     (2 − 1)/3 + 0.5·p2(b|a) = 1/3 + 0.125 + 0.25·11/60
        let m3 = KneserNeyModel.train(tokens: toy, vocabularySize: 5, order: 3, sentenceContext: eos)
        XCTAssertEqual(m3.discounts.map(\.countOfCounts), [[2, 2, 0, 0], [4, 1, 1, 0], [5, 1, 0, 0]])
        assertClose(p(m3, a, [c, E]), 0.5 + 0.5 * 11 / 60)
        assertClose(p(m3, b, [E, a]), 1.0 / 3 + 0.125 + 0.25 * 11 / 60)
        assertClose(p(m3, b, [a]), 1.0 / 3 + 0.125 + 0.25 * 11 / 60, "a context without <eos> starts a sentence")
        // Three tokens into a sentence, <s> has left the order-3 window: (a b) as across sentences,
        // with this model's bigram level (bc 1, bE 1 under b): p(c|a b) = 0.25 + 0.5·p2(c|b).
        assertClose(p(m3, c, [E, a, a, b]), 0.25 + 0.5 * (0.25 + 0.5 * 16 / 60))
    }

    // MARK: - Against the reference

    func testMatchesReferenceOnRandomCorpora() {
        var rng = Xoshiro256(seed: 14)
        for trial in 0..<6 {
            let V = 4 + trial % 3
            let eosID = Int32(V - 1)
            // A skewed stream of V − 1 words, with <eos> about every 5 tokens; the last word id
            // (V − 2) is rare, so some n-grams stay unseen.
            func stream(_ n: Int) -> [Int32] {
                (0..<n).map { _ in
                    let u = rng.nextUnit()
                    let x = (u - 0.2) / 0.8
                    return u < 0.2 ? eosID : Int32(x * x * Double(V - 1))
                }
            }
            let train = stream(150 + 40 * trial)
            let test = stream(80)
            // Order 10, the largest supported, once (the reference is slow).
            for order in trial == 0 ? [1, 2, 3, 4, 10] : [1, 2, 3, 4] {
                for independent in [false, true] {
                    let context: SentenceContext = independent ? .independent(endOfSentence: eosID) : .acrossSentences
                    let model = KneserNeyModel.train(tokens: train, vocabularySize: V, order: order, sentenceContext: context)
                    let reference = ReferenceKneserNey(tokens: train, V: V, order: order, eos: independent ? eosID : nil)
                    XCTAssertEqual(model.discounts, reference.discounts, "trial \(trial) order \(order) independent \(independent)")
                    let got = model.tokenProbabilities(of: test)
                    let want = reference.streamProbabilities(test)
                    for t in test.indices {
                        XCTAssertEqual(got[t], want[t], accuracy: 1e-12, "trial \(trial) order \(order) independent \(independent) position \(t)")
                    }
                    let score = model.evaluate(tokens: test)
                    XCTAssertEqual(score.logLikelihood, want.map { log($0) }.reduce(0, +), accuracy: 1e-9)
                }
            }
        }
    }
}
