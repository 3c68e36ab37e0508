// TrainedModel+NGram: a kneser_ney run's model brought back — `checkpoint/model.kn` (the
// Kneser-Ney binary, with its own checks) and `checkpoint/vocabulary.ckpt` (an rnnlab checkpoint
// holding no tensors: the experiment, the vocabulary and the token level, without which the
// model's token ids mean nothing).

import Foundation
import RNNData
import RNNNGram
import RNNTensor

/// The files of a kneser_ney run's checkpoint folder.
enum NGramRunFiles {
    /// The KneserNeyModel, as `KneserNeyModel.encoded()` writes it.
    static let model = "model.kn"
    /// An rnnlab checkpoint of kind `vocabulary`: config, vocabulary, token level; no tensors.
    static let vocabulary = "vocabulary.ckpt"
}

extension TrainedModel {
    /// Loads the n-gram model of the kneser_ney run in `runDirectory`, checking that its model,
    /// vocabulary and experiment belong together.
    static func loadKneserNey(runDirectory: String, registry: ComponentRegistry) throws -> TrainedModel {
        let dir = (runDirectory as NSString).appendingPathComponent("checkpoint")
        let modelPath = dir + "/" + NGramRunFiles.model, vocabularyPath = dir + "/" + NGramRunFiles.vocabulary
        guard let bytes = FileManager.default.contents(atPath: modelPath) else {
            throw ExperimentError("\(modelPath) cannot be read (permission denied?)")
        }
        let ngram: KneserNeyModel
        do { ngram = try KneserNeyModel.decode(Array(bytes)) } catch {
            throw ExperimentError("\(modelPath) is \(error)")
        }
        guard FileManager.default.fileExists(atPath: vocabularyPath) else {
            throw ExperimentError("\(runDirectory) has checkpoint/\(NGramRunFiles.model) but no checkpoint/\(NGramRunFiles.vocabulary), without which its token ids cannot be read; run the experiment again")
        }
        let saved = try Checkpoint.read(path: vocabularyPath)
        let vocabulary = saved.vocabulary
        guard ngram.vocabularySize == vocabulary.count else {
            throw ExperimentError("\(modelPath) is a model over \(ngram.vocabularySize) tokens and \(vocabularyPath) holds \(vocabulary.count); they are not from the same run")
        }
        let loader = ExperimentLoader(registry: registry)
        let config = try loader.load(text: saved.header.config, name: vocabularyPath + " (config)").config
        guard let kn = config.kneserNey, kn.order == ngram.order else {
            throw ExperimentError("\(vocabularyPath) holds the experiment of another model than \(modelPath) (\(config.kind.typeName), not kneser_ney of order \(ngram.order))")
        }
        let configPath = (runDirectory as NSString).appendingPathComponent("config.yaml")
        if let data = FileManager.default.contents(atPath: configPath),
           let fromFile = try? loader.load(text: String(decoding: data, as: UTF8.self), name: configPath) {
            try ExperimentRunner.requireSameExperiment(checkpointYAML: saved.header.config, saved: fromFile, loader: loader,
                                                       checkpointPath: vocabularyPath, configPath: configPath)
        }
        return TrainedModel(scorer: .kneserNey(ngram), vocabulary: vocabulary, config: config,
                            level: saved.header.tokenLevel ?? .word, checkpointPath: modelPath)
    }

    /// Samples from the n-gram model; without a prime, from the start of a sentence (after
    /// `<eos>` when the vocabulary has one, as the RNN's sampling starts).
    func sampleKneserNey(count: Int, prime: [Int32], temperature: Double, using rng: inout Xoshiro256) -> [Int32] {
        guard case let .kneserNey(ngram) = scorer else { preconditionFailure("sampleKneserNey on an RNN run") }
        let start = prime.isEmpty ? vocabulary.id("<eos>").map { [$0] } ?? [] : prime
        return ngram.sample(count: count, prime: start, temperature: temperature, using: &rng)
    }
}
