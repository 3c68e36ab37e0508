// ExperimentRunner+Sentences: the checks of `training.independent_sentences` against the corpus,
// the cell and the diagnostics, made while preparing a run (before anything is written), and
// the `<eos>` ids the trainer and the evaluations reset at.

import RNNModel
import RNNData

extension ExperimentRunner {
    /// The reset tokens of `config` for training and evaluation (nil where the state runs
    /// across sentences). Throws, naming `training.independent_sentences`, when it is enabled
    /// and the corpus has no `<eos>`, the cell cannot reset its state, or the training resets
    /// meet the gradient-through-time diagnostic.
    static func resetTokens(_ config: ExperimentConfig, corpus: Corpus, cell: any RecurrentCell<Float>) throws -> (train: Int32?, eval: Int32?) {
        let setting = config.training.independentSentences, file = config.sourcePath
        guard setting.isEnabled else { return (nil, nil) }
        let eos = try IndependentSentences.resetToken(enabled: true, vocabulary: corpus.vocabulary, file: file)
        guard cell.supportsStateResets else {
            throw ExperimentError("cell \(config.model.cell.name) does not support training.independent_sentences (it cannot reset its state inside a chunk: RecurrentCell.supportsStateResets); use independent_sentences: false",
                                  file: file, keyPath: IndependentSentences.keyPath, value: "true")
        }
        if setting.train, config.diagnostics.gradientThroughTimeEvery != nil {
            // The probe measures the gradient through an unbroken chain of states; with resets
            // most of it is cut at the last <eos>, which the curve would not show.
            throw ExperimentError("the gradient-through-time diagnostic measures the state without resets, and training.independent_sentences resets it at every <eos> in training; remove one of them",
                                  file: file, keyPath: "diagnostics.gradient_through_time")
        }
        return (setting.train ? eos : nil, setting.eval ? eos : nil)
    }
}
