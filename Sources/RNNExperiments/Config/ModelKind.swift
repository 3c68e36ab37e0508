// ModelKind: which kind of language model an experiment runs — a recurrent network trained by
// its `training` section, or a Kneser-Ney n-gram model that is counted, not trained. Chosen by
// `model.type` (`rnn`, the default, or `kneser_ney`); the decoder reads each kind's keys once.
// It will not build or run either model (the runner does).

/// Where an n-gram model's history starts.
public enum SentenceBoundary: String, Sendable, Equatable, CaseIterable {
    /// The history runs across `<eos>`: the corpus is one stream, as the RNN runs read it.
    case across
    /// Each sentence on its own, from a begin-of-sentence mark (SRILM's default, Mikolov's `-independent`).
    case independent
}

/// The model section of a `kneser_ney` experiment.
public struct KneserNeyConfig: Sendable, Equatable {
    /// The longest n-gram used, 1…10.
    public var order: Int
    public var sentences: SentenceBoundary

    public init(order: Int, sentences: SentenceBoundary) {
        self.order = order
        self.sentences = sentences
    }

    /// One line for logs and summary.json: `kneser_ney(order 5, across sentences)`.
    public var summary: String {
        "kneser_ney(order \(order), \(sentences == .across ? "across sentences" : "independent sentences"))"
    }
}

/// The model an experiment runs, with what that kind needs.
public enum ModelKind: Sendable, Equatable {
    /// A recurrent network and how to train it (`model.type: rnn`).
    case recurrent(ModelConfig, TrainingConfig)
    /// An interpolated modified Kneser-Ney n-gram model (`model.type: kneser_ney`).
    case kneserNey(KneserNeyConfig)

    /// The `model.type` that chooses this kind.
    public var typeName: String {
        switch self {
        case .recurrent: return ModelKind.recurrentType
        case .kneserNey: return ModelKind.kneserNeyType
        }
    }

    static let recurrentType = "rnn"
    static let kneserNeyType = "kneser_ney"
}

extension ExperimentConfig {
    /// The recurrent model section. Code for RNN runs reads this; it is a programmer error to
    /// read it for another kind of model (check `kind` first).
    public var model: ModelConfig {
        get {
            guard case let .recurrent(model, _) = kind else {
                preconditionFailure("config.model read for a \(kind.typeName) experiment; only rnn experiments have one (switch on config.kind)")
            }
            return model
        }
        set {
            guard case let .recurrent(_, training) = kind else {
                preconditionFailure("config.model set for a \(kind.typeName) experiment; only rnn experiments have one")
            }
            kind = .recurrent(newValue, training)
        }
    }

    /// The training section of a recurrent model (as `model`: RNN experiments only).
    public var training: TrainingConfig {
        get {
            guard case let .recurrent(_, training) = kind else {
                preconditionFailure("config.training read for a \(kind.typeName) experiment; only rnn experiments are trained (switch on config.kind)")
            }
            return training
        }
        set {
            guard case let .recurrent(model, _) = kind else {
                preconditionFailure("config.training set for a \(kind.typeName) experiment; only rnn experiments are trained")
            }
            kind = .recurrent(model, newValue)
        }
    }

    /// The n-gram model section, when the experiment is a `kneser_ney` one.
    public var kneserNey: KneserNeyConfig? {
        if case let .kneserNey(c) = kind { return c }
        return nil
    }
}
