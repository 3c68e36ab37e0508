// Hierarchical softmax: exact normalisation (Σ_w p(w | h) = 1), its loss against its
// log-probabilities and against a hand-written product over the path, and finite-difference
// gradients with respect to the hidden input and every parameter, alone and inside a model.

import Foundation
import RNNModel
import RNNTensor
import XCTest

final class HierarchicalSoftmaxTests: XCTestCase {
    let counts = [50, 3, 20, 1, 7, 7, 2, 30, 5, 0, 11]

    func layer(bias: Bool, seed: UInt64 = 4) -> HierarchicalSoftmaxOutput<Double> {
        let l = HierarchicalSoftmaxOutput<Double>(counts: counts, hiddenSize: 4, bias: bias)
        var rng = Xoshiro256(seed: seed)
        for p in l.parameters { Initializer.uniform(range: 0.9).fill(p.value, using: &rng) }
        return l
    }

    func randomHidden(rows: Int, cols: Int, seed: UInt64) -> Tensor<Double> {
        var rng = Xoshiro256(seed: seed)
        return Tensor(shape: [rows, cols], values: (0..<(rows * cols)).map { _ in rng.uniform(-1.5, 1.5) })
    }

    func testProbabilitiesSumToOneAndMatchTheLossAndTheProductOverThePath() {
        for bias in [false, true] {
            let l = layer(bias: bias)
            let V = counts.count, n = 5
            let hidden = randomHidden(rows: n, cols: 4, seed: 2)
            let out = Tensor<Double>(zeros: [n, V])
            l.logProbabilities(hidden: hidden.matrix, into: out.matrix)
            for r in 0..<n {
                let sum = (0..<V).reduce(0.0) { $0 + exp(out.matrix[r, $1]) }
                XCTAssertEqual(sum, 1, accuracy: 1e-12, "bias=\(bias) row \(r)")
                // The loss of each word as the target, row by row, without logProbabilities.
                var lossSum = 0.0
                for w in 0..<V {
                    let target: [Int32] = [Int32(w)]
                    let loss = l.loss(hidden: hidden.matrix.rows(r..<(r + 1)), targets: target)
                    XCTAssertEqual(-loss, out.matrix[r, w], accuracy: 1e-12, "bias=\(bias) row \(r) word \(w)")
                    lossSum += exp(-loss)
                    // By hand: Π σ(±(v_n · h + b_n)) along the path.
                    var p = 1.0
                    for (node, bit) in zip(l.tree.path(of: w), l.tree.code(of: w)) {
                        var x = l.nodeBias.map { $0.value[node] } ?? 0
                        for j in 0..<4 { x += l.nodeWeight.value[node * 4 + j] * hidden.matrix[r, j] }
                        p *= 1 / (1 + exp(bit == 0 ? -x : x))
                    }
                    XCTAssertEqual(p, exp(-loss), accuracy: 1e-14, "bias=\(bias) row \(r) word \(w)")
                }
                XCTAssertEqual(lossSum, 1, accuracy: 1e-12)
            }
        }
    }

