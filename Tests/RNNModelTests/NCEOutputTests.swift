// NCE: finite-difference gradients of the NCE objective with the noise words held fixed (the
// hidden input and every parameter, untied and tied, alone and inside a model), the objective
// against a hand-written one, the normalised evaluation against the full softmax on the same
// weights, and the noise distribution and its sampler.

import Foundation
import RNNModel
import RNNTensor
import XCTest

final class NCEOutputTests: XCTestCase {
    let counts = [50, 3, 20, 1, 7, 7, 2, 30, 5, 0, 11]
    var V: Int { counts.count }
    let H = 4

    func randomize(_ parameters: [Parameter<Double>], seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        for p in parameters { Initializer.uniform(range: 0.9).fill(p.value, using: &rng) }
    }

    func randomHidden(rows: Int, seed: UInt64) -> Tensor<Double> {
        var rng = Xoshiro256(seed: seed)
        return Tensor(shape: [rows, H], values: (0..<(rows * H)).map { _ in rng.uniform(-1.5, 1.5) })
    }

    func layer(bias: Bool, tiedTo table: Parameter<Double>? = nil, k: Int = 5, power: Double = 0.75) -> NCEOutput<Double> {
        let softmax = table.map { SoftmaxOutput<Double>(weight: $0, tied: true, bias: bias) }
            ?? SoftmaxOutput<Double>(vocabularySize: V, hiddenSize: H, bias: bias)
        let l = NCEOutput<Double>(softmax: softmax, counts: counts, noiseCount: k, power: power, logZ: 1.3, generator: Xoshiro256(seed: 21))
        randomize(l.parameters, seed: 4)
        return l
    }

    /// The NCE objective of one row by hand, from the layer's parameters and drawn noise.
    func handObjective(_ l: NCEOutput<Double>, hidden: MatrixRef<Double>, targets: [Int32]) -> Double {
        var total = 0.0
        for r in 0..<hidden.rows {
            func delta(_ w: Int) -> Double {
                var s = (l.bias?.value[w] ?? 0) - l.logZ
                for j in 0..<H { s += l.weight.value[w * H + j] * hidden[r, j] }
                return s - log(Double(l.noiseCount) * l.noise.probabilities[w])
            }
            total += log(1 + exp(-delta(Int(targets[r]))))
            for w in l.noiseWords(row: r) { total += log(1 + exp(delta(Int(w)))) }
        }
        return total
    }

    func testObjectiveGradientsMatchFiniteDifferencesWithTheNoiseHeldFixed() {
        for tied in [false, true] { for bias in [false, true] {
            let table = Parameter<Double>(name: "embedding", shape: [V, H], role: .embedding)
            let l = layer(bias: bias, tiedTo: tied ? table : nil)
            XCTAssertEqual(l.parameters.count, bias ? 2 : 1)
            if tied { XCTAssertTrue(l.weight === table, "tied: the weights are the embedding table") }
            let n = 6
            let hidden = randomHidden(rows: n, seed: 5)
            let targets: [Int32] = [0, 9, 3, 7, 3, 10]
            let scale = 0.37
            for p in l.parameters { p.grad.zero() }
            let dH = Tensor<Double>(zeros: [n, H])
            dH.fill(99)
            let loss = l.lossAndGradient(hidden: hidden.matrix, targets: targets, gradScale: scale, hiddenGradient: dH.matrix)
            XCTAssertEqual(l.drawnRows, n)
            XCTAssertEqual(loss, l.objective(hidden: hidden.matrix, targets: targets), accuracy: 1e-13)
            XCTAssertEqual(loss, handObjective(l, hidden: hidden.matrix, targets: targets), accuracy: 1e-12)
            func lossAt() -> Double { scale * l.objective(hidden: hidden.matrix, targets: targets) }
            for p in l.parameters {
                XCTAssertLessThan(FiniteDifferences.worstError(p, analytic: p.grad.array, loss: lossAt), 1e-7, "tied=\(tied) bias=\(bias) \(p.name)")
            }
            let numeric = FiniteDifferences.gradient(at: hidden.array) { x in
                let perturbed = Tensor(shape: [n, H], values: x)   // kept alive while its view is read
                return withExtendedLifetime(perturbed) { scale * l.objective(hidden: perturbed.matrix, targets: targets) }
            }
            for i in 0..<(n * H) {
                XCTAssertLessThan(FiniteDifferences.relativeError(numeric: numeric[i], analytic: dH[i]), 1e-7, "tied=\(tied) bias=\(bias) dh[\(i)]")
            }
        } }
    }

