// Float's softmax row kernels: three passes over one row, all SIMD (see VectorExp.swift).
//
//   pass 1  m = max(row)                       (reads the row from memory)
//   pass 2  row[i] = e^(row[i] − m), s = Σ     (row now in L1/L2: 10 000 Floats = 40 KB)
//   pass 3  row[i] *= gradScale / s            (still cached)
//
// Sums are kept in Float SIMD lanes (16 lanes × 2 accumulators; for V = 10 000 each lane adds
// ~300 terms ≤ 1, relative error ≲ 1e-5 at worst, ~1e-7 typically); losses are returned in Double.
// Will not: thread (the callers split rows), or check arguments (the public functions do).

import RealModule

extension Float: SoftmaxScalar {
    public static func _softmaxCrossEntropyRow(
        _ row: UnsafeMutablePointer<Float>, cols: Int, target: Int, gradScale: Float
    ) -> Double {
        let rowMax = FloatRowKernels.maximum(row, count: cols)
        let targetLogit = row[target]
        let sum = FloatRowKernels.storeShiftedExpAndSum(row, count: cols, shift: rowMax)
        FloatRowKernels.scale(row, count: cols, by: gradScale / sum)
        row[target] -= gradScale
        // −log p_t = log Σ e^(x−m) − (x_t − m); m − x_t is exact in Double.
        return Double.log(Double(sum)) + (Double(rowMax) - Double(targetLogit))
    }

    public static func _logSumExpRow(_ row: UnsafePointer<Float>, cols: Int) -> (max: Double, logSum: Double) {
        let rowMax = FloatRowKernels.maximum(row, count: cols)
        if rowMax == -.infinity { return (-.infinity, 0) }  // e^−∞ sums to 0: log-sum-exp is −∞
        let sum = FloatRowKernels.shiftedExpSum(row, count: cols, shift: rowMax)
        return (Double(rowMax), Double.log(Double(sum)))
    }

    public static func _softmaxCrossEntropyRow(
        _ row: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, cols: Int, target: Int, gradScale: Float
    ) -> Double {
        let rowMax = FloatRowKernels.maximum(row, plus: bias, count: cols)
        let targetLogit = row[target] + bias[target]
        let sum = FloatRowKernels.storeShiftedExpAndSum(row, plus: bias, count: cols, shift: rowMax)
        FloatRowKernels.scale(row, count: cols, by: gradScale / sum)
        row[target] -= gradScale
        return Double.log(Double(sum)) + (Double(rowMax) - Double(targetLogit))
    }

    public static func _logSumExpRow(_ row: UnsafePointer<Float>, bias: UnsafePointer<Float>, cols: Int) -> (max: Double, logSum: Double) {
        let rowMax = FloatRowKernels.maximum(row, plus: bias, count: cols)
        if rowMax == -.infinity { return (-.infinity, 0) }
        let sum = FloatRowKernels.shiftedExpSum(row, plus: bias, count: cols, shift: rowMax)
        return (Double(rowMax), Double.log(Double(sum)))
    }

    public static func _accumulate(_ x: UnsafePointer<Float>, into accumulator: UnsafeMutablePointer<Float>, count: Int) {
        let width = FloatVector.scalarCount
        var i = 0
        while i &+ width <= count {
            storeVector(loadVector(accumulator + i) + loadVector(x + i), accumulator + i)
            i &+= width
        }
        while i < count {
            accumulator[i] += x[i]
            i += 1
        }
    }

    public static func _expInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        floatExpInPlace(x, count: count)
    }
}

