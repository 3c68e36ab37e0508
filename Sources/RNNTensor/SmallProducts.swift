// SmallProducts: products too small to be worth splitting over threads run on one.
//
// OpenBLAS 0.3.21 splits a GEMM over its threads once m·n·k reaches 262,144 (its own threshold:
// 65,536 × 4). A recurrent step of a PTB model is above it (20 × 800 × 200 = 3.2 M multiply-adds
// for an LSTM's gates) yet takes a few microseconds, so handing half of it to the other thread and
// waiting for it costs about what it saves: profiles of an LSTM evaluation had ~28 % of the
// samples with OpenBLAS's idle threads in `sched_yield`. A product with m·n·k below
// `BLASRuntime.oneThreadBelow` (8 M by default: every recurrent product of an E = H = 200 model,
// none of the chunk-wide ones) therefore runs with the BLAS on one thread for that call, and the
// thread count is given back after it. Measured in docs/performance.md ("Small products on one
// thread"): evaluation 2–5 % faster for the Elman, GRU and LSTM models, training within the noise.
//
// The environment variable RNNLAB_ONE_THREAD_BELOW, read once, replaces the default (0: never).
import CBLAS
#if canImport(Glibc)
import Glibc
#endif

extension BLASRuntime {
    /// The default of `oneThreadBelow`.
    public static let defaultOneThreadBelow = 8_000_000

    /// Products with fewer multiply-adds (m·n·k) than this run on one BLAS thread (0: none do).
    /// Set once by the process (the environment, or a test); read by every `gemm`.
    nonisolated(unsafe) public static var oneThreadBelow: Int = {
        guard let text = getenv("RNNLAB_ONE_THREAD_BELOW").map({ String(cString: $0) }) else { return defaultOneThreadBelow }
        return oneThreadBelow(parsing: text) ?? defaultOneThreadBelow
    }()

    /// The limit a RNNLAB_ONE_THREAD_BELOW value gives: an integer ≥ 0, else nil.
    public static func oneThreadBelow(parsing text: String) -> Int? {
        Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// For a product of m·n·k multiply-adds below `oneThreadBelow`, with the BLAS on more than one
    /// thread: sets it to one and returns the count to give back to `restoreThreads` after the
    /// product. Otherwise nil, and changes nothing.
    @inlinable
    public static func oneThreadForProduct(m: Int, n: Int, k: Int) -> Int32? {
        let limit = oneThreadBelow
        guard limit > 0, Double(m) * Double(n) * Double(k) < Double(limit) else { return nil }
        let threads = openblas_get_num_threads()
        guard threads > 1 else { return nil }
        openblas_set_num_threads(1)
        return threads
    }

    /// Gives the BLAS back the thread count `oneThreadForProduct` returned.
    @inlinable
    public static func restoreThreads(_ threads: Int32) {
        openblas_set_num_threads(threads)
    }
}
