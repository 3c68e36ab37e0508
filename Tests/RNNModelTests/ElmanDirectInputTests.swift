// The Elman cell without its input matrix (`direct`) is the Elman cell with W = I: the same
// losses, final states and gradients of every other parameter, in one layer and in a stack of two,
// with each bias layout. (Its finite-difference checks are in CellGradientCheckTests.)

import RNNModel
import RNNTensor
import XCTest

final class ElmanDirectInputTests: XCTestCase {
    /// Sets W of every Elman layer that has one to the identity.
    private func setIdentity(_ model: LanguageModel<Double>) {
        for p in model.parameters where p.role == .input {
            let n = p.shape[0]
            p.value.fill(0)
            for i in 0..<n { p.value[i * n + i] = 1 }
        }
    }

    func testDirectInputIsTheProjectionWithTheIdentity() throws {
        let V = 7, H = 4, B = 3, T = 5
        for layers in [1, 2] { for bias in [CellBias.none, .single, .split] {
            let direct = try TestModels.model(Double.self, cell: "elman-direct", layers: layers, vocabulary: V, embedding: H, hidden: H,
                                              tied: false, bias: bias)
            let projected = try TestModels.model(Double.self, cell: "elman", layers: layers, vocabulary: V, embedding: H, hidden: H,
                                                 tied: false, bias: bias)
            TestModels.randomize(direct, seed: 3, range: 0.7)
            for p in projected.parameters where p.role != .input {
                let q = try XCTUnwrap(direct.parameter(named: p.name), p.name)
                p.value.copy(from: q.value)
            }
            setIdentity(projected)
            // Every layer's W is gone (each takes its input as it is: E = H).
            let missing = Set(projected.parameters.map(\.name)).subtracting(direct.parameters.map(\.name))
            XCTAssertEqual(missing, layers == 1 ? ["cell.W"] : ["cell.l0.W", "cell.l1.W"])
            let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 1), targets = TestModels.tokens(T * B, vocabulary: V, seed: 2)
            let h0 = CellGradientCheckTests.initialState(batch: B, size: direct.cell.stateSize, truncated: true)
            let sd = Tensor<Double>(shape: [B, direct.cell.stateSize], values: h0)
            let sp = Tensor<Double>(shape: [B, projected.cell.stateSize], values: h0)
            direct.zeroGradients()
            projected.zeroGradients()
            let ld = direct.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: sd)
            let lp = projected.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: sp)
            let what = "layers \(layers), bias \(bias)"
            XCTAssertEqual(ld, lp, accuracy: 1e-13, what)
            XCTAssertLessThan(relativeError(sd.array, sp.array), 1e-13, what)
            for p in direct.parameters {
                let q = try XCTUnwrap(projected.parameter(named: p.name))
                XCTAssertLessThan(relativeError(p.grad.array, q.grad.array), 1e-12, "\(what): \(p.name)")
            }
        } }
    }
}
