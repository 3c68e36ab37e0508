// LSTMCell: the long short-term memory cell with PyTorch's gate order and equations (nn.LSTM),
// forward next to its backward pass through time.
//
// Shapes: B = batch, T = time steps, E = input size, H = hidden size, G = 4 gate blocks in the
// order [i, f, g, o] (input, forget, cell candidate, output).
//
//     [a_i, a_f, a_g, a_o] = W x_t + U h_{t-1} + b            (G·H per stream)
//     i, f, o = σ(a_i, a_f, a_o);  g = tanh(a_g)
//     c_t = f ⊙ c_{t-1} + i ⊙ g;   h_t = o ⊙ tanh(c_t)
//
// Per chunk: one GEMM for the input projection of all T·B rows (all gates), then per step one
// recurrent GEMM for all gates and one fused pass per stream applying the gate nonlinearities
// and the cell update (a SIMD kernel in Float, RNNTensor's `lstmStepRowFloat`). Backward: per step one pass for
// the gate gradients and one GEMM for dh_{t-1}; then one GEMM each for dU, dW and the input
// gradient. Workspaces grow to the largest chunk seen: no allocation in the step loop.
// Will not: peepholes, projections, dropout (see `StackedCell`).

import RNNTensor

/// The LSTM cell. State per stream: one row [h | c], h in columns 0..<H, c in H..<2H.
///
/// Parameters, named after `namePrefix` (default `cell.`), gate blocks [i, f, g, o] stacked
/// along the rows: `W` (4H, E) role input, `U` (4H, H) role recurrent, and the bias: `b` (4H)
/// with `.single`, or `b_ih` and `b_hh` (4H each, PyTorch's layout) with `.split`.
public final class LSTMCell<Scalar: BLASScalar>: StateResettingCell {
    /// The gate blocks in row order.
    public static var gateNames: [String] { ["i", "f", "g", "o"] }

    public let inputSize: Int
    public let outputSize: Int
    /// 2H: [h | c].
    public var stateSize: Int { 2 * outputSize }
    public let biasLayout: CellBias
    /// Input → gates, (4H, E).
    public let W: Parameter<Scalar>
    /// Hidden → gates, (4H, H).
    public let U: Parameter<Scalar>
    /// The bias (4H): `b` with `.single`, `b_ih` with `.split`; nil with `.none`.
    public let b: Parameter<Scalar>?
    /// The second bias `b_hh` (4H) with `.split`, else nil.
    public let bHH: Parameter<Scalar>?

    public var parameters: [Parameter<Scalar>] { [W, U] + [b, bHH].compactMap { $0 } }
    public var summary: String { "lstm" }

    /// (T·B, 4H): the gate pre-activations of each step, replaced in the forward pass by the
    /// gate values [i, f, g, o] (what backward reads).
    private var gates: Tensor<Scalar>
    /// ((T+1)·B, H): row block 0 is h_0, block t+1 is h_t. Outputs are blocks 1…T.
    private var hidden: Tensor<Scalar>
    /// ((T+1)·B, H): row block 0 is c_0, block t+1 is c_t.
    private var cells: Tensor<Scalar>
    /// (T·B, H): tanh(c_t).
    private var tanhCells: Tensor<Scalar>
    /// (T·B, 4H): d loss / d gate pre-activations.
    private var dGates: Tensor<Scalar>
    /// (B, H): d loss / d c_t, carried from step t to t−1.
    private var dCell: Tensor<Scalar>
    /// (T·B): ones, for column sums through GEMM.
    private var ones: Tensor<Scalar>
    /// (4H): the bias added to every row (b, or b_ih + b_hh).
    private var biasSum: Tensor<Scalar>
    /// (T·B, H) each, chunks with resets only: block t is h_{t-1} and c_{t-1} as step t read
    /// them, the rows of the streams reset before step t zeroed.
    private var previousHidden = Tensor<Scalar>(zeros: [0, 0])
    private var previousCells = Tensor<Scalar>(zeros: [0, 0])
    /// (B, H), chunks with resets only: da_t U before the reset rows are left out.
    private var stepGradient = Tensor<Scalar>(zeros: [0, 0])
    private var lastSteps = 0
    private var lastBatch = 0

