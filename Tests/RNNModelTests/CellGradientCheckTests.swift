// Finite-difference gradient checks in Double for the Elman (with and without its input matrix),
// LSTM and GRU cells, one layer and a stack of two, tied and untied, with each bias layout, full
// and truncated BPTT; dropout between stacked layers; and the state carried between chunks.

import RNNModel
import RNNTensor
import XCTest

final class CellGradientCheckTests: XCTestCase {
    /// `elman-direct`: the Elman cell without its input matrix (E = H).
    static let cells = ["elman", "elman-direct", "lstm", "gru"]

    /// The bias layouts each cell accepts.
    static func biasLayouts(_ cell: String) -> [CellBias] {
        cell == "gru" ? [.none, .split] : [.none, .single, .split]
    }

    /// A random initial state (B, S) for truncated BPTT, zeros for full BPTT.
    static func initialState(batch B: Int, size S: Int, truncated: Bool) -> [Double] {
        guard truncated else { return [Double](repeating: 0, count: B * S) }
        var rng = Xoshiro256(seed: 3)
        return (0..<(B * S)).map { _ in rng.uniform(-0.9, 0.9) }
    }

    func checkGradients(cell: String, layers: Int, tied: Bool, bias: CellBias, truncated: Bool,
                        dropout: Double = 0, file: StaticString = #filePath, line: UInt = #line) throws {
        let V = 5, H = 3, E = tied || cell == "elman-direct" ? 3 : 2, B = 2, T = 3
        let model = try TestModels.model(Double.self, cell: cell, layers: layers, vocabulary: V, embedding: E, hidden: H,
                                         tied: tied, bias: bias, dropout: dropout)
        if dropout > 0 { model.dropout = DropoutRates(embedding: dropout / 2, output: dropout) }
        TestModels.randomize(model, seed: 42, range: 0.8)
        let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 7), targets = TestModels.tokens(T * B, vocabulary: V, seed: 8)
        let S = model.cell.stateSize
        let h0 = Self.initialState(batch: B, size: S, truncated: truncated)
        let start = Xoshiro256(seed: 99)
        // With dropout, every evaluation redraws the same masks from the same generator state.
        func lossAt() -> Double {
            let state = Tensor<Double>(shape: [B, S], values: h0)
            if dropout > 0 {
                model.dropoutGenerator = start
                return model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: state)
            }
            return model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: state) / Double(T * B)
        }
        model.zeroGradients()
        model.dropoutGenerator = start
        let loss = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: Tensor(shape: [B, S], values: h0))
        let grads = model.parameters.map { $0.grad.array }
        let what = "\(cell) layers=\(layers) tied=\(tied) bias=\(bias) truncated=\(truncated) dropout=\(dropout)"
        if dropout == 0 {
            XCTAssertEqual(loss, lossAt(), accuracy: 1e-13, "\(what): forward and loss disagree", file: file, line: line)
        } else {
            XCTAssertNotEqual(model.dropoutGenerator, start, "\(what): dropout should draw from the generator", file: file, line: line)
        }
        var checked = 0
        for (k, p) in model.parameters.enumerated() {
            XCTAssertTrue(grads[k].contains { $0 != 0 } || p.role == .embedding, "\(what): \(p.name) got no gradient", file: file, line: line)
            let worst = FiniteDifferences.worstError(p, analytic: grads[k], loss: lossAt)
            checked += p.count
            XCTAssertLessThan(worst, 1e-5, "\(what): \(p.name)", file: file, line: line)
        }
        XCTAssertEqual(checked, model.parameterCount, file: file, line: line)
    }

    func testEveryCellLayerCountTyingBiasAndTruncation() throws {
        for cell in Self.cells { for layers in [1, 2] { for tied in [false, true] {
            for bias in Self.biasLayouts(cell) { for truncated in [false, true] {
                try checkGradients(cell: cell, layers: layers, tied: tied, bias: bias, truncated: truncated)
            } }
        } } }
    }

    func testDropoutBetweenLayersAndAroundTheCell() throws {
        for cell in Self.cells {
            try checkGradients(cell: cell, layers: 2, tied: true, bias: cell == "gru" ? .split : .single, truncated: true, dropout: 0.4)
            try checkGradients(cell: cell, layers: 3, tied: false, bias: .split, truncated: false, dropout: 0.3)
        }
    }

    /// The check must be able to fail: a wrong gradient in one gate is caught.
    func testCheckDetectsAWrongGradient() throws {
        let model = try TestModels.model(Double.self, cell: "lstm", layers: 1, vocabulary: 5, embedding: 3, hidden: 3, tied: true, bias: .single)
        TestModels.randomize(model, seed: 1, range: 0.8)
        let inputs = TestModels.tokens(6, vocabulary: 5, seed: 2), targets = TestModels.tokens(6, vocabulary: 5, seed: 3)
        model.zeroGradients()
        _ = model.forwardBackward(inputs: inputs, targets: targets, steps: 3, batch: 2, state: model.zeroState(batch: 2))
        let b = try XCTUnwrap(model.parameter(named: "cell.b"))
        var wrong = b.grad.array
        for j in 3..<6 { wrong[j] *= 1.01 }   // the forget gate's block (H = 3), 1% off
        let worst = FiniteDifferences.worstError(b, analytic: wrong) {
            model.loss(inputs: inputs, targets: targets, steps: 3, batch: 2, state: model.zeroState(batch: 2)) / 6
        }
        XCTAssertGreaterThan(worst, 1e-4)
    }

    /// Running a chunk in two halves, the state carried between them, gives the same losses and
    /// final state as running it whole: the packed state ([h | c] per layer) round-trips.
    func testStateCarriesAcrossChunks() throws {
        for cell in Self.cells {
            let V = 6, H = 4, B = 3, T = 4
            let model = try TestModels.model(Double.self, cell: cell, layers: 2, vocabulary: V, embedding: H, hidden: H,
                                             tied: true, bias: .split)
            TestModels.randomize(model, seed: 5, range: 0.7)
            let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 1), targets = TestModels.tokens(T * B, vocabulary: V, seed: 2)
            let h0 = Self.initialState(batch: B, size: model.cell.stateSize, truncated: true)
            let whole = Tensor<Double>(shape: [B, model.cell.stateSize], values: h0)
            let wholeLoss = model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: whole)
            let halves = Tensor<Double>(shape: [B, model.cell.stateSize], values: h0)
            let half = T / 2 * B
            let first = model.loss(inputs: Array(inputs[..<half]), targets: Array(targets[..<half]), steps: T / 2, batch: B, state: halves)
            let second = model.loss(inputs: Array(inputs[half...]), targets: Array(targets[half...]), steps: T / 2, batch: B, state: halves)
            XCTAssertEqual(first + second, wholeLoss, accuracy: 1e-12, cell)
            XCTAssertEqual(relativeError(halves.array, whole.array), 0, accuracy: 1e-14, cell)
            XCTAssertNotEqual(whole.array, h0, "\(cell): the state should advance")
        }
    }

    func testEvaluationIgnoresDropoutBetweenLayers() throws {
        for cell in Self.cells {
            let model = try TestModels.model(Double.self, cell: cell, layers: 2, vocabulary: 7, embedding: 4, hidden: 4,
                                             tied: true, bias: .split, dropout: 0.5)
            let reference = try TestModels.model(Double.self, cell: cell, layers: 2, vocabulary: 7, embedding: 4, hidden: 4,
                                                 tied: true, bias: .split)
            TestModels.randomize(model, seed: 8, range: 0.8)
            TestModels.randomize(reference, seed: 8, range: 0.8)
            let inputs = TestModels.tokens(6, vocabulary: 7, seed: 1), targets = TestModels.tokens(6, vocabulary: 7, seed: 2)
            let a = model.loss(inputs: inputs, targets: targets, steps: 3, batch: 2, state: model.zeroState(batch: 2))
            let b = reference.loss(inputs: inputs, targets: targets, steps: 3, batch: 2, state: reference.zeroState(batch: 2))
            XCTAssertEqual(a, b, cell)
            let before = model.dropoutGenerator
            model.zeroGradients()
            let training = model.forwardBackward(inputs: inputs, targets: targets, steps: 3, batch: 2, state: model.zeroState(batch: 2))
            XCTAssertNotEqual(model.dropoutGenerator, before, "\(cell): training should draw masks between layers")
            XCTAssertNotEqual(training, a / 6, "\(cell): dropout should change the training loss")
        }
    }
}
