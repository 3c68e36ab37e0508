// IndependentSentences: `training.independent_sentences`, Mikolov's `-independent` for an RNN —
// where the recurrent state is reset at every `<eos>` (in training, in evaluation, or both), so
// that its perplexity compares on equal terms with a `kneser_ney` model's `sentences: independent`.
//
// The file takes `false` (the default: the state runs across sentences), `true` (both), or a
// mapping `{train: bool, eval: bool}`; the resolved config.yaml always holds the mapping. The
// `eval` setting is the one `rnnlab eval` of the run uses, read back from the checkpoint's copy
// of that file.

import RNNData
import RNNYAML

/// Where an RNN experiment resets its state at sentence boundaries.
public struct IndependentSentences: Sendable, Equatable {
    /// Reset at every `<eos>` in the training chunks.
    public var train: Bool
    /// Reset at every `<eos>` when evaluating (validation, the final test, `rnnlab eval`).
    public var eval: Bool

    public init(train: Bool = false, eval: Bool = false) {
        self.train = train
        self.eval = eval
    }

    /// True when either setting resets.
    public var isEnabled: Bool { train || eval }

    /// One phrase for logs: `independent sentences in training and evaluation`.
    public var summary: String {
        switch (train, eval) {
        case (true, true): return "independent sentences in training and evaluation"
        case (true, false): return "independent sentences in training only"
        case (false, true): return "independent sentences in evaluation only"
        case (false, false): return "sentences run together"
        }
    }

    /// The key in the experiment file.
    public static let keyPath = "training.independent_sentences"

    /// The reset token of a corpus when `enabled`: its `<eos>` id; nil when not enabled.
    /// Throws, naming `keyPath`, when enabled for a vocabulary without `<eos>`.
    public static func resetToken(enabled: Bool, vocabulary: Vocabulary, file: String) throws -> Int32? {
        guard enabled else { return nil }
        guard let eos = vocabulary.id("<eos>") else {
            throw ExperimentError("resets the state at every <eos>, and this corpus has no <eos> token (a character or synthetic corpus?); use independent_sentences: false",
                                  file: file, keyPath: keyPath, value: "true")
        }
        return eos
    }
}

extension ExperimentDecoder {
    /// `training.independent_sentences`: a bool for both settings, or a mapping with `train`
    /// and `eval` (each false by default); resolved as the mapping.
    func independentSentences(_ training: inout ConfigSection) throws -> IndependentSentences {
        let key = "independent_sentences"
        if let node = training.node(key), node.mapping == nil {
            guard let both = node.bool else {
                throw ConfigError(mark: node.mark, keyPath: training.path(key), value: node.valueDescription,
                                  message: "expected true, false or a mapping with train and eval (true or false), got \(node.valueDescription)")
            }
            training.resolve(key, YAMLNode(pairs: [("train", YAMLNode(both)), ("eval", YAMLNode(both))]))
            return IndependentSentences(train: both, eval: both)
        }
        var section = try training.section(key)
        let train = try section.bool("train", default: false)
        let eval = try section.bool("eval", default: false)
        try training.close(section, as: key)
        return IndependentSentences(train: train, eval: eval)
    }
}
