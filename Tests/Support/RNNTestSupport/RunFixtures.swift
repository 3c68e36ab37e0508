// Tiny experiments and in-process runs for the tests that train: the experiment text, a stop hook
// that fires after a given number of polls (the hook a signal uses), running and resuming a run,
// and making a finished run look stopped.

import Foundation
import Synchronization
import RNNExperiments

/// An experiment on 2,000 generated tokens with E = H = `hidden`: 50 steps per epoch (batch 4, bptt 10).
public func tinyExperiment(name: String = "tiny", hidden: Int = 8, epochs: Int = 2, optimizer: String = "{name: adam, lr: 0.01}",
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
public final class StopAfter: Sendable {
    private let n: Int
    private let polls = Mutex(0)

    public init(_ n: Int) { self.n = n + 1 }

    public func poll() -> Bool { polls.withLock { $0 += 1; return $0 >= n } }
}

/// Runs experiment `text`, as if read from `root`/experiment.yaml, into `root`/<name>/`run`
/// (nil: a timestamp), stopping after `stopAfter` polls when given.
@discardableResult
public func runExperiment(_ text: String, root: String, run: String?, stopAfter: Int? = nil,
                          registry: ComponentRegistry = .builtin) throws -> RunOutcome {
    let loaded = try ExperimentLoader(registry: registry).load(text: text, name: "\(root)/experiment.yaml")
    let stop = stopAfter.map(StopAfter.init)
    return try ExperimentRunner(registry: registry).run(
        loaded.config, resolvedYAML: loaded.resolvedYAML,
        options: RunOptions(resultsRoot: root, runName: run, quiet: true, stopRequested: { stop?.poll() ?? false }))
}

/// Resumes the run in `directory`, stopping after `stopAfter` polls when given.
@discardableResult
public func resumeRun(_ directory: String, stopAfter: Int? = nil) throws -> RunOutcome {
    let stop = stopAfter.map(StopAfter.init)
    return try ExperimentRunner(registry: .builtin).resume(
        runDirectory: directory, options: RunOptions(quiet: true, stopRequested: { stop?.poll() ?? false }))
}

/// Rewrites a run's summary.json with another status (to make a finished run look stopped, or
/// killed after its last checkpoint but before its summary).
public func setStatus(_ status: RunStatus, of directory: String) throws {
    var summary = try RunSummary.read(path: directory + "/summary.json")
    summary.status = status
    try writeAtomically(try summary.encoded(), to: directory + "/summary.json")
}
