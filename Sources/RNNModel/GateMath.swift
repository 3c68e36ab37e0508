// GateMath: small helpers shared by the cells: the scalar σ of the gated cells' reference loops
// (Double), the pointer view for their Float kernels (RNNTensor's GateKernels), column sums, and
// adding one matrix into another row by row.

import RNNTensor
import RealModule

/// σ(x) = 1 / (1 + e^−x), written so that neither branch overflows (as `Sigmoid`).
@inline(__always)
func logistic<Scalar: BLASScalar>(_ x: Scalar) -> Scalar {
    if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
    let e = Scalar.exp(x)
    return e / (1 + e)
}

/// The same storage seen as Float, for the Float kernels (callers check `Scalar.self == Float.self`).
@inline(__always)
func asFloat<Scalar: BLASScalar>(_ p: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

/// into += from, row by row ((B, cols) each; either may be strided).
@inline(__always)
func addRows<Scalar: BLASScalar>(_ from: MatrixRef<Scalar>, into: MatrixRef<Scalar>) {
    precondition(from.rows == into.rows && from.cols == into.cols, "addRows: \(from.rows)×\(from.cols) into \(into.rows)×\(into.cols)")
    for r in 0..<from.rows {
        let x = from.row(r), y = into.row(r)
        for j in 0..<from.cols { y[j] += x[j] }
    }
}

/// Column sums of `m` (rows, cols) added into `into` (cols), through one GEMM with a row of ones.
@inline(__always)
func addColumnSums<Scalar: BLASScalar>(of m: MatrixRef<Scalar>, ones: UnsafeMutablePointer<Scalar>, into: Parameter<Scalar>) {
    gemm(MatrixRef(ones, rows: 1, cols: m.rows), m, into: into.grad.matrix, beta: 1)
}
