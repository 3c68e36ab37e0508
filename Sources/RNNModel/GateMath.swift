// GateMath: the elementwise σ and tanh the gated cells apply to their gate blocks, dispatched to
// the vector kernels in Float and to libm in Double (the precision the oracle checks).
//
// Internal to RNNModel: cells call these on one contiguous run of a row at a time.

import RNNTensor
import RealModule

/// y[i] = σ(x[i]) for i in 0..<count (x and y may alias).
@inline(__always)
func sigmoid<Scalar: BLASScalar>(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, count: Int) {
    if Scalar.self == Float.self {
        sigmoidFloat(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                     UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count)
    } else {
        let s = Sigmoid()
        for i in 0..<count { y[i] = s.value(x[i]) }
    }
}

/// y[i] = tanh(x[i]) for i in 0..<count (x and y may alias).
@inline(__always)
func tanh<Scalar: BLASScalar>(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, count: Int) {
    Tanh().apply(x, y, count: count)
}

/// Column sums of `m` (rows, cols) added into `into` (cols), through one GEMM with a row of ones.
@inline(__always)
func addColumnSums<Scalar: BLASScalar>(of m: MatrixRef<Scalar>, ones: UnsafeMutablePointer<Scalar>, into: Parameter<Scalar>) {
    gemm(MatrixRef(ones, rows: 1, cols: m.rows), m, into: into.grad.matrix, beta: 1)
}
