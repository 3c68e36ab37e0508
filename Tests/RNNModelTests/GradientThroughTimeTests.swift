// GradientThroughTimeProbe: the recorded norms ‖∂L_T/∂h_k‖ against the lecture's explicit
// product of Jacobians for small Elman models (tanh, relu, sigmoid), against central differences
// for LSTM, GRU and stacks, all in Double; the tanh Elman's norm shrinking with distance; and the
// probe leaving training untouched (gradients, state, dropout generator, the next chunk's numbers).

import RNNModel
import RNNTensor
import XCTest

final class GradientThroughTimeTests: XCTestCase {
    // MARK: The explicit Jacobian product (Elman)

    /// Plain-array Elman language model, written from the equations: h_t = g(W e_t + U h_{t−1} + b),
    /// logits = O h + c. Returns ‖∂L_T/∂h_k‖ averaged over the streams, by distance T − k, with
    /// ∂L_T/∂h_k = (J_T J_{T−1} ⋯ J_{k+1})ᵀ ∂L_T/∂h_T and J_j = diag(g'(a_j)) U.
    static func jacobianProductNorms(_ model: LanguageModel<Double>, derivative: (Double) -> Double, value: (Double) -> Double,
                                     inputs: [Int32], targets: [Int32], steps T: Int, batch B: Int, h0: [Double]) -> (norms: [Double], loss: Double) {
        let cell = model.cell as! ElmanCell<Double>, output = model.output as! SoftmaxOutput<Double>
        let H = cell.outputSize, E = cell.inputSize, V = model.vocabularySize
        let table = model.embedding.table.value.array, W = cell.W!.value.array, U = cell.U.value.array
        let b = cell.b?.value.array ?? [Double](repeating: 0, count: H)
        let O = output.weight.value.array, c = output.bias?.value.array ?? [Double](repeating: 0, count: V)
        var norms = [Double](repeating: 0, count: T + 1), loss = 0.0
        for s in 0..<B {
            // Forward: a_t and h_t for t = 1…T (index 0 of h is h_0).
            var h = [Array(h0[(s * H)..<((s + 1) * H)])], a: [[Double]] = [[]]
            for t in 1...T {
                let token = Int(inputs[(t - 1) * B + s])
                var at = b
                for i in 0..<H {
                    for e in 0..<E { at[i] += W[i * E + e] * table[token * E + e] }
                    for j in 0..<H { at[i] += U[i * H + j] * h[t - 1][j] }
                }
                a.append(at)
                h.append(at.map(value))
            }
            // ∂L_T/∂h_T = Oᵀ (softmax(O h_T + c) − onehot(target)).
            let logits = (0..<V).map { v in c[v] + (0..<H).reduce(0.0) { $0 + O[v * H + $1] * h[T][$1] } }
            let top = logits.max()!, z = logits.reduce(0.0) { $0 + exp($1 - top) }
            let target = Int(targets[(T - 1) * B + s])
            loss += -(logits[target] - top - log(z))
            let dLogits = (0..<V).map { v in exp(logits[v] - top) / z - (v == target ? 1 : 0) }
            let gT = (0..<H).map { j in (0..<V).reduce(0.0) { $0 + O[$1 * H + j] * dLogits[$1] } }
            norms[0] += norm(gT) / Double(B)
            // P = J_T J_{T−1} ⋯ J_{k+1}, built up one Jacobian at a time; ∂L_T/∂h_k = Pᵀ gT.
            var P = identity(H)
            for k in stride(from: T - 1, through: 0, by: -1) {
                let j = k + 1
                let J = (0..<(H * H)).map { derivative(a[j][$0 / H]) * U[$0] }   // diag(g'(a_j)) U, row-major
                P = multiply(P, J, H)
                let gk = (0..<H).map { col in (0..<H).reduce(0.0) { $0 + P[$1 * H + col] * gT[$1] } }
                norms[T - k] += norm(gk) / Double(B)
            }
        }
        return (norms, loss / Double(B))
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    static func identity(_ n: Int) -> [Double] { (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 } }
    static func multiply(_ x: [Double], _ y: [Double], _ n: Int) -> [Double] {
        (0..<(n * n)).map { e in (0..<n).reduce(0.0) { $0 + x[(e / n) * n + $1] * y[$1 * n + e % n] } }
    }

    func testElmanNormsAreTheProductOfJacobians() throws {
        let activations: [(String, (Double) -> Double, (Double) -> Double)] = [
            ("tanh", { 1 - tanh($0) * tanh($0) }, { tanh($0) }),
            ("relu", { $0 > 0 ? 1 : 0 }, { max(0, $0) }),
            ("sigmoid", { let s = 1 / (1 + exp(-$0)); return s * (1 - s) }, { 1 / (1 + exp(-$0)) }),
        ]
        for (name, derivative, value) in activations {
            for T in [1, 2, 7] {
                let V = 6, E = 3, H = 4, B = 3
                let model = try TestModels.elman(Double.self, vocabulary: V, embedding: E, hidden: H, activation: name, tied: false, bias: true)
                TestModels.randomize(model, seed: 21, range: 0.9)
                let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 5), targets = TestModels.tokens(T * B, vocabulary: V, seed: 6)
                let h0 = StateGradientTests.random(B * H, seed: 9, range: 0.5)
                let probe = try GradientThroughTimeProbe(model: model)
                let got = probe.measure(inputs: inputs, targets: targets, steps: T, batch: B, state: Tensor(shape: [B, H], values: h0))
                let want = Self.jacobianProductNorms(model, derivative: derivative, value: value, inputs: inputs, targets: targets,
                                                     steps: T, batch: B, h0: h0)
                XCTAssertEqual(got.hidden.count, T + 1, "\(name) T=\(T)")
                XCTAssertNil(got.memory, "\(name): an Elman cell has no memory")
                XCTAssertEqual(got.loss, want.loss, accuracy: 1e-12, "\(name) T=\(T): loss")
                for d in 0...T {
                    XCTAssertEqual(got.hidden[d], want.norms[d], accuracy: 1e-12 * max(1, want.norms[d]), "\(name) T=\(T) distance \(d)")
                }
                XCTAssertTrue(want.norms.dropFirst().contains { $0 > 1e-3 }, "\(name) T=\(T): the check needs gradients that do not vanish")
            }
        }
    }

