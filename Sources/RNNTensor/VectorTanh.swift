// VectorTanh: tanh over Float buffers for the recurrent cells' hot loop, by the vector kernel
// `rnn_tanh_f32` of _RNNVectorKernels (Cephes `tanhf`; method and error in its kernels.c).
// Measured max error 1.2e-7 absolute / 2.4e-7 relative over [-10, 10] (tests). NaN propagates;
// ±∞ give ±1.
// Will not: handle Double (Double uses libm through `Real.tanh`).

import _RNNVectorKernels

/// y[i] = tanh(x[i]) for `i in 0..<count` (x and y may be the same buffer).
public func tanhFloat(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    precondition(count >= 0, "tanhFloat: count must be non-negative, got \(count)")
    rnn_tanh_f32(x, y, count)
}
