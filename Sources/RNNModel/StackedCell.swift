// StackedCell: N recurrent layers, each reading the outputs of the one below, the top one's
// outputs being the stack's; optional inverted dropout between layers (Zaremba et al. 2014:
// on the non-recurrent connections only, while training).
//
// Shapes: B = batch, T = time steps, E = input size of layer 0, H_l = output size of layer l,
// S_l = state size of layer l, L = number of layers.
//
// State per stream: the layers' states concatenated, layer 0 first:
// [S_0 | S_1 | … | S_{L−1}] (for an LSTM stack, [h_0 c_0 | h_1 c_1 | …]). Each layer reads and
// writes its own columns in place through a strided view.
// Will not: residual connections, dropout on the recurrent connections.

import RNNTensor

/// A stack of recurrent cells, itself a `RecurrentCell`.
///
/// Parameter names come from the layers; `layerPrefix(_:of:)` gives the convention the builders
/// use: `cell.` for a single layer (so existing one-layer names such as `cell.W` stay valid) and
/// `cell.l{l}.` for layer l of a deeper stack (`cell.l0.W`, `cell.l1.U`, …).
public final class StackedCell<Scalar: BLASScalar>: RecurrentCell {
    /// The layers, bottom first.
    public let layers: [any RecurrentCell<Scalar>]
    /// Dropout between layers: applied to layer l's outputs before layer l+1 reads them, for
    /// l < L−1, during training forwards only. Masks come from the generator given to
    /// `forward(inputs:steps:batch:state:dropoutGenerator:)`, bottom boundary first.
    public var dropout: Double {
        didSet { for op in dropouts { op.rate = dropout } }
    }

    public var inputSize: Int { layers[0].inputSize }
    public var outputSize: Int { layers[layers.count - 1].outputSize }
    public let stateSize: Int
    public var parameters: [Parameter<Scalar>] { layers.flatMap { $0.parameters } }
    public var summary: String {
        "\(layers.count)×\(layers[0].summary)" + (dropout > 0 ? " (dropout \(dropout))" : "")
    }

    /// Column where each layer's state starts in a stream's state row.
    private let stateOffsets: [Int]
    /// The largest H_l: the width of the gradient buffers (kept, so that no chunk maps the layers).
    private let widestOutput: Int
    /// One op per boundary between layers (L−1).
    private let dropouts: [Dropout<Scalar>]
    /// (T·B, H_{l−1}) for l = 1…L−1: what layer l read in the last forward (layer l−1's
    /// outputs, dropped out when training with dropout). Index l−1.
    private var layerInputs: [Tensor<Scalar>]
    /// Two (T·B·max H) buffers for the gradients passed down between layers, alternating.
    private var gradients: [Tensor<Scalar>]
    private var lastRows = 0

    /// The naming convention for layer `l` of `count`: `cell.` when alone, else `cell.l{l}.`.
    public static func layerPrefix(_ l: Int, of count: Int, base: String = "cell.") -> String {
        count == 1 ? base : "\(base)l\(l)."
    }

    /// A stack of `layers` (bottom first); each layer's input size must equal the output size of
    /// the one below.
    public init(layers: [any RecurrentCell<Scalar>], dropout: Double = 0) {
        precondition(!layers.isEmpty, "StackedCell: needs at least one layer")
        precondition((0..<1).contains(dropout), "StackedCell: dropout \(dropout) outside [0, 1)")
        for l in 1..<max(1, layers.count) {
            precondition(layers[l].inputSize == layers[l - 1].outputSize,
                         "StackedCell: layer \(l) reads \(layers[l].inputSize) values but layer \(l - 1) produces \(layers[l - 1].outputSize)")
        }
        self.layers = layers
        self.dropout = dropout
        var offsets: [Int] = [], total = 0
        for layer in layers { offsets.append(total); total += layer.stateSize }
        stateOffsets = offsets
        stateSize = total
        widestOutput = layers.map { $0.outputSize }.max() ?? 0
        supportsStateResets = layers.allSatisfy { $0.supportsStateResets }
        dropouts = (0..<(layers.count - 1)).map { _ in Dropout(rate: dropout) }
        layerInputs = layers.dropFirst().map { Tensor(zeros: [0, $0.inputSize]) }
        gradients = [Tensor(zeros: [0]), Tensor(zeros: [0])]
    }

