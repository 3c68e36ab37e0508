// BLASScalar: the element types rnnlab computes in (Float for training, Double for checks),
// each bound to its CBLAS routines (s* and d*).
//
// This file only forwards to CBLAS; shape checking lives in `gemm(_:_:_:_:into:alpha:beta:)`.
import CBLAS
import RealModule

/// A floating-point type with CBLAS routines: `Float` (sgemm, …) or `Double` (dgemm, …).
///
/// Numeric code in rnnlab is generic over this protocol so that the same model can be
/// trained in `Float` and checked against finite differences and PyTorch in `Double`.
public protocol BLASScalar: BinaryFloatingPoint, Real, SoftmaxScalar, Codable, Sendable
where Self.RawSignificand: FixedWidthInteger {
    /// Row-major `C = alpha · op(A) · op(B) + beta · C` with `op(A)` (m, k) and `op(B)` (k, n).
    static func blasGemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `y += alpha · x` over `n` contiguous elements.
    static func blasAxpy(n: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)

    /// `x · y` over `n` contiguous elements.
    static func blasDot(n: Int, x: UnsafePointer<Self>, y: UnsafePointer<Self>) -> Self

    /// `x *= alpha` over `n` contiguous elements.
    static func blasScal(n: Int, alpha: Self, x: UnsafeMutablePointer<Self>)

    /// Row-major `y = alpha · op(A) · x + beta · y` with A (m, n), contiguous x and y.
    static func blasGemv(trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                         x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)
}

extension Float: BLASScalar {
    @inlinable
    public static func blasGemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inlinable
    public static func blasAxpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }

    @inlinable
    public static func blasDot(n: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(Int32(n), x, 1, y, 1)
    }

    @inlinable
    public static func blasScal(n: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        cblas_sscal(Int32(n), alpha, x, 1)
    }

    @inlinable
    public static func blasGemv(trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
}

extension Double: BLASScalar {
    @inlinable
    public static func blasGemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inlinable
    public static func blasAxpy(n: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(Int32(n), alpha, x, 1, y, 1)
    }

    @inlinable
    public static func blasDot(n: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
        cblas_ddot(Int32(n), x, 1, y, 1)
    }

    @inlinable
    public static func blasScal(n: Int, alpha: Double, x: UnsafeMutablePointer<Double>) {
        cblas_dscal(Int32(n), alpha, x, 1)
    }

    @inlinable
    public static func blasGemv(trans: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                                x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
}
