// The clip norm's sum of squares and the SGD step for one parameter, row by row where the
// parameter records the rows a step touched (Parameter.touchedRows, TouchedRows).
//
// Exactness. Outside the touched rows the gradient is exactly zero, so visiting only the touched
// rows gives the bits the dense path gives, provided both do the same floating-point operations
// on the touched rows:
// - the norm of a row-tracked parameter is always summed row by row, a BLAS dot per row added in
//   Double in ascending row order, dense or sparse: an untouched row's dot is exactly 0 and
//   adding 0 to a sum leaves it unchanged (rows are visited in the same order). A single dot over
//   the whole (R, C) tensor would not do: BLAS kernels spread elements over vector lanes by their
//   position in the tensor, so the same row's squares would be grouped differently.
// - the SGD step of a row-tracked parameter is always an AXPY per row, dense or sparse: on an
//   untouched row it adds (−lr · scale) · 0 = −0 to each weight (lr · scale > 0), which leaves
//   every weight as it was (w + −0 = w, also for w = ±0). A single AXPY over the whole tensor would not do either:
//   OpenBLAS's AVX2 (Haswell, Zen) saxpy runs 16 elements at a time with FMA and the remainder
//   with a separate multiply and add, so a row's last C mod 16 elements round differently when
//   the row is a call of its own.
// Parameters without touched rows (cell weights, biases, an untied full softmax's weights) are
// summed and stepped whole, as before.
//
// Shapes: R, C = rows and columns of a row-tracked parameter.

import RNNModel
import RNNTensor

extension Parameter {
    /// Adds Σ g² over this parameter's gradient to `sum`: one BLAS dot in the parameter's
    /// precision, or, for a row-tracked parameter, one per row (only the touched ones, in
    /// ascending order), each added to `sum` in Double.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func addGradientSquares(to sum: inout Double) {
        let g = grad.data
        guard let touched = touchedRows else {
            sum += Double(Scalar.blasDot(n: count, x: g, y: g))
            return
        }
        let C = shape[1]
        if touched.isDense {
            for r in 0..<shape[0] {
                let row = g + r * C
                sum += Double(Scalar.blasDot(n: C, x: row, y: row))
            }
        } else {
            let rows = touched.ascendingRows()
            for i in 0..<rows.count {
                let row = g + Int(rows[i]) * C
                sum += Double(Scalar.blasDot(n: C, x: row, y: row))
            }
        }
    }

    /// value += alpha · grad: one AXPY, or, for a row-tracked parameter, one per row (only the
    /// touched ones).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func addScaledGradient(alpha: Scalar) {
        guard let touched = touchedRows else {
            Scalar.blasAxpy(n: count, alpha: alpha, x: grad.data, y: value.data)
            return
        }
        let C = shape[1], g = grad.data, w = value.data
        if touched.isDense {
            for r in 0..<shape[0] { Scalar.blasAxpy(n: C, alpha: alpha, x: g + r * C, y: w + r * C) }
        } else {
            let rows = touched.rows
            for i in 0..<rows.count {
                let offset = Int(rows[i]) * C
                Scalar.blasAxpy(n: C, alpha: alpha, x: g + offset, y: w + offset)
            }
        }
    }
}
