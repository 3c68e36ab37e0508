// GateMath: small helpers shared by the gated cells: the scalar σ of their reference loops
// (Double), the pointer view for their Float kernels (RNNTensor's GateKernels), column sums.

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

/// Column sums of `m` (rows, cols) added into `into` (cols), through one GEMM with a row of ones.
@inline(__always)
func addColumnSums<Scalar: BLASScalar>(of m: MatrixRef<Scalar>, ones: UnsafeMutablePointer<Scalar>, into: Parameter<Scalar>) {
    gemm(MatrixRef(ones, rows: 1, cols: m.rows), m, into: into.grad.matrix, beta: 1)
}
