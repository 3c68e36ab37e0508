// Learning-rate schedules: constant, divide-on-plateau (PyTorch example / Mikolov's RNNLM
// "newbob" with optional restore of the best weights), and step decay.
//
// A schedule sees two things: each training step, and each end-of-epoch validation. It answers
// an evaluation with what the trainer should do next. Its state is a few numbers, saved in
// checkpoints so that a resumed run takes the same decisions.
//
// A schedule that plans against the run's limits (BudgetSchedule.swift) also uses two hooks with
// default implementations, so the others need not know them: `willTrain`, told the limits
// (steps per epoch, epochs, max steps, time budget) once when `Trainer.run` starts, and the
// `didStep` that is given the wall clock so far. Either may return a line for the log.

/// What the trainer should do after an end-of-epoch validation.
public enum ScheduleAction: Sendable, Equatable {
    case proceed
    /// Put back the best weights seen on validation, then go on with the new learning rate.
    case restoreBest
    /// Training has converged by this schedule's rule: stop.
    case stop
}

/// Decides the learning rate as training goes.
public protocol LearningRateSchedule: AnyObject {
    /// A short description for logs, e.g. `plateau(÷4)`.
    var summary: String { get }
    /// The learning rate for the next step.
    var learningRate: Double { get }
    /// Called after every training step (`epoch` counts from 1).
    func didStep(_ step: Int, epoch: Int)
    /// Called after the validation at the end of an epoch.
    /// - Parameters:
    ///   - validLoss: mean cross-entropy on the validation split.
    ///   - bestBefore: the best validation loss before this one (nil at the first evaluation).
    func didEvaluate(validLoss: Double, bestBefore: Double?, epoch: Int) -> ScheduleAction
    /// Everything needed to continue exactly: saved in checkpoints.
    var state: [String: Double] { get set }
    /// Called when `Trainer.run` starts (again when a run resumes, after `state` was restored),
    /// with the run's limits; may return a line for the log. Default: nothing.
    func willTrain(_ limits: TrainingLimits) -> String?
    /// Called after every training step with the wall clock so far; may return a line for the
    /// log. Default: `didStep(step, epoch:)`.
    func didStep(_ step: Int, epoch: Int, clock: TrainingClock) -> String?
}

extension LearningRateSchedule {
    public func willTrain(_ limits: TrainingLimits) -> String? { nil }
    public func didStep(_ step: Int, epoch: Int, clock: TrainingClock) -> String? {
        didStep(step, epoch: epoch)
        return nil
    }
}

/// The wall clock of a run, as the trainer tells a schedule after each step.
public struct TrainingClock: Sendable, Equatable {
    /// Wall seconds of the run so far, validations included, across resumes.
    public var elapsedSeconds: Double
    /// Seconds spent validating and the validations done, since this process started training.
    public var validationSeconds: Double
    public var validations: Int

    public init(elapsedSeconds: Double, validationSeconds: Double = 0, validations: Int = 0) {
        self.elapsedSeconds = elapsedSeconds
        self.validationSeconds = validationSeconds
        self.validations = validations
    }
}

/// What the trainer tells a schedule about the run's limits when it starts.
public struct TrainingLimits: Sendable, Equatable {
    /// Optimizer steps in one epoch.
    public var stepsPerEpoch: Int
    /// The epoch limit, step limit and time budget (seconds), when set.
    public var epochs: Int?
    public var maxSteps: Int?
    public var timeBudget: Double?
    /// Validations in one epoch (the one at its end and those every `eval_every` steps).
    public var validationsPerEpoch: Int
    /// An upper bound on the cost of one validation in training steps: its tokens over a step's,
    /// as if a validated token cost as much as a trained one (it costs less: no backward pass).
    /// For planning before any validation was timed.
    public var validationCostInSteps: Double

    public init(stepsPerEpoch: Int, epochs: Int? = nil, maxSteps: Int? = nil, timeBudget: Double? = nil,
                validationsPerEpoch: Int = 1, validationCostInSteps: Double = 0) {
        self.stepsPerEpoch = stepsPerEpoch
        self.epochs = epochs
        self.maxSteps = maxSteps
        self.timeBudget = timeBudget
        self.validationsPerEpoch = validationsPerEpoch
        self.validationCostInSteps = validationCostInSteps
    }

    /// The steps the epoch and step limits allow (nil: neither is set). Saturates.
    public var stepLimit: Int? {
        let byEpochs = epochs.map { e in
            let (steps, overflow) = e.multipliedReportingOverflow(by: stepsPerEpoch)
            return overflow ? Int.max : steps
        }
        switch (byEpochs, maxSteps) {
        case let (e?, m?): return min(e, m)
        case let (e?, nil): return e
        case let (nil, m?): return m
        default: return nil
        }
    }
}

