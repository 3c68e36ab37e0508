// Finite-difference gradient checks in Double for the plugin's IndRNN cell inside a whole
// language model (embedding → cell or a stack of two → softmax), tied and untied, with and
// without bias, tanh and relu, full and truncated BPTT; that the check can fail; that backward
// adds into the gradients; the state carried between chunks; and the cell as the registry
// builds it from the experiment file.

import PluginCells
import RNNData
import RNNExperiments
import RNNModel
import RNNTensor
import XCTest

final class IndRNNGradientCheckTests: XCTestCase {
    /// A language model over `layers` IndRNN layers (a plain cell for one, else a `StackedCell`
    /// named by `StackedCell.layerPrefix`, as the registry names them).
    static func model(layers: Int, vocabulary V: Int, embedding E: Int, hidden H: Int, activation: any Activation,
                      tied: Bool, bias: Bool) throws -> LanguageModel<Double> {
        let embedding = Embedding<Double>(vocabularySize: V, embeddingSize: E)
        let cell: any RecurrentCell<Double> = layers == 1
            ? IndRNNCell<Double>(inputSize: E, hiddenSize: H, activation: activation, bias: bias)
            : StackedCell<Double>(count: layers, inputSize: E) { input, prefix in
                IndRNNCell<Double>(inputSize: input, hiddenSize: H, activation: activation, bias: bias, namePrefix: prefix)
            }
        let output = tied
            ? SoftmaxOutput<Double>(weight: embedding.table, tied: true, bias: bias)
            : SoftmaxOutput<Double>(vocabularySize: V, hiddenSize: H, bias: bias)
        return try LanguageModel(embedding: embedding, cell: cell, output: output)
    }

    /// Every parameter uniform in ±range; then u in [0.2, 0.9] so that the recurrence matters.
    static func randomize(_ model: LanguageModel<Double>, seed: UInt64, range: Double) {
        var rng = Xoshiro256(seed: seed)
        for p in model.parameters { Initializer.uniform(range: range).fill(p.value, using: &rng) }
        for p in model.parameters where p.role == .recurrent {
            for i in 0..<p.count { p.value[i] = rng.uniform(0.2, 0.9) }
        }
    }

    static func tokens(_ n: Int, vocabulary V: Int, seed: UInt64) -> [Int32] {
        var rng = Xoshiro256(seed: seed)
        return (0..<n).map { _ in Int32(rng.next() % UInt64(V)) }
    }

    /// A random initial state (B, S) for truncated BPTT (positive, as relu states are), zeros for full BPTT.
    static func initialState(batch B: Int, size S: Int, truncated: Bool) -> [Double] {
        guard truncated else { return [Double](repeating: 0, count: B * S) }
        var rng = Xoshiro256(seed: 3)
        return (0..<(B * S)).map { _ in rng.uniform(0, 0.9) }
    }

