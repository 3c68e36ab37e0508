// Float's softmax row kernels: three passes over one row, by the vector kernels of
// _RNNVectorKernels (compiled for AVX-512, AVX2 and baseline x86-64, picked at load time).
//
//   pass 1  m = max(row)                       (reads the row from memory)
//   pass 2  row[i] = e^(row[i] − m), s = Σ     (row now in L1/L2: 10 000 Floats = 40 KB)
//   pass 3  row[i] *= gradScale / s            (still cached)
//
// Sums are kept in Float SIMD lanes (16 lanes × 2 accumulators; for V = 10 000 each lane adds
// ~300 terms ≤ 1, relative error ≲ 1e-5 at worst, ~1e-7 typically); losses are returned in Double.
// Will not: thread (the callers split rows), or check arguments (the public functions do).

import RealModule
import _RNNVectorKernels

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
        rnn_accumulate_f32(x, accumulator, count)
    }

    public static func _expInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        floatExpInPlace(x, count: count)
    }
}

/// The passes over one Float row, named for what they compute. `count >= 1` everywhere.
enum FloatRowKernels {
    /// Largest element (NaNs are not propagated reliably; a row with NaN gives NaN downstream anyway).
    @inline(__always)
    static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        rnn_row_max_f32(p, count)
    }

    /// Writes `e^(p[i] − shift)` back into `p` and returns their sum. Requires `shift >= max(p)`.
    @inline(__always)
    static func storeShiftedExpAndSum(_ p: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        rnn_store_shifted_exp_sum_f32(p, count, shift)
    }

    /// Σ e^(p[i] − shift) without writing anything. Requires `shift >= max(p)`.
    @inline(__always)
    static func shiftedExpSum(_ p: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
        rnn_shifted_exp_sum_f32(p, count, shift)
    }

    /// Largest `p[i] + b[i]`.
    @inline(__always)
    static func maximum(_ p: UnsafePointer<Float>, plus b: UnsafePointer<Float>, count: Int) -> Float {
        rnn_row_max_plus_f32(p, b, count)
    }

    /// Writes `e^(p[i] + b[i] − shift)` into `p` and returns their sum. Requires `shift >= max(p + b)`.
    @inline(__always)
    static func storeShiftedExpAndSum(_ p: UnsafeMutablePointer<Float>, plus b: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
        rnn_store_shifted_exp_sum_plus_f32(p, b, count, shift)
    }

    /// Σ e^(p[i] + b[i] − shift) without writing anything.
    @inline(__always)
    static func shiftedExpSum(_ p: UnsafePointer<Float>, plus b: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
        rnn_shifted_exp_sum_plus_f32(p, b, count, shift)
    }

    /// `p[i] *= factor`.
    @inline(__always)
    static func scale(_ p: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        rnn_scale_f32(p, count, factor)
    }
}
