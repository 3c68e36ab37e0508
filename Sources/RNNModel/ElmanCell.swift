// ElmanCell: the simple recurrent cell of the lecture notes, h_t = g(U h_{t-1} + W e_t + b),
// forward next to its backward pass through time. Without its input projection (`direct`,
// E = H) the input enters the recurrence as it is, h_t = g(U h_{t-1} + e_t + b): Mikolov's RNNLM
// and faster-rnnlm, whose one-hot input times their (V, H) input matrix is an embedding row.
// With E = H that is the same family of models (W e_t ranges over the same vectors as e_t when W
// is invertible), without the input GEMM, dW and the input-gradient GEMM: half a cell's FLOPs.
//
// Shapes: B = batch, T = time steps, E = input size, H = hidden size (G = 1 gate block).
//
// Per chunk: one GEMM for the input projection of all T·B rows (with `direct`, a copy), then T
// small GEMMs for the recurrence; backward: T small GEMMs for the recurrence, then one GEMM each
// for dU, dW and the input gradient (with `direct`: dU, and the input gradient is da itself).
// Workspaces grow to the largest chunk seen and are then reused: no allocation in the step loop.
// Will not: apply dropout (see `StackedCell`, `LanguageModel`).

import RNNTensor

/// The Elman cell: h_t = g(W x_t + U h_{t-1} + b).
///
/// Parameters, named after `namePrefix` (default `cell.`): `W` (H, E) role input (none when
/// `direct`), `U` (H, H) role recurrent, and the bias: `b` (H) with `.single`, or `b_ih` and
/// `b_hh` (H) each with `.split` (PyTorch's layout; the pre-activation adds both). State per
/// stream: h (H).
public final class ElmanCell<Scalar: BLASScalar>: StateResettingCell {
    public let inputSize: Int
    public let outputSize: Int
    public var stateSize: Int { outputSize }
    public let activation: any Activation
    public let biasLayout: CellBias
    /// Input → hidden, (H, E); nil when the input enters the recurrence directly.
    public let W: Parameter<Scalar>?
    /// Hidden → hidden, (H, H).
    public let U: Parameter<Scalar>
    /// The bias (H): `b` with `.single`, `b_ih` with `.split`; nil with `.none`.
    public let b: Parameter<Scalar>?
    /// The second bias `b_hh` (H) with `.split`, else nil.
    public let bHH: Parameter<Scalar>?

    public var parameters: [Parameter<Scalar>] { [W, U, b, bHH].compactMap { $0 } }
    public var summary: String { "elman(\(activation.name)\(W == nil ? ", direct input" : ""))" }

    /// (T·B, H): pre-activations a_t = W x_t + U h_{t-1} + b.
    private var pre: Tensor<Scalar>
    /// ((T+1)·B, H): row block 0 is h_0, block t+1 is h_t. Outputs are blocks 1…T.
    private var states: Tensor<Scalar>
    /// (T·B, H): d loss / d a_t.
    private var dPre: Tensor<Scalar>
    /// (T·B): ones, for column sums through GEMM.
    private var ones: Tensor<Scalar>
    /// (H): the bias added to every row (b, or b_ih + b_hh).
    private var biasSum: Tensor<Scalar>
    /// (T·B, H), chunks with resets only: block t is h_{t-1} as step t read it, the rows of the
    /// streams reset before step t zeroed.
    private var previous = Tensor<Scalar>(zeros: [0, 0])
    /// (B, H), chunks with resets only: da_t U before the reset rows are left out.
    private var stepGradient = Tensor<Scalar>(zeros: [0, 0])
    private var lastSteps = 0
    private var lastBatch = 0

