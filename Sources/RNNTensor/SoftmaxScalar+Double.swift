// Double's softmax row kernels: plain scalar loops over libm `exp` (via RealModule).
//
// Double is the type of tests and reference computations, so accuracy matters more than speed.
// Will not: vectorise, thread (the callers split rows), or check arguments (the public functions do).

import RealModule

extension Double: SoftmaxScalar {
    public static func _softmaxCrossEntropyRow(
        _ row: UnsafeMutablePointer<Double>, cols: Int, target: Int, gradScale: Double
    ) -> Double {
        let rowMax = doubleRowMaximum(row, count: cols)
        let targetLogit = row[target]
        var sum = 0.0
        for i in 0..<cols {
            let e = Double.exp(row[i] - rowMax)
            row[i] = e
            sum += e
        }
        let factor = gradScale / sum
        for i in 0..<cols { row[i] *= factor }
        row[target] -= gradScale
        return Double.log(sum) + (rowMax - targetLogit)
    }

    public static func _logSumExpRow(_ row: UnsafePointer<Double>, cols: Int) -> (max: Double, logSum: Double) {
        let rowMax = doubleRowMaximum(row, count: cols)
        if rowMax == -.infinity { return (-.infinity, 0) }  // e^−∞ sums to 0: log-sum-exp is −∞
        var sum = 0.0
        for i in 0..<cols { sum += Double.exp(row[i] - rowMax) }
        return (rowMax, Double.log(sum))
    }

    public static func _softmaxCrossEntropyRow(
        _ row: UnsafeMutablePointer<Double>, bias: UnsafePointer<Double>, cols: Int, target: Int, gradScale: Double
    ) -> Double {
        for i in 0..<cols { row[i] += bias[i] }
        return _softmaxCrossEntropyRow(row, cols: cols, target: target, gradScale: gradScale)
    }

    public static func _logSumExpRow(_ row: UnsafePointer<Double>, bias: UnsafePointer<Double>, cols: Int) -> (max: Double, logSum: Double) {
        var rowMax = -Double.infinity
        for i in 0..<cols { rowMax = max(rowMax, row[i] + bias[i]) }
        if rowMax == -.infinity { return (-.infinity, 0) }
        var sum = 0.0
        for i in 0..<cols { sum += Double.exp(row[i] + bias[i] - rowMax) }
        return (rowMax, Double.log(sum))
    }

    public static func _accumulate(_ x: UnsafePointer<Double>, into accumulator: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { accumulator[i] += x[i] }
    }

    public static func _expInPlace(_ x: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { x[i] = Double.exp(x[i]) }
    }
}

/// Largest of `p[0..<count]`, `count >= 1`.
private func doubleRowMaximum(_ p: UnsafePointer<Double>, count: Int) -> Double {
    var m = p[0]
    for i in 1..<count where p[i] > m { m = p[i] }
    return m
}
