// Learning-rate schedules: constant, divide-on-plateau (PyTorch example / Mikolov's RNNLM
// "newbob" with optional restore of the best weights), and step decay.
//
// A schedule sees two things: each training step, and each end-of-epoch validation. It answers
// an evaluation with what the trainer should do next. Its state is a few numbers, saved in
// checkpoints so that a resumed run takes the same decisions.

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
