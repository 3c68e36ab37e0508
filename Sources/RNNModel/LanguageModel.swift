// LanguageModel: embedding → recurrent cell → output layer, trained with teacher forcing over
// chunks of T steps for B streams, the state carried from chunk to chunk (truncated BPTT).
//
// This file wires the layers and owns the chunk-sized buffers between them. It does not
// update parameters (that is the optimizer's job) or clip (the trainer's).
//
// Shapes: B = batch streams, T = time steps in a chunk, E = embedding size, H = the cell's
// output size, S = the cell's state size per stream, V = vocabulary size.

import RNNTensor

/// Why a model could not be assembled from its parts.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case tiedSizeMismatch(embeddingSize: Int, hiddenSize: Int)
    case sizeMismatch(String)

    public var description: String {
        switch self {
        case let .tiedSizeMismatch(e, h):
            return "a tied model needs the embedding size equal to the hidden size, got \(e) and \(h)"
        case let .sizeMismatch(what):
            return what
        }
    }
}

/// Inverted dropout on the non-recurrent connections (Zaremba et al. 2014): the embedded
/// inputs and the cell's outputs, while training only.
public struct DropoutRates: Sendable, Equatable {
    /// Probability of zeroing an element of the embedded input.
    public var embedding: Double
    /// Probability of zeroing an element of the cell's output (before the output layer).
    public var output: Double

    public init(embedding: Double = 0, output: Double = 0) {
        precondition((0..<1).contains(embedding) && (0..<1).contains(output), "DropoutRates: rates must be in [0, 1)")
        self.embedding = embedding
        self.output = output
    }
}

/// An RNN language model: e_t = E x_t; h_t = cell(h_{t-1}, e_t); p(x_{t+1}) = output(h_t).
public final class LanguageModel<Scalar: BLASScalar> {
    public let embedding: Embedding<Scalar>
    public let cell: any RecurrentCell<Scalar>
    public let output: any OutputLayer<Scalar>
    /// Every trainable parameter once (a tied table appears once), embedding first.
    public let parameters: [Parameter<Scalar>]

    /// (T·B, E) embedded inputs, and their gradient.
    private var inputs: Tensor<Scalar>
    private var inputGradient: Tensor<Scalar>
    /// (T·B, H) gradient of the loss with respect to the cell outputs.
    private var outputGradient: Tensor<Scalar>

    /// Dropout rates applied while training (never when evaluating).
    public var dropout = DropoutRates() {
        didSet {
            embeddingDropout.rate = dropout.embedding
            outputDropout.rate = dropout.output
        }
    }
    /// The generator of dropout masks; part of the training state (checkpoints save it). Every
    /// training chunk draws, in order: the embedding mask, the cell's own masks (between the
    /// layers of a `StackedCell`), the output mask.
    public var dropoutGenerator = Xoshiro256(seed: 0)
    /// Dropout on the embedded inputs (T·B, E), in place.
    private let embeddingDropout = Dropout<Scalar>(rate: 0)
    /// Dropout on the cell's outputs (T·B, H), into `droppedOutputs`.
    private let outputDropout = Dropout<Scalar>(rate: 0)
    /// (T·B, H): the cell's outputs after dropout (the cell keeps its own outputs as its state).
    private var droppedOutputs = Tensor<Scalar>(zeros: [0])
    /// (T·B): where the chunk's streams restart, refilled by every chunk given a reset token.
    private let resets = StateResets()

