// OutputLayer: turns the cell's outputs into next-token log-probabilities and the
// cross-entropy loss. Full softmax (optionally tied to the embedding), Mikolov's class-based
// softmax, the hierarchical softmax and NCE implement the same protocol. A layer whose training
// loss is not the cross-entropy (NCE) says so (`trainingLoss`); one that draws random numbers
// while training exposes its generator (`randomGenerator`) so that checkpoints can save it.
//
// Shapes: N = rows (T·B), H = hidden size, V = vocabulary size.

import RNNTensor

/// Maps hidden vectors (N, H) to a distribution over V tokens, with loss and gradient.
public protocol OutputLayer<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar

    /// H: the size of the hidden vectors it reads.
    var inputSize: Int { get }
    /// V: the number of tokens it predicts.
    var vocabularySize: Int { get }
    /// Its trainable parameters (a tied layer lists the shared embedding too).
    var parameters: [Parameter<Scalar>] { get }
    /// A short description for logs, e.g. `softmax(tied)`.
    var summary: String { get }

    /// Sum over rows of −log p(target | hidden row); adds `gradScale ·` d(sum)/d(params) into the
    /// parameters' gradients and writes `gradScale ·` d(sum)/d(hidden) into `hiddenGradient` (N, H).
    func lossAndGradient(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar,
                         hiddenGradient: MatrixRef<Scalar>) -> Double

    /// The same as `lossAndGradient` for the normalised cross-entropy, whatever the layer trains
    /// on, drawing nothing: what diagnostics measure (the gradient-through-time probe). Default:
    /// `lossAndGradient`, for layers whose training loss is the cross-entropy and draw nothing.
    func crossEntropyAndGradient(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar,
                                 hiddenGradient: MatrixRef<Scalar>) -> Double

    /// Sum over rows of −log p(target | hidden row), without gradients.
    func loss(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>) -> Double

    /// Writes log p(· | hidden row) for every row of `hidden` into `out` (N, V).
    func logProbabilities(hidden: MatrixRef<Scalar>, into out: MatrixRef<Scalar>)

    /// What `lossAndGradient` returns (`loss` is always the normalised cross-entropy).
    /// Default: `.crossEntropy`.
    var trainingLoss: TrainingLoss { get }

    /// The generator the layer draws from while training, or nil when it draws nothing
    /// (default). Part of the training state: checkpoints save it and a resume restores it.
    var randomGenerator: Xoshiro256? { get set }

    /// True when every gradient row the layer writes into a parameter that records its touched
    /// rows (`Parameter.touchedRows`, e.g. a tied embedding table) is marked there (`mark(row)`,
    /// or `markAll()` for a dense write). Default false: the model then zeroes and steps the
    /// layer's parameters whole (`LanguageModel.init` stops their tracking).
    var recordsTouchedRows: Bool { get }
}

extension OutputLayer {
    public func crossEntropyAndGradient(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar,
                                        hiddenGradient: MatrixRef<Scalar>) -> Double {
        lossAndGradient(hidden: hidden, targets: targets, gradScale: gradScale, hiddenGradient: hiddenGradient)
    }

    public var trainingLoss: TrainingLoss { .crossEntropy }

    public var randomGenerator: Xoshiro256? {
        get { nil }
        set {}
    }

    public var recordsTouchedRows: Bool { false }
}
