// State resets inside a chunk (`StateResets`, `training.independent_sentences`), for the Elman,
// LSTM and GRU cells and stacks of two: central-difference checks in Double of every gradient
// (parameters, inputs, the state at both ends) with resets at the chunk's first step, in its
// middle and at its last step; the semantics pinned down (a chunk with resets scores exactly
// what its sentences score run one by one from a zero state, and its final state is the last
// sentence's); a mask that resets nothing runs bit for bit what no mask runs; a plugin cell
// refuses a mask.

import RNNModel
import RNNTensor
import XCTest

final class StateResetTests: XCTestCase {
    static let kinds = ["elman", "lstm", "gru", "stack:elman,elman", "stack:lstm,lstm", "stack:gru,lstm"]

    /// T = 5 steps, B = 3 streams, time-major: stream 0 resets before steps 0 and 3, stream 1
    /// before steps 1 and 4 (the last), stream 2 never.
    static let T = 5, B = 3
    static let resetSteps: [[Int]] = [[0, 3], [1, 4], []]
    static func mask() -> StateResets {
        var flags = [Bool](repeating: false, count: T * B)
        for (b, steps) in resetSteps.enumerated() { for t in steps { flags[t * B + b] = true } }
        return StateResets(steps: T, batch: B, flags: flags)
    }

    static func randomized(_ kind: String, input E: Int, hidden H: Int, seed: UInt64) -> any RecurrentCell<Double> {
        let cell = StateGradientTests.makeCell(kind, input: E, hidden: H, bias: .split)
        var rng = Xoshiro256(seed: seed)
        for p in cell.parameters { Initializer.uniform(range: 0.8).fill(p.value, using: &rng) }
        return cell
    }

    // MARK: - Gradients

    /// L = Σ R ⊙ outputs + Σ Q ⊙ (final state) over a chunk run with the mask: the gradients at
    /// the parameters, the inputs and the initial state against central differences.
    func checkResetGradients(_ kind: String, file: StaticString = #filePath, line: UInt = #line) {
        let E = 2, H = 3, T = Self.T, B = Self.B, rows = T * B
        let cell = Self.randomized(kind, input: E, hidden: H, seed: 21)
        let S = cell.stateSize, resets = Self.mask()
        let x0 = StateGradientTests.random(rows * E, seed: 1), s0 = StateGradientTests.random(B * S, seed: 2)
        let R = StateGradientTests.random(rows * H, seed: 3, range: 1), Q = StateGradientTests.random(B * S, seed: 4, range: 1)
        let what = "\(cell.summary) (\(kind))"
        XCTAssertTrue(cell.supportsStateResets, what, file: file, line: line)

        func loss(inputs: [Double], start: [Double], mask: StateResets?) -> Double {
            let x = Tensor<Double>(shape: [rows, E], values: inputs), state = Tensor<Double>(shape: [B, S], values: start)
            return withExtendedLifetime((x, state)) {
                let out = cell.forward(inputs: x.matrix, steps: T, batch: B, state: state.matrix, resets: mask)
                var total = 0.0
                for r in 0..<rows { for j in 0..<H { total += R[r * H + j] * out[r, j] } }
                for i in 0..<(B * S) { total += Q[i] * state.data[i] }
                return total
            }
        }
        func gradients(mask: StateResets?) -> (params: [[Double]], input: [Double], initial: [Double]) {
            for p in cell.parameters { p.grad.zero() }
            let x = Tensor<Double>(shape: [rows, E], values: x0), state = Tensor<Double>(shape: [B, S], values: s0)
            let dH = Tensor<Double>(shape: [rows, H], values: R), dX = Tensor<Double>(zeros: [rows, E])
            let final = Tensor<Double>(shape: [B, S], values: Q), initial = Tensor<Double>(zeros: [B, S])
            withExtendedLifetime((x, state, dH, final, initial)) {
                _ = cell.forward(inputs: x.matrix, steps: T, batch: B, state: state.matrix, resets: mask)
                cell.backward(inputs: x.matrix, outputGradient: dH.matrix, inputGradient: dX.matrix,
                              finalStateGradient: final.matrix, initialStateGradient: initial.matrix, resets: mask)
            }
            return (cell.parameters.map { $0.grad.array }, dX.array, initial.array)
        }

        let analytic = gradients(mask: resets)
        func worst(_ numeric: [Double], _ analytic: [Double]) -> Double {
            zip(numeric, analytic).map { FiniteDifferences.relativeError(numeric: $0, analytic: $1) }.max() ?? 0
        }
        let numericInitial = FiniteDifferences.gradient(at: s0) { loss(inputs: x0, start: $0, mask: resets) }
        XCTAssertLessThan(worst(numericInitial, analytic.initial), 1e-7, "\(what): initial state gradient", file: file, line: line)
        let numericInput = FiniteDifferences.gradient(at: x0) { loss(inputs: $0, start: s0, mask: resets) }
        XCTAssertLessThan(worst(numericInput, analytic.input), 1e-7, "\(what): input gradient", file: file, line: line)
        for (k, p) in cell.parameters.enumerated() {
            let worstParameter = FiniteDifferences.worstError(p, analytic: analytic.params[k]) { loss(inputs: x0, start: s0, mask: resets) }
            XCTAssertLessThan(worstParameter, 1e-6, "\(what): \(p.name)", file: file, line: line)
        }
        // Stream 0 resets before step 0: nothing of its initial state reaches the loss, exactly;
        // stream 2 never resets, so its initial state does.
        XCTAssertEqual(Array(analytic.initial[0..<S]), [Double](repeating: 0, count: S), "\(what): gradient through a reset at step 0", file: file, line: line)
        XCTAssertTrue(analytic.initial[(2 * S)..<(3 * S)].contains { abs($0) > 1e-4 }, "\(what): stream 2's initial state gradient vanished", file: file, line: line)
        // The check can fail: the gradients of the chunk without resets are far from these.
        let plain = gradients(mask: nil)
        XCTAssertGreaterThan(worst(numericInput, plain.input), 1e-3, "\(what): resets should change the input gradient", file: file, line: line)
    }

