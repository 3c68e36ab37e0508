// Finite-difference gradient checks in Double for every parameter of the Elman LM: each
// activation, tied and untied, with and without bias, full and truncated BPTT.

import RNNModel
import RNNTensor
import XCTest

final class GradientCheckTests: XCTestCase {
    /// Central differences: d L / d θ_i ≈ (L(θ + εe_i) − L(θ − εe_i)) / 2ε.
    func checkGradients(activation: String, tied: Bool, bias: Bool, truncated: Bool,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let V = 7, H = 5, E = tied ? 5 : 4, B = 2, T = 4
        let model = try TestModels.elman(Double.self, vocabulary: V, embedding: E, hidden: H,
                                         activation: activation, tied: tied, bias: bias)
        TestModels.randomize(model, seed: 42, range: 0.8)
        let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 7)
        let targets = TestModels.tokens(T * B, vocabulary: V, seed: 8)
        // Truncated BPTT starts from a carried, detached state; full BPTT from zeros.
        var h0 = [Double](repeating: 0, count: B * H)
        if truncated {
            var rng = Xoshiro256(seed: 3)
            h0 = h0.map { _ in rng.uniform(-0.9, 0.9) }
        }
        func lossAt() -> Double {
            let state = Tensor<Double>(shape: [B, H], values: h0)
            return model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: state) / Double(T * B)
        }
        model.zeroGradients()
        let state = Tensor<Double>(shape: [B, H], values: h0)
        let loss = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: state)
        XCTAssertEqual(loss, lossAt(), accuracy: 1e-13, "forward and loss disagree", file: file, line: line)

        var checked = 0
        for p in model.parameters {
            let worst = FiniteDifferences.worstError(p, analytic: p.grad.array, loss: lossAt)
            checked += p.count
            XCTAssertLessThan(worst, 1e-5, "\(activation) tied=\(tied) bias=\(bias) truncated=\(truncated): \(p.name)",
                              file: file, line: line)
        }
        XCTAssertEqual(checked, model.parameterCount, file: file, line: line)
    }

    func testAllConfigurations() throws {
        for activation in ["tanh", "relu", "sigmoid"] {
            for tied in [false, true] {
                for bias in [false, true] {
                    for truncated in [false, true] {
                        try checkGradients(activation: activation, tied: tied, bias: bias, truncated: truncated)
                    }
                }
            }
        }
    }

    /// The check itself must be able to fail: a wrong derivative is caught.
    func testCheckDetectsAWrongDerivative() throws {
        struct WrongTanh: ScalarActivation {
            var name: String { "wrong-tanh" }
            func value<T: Real & BinaryFloatingPoint>(_ x: T) -> T { T.tanh(x) }
            func derivative<T: Real & BinaryFloatingPoint>(input x: T, output y: T) -> T { 1 - y * y * 0.9 }
        }
        let V = 5, H = 3, B = 1, T = 3
        let model = try LanguageModel(
            embedding: Embedding<Double>(vocabularySize: V, embeddingSize: H),
            cell: ElmanCell<Double>(inputSize: H, hiddenSize: H, activation: WrongTanh(), bias: true),
            output: SoftmaxOutput<Double>(vocabularySize: V, hiddenSize: H, bias: true))
        TestModels.randomize(model, seed: 1, range: 0.8)
        let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 2), targets = TestModels.tokens(T * B, vocabulary: V, seed: 3)
        model.zeroGradients()
        _ = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: model.zeroState(batch: B))
        let U = model.parameter(named: "cell.U")!
        let numeric = FiniteDifferences.centralDifference(U, 0, step: 1e-6) {
            model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: model.zeroState(batch: B))
        } / Double(T * B)
        XCTAssertGreaterThan(abs(numeric - U.grad[0]) / max(1e-4, abs(numeric) + abs(U.grad[0])), 1e-4)
    }

    func testTiedWithDifferentSizesIsAClearError() {
        XCTAssertThrowsError(try TestModels.elman(Double.self, vocabulary: 5, embedding: 4, hidden: 3,
                                                  activation: "tanh", tied: true, bias: true)) { error in
            XCTAssertEqual("\(error)", "a tied model needs the embedding size equal to the hidden size, got 4 and 3")
        }
    }
}

import RealModule

final class DropoutTests: XCTestCase {
    /// With the masks held fixed (the same generator state for every evaluation), the analytic
    /// gradient of the dropped-out loss matches finite differences.
    func testDropoutGradientsMatchFiniteDifferences() throws {
        let V = 7, H = 5, B = 2, T = 3
        let model = try TestModels.elman(Double.self, vocabulary: V, embedding: H, hidden: H, activation: "tanh", tied: true, bias: true)
        TestModels.randomize(model, seed: 8, range: 0.8)
        model.dropout = DropoutRates(embedding: 0.3, output: 0.4)
        let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 1), targets = TestModels.tokens(T * B, vocabulary: V, seed: 2)
        let start = Xoshiro256(seed: 99)
        func lossAt() -> Double {
            model.dropoutGenerator = start
            return model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: model.zeroState(batch: B))
        }
        model.zeroGradients()
        _ = lossAt()
        let grads = model.parameters.map { $0.grad.array }
        XCTAssertNotEqual(model.dropoutGenerator, start, "dropout should draw from the generator")
        for (k, p) in model.parameters.enumerated() {
            let worst = FiniteDifferences.worstError(p, analytic: grads[k], loss: lossAt)
            XCTAssertLessThan(worst, 1e-5, p.name)
        }
    }

    func testEvaluationIgnoresDropout() throws {
        let model = try TestModels.elman(Double.self, vocabulary: 7, embedding: 5, hidden: 5, activation: "tanh", tied: true, bias: true)
        TestModels.randomize(model, seed: 8, range: 0.8)
        let inputs = TestModels.tokens(6, vocabulary: 7, seed: 1), targets = TestModels.tokens(6, vocabulary: 7, seed: 2)
        let before = model.loss(inputs: inputs, targets: targets, steps: 3, batch: 2, state: model.zeroState(batch: 2))
        model.dropout = DropoutRates(embedding: 0.5, output: 0.5)
        let after = model.loss(inputs: inputs, targets: targets, steps: 3, batch: 2, state: model.zeroState(batch: 2))
        XCTAssertEqual(before, after)
    }
}
