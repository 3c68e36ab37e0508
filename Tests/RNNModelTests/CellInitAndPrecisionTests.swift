// Roles and initialisation by role (orthogonal per gate block, the LSTM forget-gate bias), stable
// parameter names, and the Float path (SIMD gate kernels) against Double.

import RNNModel
import RNNTensor
import XCTest

final class CellInitAndPrecisionTests: XCTestCase {
    func testParameterNamesAndRolesAreStable() throws {
        let elman = try TestModels.elman(Double.self, vocabulary: 5, embedding: 3, hidden: 3, activation: "tanh", tied: false, bias: true)
        XCTAssertEqual(elman.parameters.map(\.name), ["embedding", "cell.W", "cell.U", "cell.b", "output.weight", "output.bias"])
        XCTAssertEqual(elman.parameters.map(\.role), [.embedding, .input, .recurrent, .bias, .output, .bias])

        let lstm = try TestModels.model(Double.self, cell: "lstm", layers: 2, vocabulary: 5, embedding: 3, hidden: 3, tied: true, bias: .split)
        XCTAssertEqual(lstm.parameters.map(\.name), ["embedding", "cell.l0.W", "cell.l0.U", "cell.l0.b_ih", "cell.l0.b_hh",
                                                     "cell.l1.W", "cell.l1.U", "cell.l1.b_ih", "cell.l1.b_hh", "output.bias"])
        XCTAssertEqual(lstm.parameters.map(\.role), [.embedding, .input, .recurrent, .bias, .bias, .input, .recurrent, .bias, .bias, .bias])
        XCTAssertEqual(lstm.parameter(named: "cell.l1.U")?.shape, [12, 3])
        XCTAssertEqual(lstm.parameter(named: "cell.l0.W")?.gates, ["i", "f", "g", "o"])
        XCTAssertEqual(lstm.cell.stateSize, 12, "two layers of [h | c]")

        let gru = try TestModels.model(Double.self, cell: "gru", layers: 1, vocabulary: 5, embedding: 2, hidden: 3, tied: false, bias: .split)
        XCTAssertEqual(gru.parameters.map(\.name), ["embedding", "cell.W", "cell.U", "cell.b_ih", "cell.b_hh", "output.weight", "output.bias"])
        XCTAssertEqual(gru.parameter(named: "cell.W")?.shape, [9, 2])
        XCTAssertEqual(gru.parameter(named: "cell.U")?.gates, ["r", "z", "n"])
    }

    func testOrthogonalRecurrentInitIsPerGateBlockAndForgetBiasIsSplit() throws {
        let H = 4
        for bias in [CellBias.single, .split] {
            let model = try TestModels.model(Double.self, cell: "lstm", layers: 2, vocabulary: 6, embedding: 3, hidden: H, tied: false, bias: bias)
            let roles = RoleInitialization(embedding: .uniform(range: 0.1), input: .xavierUniform(gain: 1), recurrent: .orthogonal(gain: 1),
                                           output: .uniform(range: 0.1), bias: .uniform(range: 0.1), forgetGateBias: 1)
            var rng = Xoshiro256(seed: 1)
            roles.apply(to: model.parameters, using: &rng)
            for l in 0..<2 {
                let U = try XCTUnwrap(model.parameter(named: "cell.l\(l).U"))
                for block in 0..<4 {
                    // Rows of each (H, H) block are orthonormal: Q Qᵀ = I.
                    for r in 0..<H { for s in 0..<H {
                        var dot = 0.0
                        for k in 0..<H { dot += U.value[(block * H + r) * H + k] * U.value[(block * H + s) * H + k] }
                        XCTAssertEqual(dot, r == s ? 1 : 0, accuracy: 1e-12, "layer \(l) block \(block)")
                    } }
                }
                let biases = model.parameters.filter { $0.role == .bias && $0.name.hasPrefix("cell.l\(l).") }
                XCTAssertEqual(biases.count, bias == .split ? 2 : 1)
                for j in 0..<H {
                    XCTAssertEqual(biases.reduce(0) { $0 + $1.value[H + j] }, 1, accuracy: 1e-15, "total forget-gate bias")
                    XCTAssertLessThanOrEqual(abs(biases[0].value[j]), 0.1, "the input gate keeps the bias rule's values")
                }
            }
        }
    }

    func testSameSeedSameInitialisation() throws {
        func draw(seed: UInt64) throws -> [[Double]] {
            let model = try TestModels.model(Double.self, cell: "gru", layers: 2, vocabulary: 6, embedding: 3, hidden: 3, tied: false, bias: .split)
            let roles = RoleInitialization(embedding: .normal(std: 0.1), input: .uniform(range: 0.2), recurrent: .orthogonal(gain: 1),
                                           output: .uniform(range: 0.1), bias: .zeros)
            var rng = Xoshiro256(seed: seed)
            roles.apply(to: model.parameters, using: &rng)
            return model.parameters.map(\.value.array)
        }
        XCTAssertEqual(try draw(seed: 4), try draw(seed: 4))
        XCTAssertNotEqual(try draw(seed: 4), try draw(seed: 5))
    }

    /// The Float forward (SIMD kernels, with full vectors and a tail: H = 37) stays within Float
    /// rounding of the Double forward on the same parameters.
    func testFloatKernelsMatchDouble() throws {
        let V = 11, H = 37, B = 3, T = 4
        for cell in ["elman", "lstm", "gru"] {
            let double = try TestModels.model(Double.self, cell: cell, layers: 2, vocabulary: V, embedding: H, hidden: H, tied: true, bias: .split)
            let float = try TestModels.model(Float.self, cell: cell, layers: 2, vocabulary: V, embedding: H, hidden: H, tied: true, bias: .split)
            TestModels.randomize(double, seed: 6, range: 0.5)
            for (d, f) in zip(double.parameters, float.parameters) { for i in 0..<d.count { f.value[i] = Float(d.value[i]) } }
            let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 1), targets = TestModels.tokens(T * B, vocabulary: V, seed: 2)
            let sd = double.zeroState(batch: B), sf = float.zeroState(batch: B)
            for i in 0..<sd.count { sd[i] = Double(i % 7) / 7 - 0.4; sf[i] = Float(sd[i]) }
            double.zeroGradients(); float.zeroGradients()
            let ld = double.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: sd)
            let lf = float.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: sf)
            XCTAssertEqual(lf, ld, accuracy: 1e-5 * ld, cell)
            XCTAssertLessThan(relativeError(sf.array.map(Double.init), sd.array), 1e-5, "\(cell) final state")
            for (d, f) in zip(double.parameters, float.parameters) {
                XCTAssertLessThan(relativeError(f.grad.array.map(Double.init), d.grad.array), 1e-4, "\(cell) grad \(d.name)")
            }
        }
    }

    func testVectorSigmoidIsAccurate() {
        let xs = (0..<2001).map { Float($0 - 1000) / 50 }   // [-20, 20]
        var ys = [Float](repeating: 0, count: xs.count)
        sigmoidFloat(xs, &ys, count: xs.count)
        var worst = 0.0
        for (x, y) in zip(xs, ys) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            worst = max(worst, abs(Double(y) - exact) / exact)
        }
        XCTAssertLessThan(worst, 4e-7)
    }
}

import Foundation
