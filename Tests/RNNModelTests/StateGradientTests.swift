// Backpropagation through the state at a chunk's ends (`backward(…, finalStateGradient:
// initialStateGradient:)`), checked by central differences in Double for the Elman, LSTM and
// GRU cells (every bias layout) and for stacks (one kind, and mixed so that the layers' state
// offsets differ); asking for the initial-state gradient alone leaves every other gradient bit
// for bit as it was; a cell that does not provide any of it says so.

import RNNModel
import RNNTensor
import XCTest

final class StateGradientTests: XCTestCase {
    /// A cell of `kind`: `elman`, `lstm`, `gru`, `stack:<kind>,<kind>,…` (bottom first).
    static func makeCell(_ kind: String, input E: Int, hidden H: Int, bias: CellBias) -> any RecurrentCell<Double> {
        guard kind.hasPrefix("stack:") else {
            return TestModels.cell(kind, Double.self, input: E, hidden: H, activation: "tanh", bias: bias, namePrefix: "cell.")
        }
        let kinds = kind.dropFirst("stack:".count).split(separator: ",").map(String.init)
        return StackedCell<Double>(count: kinds.count, inputSize: E) { input, prefix in
            let l = Int(prefix.dropFirst("cell.l".count).dropLast())!
            let layerBias = kinds[l] == "gru" && bias == .single ? CellBias.split : bias
            return TestModels.cell(kinds[l], Double.self, input: input, hidden: H, activation: "tanh", bias: layerBias, namePrefix: prefix)
        }
    }

    static func random(_ n: Int, seed: UInt64, range: Double = 0.9) -> [Double] {
        var rng = Xoshiro256(seed: seed)
        return (0..<n).map { _ in rng.uniform(-range, range) }
    }

