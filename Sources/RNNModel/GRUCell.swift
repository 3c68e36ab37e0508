// GRUCell: the gated recurrent unit with PyTorch's gate order and equations (nn.GRU), forward
// next to its backward pass through time.
//
// Shapes: B = batch, T = time steps, E = input size, H = hidden size, G = 3 gate blocks in the
// order [r, z, n] (reset, update, new).
//
//     a = W x_t + b_ih,  ĥ = U h_{t-1} + b_hh                  (G·H per stream each)
//     r = σ(a_r + ĥ_r);  z = σ(a_z + ĥ_z)
//     n = tanh(a_n + r ⊙ ĥ_n)            (the reset gate multiplies U_n h + b_hn)
//     h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
//
// Because b_hn sits inside the reset product, the two biases are not interchangeable: a GRU has
// both or none. Per chunk: one GEMM for the input projection of all T·B rows (all gates), then
// per step one recurrent GEMM for all gates and one fused pass per stream for the gates and h_t
// (a SIMD kernel in Float, RNNTensor's `gruStepRowFloat`). Backward: per step one pass for the gate gradients and one GEMM for dh_{t-1}; then one
// GEMM each for dU, dW and the input gradient. No allocation in the step loop.
// Will not: dropout (see `StackedCell`), PyTorch's `linear_before_reset = false` variant.

import RNNTensor

/// The GRU cell. State per stream: h (H).
///
/// Parameters, named after `namePrefix` (default `cell.`), gate blocks [r, z, n] stacked along
/// the rows: `W` (3H, E) role input, `U` (3H, H) role recurrent, and when biased `b_ih` (3H)
/// and `b_hh` (3H), PyTorch's layout.
public final class GRUCell<Scalar: BLASScalar>: StateResettingCell {
    /// The gate blocks in row order.
    public static var gateNames: [String] { ["r", "z", "n"] }

    public let inputSize: Int
    public let outputSize: Int
    public var stateSize: Int { outputSize }
    /// Input → gates, (3H, E).
    public let W: Parameter<Scalar>
    /// Hidden → gates, (3H, H).
    public let U: Parameter<Scalar>
    /// Input-side bias `b_ih` (3H), or nil.
    public let bIH: Parameter<Scalar>?
    /// Hidden-side bias `b_hh` (3H), or nil; its n block is multiplied by the reset gate.
    public let bHH: Parameter<Scalar>?

    public var parameters: [Parameter<Scalar>] { [W, U] + [bIH, bHH].compactMap { $0 } }
    public var summary: String { "gru" }

    /// (T·B, 3H): the input projections W x_t + b_ih, replaced in the forward pass by the gate
    /// values [r, z, n] (what backward reads).
    private var inputGates: Tensor<Scalar>
    /// (T·B, 3H): the recurrent projections ĥ = U h_{t-1} + b_hh (backward reads the n block).
    private var hiddenGates: Tensor<Scalar>
    /// ((T+1)·B, H): row block 0 is h_0, block t+1 is h_t. Outputs are blocks 1…T.
    private var hidden: Tensor<Scalar>
    /// (T·B, 3H): d loss / d a (the input-side pre-activations).
    private var dInputGates: Tensor<Scalar>
    /// (T·B, 3H): d loss / d ĥ (the recurrent-side pre-activations; n block is d a_n ⊙ r).
    private var dHiddenGates: Tensor<Scalar>
    /// (T·B): ones, for column sums through GEMM.
    private var ones: Tensor<Scalar>
    /// (T·B, H), chunks with resets only: block t is h_{t-1} as step t read it, the rows of the
    /// streams reset before step t zeroed.
    private var previous = Tensor<Scalar>(zeros: [0, 0])
    /// (B, H), chunks with resets only: dĥ_t U before the reset rows are left out.
    private var stepGradient = Tensor<Scalar>(zeros: [0, 0])
    private var lastSteps = 0
    private var lastBatch = 0

