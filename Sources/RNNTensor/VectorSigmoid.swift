// VectorSigmoid: the logistic function σ(x) = 1 / (1 + e^−x) over Float SIMD vectors, for the
// gates of the LSTM and GRU cells.
//
// Uses the general vector exp of VectorExp.swift (relative error under 1 ulp), whose clamping
// keeps e^−x finite: σ saturates cleanly to 0 and 1. Relative error about 2e-7 over [-20, 20].
// Will not: handle Double (the cells use libm `exp` in Double).

@inline(__always)
func sigmoidVector(_ x: FloatVector) -> FloatVector {
    1 / (1 + expGeneral(-x))
}

/// y[i] = σ(x[i]) = 1 / (1 + e^−x[i]) for `i in 0..<count` (x and y may be the same buffer).
public func sigmoidFloat(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    let width = FloatVector.scalarCount
    var i = 0
    while i &+ width <= count {
        storeVector(sigmoidVector(loadVector(x + i)), y + i)
        i += width
    }
    if i < count {
        storePartialVector(sigmoidVector(loadPartialVector(x + i, count: count - i, padding: 0)), y + i, count: count - i)
    }
}
