// Class-based softmax: exact normalisation, agreement between its loss and its
// log-probabilities, frequency classes, and finite-difference gradients.

import RNNModel
import RNNTensor
import XCTest

final class ClassSoftmaxTests: XCTestCase {
    func model(tied: Bool, bias: Bool) throws -> LanguageModel<Double> {
        let V = 9, H = 4
        let counts = [50, 3, 20, 1, 7, 7, 2, 30, 5]
        let classOf = ClassSoftmaxOutput<Double>.frequencyClasses(counts: counts, classes: 3)
        let embedding = Embedding<Double>(vocabularySize: V, embeddingSize: H)
        let output = tied ? ClassSoftmaxOutput<Double>(wordWeight: embedding.table, tied: true, classOf: classOf, bias: bias)
                          : ClassSoftmaxOutput<Double>(vocabularySize: V, hiddenSize: H, classOf: classOf, bias: bias)
        let m = try LanguageModel(embedding: embedding, cell: ElmanCell<Double>(inputSize: H, hiddenSize: H, activation: Tanh(), bias: bias), output: output)
        TestModels.randomize(m, seed: 4, range: 0.9)
        return m
    }

    func testFrequencyClassesGiveEveryClassAWordAndPutFrequentWordsFirst() {
        let classOf = ClassSoftmaxOutput<Float>.frequencyClasses(counts: [50, 3, 20, 1, 7, 7, 2, 30, 5], classes: 3)
        XCTAssertEqual(Set(classOf), [0, 1, 2])
        XCTAssertEqual(classOf[0], 0, "the most frequent word is in the first class")
        XCTAssertEqual(classOf[3], 2, "the rarest word is in the last class")
        let many = ClassSoftmaxOutput<Float>.frequencyClasses(counts: [1, 0, 0, 0], classes: 4)
        XCTAssertEqual(many, [0, 1, 2, 3])
    }

    func testProbabilitiesAreNormalisedAndMatchTheLoss() throws {
        for tied in [false, true] { for bias in [false, true] {
            let m = try model(tied: tied, bias: bias)
            let V = m.vocabularySize, B = 2
            let state = m.zeroState(batch: B)
            let out = Tensor<Double>(zeros: [B, V])
            m.stepLogProbabilities(tokens: [1, 4], batch: B, state: state, into: out.matrix)
            for r in 0..<B {
                let sum = (0..<V).reduce(0.0) { $0 + Foundation.exp(out.matrix[r, $1]) }
                XCTAssertEqual(sum, 1, accuracy: 1e-12)
            }
            let lossFromProbabilities = -(out.matrix[0, 7] + out.matrix[1, 2])
            let loss = m.loss(inputs: [1, 4], targets: [7, 2], steps: 1, batch: B, state: m.zeroState(batch: B))
            XCTAssertEqual(loss, lossFromProbabilities, accuracy: 1e-12)
        } }
    }

    func testGradientsMatchFiniteDifferences() throws {
        for tied in [false, true] { for bias in [false, true] {
            let m = try model(tied: tied, bias: bias)
            let B = 2, T = 3
            let inputs = TestModels.tokens(T * B, vocabulary: 9, seed: 11), targets = TestModels.tokens(T * B, vocabulary: 9, seed: 12)
            func lossAt() -> Double { m.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: m.zeroState(batch: B)) / Double(T * B) }
            m.zeroGradients()
            _ = m.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: m.zeroState(batch: B))
            for p in m.parameters {
                let worst = FiniteDifferences.worstError(p, analytic: p.grad.array, loss: lossAt)
                XCTAssertLessThan(worst, 1e-5, "tied=\(tied) bias=\(bias) \(p.name)")
            }
        } }
    }
}

import Foundation