    func testLayerGradientsMatchFiniteDifferencesForTheHiddenInputAndEveryParameter() {
        for bias in [false, true] {
            let l = layer(bias: bias)
            let n = 6, H = 4
            let hidden = randomHidden(rows: n, cols: H, seed: 5)
            let targets: [Int32] = [0, 9, 3, 7, 3, 10]   // a frequent word, a zero-count word, a repeat
            let scale = 0.37
            for p in l.parameters { p.grad.zero() }
            let dH = Tensor<Double>(zeros: [n, H])
            dH.fill(99)   // overwritten, not added to
            let loss = l.lossAndGradient(hidden: hidden.matrix, targets: targets, gradScale: scale, hiddenGradient: dH.matrix)
            XCTAssertEqual(loss, l.loss(hidden: hidden.matrix, targets: targets), accuracy: 1e-13)
            func lossAt() -> Double { scale * l.loss(hidden: hidden.matrix, targets: targets) }
            for p in l.parameters {
                XCTAssertLessThan(FiniteDifferences.worstError(p, analytic: p.grad.array, loss: lossAt), 1e-7, "bias=\(bias) \(p.name)")
            }
            let numeric = FiniteDifferences.gradient(at: hidden.array) { x in
                let perturbed = Tensor(shape: [n, H], values: x)   // kept alive while its view is read
                return withExtendedLifetime(perturbed) { scale * l.loss(hidden: perturbed.matrix, targets: targets) }
            }
            for i in 0..<(n * H) {
                XCTAssertLessThan(FiniteDifferences.relativeError(numeric: numeric[i], analytic: dH[i]), 1e-7, "bias=\(bias) dh[\(i)]: \(dH[i]) analytic, \(numeric[i]) numeric")
            }
            // Gradients accumulate: a second call adds the same again.
            let once = l.nodeWeight.grad.array
            _ = l.lossAndGradient(hidden: hidden.matrix, targets: targets, gradScale: scale, hiddenGradient: dH.matrix)
            for (a, b) in zip(l.nodeWeight.grad.array, once) { XCTAssertEqual(a, 2 * b, accuracy: 1e-14) }
        }
    }

    func testModelGradientsMatchFiniteDifferences() throws {
        for bias in [false, true] {
            let V = counts.count, H = 4, B = 2, T = 3
            let embedding = Embedding<Double>(vocabularySize: V, embeddingSize: H)
            let output = HierarchicalSoftmaxOutput<Double>(counts: counts, hiddenSize: H, bias: bias)
            let m = try LanguageModel(embedding: embedding, cell: ElmanCell<Double>(inputSize: H, hiddenSize: H, activation: Tanh(), bias: bias),
                                      output: output)
            TestModels.randomize(m, seed: 4, range: 0.9)
            let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 11), targets = TestModels.tokens(T * B, vocabulary: V, seed: 12)
            func lossAt() -> Double { m.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: m.zeroState(batch: B)) / Double(T * B) }
            m.zeroGradients()
            let loss = m.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: m.zeroState(batch: B))
            XCTAssertEqual(loss, lossAt(), accuracy: 1e-13)
            for p in m.parameters {
                XCTAssertLessThan(FiniteDifferences.worstError(p, analytic: p.grad.array, loss: lossAt), 1e-5, "bias=\(bias) \(p.name)")
            }
            XCTAssertEqual(m.output.trainingLoss, .crossEntropy)
            XCTAssertNil(m.output.randomGenerator, "the hierarchical softmax draws nothing")
        }
    }

    func testTheCheckCatchesAWrongBranchSign() {
        // The same tree with its bits read the other way round is still normalised, but a loss
        // computed with it differs from this layer's gradients: the finite-difference check would
        // fail. (Guards against a check that cannot fail.)
        let l = layer(bias: true)
        let hidden = randomHidden(rows: 1, cols: 4, seed: 8)
        let target: [Int32] = [1]
        let dH = Tensor<Double>(zeros: [1, 4])
        for p in l.parameters { p.grad.zero() }
        _ = l.lossAndGradient(hidden: hidden.matrix, targets: target, gradScale: 1, hiddenGradient: dH.matrix)
        func mirroredLoss() -> Double {
            var loss = 0.0
            for (node, bit) in zip(l.tree.path(of: 1), l.tree.code(of: 1)) {
                var x = l.nodeBias!.value[node]
                for j in 0..<4 { x += l.nodeWeight.value[node * 4 + j] * hidden.matrix[0, j] }
                loss += log(1 + exp(bit == 0 ? x : -x))
            }
            return loss
        }
        XCTAssertGreaterThan(FiniteDifferences.worstError(l.nodeWeight, analytic: l.nodeWeight.grad.array, loss: mirroredLoss), 0.5)
    }
}
