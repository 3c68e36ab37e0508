// IndRNNCell: the independently recurrent cell of Li et al. 2018 ("Independently Recurrent
// Neural Network (IndRNN)"), h_t = g(W x_t + u ⊙ h_{t-1} + b), a plugin's own cell, forward next
// to its backward pass through time.
//
// Shapes: B = batch streams, T = time steps in the chunk, E = input size, H = hidden size.
//
// Per chunk: one GEMM for the input projection of all T·B rows; the recurrence is elementwise
// (each unit sees only its own past, through its weight u_j), one pass over a step's B·H
// numbers. Backward: the elementwise recurrence last step first, then one GEMM each for dW and
// the input gradient. Workspaces grow to the largest chunk seen and are then reused: no
// allocation in the step loop. Will not: clip u to |u| ≤ γ^(1/T) (the paper's constraint for
// long sequences), apply dropout (see `StackedCell`, `LanguageModel`), batch-normalise.

import RNNModel
import RNNTensor

/// The IndRNN cell: h_t = g(W x_t + u ⊙ h_{t-1} + b), u a vector (one recurrent weight per unit).
///
/// Parameters, named after `namePrefix` (`cell.` alone, `cell.l{l}.` in a stack): `W` (H, E)
/// role input, `u` (H) role recurrent, `b` (H) role bias when `bias`. State per stream: h (H).
/// Li et al. use g = relu; any `Activation` works.
public final class IndRNNCell<Scalar: BLASScalar>: RecurrentCell {
    public let inputSize: Int
    public let outputSize: Int
    public var stateSize: Int { outputSize }
    public let activation: any Activation
    /// Input → hidden, (H, E).
    public let W: Parameter<Scalar>
    /// Hidden → hidden, elementwise, (H).
    public let u: Parameter<Scalar>
    /// The bias (H), or nil without one.
    public let b: Parameter<Scalar>?

    public var parameters: [Parameter<Scalar>] { [W, u] + [b].compactMap { $0 } }
    public var summary: String { "indrnn(\(activation.name))" }

    /// (T·B, H): pre-activations a_t = W x_t + b + u ⊙ h_{t-1}.
    private var pre: Tensor<Scalar>
    /// ((T+1)·B, H): row block 0 is h_0, block t+1 is h_t. Outputs are blocks 1…T.
    private var states: Tensor<Scalar>
    /// (T·B, H): d loss / d a_t.
    private var dPre: Tensor<Scalar>
    /// (T·B): ones, for the bias gradient's column sums through GEMM.
    private var ones: Tensor<Scalar>
    private var lastSteps = 0
    private var lastBatch = 0

    /// An IndRNN cell; parameters start at zero (the model's role rules fill them).
    public init(inputSize: Int, hiddenSize: Int, activation: any Activation, bias: Bool, namePrefix: String = "cell.") {
        precondition(inputSize > 0 && hiddenSize > 0, "IndRNNCell: sizes must be positive (E=\(inputSize), H=\(hiddenSize))")
        self.inputSize = inputSize
        self.outputSize = hiddenSize
        self.activation = activation
        W = Parameter(name: namePrefix + "W", shape: [hiddenSize, inputSize], role: .input)
        u = Parameter(name: namePrefix + "u", shape: [hiddenSize], role: .recurrent)
        b = bias ? Parameter(name: namePrefix + "b", shape: [hiddenSize], role: .bias) : nil
        pre = Tensor(zeros: [0, hiddenSize])
        states = Tensor(zeros: [0, hiddenSize])
        dPre = Tensor(zeros: [0, hiddenSize])
        ones = Tensor(zeros: [0])
    }

    private func reserve(rows: Int, batch: Int) {
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
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>) -> MatrixRef<Scalar> {
        let H = outputSize, B = batch, rows = steps * batch
        precondition(inputs.rows == rows && inputs.cols == inputSize, "IndRNNCell.forward: inputs \(inputs.rows)×\(inputs.cols), expected \(rows)×\(inputSize)")
        precondition(state.rows == B && state.cols == H, "IndRNNCell.forward: state \(state.rows)×\(state.cols), expected \(B)×\(H)")
        reserve(rows: rows, batch: B)
        lastSteps = steps
        lastBatch = batch
        let A = pre.matrix.rows(0..<rows)
        let S = states.matrix.rows(0..<(rows + B))

        // a = W x + b for all T·B rows at once.
        if let b {
            for r in 0..<rows { copyElements(from: b.value.data, to: A.row(r), count: H) }
            gemm(inputs, W.value.matrix, transposeB: true, into: A, beta: 1)
        } else {
            gemm(inputs, W.value.matrix, transposeB: true, into: A)
        }
        // h_0: the given state (its rows may be strided, e.g. one layer's columns of a stack's state).
        for r in 0..<B { copyElements(from: state.row(r), to: S.row(r), count: H) }

        // The recurrence, one unit at a time: a_t += u ⊙ h_{t-1}; h_t = g(a_t).
        let uv = u.value.data
        for t in 0..<steps {
            for r in t * B..<(t + 1) * B {
                let a = A.row(r), h = S.row(r)   // S's row r is h_{t-1} of the same stream
                for j in 0..<H { a[j] += uv[j] * h[j] }
            }
            activation.apply(UnsafePointer(A.row(t * B)), S.row((t + 1) * B), count: B * H)
        }
        for r in 0..<B { copyElements(from: S.row(rows + r), to: state.row(r), count: H) }
        return S.rows(B..<(rows + B))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(inputs: MatrixRef<Scalar>, outputGradient dH: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?) {
        let H = outputSize, B = lastBatch, steps = lastSteps, rows = steps * B
        precondition(dH.rows == rows && dH.cols == H && dH.isContiguous, "IndRNNCell.backward: output gradient \(dH.rows)×\(dH.cols), expected \(rows)×\(H)")
        precondition(inputs.rows == rows, "IndRNNCell.backward: inputs do not match the last forward chunk")
        let A = pre.matrix.rows(0..<rows)
        let S = states.matrix.rows(0..<(rows + B))
        let dA = dPre.matrix.rows(0..<rows)
        let uv = u.value.data

        // Through time, last step first: da_t = g'(a_t) ⊙ dh_t; dh_{t-1} += u ⊙ da_t.
        for t in stride(from: steps - 1, through: 0, by: -1) {
            activation.gradient(preactivation: UnsafePointer(A.row(t * B)), output: UnsafePointer(S.row((t + 1) * B)),
                                upstream: UnsafePointer(dH.row(t * B)), into: dA.row(t * B), count: B * H)
            guard t > 0 else { continue }
            for r in 0..<B {
                let da = dA.row(t * B + r), dPrev = dH.row((t - 1) * B + r)
                for j in 0..<H { dPrev[j] += uv[j] * da[j] }
            }
        }
        // Parameter gradients over the whole chunk: du += Σ_t da_t ⊙ h_{t-1} (row r of S is the
        // h_{t-1} of dA's row r), dW += Σ_t da_tᵀ x_t, db += Σ da_t.
        let du = u.grad.data
        for r in 0..<rows {
            let da = dA.row(r), h = S.row(r)
            for j in 0..<H { du[j] += da[j] * h[j] }
        }
        gemm(dA, transposeA: true, inputs, into: W.grad.matrix, beta: 1)
        if let b {
            gemm(MatrixRef(ones.data, rows: 1, cols: rows), dA, into: b.grad.matrix, beta: 1)
        }
        if let dX = inputGradient {
            gemm(dA, W.value.matrix, into: dX)
        }
    }
}