    func testGradientsThroughResetsInEveryCellAndStack() {
        for kind in Self.kinds { checkResetGradients(kind) }
    }

    /// The whole model (embedding, cell, softmax), tied and untied, with the mask made from the
    /// tokens by `forwardBackward(…, resetBefore:)`, against central differences of `loss`.
    func testLanguageModelGradientsWithResetsAtEndOfSentence() throws {
        let (inputs, targets) = Self.tokens()
        for cell in ["elman", "lstm", "gru"] { for layers in [1, 2] { for tied in [false, true] {
            let V = 6, H = 3, T = Self.T, B = Self.B
            let model = try TestModels.model(Double.self, cell: cell, layers: layers, vocabulary: V, embedding: tied ? H : 2, hidden: H,
                                             tied: tied, bias: .split)
            TestModels.randomize(model, seed: 42, range: 0.8)
            let S = model.cell.stateSize, h0 = StateGradientTests.random(B * S, seed: 5)
            func lossAt() -> Double {
                model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: Tensor(shape: [B, S], values: h0), resetBefore: 0) / Double(T * B)
            }
            model.zeroGradients()
            let loss = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: Tensor(shape: [B, S], values: h0),
                                             resetBefore: 0)
            let what = "\(cell) layers=\(layers) tied=\(tied)"
            XCTAssertEqual(loss, lossAt(), accuracy: 1e-13, "\(what): forward and loss disagree")
            let plain = model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: Tensor(shape: [B, S], values: h0)) / Double(T * B)
            XCTAssertGreaterThan(abs(plain - loss), 1e-6, "\(what): resets should change the loss")
            let grads = model.parameters.map { $0.grad.array }
            for (k, p) in model.parameters.enumerated() {
                XCTAssertLessThan(FiniteDifferences.worstError(p, analytic: grads[k], loss: lossAt), 1e-5, "\(what): \(p.name)")
            }
        } } }
    }

    // MARK: - Semantics

    /// Token 0 is `<eos>`. Inputs (T, B) time-major with the resets of `resetSteps`; targets random.
    static func tokens() -> (inputs: [Int32], targets: [Int32]) {
        let streams: [[Int32]] = [[0, 3, 2, 0, 4], [2, 0, 5, 1, 0], [1, 2, 3, 4, 5]]
        for (b, s) in streams.enumerated() { precondition(s.indices.filter { s[$0] == 0 } == resetSteps[b]) }
        let inputs = (0..<T).flatMap { t in streams.map { $0[t] } }
        return (inputs, TestModels.tokens(T * B, vocabulary: 6, seed: 9))
    }

    /// The loss of a chunk with resets is the sum of the losses of its sentences, each run on
    /// its own from a zero state (the first piece of a stream from the chunk's initial state,
    /// unless the stream starts with `<eos>`); the final state is the last sentence's.
    func testChunkWithResetsScoresItsSentencesRunSeparately() throws {
        let (inputs, targets) = Self.tokens()
        let T = Self.T, B = Self.B
        for cell in ["elman", "lstm", "gru"] { for layers in [1, 2] {
            let model = try TestModels.model(Double.self, cell: cell, layers: layers, vocabulary: 6, embedding: 4, hidden: 4,
                                             tied: true, bias: .split)
            TestModels.randomize(model, seed: 3, range: 0.8)
            let S = model.cell.stateSize, h0 = StateGradientTests.random(B * S, seed: 6)
            let state = Tensor<Double>(shape: [B, S], values: h0)
            let whole = model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: state, resetBefore: 0)
            var pieces = 0.0
            for b in 0..<B {
                let x = (0..<T).map { inputs[$0 * B + b] }, y = (0..<T).map { targets[$0 * B + b] }
                let starts = [0] + Self.resetSteps[b].filter { $0 > 0 }
                var last = [Double]()
                for (i, s) in starts.enumerated() {
                    let e = i + 1 < starts.count ? starts[i + 1] : T
                    let fresh = x[s] == 0
                    let piece = Tensor<Double>(shape: [1, S], values: fresh ? [Double](repeating: 0, count: S) : Array(h0[(b * S)..<((b + 1) * S)]))
                    pieces += model.loss(inputs: Array(x[s..<e]), targets: Array(y[s..<e]), steps: e - s, batch: 1, state: piece)
                    last = piece.array
                }
                XCTAssertEqual(relativeError(Array(state.array[(b * S)..<((b + 1) * S)]), last), 0, accuracy: 1e-14,
                               "\(cell) layers=\(layers): stream \(b)'s final state")
            }
            XCTAssertEqual(whole, pieces, accuracy: 1e-12 * abs(whole), "\(cell) layers=\(layers)")
            let carried = model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: Tensor(shape: [B, S], values: h0))
            XCTAssertGreaterThan(abs(carried - whole), 1e-6, "\(cell) layers=\(layers): the resets should matter")
        } }
    }

    /// Split into chunks of 2, 2 and 1 steps with the state carried, the chunk scores what it
    /// scores whole: a reset at a chunk's first step discards the carried state.
    func testResetsAcrossChunkBoundaries() throws {
        let (inputs, targets) = Self.tokens()
        let T = Self.T, B = Self.B
        for cell in ["elman", "lstm", "gru"] {
            let model = try TestModels.model(Double.self, cell: cell, layers: 2, vocabulary: 6, embedding: 4, hidden: 4, tied: true, bias: .split)
            TestModels.randomize(model, seed: 4, range: 0.8)
            let S = model.cell.stateSize, h0 = StateGradientTests.random(B * S, seed: 7)
            let wholeState = Tensor<Double>(shape: [B, S], values: h0)
            let whole = model.loss(inputs: inputs, targets: targets, steps: T, batch: B, state: wholeState, resetBefore: 0)
            let state = Tensor<Double>(shape: [B, S], values: h0)
            var total = 0.0, start = 0
            for n in [2, 2, 1] {
                total += model.loss(inputs: Array(inputs[(start * B)..<((start + n) * B)]), targets: Array(targets[(start * B)..<((start + n) * B)]),
                                    steps: n, batch: B, state: state, resetBefore: 0)
                start += n
            }
            XCTAssertEqual(total, whole, accuracy: 1e-12 * abs(whole), cell)
            XCTAssertEqual(relativeError(state.array, wholeState.array), 0, accuracy: 1e-14, cell)
        }
    }

    // MARK: - No resets, no change

    /// A mask that resets nothing goes through the reset workspaces and gives, bit for bit,
    /// what no mask gives: outputs, final state and every gradient. (No mask runs the code that
    /// the PyTorch fixtures of CellOracleTests pin down.)
    func checkEmptyMaskIsBitIdentical<T: BLASScalar>(_: T.Type, _ kind: String) {
        let E = 3, H = 4, steps = 4, B = 2, rows = steps * B
        let cell: any RecurrentCell<T>
        if kind.hasPrefix("stack:") {
            let kinds = kind.dropFirst("stack:".count).split(separator: ",").map(String.init)
            cell = StackedCell<T>(count: kinds.count, inputSize: E) { input, prefix in
                let l = Int(prefix.dropFirst("cell.l".count).dropLast())!
                return TestModels.cell(kinds[l], T.self, input: input, hidden: H, activation: "tanh", bias: .split, namePrefix: prefix)
            }
        } else {
            cell = TestModels.cell(kind, T.self, input: E, hidden: H, activation: "tanh", bias: .split, namePrefix: "cell.")
        }
        var rng = Xoshiro256(seed: 5)
        for p in cell.parameters { Initializer.uniform(range: 0.7).fill(p.value, using: &rng) }
        let S = cell.stateSize
        let x = Tensor<T>(zeros: [rows, E]), s0 = Tensor<T>(zeros: [B, S]), R = Tensor<T>(zeros: [rows, H])
        Initializer.uniform(range: 1).fill(x, using: &rng)
        Initializer.uniform(range: 1).fill(s0, using: &rng)
        Initializer.uniform(range: 1).fill(R, using: &rng)
        func run(_ mask: StateResets?) -> [[T]] {
            for p in cell.parameters { p.grad.zero() }
            let state = s0.copy(), dH = R.copy(), dX = Tensor<T>(zeros: [rows, E]), dS0 = Tensor<T>(zeros: [B, S])
            return withExtendedLifetime((state, dH, dX, dS0)) {
                let out = cell.forward(inputs: x.matrix, steps: steps, batch: B, state: state.matrix, resets: mask)
                let outputs = (0..<rows).flatMap { r in (0..<H).map { out[r, $0] } }
                cell.backward(inputs: x.matrix, outputGradient: dH.matrix, inputGradient: dX.matrix,
                              finalStateGradient: nil, initialStateGradient: dS0.matrix, resets: mask)
                return [outputs, state.array, dX.array, dS0.array] + cell.parameters.map { $0.grad.array }
            }
        }
        let none = run(nil)
        let empty = run(StateResets(steps: steps, batch: B, flags: [Bool](repeating: false, count: rows)))
        XCTAssertEqual(none, empty, "\(T.self) \(kind)")
        // And the reset forms without a mask are the forms that never heard of one.
        for p in cell.parameters { p.grad.zero() }
        let state = s0.copy(), dH = R.copy(), dX = Tensor<T>(zeros: [rows, E]), dS0 = Tensor<T>(zeros: [B, S])
        let old: [[T]] = withExtendedLifetime((state, dH, dX, dS0)) {
            let out = cell.forward(inputs: x.matrix, steps: steps, batch: B, state: state.matrix)
            let outputs = (0..<rows).flatMap { r in (0..<H).map { out[r, $0] } }
            cell.backward(inputs: x.matrix, outputGradient: dH.matrix, inputGradient: dX.matrix, finalStateGradient: nil, initialStateGradient: dS0.matrix)
            return [outputs, state.array, dX.array, dS0.array] + cell.parameters.map { $0.grad.array }
        }
        XCTAssertEqual(none, old, "\(T.self) \(kind)")
        withExtendedLifetime((x, s0, R)) {}
    }

    func testAMaskWithoutResetsChangesNothingBitForBit() {
        for kind in Self.kinds {
            checkEmptyMaskIsBitIdentical(Float.self, kind)
            checkEmptyMaskIsBitIdentical(Double.self, kind)
        }
    }

    /// The language model passes no mask when the chunk never reads the reset token.
    func testAResetTokenThatNeverOccursChangesNothing() throws {
        let model = try TestModels.model(Float.self, cell: "lstm", layers: 2, vocabulary: 7, embedding: 4, hidden: 4, tied: true, bias: .split)
        TestModels.randomize(model, seed: 9, range: 0.5)
        let inputs = TestModels.tokens(12, vocabulary: 6, seed: 1), targets = TestModels.tokens(12, vocabulary: 7, seed: 2)
        func train(_ token: Int32?) -> (Double, [[Float]]) {
            model.zeroGradients()
            let loss = model.forwardBackward(inputs: inputs, targets: targets, steps: 4, batch: 3, state: model.zeroState(batch: 3), resetBefore: token)
            return (loss, model.parameters.map { $0.grad.array })
        }
        let (a, ga) = train(nil), (b, gb) = train(6)
        XCTAssertEqual(a, b)
        XCTAssertEqual(ga, gb)
    }

    // MARK: - Plugin cells

    func testACellWithoutResetsSaysSo() throws {
        let plugin = OpaquePluginCell(ElmanCell<Double>(inputSize: 3, hiddenSize: 3, activation: Tanh(), bias: true))
        XCTAssertFalse(plugin.supportsStateResets)
        let stack = StackedCell<Double>(layers: [ElmanCell<Double>(inputSize: 2, hiddenSize: 3, activation: Tanh(), bias: true, namePrefix: "a."), plugin])
        let embedding = Embedding<Double>(vocabularySize: 4, embeddingSize: 3)
        let model = try LanguageModel(embedding: embedding, cell: plugin, output: SoftmaxOutput<Double>(vocabularySize: 4, hiddenSize: 3, bias: true))
        // Without a reset token the plugin trains as before.
        _ = model.forwardBackward(inputs: [1, 2, 0, 3], targets: [2, 0, 3, 1], steps: 2, batch: 2, state: model.zeroState(batch: 2))
        XCTAssertFalse(stack.supportsStateResets, "a stack resets only when every layer can")
        for kind in Self.kinds { XCTAssertTrue(StateGradientTests.makeCell(kind, input: 2, hidden: 3, bias: .split).supportsStateResets, kind) }
    }
}
