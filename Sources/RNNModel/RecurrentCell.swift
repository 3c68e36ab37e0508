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
    ///     affect `backward` (truncated BPTT: training sends no gradient to the initial state;
    ///     `backward(…, finalStateGradient:initialStateGradient:)` can report it).
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

    /// Whether `backward(inputs:outputGradient:inputGradient:finalStateGradient:initialStateGradient:)`
    /// can take a gradient at the chunk's final state and give the one at its initial state.
    /// True for every built-in cell (a stack: when all its layers can); the default, for plugin
    /// cells written before this existed, is false.
    var supportsStateGradient: Bool { get }

    /// Backpropagates through the last forward chunk, as `backward(inputs:outputGradient:inputGradient:)`,
    /// with the state at both ends of the chunk as a variable:
    ///
    /// - `finalStateGradient` (B, S), when given, is d loss / d (the final state) from beyond
    ///   the chunk, added in (read, not modified): for an LSTM both the h and the c columns.
    /// - `initialStateGradient` (B, S), when given, is overwritten with d loss / d (the state the
    ///   chunk started from): for an LSTM both the h and the c columns, for a stack every layer's.
    ///
    /// Both may be strided views (`ld` ≥ S) and must not overlap. Training passes neither
    /// (truncated BPTT); `GradientThroughTimeProbe` passes both, one step at a time. With both
    /// nil this computes exactly what the three-argument form computes, bit for bit.
    ///
    /// The default, for cells that do not provide it, runs the three-argument form when both
    /// are nil and stops with a precondition failure otherwise: check `supportsStateGradient`.
    func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                  finalStateGradient: MatrixRef<Scalar>?, initialStateGradient: MatrixRef<Scalar>?)

    /// The columns of a stream's state row that hold the output h_t (for a stack, the top
    /// layer's). The default, 0..<H, is where every built-in cell keeps it.
    var outputStateColumns: Range<Int> { get }

    /// The columns of a stream's state row that hold an LSTM's memory c_t (for a stack, the top
    /// layer's), or nil when the cell (the top layer) has none. The default is nil.
    var memoryStateColumns: Range<Int>? { get }

    /// Whether the cell can restart streams from the zero state inside a chunk (`StateResets`,
    /// `training.independent_sentences`). True for every built-in cell (a stack: when all its
    /// layers can); the default, for plugin cells, is false.
    var supportsStateResets: Bool { get }

    /// Runs the chunk forward as `forward(inputs:steps:batch:state:)`, with stream b's state set
    /// to zero before step t wherever `resets` says so (`resets` made for T × B). With `resets`
    /// nil this runs exactly the form without it. The default, for cells that do not provide
    /// it, stops with a precondition failure when given a mask: check `supportsStateResets`.
    func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                 resets: StateResets?) -> MatrixRef<Scalar>

    /// The training forward with resets: as `forward(inputs:steps:batch:state:resets:)`, drawing
    /// dropout masks as `forward(inputs:steps:batch:state:dropoutGenerator:)` does.
    func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                 resets: StateResets?, dropoutGenerator: inout Xoshiro256) -> MatrixRef<Scalar>

    /// Backpropagates through the last forward chunk, which ran with `resets` (the same mask,
    /// or nil when it ran without): as the five-argument form, with no gradient flowing through
    /// a reset (into the state before it, nor, at step 0, into `initialStateGradient`).
    func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                  finalStateGradient: MatrixRef<Scalar>?, initialStateGradient: MatrixRef<Scalar>?, resets: StateResets?)
}

extension RecurrentCell {
    public var supportsStateGradient: Bool { false }

    public var outputStateColumns: Range<Int> { 0..<outputSize }

    public var memoryStateColumns: Range<Int>? { nil }

    public func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                         finalStateGradient: MatrixRef<Scalar>?, initialStateGradient: MatrixRef<Scalar>?) {
        precondition(finalStateGradient == nil && initialStateGradient == nil,
                     "\(summary): this cell does not backpropagate through its state at the chunk's ends (supportsStateGradient is false)")
        backward(inputs: inputs, outputGradient: outputGradient, inputGradient: inputGradient)
    }

    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        dropoutGenerator: inout Xoshiro256) -> MatrixRef<Scalar> {
        forward(inputs: inputs, steps: steps, batch: batch, state: state)
    }

    public var supportsStateResets: Bool { false }

    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        resets: StateResets?) -> MatrixRef<Scalar> {
        precondition(resets == nil, "\(summary): this cell does not reset its state inside a chunk (supportsStateResets is false)")
        return forward(inputs: inputs, steps: steps, batch: batch, state: state)
    }

    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        resets: StateResets?, dropoutGenerator: inout Xoshiro256) -> MatrixRef<Scalar> {
        guard let resets else { return forward(inputs: inputs, steps: steps, batch: batch, state: state, dropoutGenerator: &dropoutGenerator) }
        // A cell without dropout of its own (the built-in single layers) draws nothing.
        return forward(inputs: inputs, steps: steps, batch: batch, state: state, resets: resets)
    }

    public func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                         finalStateGradient: MatrixRef<Scalar>?, initialStateGradient: MatrixRef<Scalar>?, resets: StateResets?) {
        precondition(resets == nil, "\(summary): this cell does not reset its state inside a chunk (supportsStateResets is false)")
        backward(inputs: inputs, outputGradient: outputGradient, inputGradient: inputGradient,
                 finalStateGradient: finalStateGradient, initialStateGradient: initialStateGradient)
    }
}

/// A cell that implements the full forms — `forward(…, resets:)` and `backward(…,
/// finalStateGradient:initialStateGradient:resets:)` — and gets the shorter forms the protocol
/// asks for as those with nothing given (no resets, no state gradients). The built-in single-layer
/// cells (Elman, LSTM, GRU) adopt it; a cell adopting it must implement both full forms (the
/// `RecurrentCell` defaults of those call the shorter forms, which would call them back).
public protocol StateResettingCell: RecurrentCell {}

extension StateResettingCell {
    public var supportsStateResets: Bool { true }

    public var supportsStateGradient: Bool { true }

    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>) -> MatrixRef<Scalar> {
        forward(inputs: inputs, steps: steps, batch: batch, state: state, resets: nil)
    }

    public func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?) {
        backward(inputs: inputs, outputGradient: outputGradient, inputGradient: inputGradient,
                 finalStateGradient: nil, initialStateGradient: nil, resets: nil)
    }

    public func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                         finalStateGradient: MatrixRef<Scalar>?, initialStateGradient: MatrixRef<Scalar>?) {
        backward(inputs: inputs, outputGradient: outputGradient, inputGradient: inputGradient,
                 finalStateGradient: finalStateGradient, initialStateGradient: initialStateGradient, resets: nil)
    }
}
