// Parameter: a named trainable tensor and its gradient, shared by reference between the layers
// that use it (a tied embedding is one Parameter used by the input and the output layer, so its
// gradient sums both uses without any special case).
//
// Each parameter carries its role (what kind of weight it is), set by the layer that creates
// it, so that initialisation follows the role rather than the name; gated cells also record
// the names of their gate blocks (rows stacked block by block, H rows each).

import RNNTensor

/// What a parameter is for; initialisation rules are chosen per role.
public enum ParameterRole: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// The token embedding table (V, E), also the output weights when tied.
    case embedding
    /// Input → hidden (or input → gates) weights of a recurrent cell, (G·H, E).
    case input
    /// Hidden → hidden (or hidden → gates) weights of a recurrent cell, (G·H, H).
    case recurrent
    /// Output-layer weights, e.g. (V, H).
    case output
    /// Any bias vector.
    case bias
}

/// A trainable tensor with a gradient of the same shape.
///
/// Layers *add* into `grad` in their backward pass; zeroing is a separate step
/// (`LanguageModel.zeroGradients()`), so several uses of one parameter accumulate.
///
/// A (R, C) parameter whose gradient is written row by row (the embedding table, the
/// hierarchical softmax's node vectors, NCE's weights) carries `touchedRows`: every layer that
/// writes its gradient marks the rows it writes, and zeroing, the clip norm and SGD visit only
/// those (see TouchedRows).
public final class Parameter<Scalar: BLASScalar>: @unchecked Sendable {
    /// Stable name used in checkpoints and reports, e.g. `embedding`, `cell.U`, `output.bias`.
    public let name: String
    /// What kind of weight this is (set by the layer that created it).
    public let role: ParameterRole
    /// Names of the gate blocks stacked along the first dimension, in order, e.g.
    /// `["i", "f", "g", "o"]` for an LSTM's (4H, ·) weights and (4H) biases; empty when the
    /// parameter is one block (Elman weights, embeddings, output layers).
    public let gates: [String]
    public let value: Tensor<Scalar>
    public let grad: Tensor<Scalar>
    /// The rows of `grad` written this step, for a parameter whose gradient is written row by
    /// row; nil for a dense one. Set by the layer that owns the parameter (`trackTouchedRows`).
    public private(set) var touchedRows: TouchedRows?

    /// A parameter holding `value`.
    ///
    /// - Parameter role: what the parameter is for. When nil (callers that predate roles), a 1-D
    ///   parameter counts as `.bias` and any other as `.output`.
    public init(name: String, value: Tensor<Scalar>, role: ParameterRole? = nil, gates: [String] = []) {
        precondition(gates.isEmpty || (value.shape.first ?? 0) % gates.count == 0,
                     "Parameter \(name): \(value.shape) does not split into \(gates.count) gate blocks")
        self.name = name
        self.role = role ?? (value.shape.count == 1 ? .bias : .output)
        self.gates = gates
        self.value = value
        self.grad = Tensor(zeros: value.shape)
    }

    /// A parameter of zeros.
    public convenience init(name: String, shape: [Int], role: ParameterRole? = nil, gates: [String] = []) {
        self.init(name: name, value: Tensor(zeros: shape), role: role, gates: gates)
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }

    /// Starts recording the rows of `grad` that each step writes (idempotent). Every layer that
    /// writes this gradient must then mark what it writes (`touchedRows?.mark(row)` or `markAll()`).
    public func trackTouchedRows() {
        precondition(shape.count == 2, "Parameter \(name): only a (rows, columns) parameter has touched rows, not \(shape)")
        if touchedRows == nil { touchedRows = TouchedRows(rowCount: shape[0]) }
    }

    /// Stops recording touched rows: the parameter is zeroed and updated whole from now on (for a
    /// parameter shared with a layer that does not mark what it writes).
    public func stopTrackingTouchedRows() { touchedRows = nil }

    /// Sets the gradient to zero — only the rows written since the last reset when they are
    /// recorded — and starts a new step's set of touched rows.
    public func zeroGradient() {
        guard let touched = touchedRows, !touched.isDense else {
            grad.zero()
            touchedRows?.reset()
            return
        }
        // memset per row (a typed `update(repeating:)` in this generic code goes element by
        // element through value witnesses: 6 % of a hierarchical-softmax step).
        let C = shape[1], rows = touched.rows, rowBytes = C * MemoryLayout<Scalar>.stride
        let base = UnsafeMutableRawPointer(grad.data)
        for i in 0..<rows.count {
            (base + Int(rows[i]) * rowBytes).initializeMemory(as: UInt8.self, repeating: 0, count: rowBytes)
        }
        touched.reset()
    }
}
