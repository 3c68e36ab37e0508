// The Float vector kernels (exp, tanh, softmax row passes) with runtime dispatch on the CPU.
//
// Why C: SwiftPM refuses `unsafeFlags` such as `-target-cpu native` in a package that is used as
// a versioned dependency, and Swift has no per-function target attributes. Here every exported
// kernel carries `target_clones("avx512f", "avx2", "default")`: clang compiles it three times and
// the dynamic loader picks the best clone for the CPU once, through an ifunc. The 16-lane vectors
// are one AVX-512 register, two AVX2 registers or four SSE2 registers.
//
// Same bits on every CPU: contraction into FMA is off (`#pragma clang fp contract(off)`; AVX-512
// implies FMA), and each clone does the same IEEE operations in the same order, so results do not
// depend on which clone runs. The operations and their order are those of the Swift SIMD kernels
// these replace (horizontal sums left to right from −0, as `SIMD.sum()`), so the numbers are
// unchanged too. (valgrind 3.19 has no AVX-512, so under callgrind the AVX2 clone runs.)
//
// exp (Cephes expf): n = round(x·log2 e) by the 1.5·2^23 "magic add", r = x − n·ln2 in two
// Cody–Waite pieces, e^r ≈ 1 + r + r²·P(r) with Cephes' degree-5 minimax P, 2^n built in the
// exponent bits as two factors so n may range over [−150, 128]. Max relative error 8.0e-8 over
// [−87, 88]. The softmax exponential `exp_non_positive` (lanes ≤ 0, after subtracting the row max)
// skips Cody–Waite and uses a degree-5 minimax 2^f: absolute error below 1e-7 for every lane,
// results ≥ 0.5 within about 2.5e-7 relative; y ≤ −88 and −∞ give exactly 0.
// tanh (Cephes tanhf): x + x³·P(x²) for |x| < 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)); both
// computed and blended per lane. Max error 1.2e-7 absolute / 2.4e-7 relative on [−10, 10].
//
// Will not: handle Double (RNNTensor uses libm there), check arguments, thread, or depend on
// flush-to-zero modes.

#include "RNNVectorKernels.h"

#include <string.h>

#pragma clang fp contract(off)

#if defined(__x86_64__) && defined(__clang__) && defined(__ELF__)
#define RNN_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RNN_MULTIVERSION  // one build for the target's baseline (NEON on arm64)
#endif

#define LANES 16
typedef float vf __attribute__((ext_vector_type(LANES)));
typedef int vi __attribute__((ext_vector_type(LANES)));
typedef unsigned vu __attribute__((ext_vector_type(LANES)));
/// `vf` at any Float's address (loads and stores of rows).
typedef float vf_unaligned __attribute__((ext_vector_type(LANES), aligned(4), may_alias));

// Helpers take and give vectors through pointers or are macros: a 16-lane vector passed by value
// to a function compiled without AVX-512 would change the calling convention, which clang refuses
// even for inlined functions. After inlining the pointers vanish.
#define INLINE static inline __attribute__((always_inline))

// MARK: - Lanes: loads, stores, blends, reductions

#define LOAD(p) (*(const vf_unaligned *)(p))
#define STORE(v, p) (*(vf_unaligned *)(p) = (v))
/// Lanes of `a` where `mask` is set (all ones), of `b` elsewhere.
#define BLEND(mask, a, b) ((vf)(((vi)(a) & (mask)) | ((vi)(b) & ~(mask))))

/// The first `count` (< LANES) elements at `p`, the other lanes `padding`.
INLINE void load_partial(vf *v, const float *p, ptrdiff_t count, float padding) {
    float lanes[LANES];
    for (int i = 0; i < LANES; i++) lanes[i] = i < count ? p[i] : padding;
    *v = LOAD(lanes);
}

INLINE void store_partial(const vf *v, float *p, ptrdiff_t count) {
    float lanes[LANES];
    STORE(*v, lanes);
    for (ptrdiff_t i = 0; i < count; i++) p[i] = lanes[i];
}

/// dst[i] = f(src[i]) for i < count (f works on a vector in place): whole vectors, then the tail
/// through a vector padded with 0. A macro, so that `f` is inlined in every instruction-set clone.
#define MAP_LANES(f, src, dst, count)                                                  \
    do {                                                                               \
        ptrdiff_t i_ = 0;                                                              \
        for (; i_ + LANES <= (count); i_ += LANES) {                                   \
            vf v_ = LOAD((src) + i_);                                                  \
            f(&v_);                                                                    \
            STORE(v_, (dst) + i_);                                                     \
        }                                                                              \
        if (i_ < (count)) {                                                            \
            vf v_;                                                                     \
            load_partial(&v_, (src) + i_, (count) - i_, 0);                            \
            f(&v_);                                                                    \
            store_partial(&v_, (dst) + i_, (count) - i_);                              \
        }                                                                              \
    } while (0)

