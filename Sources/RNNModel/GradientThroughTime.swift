// GradientThroughTime: the opt-in diagnostic of how far the gradient reaches back through time
// (the lecture's product of Jacobians ∂h_j/∂h_{j−1}): for one chunk, the norm of ∂L_T/∂h_k at
// every distance T − k, L_T being the cross-entropy of the chunk's last position alone.
//
// Method: one forward pass step by step, keeping the state s_k after every step; then backward
// one step at a time, last step first: step k+1 is rerun from s_k and backpropagated with
// ∂L_T/∂s_{k+1} as its final-state gradient, giving ∂L_T/∂s_k as its initial-state gradient
// (`RecurrentCell.backward(…, finalStateGradient:initialStateGradient:)`); the top layer's h
// columns of ∂L_T/∂s_k are ∂L_T/∂h_k. Cost: 2T one-step forwards and T one-step backwards
// (about three training chunks of T steps); memory: the T + 1 states, (T+1)·B·S. It needs
// nothing from a cell beyond the state gradients, so gated cells and stacks work alike.
//
// Will not: apply dropout (the model is measured as in evaluation), draw from the model's
// dropout generator, change the caller's state, or leave anything in the parameters' gradients
// (they are saved first and restored after). It does overwrite the cell's and the output
// layer's workspaces, which every forward pass refills anyway.
//
// Shapes: B = batch streams, T = time steps in the chunk, E = embedding size, H = the cell's
// output size, S = the cell's state size per stream.

import RNNTensor

/// The norms one `GradientThroughTimeProbe.measure` call records, indexed by distance.
///
/// Steps are numbered 1…T; h_k is the (top layer's) hidden state after step k, h_0 the state the
/// chunk started from. L_T = Σ over streams of −log p(target_T | h_T), so each stream's
/// gradient is that of its own last-position loss, neither divided by B nor by T.
public struct GradientNorms: Sendable, Equatable {
    /// `hidden[d]`, d = 0…T: the mean over the B streams of ‖∂L_T/∂h_{T−d}‖₂. d = 0 is the
    /// output layer's gradient at h_T; d = T is the gradient at the chunk's initial state,
    /// which truncated BPTT discards.
    public var hidden: [Double]
    /// For a cell whose (top) layer is an LSTM, `memory[d]` = the mean over the streams of
    /// ‖∂L_T/∂c_{T−d}‖₂ with h_{T−d} held fixed: the gradient along the memory path
    /// c_{T−d} → c_{T−d+1}, i.e. what a truncation at T−d would discard of it. `memory[0]` is 0
    /// by that definition (c_T reaches L_T only through h_T). Nil for cells without a memory.
    public var memory: [Double]?
    /// The mean over the streams of the last position's cross-entropy (nats).
    public var loss: Double

    public init(hidden: [Double], memory: [Double]?, loss: Double) {
        self.hidden = hidden
        self.memory = memory
        self.loss = loss
    }

    /// T, the longest distance recorded.
    public var maxDistance: Int { hidden.count - 1 }
}

/// Why a model cannot be probed.
public enum GradientThroughTimeError: Error, Equatable, CustomStringConvertible {
    /// The cell (or a layer of the stack) does not compute the gradient w.r.t. its initial state.
    case stateGradientUnsupported(cell: String)

    public var description: String {
        switch self {
        case let .stateGradientUnsupported(cell):
            return "the gradient-through-time diagnostic needs a cell that computes the gradient with respect to its initial state (RecurrentCell.supportsStateGradient), and \(cell) does not"
        }
    }
}

/// Measures ‖∂L_T/∂h_k‖ for every distance T − k within a chunk (see `GradientNorms`).
///
/// Build one per model and reuse it: it owns the buffers the measurement needs and grows them
/// to the longest chunk seen. With full BPTT, pass the whole stream as the chunk to measure
/// across it (time and memory grow linearly with T).
public final class GradientThroughTimeProbe<Scalar: BLASScalar> {
    public let model: LanguageModel<Scalar>

    /// (T·B, E): the embedded chunk.
    private var embedded: Tensor<Scalar>
    /// ((T+1)·B, S): block k is the state after step k, block 0 the initial state.
    private var states: Tensor<Scalar>
    /// (B, S): the state a step runs from (the cell overwrites it).
    private var runningState: Tensor<Scalar>
    /// (B, S) each: ∂L_T/∂s_{k+1} and ∂L_T/∂s_k, swapped after every step back.
    private var stateGradients: [Tensor<Scalar>]
    /// (B, H): the cell's output gradient for one step: ∂L_T/∂h_T for the last, else zero.
    private var outputGradient: Tensor<Scalar>
    /// (B, H): d L_T / d h_T.
    private var lastGradient: Tensor<Scalar>
    /// The parameters' gradients as they were before a measurement, one per model parameter.
    private let savedGradients: [Tensor<Scalar>]

    /// A probe for `model`; throws when its cell cannot backpropagate through its state (`supportsStateGradient`).
    public init(model: LanguageModel<Scalar>) throws(GradientThroughTimeError) {
        guard model.cell.supportsStateGradient else { throw .stateGradientUnsupported(cell: model.cell.summary) }
        self.model = model
        let S = model.cell.stateSize, H = model.cell.outputSize
        embedded = Tensor(zeros: [0, model.embedding.embeddingSize])
        states = Tensor(zeros: [0, S])
        runningState = Tensor(zeros: [0, S])
        stateGradients = [Tensor(zeros: [0, S]), Tensor(zeros: [0, S])]
        outputGradient = Tensor(zeros: [0, H])
        lastGradient = Tensor(zeros: [0, H])
        savedGradients = model.parameters.map { Tensor(zeros: $0.grad.shape) }
    }

