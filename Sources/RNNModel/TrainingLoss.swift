// TrainingLoss: what an output layer's training loss is, so that progress lines, metrics.csv and
// summaries call it by its name. The full and class softmaxes (and the hierarchical softmax) train
// on the cross-entropy, whose exp is a perplexity; NCE trains on a surrogate objective whose exp
// means nothing (a faster-rnnlm user was misled by such figures: yandex/faster-rnnlm#35).

/// The kind of number `OutputLayer.lossAndGradient` returns.
public enum TrainingLoss: Sendable, Equatable, CustomStringConvertible {
    /// −log p(target | h) under the layer's normalised distribution: its exp is a perplexity.
    case crossEntropy
    /// Another objective, named for labels (e.g. `nce`): not a log-probability, no perplexity.
    case surrogate(String)

    /// Whether exp(loss) is a perplexity.
    public var isCrossEntropy: Bool { self == .crossEntropy }

    /// A label for the number: `loss` for the cross-entropy, `<name> loss` otherwise.
    public var label: String {
        switch self {
        case .crossEntropy: return "loss"
        case let .surrogate(name): return "\(name) loss"
        }
    }

    public var description: String {
        switch self {
        case .crossEntropy: return "cross-entropy"
        case let .surrogate(name): return name
        }
    }
}
