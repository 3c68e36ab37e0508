// TrainedModel+TokenProbabilities: p(token t | tokens before t) for every token of a stream but
// the first, for mixing runs (`rnnlab eval RUN_A RUN_B --weights …`). Both kinds read the
// stream the same way, so their lists align position by position: the RNN reads it as one
// stream with its state carried throughout (reset at every `<eos>` for a run evaluated with
// independent sentences) and cannot predict the first token; the n-gram
// model predicts the first token from an empty history, and that probability is dropped.
//
// Shapes: T = tokens in a chunk (batch 1), E = embedding size, V = vocabulary size.

import Foundation
import RNNModel
import RNNNGram
import RNNTensor

extension TrainedModel {
    /// p(tokens[t] | tokens[..<t]) for t = 1 ..< tokens.count (tokens.count − 1 values).
    public func tokenProbabilities(_ tokens: [Int32]) -> [Double] {
        guard tokens.count >= 2 else { return [] }
        switch scorer {
        case let .kneserNey(ngram):
            return Array(ngram.tokenProbabilities(of: tokens).dropFirst())
        case let .recurrent(model):
            return Self.recurrentTokenProbabilities(model, tokens, resetBefore: evalResetToken)
        }
    }

    /// The RNN's probabilities, a chunk of at most `chunk` steps at a time, state carried (and
    /// reset before every `resetToken`, when given: the run's independent sentences).
    /// Forward only, through the model's public parts (no dropout: evaluation).
    static func recurrentTokenProbabilities(_ model: LanguageModel<Float>, _ tokens: [Int32], chunk: Int = 256,
                                            resetBefore resetToken: Int32? = nil) -> [Double] {
        let V = model.vocabularySize
        let embedded = Tensor<Float>(zeros: [chunk, model.embedding.embeddingSize])   /// (T, E)
        let logp = Tensor<Float>(zeros: [chunk, V])                                   /// (T, V)
        let state = model.zeroState(batch: 1)
        var out: [Double] = []
        out.reserveCapacity(tokens.count - 1)
        tokens.withUnsafeBufferPointer { t in
            var start = 0
            while start < t.count - 1 {
                let n = min(chunk, t.count - 1 - start)
                let X = embedded.matrix.rows(0..<n)
                model.embedding.forward(tokens: t.baseAddress! + start, count: n, into: X)
                let hidden = model.cellForward(X, tokens: t.baseAddress! + start, steps: n, batch: 1, state: state,
                                               resetBefore: resetToken)
                let L = logp.matrix.rows(0..<n)
                model.output.logProbabilities(hidden: hidden, into: L)
                for i in 0..<n { out.append(exp(Double(L[i, Int(t[start + i + 1])]))) }
                start += n
            }
        }
        return out
    }
}
