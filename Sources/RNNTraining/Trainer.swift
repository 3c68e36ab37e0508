// Trainer: the loop of truncated BPTT over epochs, with teacher forcing, clipping, the
// optimizer and the schedule, validation, best-weights tracking, and the stopping rules
// (epochs, max steps, time budget, schedule, divergence, an observer's or a signal's stop).
//
// It owns no files and prints nothing: observers do. All its state lives in `progress`, the
// carried `hiddenState`, the model, the optimizer and the schedule, so that a checkpoint of
// those resumes bit for bit. Checkpoints are offered only at points where nothing but that
// state decides what happens next (after a step's logging and validation, after an epoch's
// end), so a run resumed from one does exactly what the uninterrupted run did.

import Foundation
import RNNModel
import RNNTensor

/// When to stop, how to clip, how often to report.
public struct TrainingOptions: Sendable {
    /// Truncation length: steps per chunk.
    public var bptt: Int
    /// Global-norm clip threshold; nil for none.
    public var clip: Double?
    /// Stop after this many epochs (nil: no limit).
    public var epochs: Int?
    /// Stop after this many optimizer steps (nil: no limit).
    public var maxSteps: Int?
    /// Stop once this many wall seconds have passed (nil: no limit).
    public var timeBudget: Double?
    /// Validate every this many steps, besides each epoch's end (nil: only at epoch ends).
    public var evalEvery: Int?
    /// Report a metrics row every this many steps.
    public var logEvery: Int
    /// Offer a checkpoint every this many steps (nil: only at epoch ends).
    public var checkpointEvery: Int?
    /// A loss above `divergenceFactor ×` the first loss counts as divergence (as does NaN or ∞).
    public var divergenceFactor: Double
    /// Chunk length for evaluation (any length gives the same loss; longer is faster).
    public var evalChunkLength: Int

    public init(bptt: Int, clip: Double? = nil, epochs: Int? = nil, maxSteps: Int? = nil,
                timeBudget: Double? = nil, evalEvery: Int? = nil, logEvery: Int = 50,
                checkpointEvery: Int? = nil, divergenceFactor: Double = 3, evalChunkLength: Int = 128) {
        precondition(bptt >= 1 && logEvery >= 1, "TrainingOptions: bptt and logEvery must be ≥ 1")
        precondition(epochs != nil || maxSteps != nil || timeBudget != nil, "TrainingOptions: no stopping rule")
        self.bptt = bptt
        self.clip = clip
        self.epochs = epochs
        self.maxSteps = maxSteps
        self.timeBudget = timeBudget
        self.evalEvery = evalEvery
        self.logEvery = logEvery
        self.checkpointEvery = checkpointEvery
        self.divergenceFactor = divergenceFactor
        self.evalChunkLength = evalChunkLength
    }
}

/// One training chunk as the model is about to see it, for diagnostics that read the model
/// without changing it (see `Trainer.chunkProbe`).
public struct ChunkView<Scalar: BLASScalar> {
    /// The step this chunk is trained in (1-based, as `progress.step` will read after it).
    public var step: Int
    /// (T, B) input token ids, time-major; targets are the same stream one step ahead.
    public var inputs: UnsafePointer<Int32>
    public var targets: UnsafePointer<Int32>
    public var steps: Int
    public var batch: Int
    /// (B, stateSize): the carried state the chunk starts from. Read only.
    public var state: Tensor<Scalar>
}

/// Trains a language model on batched token streams.
public final class Trainer<Scalar: BLASScalar> {
    /// Called with the chunk of every `every`-th step before it is trained (a diagnostic such as
    /// the gradient through time). It must leave the model, its gradients and `state` as it found
    /// them; its time counts in the wall clock, not in the training tokens/s.
    public var chunkProbe: (every: Int, body: (ChunkView<Scalar>) -> Void)?
    public let model: LanguageModel<Scalar>
    public let optimizer: any Optimizer<Scalar>
    public let schedule: any LearningRateSchedule
    public let train: TokenBatches
    public let valid: TokenBatches
    public let options: TrainingOptions
    /// Where training stands; set it (with the weights and states) to resume.
    public var progress = TrainingProgress()
    /// The state carried from chunk to chunk, (B, stateSize).
    public let hiddenState: Tensor<Scalar>
    /// The weights with the best validation loss so far, in `model.parameters` order.
    public private(set) var bestParameters: [Tensor<Scalar>]?

    private let chunkStarts: [Int]

    public init(model: LanguageModel<Scalar>, optimizer: any Optimizer<Scalar>, schedule: any LearningRateSchedule,
                train: TokenBatches, valid: TokenBatches, options: TrainingOptions) {
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        self.train = train
        self.valid = valid
        self.options = options
        self.hiddenState = model.zeroState(batch: train.batchSize)
        self.chunkStarts = train.chunkStarts(bptt: options.bptt)
        precondition(!chunkStarts.isEmpty, "Trainer: the training stream is shorter than two steps per stream")
    }

