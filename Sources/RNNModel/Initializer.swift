// Initializer: how a parameter's first values are drawn, from an injected generator.
//
// Shapes: a parameter is (rows, cols), a 1-D one counting as one row; a gated cell's weights are
// G blocks of H rows each (G·H, cols). Rules by role live in Initializer+Roles.swift.

import RNNTensor
import RealModule

/// A rule for the initial values of a parameter.
public enum Initializer: Sendable, Equatable, Codable {
    /// All zeros.
    case zeros
    /// Uniform in [−range, range].
    case uniform(range: Double)
    /// Normal with mean 0 and standard deviation `std`.
    case normal(std: Double)
    /// Glorot/Xavier uniform: U(±gain·√(6 / (fanIn + fanOut))) for a (fanOut, fanIn) matrix.
    case xavierUniform(gain: Double)
    /// A random (semi-)orthogonal matrix times `gain` (Saxe et al.); for square recurrent weights.
    case orthogonal(gain: Double)

    /// Fills `tensor` from `rng`. A 1-D tensor counts as one row for fan computations.
    public func fill<Scalar: BLASScalar>(_ tensor: Tensor<Scalar>, using rng: inout Xoshiro256) {
        let rows = tensor.shape.count >= 2 ? tensor.shape[0] : 1
        let cols = rows == 0 ? 0 : tensor.count / rows
        switch self {
        case .zeros:
            tensor.zero()
        case let .uniform(range):
            for i in 0..<tensor.count { tensor[i] = Scalar(rng.uniform(-range, range)) }
        case let .normal(std):
            for i in 0..<tensor.count { tensor[i] = Scalar(std * rng.normal()) }
        case let .xavierUniform(gain):
            let a = gain * (6.0 / Double(max(1, rows + cols))).squareRoot()
            for i in 0..<tensor.count { tensor[i] = Scalar(rng.uniform(-a, a)) }
        case let .orthogonal(gain):
            let q = Self.orthogonalMatrix(rows: rows, cols: cols, using: &rng)
            for i in 0..<tensor.count { tensor[i] = Scalar(gain * q[i]) }
        }
    }

    /// Fills `parameter`'s value from `rng`. For a gated parameter (`gates` not empty),
    /// `.orthogonal` draws one orthogonal (H, cols) matrix per gate block, so that each gate's
    /// recurrent weights are orthogonal on their own (a (4H, H) matrix cannot be as a whole);
    /// the other rules treat the parameter as one tensor.
    public func fill<Scalar: BLASScalar>(_ parameter: Parameter<Scalar>, using rng: inout Xoshiro256) {
        let tensor = parameter.value
        guard case let .orthogonal(gain) = self, parameter.gates.count > 1, tensor.shape.count == 2 else {
            fill(tensor, using: &rng)
            return
        }
        let blockRows = tensor.shape[0] / parameter.gates.count, cols = tensor.shape[1]
        for block in 0..<parameter.gates.count {
            let q = Self.orthogonalMatrix(rows: blockRows, cols: cols, using: &rng)
            let start = block * blockRows * cols
            for i in 0..<(blockRows * cols) { tensor[start + i] = Scalar(gain * q[i]) }
        }
    }

    /// A rows × cols matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols), from
    /// Gram–Schmidt on a Gaussian matrix, row-major.
    static func orthogonalMatrix(rows: Int, cols: Int, using rng: inout Xoshiro256) -> [Double] {
        let transpose = rows > cols
        let (n, m) = transpose ? (cols, rows) : (rows, cols)   // n vectors of length m, n ≤ m
        var a = (0..<(n * m)).map { _ in rng.normal() }
        for i in 0..<n {
            for _ in 0..<2 {   // re-orthogonalise once for accuracy
                for j in 0..<i {
                    var d = 0.0
                    for k in 0..<m { d += a[i * m + k] * a[j * m + k] }
                    for k in 0..<m { a[i * m + k] -= d * a[j * m + k] }
                }
            }
            var norm = 0.0
            for k in 0..<m { norm += a[i * m + k] * a[i * m + k] }
            norm = norm.squareRoot()
            for k in 0..<m { a[i * m + k] /= max(norm, 1e-300) }
        }
        if !transpose { return a }
        var t = [Double](repeating: 0, count: rows * cols)
        for i in 0..<n { for k in 0..<m { t[k * cols + i] = a[i * m + k] } }
        return t
    }
}
