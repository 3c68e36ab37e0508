// NGramRun: a kneser_ney experiment from typed config to a results tree beside the RNN runs.
//
// The same data loading and checks as an RNN run (the dataset factory, its vocabulary, `<eos>`
// and `<unk>`), all before the run folder is created; then the same folder safety (a lock,
// atomic files, the folder removed again when it fails before counting starts). "Training" is
// one counting pass over the training split; valid and test are then scored with every token
// predicted. It writes config.yaml, log.txt, an empty metrics.csv (there are no training
// steps), evals.csv (a valid and a test row), summary.json and checkpoint/model.kn with
// checkpoint/vocabulary.ckpt. It cannot be resumed: it completes in one go.

import Foundation
import RNNData
import RNNNGram
import RNNTraining

extension ExperimentRunner {
    /// The corpus of a kneser_ney experiment and the sentence context it counts with, checked.
    public func prepareKneserNey(_ config: ExperimentConfig, _ kn: KneserNeyConfig, dataRoot: String?) throws -> (Corpus, SentenceContext) {
        let corpus = try loadCorpus(config, dataRoot: dataRoot)
        for (name, count) in [("training", corpus.train.count), ("validation", corpus.valid.count), ("test", corpus.test.count)] where count < 1 {
            throw ExperimentError("the \(name) split has no tokens; a kneser_ney run counts the training split and scores the other two",
                                  file: config.sourcePath, keyPath: "data")
        }
        switch kn.sentences {
        case .across:
            return (corpus, .acrossSentences)
        case .independent:
            guard let context = SentenceContext.independent(in: corpus.vocabulary) else {
                throw ExperimentError("independent sentences restart after <eos>, and this corpus has no <eos> token (a character or synthetic corpus?); use sentences: across",
                                      keyPath: "model.sentences", value: "independent").located(in: config.sourcePath, marks: config.marks)
            }
            return (corpus, context)
        }
    }

