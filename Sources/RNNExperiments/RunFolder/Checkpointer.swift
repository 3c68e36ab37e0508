// Checkpointer: writes checkpoint/last.ckpt (everything needed to resume exactly) when the
// trainer offers a checkpoint, and checkpoint/best.ckpt (weights and vocabulary) whenever
// validation improves. Both atomically.

import Foundation
import RNNData
import RNNModel
import RNNTensor
import RNNTraining

/// Saves a run's checkpoints.
public final class Checkpointer: TrainingObserver {
    public let directory: String
    private let trainer: Trainer<Float>
    private let config: String
    private let vocabulary: Vocabulary
    private let tokenLevel: TokenLevel
    private let modelSummary: [String: String]
    /// The absolute folder relative data paths resolved against (saved in `last` checkpoints).
    public var dataRoot: String?
    /// The data rows of the run's CSV files so far (saved in `last` checkpoints, so that a
    /// resumed run can drop the rows written after the checkpoint).
    public var csvRows: (() -> [String: Int])?
    public private(set) var writeError: Error?

    public init(directory: String, trainer: Trainer<Float>, config: String, vocabulary: Vocabulary, tokenLevel: TokenLevel,
                modelSummary: [String: String]) throws(FileWriteError) {
        self.tokenLevel = tokenLevel
        self.directory = directory
        self.trainer = trainer
        self.config = config
        self.vocabulary = vocabulary
        self.modelSummary = modelSummary
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        catch { throw FileWriteError(path: directory, reason: "\(error.localizedDescription)") }
    }

    /// A checkpoint of the current state; `kind` is "last" or "best".
    public func snapshot(kind: String, includeTrainingState: Bool) -> Checkpoint {
        var tensors: [String: [Float]] = [:]
        var entries: [Checkpoint.TensorEntry] = []
        func add(_ name: String, _ t: Tensor<Float>) {
            tensors[name] = t.array
            entries.append(Checkpoint.TensorEntry(name: name, shape: t.shape, offset: 0, count: t.count))
        }
        for p in trainer.model.parameters { add("param/" + p.name, p.value) }
        var optimizerStep = 0
        var optimizerValues: [String: Double]?
        if includeTrainingState {
            add("state/hidden", trainer.hiddenState)
            let state = trainer.optimizer.state
            optimizerStep = state.step
            optimizerValues = state.values.isEmpty ? nil : state.values
            for slot in state.slots { add("optimizer/" + slot.name, slot.values) }
            if let best = trainer.bestParameters {
                for (p, b) in zip(trainer.model.parameters, best) { add("best/" + p.name, b) }
            }
        }
        let header = Checkpoint.Header(kind: kind, rnnlabVersion: rnnlabVersion, config: config, vocabulary: vocabulary,
                                       tokenLevel: tokenLevel,
                                       model: modelSummary, progress: trainer.progress, optimizerStep: optimizerStep,
                                       schedule: trainer.schedule.state, rng: trainer.model.dropoutGenerator.state,
                                       outputRng: includeTrainingState ? trainer.model.output.randomGenerator?.state : nil, tensors: entries,
                                       dataRoot: includeTrainingState ? dataRoot : nil,
                                       csvRows: includeTrainingState ? csvRows?() : nil)
        var checkpoint = Checkpoint(header: header, tensors: tensors)
        checkpoint.header.optimizerValues = optimizerValues
        return checkpoint
    }

    /// Writes `checkpoint` to `name` atomically.
    public func write(_ checkpoint: Checkpoint, name: String) {
        do { try writeAtomically(try checkpoint.encoded(), to: directory + "/" + name) }
        catch { writeError = writeError ?? error }
    }

    public func handle(_ event: TrainingEvent) -> TrainingControl {
        switch event {
        case .checkpointDue:
            write(snapshot(kind: "last", includeTrainingState: true), name: "last.ckpt")
        case let .evaluated(e) where e.isBest:
            write(snapshot(kind: "best", includeTrainingState: false), name: "best.ckpt")
        default:
            break
        }
        return writeError == nil ? .proceed : .stop  // a run that cannot checkpoint stops as failed
    }
}