    /// Chunks (optimizer steps) per epoch.
    public var chunksPerEpoch: Int { chunkStarts.count }

    /// Steps the whole run will take when a limit says so (for ETA).
    public var plannedSteps: Int? {
        // Saturates: epochs: 9223372036854775807 means "no end in sight", not an overflow trap.
        let byEpochs = options.epochs.map { e in
            let (steps, overflow) = e.multipliedReportingOverflow(by: chunksPerEpoch)
            return overflow ? Int.max : steps
        }
        switch (byEpochs, options.maxSteps) {
        case let (e?, m?): return min(e, m)
        case let (e?, nil): return e
        case let (nil, m?): return m
        default: return nil
        }
    }

    /// Replaces the best-weights copy (used when resuming from a checkpoint).
    public func setBestParameters(_ tensors: [Tensor<Scalar>]?) {
        if let tensors { precondition(tensors.count == model.parameters.count, "Trainer: best weights do not match the model") }
        bestParameters = tensors
    }

    /// Copies the best weights into the model (no-op when none were recorded).
    public func restoreBestParameters() {
        guard let best = bestParameters else { return }
        for (p, b) in zip(model.parameters, best) { p.value.copy(from: b) }
    }

    /// Validates, records the best weights, and reports.
    @discardableResult
    private func validate(observers: [any TrainingObserver]) -> (EvaluationResult, bestBefore: Double?, control: TrainingControl) {
        let result = evaluate(model, on: valid, chunkLength: options.evalChunkLength)
        let bestBefore = progress.bestValidLoss
        let isBest = result.loss.isFinite && (bestBefore.map { result.loss < $0 } ?? true)
        if isBest {
            progress.bestValidLoss = result.loss
            progress.bestStep = progress.step
            if bestParameters == nil { bestParameters = model.parameters.map { $0.value.copy() } }
            else { for (b, p) in zip(bestParameters!, model.parameters) { b.copy(from: p.value) } }
        }
        progress.lastEvaluationStep = progress.step
        let control = notify(observers, .evaluated(EvaluationReport(
            step: progress.step, epoch: progress.epoch, tokens: progress.tokens, split: "valid",
            loss: result.loss, isBest: isBest)))
        return (result, bestBefore, control)
    }

    private func notify(_ observers: [any TrainingObserver], _ event: TrainingEvent) -> TrainingControl {
        var control = TrainingControl.proceed
        // By index: see `SGD.update` (this runs every logged step).
        for i in 0..<observers.count where observers[i].handle(event) == .stop { control = .stop }
        return control
    }

