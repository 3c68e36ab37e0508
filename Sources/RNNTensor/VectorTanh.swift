// VectorTanh: tanh over Float SIMD vectors (Cephes `tanhf`), for the recurrent cells' hot loop.
//
// |x| < 0.625: x + x³·P(x²), P Cephes' degree-4 minimax; otherwise 1 − 2/(e^{2|x|} + 1) with the
// sign of x, using the vector exp. Both branches are computed and blended per lane. Measured max
// error 1.2e-7 absolute / 2.4e-7 relative over [-10, 10] (tests). NaN propagates; ±∞ give ±1.
// Will not: handle Double (Double uses libm through `Real.tanh`).

/// Cephes tanhf polynomial for |x| < 0.625.
private enum TanhConstants {
    static let p0: Float = -5.70498872745e-3
    static let p1: Float = 2.06390887954e-2
    static let p2: Float = -5.37397155531e-2
    static let p3: Float = 1.33314422036e-1
    static let p4: Float = -3.33332819422e-1
    static let split: Float = 0.625
}

@inline(__always)
func tanhVector(_ x: FloatVector) -> FloatVector {
    typealias C = TanhConstants
    let z = x * x
    let small = ((((C.p0 * z + C.p1) * z + C.p2) * z + C.p3) * z + C.p4) * z * x + x
    let a = x.replacing(with: -x, where: x .< 0)
    let e = expGeneral(a + a)
    var large = 1 - 2 / (e + 1)
    large.replace(with: -large, where: x .< 0)
    var result = large
    result.replace(with: small, where: a .< C.split)
    // NaN lanes fail both comparisons above; make sure they stay NaN.
    result.replace(with: x, where: x .!= x)
    return result
}

/// y[i] = tanh(x[i]) for `i in 0..<count` (x and y may be the same buffer).
public func tanhFloat(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    let width = FloatVector.scalarCount
    var i = 0
    while i &+ width <= count {
        storeVector(tanhVector(loadVector(x + i)), y + i)
        i += width
    }
    if i < count {
        storePartialVector(tanhVector(loadPartialVector(x + i, count: count - i, padding: 0)), y + i, count: count - i)
    }
}
