// RecurrentCell: the protocol every recurrent cell implements (Elman now; LSTM and GRU fit the
// same shape, their state being several vectors packed into one row per stream).
//
// A cell works on a whole chunk of T steps for B streams at once, so that it can compute the
// input projection for all steps as one GEMM and keep only the recurrence sequential. It owns
// the workspaces its backward pass needs and reuses them from chunk to chunk.

import RNNTensor

/// A recurrent cell run over chunks of `T` steps and `B` parallel streams.
///
/// Buffers are time-major: row `t·B + b` holds step `t` of stream `b`.
public protocol RecurrentCell<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar

    /// E: size of the input vector at each step.
    var inputSize: Int { get }
    /// H: size of the output vector at each step (what the output layer sees).
    var outputSize: Int { get }
    /// Elements of state per stream (H for Elman; 2H for an LSTM's h and c).
    var stateSize: Int { get }
    /// The cell's trainable parameters.
    var parameters: [Parameter<Scalar>] { get }
    /// A short description for logs, e.g. `elman(tanh)`.
    var summary: String { get }

    /// Runs the chunk forward.
    ///
    /// - Parameters:
    ///   - inputs: (T·B, E), kept unchanged; pass the same view to `backward`.
    ///   - state: (B, stateSize): read as the initial state, then overwritten with the final
    ///     state. Whatever the caller does with it afterwards does not affect `backward`
    ///     (truncated BPTT: no gradient reaches the initial state).
    /// - Returns: the outputs (T·B, H), a view into the cell's workspace that stays valid until
    ///   the next call to `forward`.
    func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>) -> MatrixRef<Scalar>

    /// Backpropagates through the last forward chunk.
    ///
    /// Adds into the parameters' gradients. `outputGradient` (T·B, H) is used as scratch and
    /// left undefined. `inputGradient` (T·B, E), when given, is overwritten with d loss / d inputs.
    func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?)
}
