// MetricsRecorder: appends metrics.csv (a row per logged step) and evals.csv (a row per
// evaluation) as training goes, one flushed line at a time, and keeps the points for the curves.
//
// A resumed run opens the files a previous process wrote: it first cuts them back to the rows
// its checkpoint had seen (`truncate`), then reads them back, so that its curves and summary
// cover the whole run. Every value it keeps is the value as written (six decimals), so that a
// resumed run's curves and summary equal an uninterrupted run's. It reads its files back with
// the one CSV reader (RNNRendering's).

import Foundation
import RNNRendering
import RNNModel
import RNNTraining

/// Column headers of the results tree's CSV files (a contract: see docs/results-tree.md).
public enum ResultsColumns {
    public static let metrics = "step,epoch,tokens,train_loss,train_ppl,lr,grad_norm,tokens_per_sec,elapsed_s"
    public static let evals = "step,epoch,tokens,split,loss,ppl"
    /// The gradient-through-time diagnostic: at a step, the mean norm of ∂L_T/∂h_{T−d} for each
    /// distance d (and of ∂L_T/∂c_{T−d} for an LSTM; empty for other cells).
    public static let gradients = "step,distance,hidden_grad_norm,memory_grad_norm"
    /// Columns that measure time, and so differ between two runs of the same experiment.
    public static let timing: Set<String> = ["tokens_per_sec", "elapsed_s"]
}

/// Writes the metric files of a run.
public final class MetricsRecorder: TrainingObserver {
    private let metrics: AppendingFile
    private let evals: AppendingFile
    /// gradients.csv, when the diagnostic is on.
    private let gradients: AppendingFile?
    /// (tokens, train loss) at each logged step.
    public private(set) var trainCurve: [(Double, Double)] = []
    /// (tokens, validation perplexity) at each validation.
    public private(set) var validCurve: [(Double, Double)] = []
    /// Last logged training loss (as written, to six decimals).
    public private(set) var lastTrainLoss: Double?
    /// Last validation loss (as written, to six decimals).
    public private(set) var lastValidLoss: Double?
    /// First write error, if any (training goes on; the runner reports it).
    public private(set) var writeError: FileWriteError?
    /// What `train_loss` is (the output layer's training loss); for a surrogate (NCE) the
    /// `train_ppl` column is left empty, since its exp is no perplexity.
    public var trainingLoss: TrainingLoss = .crossEntropy
    /// Data rows (header excluded) in metrics.csv and evals.csv, keyed by file name.
    public private(set) var rowCounts: [String: Int] = ["metrics.csv": 0, "evals.csv": 0]

    /// Opens (creating when absent) `directory`/metrics.csv and evals.csv; rows already there
    /// (from the part of a run before a resume) are read back into the curves.
    public init(directory: String, gradients: Bool = false) throws(FileWriteError) {
        metrics = try AppendingFile(path: directory + "/metrics.csv", header: ResultsColumns.metrics)
        evals = try AppendingFile(path: directory + "/evals.csv", header: ResultsColumns.evals)
        self.gradients = gradients ? try AppendingFile(path: directory + "/gradients.csv", header: ResultsColumns.gradients) : nil
        if gradients { rowCounts["gradients.csv"] = Self.rows(directory + "/gradients.csv").count }
        for row in Self.rows(directory + "/metrics.csv") {
            rowCounts["metrics.csv", default: 0] += 1
            if row.count >= 4, let tokens = Double(row[2]), let loss = Double(row[3]) { noteTrain(tokens: tokens, loss: loss) }
        }
        for row in Self.rows(directory + "/evals.csv") {
            rowCounts["evals.csv", default: 0] += 1
            if row.count >= 5, row[3] == "valid", let tokens = Double(row[2]), let loss = Double(row[4]) { noteValid(tokens: tokens, loss: loss) }
        }
    }

    /// The data rows of one of the run's CSV files (an unfinished last line, left by a kill, skipped).
    private static func rows(_ path: String) -> [[String]] {
        (try? CSVReader.read(contentsOf: URL(fileURLWithPath: path)))?.rows ?? []
    }

    /// `x` as the CSV files spell it ("%.6f"), read back.
    private static func asWritten(_ x: Double) -> Double {
        Double(String(format: "%.6f", x)) ?? x
    }

