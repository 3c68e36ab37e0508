// The hierarchical softmax and NCE compute each logistic unit's loss −log σ(±x) and its gradient
// σ(·) from one exponential (LogisticLoss.swift). These tests recompute every unit with the loss
// and σ written out separately, each with its own exponential, as the layers did before, and
// require the same bits: the summed loss, and each unit's gradient as it lands in the bias
// gradient (one row, so a bias gradient entry is the sum of that word's or node's units in order).
//
// Shapes: H = hidden size, V = vocabulary size, L = a path's length, k = noise words.

import Foundation
import RNNModel
import RNNTensor
import XCTest

final class SharedExponentialTests: XCTestCase {
    let counts = [50, 3, 20, 1, 7, 7, 2, 30, 5, 0, 11, 400, 1]
    var V: Int { counts.count }
    let H = 5

    /// −log σ(z) and σ(z), each computed on its own.
    func negativeLogSigmoid(_ z: Double) -> Double { max(-z, 0) + log1p(exp(-abs(z))) }
    func logistic(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + exp(-z)) }
        let e = exp(z)
        return e / (1 + e)
    }

    func randomize(_ parameters: [Parameter<Double>], seed: UInt64, range: Double) {
        var rng = Xoshiro256(seed: seed)
        for p in parameters { Initializer.uniform(range: range).fill(p.value, using: &rng) }
    }

    /// s = G h for the rows of `weight` listed, through the same BLAS call the layers make.
    /// A [1, H] hidden state uniform in ±2.
    func randomHidden(seed: UInt64) -> Tensor<Double> {
        var rng = Xoshiro256(seed: seed)
        return Tensor<Double>(shape: [1, H], values: (0..<H).map { _ in rng.uniform(-2, 2) })
    }

    /// The loss of one token through `layer`, its gradients zeroed first and left in place.
    func oneTokenLoss(_ layer: some OutputLayer<Double>, target: Int, hidden: Tensor<Double>, scale: Double) -> Double {
        for p in layer.parameters { p.grad.zero() }
        let dH = Tensor<Double>(zeros: [1, H])
        return [Int32(target)].withUnsafeBufferPointer {
            layer.lossAndGradient(hidden: hidden.matrix, targets: $0.baseAddress!, gradScale: scale, hiddenGradient: dH.matrix)
        }
    }

    func scores(_ weight: Parameter<Double>, rows: [Int], hidden h: UnsafePointer<Double>) -> [Double] {
        let G = Tensor<Double>(zeros: [rows.count, H])
        for (i, row) in rows.enumerated() { for j in 0..<H { G.data[i * H + j] = weight.value.data[row * H + j] } }
        var s = [Double](repeating: 0, count: rows.count)
        s.withUnsafeMutableBufferPointer {
            Double.blasGemv(trans: false, m: rows.count, n: H, alpha: 1, a: G.data, lda: H, x: h, beta: 0, y: $0.baseAddress!)
        }
        return s
    }

    func testHierarchicalSoftmaxUnitsAreTheBitsOfSeparateExponentials() {
        // Large weights too, so that some |x| reach the tails where e^−|x| underflows towards 0.
        for range in [0.5, 30.0] {
            let layer = HierarchicalSoftmaxOutput<Double>(counts: counts, hiddenSize: H, bias: true)
            randomize(layer.parameters, seed: 3, range: range)
            let hidden = randomHidden(seed: 4)
            let scale = 0.37
            for w in 0..<V {
                let loss = oneTokenLoss(layer, target: w, hidden: hidden, scale: scale)
                let path = (Int(layer.tree.pathStart[w])..<Int(layer.tree.pathStart[w + 1]))
                let nodes = path.map { Int(layer.tree.pathNodes[$0]) }
                let s = scores(layer.nodeWeight, rows: nodes, hidden: hidden.data)
                var expected = 0.0
                for (i, node) in nodes.enumerated() {
                    let x = s[i] + layer.nodeBias!.value.data[node]
                    let sign: Double = layer.tree.pathBits[path.lowerBound + i] == 0 ? 1 : -1
                    let z = sign * x
                    expected += negativeLogSigmoid(z)
                    let gradient = -sign * logistic(-z) * scale
                    XCTAssertEqual(layer.nodeBias!.grad.data[node].bitPattern, gradient.bitPattern, "word \(w), node \(node), x \(x)")
                }
                XCTAssertEqual(loss.bitPattern, expected.bitPattern, "word \(w): loss \(loss), expected \(expected)")
            }
        }
    }

    func testNCEUnitsAreTheBitsOfSeparateExponentials() {
        for range in [0.5, 30.0] {
            let k = 6
            let layer = NCEOutput<Double>(softmax: SoftmaxOutput<Double>(vocabularySize: V, hiddenSize: H, bias: true),
                                          counts: counts, noiseCount: k, power: 0.75, logZ: 1.3, generator: Xoshiro256(seed: 21))
            randomize(layer.parameters, seed: 5, range: range)
            let hidden = randomHidden(seed: 6)
            let shift = log(Double(k)) + layer.logZ
            let scale = 0.29
            for t in 0..<V {
                let loss = oneTokenLoss(layer, target: t, hidden: hidden, scale: scale)
                let words = [t] + layer.noiseWords(row: 0).map(Int.init)
                let s = scores(layer.weight, rows: words, hidden: hidden.data)
                var expected = 0.0
                var biasGradient = [Double](repeating: 0, count: V)
                for (j, w) in words.enumerated() {
                    let delta = s[j] - (layer.noise.logProbabilities[w] + shift) + layer.bias!.value.data[w]
                    if j == 0 {
                        expected += negativeLogSigmoid(delta)
                        biasGradient[w] += (logistic(delta) - 1) * scale
                    } else {
                        expected += negativeLogSigmoid(-delta)
                        biasGradient[w] += logistic(delta) * scale
                    }
                }
                XCTAssertEqual(loss.bitPattern, expected.bitPattern, "target \(t): loss \(loss), expected \(expected)")
                for w in 0..<V {
                    XCTAssertEqual(layer.bias!.grad.data[w].bitPattern, biasGradient[w].bitPattern, "target \(t), word \(w)")
                }
            }
        }
    }
}
