// TensorBoardRecorder: writes a run's TensorBoard event files in `<run>/tensorboard/`, so that
// `tensorboard --logdir <run>` shows one run and `--logdir <sweep or experiment folder>` shows
// each run of it separately (TensorBoard names a run after the folder holding its event files).
//
// Per logged step: train/loss, train/perplexity, train/learning_rate, train/grad_norm,
// train/tokens_per_sec; per evaluation: <split>/loss and <split>/perplexity (valid, and test at
// the end); at step 0: the resolved experiment as text (tag `config`). Values are the ones
// metrics.csv and evals.csv hold, at full precision (TensorBoard stores float32).
//
// Each process writes a new event file. A resumed run first cuts the files of earlier processes
// back to the steps up to its checkpoint (atomically, as metrics.csv is cut), and then skips a
// (tag, step) that a kept file already has, so that every step appears once across the files.
// It will not: pick a folder outside the run (the run folder's lock keeps writers apart).

import Foundation
import RNNModel
import RNNTensorBoard
import RNNTraining

/// Writes the TensorBoard event files of a run.
public final class TensorBoardRecorder: TrainingObserver {
    /// The folder name inside a run folder.
    public static let folderName = "tensorboard"
    private let writer: EventFileWriter
    /// "tag@step" of the events that earlier processes of this run wrote and that were kept.
    private var kept: Set<String>
    /// First write error, if any (training goes on; the runner reports it).
    public private(set) var writeError: FileWriteError?
    /// What the training loss is (the output layer's); a surrogate gets no `train/perplexity`.
    public var trainingLoss: TrainingLoss = .crossEntropy

    /// Opens `runDirectory`/tensorboard (creating it), cuts earlier processes' event files back to
    /// the steps up to `resumingAfter` when resuming, starts a new event file and writes the
    /// experiment as text.
    ///
    /// - Throws: `ExperimentError` naming the folder when it cannot be created, listed or read
    ///   (a file in its place, no permission), or an earlier event file cannot be rewritten.
    public init(runDirectory: String, configYAML: String, resumingAfter step: Int?) throws {
        let folder = runDirectory + "/" + Self.folderName
        let fix = "remove or repair it (rnnlab recreates it), or move it away to keep it"
        var info = stat()
        if stat(folder, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw ExperimentError("the TensorBoard folder \(folder) is a file, not a folder; \(fix)")
            }
        } else if mkdir(folder, 0o755) != 0 {
            throw ExperimentError("cannot create the TensorBoard folder \(folder): \(String(cString: strerror(errno)).lowercased())")
        }
        guard access(folder, R_OK | W_OK | X_OK) == 0, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw ExperimentError("the TensorBoard folder \(folder) cannot be read or written (permission denied?); \(fix)")
        }
        kept = []
        removeAtomicWriteTemporaries(in: folder)
        for name in names.sorted() where EventFileWriter.isEventFile(name) {
            let path = folder + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ExperimentError("the TensorBoard event file \(path) cannot be read (permission denied, or not a file?); \(fix)")
            }
            let (records, _, damaged) = TFRecord.records(in: Array(data))
            var keep: [[UInt8]] = []
            for record in records {
                guard let (eventStep, tags) = Event.stepAndTags(of: record) else { continue }
                if let step, eventStep > Int64(step) { continue }
                keep.append(record)
                for tag in tags { kept.insert("\(tag)@\(eventStep)") }
            }
            if damaged || keep.count != records.count {
                do { try writeAtomically(keep.flatMap(TFRecord.frame), to: path) }
                catch { throw ExperimentError("cannot cut back the TensorBoard event file \(path) for the resumed run: \(error.reason)") }
            }
        }
        do { writer = try EventFileWriter(folder: folder) }
        catch { throw ExperimentError("cannot create an event file in the TensorBoard folder \(folder): \(error.reason)") }
        // Four spaces make the YAML a Markdown code block, which the Text dashboard shows as is.
        let text = configYAML.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
        write(step: 0, [("config", .text(text))])
    }

    private func write(step: Int, _ values: [(tag: String, value: Event.Value)]) {
        let fresh = values.filter { !kept.contains("\($0.tag)@\(step)") }
        guard !fresh.isEmpty else { return }
        do { try writer.write(Event(wallTime: Date().timeIntervalSince1970, step: Int64(step), values: fresh)) }
        catch { writeError = writeError ?? FileWriteError(path: error.path, reason: error.reason) }
    }

    /// Records an evaluation on any split (the runner uses this for the final test).
    public func record(evaluation e: EvaluationReport) {
        write(step: e.step, [("\(e.split)/loss", .scalar(Float(e.loss))), ("\(e.split)/perplexity", .scalar(Float(exp(min(e.loss, 700)))))])
    }

    public func handle(_ event: TrainingEvent) -> TrainingControl {
        switch event {
        case let .logged(r):
            // A surrogate training loss (NCE) has no perplexity: its tag is left out.
            let perplexity: [(String, Event.Value)] = trainingLoss.isCrossEntropy
                ? [("train/perplexity", .scalar(Float(exp(min(r.trainLoss, 700)))))] : []
            write(step: r.step, [("train/loss", .scalar(Float(r.trainLoss)))] + perplexity + [
                ("train/learning_rate", .scalar(Float(r.learningRate))), ("train/grad_norm", .scalar(Float(r.gradNorm))),
                ("train/tokens_per_sec", .scalar(Float(r.tokensPerSecond))),
            ])
        case let .evaluated(e):
            record(evaluation: e)
        default:
            break
        }
        return .proceed
    }

    /// Forces the event file to disk.
    public func sync() { writer.sync() }
}
