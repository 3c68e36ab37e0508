// VectorExp: e^x over Float SIMD vectors (Cephes-style polynomial), and the public `expInPlace`.
//
// Method: n = round(x·log2 e) by the 1.5·2^23 "magic add" (no SSE4.1 `roundps` needed on the
// baseline x86-64 target), r = x − n·ln2 in two Cody–Waite pieces so |r| ≤ ln2/2, e^r ≈ 1 + r +
// r²·P(r) with Cephes' degree-5 minimax P, and 2^n built directly in the exponent bits. Only
// multiplies and adds (no FMA, which the default target lacks). Max relative error over
// [-87, 88] measured at 8.0e-8 (under 1 ulp). The softmax kernel `expNonPositive` trades the
// Cody–Waite step and two terms for speed; its error is stated on it.
// Will not: handle Double (Double uses libm `exp`), or set/depend on flush-to-zero modes.

import RealModule

/// The Float vector the kernels work in. 16 lanes = four SSE registers on the default target,
/// which gives enough independent work per loop trip to hide latencies (SIMD8 measured slower).
typealias FloatVector = SIMD16<Float>
/// Int32 lanes matching `FloatVector`, for exponent-bit manipulation.
typealias FloatBitsVector = SIMD16<Int32>

/// Constants of the Float exp approximation (Cephes `expf`).
enum FloatExpConstants {
    static let log2e: Float = 1.44269504088896341
    /// 1.5·2^23: adding it rounds a |value| < 2^22 to the nearest integer, kept in the low mantissa bits.
    static let roundingMagic: Float = 12_582_912
    /// ln 2 split so that n·ln2Hi is exact for |n| < 2^15.
    static let ln2Hi: Float = 0.693359375
    static let ln2Lo: Float = -2.12194440e-4
    static let p0: Float = 1.9875691500e-4
    static let p1: Float = 1.3981999507e-3
    static let p2: Float = 8.3334519073e-3
    static let p3: Float = 4.1665795894e-2
    static let p4: Float = 1.6666665459e-1
    static let p5: Float = 5.0000001201e-1
    /// Below this, exp(x) < 2^-150 and rounds to 0 (general kernel).
    static let generalLowerClamp: Float = -104
    /// Above this exp(x) overflows; clamping keeps the exponent arithmetic in range.
    static let generalUpperClamp: Float = 89
}

/// Degree-5 minimax (relative error 6.8e-8) coefficients of 2^f on [−1/2, 1/2], c0 = 1 exactly,
/// fitted by linear programming on a dense grid and rounded to Float.
enum FloatExp2Constants {
    static let c1: Float = 0.6931466
    static let c2: Float = 0.24022166
    static let c3: Float = 0.055510473
    static let c4: Float = 0.009674952
    static let c5: Float = 0.0013202982
    /// 1.5·2^23 + 127: after adding it, the low mantissa bits hold n + 127, the biased exponent of 2^n.
    static let biasedRoundingMagic: Float = 12_583_039
}

/// e^r for |r| ≲ 0.35 (the reduced argument): 1 + r + r²·P(r).
@inline(__always)
func expReducedPolynomial(_ r: FloatVector) -> FloatVector {
    typealias C = FloatExpConstants
    var y = FloatVector(repeating: C.p0)
    y = y * r + C.p1
    y = y * r + C.p2
    y = y * r + C.p3
    y = y * r + C.p4
    y = y * r + C.p5
    return y * (r * r) + r + 1
}

/// e^y for lanes y ≤ 0, the softmax exponential after subtracting the row max.
///
/// Cheaper than `expGeneral` (19 vector operations per 4 lanes instead of 27 on SSE): z = y·log2 e,
/// n = round(z), 2^(z−n) by a degree-5 minimax polynomial, no Cody–Waite step. Rounding z costs
/// a relative error of about |n|·6e-8 in a result that is below 2^n, so the *absolute* error —
/// what a softmax probability cares about — stays below 1e-7 for every lane; results ≥ 0.5 are
/// within about 2.5e-7 relative. y ≤ −88 and −∞ give exactly 0; NaN propagates; y > 0 is wrong.
@inline(__always)
func expNonPositive(_ y: FloatVector) -> FloatVector {
    typealias C = FloatExp2Constants
    var z = y * FloatExpConstants.log2e
    z = z.replacing(with: -127, where: z .< -127)  // n = −127 gives a scale factor of exactly 0
    let t = z + C.biasedRoundingMagic
    let f = z - (t - C.biasedRoundingMagic)  // in [−1/2, 1/2]
    var p = f * C.c5 + C.c4
    p = p * f + C.c3
    p = p * f + C.c2
    p = p * f + C.c1
    p = p * f + 1
    // t's bits are 0x4B400000 + n + 127; shifting by 23 drops the constant and leaves (n + 127) << 23.
    return p * unsafeBitCast(unsafeBitCast(t, to: FloatBitsVector.self) &<< 23, to: FloatVector.self)
}

/// e^x for any Float lanes: x < −104 and −∞ give 0, x > 88.72 and +∞ give +∞, NaN propagates.
/// 2^n is applied as two factors 2^(n>>1)·2^(n−n>>1) so n may range over [−150, 128].
@inline(__always)
func expGeneral(_ x: FloatVector) -> FloatVector {
    typealias C = FloatExpConstants
    var x = x.replacing(with: C.generalLowerClamp, where: x .< C.generalLowerClamp)
    x = x.replacing(with: C.generalUpperClamp, where: x .> C.generalUpperClamp)
    let t = x * C.log2e + C.roundingMagic
    let n = t - C.roundingMagic
    let r = x - n * C.ln2Hi - n * C.ln2Lo
    let k = unsafeBitCast(t, to: FloatBitsVector.self) &- 0x4B40_0000
    let k1 = k &>> 1
    let k2 = k &- k1
    let s1 = unsafeBitCast((k1 &+ 127) &<< 23, to: FloatVector.self)
    let s2 = unsafeBitCast((k2 &+ 127) &<< 23, to: FloatVector.self)
    return (expReducedPolynomial(r) * s1) * s2
}

// MARK: - Unaligned loads and stores, and partial (tail) vectors

@inline(__always)
func loadVector(_ p: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
}

@inline(__always)
func storeVector(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
}

/// The first `count` (< lane count) elements at `p`, remaining lanes set to `padding`.
@inline(__always)
func loadPartialVector(_ p: UnsafePointer<Float>, count: Int, padding: Float) -> FloatVector {
    var v = FloatVector(repeating: padding)
    for i in 0..<count { v[i] = p[i] }
    return v
}

/// Stores the first `count` lanes of `v` at `p`.
@inline(__always)
func storePartialVector(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { p[i] = v[i] }
}

// MARK: - Public entry point

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
func floatExpInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let width = FloatVector.scalarCount
    var i = 0
    while i &+ width <= count {
        storeVector(expGeneral(loadVector(x + i)), x + i)
        i += width
    }
    if i < count {
        let v = loadPartialVector(x + i, count: count - i, padding: 0)
        storePartialVector(expGeneral(v), x + i, count: count - i)
    }
}
