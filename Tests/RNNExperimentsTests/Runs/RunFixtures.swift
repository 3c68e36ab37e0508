// Helpers for tests that train tiny experiments in-process: a scratch folder, experiment text,
// a stop hook that fires after a given number of polls, and a comparison of two run folders
// that ignores only what measures time.

import Foundation
import RNNTraining
import Synchronization
import XCTest
import RNNRendering
@testable import RNNExperiments

/// A fresh folder under the temporary directory, removed by `remove()`.
struct ScratchFolder {
    let path: String

    init(_ label: String) {
        path = NSTemporaryDirectory() + "rnnlab-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// An experiment on 2,000 generated tokens with E = H = 8: 50 steps per epoch (batch 4, bptt 10).
func tinyExperiment(name: String = "tiny", hidden: Int = 8, epochs: Int = 2, optimizer: String = "{name: adam, lr: 0.01}",
                    schedule: String = "constant", checkpointEvery: Int = 7, evalEvery: Int? = 15, logEvery: Int = 5,
                    maxSteps: Int? = nil, trainTokens: Int = 2000, modelExtras: String = "") -> String {
    """
    name: \(name)
    seed: 5
    data: {type: synthetic, train_tokens: \(trainTokens), valid_tokens: 200, test_tokens: 200}
    model: {embedding_size: \(hidden), hidden_size: \(hidden)\(modelExtras)}
    training:
      bptt: 10
      batch_size: 4
      eval_batch_size: 4
      epochs: \(epochs)
      max_steps: \(maxSteps.map(String.init) ?? "null")
      optimizer: \(optimizer)
      schedule: \(schedule)
      clip: 1
      log_every: \(logEvery)
      eval_every: \(evalEvery.map(String.init) ?? "null")
      checkpoint_every: \(checkpointEvery)
      threads: 1

    """
}

/// Says "stop" from the `n`-th poll of the trainer on. The trainer polls after every step and
/// every epoch's end; the runner polls once before, which this does not count.
final class StopAfter: Sendable {
    private let n: Int
    private let polls = Mutex(0)

    init(_ n: Int) { self.n = n + 1 }

    func poll() -> Bool { polls.withLock { $0 += 1; return $0 >= n } }
}

/// Runs experiment `text`, as if read from `root`/experiment.yaml, into `root`/<name>/`run`
/// (nil: a timestamp).
@discardableResult
func runExperiment(_ text: String, root: String, run: String?, stopAfter: Int? = nil,
                   registry: ComponentRegistry = .builtin) throws -> RunOutcome {
    let loaded = try ExperimentLoader(registry: registry).load(text: text, name: "\(root)/experiment.yaml")
    let stop = stopAfter.map(StopAfter.init)
    return try ExperimentRunner(registry: registry).run(
        loaded.config, resolvedYAML: loaded.resolvedYAML,
        options: RunOptions(resultsRoot: root, runName: run, quiet: true, stopRequested: { stop?.poll() ?? false }))
}

/// Resumes the run in `directory`.
@discardableResult
func resumeRun(_ directory: String, stopAfter: Int? = nil) throws -> RunOutcome {
    let stop = stopAfter.map(StopAfter.init)
    return try ExperimentRunner(registry: .builtin).resume(
        runDirectory: directory, options: RunOptions(quiet: true, stopRequested: { stop?.poll() ?? false }))
}

func fileText(_ path: String) -> String {
    String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
}

/// metrics.csv without the timing columns.
func metricsWithoutTiming(_ directory: String) throws -> [[String]] {
    let table = try CSVReader.parse(fileText(directory + "/metrics.csv"), source: directory + "/metrics.csv")
    let keep = table.header.indices.filter { !ResultsColumns.timing.contains(table.header[$0]) }
    return [keep.map { table.header[$0] }] + table.rows.map { row in keep.map { row[$0] } }
}

/// The float bit patterns of every tensor in a checkpoint, by name.
func tensorBits(_ checkpoint: Checkpoint) -> [String: [UInt32]] {
    checkpoint.tensors.mapValues { $0.map(\.bitPattern) }
}

/// A summary with the fields that measure time (or name the folder) cleared.
func timeless(_ s: RunSummary) -> RunSummary {
    var s = s
    s.wallSeconds = 0
    s.trainTokensPerSec = 0
    s.run = ""
    return s
}

/// Asserts that two finished run folders hold the same results: metrics.csv equal but for its
/// timing columns; evals.csv, curves.svg and config.yaml equal byte for byte; summary.json equal
/// but for timing; every tensor of best.ckpt and last.ckpt equal bit for bit, with the same
/// step, position, optimizer and schedule state.
func assertSameResults(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(try metricsWithoutTiming(a), try metricsWithoutTiming(b), "metrics.csv", file: file, line: line)
    for name in ["evals.csv", "curves.svg", "config.yaml"] {
        XCTAssertEqual(fileText(a + "/" + name), fileText(b + "/" + name), name, file: file, line: line)
    }
    XCTAssertEqual(timeless(try RunSummary.read(path: a + "/summary.json")), timeless(try RunSummary.read(path: b + "/summary.json")),
                   "summary.json", file: file, line: line)
    for name in ["best.ckpt", "last.ckpt"] {
        let x = try Checkpoint.read(path: a + "/checkpoint/" + name), y = try Checkpoint.read(path: b + "/checkpoint/" + name)
        XCTAssertEqual(tensorBits(x), tensorBits(y), "\(name) tensors", file: file, line: line)
        XCTAssertEqual(TrainingProgressView(x.header.progress), TrainingProgressView(y.header.progress), "\(name) progress", file: file, line: line)
        XCTAssertEqual(x.header.optimizerStep, y.header.optimizerStep, "\(name) optimizer step", file: file, line: line)
        XCTAssertEqual(x.header.schedule, y.header.schedule, "\(name) schedule", file: file, line: line)
        XCTAssertEqual(x.header.csvRows, y.header.csvRows, "\(name) CSV rows", file: file, line: line)
        XCTAssertEqual(x.header.config, y.header.config, "\(name) config", file: file, line: line)
    }
}

/// The parts of `TrainingProgress` that do not measure time, compared exactly (Double by bits).
struct TrainingProgressView: Equatable {
    var epoch, nextChunk, step, tokens, intervalSteps, intervalTokens: Int
    var bestStep, lastEvaluationStep: Int?
    var bits: [UInt64?]

    init(_ p: TrainingProgress) {
        epoch = p.epoch; nextChunk = p.nextChunk; step = p.step; tokens = p.tokens
        intervalSteps = p.intervalSteps; intervalTokens = p.intervalTokens
        bestStep = p.bestStep; lastEvaluationStep = p.lastEvaluationStep
        bits = [p.bestValidLoss?.bitPattern, p.initialLoss?.bitPattern, p.intervalLoss.bitPattern, p.intervalMaxGradNorm.bitPattern]
    }
}
