// The orthogonal initializer (Saxe et al.): a square matrix Q has QᵀQ = I; a wide one has
// orthonormal rows (Q Qᵀ = I), a tall one orthonormal columns (QᵀQ = I); `gain` scales Q.
// Checked in Double, and in Float with a tolerance of a few Float roundings.

import RNNModel
import RNNTensor
import XCTest

final class OrthogonalInitializerTests: XCTestCase {
    /// The (k, k) Gram matrix of the rows (byRows) or the columns of row-major (rows, cols) `q`.
    private func gram(_ q: [Double], rows: Int, cols: Int, byRows: Bool) -> [Double] {
        let k = byRows ? rows : cols, n = byRows ? cols : rows
        func at(_ v: Int, _ i: Int) -> Double { byRows ? q[v * cols + i] : q[i * cols + v] }
        var g = [Double](repeating: 0, count: k * k)
        for a in 0..<k { for b in 0..<k { for i in 0..<n { g[a * k + b] += at(a, i) * at(b, i) } } }
        return g
    }

    private func check<T: BLASScalar>(_: T.Type, rows: Int, cols: Int, gain: Double, seed: UInt64, tolerance: Double,
                                      file: StaticString = #filePath, line: UInt = #line) {
        let t = Tensor<T>(zeros: [rows, cols])
        var rng = Xoshiro256(seed: seed)
        Initializer.orthogonal(gain: gain).fill(t, using: &rng)
        let q = (0..<t.count).map { Double(t[$0]) }
        // Rows are orthonormal when there are no more rows than columns; else the columns.
        let byRows = rows <= cols, k = byRows ? rows : cols
        let g = gram(q, rows: rows, cols: cols, byRows: byRows)
        var worst = 0.0
        for a in 0..<k { for b in 0..<k { worst = max(worst, abs(g[a * k + b] - (a == b ? gain * gain : 0))) } }
        XCTAssertLessThan(worst, tolerance, "\(T.self) \(rows)×\(cols) gain \(gain): |\(byRows ? "QQᵀ" : "QᵀQ") − gain²·I| = \(worst)",
                          file: file, line: line)
    }

    func testSquareIsOrthogonal() {
        for n in [1, 2, 5, 32] { check(Double.self, rows: n, cols: n, gain: 1, seed: UInt64(n), tolerance: 1e-12) }
    }

    func testWideHasOrthonormalRowsAndTallOrthonormalColumns() {
        check(Double.self, rows: 3, cols: 10, gain: 1, seed: 7, tolerance: 1e-12)
        check(Double.self, rows: 10, cols: 3, gain: 1, seed: 8, tolerance: 1e-12)
        check(Double.self, rows: 20, cols: 24, gain: 1, seed: 9, tolerance: 1e-12)
        check(Double.self, rows: 24, cols: 20, gain: 1, seed: 10, tolerance: 1e-12)
    }

    func testGainScalesTheMatrix() {
        check(Double.self, rows: 6, cols: 6, gain: 2, seed: 11, tolerance: 1e-11)
        check(Double.self, rows: 4, cols: 9, gain: 0.5, seed: 12, tolerance: 1e-12)
    }

    func testFloatIsOrthogonalToFloatPrecision() {
        check(Float.self, rows: 64, cols: 64, gain: 1, seed: 13, tolerance: 1e-5)
        check(Float.self, rows: 16, cols: 40, gain: 1, seed: 14, tolerance: 1e-5)
    }

    func testSquareQAlsoHasOrthonormalRows() {
        // For a square matrix QᵀQ = I implies Q Qᵀ = I; check the other product too.
        let t = Tensor<Double>(zeros: [7, 7])
        var rng = Xoshiro256(seed: 15)
        Initializer.orthogonal(gain: 1).fill(t, using: &rng)
        let q = t.array
        let g = gram(q, rows: 7, cols: 7, byRows: false)
        for a in 0..<7 { for b in 0..<7 { XCTAssertEqual(g[a * 7 + b], a == b ? 1 : 0, accuracy: 1e-12) } }
    }

    func testSameSeedSameMatrix() {
        let a = Tensor<Double>(zeros: [5, 8]), b = Tensor<Double>(zeros: [5, 8])
        var r1 = Xoshiro256(seed: 99), r2 = Xoshiro256(seed: 99)
        Initializer.orthogonal(gain: 1).fill(a, using: &r1)
        Initializer.orthogonal(gain: 1).fill(b, using: &r2)
        XCTAssertEqual(a.array, b.array)
    }
}
