// OtherBLAS: another BLAS library's cblas_sgemm, loaded with dlopen, so that `rnnlab bench --blas`
// can measure it on the model's products beside the OpenBLAS rnnlab links (BLIS, which Debian
// packages as libblis-dev). rnnlab itself always computes with OpenBLAS: this is for measuring.

import Foundation
import RNNTensor
#if canImport(Glibc)
import Glibc
#endif

struct OtherBLAS {
    typealias Sgemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                      UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                      Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    let path: String
    let sgemm: Sgemm
    /// The kernel family the library chose (BLIS: its sub-configuration, e.g. "skx", "generic").
    let kernel: String

    /// Where Debian installs BLIS (the pthread build first: rnnlab's threads are pthreads).
    static let blisPaths = [
        "/usr/lib/x86_64-linux-gnu/blis-pthread/libblis.so.4",
        "/usr/lib/x86_64-linux-gnu/libblis.so.4",
        "/usr/lib/aarch64-linux-gnu/blis-pthread/libblis.so.4",
        "/usr/lib/aarch64-linux-gnu/libblis.so.4",
    ]

    /// The first installed BLIS, if any.
    static func installedBLIS() -> String? { blisPaths.first { FileManager.default.fileExists(atPath: $0) } }

    /// Loads `path`; nil when it cannot be loaded or has no cblas_sgemm.
    init?(path: String) {
        // RTLD_DEEPBIND: BLIS's cblas_sgemm calls its own sgemm_, not the one of the OpenBLAS this process links.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND), let symbol = dlsym(handle, "cblas_sgemm") else { return nil }
        self.path = path
        sgemm = unsafeBitCast(symbol, to: Sgemm.self)
        if let set = dlsym(handle, "bli_thread_set_num_threads") {
            unsafeBitCast(set, to: (@convention(c) (Int) -> Void).self)(1)
        }
        if let query = dlsym(handle, "bli_arch_query_id"), let name = dlsym(handle, "bli_arch_string") {
            let id = unsafeBitCast(query, to: (@convention(c) () -> Int32).self)()
            kernel = unsafeBitCast(name, to: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self)(id).map { String(cString: $0) } ?? "unknown"
        } else {
            kernel = "unknown"
        }
    }

    /// GFLOP/s on the probe's products, one thread.
    func rates(repeats: Int = 3) -> [Double] {
        BLASProbe.rates(BLASProbe.shapes, repeats: repeats) { a, b, transposeB, c in
            // Row-major (101); no transpose 111, transpose 112.
            sgemm(101, 111, transposeB ? 112 : 111, Int32(a.rows), Int32(c.cols), Int32(a.cols), 1,
                  a.base, Int32(a.ld), b.base, Int32(b.ld), 0, c.base, Int32(c.ld))
        }
    }
}
