// GateKernels: the pointwise part of one LSTM or GRU step for one stream, fused into one pass
// (the C kernels `rnn_lstm_step_row_f32` and `rnn_gru_step_row_f32` of _RNNVectorKernels, built
// for the CPU's widest vectors): gate nonlinearities, state update and output together, so that
// each element is loaded and stored once.
//
// Shapes (one row of a step): H = hidden size; LSTM gates (4H) in PyTorch's order [i, f, g, o],
// GRU gates (3H) in [r, z, n]. The cells (RNNModel) hold the reference scalar loops these mirror
// (used for Double) and document the equations.
// Will not: handle Double, or the backward pass (the cells' backward loops are scalar).

import _RNNVectorKernels

/// One LSTM row, in place: `gates` (4H) holds the pre-activations [a_i, a_f, a_g, a_o] and is
/// overwritten with [σ(a_i), σ(a_f), tanh(a_g), σ(a_o)]; then c = f ⊙ cPrev + i ⊙ g,
/// tanhC = tanh(c), h = o ⊙ tanhC (each H).
public func lstmStepRowFloat(gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                             tanhC: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>, hidden H: Int) {
    rnn_lstm_step_row_f32(gates, cPrev, c, tanhC, h, H)
}

/// One GRU row, in place: `gates` (3H) holds the input-side pre-activations a = W x + b_ih and is
/// overwritten with [r, z, n] where r = σ(a_r + ĥ_r), z = σ(a_z + ĥ_z), n = tanh(a_n + r ⊙ ĥ_n);
/// `hiddenGates` (3H) is ĥ = U h_{t-1} + b_hh; h = (1 − z) ⊙ n + z ⊙ hPrev (each H).
public func gruStepRowFloat(gates: UnsafeMutablePointer<Float>, hiddenGates: UnsafePointer<Float>, hPrev: UnsafePointer<Float>,
                            h: UnsafeMutablePointer<Float>, hidden H: Int) {
    rnn_gru_step_row_f32(gates, hiddenGates, hPrev, h, H)
}
