// TrainedModel+Sentences: the sentence convention a trained RNN run is scored with — its
// `training.independent_sentences.eval`, read back from the checkpoint's copy of config.yaml —
// so that `rnnlab eval` of a run measures what the run's own evaluations measured.

import RNNModel

extension TrainedModel {
    /// The `<eos>` id before which an RNN run's evaluations reset the state, when the run was
    /// evaluated with independent sentences (or `independentSentencesOverride` says so); nil
    /// for a run that carried the state across them, and for an n-gram run (whose
    /// `model.sentences` is part of the counted model).
    public var evalResetToken: Int32? {
        guard case .recurrent = scorer, case let .recurrent(_, training) = config.kind,
              independentSentencesOverride ?? training.independentSentences.eval else { return nil }
        return vocabulary.id("<eos>")
    }

    /// Whether this run scores sentences independently: an RNN run as `evalResetToken` says,
    /// an n-gram run as it was counted.
    public var scoresSentencesIndependently: Bool {
        switch scorer {
        case .recurrent: return evalResetToken != nil
        case let .kneserNey(ngram): return ngram.sentenceContext != .acrossSentences
        }
    }
}
