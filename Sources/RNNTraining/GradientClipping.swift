// Global-norm gradient clipping with PyTorch's rule (torch.nn.utils.clip_grad_norm_).

import RNNModel
import RNNTensor

/// The global L2 norm of all gradients and the factor that clipping applies to them.
public struct ClipResult: Sendable, Equatable {
    /// ‖g‖₂ over every parameter's gradient, before clipping.
    public var norm: Double
    /// `clip / (norm + 1e-6)` when a clip is set and `norm > clip`, else 1.
    public var scale: Double
}

/// Computes the global gradient norm and the clipping scale, without touching the gradients:
/// the optimizer applies `scale` as it reads them (one pass instead of two).
///
/// - Parameter maxNorm: the clip threshold, or nil for no clipping.
public func clipScale<Scalar: BLASScalar>(_ parameters: [Parameter<Scalar>], maxNorm: Double?) -> ClipResult {
    var sumSquares = 0.0
    for i in 0..<parameters.count {   // by index: see `SGD.update`
        // BLAS dots in the parameter's precision (one per row, and only the touched rows, for a
        // parameter that records them: RowSparseGradients.swift), summed in Double.
        parameters[i].addGradientSquares(to: &sumSquares)
    }
    let norm = sumSquares.squareRoot()
    var scale = 1.0
    if let maxNorm, norm > maxNorm { scale = maxNorm / (norm + 1e-6) }
    return ClipResult(norm: norm, scale: scale)
}
