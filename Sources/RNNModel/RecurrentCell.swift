// RecurrentCell: the protocol every recurrent cell implements (Elman, LSTM, GRU, and a stack of
// any of them), their state being one or several vectors packed into one row per stream.
//
// A cell works on a whole chunk of T steps for B streams at once, so that it can compute the
// input projection for all steps as one GEMM and keep only the recurrence sequential. It owns
// the workspaces its backward pass needs and reuses them from chunk to chunk.
//
// Shapes: B = batch streams, T = time steps in the chunk, E = input size, H = output (hidden)
// size, S = stateSize.

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
    /// S: elements of state per stream (H for Elman and GRU; 2H for an LSTM's [h | c]; the sum
    /// over layers for a stack).
    var stateSize: Int { get }
    /// The cell's trainable parameters.
    var parameters: [Parameter<Scalar>] { get }
    /// A short description for logs, e.g. `elman(tanh)`.
    var summary: String { get }

    /// Runs the chunk forward.
    ///
    /// - Parameters:
    ///   - inputs: (T·B, E), kept unchanged; pass the same view to `backward`.
    ///   - state: (B, S), rows possibly strided (`ld` ≥ S): read as the initial state, then
    ///     overwritten with the final state. Whatever the caller does with it afterwards does not
    ///     affect `backward` (truncated BPTT: no gradient reaches the initial state).
    /// - Returns: the outputs (T·B, H), a view into the cell's workspace that stays valid until
    ///   the next call to `forward`.
    func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>) -> MatrixRef<Scalar>

    /// Runs the chunk forward while training: as `forward`, but a cell with dropout inside it
    /// (`StackedCell` between layers) draws its masks from `dropoutGenerator`. A default
    /// implementation, for cells without dropout, calls `forward` and draws nothing.
    func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                 dropoutGenerator: inout Xoshiro256) -> MatrixRef<Scalar>

    /// Backpropagates through the last forward chunk.
    ///
    /// Adds into the parameters' gradients. `outputGradient` (T·B, H) is used as scratch and
    /// left undefined. `inputGradient` (T·B, E), when given, is overwritten with d loss / d inputs.
    func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?)
}

extension RecurrentCell {
    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        dropoutGenerator: inout Xoshiro256) -> MatrixRef<Scalar> {
        forward(inputs: inputs, steps: steps, batch: batch, state: state)
    }
}
