// Sanity checks of the whole model in Float: a fresh model's perplexity is close to V, and the
// same seed gives bit-identical parameters after several training steps.

import RNNModel
import RNNTensor
import RNNTraining
import XCTest

final class TrainingSanityTests: XCTestCase {
    func testFreshModelPerplexityIsCloseToVocabularySize() throws {
        let V = 500, H = 32, B = 4, T = 20
        let model = try TestModels.elman(Float.self, vocabulary: V, embedding: H, hidden: H,
                                         activation: "tanh", tied: true, bias: true)
        TestModels.randomize(model, seed: 5, range: 0.05)
        let stream = TestModels.tokens(T * B + B, vocabulary: V, seed: 9)
        let nll = model.loss(inputs: Array(stream[0..<(T * B)]), targets: Array(stream[B..<(T * B + B)]),
                             steps: T, batch: B, state: model.zeroState(batch: B))
        let ppl = Foundation.exp(nll / Double(T * B))
        XCTAssertEqual(ppl, Double(V), accuracy: 0.05 * Double(V), "fresh-model perplexity \(ppl) vs V = \(V)")
    }

    /// Trains `steps` SGD steps from seed `seed` and returns every parameter's bits.
    func train(seed: UInt64, steps: Int) throws -> [[UInt32]] {
        let V = 50, H = 16, B = 3, T = 5
        let model = try TestModels.elman(Float.self, vocabulary: V, embedding: H, hidden: H,
                                         activation: "tanh", tied: false, bias: true)
        TestModels.randomize(model, seed: seed, range: 0.1)
        let stream = TestModels.tokens((T * steps + 1) * B, vocabulary: V, seed: seed &+ 1)
        let state = model.zeroState(batch: B)
        let sgd = SGD<Float>()
        for k in 0..<steps {
            let start = k * T * B
            model.zeroGradients()
            _ = model.forwardBackward(inputs: Array(stream[start..<(start + T * B)]),
                                      targets: Array(stream[(start + B)..<(start + B + T * B)]),
                                      steps: T, batch: B, state: state)
            let clip = clipScale(model.parameters, maxNorm: 0.25)
            sgd.update(model.parameters, learningRate: 1, gradientScale: clip.scale)
        }
        return model.parameters.map { $0.value.array.map(\.bitPattern) }
    }

    func testSameSeedGivesBitIdenticalParameters() throws {
        let a = try train(seed: 11, steps: 8), b = try train(seed: 11, steps: 8)
        XCTAssertEqual(a, b)
        let c = try train(seed: 12, steps: 8)
        XCTAssertNotEqual(a, c, "a different seed should give different parameters")
    }

    func testTrainingLowersTheLossOnARepeatedPattern() throws {
        let V = 10, H = 16, B = 2, T = 10
        let model = try TestModels.elman(Float.self, vocabulary: V, embedding: H, hidden: H,
                                         activation: "tanh", tied: true, bias: true)
        TestModels.randomize(model, seed: 3, range: 0.1)
        let pattern: [Int32] = (0..<(T * B + B)).map { Int32(($0 / B) % V) }
        let inputs = Array(pattern[0..<(T * B)]), targets = Array(pattern[B...])
        let sgd = SGD<Float>()
        var first = 0.0, last = 0.0
        for k in 0..<200 {
            model.zeroGradients()
            let loss = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: model.zeroState(batch: B))
            if k == 0 { first = loss }
            last = loss
            sgd.update(model.parameters, learningRate: 0.5, gradientScale: clipScale(model.parameters, maxNorm: 5).scale)
        }
        XCTAssertLessThan(last, 0.1 * first, "loss went from \(first) to \(last)")
    }
}

import Foundation
