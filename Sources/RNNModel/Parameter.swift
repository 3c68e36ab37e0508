// Parameter: a named trainable tensor and its gradient, shared by reference between the layers
// that use it (a tied embedding is one Parameter used by the input and the output layer, so its
// gradient sums both uses without any special case).

import RNNTensor

/// A trainable tensor with a gradient of the same shape.
///
/// Layers *add* into `grad` in their backward pass; zeroing is a separate step
/// (`LanguageModel.zeroGradients()`), so several uses of one parameter accumulate.
public final class Parameter<T: BLASScalar>: @unchecked Sendable {
    /// Stable name used in checkpoints and reports, e.g. `embedding`, `cell.U`, `output.bias`.
    public let name: String
    public let value: Tensor<T>
    public let grad: Tensor<T>

    public init(name: String, value: Tensor<T>) {
        self.name = name
        self.value = value
        self.grad = Tensor(zeros: value.shape)
    }

    public convenience init(name: String, shape: [Int]) {
        self.init(name: name, value: Tensor(zeros: shape))
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }
}
