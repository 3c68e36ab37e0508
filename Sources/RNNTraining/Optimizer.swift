// Optimizer: one requirement, `update`, that moves parameters against their gradients.
//
// Gradients arrive unscaled; the clipping factor is passed in and applied as they are read.
// State (moments, accumulators) is kept per parameter, in the parameters' order, and can be
// saved and restored for exact resume.

import RNNModel
import RNNTensor

/// Updates parameters from their gradients.
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    /// A short description for logs, e.g. `sgd(momentum 0)`.
    var summary: String { get }
    /// One update: `p ← p − step(learningRate, gradientScale · g)` for every parameter.
    func update(_ parameters: [Parameter<Scalar>], learningRate: Double, gradientScale: Double)
    /// Named state tensors (empty for plain SGD) and the update count, for checkpoints.
    var state: OptimizerState<Scalar> { get set }
}

/// What an optimizer must save to continue exactly where it stopped.
public struct OptimizerState<Scalar: BLASScalar>: @unchecked Sendable {
    /// Updates done so far.
    public var step: Int
    /// Per-parameter slots, e.g. `m.cell.U`, in a stable order.
    public var slots: [(name: String, values: Tensor<Scalar>)]
    /// Named numbers besides the slots (e.g. averaged SGD's trigger state); finite values only,
    /// since checkpoints store them as JSON.
    public var values: [String: Double]

    public init(step: Int = 0, slots: [(name: String, values: Tensor<Scalar>)] = [], values: [String: Double] = [:]) {
        self.step = step
        self.slots = slots
        self.values = values
    }
}

/// Plain stochastic gradient descent, as in Mikolov's RNNLM and PyTorch's example:
/// p ← p − lr · scale · g.
public final class SGD<Scalar: BLASScalar>: Optimizer {
    public var state = OptimizerState<Scalar>()
    public var summary: String { "sgd" }

    public init() {}

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ parameters: [Parameter<Scalar>], learningRate: Double, gradientScale: Double) {
        let alpha = Scalar(-learningRate * gradientScale)
        // By index, not `for p in parameters`: in a debug build, iterating an array in generic
        // code allocates for every element, and a step must allocate nothing (StepAllocationTests).
        for i in 0..<parameters.count {
            parameters[i].addScaledGradient(alpha: alpha)   // only the touched rows where recorded
        }
        state.step += 1
    }
}
