// TrainedModel: a run folder's best weights (or, for an n-gram run, its counted model) brought
// back to life, for sampling and for scoring new text. The n-gram side is in
// TrainedModel+NGram.swift.

import Foundation
import RNNData
import RNNModel
import RNNNGram
import RNNTensor
import RNNTraining

/// A model loaded from a run's checkpoint.
public struct TrainedModel {
    /// What scores and samples: the kind of model the run trained.
    public enum Scorer {
        case recurrent(LanguageModel<Float>)
        case kneserNey(KneserNeyModel)
    }

    public var scorer: Scorer
    /// The recurrent model; a programmer error for an n-gram run (switch on `scorer`).
    public var model: LanguageModel<Float> {
        guard case let .recurrent(model) = scorer else {
            preconditionFailure("TrainedModel.model read for a kneser_ney run; switch on scorer")
        }
        return model
    }
    public var vocabulary: Vocabulary
    public var config: ExperimentConfig
    /// How text is tokenised for this model (from its dataset type).
    public var level: TokenLevel
    /// Which checkpoint was loaded.
    public var checkpointPath: String
    /// For an RNN run: reset the state at every `<eos>` when scoring (true) or not (false),
    /// whatever the run's `training.independent_sentences.eval` says; nil keeps the run's.
    public var independentSentencesOverride: Bool? = nil

    /// Loads `runDirectory/checkpoint/best.ckpt` (or last.ckpt when no best exists yet), or the
    /// n-gram model of a kneser_ney run (`checkpoint/model.kn`).
    public static func load(runDirectory: String, registry: ComponentRegistry) throws -> TrainedModel {
        let dir = (runDirectory as NSString).appendingPathComponent("checkpoint")
        let best = dir + "/best.ckpt", last = dir + "/last.ckpt"
        let fm = FileManager.default
        guard fm.fileExists(atPath: runDirectory) else {
            throw ExperimentError("\(runDirectory) does not exist; give a run folder such as results/<experiment>/<run>")
        }
        if fm.fileExists(atPath: dir + "/" + NGramRunFiles.model) {
            return try loadKneserNey(runDirectory: runDirectory, registry: registry)
        }
        let path = fm.fileExists(atPath: best) ? best : last
        guard fm.fileExists(atPath: path) else {
            throw ExperimentError("\(runDirectory) has no checkpoint/best.ckpt or checkpoint/last.ckpt; is it a run folder?")
        }
        let checkpoint = try Checkpoint.read(path: path)
        // A checkpoint copied in from another run would sample from the wrong model: check it
        // against the run's config.yaml when that file is there and loads.
        let loader = ExperimentLoader(registry: registry)
        let configPath = (runDirectory as NSString).appendingPathComponent("config.yaml")
        if let data = fm.contents(atPath: configPath),
           let saved = try? loader.load(text: String(decoding: data, as: UTF8.self), name: configPath) {
            try ExperimentRunner.requireSameExperiment(checkpointYAML: checkpoint.header.config, saved: saved, loader: loader,
                                                       checkpointPath: path, configPath: configPath)
        }
        return try restore(checkpoint, path: path, registry: registry)
    }

    /// Rebuilds the model of `checkpoint` and loads its weights.
    public static func restore(_ checkpoint: Checkpoint, path: String, registry: ComponentRegistry) throws -> TrainedModel {
        let config = try ExperimentLoader(registry: registry).load(text: checkpoint.header.config, name: path + " (config)").config
        // The counts matter: the class softmax rebuilds its word classes from them.
        let vocabulary = checkpoint.vocabulary
        // Files written before the checkpoint recorded its token level knew two text datasets only.
        let level = checkpoint.header.tokenLevel ?? (config.data.name == "chars" ? .chars : .word)
        let corpus = Corpus(vocabulary: vocabulary, train: [], valid: [], test: [], tokenLevel: level)
        let built = try registry.buildModel(config, corpus: corpus, threads: BLASRuntime.availableCores)
        try checkpoint.copyParameters(into: built.model, prefix: "param/", path: path)
        return TrainedModel(scorer: .recurrent(built.model), vocabulary: vocabulary, config: config,
                            level: level, checkpointPath: path)
    }

