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
}
