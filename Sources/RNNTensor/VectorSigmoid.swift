// VectorSigmoid: the logistic function σ(x) = 1 / (1 + e^−x) over Float buffers, for the gates of
// the LSTM and GRU cells, by the vector kernel `rnn_sigmoid_f32` of _RNNVectorKernels (its exp
// clamps, so σ saturates cleanly to 0 and 1). Relative error about 2e-7 over [-20, 20].
// Will not: handle Double (the cells use libm `exp` in Double).

import _RNNVectorKernels

/// y[i] = σ(x[i]) = 1 / (1 + e^−x[i]) for `i in 0..<count` (x and y may be the same buffer).
public func sigmoidFloat(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    rnn_sigmoid_f32(x, y, count)
}