    /// Trains until a stopping rule fires.
    ///
    /// - Parameters:
    ///   - observers: told of every event; any of them can stop the run (status `interrupted`).
    ///   - stopRequested: polled after every step (e.g. a signal flag); `true` stops the run
    ///     after that step with status `interrupted`.
    public func run(observers: [any TrainingObserver], stopRequested: () -> Bool = { false }) -> TrainingOutcome {
        let clock = ContinuousClock()
        var wallMark = clock.now
        func tickWall() {
            let now = clock.now
            progress.elapsedSeconds += (now - wallMark).inSeconds
            wallMark = now
        }
        let B = train.batchSize
        func outcome(_ status: TrainingStatus, _ reason: String, diverged: Int? = nil) -> TrainingOutcome {
            tickWall()
            return TrainingOutcome(status: status, reason: reason, progress: progress, divergedAtStep: diverged)
        }
        func interrupted(_ reason: String) -> TrainingOutcome {
            _ = notify(observers, .checkpointDue(.interrupted, progress))
            return outcome(.interrupted, reason)
        }
        /// The step and time limits (the epoch limit is checked where an epoch starts).
        func limitReached() -> TrainingOutcome? {
            if let maxSteps = options.maxSteps, progress.step >= maxSteps {
                return outcome(.completed, "reached the step limit of \(maxSteps)")
            }
            if let budget = options.timeBudget, progress.elapsedSeconds >= budget {
                return outcome(.completed, String(format: "reached the time budget of %.0f s", budget))
            }
            return nil
        }
        // A run resumed from a checkpoint taken at its last step has nothing left to train.
        if let done = limitReached() { return finish(observers, done) }

        return train.tokens.withUnsafeBufferPointer { tokens -> TrainingOutcome in
            while true {
                if let epochs = options.epochs, progress.epoch > epochs {
                    return finish(observers, outcome(.completed, "reached \(epochs) epoch\(epochs == 1 ? "" : "s")"))
                }
                while progress.nextChunk < chunkStarts.count {
                    let start = chunkStarts[progress.nextChunk]
                    let n = train.chunkLength(at: start, bptt: options.bptt)
                    let inputs = tokens.baseAddress! + start * B
                    if let probe = chunkProbe, (progress.step + 1) % probe.every == 0 {
                        probe.body(ChunkView(step: progress.step + 1, inputs: inputs, targets: inputs + B, steps: n, batch: B,
                                             state: hiddenState))
                    }
                    let t0 = clock.now
                    model.zeroGradients()
                    let loss = model.forwardBackward(inputs: inputs, targets: inputs + B, steps: n, batch: B, state: hiddenState)
                    let clip = clipScale(model.parameters, maxNorm: options.clip)
                    let limit = progress.initialLoss.map { $0 * options.divergenceFactor } ?? .infinity
                    if !loss.isFinite || !clip.norm.isFinite || loss > limit {
                        progress.step += 1
                        return outcome(.diverged, loss.isFinite ? String(format: "loss %.4g exceeded %.4g", loss, limit)
                                                                : "loss became \(loss)", diverged: progress.step)
                    }
                    optimizer.update(model.parameters, learningRate: schedule.learningRate, gradientScale: clip.scale)
                    let dt = (clock.now - t0).inSeconds
                    progress.step += 1
                    progress.nextChunk += 1
                    progress.tokens += n * B
                    progress.trainSeconds += dt
                    if progress.initialLoss == nil { progress.initialLoss = loss }
                    progress.intervalLoss += loss * Double(n * B)
                    progress.intervalSteps += 1
                    progress.intervalTokens += n * B
                    progress.intervalSeconds += dt
                    progress.intervalMaxGradNorm = max(progress.intervalMaxGradNorm, clip.norm)
                    schedule.didStep(progress.step, epoch: progress.epoch)
                    tickWall()

                    var control = TrainingControl.proceed
                    if progress.step % options.logEvery == 0 { control = log(observers) }
                    if let every = options.evalEvery, progress.step % every == 0, progress.nextChunk < chunkStarts.count {
                        if validate(observers: observers).control == .stop { control = .stop }
                        tickWall()
                    }
                    if let every = options.checkpointEvery, progress.step % every == 0 {
                        if notify(observers, .checkpointDue(.interval, progress)) == .stop { control = .stop }
                    }
                    // Limits first: a stop asked for at the last step completes the run.
                    if let done = limitReached() { return finish(observers, done) }
                    if control == .stop { return interrupted("stopped by an observer") }
                    if stopRequested() { return interrupted("stop requested") }
                }
                // End of an epoch: validate, let the schedule decide, start the next epoch.
                if progress.intervalSteps > 0 { _ = log(observers) }
                let (result, bestBefore, control) = validate(observers: observers)
                tickWall()
                let oldRate = schedule.learningRate
                let action = schedule.didEvaluate(validLoss: result.loss, bestBefore: bestBefore, epoch: progress.epoch)
                if schedule.learningRate != oldRate {
                    _ = notify(observers, .learningRateChanged(from: oldRate, to: schedule.learningRate, epoch: progress.epoch))
                }
                if action == .restoreBest, let bestStep = progress.bestStep {
                    restoreBestParameters()
                    _ = notify(observers, .restoredBest(step: bestStep))
                }
                progress.epoch += 1
                progress.nextChunk = 0
                hiddenState.zero()
                // Decided before the checkpoint: a run resumed from it must not train past the
                // schedule's stop (the decision is not part of the saved state).
                if action == .stop {
                    return finish(observers, outcome(.completed, "the schedule stopped at epoch \(progress.epoch - 1)"))
                }
                let checkpointControl = notify(observers, .checkpointDue(.epochEnd, progress))
                if control == .stop || checkpointControl == .stop { return interrupted("stopped by an observer") }
                if stopRequested() { return interrupted("stop requested") }
            }
        }
    }

    /// Reports the interval since the last report and starts a new one.
    private func log(_ observers: [any TrainingObserver]) -> TrainingControl {
        let p = progress
        let report = StepReport(
            step: p.step, epoch: p.epoch,
            epochProgress: Double(p.epoch - 1) + Double(p.nextChunk) / Double(chunkStarts.count),
            tokens: p.tokens, trainLoss: p.intervalLoss / Double(max(1, p.intervalTokens)),
            learningRate: schedule.learningRate, gradNorm: p.intervalMaxGradNorm,
            tokensPerSecond: Double(p.intervalTokens) / max(p.intervalSeconds, 1e-9),
            elapsedSeconds: p.elapsedSeconds, totalSteps: plannedSteps)
        progress.intervalLoss = 0
        progress.intervalSteps = 0
        progress.intervalTokens = 0
        progress.intervalSeconds = 0
        progress.intervalMaxGradNorm = 0
        return notify(observers, .logged(report))
    }

    /// Makes sure the final weights were validated, so the best-on-valid choice includes them.
    private func finish(_ observers: [any TrainingObserver], _ outcome: TrainingOutcome) -> TrainingOutcome {
        var outcome = outcome
        if progress.intervalSteps > 0 { _ = log(observers) }
        if progress.lastEvaluationStep != progress.step {
            validate(observers: observers)
        }
        outcome.progress = progress
        return outcome
    }
}

extension Duration {
    /// The duration in seconds, as a Double (for rates and logs).
    @inlinable public var inSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
