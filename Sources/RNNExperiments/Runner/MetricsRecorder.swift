// MetricsRecorder: appends metrics.csv (a row per logged step) and evals.csv (a row per
// evaluation) as training goes, one flushed line at a time, and keeps the points for the curves.

import Foundation
import RNNTraining

/// Column headers of the results tree's CSV files (a contract: see docs/results-tree.md).
public enum ResultsColumns {
    public static let metrics = "step,epoch,tokens,train_loss,train_ppl,lr,grad_norm,tokens_per_sec,elapsed_s"
    public static let evals = "step,epoch,tokens,split,loss,ppl"
}

/// Writes the metric files of a run.
public final class MetricsRecorder: TrainingObserver {
    private let metrics: AppendingFile
    private let evals: AppendingFile
    /// (tokens, train loss) at each logged step.
    public private(set) var trainCurve: [(Double, Double)] = []
    /// (tokens, validation perplexity) at each validation.
    public private(set) var validCurve: [(Double, Double)] = []
    /// Last logged training loss.
    public private(set) var lastTrainLoss: Double?
    /// Last validation loss.
    public private(set) var lastValidLoss: Double?
    /// First write error, if any (training goes on; the runner reports it).
    public private(set) var writeError: FileWriteError?

    public init(directory: String) throws(FileWriteError) {
        metrics = try AppendingFile(path: directory + "/metrics.csv", header: ResultsColumns.metrics)
        evals = try AppendingFile(path: directory + "/evals.csv", header: ResultsColumns.evals)
    }

    /// Records an evaluation on any split (the runner uses this for the final test).
    public func record(evaluation e: EvaluationReport) {
        let line = String(format: "%d,%d,%d,%@,%.6f,%.4f", e.step, e.epoch, e.tokens, e.split, e.loss, exp(min(e.loss, 700)))
        do { try evals.append(line) } catch { writeError = writeError ?? error }
        if e.split == "valid" {
            validCurve.append((Double(e.tokens), exp(min(e.loss, 700))))
            lastValidLoss = e.loss
        }
    }

    public func handle(_ event: TrainingEvent) -> TrainingControl {
        switch event {
        case let .logged(r):
            let line = String(format: "%d,%.4f,%d,%.6f,%.4f,%.6g,%.6f,%.1f,%.3f", r.step, r.epochProgress, r.tokens, r.trainLoss,
                              exp(min(r.trainLoss, 700)), r.learningRate, r.gradNorm, r.tokensPerSecond, r.elapsedSeconds)
            do { try metrics.append(line) } catch { writeError = writeError ?? error }
            trainCurve.append((Double(r.tokens), r.trainLoss))
            lastTrainLoss = r.trainLoss
        case let .evaluated(e):
            record(evaluation: e)
        default:
            break
        }
        return .proceed
    }

    /// Drops the rows of metrics.csv and evals.csv logged after `step` (they will be logged
    /// again by a run resumed from a checkpoint taken at `step`), and an incomplete last line.
    public static func truncate(directory: String, afterStep step: Int) throws {
        for name in ["metrics.csv", "evals.csv"] {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() } else if !lines.isEmpty { lines.removeLast() }   // incomplete last line
            let kept = lines.enumerated().filter { i, line in
                i == 0 || (Int(line.prefix { $0 != "," }).map { $0 <= step } ?? false)
            }.map(\.element)
            try writeAtomically(kept.joined(separator: "\n") + "\n", to: path)
        }
    }

    /// Forces both files to disk.
    public func sync() {
        metrics.sync()
        evals.sync()
    }
}
