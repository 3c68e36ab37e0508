// `rnnlab eval --sentences`: which sentence convention the scored runs use — each run's own
// (`run`, the default: an RNN run's `training.independent_sentences.eval`, an n-gram run's
// `model.sentences`), or one for every RNN run (`across`, `independent`). An n-gram run's
// convention is fixed when it counts; asking it for the other one is refused.

import ArgumentParser
import RNNExperiments

extension Evaluate {
    /// The values of `--sentences`.
    enum Sentences: String, ExpressibleByArgument, CaseIterable {
        /// As each run's own evaluations.
        case run
        /// The state (the n-gram history) runs across sentence boundaries.
        case across
        /// Reset at every `<eos>`.
        case independent
    }

    /// `runs` with `--sentences` applied; throws for a run that cannot take it.
    func applySentences(_ runs: [TrainedModel]) throws -> [TrainedModel] {
        guard sentences != .run else { return runs }
        let independent = sentences == .independent
        return try zip(runDirectories, runs).map { dir, run in
            var run = run
            switch run.scorer {
            case .recurrent:
                if independent, run.vocabulary.id("<eos>") == nil {
                    throw UserFailure(message: "--sentences independent: \(dir) has no <eos> in its vocabulary (a character or synthetic corpus?), so it has no sentences to reset at; use --sentences across or run")
                }
                run.independentSentencesOverride = independent
            case .kneserNey:
                if run.scoresSentencesIndependently != independent {
                    let counted = independent ? "across" : "independent"
                    throw UserFailure(message: "--sentences \(sentences.rawValue): \(dir) is a kneser_ney run counted with sentences: \(counted), which is fixed when it counts; use --sentences run or \(counted), or count another run with model.sentences: \(sentences.rawValue)")
                }
            }
            return run
        }
    }
}
