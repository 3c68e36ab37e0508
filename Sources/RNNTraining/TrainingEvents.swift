// What the training loop tells its observers (progress bar, metrics writer, checkpointer), and
// what they can answer. Reports are immutable values.

/// Where training stands; everything the loop needs to continue exactly (with the weights,
/// optimizer and schedule state, and the carried hidden state, which checkpoints hold beside it).
public struct TrainingProgress: Sendable, Codable, Equatable {
    /// The current epoch, from 1.
    public var epoch = 1
    /// Index of the next chunk to train within the epoch.
    public var nextChunk = 0
    /// Optimizer steps taken.
    public var step = 0
    /// Target tokens trained on.
    public var tokens = 0
    /// Seconds spent in training steps (evaluation excluded).
    public var trainSeconds = 0.0
    /// Wall seconds of the run so far, evaluation included (across resumes).
    public var elapsedSeconds = 0.0
    /// Best validation loss so far and the step it was measured at.
    public var bestValidLoss: Double?
    public var bestStep: Int?
    /// Step of the latest validation.
    public var lastEvaluationStep: Int?
    /// The first training loss, the reference for divergence.
    public var initialLoss: Double?
    /// Sums since the last logged step, so that a resumed run logs the same rows.
    public var intervalLoss = 0.0
    public var intervalSteps = 0
    public var intervalTokens = 0
    public var intervalSeconds = 0.0
    public var intervalMaxGradNorm = 0.0

    public init() {}
}

/// A logged training interval.
public struct StepReport: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    /// Fractional epoch (epoch − 1 + fraction of chunks done).
    public var epochProgress: Double
    public var tokens: Int
    /// Mean training loss over the interval since the previous report.
    public var trainLoss: Double
    public var learningRate: Double
    /// Largest gradient norm (before clipping) in the interval.
    public var gradNorm: Double
    /// Tokens per second over the interval's training steps.
    public var tokensPerSecond: Double
    public var elapsedSeconds: Double
    /// Steps in the whole run when known (for ETA), else nil.
    public var totalSteps: Int?
}

/// One evaluation on a split.
public struct EvaluationReport: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    public var tokens: Int
    public var split: String
    public var loss: Double
    /// Whether this is the best validation loss so far.
    public var isBest: Bool

    public init(step: Int, epoch: Int, tokens: Int, split: String, loss: Double, isBest: Bool) {
        self.step = step
        self.epoch = epoch
        self.tokens = tokens
        self.split = split
        self.loss = loss
        self.isBest = isBest
    }
}

/// Why a checkpoint is due.
public enum CheckpointReason: String, Sendable {
    case interval
    case epochEnd = "epoch_end"
    case interrupted
}

/// What the loop reports.
public enum TrainingEvent {
    case logged(StepReport)
    case evaluated(EvaluationReport)
    case learningRateChanged(from: Double, to: Double, epoch: Int)
    case restoredBest(step: Int)
    /// The optimizer started averaging its iterates at this step (NT-ASGD's trigger fired);
    /// validations score the average from now on.
    case averagingStarted(step: Int)
    /// A line from the schedule for the log (e.g. the budget schedule's plan).
    case scheduleNote(String)
    /// A good moment to save the state (after an interval, at an epoch's end, on interruption).
    case checkpointDue(CheckpointReason, TrainingProgress)
}

/// What an observer answers.
public enum TrainingControl: Sendable {
    case proceed
    case stop
}

/// Receives training events.
public protocol TrainingObserver: AnyObject {
    func handle(_ event: TrainingEvent) -> TrainingControl
}

/// How a training run ended.
public enum TrainingStatus: String, Sendable, Codable {
    case completed
    case interrupted
    case diverged
}

/// The end of a `Trainer.run`.
public struct TrainingOutcome: Sendable {
    public var status: TrainingStatus
    /// Why it stopped, in a few words (e.g. "reached the step limit of 200").
    public var reason: String
    public var progress: TrainingProgress
    /// The step whose loss diverged, when it did.
    public var divergedAtStep: Int?
}