/// Σ lanes, left to right from −0 (the order of Swift's `SIMD.sum()`).
INLINE float lane_sum(const vf *v) {
    float lanes[LANES];
    STORE(*v, lanes);
    float sum = -0.0f;
    for (int i = 0; i < LANES; i++) sum += lanes[i];
    return sum;
}

/// Largest lane, left to right as Swift's `SIMD.max()` (`Float.maximum`: a quiet NaN loses).
INLINE float lane_max(const vf *v) {
    float lanes[LANES];
    STORE(*v, lanes);
    float m = lanes[0];
    for (int i = 0; i < LANES; i++) {
        float y = lanes[i];
        m = (m > y || y != y) ? m : y;
    }
    return m;
}

// MARK: - exp

enum { EXP_BIAS_BITS = 0x4B400000 };  // bits of 1.5·2^23

/// v = e^v for any lanes.
INLINE void exp_general(vf *v) {
    const float log2e = 1.44269504088896341f, magic = 12582912.0f;  // 1.5·2^23
    const float ln2_hi = 0.693359375f, ln2_lo = -2.12194440e-4f;
    vf x = *v;
    x = BLEND(x < -104.0f, (vf)-104.0f, x);  // below: e^x < 2^-150, rounds to 0
    x = BLEND(x > 89.0f, (vf)89.0f, x);      // above: overflows; keeps the exponent in range
    vf t = x * log2e + magic;
    vf n = t - magic;
    vf r = x - n * ln2_hi - n * ln2_lo;
    vi k = (vi)((vu)t - (vu)EXP_BIAS_BITS);
    vi k1 = k >> 1;
    vi k2 = (vi)((vu)k - (vu)k1);
    vf s1 = (vf)(((vu)k1 + 127u) << 23);
    vf s2 = (vf)(((vu)k2 + 127u) << 23);
    // e^r ≈ 1 + r + r²·P(r)
    vf y = (vf)1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    vf er = y * (r * r) + r + 1.0f;
    *v = (er * s1) * s2;
}

/// v = e^v for lanes v ≤ 0 (v > 0 is wrong).
INLINE void exp_non_positive(vf *v) {
    const float log2e = 1.44269504088896341f;
    const float biased_magic = 12583039.0f;  // 1.5·2^23 + 127: low bits of t hold n + 127
    vf z = *v * log2e;
    z = BLEND(z < -127.0f, (vf)-127.0f, z);  // n = −127 gives a scale of exactly 0
    vf t = z + biased_magic;
    vf f = z - (t - biased_magic);  // in [−1/2, 1/2]
    vf p = f * 0.0013202982f + 0.009674952f;
    p = p * f + 0.055510473f;
    p = p * f + 0.24022166f;
    p = p * f + 0.6931466f;
    p = p * f + 1.0f;
    *v = p * (vf)((vu)t << 23);  // (n + 127) << 23: the bits of 2^n
}

RNN_MULTIVERSION
void rnn_exp_f32(float *x, ptrdiff_t count) {
    MAP_LANES(exp_general, x, x, count);
}

// MARK: - tanh

/// v = tanh(v).
INLINE void tanh_lanes(vf *v) {
    vf x = *v;
    vf z = x * x;
    vf small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z + -5.37397155531e-2f) * z
                 + 1.33314422036e-1f) * z + -3.33332819422e-1f) * z * x + x;
    vi negative = x < 0.0f;
    vf a = BLEND(negative, -x, x);
    vf e = a + a;
    exp_general(&e);
    vf large = 1.0f - 2.0f / (e + 1.0f);
    large = BLEND(negative, -large, large);
    vf result = BLEND(a < 0.625f, small, large);
    *v = BLEND(x != x, x, result);  // NaN lanes fail both comparisons above: keep them NaN
}

RNN_MULTIVERSION
void rnn_tanh_f32(const float *x, float *y, ptrdiff_t count) {
    MAP_LANES(tanh_lanes, x, y, count);
}

// MARK: - sigmoid and the gated cells' steps

/// v = σ(v) = 1 / (1 + e^−v); exp_general's clamping keeps e^−v finite, so σ saturates to 0 and 1.
INLINE void sigmoid_lanes(vf *v) {
    vf e = -*v;
    exp_general(&e);
    *v = 1.0f / (1.0f + e);
}

RNN_MULTIVERSION
void rnn_sigmoid_f32(const float *x, float *y, ptrdiff_t count) {
    MAP_LANES(sigmoid_lanes, x, y, count);
}

