// SoftmaxScalar: the element types the softmax / cross-entropy kernels run on (Float, Double).
//
// The protocol's underscored requirements are the concrete, non-generic row kernels; the public
// generic entry points in SoftmaxCrossEntropy.swift only split rows across threads and call them.
// So the hot loops are always compiled for a concrete type in this module, whether or not a caller
// in another module gets the generic wrapper specialised. Callers use the public functions, not
// the underscored requirements. The lead's `BLASScalar` refines this protocol.
// Will not: hold any state, or promise more than Float and Double conformances.

import RealModule

/// A floating-point element type with fused softmax / cross-entropy row kernels.
///
/// Float runs a SIMD polynomial `exp` (see `VectorExp.swift`); Double uses libm's `exp` and is
/// meant for tests and reference computations.
public protocol SoftmaxScalar: Real, BinaryFloatingPoint, Sendable {
    /// Row kernel: `row[0..<cols]` becomes `gradScale * (softmax(row) - onehot(target))`.
    /// Returns `-log softmax(row)[target]` in Double. Requires `cols >= 1` and `0 <= target < cols`.
    static func _softmaxCrossEntropyRow(
        _ row: UnsafeMutablePointer<Self>, cols: Int, target: Int, gradScale: Self
    ) -> Double

    /// Row kernel: `(max, log Σ exp(row - max))` of `row[0..<cols]`, in Double, row unchanged.
    /// Requires `cols >= 1`.
    static func _logSumExpRow(_ row: UnsafePointer<Self>, cols: Int) -> (max: Double, logSum: Double)

    /// Row kernel with a bias: as `_softmaxCrossEntropyRow` for the logits `row + bias`, reading
    /// the bias as it goes (no separate pass to add it).
    static func _softmaxCrossEntropyRow(
        _ row: UnsafeMutablePointer<Self>, bias: UnsafePointer<Self>, cols: Int, target: Int, gradScale: Self
    ) -> Double

    /// Row kernel with a bias: `(max, log Σ exp(row + bias − max))`, row unchanged.
    static func _logSumExpRow(_ row: UnsafePointer<Self>, bias: UnsafePointer<Self>, cols: Int) -> (max: Double, logSum: Double)

    /// Vector kernel: `accumulator[i] += x[i]` for `i in 0..<count`.
    static func _accumulate(_ x: UnsafePointer<Self>, into accumulator: UnsafeMutablePointer<Self>, count: Int)

    /// Vector kernel: `x[i] = exp(x[i])` for `i in 0..<count`.
    static func _expInPlace(_ x: UnsafeMutablePointer<Self>, count: Int)
}
