// RunSummary: the run's summary.json, the one file a report reads first.

import Foundation
import RNNBuildInfo
import RNNTraining

/// Identity of the data a run used.
public struct DatasetIdentity: Codable, Sendable, Equatable {
    public struct Source: Codable, Sendable, Equatable {
        public var name: String
        public var sha256: String
    }
    public var type: String
    public var sources: [Source]
    public var trainTokens: Int
    public var validTokens: Int
    public var testTokens: Int
    public var vocabularySize: Int

    enum CodingKeys: String, CodingKey {
        case type, sources
        case trainTokens = "train_tokens", validTokens = "valid_tokens", testTokens = "test_tokens"
        case vocabularySize = "vocabulary_size"
    }
}

/// Where a run stands, as summary.json records it.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// Training (or killed while training: a killed run cannot update its summary).
    case running
    case completed
    /// Stopped by a signal after saving a checkpoint; `rnnlab run --resume` continues it.
    case interrupted
    /// A non-finite or exploding loss or gradient stopped it.
    case diverged
    /// Its results could not be written completely (a full disk, say).
    case failed

    /// How a training loop that returned ended.
    public init(_ status: TrainingStatus) {
        switch status {
        case .completed: self = .completed
        case .interrupted: self = .interrupted
        case .diverged: self = .diverged
        }
    }
}

/// What summary.json holds. Perplexities are nil when not measured (e.g. a diverged run).
public struct RunSummary: Codable, Sendable, Equatable {
    public var status: RunStatus
    public var experiment: String
    public var run: String
    public var trainPPL: Double?
    /// What `train_loss` in metrics.csv is: `cross-entropy`, or the name of a surrogate objective
    /// (`nce`) whose exp is no perplexity (then `trainPPL` is nil). Nil for n-gram runs.
    public var trainingLoss: String?
    public var validPPL: Double?
    public var bestValidPPL: Double?
    public var testPPL: Double?
    /// exp(entropy rate) for generated data: the best perplexity any model can reach.
    public var floorPPL: Double?
    public var params: Int
    /// Target tokens trained per second spent in training steps (evaluation excluded).
    public var trainTokensPerSec: Double
    public var wallSeconds: Double
    public var seed: UInt64
    public var steps: Int
    public var epochs: Double
    public var tokensTrained: Int
    public var bestStep: Int?
    /// The step from which the optimizer averaged its iterates (asgd), when it did.
    public var averagingFromStep: Int?
    public var stopReason: String
    public var divergedAtStep: Int?
    public var dataset: DatasetIdentity
    public var rnnlabVersion: String
    public var gitCommit: String?
    public var blas: String
    public var model: String

    enum CodingKeys: String, CodingKey {
        case status, experiment, run
        case trainPPL = "train_ppl", trainingLoss = "training_loss", validPPL = "valid_ppl", bestValidPPL = "best_valid_ppl", testPPL = "test_ppl"
        case floorPPL = "floor_ppl", params
        case trainTokensPerSec = "train_tokens_per_sec", wallSeconds = "wall_seconds", seed, steps, epochs
        case tokensTrained = "tokens_trained", bestStep = "best_step", averagingFromStep = "averaging_from_step"
        case stopReason = "stop_reason"
        case divergedAtStep = "diverged_at_step", dataset
        case rnnlabVersion = "rnnlab_version", gitCommit = "git_commit", blas, model
    }

    /// Pretty, key-sorted JSON (deterministic). JSON has no NaN or infinity: a perplexity that
    /// is not finite (a run that blew up) is written as null, any other number as 0.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var clean = self
        for key in [\RunSummary.trainPPL, \.validPPL, \.bestValidPPL, \.testPPL, \.floorPPL] where !(clean[keyPath: key]?.isFinite ?? true) {
            clean[keyPath: key] = nil
        }
        for key in [\RunSummary.trainTokensPerSec, \.wallSeconds, \.epochs] where !clean[keyPath: key].isFinite {
            clean[keyPath: key] = 0
        }
        var bytes = Array(try encoder.encode(clean))
        bytes.append(0x0A)
        return bytes
    }

    /// Reads a summary.json.
    public static func read(path: String) throws -> RunSummary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExperimentError("\(path) cannot be read")
        }
        return try JSONDecoder().decode(RunSummary.self, from: data)
    }
}

/// rnnlab's version, recorded in every result.
public let rnnlabVersion = "0.1.0"

/// The git commit this binary was compiled from (see Plugins/BuildCommit), with "-dirty"
/// appended when tracked files differed from it at build time; nil outside a git checkout.
public func rnnlabGitCommit() -> String? {
    BuildInfo.commit.map { BuildInfo.treeModified ? $0 + "-dirty" : $0 }
}
