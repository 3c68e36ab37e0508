// The Float vector kernels behind RNNTensor's exp, tanh and softmax rows, compiled once per
// instruction set (AVX-512, AVX2, baseline x86-64) and picked at load time by the CPU's features
// (see kernels.c). Every variant gives the same bits: the same operations in the same order, no
// fused multiply-add. Callers check arguments; these functions do not. `count >= 0` everywhere,
// `count >= 1` for the row maxima.
#ifndef RNN_VECTOR_KERNELS_H
#define RNN_VECTOR_KERNELS_H

#include <stddef.h>

/// x[i] = e^x[i] (x < −104 and −∞ give 0, x > 88.72 and +∞ give +∞, NaN stays NaN).
void rnn_exp_f32(float *x, ptrdiff_t count);

/// y[i] = tanh(x[i]); x and y may be the same buffer.
void rnn_tanh_f32(const float *x, float *y, ptrdiff_t count);

/// y[i] = σ(x[i]) = 1 / (1 + e^−x[i]); x and y may be the same buffer.
void rnn_sigmoid_f32(const float *x, float *y, ptrdiff_t count);

/// One LSTM row (H = hidden) in place: `gates` (4H) holds the pre-activations [i, f, g, o] and is
/// overwritten with [σ(i), σ(f), tanh(g), σ(o)]; then c = f ⊙ c_prev + i ⊙ g, tanh_c = tanh(c),
/// h = o ⊙ tanh_c (each H).
void rnn_lstm_step_row_f32(float *gates, const float *c_prev, float *c, float *tanh_c, float *h, ptrdiff_t hidden);

/// One GRU row (H = hidden) in place: `gates` (3H) holds a = W x + b_ih and is overwritten with
/// [r, z, n], r = σ(a_r + ĥ_r), z = σ(a_z + ĥ_z), n = tanh(a_n + r ⊙ ĥ_n), where `hidden_gates`
/// (3H) is ĥ = U h_prev + b_hh; then h = (1 − z) ⊙ n + z ⊙ h_prev (each H).
void rnn_gru_step_row_f32(float *gates, const float *hidden_gates, const float *h_prev, float *h, ptrdiff_t hidden);

/// accumulator[i] += x[i].
void rnn_accumulate_f32(const float *x, float *accumulator, ptrdiff_t count);

/// p[i] *= factor.
void rnn_scale_f32(float *p, ptrdiff_t count, float factor);

/// max(p[i]); NaNs are not propagated reliably.
float rnn_row_max_f32(const float *p, ptrdiff_t count);

/// max(p[i] + b[i]).
float rnn_row_max_plus_f32(const float *p, const float *b, ptrdiff_t count);

/// Writes e^(p[i] − shift) into p and returns their sum; needs shift >= max(p).
float rnn_store_shifted_exp_sum_f32(float *p, ptrdiff_t count, float shift);

/// Σ e^(p[i] − shift), writing nothing; needs shift >= max(p).
float rnn_shifted_exp_sum_f32(const float *p, ptrdiff_t count, float shift);

/// Writes e^(p[i] + b[i] − shift) into p and returns their sum; needs shift >= max(p + b).
float rnn_store_shifted_exp_sum_plus_f32(float *p, const float *b, ptrdiff_t count, float shift);

/// Σ e^(p[i] + b[i] − shift), writing nothing.
float rnn_shifted_exp_sum_plus_f32(const float *p, const float *b, ptrdiff_t count, float shift);

/// The instruction set the kernels run with on this CPU: "avx512f", "avx2" or "baseline".
const char *rnn_vector_kernels_isa(void);

#endif