    /// `count` layers made by `makeLayer(inputSize, namePrefix)`: layer 0 reads `inputSize`
    /// values, each layer above reads the outputs of the one below; prefixes follow
    /// `layerPrefix(_:of:)`.
    public convenience init(count: Int, inputSize: Int, dropout: Double = 0,
                            makeLayer: (_ inputSize: Int, _ namePrefix: String) -> any RecurrentCell<Scalar>) {
        precondition(count >= 1, "StackedCell: layer count \(count) must be at least 1")
        var layers: [any RecurrentCell<Scalar>] = []
        for l in 0..<count {
            layers.append(makeLayer(l == 0 ? inputSize : layers[l - 1].outputSize, Self.layerPrefix(l, of: count)))
        }
        self.init(layers: layers, dropout: dropout)
    }

    private func reserve(rows: Int) {
        for l in 1..<max(1, layers.count) where layerInputs[l - 1].shape[0] < rows {
            layerInputs[l - 1] = Tensor(zeros: [rows, layers[l].inputSize])
        }
        let widest = widestOutput
        if gradients[0].count < rows * widest {
            gradients = [Tensor(zeros: [rows * widest]), Tensor(zeros: [rows * widest])]
        }
    }

    /// Layer `l`'s columns of the stack's state (B, S), a strided view.
    private func stateSlice(_ state: MatrixRef<Scalar>, layer l: Int) -> MatrixRef<Scalar> {
        MatrixRef(state.base + stateOffsets[l], rows: state.rows, cols: layers[l].stateSize, ld: state.ld)
    }

    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>) -> MatrixRef<Scalar> {
        var unused = Xoshiro256(seed: 0)
        return run(inputs: inputs, steps: steps, batch: batch, state: state, resets: nil, dropoutGenerator: &unused, training: false)
    }

    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        dropoutGenerator: inout Xoshiro256) -> MatrixRef<Scalar> {
        run(inputs: inputs, steps: steps, batch: batch, state: state, resets: nil, dropoutGenerator: &dropoutGenerator, training: true)
    }

    /// True when every layer can reset its state: a reset restarts every layer of the stream.
    /// Stored: the language model asks for every chunk with resets, and iterating the layers
    /// allocates in a debug build.
    public let supportsStateResets: Bool

    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        resets: StateResets?) -> MatrixRef<Scalar> {
        var unused = Xoshiro256(seed: 0)
        return run(inputs: inputs, steps: steps, batch: batch, state: state, resets: resets, dropoutGenerator: &unused, training: false)
    }

    public func forward(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>,
                        resets: StateResets?, dropoutGenerator: inout Xoshiro256) -> MatrixRef<Scalar> {
        run(inputs: inputs, steps: steps, batch: batch, state: state, resets: resets, dropoutGenerator: &dropoutGenerator, training: true)
    }

    /// Every layer runs with the same resets (`nil`: each layer's form without them).
    private func run(inputs: MatrixRef<Scalar>, steps: Int, batch: Int, state: MatrixRef<Scalar>, resets: StateResets?,
                     dropoutGenerator: inout Xoshiro256, training: Bool) -> MatrixRef<Scalar> {
        let rows = steps * batch
        precondition(state.rows == batch && state.cols == stateSize, "StackedCell.forward: state \(state.rows)×\(state.cols), expected \(batch)×\(stateSize)")
        reserve(rows: rows)
        lastRows = rows
        var x = inputs
        for l in 0..<layers.count {
            let layerState = stateSlice(state, layer: l)
            let out: MatrixRef<Scalar>
            if let resets {
                out = training
                    ? layers[l].forward(inputs: x, steps: steps, batch: batch, state: layerState, resets: resets, dropoutGenerator: &dropoutGenerator)
                    : layers[l].forward(inputs: x, steps: steps, batch: batch, state: layerState, resets: resets)
            } else {
                out = training
                    ? layers[l].forward(inputs: x, steps: steps, batch: batch, state: layerState, dropoutGenerator: &dropoutGenerator)
                    : layers[l].forward(inputs: x, steps: steps, batch: batch, state: layerState)
            }
            if l == layers.count - 1 { return out }
            // Layer l's outputs are also its recurrent state: the next layer reads a copy, dropped
            // out while training.
            let next = layerInputs[l].matrix.rows(0..<rows)
            let op = dropouts[l]
            if training {
                op.forward(out, into: next, generator: &dropoutGenerator)
            } else {
                op.identity(out, into: next)
            }
            x = next
        }
        preconditionFailure("StackedCell: unreachable")
    }

    /// True when every layer can report its initial-state gradient.
    public var supportsStateGradient: Bool { layers.allSatisfy { $0.supportsStateGradient } }

    /// The top layer's h, in the stack's state row.
    public var outputStateColumns: Range<Int> {
        let top = layers.count - 1, columns = layers[top].outputStateColumns
        return (stateOffsets[top] + columns.lowerBound)..<(stateOffsets[top] + columns.upperBound)
    }

    /// The top layer's c when it is an LSTM, in the stack's state row.
    public var memoryStateColumns: Range<Int>? {
        let top = layers.count - 1
        guard let columns = layers[top].memoryStateColumns else { return nil }
        return (stateOffsets[top] + columns.lowerBound)..<(stateOffsets[top] + columns.upperBound)
    }

    public func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?) {
        backward(inputs: inputs, outputGradient: outputGradient, inputGradient: inputGradient, finalStateGradient: nil, initialStateGradient: nil)
    }

    /// Each layer's initial state reaches the loss only through that layer's outputs, whose full
    /// gradient (from the layer above and, for the top, from the loss) its backward receives; so
    /// each layer writes its own columns of `initialStateGradient`, and reads its own columns
    /// of `finalStateGradient` (added to its last output's gradient after the dropout mask
    /// between layers: the state is the undropped h).
    public func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                         finalStateGradient: MatrixRef<Scalar>?, initialStateGradient: MatrixRef<Scalar>?) {
        backward(inputs: inputs, outputGradient: outputGradient, inputGradient: inputGradient,
                 finalStateGradient: finalStateGradient, initialStateGradient: initialStateGradient, resets: nil)
    }

    /// As the five-argument form, each layer given the same `resets` (`nil`: each layer's form
    /// without them).
    public func backward(inputs: MatrixRef<Scalar>, outputGradient: MatrixRef<Scalar>, inputGradient: MatrixRef<Scalar>?,
                         finalStateGradient: MatrixRef<Scalar>?, initialStateGradient: MatrixRef<Scalar>?, resets: StateResets?) {
        let rows = lastRows
        precondition(inputs.rows == rows, "StackedCell.backward: inputs do not match the last forward chunk")
        if let dS0 = initialStateGradient {
            precondition(dS0.cols == stateSize, "StackedCell.backward: initial state gradient has \(dS0.cols) columns, expected \(stateSize)")
        }
        if let dST = finalStateGradient {
            precondition(dST.cols == stateSize, "StackedCell.backward: final state gradient has \(dST.cols) columns, expected \(stateSize)")
        }
        var dOut = outputGradient
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            // Not Optional.map: its closure context is allocated on every call in a debug build.
            var dLayerState: MatrixRef<Scalar>?, dLayerFinal: MatrixRef<Scalar>?
            if let dS0 = initialStateGradient { dLayerState = stateSlice(dS0, layer: l) }
            if let dST = finalStateGradient { dLayerFinal = stateSlice(dST, layer: l) }
            let x = l == 0 ? inputs : layerInputs[l - 1].matrix.rows(0..<rows)
            // d loss / d (layer l's inputs): the caller's buffer for layer 0, else the gradient
            // buffer that dOut does not use.
            let dIn = l == 0 ? inputGradient : MatrixRef(gradients[l % 2].data, rows: rows, cols: layers[l].inputSize)
            if let resets {
                layers[l].backward(inputs: x, outputGradient: dOut, inputGradient: dIn,
                                   finalStateGradient: dLayerFinal, initialStateGradient: dLayerState, resets: resets)
            } else {
                layers[l].backward(inputs: x, outputGradient: dOut, inputGradient: dIn,
                                   finalStateGradient: dLayerFinal, initialStateGradient: dLayerState)
            }
            guard l > 0, let dIn else { return }
            dropouts[l - 1].backward(dIn)
            dOut = dIn
        }
    }
}
