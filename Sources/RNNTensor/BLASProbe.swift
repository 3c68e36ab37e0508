// BLASProbe: how fast the BLAS in this process runs the products a language model spends its time
// in, as one number, so that two kernels (each loaded in a process of its own) can be compared.
//
// The shapes are those of a PTB chunk at E = H = 200, V = 10 000, T·B = 700 (an LSTM's four
// gates: 4H = 800): the output logits and the hidden gradient (the output layer's two big
// products), the input projection of all steps, and one step's recurrent product. The rate is the
// geometric mean over the shapes of the best of `repeats` timings, on one thread: the kernel,
// not the threading, is what differs between core types. Timings are of the thread's CPU time,
// not wall time, so that other processes on a busy machine do not decide the verdict.

import RealModule
#if canImport(Glibc)
import Glibc
#endif

/// A product of the probe: C (m, n) = op(A) (m, k) · op(B) (k, n).
public struct ProbeShape: Sendable, Equatable {
    public var name: String
    public var m: Int, n: Int, k: Int
    public var transposeB: Bool

    public init(name: String, m: Int, n: Int, k: Int, transposeB: Bool) {
        (self.name, self.m, self.n, self.k, self.transposeB) = (name, m, n, k, transposeB)
    }

    /// Floating-point operations of one product.
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

public enum BLASProbe {
    /// The model's products (PTB, E = H = 200, V = 10 000, T·B = 700, 4H = 800).
    public static let shapes: [ProbeShape] = [
        ProbeShape(name: "logits 700×10000×200", m: 700, n: 10_000, k: 200, transposeB: true),
        ProbeShape(name: "hidden gradient 700×200×10000", m: 700, n: 200, k: 10_000, transposeB: false),
        ProbeShape(name: "input projection 700×800×200", m: 700, n: 800, k: 200, transposeB: true),
        ProbeShape(name: "recurrent step 20×800×200", m: 20, n: 800, k: 200, transposeB: true),
    ]

    /// GFLOP/s of each shape (best of `repeats` timings of at least ~5 ms each), in `shapes` order.
    /// Runs the BLAS on one thread, and restores its thread count after.
    public static func rates(_ shapes: [ProbeShape] = shapes, repeats: Int = 3) -> [Double] {
        rates(shapes, repeats: repeats) { a, b, transposeB, c in gemm(a, b, transposeB: transposeB, into: c) }
    }

    /// As `rates(_:repeats:)`, with `product(a, b, transposeB, c)` computing c = a · op(b) — for
    /// measuring another library's sgemm (which then sets its own threads).
    public static func rates(_ shapes: [ProbeShape], repeats: Int,
                             product: (MatrixRef<Float>, MatrixRef<Float>, Bool, MatrixRef<Float>) -> Void) -> [Double] {
        let threads = BLASRuntime.info().threads
        BLASRuntime.setThreads(1)
        defer { BLASRuntime.setThreads(threads) }
        var rng = Xoshiro256(seed: 17)
        return shapes.map { s in
            let a = Tensor<Float>(zeros: [s.m, s.k])
            let b = s.transposeB ? Tensor<Float>(zeros: [s.n, s.k]) : Tensor<Float>(zeros: [s.k, s.n])
            let c = Tensor<Float>(zeros: [s.m, s.n])
            // Values in [-1, 1); which ones does not matter to the rate (no denormals, no zeros).
            for i in 0..<a.count { a[i] = Float(Int(truncatingIfNeeded: rng.next() >> 53) - 1024) / 1024 + 1 / 2048 }
            for i in 0..<b.count { b[i] = Float(Int(truncatingIfNeeded: rng.next() >> 53) - 1024) / 1024 + 1 / 2048 }
            product(a.matrix, b.matrix, s.transposeB, c.matrix)  // warm-up: pages, packing buffers
            // Enough products per timing that a timing lasts ~5 ms at 100 GFLOP/s.
            let inner = max(1, Int((5e8 / s.flops).rounded(.up)))
            var best = Double.infinity
            for _ in 0..<max(1, repeats) {
                let start = threadCPUSeconds()
                for _ in 0..<inner { product(a.matrix, b.matrix, s.transposeB, c.matrix) }
                best = min(best, (threadCPUSeconds() - start) / Double(inner))
            }
            return s.flops / best / 1e9
        }
    }

    /// CPU seconds the calling thread has run.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// The geometric mean of `rates`.
    public static func geometricMean(_ rates: [Double]) -> Double {
        precondition(!rates.isEmpty && rates.allSatisfy { $0 > 0 }, "BLASProbe.geometricMean: rates must be positive")
        return Double.exp(rates.map { Double.log($0) }.reduce(0, +) / Double(rates.count))
    }
}
