// VectorExp: the public `expInPlace`. Float runs the vector kernel `rnn_exp_f32` of
// _RNNVectorKernels (Cephes-style polynomial, compiled for AVX-512, AVX2 and baseline x86-64 and
// picked at load time; method and error stated in Sources/_RNNVectorKernels/kernels.c).
// Will not: handle Double here (Double uses libm `exp`, see SoftmaxScalar+Double.swift).

import _RNNVectorKernels

/// Replaces `x[i]` by e^`x[i]` for `i in 0..<count`.
///
/// Float: SIMD polynomial, max relative error 8e-8 (measured) over [-87, 88]; inputs below −104 and
/// −∞ give 0, inputs above 88.72 and +∞ give +∞, NaN stays NaN; results below 1.2e-38 are
/// subnormal (gradual underflow). Double: libm `exp` per element. `count == 0` does nothing.
public func expInPlace<T: SoftmaxScalar>(_ x: UnsafeMutablePointer<T>, count: Int) {
    precondition(count >= 0, "expInPlace: count must be non-negative, got \(count)")
    T._expInPlace(x, count: count)
}

/// The Float kernel behind `expInPlace`.
@inline(__always)
func floatExpInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    rnn_exp_f32(x, count)
}

/// The instruction set the Float vector kernels run with on this CPU: `avx512f`, `avx2` or
/// `baseline` (SSE2 on x86-64, NEON on arm64), for reports such as `rnnlab bench`.
public var vectorKernelInstructionSet: String {
    String(cString: rnn_vector_kernels_isa())
}