    /// An LSTM cell with the given bias layout; parameters start at zero.
    public init(inputSize: Int, hiddenSize: Int, bias: CellBias, namePrefix: String = "cell.") {
        precondition(inputSize > 0 && hiddenSize > 0, "LSTMCell: sizes must be positive (E=\(inputSize), H=\(hiddenSize))")
        let H = hiddenSize, G = 4, gateNames = Self.gateNames
        self.inputSize = inputSize
        self.outputSize = H
        self.biasLayout = bias
        W = Parameter(name: namePrefix + "W", shape: [G * H, inputSize], role: .input, gates: gateNames)
        U = Parameter(name: namePrefix + "U", shape: [G * H, H], role: .recurrent, gates: gateNames)
        switch bias {
        case .none: b = nil; bHH = nil
        case .single: b = Parameter(name: namePrefix + "b", shape: [G * H], role: .bias, gates: gateNames); bHH = nil
        case .split:
            b = Parameter(name: namePrefix + "b_ih", shape: [G * H], role: .bias, gates: gateNames)
            bHH = Parameter(name: namePrefix + "b_hh", shape: [G * H], role: .bias, gates: gateNames)
        }
        gates = Tensor(zeros: [0, G * H])
        hidden = Tensor(zeros: [0, H])
        cells = Tensor(zeros: [0, H])
        tanhCells = Tensor(zeros: [0, H])
        dGates = Tensor(zeros: [0, G * H])
        dCell = Tensor(zeros: [0, H])
        ones = Tensor(zeros: [0])
        biasSum = Tensor(zeros: [G * H])
    }

