// Evaluation: mean cross-entropy (and perplexity) of a model over a whole stream, the state
// carried across chunks, no gradients.

import Foundation
import RNNModel
import RNNTensor

/// The result of evaluating over a stream.
public struct EvaluationResult: Sendable, Equatable {
    /// Mean cross-entropy per target token, in nats.
    public var loss: Double
    /// Target tokens scored.
    public var tokens: Int
    /// exp(loss).
    public var perplexity: Double { Foundation.exp(loss) }

    public init(loss: Double, tokens: Int) {
        self.loss = loss
        self.tokens = tokens
    }
}

/// Scores every target of `data` with the state carried from chunk to chunk, starting from zeros.
///
/// With `resetToken` (the `<eos>` id: independent sentences) the state is reset to zero before
/// every input equal to it, within a chunk and across chunk boundaries alike. The chunk length
/// does not change the result (no gradient is cut); a long one keeps the output GEMM large.
/// Evaluating does not touch the parameters or their gradients.
public func evaluate<Scalar: BLASScalar>(_ model: LanguageModel<Scalar>, on data: TokenBatches, chunkLength: Int = 128,
                                         resetBefore resetToken: Int32? = nil) -> EvaluationResult {
    let state = model.zeroState(batch: data.batchSize)
    var total = 0.0
    var count = 0
    data.tokens.withUnsafeBufferPointer { tokens in
        for start in data.chunkStarts(bptt: chunkLength) {
            let n = data.chunkLength(at: start, bptt: chunkLength)
            let inputs = tokens.baseAddress! + start * data.batchSize
            total += model.loss(inputs: inputs, targets: inputs + data.batchSize, steps: n, batch: data.batchSize, state: state,
                                resetBefore: resetToken)
            count += n * data.batchSize
        }
    }
    return EvaluationResult(loss: count > 0 ? total / Double(count) : .nan, tokens: count)
}