    /// L = Σ R ⊙ outputs + Σ Q ⊙ (final state) over a chunk: R is its gradient with respect to
    /// the outputs, Q with respect to the final state (the state's both ends are checked at once).
    func checkStateGradients(_ kind: String, bias: CellBias, file: StaticString = #filePath, line: UInt = #line) {
        let E = 2, H = 3, B = 2, T = 4
        let cell = Self.makeCell(kind, input: E, hidden: H, bias: bias)
        var rng = Xoshiro256(seed: 11)
        for p in cell.parameters { Initializer.uniform(range: 0.8).fill(p.value, using: &rng) }
        let S = cell.stateSize, rows = T * B
        let x = Tensor<Double>(shape: [rows, E], values: Self.random(rows * E, seed: 1))
        let s0 = Self.random(B * S, seed: 2)
        let R = Self.random(rows * H, seed: 3, range: 1), Q = Self.random(B * S, seed: 4, range: 1)
        let what = "\(cell.summary) (\(kind)) bias=\(bias)"
        XCTAssertTrue(cell.supportsStateGradient, what, file: file, line: line)

        func loss(_ start: [Double]) -> Double {
            let state = Tensor<Double>(shape: [B, S], values: start)
            return withExtendedLifetime(state) {
                let out = cell.forward(inputs: x.matrix, steps: T, batch: B, state: state.matrix)
                var total = 0.0
                for r in 0..<rows { for j in 0..<H { total += R[r * H + j] * out[r, j] } }
                for i in 0..<(B * S) { total += Q[i] * state.data[i] }
                return total
            }
        }

        // Gradients into strided views (two columns of padding, which must stay untouched).
        func padded(_ values: [Double]?) -> Tensor<Double> {
            let t = Tensor<Double>(zeros: [B, S + 2])
            t.fill(-7)
            if let values { for r in 0..<B { for j in 0..<S { t.matrix[r, j] = values[r * S + j] } } }
            return t
        }
        func view(_ t: Tensor<Double>) -> MatrixRef<Double> { MatrixRef(t.data, rows: B, cols: S, ld: S + 2) }
        func backward(final: Tensor<Double>?, initial: Tensor<Double>?) -> (params: [[Double]], input: [Double]) {
            for p in cell.parameters { p.grad.zero() }
            let state = Tensor<Double>(shape: [B, S], values: s0)
            let dH = Tensor<Double>(shape: [rows, H], values: R), dX = Tensor<Double>(zeros: [rows, E])
            withExtendedLifetime((state, dH, final, initial)) {
                _ = cell.forward(inputs: x.matrix, steps: T, batch: B, state: state.matrix)
                cell.backward(inputs: x.matrix, outputGradient: dH.matrix, inputGradient: dX.matrix,
                              finalStateGradient: final.map(view), initialStateGradient: initial.map(view))
            }
            return (cell.parameters.map { $0.grad.array }, dX.array)
        }
        func unpadded(_ t: Tensor<Double>) -> [Double] {
            for r in 0..<B { XCTAssertEqual([t.matrix[r, S], t.matrix[r, S + 1]], [-7, -7], "\(what): wrote past the view", file: file, line: line) }
            return (0..<B).flatMap { r in (0..<S).map { t.matrix[r, $0] } }
        }

        // Asking for the initial-state gradient changes nothing else, bit for bit.
        let plain = backward(final: nil, initial: nil)
        let initialOnly = padded(nil)
        let withState = backward(final: nil, initial: initialOnly)
        XCTAssertEqual(plain.params, withState.params, "\(what): asking for the state gradient changed a parameter gradient", file: file, line: line)
        XCTAssertEqual(plain.input, withState.input, "\(what): asking for the state gradient changed the input gradient", file: file, line: line)

        // With Q at the final state: the initial state's and every parameter's gradient by central differences.
        let final = padded(Q), initial = padded(nil)
        let both = backward(final: final, initial: initial)
        XCTAssertEqual(unpadded(final), Q, "\(what): the final state gradient must be read, not modified", file: file, line: line)
        let analytic = unpadded(initial)
        let numeric = FiniteDifferences.gradient(at: s0, loss: loss)
        var worst = 0.0
        for i in numeric.indices { worst = max(worst, FiniteDifferences.relativeError(numeric: numeric[i], analytic: analytic[i])) }
        XCTAssertLessThan(worst, 1e-7, "\(what): initial state gradient", file: file, line: line)
        XCTAssertTrue(analytic.contains { abs($0) > 1e-3 }, "\(what): the state gradient should not vanish on a chunk of \(T)", file: file, line: line)
        for (k, p) in cell.parameters.enumerated() {
            let worstParameter = FiniteDifferences.worstError(p, analytic: both.params[k]) { loss(s0) }
            XCTAssertLessThan(worstParameter, 1e-6, "\(what): \(p.name) with a final state gradient", file: file, line: line)
        }
        XCTAssertNotEqual(both.params, plain.params, "\(what): the final state gradient should reach the parameters", file: file, line: line)
        if let c = cell.memoryStateColumns {
            // The memory columns of the top layer get a gradient of their own.
            let top = (0..<B).flatMap { r in c.map { analytic[r * S + $0] } }
            XCTAssertTrue(top.contains { $0 != 0 }, "\(what): no gradient reached c_0", file: file, line: line)
        }
        // Only the initial-state gradient, against the loss without Q.
        let withoutQ = FiniteDifferences.gradient(at: s0) { start in
            let state = Tensor<Double>(shape: [B, S], values: start)
            return withExtendedLifetime(state) {
                let out = cell.forward(inputs: x.matrix, steps: T, batch: B, state: state.matrix)
                var total = 0.0
                for r in 0..<rows { for j in 0..<H { total += R[r * H + j] * out[r, j] } }
                return total
            }
        }
        let analyticWithoutQ = unpadded(initialOnly)
        worst = 0
        for i in withoutQ.indices { worst = max(worst, FiniteDifferences.relativeError(numeric: withoutQ[i], analytic: analyticWithoutQ[i])) }
        XCTAssertLessThan(worst, 1e-7, "\(what): initial state gradient without a final state gradient", file: file, line: line)
    }

    func testEachCellAndBiasLayout() {
        for kind in ["elman", "lstm", "gru"] {
            for bias in CellGradientCheckTests.biasLayouts(kind) { checkStateGradients(kind, bias: bias) }
        }
    }

    func testStacks() {
        for kind in ["stack:elman,elman", "stack:lstm,lstm", "stack:gru,gru,gru", "stack:lstm,gru", "stack:gru,elman,lstm"] {
            checkStateGradients(kind, bias: .split)
        }
        checkStateGradients("stack:elman,lstm", bias: .single)
    }