    func testModelGradientsMatchFiniteDifferencesTiedAndUntied() throws {
        for tied in [false, true] {
            let B = 2, T = 3
            let embedding = Embedding<Double>(vocabularySize: V, embeddingSize: H)
            let softmax = tied ? SoftmaxOutput<Double>(weight: embedding.table, tied: true, bias: true)
                               : SoftmaxOutput<Double>(vocabularySize: V, hiddenSize: H, bias: true)
            let nce = NCEOutput<Double>(softmax: softmax, counts: counts, noiseCount: 4, power: 1)
            let m = try LanguageModel(embedding: embedding, cell: ElmanCell<Double>(inputSize: H, hiddenSize: H, activation: Tanh(), bias: true),
                                      output: nce)
            TestModels.randomize(m, seed: 4, range: 0.9)
            let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 11), targets = TestModels.tokens(T * B, vocabulary: V, seed: 12)
            m.zeroGradients()
            let loss = m.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: m.zeroState(batch: B))
            // The same forward, then the objective on the noise forwardBackward drew.
            func lossAt() -> Double {
                let X = Tensor<Double>(zeros: [T * B, H])
                m.embedding.forward(tokens: inputs, count: T * B, into: X.matrix)
                let state = m.zeroState(batch: B)
                return withExtendedLifetime((X, state)) {
                    let hidden = m.cell.forward(inputs: X.matrix, steps: T, batch: B, state: state.matrix)
                    return nce.objective(hidden: hidden, targets: targets) / Double(T * B)
                }
            }
            XCTAssertEqual(loss, lossAt(), accuracy: 1e-13)
            for p in m.parameters {
                XCTAssertLessThan(FiniteDifferences.worstError(p, analytic: p.grad.array, loss: lossAt), 1e-5, "tied=\(tied) \(p.name)")
            }
        }
    }

    func testEvaluationIsTheFullSoftmaxOfTheSameWeights() {
        for bias in [false, true] {
            let l = layer(bias: bias)
            let reference = SoftmaxOutput<Double>(vocabularySize: V, hiddenSize: H, bias: bias)
            for (a, b) in zip(reference.parameters, l.parameters) { a.value.copy(from: b.value) }
            let n = 7
            let hidden = randomHidden(rows: n, seed: 6)
            let targets: [Int32] = [0, 1, 2, 9, 10, 4, 4]
            let nceLoss = l.loss(hidden: hidden.matrix, targets: targets)
            XCTAssertEqual(nceLoss, reference.loss(hidden: hidden.matrix, targets: targets), accuracy: 1e-12)
            // By hand: −log softmax(W h + c)[t], log Z playing no part.
            var hand = 0.0
            for r in 0..<n {
                let logits = (0..<V).map { w in (0..<H).reduce(l.bias?.value[w] ?? 0) { $0 + l.weight.value[w * H + $1] * hidden.matrix[r, $1] } }
                let m = logits.max()!
                hand -= logits[Int(targets[r])] - m - log(logits.reduce(0) { $0 + exp($1 - m) })
            }
            XCTAssertEqual(nceLoss, hand, accuracy: 1e-12)
            let out = Tensor<Double>(zeros: [n, V]), expected = Tensor<Double>(zeros: [n, V])
            l.logProbabilities(hidden: hidden.matrix, into: out.matrix)
            reference.logProbabilities(hidden: hidden.matrix, into: expected.matrix)
            for i in 0..<(n * V) { XCTAssertEqual(out[i], expected[i], accuracy: 1e-12) }
            for r in 0..<n { XCTAssertEqual((0..<V).reduce(0.0) { $0 + exp(out.matrix[r, $1]) }, 1, accuracy: 1e-12) }
            XCTAssertEqual(l.drawnRows, 0, "evaluation draws no noise")
        }
    }

    func testTheTrainingLossIsLabelledAndTheGeneratorIsItsState() throws {
        let l = layer(bias: true)
        XCTAssertEqual(l.trainingLoss, .surrogate("nce"))
        XCTAssertFalse(l.trainingLoss.isCrossEntropy)
        let saved = try XCTUnwrap(l.randomGenerator)
        l.drawNoise(rows: 3)
        let first = (0..<3).map { l.noiseWords(row: $0) }
        l.drawNoise(rows: 3)
        XCTAssertNotEqual((0..<3).map { l.noiseWords(row: $0) }, first, "fresh noise for the next chunk")
        l.randomGenerator = saved
        l.drawNoise(rows: 3)
        XCTAssertEqual((0..<3).map { l.noiseWords(row: $0) }, first, "the restored generator draws the same noise")
    }

    func testNoiseDistributionAndSampler() {
        let q = NoiseDistribution(counts: counts, power: 0.75)
        let weights = counts.map { pow(Double(max($0, 1)), 0.75) }
        let total = weights.reduce(0, +)
        for w in 0..<V {
            XCTAssertEqual(q.probabilities[w], weights[w] / total, accuracy: 1e-15)
            XCTAssertEqual(q.logProbabilities[w], log(weights[w] / total), accuracy: 1e-13)
        }
        XCTAssertEqual(NoiseDistribution(counts: counts, power: 0).probabilities, [Double](repeating: 1 / Double(V), count: V))
        // Empirical frequencies of 400 000 draws within 5 standard deviations of q.
        var rng = Xoshiro256(seed: 77)
        let draws = 400_000
        var seen = [Int](repeating: 0, count: V)
        for _ in 0..<draws { seen[Int(q.sample(using: &rng))] += 1 }
        for w in 0..<V {
            let p = q.probabilities[w], expected = p * Double(draws)
            let sd = (Double(draws) * p * (1 - p)).squareRoot()
            XCTAssertLessThan(abs(Double(seen[w]) - expected), 5 * sd, "word \(w): \(seen[w]) draws, expected \(expected)")
        }
        // A very skewed distribution: the rare word is drawn about as often as it should be.
        let skewed = NoiseDistribution(counts: [1_000_000, 1], power: 1)
        var rare = 0
        for _ in 0..<draws where skewed.sample(using: &rng) == 1 { rare += 1 }
        XCTAssertLessThan(abs(Double(rare) - Double(draws) / 1_000_001), 5 * (Double(draws) / 1_000_001).squareRoot() + 1)
    }

    func testTheGradientProbeMeasuresTheCrossEntropyAndDrawsNoNoise() throws {
        // The same weights under NCE and under the full softmax: the gradient-through-time probe
        // measures the cross-entropy for both, so the norms agree, and NCE's generator is untouched.
        func make(nce: Bool) throws -> LanguageModel<Double> {
            let embedding = Embedding<Double>(vocabularySize: V, embeddingSize: H)
            let softmax = SoftmaxOutput<Double>(vocabularySize: V, hiddenSize: H, bias: true)
            let output: any OutputLayer<Double> = nce ? NCEOutput<Double>(softmax: softmax, counts: counts, noiseCount: 3, power: 1) : softmax
            let m = try LanguageModel(embedding: embedding, cell: ElmanCell<Double>(inputSize: H, hiddenSize: H, activation: Tanh(), bias: true),
                                      output: output)
            TestModels.randomize(m, seed: 8, range: 0.9)
            return m
        }
        let withNCE = try make(nce: true), plain = try make(nce: false)
        let T = 4, B = 2
        let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 1), targets = TestModels.tokens(T * B, vocabulary: V, seed: 2)
        let generator = withNCE.output.randomGenerator
        let a = try GradientThroughTimeProbe(model: withNCE).measure(inputs: inputs, targets: targets, steps: T, batch: B, state: withNCE.zeroState(batch: B))
        let b = try GradientThroughTimeProbe(model: plain).measure(inputs: inputs, targets: targets, steps: T, batch: B, state: plain.zeroState(batch: B))
        XCTAssertEqual(a, b)
        XCTAssertEqual(withNCE.output.randomGenerator, generator, "the probe must not draw noise")
    }
}
