// MatrixRef: a non-owning, row-major view of a matrix inside some storage, and the GEMM that
// works on such views. Views are how the model addresses one time step of a (T, B, H) buffer
// without copying.
//
// A view does not keep its storage alive: the owner (a `Tensor`) must outlive it. Views are
// created and used inside one function call; they are never stored across calls.

/// A row-major matrix view: `rows × cols` elements, consecutive rows `ld` elements apart.
public struct MatrixRef<Scalar: BLASScalar>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Scalar>
    public let rows: Int
    public let cols: Int
    /// Leading dimension: the distance in elements between the starts of two rows (≥ cols).
    public let ld: Int

    @inlinable
    public init(_ base: UnsafeMutablePointer<Scalar>, rows: Int, cols: Int, ld: Int? = nil) {
        let ld = ld ?? cols
        precondition(rows >= 0 && cols >= 0 && ld >= max(cols, 1), "MatrixRef: bad shape \(rows)×\(cols), ld \(ld)")
        self.base = base
        self.rows = rows
        self.cols = cols
        self.ld = ld
    }

    /// Rows `range` of this matrix, sharing its storage.
    @inlinable
    public func rows(_ range: Range<Int>) -> MatrixRef<Scalar> {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "MatrixRef: rows \(range) outside 0..<\(rows)")
        return MatrixRef(base + range.lowerBound * ld, rows: range.count, cols: cols, ld: ld)
    }

    /// Pointer to the start of row `r`.
    @inlinable
    public func row(_ r: Int) -> UnsafeMutablePointer<Scalar> {
        precondition(r >= 0 && r < rows, "MatrixRef: row \(r) outside 0..<\(rows)")
        return base + r * ld
    }

    @inlinable
    public subscript(r: Int, c: Int) -> Scalar {
        get { base[r * ld + c] }
        nonmutating set { base[r * ld + c] = newValue }
    }

    /// True when the rows are packed with no gap, so the view is one contiguous run of `rows·cols`.
    @inlinable
    public var isContiguous: Bool { ld == cols || rows <= 1 }
}

/// `C = alpha · op(A) · op(B) + beta · C` through the BLAS, for row-major views, where
/// `op(X)` is `Xᵀ` when `transposeX` is set.
///
/// `op(A)` must be (m, k), `op(B)` (k, n) and `C` (m, n); a mismatch is a programmer error.
/// With `beta = 1` the product is added into `C` (how gradients accumulate).
/// An empty product (m, n or k zero) leaves `C` scaled by `beta`, as the BLAS does.
@inlinable
public func gemm<Scalar: BLASScalar>(
    _ a: MatrixRef<Scalar>, transposeA: Bool = false,
    _ b: MatrixRef<Scalar>, transposeB: Bool = false,
    into c: MatrixRef<Scalar>, alpha: Scalar = 1, beta: Scalar = 0
) {
    let m = !transposeA ? a.rows : a.cols
    let k = !transposeA ? a.cols : a.rows
    let kb = !transposeB ? b.rows : b.cols
    let n = !transposeB ? b.cols : b.rows
    precondition(k == kb && c.rows == m && c.cols == n,
                 "gemm: op(A) is \(m)×\(k), op(B) is \(kb)×\(n), C is \(c.rows)×\(c.cols)")
    if m == 0 || n == 0 { return }
    if k == 0 {
        // BLAS implementations differ on k = 0; do what the definition says.
        for r in 0..<m {
            let row = c.row(r)
            for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
        }
        return
    }
    // Small products on one thread (see SmallProducts.swift); no closure, so nothing allocates.
    let restore = BLASRuntime.oneThreadForProduct(m: m, n: n, k: k)
    Scalar.blasGemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: a.base, lda: a.ld, b: b.base, ldb: b.ld,
                    beta: beta, c: c.base, ldc: c.ld)
    if let restore { BLASRuntime.restoreThreads(restore) }
}