    // MARK: Finite differences (LSTM, GRU, stacks)

    /// ‖∂L_T/∂x‖ averaged over the streams, by central differences, where x is `columns` of the
    /// state after step k (d = T − k ≥ 1), or, for d = 0, h_T as the output layer reads it.
    static func finiteDifferenceNorms(_ model: LanguageModel<Double>, columns: Range<Int>, inputs: [Int32], targets: [Int32],
                                      steps T: Int, batch B: Int, s0: [Double], includeDistanceZero: Bool) -> [Double] {
        let S = model.cell.stateSize, H = model.cell.outputSize
        let lastTargets = Array(targets[((T - 1) * B)...])
        var norms = [Double](repeating: 0, count: T + 1)
        for k in 0...T {
            // The state after step k.
            let state = Tensor<Double>(shape: [B, S], values: s0)
            if k > 0 { _ = model.loss(inputs: Array(inputs[..<(k * B)]), targets: Array(targets[..<(k * B)]), steps: k, batch: B, state: state) }
            let sk = state.array
            if k == T {
                guard includeDistanceZero else { continue }
                // L_T as a function of h_T, through the output layer alone.
                let hT = (0..<B).flatMap { r in columns.map { sk[r * S + $0] } }
                let g = FiniteDifferences.gradient(at: hT) { h in
                    let hidden = Tensor<Double>(shape: [B, H], values: h)
                    return withExtendedLifetime(hidden) { model.output.loss(hidden: hidden.matrix, targets: lastTargets) }
                }
                norms[0] = (0..<B).reduce(0.0) { $0 + norm(Array(g[($1 * H)..<(($1 + 1) * H)])) } / Double(B)
                continue
            }
            let lossAt = { (start: [Double]) -> Double in
                let s = Tensor<Double>(shape: [B, S], values: start)
                if T - 1 > k {
                    _ = model.loss(inputs: Array(inputs[(k * B)..<((T - 1) * B)]), targets: Array(targets[(k * B)..<((T - 1) * B)]),
                                   steps: T - 1 - k, batch: B, state: s)
                }
                return model.loss(inputs: Array(inputs[((T - 1) * B)...]), targets: lastTargets, steps: 1, batch: B, state: s)
            }
            // Perturb only `columns` of each stream's row.
            let indices = (0..<B).flatMap { r in columns.map { r * S + $0 } }
            let g = FiniteDifferences.gradient(at: indices.map { sk[$0] }) { values in
                var start = sk
                for (i, v) in zip(indices, values) { start[i] = v }
                return lossAt(start)
            }
            let n = columns.count
            norms[T - k] = (0..<B).reduce(0.0) { $0 + norm(Array(g[($1 * n)..<(($1 + 1) * n)])) } / Double(B)
        }
        return norms
    }