    private func reserve(steps: Int, batch: Int) {
        let rows = steps * batch, S = model.cell.stateSize, H = model.cell.outputSize
        if embedded.shape[0] < rows { embedded = Tensor(zeros: [rows, model.embedding.embeddingSize]) }
        if states.shape[0] < rows + batch { states = Tensor(zeros: [rows + batch, S]) }
        if runningState.shape[0] != batch {
            runningState = Tensor(zeros: [batch, S])
            stateGradients = [Tensor(zeros: [batch, S]), Tensor(zeros: [batch, S])]
            outputGradient = Tensor(zeros: [batch, H])
            lastGradient = Tensor(zeros: [batch, H])
        }
    }

    /// Records ‖∂L_T/∂h_k‖ for k = T…0 over one chunk.
    ///
    /// - Parameters:
    ///   - inputs, targets: (T, B) token ids, time-major, as for `LanguageModel.forwardBackward`;
    ///     only the last step's targets are read.
    ///   - state: (B, S): the state the chunk starts from; left unchanged.
    /// - Returns: the norms by distance 0…T (T + 1 values each).
    public func measure(inputs tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>,
                        steps: Int, batch: Int, state: Tensor<Scalar>) -> GradientNorms {
        let B = batch, T = steps, rows = T * B
        let cell = model.cell, S = cell.stateSize, H = cell.outputSize
        precondition(rows > 0, "GradientThroughTimeProbe.measure: empty chunk (T=\(T), B=\(B))")
        precondition(state.count == B * S, "GradientThroughTimeProbe.measure: state \(state.shape), expected [\(B), \(S)]")
        reserve(steps: T, batch: B)
        for (saved, p) in zip(savedGradients, model.parameters) { saved.copy(from: p.grad) }
        defer { for (saved, p) in zip(savedGradients, model.parameters) { p.grad.copy(from: saved) } }

        let X = embedded.matrix.rows(0..<rows)
        model.embedding.forward(tokens: tokens, count: rows, into: X)
        let allStates = states.matrix.rows(0..<(rows + B))
        let running = runningState.matrix, dH = outputGradient.matrix, dLast = lastGradient.matrix

        // Forward step by step, keeping s_0…s_T; L_T and d L_T / d h_T from the last step's output.
        copyElements(from: state.data, to: allStates.base, count: B * S)
        copyElements(from: state.data, to: running.base, count: B * S)
        var hT = MatrixRef(running.base, rows: 0, cols: H)
        for t in 0..<T {
            hT = cell.forward(inputs: X.rows(t * B..<(t + 1) * B), steps: 1, batch: B, state: running)
            copyElements(from: running.base, to: allStates.row((t + 1) * B), count: B * S)
        }
        // The cross-entropy's gradient even for a layer that trains on another objective (NCE),
        // and without drawing from the layer's generator.
        let lossSum = model.output.crossEntropyAndGradient(hidden: hT, targets: targets + (T - 1) * B, gradScale: 1, hiddenGradient: dLast)

        let hColumns = cell.outputStateColumns, cColumns = cell.memoryStateColumns
        var hidden = [Double](repeating: 0, count: T + 1)
        var memory = cColumns.map { _ in [Double](repeating: 0, count: T + 1) }
        hidden[0] = Self.meanRowNorm(dLast, columns: 0..<H)

        // Step k+1 = T…1, rerun from s_k: ∂L_T/∂h_T enters as the last step's output gradient,
        // ∂L_T/∂s_{k+1} as its final-state gradient; out comes ∂L_T/∂s_k, distance T − k.
        var dNext = stateGradients[0].matrix, dPrevious = stateGradients[1].matrix
        for k in stride(from: T - 1, through: 0, by: -1) {
            let step = X.rows(k * B..<(k + 1) * B)
            copyElements(from: allStates.row(k * B), to: running.base, count: B * S)
            _ = cell.forward(inputs: step, steps: 1, batch: B, state: running)
            if k == T - 1 {
                copyElements(from: dLast.base, to: dH.base, count: B * H)
            } else {
                dH.base.update(repeating: 0, count: B * H)
            }
            cell.backward(inputs: step, outputGradient: dH, inputGradient: nil,
                          finalStateGradient: k == T - 1 ? nil : dNext, initialStateGradient: dPrevious)
            hidden[T - k] = Self.meanRowNorm(dPrevious, columns: hColumns)
            if let cColumns { memory?[T - k] = Self.meanRowNorm(dPrevious, columns: cColumns) }
            swap(&dNext, &dPrevious)
        }
        return GradientNorms(hidden: hidden, memory: memory, loss: lossSum / Double(B))
    }

    /// The mean over rows of the Euclidean norm of `columns` of each row, summed in Double.
    private static func meanRowNorm(_ m: MatrixRef<Scalar>, columns: Range<Int>) -> Double {
        var total = 0.0
        for r in 0..<m.rows {
            let row = m.row(r)
            var squares = 0.0
            for j in columns { let v = Double(row[j]); squares += v * v }
            total += squares.squareRoot()
        }
        return total / Double(m.rows)
    }
}