    /// Where each cell keeps h and c in its state row.
    func testStateColumns() {
        let lstm = Self.makeCell("lstm", input: 2, hidden: 3, bias: .none)
        XCTAssertEqual(lstm.outputStateColumns, 0..<3)
        XCTAssertEqual(lstm.memoryStateColumns, 3..<6)
        let gru = Self.makeCell("gru", input: 2, hidden: 3, bias: .none)
        XCTAssertEqual(gru.outputStateColumns, 0..<3)
        XCTAssertNil(gru.memoryStateColumns)
        // [h_0 c_0 | h_1 | h_2 c_2]
        let stack = Self.makeCell("stack:lstm,gru,lstm", input: 2, hidden: 3, bias: .none)
        XCTAssertEqual(stack.stateSize, 15)
        XCTAssertEqual(stack.outputStateColumns, 9..<12)
        XCTAssertEqual(stack.memoryStateColumns, 12..<15)
        let gruOnTop = Self.makeCell("stack:lstm,gru", input: 2, hidden: 3, bias: .none)
        XCTAssertEqual(gruOnTop.outputStateColumns, 6..<9)
        XCTAssertNil(gruOnTop.memoryStateColumns)
    }

    /// A plugin cell written against the three-argument `backward` still builds, trains as before,
    /// and reports that it cannot give the state gradient; so does a stack containing it.
    func testCellWithoutStateGradient() throws {
        let inner = ElmanCell<Double>(inputSize: 2, hiddenSize: 3, activation: Tanh(), bias: .single)
        let plugin = OpaquePluginCell(inner)
        XCTAssertFalse(plugin.supportsStateGradient)
        XCTAssertFalse(StackedCell<Double>(layers: [ElmanCell<Double>(inputSize: 2, hiddenSize: 2, activation: Tanh(), bias: .none), plugin]).supportsStateGradient)
        XCTAssertTrue(StackedCell<Double>(layers: [inner]).supportsStateGradient)

        let embedding = Embedding<Double>(vocabularySize: 4, embeddingSize: 2)
        let model = try LanguageModel(embedding: embedding, cell: plugin, output: SoftmaxOutput<Double>(vocabularySize: 4, hiddenSize: 3, bias: true))
        XCTAssertThrowsError(try GradientThroughTimeProbe(model: model)) { error in
            XCTAssertEqual(error as? GradientThroughTimeError, .stateGradientUnsupported(cell: "plugin(elman(tanh))"))
            XCTAssertEqual("\(error)", "the gradient-through-time diagnostic needs a cell that computes the gradient with respect to its initial state (RecurrentCell.supportsStateGradient), and plugin(elman(tanh)) does not")
        }
        // Training through the default four-argument form (a stack calls it) is the plain backward.
        TestModels.randomize(model, seed: 3, range: 0.5)
        let x = Tensor<Double>(shape: [4, 2], values: Self.random(8, seed: 4))
        let dH = Tensor<Double>(shape: [4, 3], values: Self.random(12, seed: 5)), scratch = dH.copy()
        let state = Tensor<Double>(zeros: [2, 3])
        _ = plugin.forward(inputs: x.matrix, steps: 2, batch: 2, state: state.matrix)
        plugin.backward(inputs: x.matrix, outputGradient: scratch.matrix, inputGradient: nil, finalStateGradient: nil, initialStateGradient: nil)
        let viaDefault = inner.parameters.map { $0.grad.array }
        for p in inner.parameters { p.grad.zero() }
        state.zero()
        _ = inner.forward(inputs: x.matrix, steps: 2, batch: 2, state: state.matrix)
        inner.backward(inputs: x.matrix, outputGradient: dH.matrix, inputGradient: nil)
        withExtendedLifetime((state, scratch, dH, x)) {}
        XCTAssertEqual(viaDefault, inner.parameters.map { $0.grad.array })
    }
}

/// A cell as a plugin written before initial-state gradients existed would be: it implements
/// only the three-argument `backward` (here by delegating to an Elman cell).
final class OpaquePluginCell: RecurrentCell {
    let inner: ElmanCell<Double>
    init(_ inner: ElmanCell<Double>) { self.inner = inner }
    var inputSize: Int { inner.inputSize }
    var outputSize: Int { inner.outputSize }
    var stateSize: Int { inner.stateSize }
    var parameters: [Parameter<Double>] { inner.parameters }
    var summary: String { "plugin(\(inner.summary))" }
    func forward(inputs: MatrixRef<Double>, steps: Int, batch: Int, state: MatrixRef<Double>) -> MatrixRef<Double> {
        inner.forward(inputs: inputs, steps: steps, batch: batch, state: state)
    }
    func backward(inputs: MatrixRef<Double>, outputGradient: MatrixRef<Double>, inputGradient: MatrixRef<Double>?) {
        inner.backward(inputs: inputs, outputGradient: outputGradient, inputGradient: inputGradient)
    }
}