/// The SIMD passes over one Float row. `count >= 1` everywhere.
enum FloatRowKernels {
    /// Largest element (NaNs are not propagated reliably; a row with NaN gives NaN downstream anyway).
    static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        let width = FloatVector.scalarCount
        var m0 = FloatVector(repeating: -.infinity)
        var m1 = m0
        var i = 0
        while i &+ 2 &* width <= count {
            let a = loadVector(p + i), b = loadVector(p + (i &+ width))
            m0 = m0.replacing(with: a, where: m0 .< a)
            m1 = m1.replacing(with: b, where: m1 .< b)
            i &+= 2 &* width
        }
        if i &+ width <= count {
            let a = loadVector(p + i)
            m0 = m0.replacing(with: a, where: m0 .< a)
            i &+= width
        }
        if i < count {
            let a = loadPartialVector(p + i, count: count - i, padding: -.infinity)
            m1 = m1.replacing(with: a, where: m1 .< a)
        }
        m0 = m0.replacing(with: m1, where: m0 .< m1)
        return m0.max()
    }

    /// Writes `e^(p[i] − shift)` back into `p` and returns their sum. Requires `shift >= max(p)`.
    static func storeShiftedExpAndSum(_ p: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        let width = FloatVector.scalarCount
        let s = FloatVector(repeating: shift)
        var sum0 = FloatVector.zero
        var sum1 = FloatVector.zero
        var i = 0
        while i &+ 2 &* width <= count {
            let e0 = expNonPositive(loadVector(p + i) - s)
            let e1 = expNonPositive(loadVector(p + (i &+ width)) - s)
            storeVector(e0, p + i)
            storeVector(e1, p + (i &+ width))
            sum0 += e0
            sum1 += e1
            i &+= 2 &* width
        }
        if i &+ width <= count {
            let e0 = expNonPositive(loadVector(p + i) - s)
            storeVector(e0, p + i)
            sum0 += e0
            i &+= width
        }
        if i < count {
            // Padding −∞ gives e^(−∞) = 0, so the spare lanes add nothing.
            let e1 = expNonPositive(loadPartialVector(p + i, count: count - i, padding: -.infinity) - s)
            storePartialVector(e1, p + i, count: count - i)
            sum1 += e1
        }
        return (sum0 + sum1).sum()
    }

    /// Σ e^(p[i] − shift) without writing anything. Requires `shift >= max(p)`.
    static func shiftedExpSum(_ p: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
        let width = FloatVector.scalarCount
        let s = FloatVector(repeating: shift)
        var sum0 = FloatVector.zero
        var sum1 = FloatVector.zero
        var i = 0
        while i &+ 2 &* width <= count {
            sum0 += expNonPositive(loadVector(p + i) - s)
            sum1 += expNonPositive(loadVector(p + (i &+ width)) - s)
            i &+= 2 &* width
        }
        if i &+ width <= count {
            sum0 += expNonPositive(loadVector(p + i) - s)
            i &+= width
        }
        if i < count {
            sum1 += expNonPositive(loadPartialVector(p + i, count: count - i, padding: -.infinity) - s)
        }
        return (sum0 + sum1).sum()
    }

    /// Largest `p[i] + b[i]`.
    static func maximum(_ p: UnsafePointer<Float>, plus b: UnsafePointer<Float>, count: Int) -> Float {
        let width = FloatVector.scalarCount
        var m0 = FloatVector(repeating: -.infinity)
        var i = 0
        while i &+ width <= count {
            let a = loadVector(p + i) + loadVector(b + i)
            m0 = m0.replacing(with: a, where: m0 .< a)
            i &+= width
        }
        var m = m0.max()
        while i < count {
            m = Swift.max(m, p[i] + b[i])
            i += 1
        }
        return m
    }

    /// Writes `e^(p[i] + b[i] − shift)` into `p` and returns their sum. Requires `shift >= max(p + b)`.
    static func storeShiftedExpAndSum(_ p: UnsafeMutablePointer<Float>, plus b: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
        let width = FloatVector.scalarCount
        let s = FloatVector(repeating: shift)
        var sum0 = FloatVector.zero
        var i = 0
        while i &+ width <= count {
            let e0 = expNonPositive(loadVector(p + i) + loadVector(b + i) - s)
            storeVector(e0, p + i)
            sum0 += e0
            i &+= width
        }
        if i < count {
            var v = FloatVector(repeating: -.infinity)
            for k in 0..<(count - i) { v[k] = p[i + k] + b[i + k] }
            let e1 = expNonPositive(v - s)
            storePartialVector(e1, p + i, count: count - i)
            sum0 += e1
        }
        return sum0.sum()
    }

    /// Σ e^(p[i] + b[i] − shift) without writing anything.
    static func shiftedExpSum(_ p: UnsafePointer<Float>, plus b: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
        let width = FloatVector.scalarCount
        let s = FloatVector(repeating: shift)
        var sum0 = FloatVector.zero
        var i = 0
        while i &+ width <= count {
            sum0 += expNonPositive(loadVector(p + i) + loadVector(b + i) - s)
            i &+= width
        }
        if i < count {
            var v = FloatVector(repeating: -.infinity)
            for k in 0..<(count - i) { v[k] = p[i + k] + b[i + k] }
            sum0 += expNonPositive(v - s)
        }
        return sum0.sum()
    }

    /// `p[i] *= factor`.
    static func scale(_ p: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        let width = FloatVector.scalarCount
        let f = FloatVector(repeating: factor)
        var i = 0
        while i &+ width <= count {
            storeVector(loadVector(p + i) * f, p + i)
            i &+= width
        }
        while i < count {
            p[i] *= factor
            i += 1
        }
    }
}