    /// Assembles a model; the parts must agree on sizes.
    public init(embedding: Embedding<Scalar>, cell: any RecurrentCell<Scalar>, output: any OutputLayer<Scalar>) throws(ModelError) {
        guard cell.inputSize == embedding.embeddingSize else {
            throw .sizeMismatch("the cell takes inputs of size \(cell.inputSize) but the embedding size is \(embedding.embeddingSize)")
        }
        guard output.inputSize == cell.outputSize else {
            throw .sizeMismatch("the output layer reads vectors of size \(output.inputSize) but the cell produces \(cell.outputSize)")
        }
        guard output.vocabularySize == embedding.vocabularySize else {
            throw .sizeMismatch("the output layer predicts \(output.vocabularySize) tokens but the vocabulary has \(embedding.vocabularySize)")
        }
        self.embedding = embedding
        self.cell = cell
        self.output = output
        var seen = Set<ObjectIdentifier>()
        parameters = ([embedding.table] + cell.parameters + output.parameters).filter { seen.insert(ObjectIdentifier($0)).inserted }
        // A parameter is zeroed and stepped row by row only if every layer that writes its
        // gradient marks the rows it writes: cells never do, output layers say so.
        let unmarked = cell.parameters + (output.recordsTouchedRows ? [] : output.parameters)
        for p in unmarked { p.stopTrackingTouchedRows() }
        inputs = Tensor(zeros: [0, embedding.embeddingSize])
        inputGradient = Tensor(zeros: [0, embedding.embeddingSize])
        outputGradient = Tensor(zeros: [0, cell.outputSize])
    }

    public var vocabularySize: Int { embedding.vocabularySize }
    /// Number of trainable scalars (a tied table counted once).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// A zero state for `batch` streams, (B, stateSize).
    public func zeroState(batch: Int) -> Tensor<Scalar> {
        Tensor(zeros: [batch, cell.stateSize])
    }

    /// Sets every gradient to zero (only the rows the last step touched, for a parameter that
    /// records them) and starts a new step's sets of touched rows.
    public func zeroGradients() {
        // By index: in a debug build, iterating an array in generic code allocates per element.
        for i in 0..<parameters.count { parameters[i].zeroGradient() }
    }

    /// Whether parameters that record their touched rows (Parameter.touchedRows) are zeroed,
    /// clipped and stepped over those rows only (true, the default) or over every row (false:
    /// the dense path, bit for bit the same results, for tests and measurements).
    public var rowSparseGradients: Bool {
        get { !parameters.contains { $0.touchedRows?.forceDense == true } }
        set { for p in parameters { p.touchedRows?.forceDense = !newValue } }
    }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter<Scalar>? {
        parameters.first { $0.name == name }
    }

    private func reserve(rows: Int) {
        if inputs.shape[0] < rows {
            inputs = Tensor(zeros: [rows, embedding.embeddingSize])
            inputGradient = Tensor(zeros: [rows, embedding.embeddingSize])
            outputGradient = Tensor(zeros: [rows, cell.outputSize])
        }
    }