    /// An Elman cell with the given bias layout; parameters start at zero. With `direct` there is
    /// no input projection W and the input must have the hidden size (E = H).
    public init(inputSize: Int, hiddenSize: Int, activation: any Activation, bias: CellBias, direct: Bool = false,
                namePrefix: String = "cell.") {
        precondition(inputSize > 0 && hiddenSize > 0, "ElmanCell: sizes must be positive (E=\(inputSize), H=\(hiddenSize))")
        precondition(!direct || inputSize == hiddenSize, "ElmanCell: a direct input needs E = H (E=\(inputSize), H=\(hiddenSize))")
        self.inputSize = inputSize
        self.outputSize = hiddenSize
        self.activation = activation
        self.biasLayout = bias
        W = direct ? nil : Parameter(name: namePrefix + "W", shape: [hiddenSize, inputSize], role: .input)
        U = Parameter(name: namePrefix + "U", shape: [hiddenSize, hiddenSize], role: .recurrent)
        switch bias {
        case .none: b = nil; bHH = nil
        case .single: b = Parameter(name: namePrefix + "b", shape: [hiddenSize], role: .bias); bHH = nil
        case .split:
            b = Parameter(name: namePrefix + "b_ih", shape: [hiddenSize], role: .bias)
            bHH = Parameter(name: namePrefix + "b_hh", shape: [hiddenSize], role: .bias)
        }
        pre = Tensor(zeros: [0, hiddenSize])
        states = Tensor(zeros: [0, hiddenSize])
        dPre = Tensor(zeros: [0, hiddenSize])
        ones = Tensor(zeros: [0])
        biasSum = Tensor(zeros: [hiddenSize])
    }