    /// The largest relative error of each parameter's gradient against central differences,
    /// |numeric − analytic| / max(1e-4, |numeric| + |analytic|) with ε = 1e-5: rnnlab's own
    /// `FiniteDifferences` (same step and floor) lives in its test target, which a plugin cannot import.
    static func gradientErrors(_ model: LanguageModel<Double>, inputs: [Int32], targets: [Int32], steps T: Int, batch B: Int,
                               initialState h0: [Double], corrupt: (String, inout [Double]) -> Void = { _, _ in }) -> [(name: String, error: Double, nonzero: Bool)] {
        let S = model.cell.stateSize
        func lossAt() -> Double {
            model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: Tensor(shape: [B, S], values: h0)) / Double(T * B)
        }
        model.zeroGradients()
        _ = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: Tensor(shape: [B, S], values: h0))
        return model.parameters.map { p in
            var analytic = p.grad.array
            corrupt(p.name, &analytic)
            var worst = 0.0
            for i in 0..<p.count {
                let saved = p.value[i], eps = 1e-5
                p.value[i] = saved + eps
                let plus = lossAt()
                p.value[i] = saved - eps
                let minus = lossAt()
                p.value[i] = saved
                let numeric = (plus - minus) / (2 * eps)
                worst = max(worst, abs(numeric - analytic[i]) / max(1e-4, abs(numeric) + abs(analytic[i])))
            }
            return (p.name, worst, analytic.contains { $0 != 0 })
        }
    }

    func checkGradients(layers: Int, tied: Bool, bias: Bool, activation: any Activation, truncated: Bool,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let V = 5, H = 3, E = tied ? 3 : 2, B = 2, T = 4
        let model = try Self.model(layers: layers, vocabulary: V, embedding: E, hidden: H, activation: activation, tied: tied, bias: bias)
        Self.randomize(model, seed: 42, range: 0.8)
        let h0 = Self.initialState(batch: B, size: model.cell.stateSize, truncated: truncated)
        let errors = Self.gradientErrors(model, inputs: Self.tokens(T * B, vocabulary: V, seed: 7),
                                         targets: Self.tokens(T * B, vocabulary: V, seed: 8), steps: T, batch: B, initialState: h0)
        let what = "layers=\(layers) tied=\(tied) bias=\(bias) \(activation.name) truncated=\(truncated)"
        XCTAssertEqual(errors.count, model.parameters.count, file: file, line: line)
        for e in errors {
            XCTAssertTrue(e.nonzero || e.name == "embedding", "\(what): \(e.name) got no gradient", file: file, line: line)
            XCTAssertLessThan(e.error, 1e-6, "\(what): \(e.name)", file: file, line: line)
        }
    }

    func testOneAndTwoLayersTiedAndUntiedWithAndWithoutBias() throws {
        for layers in [1, 2] { for tied in [false, true] { for bias in [false, true] {
            for activation: any Activation in [Tanh(), ReLU()] { for truncated in [false, true] {
                try checkGradients(layers: layers, tied: tied, bias: bias, activation: activation, truncated: truncated)
            } }
        } } }
    }

    /// The check must be able to fail: 1% off in the recurrent weights' gradient of one layer is caught.
    func testCheckDetectsAWrongGradient() throws {
        let model = try Self.model(layers: 2, vocabulary: 5, embedding: 3, hidden: 3, activation: Tanh(), tied: true, bias: true)
        Self.randomize(model, seed: 1, range: 0.8)
        let errors = Self.gradientErrors(model, inputs: Self.tokens(8, vocabulary: 5, seed: 2), targets: Self.tokens(8, vocabulary: 5, seed: 3),
                                         steps: 4, batch: 2, initialState: [Double](repeating: 0, count: 12)) { name, g in
            if name == "cell.l0.u" { g[1] *= 1.01 }
        }
        let u0 = try XCTUnwrap(errors.first { $0.name == "cell.l0.u" })
        XCTAssertGreaterThan(u0.error, 1e-4)
        XCTAssertLessThan(try XCTUnwrap(errors.first { $0.name == "cell.l1.u" }).error, 1e-6)
    }

    /// Backward adds into `Parameter.grad` (zeroing is the model's separate step): gradients
    /// that start at 1 end at 1 + the gradient from zero. Finite differences alone cannot see
    /// this, since they always start from zeroed gradients.
    func testBackwardAddsIntoGradients() throws {
        let model = try Self.model(layers: 2, vocabulary: 5, embedding: 3, hidden: 3, activation: Tanh(), tied: false, bias: true)
        Self.randomize(model, seed: 4, range: 0.8)
        let inputs = Self.tokens(8, vocabulary: 5, seed: 5), targets = Self.tokens(8, vocabulary: 5, seed: 6)
        model.zeroGradients()
        _ = model.forwardBackward(inputs: inputs, targets: targets, steps: 4, batch: 2, state: model.zeroState(batch: 2))
        let fromZero = model.parameters.map { $0.grad.array }
        for p in model.parameters { p.grad.fill(1) }
        _ = model.forwardBackward(inputs: inputs, targets: targets, steps: 4, batch: 2, state: model.zeroState(batch: 2))
        for (p, g) in zip(model.parameters, fromZero) where p.name.hasPrefix("cell.") {
            XCTAssertEqual(zip(p.grad.array, g).map { abs($0 - 1 - $1) }.max()!, 0, accuracy: 1e-14, "\(p.name) was overwritten, not added into")
        }
    }

    /// A chunk run in two halves, the state carried between them, gives the losses and final
    /// state of the chunk run whole.
    func testStateCarriesAcrossChunks() throws {
        let V = 6, H = 4, B = 3, T = 4
        let model = try Self.model(layers: 2, vocabulary: V, embedding: H, hidden: H, activation: ReLU(), tied: true, bias: true)
        Self.randomize(model, seed: 5, range: 0.7)
        let inputs = Self.tokens(T * B, vocabulary: V, seed: 1), targets = Self.tokens(T * B, vocabulary: V, seed: 2)
        let h0 = Self.initialState(batch: B, size: model.cell.stateSize, truncated: true)
        let whole = Tensor<Double>(shape: [B, model.cell.stateSize], values: h0)
        let wholeLoss = model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: whole)
        let halves = Tensor<Double>(shape: [B, model.cell.stateSize], values: h0)
        let half = T / 2 * B
        let first = model.loss(inputs: Array(inputs[..<half]), targets: Array(targets[..<half]), steps: T / 2, batch: B, state: halves)
        let second = model.loss(inputs: Array(inputs[half...]), targets: Array(targets[half...]), steps: T / 2, batch: B, state: halves)
        XCTAssertEqual(first + second, wholeLoss, accuracy: 1e-12)
        XCTAssertEqual(halves.array, whole.array)
        XCTAssertNotEqual(whole.array, h0, "the state should advance")
    }

    /// The experiment file, through the registry the plugin starts the CLI with: one and two
    /// layers, names prefixed per layer, roles as the cell sets them, u filled by the recurrent rule.
    func testTheRegistryBuildsTheExperimentsCellInOneAndTwoLayers() throws {
        var registry = ComponentRegistry.builtin
        try registry.register(cell: .indrnn)
        XCTAssertTrue(registry.catalogue(.cell).contains { $0.name == "indrnn" })
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments/indrnn.yaml").path
        let small = ["data.train_tokens=400", "data.valid_tokens=100", "data.test_tokens=100"]
        for layers in [1, 2] {
            let config = try ExperimentLoader(registry: registry).load(path: path, overrides: small + ["model.layers=\(layers)"]).config
            let corpus = try ExperimentRunner(registry: registry).loadCorpus(config, dataRoot: nil)
            let model = try registry.buildModel(config, corpus: corpus, threads: 1).model
            XCTAssertEqual(model.cell.summary, layers == 1 ? "indrnn(relu)" : "2×indrnn(relu)")
            let prefixes = layers == 1 ? ["cell."] : ["cell.l0.", "cell.l1."]
            let cellParameters = model.parameters.filter { $0.name.hasPrefix("cell.") }
            XCTAssertEqual(cellParameters.map(\.name), prefixes.flatMap { [$0 + "W", $0 + "u", $0 + "b"] })
            XCTAssertEqual(cellParameters.map(\.role), prefixes.flatMap { _ in [ParameterRole.input, .recurrent, .bias] })
            for p in cellParameters where p.role == .recurrent {
                XCTAssertTrue(p.value.array.allSatisfy { abs($0) <= 1 } && p.value.array.contains { abs($0) > 0.25 },
                              "\(p.name): the experiment's recurrent rule (uniform, range 1) fills u, not pytorch_rnn's ±1/√H")
            }
        }
    }
}