    /// A GRU cell, with PyTorch's two biases when `bias` is true; parameters start at zero.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool, namePrefix: String = "cell.") {
        precondition(inputSize > 0 && hiddenSize > 0, "GRUCell: sizes must be positive (E=\(inputSize), H=\(hiddenSize))")
        let H = hiddenSize, G = 3, gateNames = Self.gateNames
        self.inputSize = inputSize
        self.outputSize = H
        W = Parameter(name: namePrefix + "W", shape: [G * H, inputSize], role: .input, gates: gateNames)
        U = Parameter(name: namePrefix + "U", shape: [G * H, H], role: .recurrent, gates: gateNames)
        bIH = bias ? Parameter(name: namePrefix + "b_ih", shape: [G * H], role: .bias, gates: gateNames) : nil
        bHH = bias ? Parameter(name: namePrefix + "b_hh", shape: [G * H], role: .bias, gates: gateNames) : nil
        inputGates = Tensor(zeros: [0, G * H])
        hiddenGates = Tensor(zeros: [0, G * H])
        hidden = Tensor(zeros: [0, H])
        dInputGates = Tensor(zeros: [0, G * H])
        dHiddenGates = Tensor(zeros: [0, G * H])
        ones = Tensor(zeros: [0])
    }

    /// A GRU cell from a bias layout shared with the other cells: `.split` or `.none`.
    /// `.single` is a programmer error (the GRU's two biases are not interchangeable).
    public convenience init(inputSize: Int, hiddenSize: Int, bias: CellBias, namePrefix: String = "cell.") {
        precondition(bias != .single, "GRUCell: a GRU needs PyTorch's two biases (b_hn sits inside the reset product); use .split or .none")
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, bias: bias == .split, namePrefix: namePrefix)
    }

    private func reserve(rows: Int, batch: Int, resets: Bool) {
        let H = outputSize
        // The reset workspaces, only ever grown by chunks with resets.
        if resets && previous.shape[0] < rows { previous = Tensor(zeros: [rows, H]) }
        if resets && stepGradient.shape[0] < batch { stepGradient = Tensor(zeros: [batch, H]) }
        if inputGates.shape[0] < rows {
            inputGates = Tensor(zeros: [rows, 3 * H])
            hiddenGates = Tensor(zeros: [rows, 3 * H])
            dInputGates = Tensor(zeros: [rows, 3 * H])
            dHiddenGates = Tensor(zeros: [rows, 3 * H])
            ones = Tensor(zeros: [rows])
            ones.fill(1)
        }
        if hidden.shape[0] < rows + batch {
            hidden = Tensor(zeros: [rows + batch, H])
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        resets: StateResets?) -> MatrixRef<Scalar> {
        let H = outputSize, G = 3, B = batch, rows = steps * batch
        precondition(inputs.rows == rows && inputs.cols == inputSize, "GRUCell.forward: inputs \(inputs.rows)×\(inputs.cols), expected \(rows)×\(inputSize)")
        precondition(state.rows == B && state.cols == H, "GRUCell.forward: state \(state.rows)×\(state.cols), expected \(B)×\(H)")
        resets?.check(steps: steps, batch: batch, "GRUCell.forward")
        reserve(rows: rows, batch: B, resets: resets != nil)
        lastSteps = steps
        lastBatch = batch
        let AX = inputGates.matrix.rows(0..<rows), AH = hiddenGates.matrix.rows(0..<rows)
        let Hs = hidden.matrix.rows(0..<(rows + B))
        // What step t reads as h_{t-1}: block t of Hs, or, with resets, its copy with the reset
        // streams' rows zeroed.
        let P = resets == nil ? Hs.rows(0..<rows) : previous.matrix.rows(0..<rows)

        // a = W x + b_ih for all T·B rows and all three gates at once; ĥ starts as b_hh.
        if let bIH, let bHH {
            for r in 0..<rows {
                copyElements(from: bIH.value.data, to: AX.row(r), count: G * H)
                copyElements(from: bHH.value.data, to: AH.row(r), count: G * H)
            }
            gemm(inputs, W.value.matrix, transposeB: true, into: AX, beta: 1)
        } else {
            gemm(inputs, W.value.matrix, transposeB: true, into: AX)
        }
        for r in 0..<B { copyElements(from: state.row(r), to: Hs.row(r), count: H) }

        for t in 0..<steps {
            if let resets { copyRows(Hs.rows(t * B..<(t + 1) * B), into: P.rows(t * B..<(t + 1) * B), zeroing: resets, step: t) }
            // ĥ_t = U h_{t-1} + b_hh: one GEMM for all gates.
            gemm(P.rows(t * B..<(t + 1) * B), U.value.matrix, transposeB: true, into: AH.rows(t * B..<(t + 1) * B),
                 beta: bHH == nil ? 0 : 1)
            // Gate values in place of a, then h_t: one fused pass per row.
            for r in 0..<B {
                let n = t * B + r
                Self.stepRow(gates: AX.row(n), hiddenGates: AH.row(n), hPrev: P.row(n), h: Hs.row(n + B), hidden: H)
            }
        }
        for r in 0..<B { copyElements(from: Hs.row(rows + r), to: state.row(r), count: H) }
        return Hs.rows(B..<(rows + B))
    }

    /// The pointwise part of one step for one stream: `gates` (3H) a = W x + b_ih → [r, z, n] in
    /// place, from ĥ = `hiddenGates` (3H); h = (1 − z) ⊙ n + z ⊙ hPrev (H). Float runs the SIMD
    /// kernel `gruStepRowFloat`, which mirrors this loop.
    @inline(__always)
    static func stepRow(gates a: UnsafeMutablePointer<Scalar>, hiddenGates ah: UnsafeMutablePointer<Scalar>,
                        hPrev: UnsafeMutablePointer<Scalar>, h: UnsafeMutablePointer<Scalar>, hidden H: Int) {
        if Scalar.self == Float.self {
            gruStepRowFloat(gates: asFloat(a), hiddenGates: asFloat(ah), hPrev: asFloat(hPrev), h: asFloat(h), hidden: H)
            return
        }
        for j in 0..<H {
            let r = logistic(a[j] + ah[j]), z = logistic(a[H + j] + ah[H + j])
            let newGate = Scalar.tanh(a[2 * H + j] + r * ah[2 * H + j])
            a[j] = r; a[H + j] = z; a[2 * H + j] = newGate
            h[j] = (1 - z) * newGate + z * hPrev[j]
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(inputs: MatrixRef<Scalar>, outputGradient dH: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                         finalStateGradient dHT: MatrixRef<Scalar>?, initialStateGradient dH0: MatrixRef<Scalar>?,
                         resets: StateResets?) {
        let H = outputSize, B = lastBatch, steps = lastSteps, rows = steps * B
        resets?.check(steps: steps, batch: B, "GRUCell.backward")
        precondition(dH.rows == rows && dH.cols == H && dH.isContiguous, "GRUCell.backward: output gradient \(dH.rows)×\(dH.cols), expected \(rows)×\(H)")
        precondition(inputs.rows == rows, "GRUCell.backward: inputs do not match the last forward chunk")
        if let dH0 {
            precondition(dH0.rows == B && dH0.cols == H, "GRUCell.backward: initial state gradient \(dH0.rows)×\(dH0.cols), expected \(B)×\(H)")
        }
        if let dHT {
            // The final state is h_T itself: its gradient from beyond the chunk joins the output's.
            precondition(dHT.rows == B && dHT.cols == H, "GRUCell.backward: final state gradient \(dHT.rows)×\(dHT.cols), expected \(B)×\(H)")
            addRows(dHT, into: dH.rows((steps - 1) * B..<rows))
        }
        let gatesX = inputGates.matrix.rows(0..<rows), AH = hiddenGates.matrix.rows(0..<rows)
        let dAX = dInputGates.matrix.rows(0..<rows), dAH = dHiddenGates.matrix.rows(0..<rows)
        let Hs = hidden.matrix.rows(0..<(rows + B))
        let P = resets == nil ? Hs.rows(0..<rows) : previous.matrix.rows(0..<rows)

        // Last step first. With dh_t (from the output and from step t+1):
        //   dn = dh ⊙ (1 − z);  dz = dh ⊙ (h_{t-1} − n)
        //   da_n = dn ⊙ (1 − n²);  dĥ_n = da_n ⊙ r;  dr = da_n ⊙ ĥ_n
        //   da_r = dĥ_r = dr ⊙ r(1−r);  da_z = dĥ_z = dz ⊙ z(1−z)
        //   dh_{t-1} += dh ⊙ z + dĥ_t U   (neither for a stream reset before step t)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            for r in 0..<B {
                let n = t * B + r
                let g = gatesX.row(n), ah = AH.row(n), dax = dAX.row(n), dah = dAH.row(n)
                let dh = dH.row(n), hPrev = P.row(n)
                for j in 0..<H {
                    let reset = g[j], z = g[H + j], newGate = g[2 * H + j], dhj = dh[j]
                    let daN = dhj * (1 - z) * (1 - newGate * newGate)
                    let daR = daN * ah[2 * H + j] * reset * (1 - reset)
                    let daZ = dhj * (hPrev[j] - newGate) * z * (1 - z)
                    dax[j] = daR; dah[j] = daR
                    dax[H + j] = daZ; dah[H + j] = daZ
                    dax[2 * H + j] = daN; dah[2 * H + j] = daN * reset
                }
                if let resets, resets.isReset(step: t, stream: r) {
                    if t == 0, let dH0 { dH0.row(r).update(repeating: 0, count: H) }
                } else if t > 0 {
                    let dhPrev = dH.row(n - B), z = g + H
                    for j in 0..<H { dhPrev[j] += dh[j] * z[j] }
                } else if let dH0 {
                    let dhPrev = dH0.row(r), z = g + H
                    for j in 0..<H { dhPrev[j] = dh[j] * z[j] }   // overwritten: nothing flows in from before the chunk
                }
            }
            if let resets, resets.anyReset(atStep: t) {
                if let previousGradient = t > 0 ? dH.rows((t - 1) * B..<t * B) : dH0 {
                    let scratch = stepGradient.matrix.rows(0..<B)
                    gemm(dAH.rows(t * B..<(t + 1) * B), U.value.matrix, into: scratch)
                    addRows(scratch, into: previousGradient, skipping: resets, step: t)
                }
            } else if t > 0 {
                gemm(dAH.rows(t * B..<(t + 1) * B), U.value.matrix, into: dH.rows((t - 1) * B..<t * B), beta: 1)
            } else if let dH0 {
                gemm(dAH.rows(0..<B), U.value.matrix, into: dH0, beta: 1)
            }
        }
        // Over the whole chunk: dU += Σ_t dĥ_tᵀ h_{t-1}, db_hh += Σ dĥ_t, dW += Σ_t da_tᵀ x_t,
        // db_ih += Σ da_t, dx = da W.
        gemm(dAH, transposeA: true, P, into: U.grad.matrix, beta: 1)
        gemm(dAX, transposeA: true, inputs, into: W.grad.matrix, beta: 1)
        if let bIH { addColumnSums(of: dAX, ones: ones.data, into: bIH) }
        if let bHH { addColumnSums(of: dAH, ones: ones.data, into: bHH) }
        if let dX = inputGradient {
            gemm(dAX, W.value.matrix, into: dX)
        }
    }
}