    func checkAgainstFiniteDifferences(cell: String, layers: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let V = 5, E = 3, H = 3, B = 2, T = 5
        let model = try TestModels.model(Double.self, cell: cell, layers: layers, vocabulary: V, embedding: E, hidden: H,
                                         tied: false, bias: .split, dropout: layers > 1 ? 0.5 : 0)
        if layers > 1 { model.dropout = DropoutRates(embedding: 0.3, output: 0.3) }   // the probe must not apply any of it
        TestModels.randomize(model, seed: 31, range: 0.9)
        let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 12), targets = TestModels.tokens(T * B, vocabulary: V, seed: 13)
        let S = model.cell.stateSize
        let s0 = StateGradientTests.random(B * S, seed: 14, range: 0.8)
        let got = try GradientThroughTimeProbe(model: model).measure(inputs: inputs, targets: targets, steps: T, batch: B,
                                                                     state: Tensor(shape: [B, S], values: s0))
        let what = "\(model.cell.summary)"
        let hidden = Self.finiteDifferenceNorms(model, columns: model.cell.outputStateColumns, inputs: inputs, targets: targets,
                                                steps: T, batch: B, s0: s0, includeDistanceZero: true)
        for d in 0...T {
            XCTAssertEqual(got.hidden[d], hidden[d], accuracy: 1e-8 * max(1, hidden[d]), "\(what): h at distance \(d)", file: file, line: line)
        }
        XCTAssertGreaterThan(hidden[T], 1e-4, "\(what): the check needs a gradient that reaches the start", file: file, line: line)
        if let c = model.cell.memoryStateColumns {
            let memory = try XCTUnwrap(got.memory, what, file: file, line: line)
            let want = Self.finiteDifferenceNorms(model, columns: c, inputs: inputs, targets: targets, steps: T, batch: B, s0: s0,
                                                  includeDistanceZero: false)
            XCTAssertEqual(memory[0], 0, "\(what): c_T reaches L_T only through h_T", file: file, line: line)
            for d in 1...T {
                XCTAssertEqual(memory[d], want[d], accuracy: 1e-8 * max(1, want[d]), "\(what): c at distance \(d)", file: file, line: line)
            }
        } else {
            XCTAssertNil(got.memory, what, file: file, line: line)
        }
    }

    func testGatedCellsAndStacksAgainstFiniteDifferences() throws {
        for cell in ["lstm", "gru", "elman"] {
            try checkAgainstFiniteDifferences(cell: cell, layers: 1)
            try checkAgainstFiniteDifferences(cell: cell, layers: 2)
        }
    }

    // MARK: Sanity and non-interference

    /// With small recurrent weights, every Jacobian shrinks the gradient (|tanh'| ≤ 1), so the
    /// norm falls with distance: by at least ‖U‖_F per step when ‖U‖_F < 1.
    func testTanhElmanNormDecaysWithDistance() throws {
        let V = 10, E = 6, H = 8, B = 4, T = 25
        let model = try TestModels.elman(Double.self, vocabulary: V, embedding: E, hidden: H, activation: "tanh", tied: false, bias: true)
        var rng = Xoshiro256(seed: 77)
        for p in model.parameters { Initializer.uniform(range: p.role == .recurrent ? 0.2 : 0.8).fill(p.value, using: &rng) }
        let U = (model.cell as! ElmanCell<Double>).U.value.array
        let frobenius = U.reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertLessThan(frobenius, 1, "the bound below needs a contracting U")
        let inputs = TestModels.tokens(T * B, vocabulary: V, seed: 1), targets = TestModels.tokens(T * B, vocabulary: V, seed: 2)
        let norms = try GradientThroughTimeProbe(model: model).measure(inputs: inputs, targets: targets, steps: T, batch: B,
                                                                       state: model.zeroState(batch: B)).hidden
        for d in 0..<T {
            XCTAssertLessThanOrEqual(norms[d + 1], frobenius * norms[d], "distance \(d + 1)")
            XCTAssertGreaterThan(norms[d + 1], 0, "distance \(d + 1)")
        }
        XCTAssertLessThan(norms[T] / norms[1], 1e-4, "after \(T) steps the gradient should have all but vanished")
        print("gradient through time, tanh Elman, ‖U‖_F = \(frobenius): " + stride(from: 0, through: T, by: 5).map { "d=\($0) \(norms[$0])" }.joined(separator: ", "))
    }

    /// A measurement between two training chunks changes nothing: the gradients accumulated so far,
    /// the caller's state, the dropout generator, and the next chunk's loss and gradients (bit for
    /// bit, in Float, with dropout everywhere).
    func testProbeLeavesTrainingUntouched() throws {
        func make() throws -> LanguageModel<Float> {
            let model = try TestModels.model(Float.self, cell: "lstm", layers: 2, vocabulary: 7, embedding: 4, hidden: 4,
                                             tied: true, bias: .split, dropout: 0.3)
            model.dropout = DropoutRates(embedding: 0.2, output: 0.25)
            model.dropoutGenerator = Xoshiro256(seed: 5)
            TestModels.randomize(model, seed: 6, range: 0.5)
            return model
        }
        let probed = try make(), reference = try make()
        let T = 6, B = 3
        let inputs = TestModels.tokens(T * B, vocabulary: 7, seed: 1), targets = TestModels.tokens(T * B, vocabulary: 7, seed: 2)
        let next = TestModels.tokens(T * B, vocabulary: 7, seed: 3)
        let probedState = probed.zeroState(batch: B), referenceState = reference.zeroState(batch: B)
        for model in [probed, reference] { model.zeroGradients() }
        _ = probed.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: probedState)
        _ = reference.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: referenceState)

        let gradients = probed.parameters.map { $0.grad.array }, state = probedState.array, generator = probed.dropoutGenerator
        let norms = try GradientThroughTimeProbe(model: probed).measure(inputs: targets, targets: next, steps: T, batch: B, state: probedState)
        XCTAssertEqual(norms.hidden.count, T + 1)
        XCTAssertNotNil(norms.memory)
        XCTAssertTrue(norms.hidden.allSatisfy { $0.isFinite && $0 > 0 })
        XCTAssertEqual(probed.parameters.map { $0.grad.array }, gradients, "the probe must restore the gradients")
        XCTAssertEqual(probedState.array, state, "the probe must not advance the caller's state")
        XCTAssertEqual(probed.dropoutGenerator, generator, "the probe must not draw dropout masks")

        let a = probed.forwardBackward(inputs: targets, targets: next, steps: T, batch: B, state: probedState)
        let b = reference.forwardBackward(inputs: targets, targets: next, steps: T, batch: B, state: referenceState)
        XCTAssertEqual(a, b)
        XCTAssertEqual(probed.parameters.map { $0.grad.array }, reference.parameters.map { $0.grad.array })
        XCTAssertEqual(probedState.array, referenceState.array)
    }
}