/// `count` (≤ LANES) elements at `p` into `v` (padding 0), or a whole vector.
INLINE void load_n(vf *v, const float *p, ptrdiff_t count) {
    if (count == LANES) *v = LOAD(p); else load_partial(v, p, count, 0);
}

INLINE void store_n(const vf *v, float *p, ptrdiff_t count) {
    if (count == LANES) STORE(*v, p); else store_partial(v, p, count);
}

RNN_MULTIVERSION
void rnn_lstm_step_row_f32(float *gates, const float *c_prev, float *c, float *tanh_c, float *h, ptrdiff_t hidden) {
    const ptrdiff_t H = hidden;
    for (ptrdiff_t j = 0; j < H; j += LANES) {
        const ptrdiff_t n = H - j < LANES ? H - j : LANES;
        vf i, f, g, o, cp;
        load_n(&i, gates + j, n);
        load_n(&f, gates + H + j, n);
        load_n(&g, gates + 2 * H + j, n);
        load_n(&o, gates + 3 * H + j, n);
        load_n(&cp, c_prev + j, n);
        sigmoid_lanes(&i);
        sigmoid_lanes(&f);
        tanh_lanes(&g);
        sigmoid_lanes(&o);
        vf c_new = f * cp + i * g;
        vf t = c_new;
        tanh_lanes(&t);
        vf h_new = o * t;
        store_n(&i, gates + j, n);
        store_n(&f, gates + H + j, n);
        store_n(&g, gates + 2 * H + j, n);
        store_n(&o, gates + 3 * H + j, n);
        store_n(&c_new, c + j, n);
        store_n(&t, tanh_c + j, n);
        store_n(&h_new, h + j, n);
    }
}

RNN_MULTIVERSION
void rnn_gru_step_row_f32(float *gates, const float *hidden_gates, const float *h_prev, float *h, ptrdiff_t hidden) {
    const ptrdiff_t H = hidden;
    for (ptrdiff_t j = 0; j < H; j += LANES) {
        const ptrdiff_t n = H - j < LANES ? H - j : LANES;
        vf ar, az, an, hr, hz, hn, hp;
        load_n(&ar, gates + j, n);
        load_n(&az, gates + H + j, n);
        load_n(&an, gates + 2 * H + j, n);
        load_n(&hr, hidden_gates + j, n);
        load_n(&hz, hidden_gates + H + j, n);
        load_n(&hn, hidden_gates + 2 * H + j, n);
        load_n(&hp, h_prev + j, n);
        vf r = ar + hr, z = az + hz;
        sigmoid_lanes(&r);
        sigmoid_lanes(&z);
        vf g = an + r * hn;
        tanh_lanes(&g);
        vf h_new = (1.0f - z) * g + z * hp;
        store_n(&r, gates + j, n);
        store_n(&z, gates + H + j, n);
        store_n(&g, gates + 2 * H + j, n);
        store_n(&h_new, h + j, n);
    }
}

// MARK: - Element-wise

RNN_MULTIVERSION
void rnn_accumulate_f32(const float *x, float *accumulator, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + LANES <= count; i += LANES) STORE(LOAD(accumulator + i) + LOAD(x + i), accumulator + i);
    for (; i < count; i++) accumulator[i] += x[i];
}

RNN_MULTIVERSION
void rnn_scale_f32(float *p, ptrdiff_t count, float factor) {
    ptrdiff_t i = 0;
    for (; i + LANES <= count; i += LANES) STORE(LOAD(p + i) * factor, p + i);
    for (; i < count; i++) p[i] *= factor;
}

// MARK: - Softmax row passes (two accumulators where rows are read once, to hide latency)

RNN_MULTIVERSION
float rnn_row_max_f32(const float *p, ptrdiff_t count) {
    vf m0 = (vf)-__builtin_inff(), m1 = m0;
    ptrdiff_t i = 0;
    for (; i + 2 * LANES <= count; i += 2 * LANES) {
        vf a = LOAD(p + i), b = LOAD(p + i + LANES);
        m0 = BLEND(m0 < a, a, m0);
        m1 = BLEND(m1 < b, b, m1);
    }
    if (i + LANES <= count) {
        vf a = LOAD(p + i);
        m0 = BLEND(m0 < a, a, m0);
        i += LANES;
    }
    if (i < count) {
        vf a;
        load_partial(&a, p + i, count - i, -__builtin_inff());
        m1 = BLEND(m1 < a, a, m1);
    }
    m0 = BLEND(m0 < m1, m1, m0);
    return lane_max(&m0);
}