    /// Token ids of `text` in this model's vocabulary (unknown tokens map to `<unk>` when present).
    ///
    /// A word-level vocabulary without `<eos>` (the synthetic language, a stream with no lines)
    /// reads line breaks as plain spaces instead of as end-of-sentence tokens.
    public func encode(_ text: [UInt8], name: String) throws -> [Int32] {
        var tokens = try tokenize(text, level: level, name: name)
        if level == .word, vocabulary.id("<eos>") == nil { tokens.removeAll { $0.token == "<eos>" } }
        var out: [Int32] = []
        out.reserveCapacity(tokens.count)
        for t in tokens {
            if let id = vocabulary.id(String(t.token)) { out.append(id) }
            else if let unk = vocabulary.unknownID { out.append(unk) }
            else { throw CorpusError.unknownToken(name: name, token: String(t.token), line: t.line) }
        }
        return out
    }

    /// Perplexity of a token stream, read as one stream with the state carried throughout (or,
    /// for a run evaluated with independent sentences, reset at every `<eos>`): an RNN predicts
    /// every token but the first; an n-gram model every token (the first from an empty
    /// history), as its run's evaluations do.
    public func score(_ tokens: [Int32]) -> EvaluationResult {
        switch scorer {
        case let .recurrent(model):
            return evaluate(model, on: TokenBatches(stream: tokens, batchSize: 1), chunkLength: 256, resetBefore: evalResetToken)
        case let .kneserNey(ngram):
            let s = ngram.evaluate(tokens: tokens)
            return EvaluationResult(loss: s.crossEntropy, tokens: s.count)
        }
    }

    /// Samples `count` tokens after reading `prime`, at `temperature` (> 0).
    public func sample(count: Int, prime: [Int32], temperature: Double, using rng: inout Xoshiro256) -> [Int32] {
        guard case let .recurrent(model) = scorer else {
            return sampleKneserNey(count: count, prime: prime, temperature: temperature, using: &rng)
        }
        let V = vocabulary.count
        let state = model.zeroState(batch: 1)
        let logp = Tensor<Float>(zeros: [1, V])
        var current: Int32 = prime.last ?? vocabulary.id("<eos>") ?? 0
        // A run evaluated with independent sentences starts every sentence afresh, after <eos>.
        let resetToken = evalResetToken
        for t in prime.dropLast() {
            if t == resetToken { state.zero() }
            model.stepLogProbabilities(tokens: [t], batch: 1, state: state, into: logp.matrix)
        }
        var out: [Int32] = []
        var weights = [Double](repeating: 0, count: V)
        for _ in 0..<count {
            if current == resetToken { state.zero() }
            model.stepLogProbabilities(tokens: [current], batch: 1, state: state, into: logp.matrix)
            var m = -Double.infinity
            for j in 0..<V { weights[j] = Double(logp[j]) / temperature; m = max(m, weights[j]) }
            var total = 0.0
            for j in 0..<V { weights[j] = exp(weights[j] - m); total += weights[j] }
            var u = rng.nextUnit() * total
            var pick = V - 1
            for j in 0..<V { u -= weights[j]; if u < 0 { pick = j; break } }
            current = Int32(pick)
            out.append(current)
        }
        return out
    }

    /// Joins tokens back into text: words separated by spaces with `<eos>` as a line break;
    /// characters concatenated.
    public func decode(_ tokens: [Int32]) -> String {
        switch level {
        case .chars:
            return tokens.map { vocabulary.tokens[Int($0)] }.joined()
        case .word:
            var out = ""
            var lineStart = true
            for t in tokens {
                let w = vocabulary.tokens[Int(t)]
                if w == "<eos>" { out += "\n"; lineStart = true; continue }
                out += (lineStart ? "" : " ") + w
                lineStart = false
            }
            return out
        }
    }
}
