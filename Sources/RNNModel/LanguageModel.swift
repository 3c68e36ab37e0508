// LanguageModel: embedding → recurrent cell → output layer, trained with teacher forcing over
// chunks of T steps for B streams, the state carried from chunk to chunk (truncated BPTT).
//
// This file wires the layers and owns the chunk-sized buffers between them. It does not
// update parameters (that is the optimizer's job) or clip (the trainer's).

import RNNTensor

/// Why a model could not be assembled from its parts.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case tiedSizeMismatch(embeddingSize: Int, hiddenSize: Int)
    case sizeMismatch(String)

    public var description: String {
        switch self {
        case let .tiedSizeMismatch(e, h):
            return "a tied model needs embedding_size equal to hidden_size, got embedding_size \(e) and hidden_size \(h)"
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
public final class LanguageModel<T: BLASScalar> {
    public let embedding: Embedding<T>
    public let cell: any RecurrentCell<T>
    public let output: any OutputLayer<T>
    /// Every trainable parameter once (a tied table appears once), embedding first.
    public let parameters: [Parameter<T>]

    /// (T·B, E) embedded inputs, and their gradient.
    private var inputs: Tensor<T>
    private var inputGradient: Tensor<T>
    /// (T·B, H) gradient of the loss with respect to the cell outputs.
    private var outputGradient: Tensor<T>

    /// Dropout rates applied while training (never when evaluating).
    public var dropout = DropoutRates()
    /// The generator of dropout masks; part of the training state (checkpoints save it).
    public var dropoutGenerator = Xoshiro256(seed: 0)
    /// (T·B, E) and (T·B, H) inverted-dropout masks (0 or 1/(1−p)), and the dropped outputs.
    private var embeddingMask = Tensor<T>(zeros: [0])
    private var outputMask = Tensor<T>(zeros: [0])
    private var droppedOutputs = Tensor<T>(zeros: [0])

    /// Assembles a model; the parts must agree on sizes.
    public init(embedding: Embedding<T>, cell: any RecurrentCell<T>, output: any OutputLayer<T>) throws(ModelError) {
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
        inputs = Tensor(zeros: [0, embedding.embeddingSize])
        inputGradient = Tensor(zeros: [0, embedding.embeddingSize])
        outputGradient = Tensor(zeros: [0, cell.outputSize])
    }

    public var vocabularySize: Int { embedding.vocabularySize }
    /// Number of trainable scalars (a tied table counted once).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// A zero state for `batch` streams, (B, stateSize).
    public func zeroState(batch: Int) -> Tensor<T> {
        Tensor(zeros: [batch, cell.stateSize])
    }

    /// Sets every gradient to zero.
    public func zeroGradients() {
        // By index: in a debug build, iterating an array in generic code allocates per element.
        for i in 0..<parameters.count { parameters[i].grad.zero() }
    }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter<T>? {
        parameters.first { $0.name == name }
    }

    /// Fills `mask[0..<n]` with 0 (probability p) or 1/(1−p), and multiplies `x` by it.
    private func applyDropout(_ x: UnsafeMutablePointer<T>, mask: inout Tensor<T>, count n: Int, rate p: Double) {
        if mask.count < n { mask = Tensor(zeros: [n]) }
        let keep = T(1 / (1 - p))
        let threshold = UInt64(p * 0x1p53)
        let m = mask.data
        for i in 0..<n {
            let kept = (dropoutGenerator.next() >> 11) >= threshold
            m[i] = kept ? keep : 0
            x[i] *= m[i]
        }
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
    /// - Returns: the mean cross-entropy over the T·B positions. Gradients of that mean are
    ///   *added* into the parameters' gradients.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forwardBackward(inputs tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>,
                                steps: Int, batch: Int, state: Tensor<T>) -> Double {
        let rows = steps * batch
        precondition(rows > 0, "LanguageModel.forwardBackward: empty chunk")
        reserve(rows: rows)
        let X = inputs.matrix.rows(0..<rows)
        embedding.forward(tokens: tokens, count: rows, into: X)
        let E = embedding.embeddingSize, H = cell.outputSize
        if dropout.embedding > 0 { applyDropout(X.base, mask: &embeddingMask, count: rows * E, rate: dropout.embedding) }
        var hidden = cell.forward(inputs: X, steps: steps, batch: batch, state: state.matrix)
        if dropout.output > 0 {
            // The cell's outputs are also its recurrent state: drop a copy, not the original.
            if droppedOutputs.count < rows * H { droppedOutputs = Tensor(zeros: [rows * H]) }
            let copy = MatrixRef(droppedOutputs.data, rows: rows, cols: H)
            for r in 0..<rows { copyElements(from: hidden.row(r), to: copy.row(r), count: H) }
            applyDropout(copy.base, mask: &outputMask, count: rows * H, rate: dropout.output)
            hidden = copy
        }
        let dH = outputGradient.matrix.rows(0..<rows)
        let lossSum = output.lossAndGradient(hidden: hidden, targets: targets, gradScale: 1 / T(rows), hiddenGradient: dH)
        if dropout.output > 0 { for i in 0..<(rows * H) { dH.base[i] *= outputMask.data[i] } }
        let dX = inputGradient.matrix.rows(0..<rows)
        cell.backward(inputs: X, outputGradient: dH, inputGradient: dX)
        if dropout.embedding > 0 { for i in 0..<(rows * E) { dX.base[i] *= embeddingMask.data[i] } }
        embedding.backward(tokens: tokens, count: rows, gradient: dX)
        return lossSum / Double(rows)
    }

    /// Forward only: the summed cross-entropy over the chunk's T·B positions.
    /// `state` is replaced by the final state.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func loss(inputs tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>,
                     steps: Int, batch: Int, state: Tensor<T>) -> Double {
        let rows = steps * batch
        precondition(rows > 0, "LanguageModel.loss: empty chunk")
        reserve(rows: rows)
        let X = inputs.matrix.rows(0..<rows)
        embedding.forward(tokens: tokens, count: rows, into: X)
        let hidden = cell.forward(inputs: X, steps: steps, batch: batch, state: state.matrix)
        return output.loss(hidden: hidden, targets: targets)
    }

    /// One step for `batch` streams, for sampling: log-probabilities of the next token (B, V)
    /// after reading `tokens` (B); `state` advances by one step.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func stepLogProbabilities(tokens: UnsafePointer<Int32>, batch: Int, state: Tensor<T>, into out: MatrixRef<T>) {
        reserve(rows: batch)
        let X = inputs.matrix.rows(0..<batch)
        embedding.forward(tokens: tokens, count: batch, into: X)
        let hidden = cell.forward(inputs: X, steps: 1, batch: batch, state: state.matrix)
        output.logProbabilities(hidden: hidden, into: out)
    }
}