    /// An Elman cell with one bias `b` (when `bias`) or none: the layout of existing checkpoints.
    public convenience init(inputSize: Int, hiddenSize: Int, activation: any Activation, bias: Bool, namePrefix: String = "cell.") {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, activation: activation, bias: CellBias(bias), namePrefix: namePrefix)
    }

    private func reserve(rows: Int, batch: Int, resets: Bool) {
        let H = outputSize
        if pre.shape[0] < rows {
            pre = Tensor(zeros: [rows, H])
            dPre = Tensor(zeros: [rows, H])
            ones = Tensor(zeros: [rows])
            ones.fill(1)
        }
        if states.shape[0] < rows + batch {
            states = Tensor(zeros: [rows + batch, H])
        }
        // The reset workspaces, only ever grown by chunks with resets.
        if resets && previous.shape[0] < rows { previous = Tensor(zeros: [rows, H]) }
        if resets && stepGradient.shape[0] < batch { stepGradient = Tensor(zeros: [batch, H]) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        resets: StateResets?) -> MatrixRef<Scalar> {
        let H = outputSize, B = batch, rows = steps * batch
        precondition(inputs.rows == rows && inputs.cols == inputSize, "ElmanCell.forward: inputs \(inputs.rows)×\(inputs.cols), expected \(rows)×\(inputSize)")
        precondition(state.rows == B && state.cols == H, "ElmanCell.forward: state \(state.rows)×\(state.cols), expected \(B)×\(H)")
        resets?.check(steps: steps, batch: batch, "ElmanCell.forward")
        reserve(rows: rows, batch: B, resets: resets != nil)
        lastSteps = steps
        lastBatch = batch
        let A = pre.matrix.rows(0..<rows)
        let S = states.matrix.rows(0..<(rows + B))
        // What step t reads as h_{t-1}: S's block t itself, or, with resets, its copy with the
        // reset streams' rows zeroed.
        let P = resets == nil ? S.rows(0..<rows) : previous.matrix.rows(0..<rows)

        // a = W x + b (direct: x + b) for all T·B rows at once.
        if let W {
            if let b {
                fillRows(A, withBias: b, bHH)
                gemm(inputs, W.value.matrix, transposeB: true, into: A, beta: 1)
            } else {
                gemm(inputs, W.value.matrix, transposeB: true, into: A)
            }
        } else {
            if let b { fillRows(A, withBias: b, bHH) } else { A.base.update(repeating: 0, count: rows * H) }
            for r in 0..<rows { Scalar.blasAxpy(n: H, alpha: 1, x: inputs.row(r), y: A.row(r)) }
        }
        for r in 0..<B { copyElements(from: state.row(r), to: S.row(r), count: H) }

        // The recurrence: a_t += h_{t-1} Uᵀ; h_t = g(a_t).
        for t in 0..<steps {
            let at = A.rows(t * B..<(t + 1) * B)
            if let resets { copyRows(S.rows(t * B..<(t + 1) * B), into: P.rows(t * B..<(t + 1) * B), zeroing: resets, step: t) }
            gemm(P.rows(t * B..<(t + 1) * B), U.value.matrix, transposeB: true, into: at, beta: 1)
            activation.apply(UnsafePointer(at.base), S.row((t + 1) * B), count: B * H)
        }
        for r in 0..<B { copyElements(from: S.row(rows + r), to: state.row(r), count: H) }
        return S.rows(B..<(rows + B))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(inputs: MatrixRef<Scalar>, outputGradient dH: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                         finalStateGradient dHT: MatrixRef<Scalar>?, initialStateGradient dH0: MatrixRef<Scalar>?,
                         resets: StateResets?) {
        let H = outputSize, B = lastBatch, steps = lastSteps, rows = steps * B
        resets?.check(steps: steps, batch: B, "ElmanCell.backward")
        precondition(dH.rows == rows && dH.cols == H && dH.isContiguous, "ElmanCell.backward: output gradient \(dH.rows)×\(dH.cols), expected \(rows)×\(H)")
        precondition(inputs.rows == rows, "ElmanCell.backward: inputs do not match the last forward chunk")
        let A = pre.matrix.rows(0..<rows)
        let S = states.matrix.rows(0..<(rows + B))
        let dA = dPre.matrix.rows(0..<rows)
        if let dHT {
            // The final state is h_T itself: its gradient from beyond the chunk joins the output's.
            precondition(dHT.rows == B && dHT.cols == H, "ElmanCell.backward: final state gradient \(dHT.rows)×\(dHT.cols), expected \(B)×\(H)")
            addRows(dHT, into: dH.rows((steps - 1) * B..<rows))
        }

        // Through time, last step first: da_t = g'(a_t) ⊙ dh_t; dh_{t-1} += da_t U.
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let block = t * B..<(t + 1) * B
            activation.gradient(preactivation: UnsafePointer(A.row(t * B)), output: UnsafePointer(S.row((t + 1) * B)),
                                upstream: UnsafePointer(dH.row(t * B)), into: dA.row(t * B), count: B * H)
            if t > 0 {
                if let resets, resets.anyReset(atStep: t) {
                    // A reset stream's h_{t-1} did not feed step t: only the others get da_t U.
                    let scratch = stepGradient.matrix.rows(0..<B)
                    gemm(dA.rows(block), U.value.matrix, into: scratch)
                    addRows(scratch, into: dH.rows((t - 1) * B..<t * B), skipping: resets, step: t)
                } else {
                    gemm(dA.rows(block), U.value.matrix, into: dH.rows((t - 1) * B..<t * B), beta: 1)
                }
            } else if let dH0 {
                precondition(dH0.rows == B && dH0.cols == H, "ElmanCell.backward: initial state gradient \(dH0.rows)×\(dH0.cols), expected \(B)×\(H)")
                gemm(dA.rows(block), U.value.matrix, into: dH0)   // dh_0 = da_1 U
                if let resets { zeroRows(dH0, reset: resets, step: 0) }
            }
        }
        // Parameter gradients over the whole chunk: dU += Σ_t da_tᵀ h_{t-1} (zero where reset),
        // dW += Σ_t da_tᵀ x_t, db += Σ da_t (both biases alike with `.split`).
        let P = resets == nil ? S.rows(0..<rows) : previous.matrix.rows(0..<rows)
        gemm(dA, transposeA: true, P, into: U.grad.matrix, beta: 1)
        if let W { gemm(dA, transposeA: true, inputs, into: W.grad.matrix, beta: 1) }
        if let b { addColumnSums(of: dA, ones: ones.data, into: b) }
        if let bHH { addColumnSums(of: dA, ones: ones.data, into: bHH) }
        if let dX = inputGradient {
            // dx = da W, or da itself when the input enters directly.
            if let W {
                gemm(dA, W.value.matrix, into: dX)
            } else {
                for r in 0..<rows { copyElements(from: dA.row(r), to: dX.row(r), count: H) }
            }
        }
    }

    /// Every row of `A` (rows, H) set to the bias (b, or b_ih + b_hh).
    private func fillRows(_ A: MatrixRef<Scalar>, withBias b: Parameter<Scalar>, _ bHH: Parameter<Scalar>?) {
        let H = outputSize
        copyElements(from: b.value.data, to: biasSum.data, count: H)
        if let bHH { Scalar.blasAxpy(n: H, alpha: 1, x: bHH.value.data, y: biasSum.data) }
        for r in 0..<A.rows { copyElements(from: biasSum.data, to: A.row(r), count: H) }
    }
}
