// IterateAveraging: what the trainer needs from an optimizer whose model is not its latest iterate
// but an average of iterates (averaged SGD). Kept apart from `Optimizer`, whose one requirement
// stays `update`: the trainer asks `optimizer as? any IterateAveraging<Scalar>` and, when the
// answer is yes,
//
//   - tells it every validation loss (`didValidate`), which may start the averaging;
//   - once averaging has started, validates the average instead of the iterate (swapped into the
//     model, evaluated, swapped back: training goes on from the iterate), so that the best-on-valid
//     weights, best.ckpt and the test score are the average's;
//   - ends a completed run with the average as the model.
//
// The average and the trigger's state are part of `state` (slots and values), so checkpoints
// hold them and a resume continues exactly.

import RNNModel
import RNNTensor

/// An optimizer that may evaluate an average of its iterates instead of the latest one.
public protocol IterateAveraging<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    /// The step (updates done) at which averaging started, nil before.
    var averagingStart: Int? { get }
    /// The average, one tensor per parameter in the parameters' order, once averaging has started.
    func average(of parameters: [Parameter<Scalar>]) -> [Tensor<Scalar>]?
    /// Told the loss of each validation (of the iterate, while not averaging); returns true when
    /// this validation starts the averaging, from the current weights at `step`.
    func didValidate(loss: Double, parameters: [Parameter<Scalar>], step: Int) -> Bool
}