/// The same learning rate throughout.
public final class ConstantSchedule: LearningRateSchedule {
    public private(set) var learningRate: Double
    public var summary: String { "constant(\(learningRate))" }
    public init(learningRate: Double) { self.learningRate = learningRate }
    public func didStep(_ step: Int, epoch: Int) {}
    public func didEvaluate(validLoss: Double, bestBefore: Double?, epoch: Int) -> ScheduleAction { .proceed }
    public var state: [String: Double] {
        get { ["lr": learningRate] }
        set { learningRate = newValue["lr"] ?? learningRate }
    }
}

/// Divide the learning rate by `factor` when validation does not improve by at least
/// `minImprovement` (relative, on the loss), as PyTorch's word-language-model example does
/// (factor 4, any improvement) and Mikolov's RNNLM (factor 2, restore best weights).
///
/// With `restoreBest`, a non-improving epoch's weights are discarded in favour of the best
/// ones. After `maxDecays` divisions, the next non-improving epoch stops training; and the
/// learning rate never goes below `minLearningRate` (reaching it stops training too).
public final class PlateauSchedule: LearningRateSchedule {
    public private(set) var learningRate: Double
    public let factor: Double
    public let minImprovement: Double
    public let patience: Int
    public let restoreBest: Bool
    public let maxDecays: Int?
    public let minLearningRate: Double
    private var decays = 0
    private var badEpochs = 0

    public var summary: String { "plateau(÷\(factor), patience \(patience)\(restoreBest ? ", restore best" : ""))" }

    public init(learningRate: Double, factor: Double, minImprovement: Double = 0, patience: Int = 0,
                restoreBest: Bool = false, maxDecays: Int? = nil, minLearningRate: Double = 0) {
        precondition(factor > 1, "PlateauSchedule: factor must be > 1")
        self.learningRate = learningRate
        self.factor = factor
        self.minImprovement = minImprovement
        self.patience = patience
        self.restoreBest = restoreBest
        self.maxDecays = maxDecays
        self.minLearningRate = minLearningRate
    }

    public func didStep(_ step: Int, epoch: Int) {}

    public func didEvaluate(validLoss: Double, bestBefore: Double?, epoch: Int) -> ScheduleAction {
        guard let best = bestBefore else { return .proceed }
        let improved = validLoss < best - minImprovement * abs(best)
        if improved {
            badEpochs = 0
            return .proceed
        }
        badEpochs += 1
        guard badEpochs > patience else { return .proceed }
        badEpochs = 0
        if let maxDecays, decays >= maxDecays { return .stop }
        let next = learningRate / factor
        if next < minLearningRate { return .stop }
        learningRate = next
        decays += 1
        return restoreBest ? .restoreBest : .proceed
    }

    public var state: [String: Double] {
        get { ["lr": learningRate, "decays": Double(decays), "bad_epochs": Double(badEpochs)] }
        set {
            learningRate = newValue["lr"] ?? learningRate
            // Int(exactly:) rather than Int(_:): a damaged value must not trap.
            decays = Int(exactly: (newValue["decays"] ?? 0).rounded()) ?? 0
            badEpochs = Int(exactly: (newValue["bad_epochs"] ?? 0).rounded()) ?? 0
        }
    }
}

/// Multiply the learning rate by `gamma` every `everyEpochs` epochs, starting after `startEpoch`.
public final class StepDecaySchedule: LearningRateSchedule {
    public let initialLearningRate: Double
    public let gamma: Double
    public let everyEpochs: Int
    public let startEpoch: Int
    public private(set) var learningRate: Double
    public var summary: String { "step(×\(gamma) every \(everyEpochs) epochs after \(startEpoch))" }

    public init(learningRate: Double, gamma: Double, everyEpochs: Int, startEpoch: Int = 0) {
        precondition(everyEpochs >= 1, "StepDecaySchedule: everyEpochs must be ≥ 1")
        self.initialLearningRate = learningRate
        self.learningRate = learningRate
        self.gamma = gamma
        self.everyEpochs = everyEpochs
        self.startEpoch = startEpoch
    }

    public func didStep(_ step: Int, epoch: Int) {}

    public func didEvaluate(validLoss: Double, bestBefore: Double?, epoch: Int) -> ScheduleAction {
        let past = epoch - startEpoch
        if past > 0 && past % everyEpochs == 0 { learningRate *= gamma }
        return .proceed
    }

    public var state: [String: Double] {
        get { ["lr": learningRate] }
        set { learningRate = newValue["lr"] ?? learningRate }
    }
}