    private func noteTrain(tokens: Double, loss: Double) {
        trainCurve.append((tokens, loss))
        lastTrainLoss = loss
    }

    private func noteValid(tokens: Double, loss: Double) {
        validCurve.append((tokens, exp(min(loss, 700))))
        lastValidLoss = loss
    }

    /// Records an evaluation on any split (the runner uses this for the final test).
    public func record(evaluation e: EvaluationReport) {
        let line = String(format: "%d,%d,%d,%@,%.6f,%.4f", e.step, e.epoch, e.tokens, e.split, e.loss, exp(min(e.loss, 700)))
        do { try evals.append(line); rowCounts["evals.csv", default: 0] += 1 } catch { writeError = writeError ?? error }
        if e.split == "valid" { noteValid(tokens: Double(e.tokens), loss: Self.asWritten(e.loss)) }
    }

    /// Records the gradient-through-time norms measured at `step`: a row per distance.
    public func record(gradients norms: GradientNorms, step: Int) {
        guard let gradients else { return }
        for d in norms.hidden.indices {
            let memory = norms.memory.map { String(format: "%.6e", $0[d]) } ?? ""
            do { try gradients.append(String(format: "%d,%d,%.6e,", step, d, norms.hidden[d]) + memory) }
            catch { writeError = writeError ?? error; return }
            rowCounts["gradients.csv", default: 0] += 1
        }
    }

    /// (distance, hidden gradient norm) per recorded step, from `directory`/gradients.csv, in
    /// step order (empty without the file).
    public static func gradientCurves(directory: String) -> [(step: Int, points: [(Double, Double)])] {
        var curves: [(step: Int, points: [(Double, Double)])] = []
        for row in rows(directory + "/gradients.csv") where row.count >= 3 {
            guard let step = Int(row[0]), let d = Double(row[1]), let norm = Double(row[2]) else { continue }
            if curves.last?.step != step { curves.append((step, [])) }
            curves[curves.count - 1].points.append((d, norm))
        }
        return curves
    }

    public func handle(_ event: TrainingEvent) -> TrainingControl {
        switch event {
        case let .logged(r):
            let ppl = trainingLoss.isCrossEntropy ? String(format: "%.4f", exp(min(r.trainLoss, 700))) : ""
            let line = String(format: "%d,%.4f,%d,%.6f,%@,%.6g,%.6f,%.1f,%.3f", r.step, r.epochProgress, r.tokens, r.trainLoss,
                              ppl, r.learningRate, r.gradNorm, r.tokensPerSecond, r.elapsedSeconds)
            do { try metrics.append(line); rowCounts["metrics.csv", default: 0] += 1 } catch { writeError = writeError ?? error }
            noteTrain(tokens: Double(r.tokens), loss: Self.asWritten(r.trainLoss))
        case let .evaluated(e):
            record(evaluation: e)
        default:
            break
        }
        // Training on with results that cannot be recorded would only waste the machine.
        return writeError == nil ? .proceed : .stop
    }

    /// Cuts metrics.csv and evals.csv back to the state of a checkpoint, before a resumed run
    /// appends to them: keeps the header and the first `rows[file]` data rows of each file; for
    /// a file not in `rows`, the rows of steps up to `step`. An incomplete last line (a write cut
    /// by a kill) always goes; a missing header is put back.
    public static func truncate(directory: String, keepingRows rows: [String: Int]?, afterStep step: Int) throws(FileWriteError) {
        for (name, header) in [("metrics.csv", ResultsColumns.metrics), ("evals.csv", ResultsColumns.evals),
                               ("gradients.csv", ResultsColumns.gradients)] {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.removeLast()   // after the final "\n": empty; else an incomplete line
            if lines.first != header { lines.insert(header, at: 0) }
            var body = lines.dropFirst().filter { !$0.isEmpty }
            if let keep = rows?[name] {
                body = Array(body.prefix(keep))
            } else {
                body = body.filter { line in Int(line.prefix { $0 != "," }).map { $0 <= step } ?? false }
            }
            try writeAtomically(([header] + body).joined(separator: "\n") + "\n", to: path)
        }
    }

    /// Forces both files to disk.
    public func sync() {
        metrics.sync()
        evals.sync()
        gradients?.sync()
    }
}