    /// Forward and backward over one chunk with teacher forcing.
    ///
    /// - Parameters:
    ///   - inputs, targets: (T, B) token ids, time-major.
    ///   - state: (B, stateSize): the state the chunk starts from; replaced by the final state,
    ///     detached (no gradient will reach it from later chunks).
    ///   - resetToken: when given (the `<eos>` id, for independent sentences), each stream's
    ///     state is reset to zero before every step whose input is that token, the carried
    ///     `state` included when the chunk starts with it (see `StateResets`). Nil, or a chunk
    ///     without the token, runs exactly the path without resets.
    /// - Returns: the mean cross-entropy over the T·B positions. Gradients of that mean are
    ///   *added* into the parameters' gradients.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forwardBackward(inputs tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>,
                                steps: Int, batch: Int, state: Tensor<Scalar>, resetBefore resetToken: Int32? = nil) -> Double {
        let rows = steps * batch
        precondition(rows > 0, "LanguageModel.forwardBackward: empty chunk")
        reserve(rows: rows)
        let resets = self.resets(tokens: tokens, steps: steps, batch: batch, before: resetToken)
        let X = inputs.matrix.rows(0..<rows)
        embedding.forward(tokens: tokens, count: rows, into: X)
        let H = cell.outputSize
        if embeddingDropout.isActive { embeddingDropout.forward(X, generator: &dropoutGenerator) }
        var hidden = resets == nil
            ? cell.forward(inputs: X, steps: steps, batch: batch, state: state.matrix, dropoutGenerator: &dropoutGenerator)
            : cell.forward(inputs: X, steps: steps, batch: batch, state: state.matrix, resets: resets, dropoutGenerator: &dropoutGenerator)
        if outputDropout.isActive {
            if droppedOutputs.count < rows * H { droppedOutputs = Tensor(zeros: [rows * H]) }
            let dropped = MatrixRef(droppedOutputs.data, rows: rows, cols: H)
            outputDropout.forward(hidden, into: dropped, generator: &dropoutGenerator)
            hidden = dropped
        }
        let dH = outputGradient.matrix.rows(0..<rows)
        let lossSum = output.lossAndGradient(hidden: hidden, targets: targets, gradScale: 1 / Scalar(rows), hiddenGradient: dH)
        if outputDropout.isActive { outputDropout.backward(dH) }
        let dX = inputGradient.matrix.rows(0..<rows)
        if let resets {
            cell.backward(inputs: X, outputGradient: dH, inputGradient: dX, finalStateGradient: nil, initialStateGradient: nil, resets: resets)
        } else {
            cell.backward(inputs: X, outputGradient: dH, inputGradient: dX)
        }
        if embeddingDropout.isActive { embeddingDropout.backward(dX) }
        embedding.backward(tokens: tokens, count: rows, gradient: dX)
        return lossSum / Double(rows)
    }

    /// Forward only: the summed cross-entropy over the chunk's T·B positions.
    /// `state` is replaced by the final state; `resetToken` as in `forwardBackward`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(inputs tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>,
                     steps: Int, batch: Int, state: Tensor<Scalar>, resetBefore resetToken: Int32? = nil) -> Double {
        let rows = steps * batch
        precondition(rows > 0, "LanguageModel.loss: empty chunk")
        reserve(rows: rows)
        let X = inputs.matrix.rows(0..<rows)
        embedding.forward(tokens: tokens, count: rows, into: X)
        let hidden = cellForward(X, tokens: tokens, steps: steps, batch: batch, state: state, resetBefore: resetToken)
        return output.loss(hidden: hidden, targets: targets)
    }

    /// The cell's evaluation forward over embedded inputs `X` (T·B, E) of `tokens` (T, B), with
    /// the state reset before every input equal to `resetToken` when given: the cell outputs
    /// (T·B, H), valid until the next forward. For scorers that read the output layer
    /// themselves (`rnnlab eval`'s per-token probabilities).
    public func cellForward(_ X: MatrixRef<Scalar>, tokens: UnsafePointer<Int32>, steps: Int, batch: Int,
                            state: Tensor<Scalar>, resetBefore resetToken: Int32?) -> MatrixRef<Scalar> {
        if let resets = resets(tokens: tokens, steps: steps, batch: batch, before: resetToken) {
            return cell.forward(inputs: X, steps: steps, batch: batch, state: state.matrix, resets: resets)
        }
        return cell.forward(inputs: X, steps: steps, batch: batch, state: state.matrix)
    }

    /// The chunk's reset mask, or nil when there is no reset token or the chunk never reads it.
    private func resets(tokens: UnsafePointer<Int32>, steps: Int, batch: Int, before token: Int32?) -> StateResets? {
        guard let token else { return nil }
        precondition(cell.supportsStateResets, "LanguageModel: \(cell.summary) cannot reset its state (supportsStateResets is false)")
        return resets.mark(tokens: tokens, steps: steps, batch: batch, before: token) > 0 ? resets : nil
    }

    /// One step for `batch` streams, for sampling: log-probabilities of the next token (B, V)
    /// after reading `tokens` (B); `state` advances by one step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func stepLogProbabilities(tokens: UnsafePointer<Int32>, batch: Int, state: Tensor<Scalar>, into out: MatrixRef<Scalar>) {
        reserve(rows: batch)
        let X = inputs.matrix.rows(0..<batch)
        embedding.forward(tokens: tokens, count: batch, into: X)
        let hidden = cell.forward(inputs: X, steps: 1, batch: batch, state: state.matrix)
        output.logProbabilities(hidden: hidden, into: out)
    }
}
