// ConsoleReporter: what a person sees while a run trains. On a terminal, one progress line
// redrawn in place (epoch, step, loss, perplexity, tokens/s, ETA); elsewhere (CI, a pipe, a
// log file), plain lines at each logged step. Everything it prints also goes to the run's
// log.txt through the `RunLog` (RunFolder/RunLog.swift) it writes to.

import Foundation
import RNNModel
import RNNTraining
#if canImport(Glibc)
import Glibc
#endif

/// Formats a count compactly: 950, 12.3k, 4.56M.
func compact(_ x: Double) -> String {
    let a = abs(x)
    if a >= 1e9 { return String(format: "%.2fG", x / 1e9) }
    if a >= 1e6 { return String(format: "%.2fM", x / 1e6) }
    if a >= 1e4 { return String(format: "%.1fk", x / 1e3) }
    return String(format: "%.0f", x)
}

/// Formats seconds as 1:02:03 or 2:03.
func clockTime(_ s: Double) -> String {
    guard s.isFinite, s >= 0 else { return "?" }
    let t = Int(s.rounded())
    return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60)
                     : String(format: "%d:%02d", t / 60, t % 60)
}

/// Prints training progress.
public final class ConsoleReporter: TrainingObserver {
    private let log: RunLog
    private let epochs: Int?
    private let chunksPerEpoch: Int
    private let timeBudget: Double?
    /// What the training loss is (the output layer's): a surrogate (NCE) is printed under its
    /// name and without a perplexity, which it has not.
    public var trainingLoss: TrainingLoss = .crossEntropy

    public init(log: RunLog, epochs: Int?, chunksPerEpoch: Int, timeBudget: Double? = nil) {
        self.log = log
        self.epochs = epochs
        self.chunksPerEpoch = chunksPerEpoch
        self.timeBudget = timeBudget
    }

    /// The fraction of the run done and the seconds left, by whichever limit comes first:
    /// the step count (epochs, max_steps) or the time budget.
    private func remaining(_ r: StepReport) -> (fraction: Double, seconds: Double)? {
        var best: (fraction: Double, seconds: Double)?
        if let total = r.totalSteps, total > 0, r.step > 0 {
            best = (Double(r.step) / Double(total), r.elapsedSeconds / Double(r.step) * Double(total - r.step))
        }
        if let budget = timeBudget, budget > 0 {
            let byTime = (fraction: min(1, r.elapsedSeconds / budget), seconds: max(0, budget - r.elapsedSeconds))
            if byTime.seconds < best?.seconds ?? .infinity { best = byTime }
        }
        return best
    }

    public func handle(_ event: TrainingEvent) -> TrainingControl {
        switch event {
        case let .logged(r):
            let loss = trainingLoss.isCrossEntropy
                ? String(format: "loss %.3f ppl %.2f", r.trainLoss, Foundation.exp(min(r.trainLoss, 700)))
                : String(format: "%@ %.3f", trainingLoss.label, r.trainLoss)
            let left = remaining(r)
            let eta = left.map { " ETA " + clockTime($0.seconds) } ?? ""
            let epochText = epochs.map { "epoch \(r.epoch)/\($0)" } ?? "epoch \(r.epoch)"
            let stepText = r.totalSteps.map { "step \(r.step)/\($0)" } ?? "step \(r.step)"
            let text = String(format: "%@ %@ %@ lr %.4g %@ tok/s",
                              epochText, stepText, loss, r.learningRate, compact(r.tokensPerSecond)) + eta
            if log.isTerminal {
                var bar = ""
                if let fraction = left?.fraction {
                    let filled = min(20, Int(20 * fraction))
                    bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] "
                }
                log.progress(bar + text)
            } else {
                log.say(text)
            }
        case let .evaluated(e):
            log.say(String(format: "  %@ at step %d: loss %.4f ppl %.2f%@", e.split, e.step, e.loss,
                           Foundation.exp(min(e.loss, 700)), e.isBest ? " (best)" : ""))
        case let .learningRateChanged(from, to, epoch):
            log.say(String(format: "  learning rate %.4g → %.4g after epoch %d", from, to, epoch))
        case let .restoredBest(step):
            log.say("  restored the best weights (step \(step))")
        case let .averagingStarted(step):
            log.say("  averaging from step \(step) (NT-ASGD's trigger): validations score the mean of the iterates from now on")
        case let .scheduleNote(line):
            log.say("  schedule: " + line)
        case .checkpointDue:
            break
        }
        return .proceed
    }
}