    /// Counts, evaluates and saves a kneser_ney experiment in a new run folder.
    func runKneserNey(_ config: ExperimentConfig, _ kn: KneserNeyConfig, resolvedYAML: String, options: RunOptions) throws -> RunOutcome {
        let (corpus, context) = try prepareKneserNey(config, kn, dataRoot: options.dataRoot)
        if options.stopRequested() { throw ExperimentError.stoppedBeforeTraining }
        let (directory, runName) = try Self.createRunFolder(root: options.resultsRoot, experiment: config.name, name: options.runName)
        let lock = try RunFolderLock(directory: directory)
        defer { lock.release() }
        var countingStarted = false
        do {
            try writeAtomically(resolvedYAML, to: directory + "/config.yaml")
            return try executeKneserNey(config, kn, corpus: corpus, context: context, directory: directory, runName: runName,
                                        resolvedYAML: resolvedYAML, options: options, countingStarted: &countingStarted)
        } catch {
            if !countingStarted { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
    }

    private func executeKneserNey(_ config: ExperimentConfig, _ kn: KneserNeyConfig, corpus: Corpus, context: SentenceContext,
                                  directory: String, runName: String, resolvedYAML: String, options: RunOptions,
                                  countingStarted: inout Bool) throws -> RunOutcome {
        let started = ContinuousClock.now
        let log = RunLog(quiet: options.quiet)
        try log.attach(path: directory + "/log.txt")
        var summary = RunSummary(
            status: .running, experiment: config.name, run: runName, params: 0, trainTokensPerSec: 0, wallSeconds: 0,
            seed: config.seed, steps: 0, epochs: 0, tokensTrained: 0, stopReason: "", dataset: Self.datasetIdentity(config, corpus),
            rnnlabVersion: rnnlabVersion, gitCommit: rnnlabGitCommit(), blas: "none (counting)", model: kn.summary)
        summary.floorPPL = corpus.entropyRate.map { exp($0) }
        try writeAtomically(try summary.encoded(), to: directory + "/summary.json")
        let recorder = try MetricsRecorder(directory: directory)

        log.say("rnnlab \(rnnlabVersion): \(config.name) → \(directory)")
        log.say("  data: \(config.data.name), \(corpus.vocabulary.count) tokens in the vocabulary; train \(corpus.train.count), valid \(corpus.valid.count), test \(corpus.test.count) tokens")
        log.say("  model: \(kn.summary)")
        if let floor = summary.floorPPL { log.say(String(format: "  entropy floor: perplexity %.3f", floor)) }

        countingStarted = true
        let total = corpus.train.count
        log.say("  counting \(kn.order)-grams in \(total) training tokens")
        let countStart = ContinuousClock.now
        let ngram = KneserNeyModel.train(corpus: corpus, order: kn.order, sentenceContext: context) { done, all in
            log.progress(String(format: "  counting: %3.0f%% (%d of %d tokens)", 100 * Double(done) / Double(max(all, 1)), done, all))
        }
        let countSeconds = (ContinuousClock.now - countStart).inSeconds
        let held = ngram.ngramCounts
        summary.params = held.reduce(0, +)
        summary.tokensTrained = total
        summary.epochs = 1
        summary.trainTokensPerSec = countSeconds > 0 ? Double(total) / countSeconds : 0
        log.say(String(format: "  counted in %.2f s (%.0f tokens/s): %d n-grams held, by order %@", countSeconds,
                       summary.trainTokensPerSec, summary.params, held.map(String.init).joined(separator: " / ")))

        if options.stopRequested() {
            summary.status = .interrupted
            summary.stopReason = "stopped by a signal before the evaluation; a kneser_ney run cannot be resumed, so run the experiment again"
            summary.wallSeconds = (ContinuousClock.now - started).inSeconds
            try writeAtomically(try summary.encoded(), to: directory + "/summary.json")
            log.say("  interrupted: \(summary.stopReason)")
            return RunOutcome(directory: directory, summary: summary)
        }

        // Every token of each split is predicted, the first from an empty history (or <s>).
        let valid = ngram.evaluate(tokens: corpus.valid), test = ngram.evaluate(tokens: corpus.test)
        for (split, score) in [("valid", valid), ("test", test)] {
            recorder.record(evaluation: EvaluationReport(step: 0, epoch: 1, tokens: total, split: split,
                                                         loss: score.crossEntropy, isBest: split == "valid"))
            log.say(String(format: "  %@: %d tokens, loss %.4f ppl %.2f", split, score.count, score.crossEntropy, score.perplexity))
        }
        summary.validPPL = valid.perplexity
        summary.bestValidPPL = valid.perplexity
        summary.testPPL = test.perplexity

        let checkpointDirectory = directory + "/checkpoint"
        var failure = recorder.writeError.map { "\($0)" }
        do {
            try Self.makeFolders(checkpointDirectory, what: "checkpoint folder")
            let vocabulary = Checkpoint(header: Checkpoint.Header(
                kind: "vocabulary", rnnlabVersion: rnnlabVersion, config: resolvedYAML, vocabulary: corpus.vocabulary,
                tokenLevel: corpus.tokenLevel, model: ["type": "kneser_ney", "order": String(kn.order), "sentences": kn.sentences.rawValue,
                                                       "vocabulary_size": String(corpus.vocabulary.count)],
                progress: TrainingProgress(), optimizerStep: 0, schedule: [:], rng: [], tensors: [],
                dataRoot: Self.absoluteDataRoot(config, dataRoot: options.dataRoot)), tensors: [:])
            try writeAtomically(try vocabulary.encoded(), to: checkpointDirectory + "/" + NGramRunFiles.vocabulary)
            try writeAtomically(ngram.encoded(), to: checkpointDirectory + "/" + NGramRunFiles.model)
        } catch {
            failure = failure ?? "\(error)"
        }
        recorder.sync()
        summary.status = .completed
        summary.stopReason = "counted the training split once"
        summary.wallSeconds = (ContinuousClock.now - started).inSeconds
        if let failure {
            summary.status = .failed
            summary.stopReason = failure
        }
        try writeAtomically(try summary.encoded(), to: directory + "/summary.json")
        if let failure { throw ExperimentError(failure) }
        log.say(String(format: "  completed in %.1f s: valid ppl %.3f, test ppl %.3f", summary.wallSeconds, valid.perplexity, test.perplexity))
        log.say(directory)
        return RunOutcome(directory: directory, summary: summary)
    }
}