    private func reserve(rows: Int, batch: Int, resets: Bool) {
        let H = outputSize
        // The reset workspaces, only ever grown by chunks with resets.
        if resets && previousHidden.shape[0] < rows {
            previousHidden = Tensor(zeros: [rows, H])
            previousCells = Tensor(zeros: [rows, H])
        }
        if resets && stepGradient.shape[0] < batch { stepGradient = Tensor(zeros: [batch, H]) }
        if gates.shape[0] < rows {
            gates = Tensor(zeros: [rows, 4 * H])
            dGates = Tensor(zeros: [rows, 4 * H])
            tanhCells = Tensor(zeros: [rows, H])
            ones = Tensor(zeros: [rows])
            ones.fill(1)
        }
        if hidden.shape[0] < rows + batch {
            hidden = Tensor(zeros: [rows + batch, H])
            cells = Tensor(zeros: [rows + batch, H])
        }
        if dCell.shape[0] < batch {
            dCell = Tensor(zeros: [batch, H])
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        resets: StateResets?) -> MatrixRef<Scalar> {
        let H = outputSize, G = 4, B = batch, rows = steps * batch
        precondition(inputs.rows == rows && inputs.cols == inputSize, "LSTMCell.forward: inputs \(inputs.rows)×\(inputs.cols), expected \(rows)×\(inputSize)")
        precondition(state.rows == B && state.cols == 2 * H, "LSTMCell.forward: state \(state.rows)×\(state.cols), expected \(B)×\(2 * H)")
        resets?.check(steps: steps, batch: batch, "LSTMCell.forward")
        reserve(rows: rows, batch: B, resets: resets != nil)
        lastSteps = steps
        lastBatch = batch
        let A = gates.matrix.rows(0..<rows)
        let Hs = hidden.matrix.rows(0..<(rows + B)), Cs = cells.matrix.rows(0..<(rows + B))
        let tanhC = tanhCells.matrix.rows(0..<rows)
        // What step t reads as h_{t-1} and c_{t-1}: block t of Hs and Cs, or, with resets, their
        // copies with the reset streams' rows zeroed.
        let PH = resets == nil ? Hs.rows(0..<rows) : previousHidden.matrix.rows(0..<rows)
        let PC = resets == nil ? Cs.rows(0..<rows) : previousCells.matrix.rows(0..<rows)

        // a = W x + b for all T·B rows and all four gates at once.
        if let b {
            copyElements(from: b.value.data, to: biasSum.data, count: G * H)
            if let bHH { Scalar.blasAxpy(n: G * H, alpha: 1, x: bHH.value.data, y: biasSum.data) }
            for r in 0..<rows { copyElements(from: biasSum.data, to: A.row(r), count: G * H) }
            gemm(inputs, W.value.matrix, transposeB: true, into: A, beta: 1)
        } else {
            gemm(inputs, W.value.matrix, transposeB: true, into: A)
        }
        for r in 0..<B {
            copyElements(from: state.row(r), to: Hs.row(r), count: H)
            copyElements(from: state.row(r) + H, to: Cs.row(r), count: H)
        }

        for t in 0..<steps {
            if let resets {
                copyRows(Hs.rows(t * B..<(t + 1) * B), into: PH.rows(t * B..<(t + 1) * B), zeroing: resets, step: t)
                copyRows(Cs.rows(t * B..<(t + 1) * B), into: PC.rows(t * B..<(t + 1) * B), zeroing: resets, step: t)
            }
            // a_t += h_{t-1} Uᵀ: one GEMM for all gates.
            gemm(PH.rows(t * B..<(t + 1) * B), U.value.matrix, transposeB: true, into: A.rows(t * B..<(t + 1) * B), beta: 1)
            // Gate values in place, then c_t and h_t: one fused pass per row.
            for r in 0..<B {
                let n = t * B + r
                Self.stepRow(gates: A.row(n), cPrev: PC.row(n), c: Cs.row(n + B), tanhC: tanhC.row(n), h: Hs.row(n + B), hidden: H)
            }
        }
        for r in 0..<B {
            copyElements(from: Hs.row(rows + r), to: state.row(r), count: H)
            copyElements(from: Cs.row(rows + r), to: state.row(r) + H, count: H)
        }
        return Hs.rows(B..<(rows + B))
    }

    /// The pointwise part of one step for one stream: `gates` (4H) pre-activations → gate values
    /// [i, f, g, o] in place; c = f ⊙ cPrev + i ⊙ g; tanhC = tanh c; h = o ⊙ tanhC (H each).
    /// Float runs the SIMD kernel `lstmStepRowFloat`, which mirrors this loop.
    @inline(__always)
    static func stepRow(gates a: UnsafeMutablePointer<Scalar>, cPrev: UnsafeMutablePointer<Scalar>, c: UnsafeMutablePointer<Scalar>,
                        tanhC: UnsafeMutablePointer<Scalar>, h: UnsafeMutablePointer<Scalar>, hidden H: Int) {
        if Scalar.self == Float.self {
            lstmStepRowFloat(gates: asFloat(a), cPrev: asFloat(cPrev), c: asFloat(c), tanhC: asFloat(tanhC), h: asFloat(h), hidden: H)
            return
        }
        for j in 0..<H {
            let i = logistic(a[j]), f = logistic(a[H + j]), g = Scalar.tanh(a[2 * H + j]), o = logistic(a[3 * H + j])
            a[j] = i; a[H + j] = f; a[2 * H + j] = g; a[3 * H + j] = o
            c[j] = f * cPrev[j] + i * g
            tanhC[j] = Scalar.tanh(c[j])
            h[j] = o * tanhC[j]
        }
    }

    public var memoryStateColumns: Range<Int>? { outputSize..<(2 * outputSize) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(inputs: MatrixRef<Scalar>, outputGradient dH: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                         finalStateGradient dST: MatrixRef<Scalar>?, initialStateGradient dS0: MatrixRef<Scalar>?,
                         resets: StateResets?) {
        let H = outputSize, B = lastBatch, steps = lastSteps, rows = steps * B
        resets?.check(steps: steps, batch: B, "LSTMCell.backward")
        precondition(dH.rows == rows && dH.cols == H && dH.isContiguous, "LSTMCell.backward: output gradient \(dH.rows)×\(dH.cols), expected \(rows)×\(H)")
        precondition(inputs.rows == rows, "LSTMCell.backward: inputs do not match the last forward chunk")
        let A = gates.matrix.rows(0..<rows), dA = dGates.matrix.rows(0..<rows)
        let Hs = hidden.matrix.rows(0..<(rows + B)), Cs = cells.matrix.rows(0..<(rows + B))
        let tanhC = tanhCells.matrix.rows(0..<rows)
        let PH = resets == nil ? Hs.rows(0..<rows) : previousHidden.matrix.rows(0..<rows)
        let PC = resets == nil ? Cs.rows(0..<rows) : previousCells.matrix.rows(0..<rows)
        let dC = dCell.matrix.rows(0..<B)
        if let dST {
            // [dh_T | dc_T] from beyond the chunk: dh_T joins the output's gradient, dc_T starts the carry.
            precondition(dST.rows == B && dST.cols == 2 * H, "LSTMCell.backward: final state gradient \(dST.rows)×\(dST.cols), expected \(B)×\(2 * H)")
            addRows(MatrixRef(dST.base, rows: B, cols: H, ld: dST.ld), into: dH.rows((steps - 1) * B..<rows))
            for r in 0..<B { copyElements(from: dST.row(r) + H, to: dC.row(r), count: H) }
        } else {
            for r in 0..<B { dC.row(r).update(repeating: 0, count: H) }   // no gradient from beyond the chunk
        }

        // Last step first. With dh_t (from the output and from step t+1) and dc carried:
        //   dc   = dc_carry + dh ⊙ o ⊙ (1 − tanh²c_t)
        //   da_i = dc ⊙ g ⊙ i(1−i);  da_f = dc ⊙ c_{t-1} ⊙ f(1−f)
        //   da_g = dc ⊙ i ⊙ (1−g²);  da_o = dh ⊙ tanh c_t ⊙ o(1−o)
        //   dc_carry = dc ⊙ f;  dh_{t-1} += da_t U
        // A stream reset before step t carries nothing to c_{t-1} and h_{t-1}.
        for t in stride(from: steps - 1, through: 0, by: -1) {
            for r in 0..<B {
                let n = t * B + r
                let a = A.row(n), da = dA.row(n)
                let dh = dH.row(n), tc = tanhC.row(n), cPrev = PC.row(n), dc = dC.row(r)
                for j in 0..<H {
                    let i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j], tcj = tc[j]
                    let dcj = dc[j] + dh[j] * o * (1 - tcj * tcj)
                    da[j] = dcj * g * i * (1 - i)
                    da[H + j] = dcj * cPrev[j] * f * (1 - f)
                    da[2 * H + j] = dcj * i * (1 - g * g)
                    da[3 * H + j] = dh[j] * tcj * o * (1 - o)
                    dc[j] = dcj * f
                }
                if let resets, resets.isReset(step: t, stream: r) { dc.update(repeating: 0, count: H) }
            }
            if t > 0 {
                if let resets, resets.anyReset(atStep: t) {
                    let scratch = stepGradient.matrix.rows(0..<B)
                    gemm(dA.rows(t * B..<(t + 1) * B), U.value.matrix, into: scratch)
                    addRows(scratch, into: dH.rows((t - 1) * B..<t * B), skipping: resets, step: t)
                } else {
                    gemm(dA.rows(t * B..<(t + 1) * B), U.value.matrix, into: dH.rows((t - 1) * B..<t * B), beta: 1)
                }
            }
        }
        // The initial state [h_0 | c_0]: dh_0 = da_1 U, and dc_0 is what the loop carried out
        // of the first step (dc ⊙ f).
        if let dS0 {
            precondition(dS0.rows == B && dS0.cols == 2 * H, "LSTMCell.backward: initial state gradient \(dS0.rows)×\(dS0.cols), expected \(B)×\(2 * H)")
            gemm(dA.rows(0..<B), U.value.matrix, into: MatrixRef(dS0.base, rows: B, cols: H, ld: dS0.ld))
            for r in 0..<B { copyElements(from: dC.row(r), to: dS0.row(r) + H, count: H) }
            if let resets { zeroRows(dS0, reset: resets, step: 0) }   // both h and c columns
        }
        // Over the whole chunk: dU += Σ_t da_tᵀ h_{t-1}, dW += Σ_t da_tᵀ x_t, db += Σ da_t
        // (both biases alike with `.split`), dx = da W.
        gemm(dA, transposeA: true, PH, into: U.grad.matrix, beta: 1)
        gemm(dA, transposeA: true, inputs, into: W.grad.matrix, beta: 1)
        if let b { addColumnSums(of: dA, ones: ones.data, into: b) }
        if let bHH { addColumnSums(of: dA, ones: ones.data, into: bHH) }
        if let dX = inputGradient {
            gemm(dA, W.value.matrix, into: dX)
        }
    }
}