RNN_MULTIVERSION
float rnn_store_shifted_exp_sum_f32(float *p, ptrdiff_t count, float shift) {
    vf sum0 = (vf)0.0f, sum1 = (vf)0.0f;
    ptrdiff_t i = 0;
    for (; i + 2 * LANES <= count; i += 2 * LANES) {
        vf e0 = LOAD(p + i) - shift, e1 = LOAD(p + i + LANES) - shift;
        exp_non_positive(&e0);
        exp_non_positive(&e1);
        STORE(e0, p + i);
        STORE(e1, p + i + LANES);
        sum0 += e0;
        sum1 += e1;
    }
    if (i + LANES <= count) {
        vf e0 = LOAD(p + i) - shift;
        exp_non_positive(&e0);
        STORE(e0, p + i);
        sum0 += e0;
        i += LANES;
    }
    if (i < count) {  // padding −∞ gives e^−∞ = 0: the spare lanes add nothing
        vf e1;
        load_partial(&e1, p + i, count - i, -__builtin_inff());
        e1 -= shift;
        exp_non_positive(&e1);
        store_partial(&e1, p + i, count - i);
        sum1 += e1;
    }
    vf sum = sum0 + sum1;
    return lane_sum(&sum);
}

RNN_MULTIVERSION
float rnn_shifted_exp_sum_f32(const float *p, ptrdiff_t count, float shift) {
    vf sum0 = (vf)0.0f, sum1 = (vf)0.0f;
    ptrdiff_t i = 0;
    for (; i + 2 * LANES <= count; i += 2 * LANES) {
        vf e0 = LOAD(p + i) - shift, e1 = LOAD(p + i + LANES) - shift;
        exp_non_positive(&e0);
        exp_non_positive(&e1);
        sum0 += e0;
        sum1 += e1;
    }
    if (i + LANES <= count) {
        vf e0 = LOAD(p + i) - shift;
        exp_non_positive(&e0);
        sum0 += e0;
        i += LANES;
    }
    if (i < count) {
        vf e1;
        load_partial(&e1, p + i, count - i, -__builtin_inff());
        e1 -= shift;
        exp_non_positive(&e1);
        sum1 += e1;
    }
    vf sum = sum0 + sum1;
    return lane_sum(&sum);
}

RNN_MULTIVERSION
float rnn_row_max_plus_f32(const float *p, const float *b, ptrdiff_t count) {
    vf m0 = (vf)-__builtin_inff();
    ptrdiff_t i = 0;
    for (; i + LANES <= count; i += LANES) {
        vf a = LOAD(p + i) + LOAD(b + i);
        m0 = BLEND(m0 < a, a, m0);
    }
    float m = lane_max(&m0);
    for (; i < count; i++) {
        float y = p[i] + b[i];
        m = y >= m ? y : m;  // Swift.max(m, y)
    }
    return m;
}

/// The first `count` (< LANES) sums p[i] + b[i], the other lanes −∞.
INLINE void load_partial_plus(vf *v, const float *p, const float *b, ptrdiff_t count) {
    float lanes[LANES];
    for (int k = 0; k < LANES; k++) lanes[k] = k < count ? p[k] + b[k] : -__builtin_inff();
    *v = LOAD(lanes);
}

RNN_MULTIVERSION
float rnn_store_shifted_exp_sum_plus_f32(float *p, const float *b, ptrdiff_t count, float shift) {
    vf sum0 = (vf)0.0f;
    ptrdiff_t i = 0;
    for (; i + LANES <= count; i += LANES) {
        vf e0 = LOAD(p + i) + LOAD(b + i) - shift;
        exp_non_positive(&e0);
        STORE(e0, p + i);
        sum0 += e0;
    }
    if (i < count) {
        vf e1;
        load_partial_plus(&e1, p + i, b + i, count - i);
        e1 -= shift;
        exp_non_positive(&e1);
        store_partial(&e1, p + i, count - i);
        sum0 += e1;
    }
    return lane_sum(&sum0);
}

RNN_MULTIVERSION
float rnn_shifted_exp_sum_plus_f32(const float *p, const float *b, ptrdiff_t count, float shift) {
    vf sum0 = (vf)0.0f;
    ptrdiff_t i = 0;
    for (; i + LANES <= count; i += LANES) {
        vf e0 = LOAD(p + i) + LOAD(b + i) - shift;
        exp_non_positive(&e0);
        sum0 += e0;
    }
    if (i < count) {
        vf e1;
        load_partial_plus(&e1, p + i, b + i, count - i);
        e1 -= shift;
        exp_non_positive(&e1);
        sum0 += e1;
    }
    return lane_sum(&sum0);
}

// MARK: - Which clone runs

const char *rnn_vector_kernels_isa(void) {
#if defined(__x86_64__) && defined(__clang__) && defined(__ELF__)
    // The same order of preference as the ifunc resolver of `target_clones` above.
    if (__builtin_cpu_supports("avx512f")) return "avx512f";
    if (__builtin_cpu_supports("avx2")) return "avx2";
    return "baseline";
#else
    return "baseline";
#endif
}
