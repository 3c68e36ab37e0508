// GEMM wrappers against a naive reference: odd shapes, every transpose combination, leading
// dimensions larger than the row, alpha and beta, Float and Double.

import RNNTensor
import XCTest

final class GemmTests: XCTestCase {
    func naive<T: BLASScalar>(_ a: [T], _ ar: Int, _ ac: Int, _ ta: Bool,
                              _ b: [T], _ br: Int, _ bc: Int, _ tb: Bool,
                              _ c: [T], alpha: T, beta: T) -> [T] {
        let m = ta ? ac : ar, k = ta ? ar : ac, n = tb ? br : bc
        var out = c
        for i in 0..<m { for j in 0..<n {
            var s: T = 0
            for p in 0..<k {
                let x = ta ? a[p * ac + i] : a[i * ac + p]
                let y = tb ? b[j * bc + p] : b[p * bc + j]
                s += x * y
            }
            out[i * n + j] = alpha * s + beta * c[i * n + j]
        } }
        return out
    }

    func check<T: BLASScalar>(_: T.Type, tolerance: T) {
        var rng = Xoshiro256(seed: 1)
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 2, 9), (8, 13, 1), (31, 33, 29)] {
            for ta in [false, true] { for tb in [false, true] {
                let (ar, ac) = ta ? (k, m) : (m, k)
                let (br, bc) = tb ? (n, k) : (k, n)
                // Store A with a leading dimension 3 larger than its rows to test ld handling.
                let lda = ac + 3
                var aStore = [T](repeating: 99, count: ar * lda)
                var a = [T](repeating: 0, count: ar * ac)
                for i in 0..<ar { for j in 0..<ac { let v = T(rng.uniform(-1, 1)); a[i * ac + j] = v; aStore[i * lda + j] = v } }
                var b = (0..<(br * bc)).map { _ in T(rng.uniform(-1, 1)) }
                var c = (0..<(m * n)).map { _ in T(rng.uniform(-1, 1)) }
                let expected = naive(a, ar, ac, ta, b, br, bc, tb, c, alpha: 0.5, beta: -2)
                aStore.withUnsafeMutableBufferPointer { ap in b.withUnsafeMutableBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    gemm(MatrixRef(ap.baseAddress!, rows: ar, cols: ac, ld: lda), transposeA: ta,
                         MatrixRef(bp.baseAddress!, rows: br, cols: bc), transposeB: tb,
                         into: MatrixRef(cp.baseAddress!, rows: m, cols: n), alpha: 0.5, beta: -2)
                } } }
                for i in 0..<(m * n) {
                    XCTAssertEqual(c[i], expected[i], accuracy: tolerance, "\(T.self) m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb) at \(i)")
                }
            } }
        }
    }

    func testFloatGemmMatchesNaive() { check(Float.self, tolerance: 1e-4) }
    func testDoubleGemmMatchesNaive() { check(Double.self, tolerance: 1e-12) }

    func testEmptyInnerDimensionScalesC() {
        let c = Tensor<Double>(shape: [2, 2], values: [1, 2, 3, 4])
        let a = Tensor<Double>(zeros: [2, 0]), b = Tensor<Double>(zeros: [0, 2])
        gemm(MatrixRef(a.data, rows: 2, cols: 0, ld: 1), MatrixRef(b.data, rows: 0, cols: 2), into: c.matrix, beta: 2)
        XCTAssertEqual(c.array, [2, 4, 6, 8])
    }

    func testBLASReportsItself() {
        let info = BLASRuntime.info()
        XCTAssertTrue(info.library.hasPrefix("OpenBLAS"), info.library)
        XCTAssertFalse(info.kernel.isEmpty)
        XCTAssertGreaterThanOrEqual(info.threads, 1)
    }

    func testMisdetectedKernelIsCorrected() {
        let avx512: Set<String> = ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"]
        XCTAssertEqual(BLASRuntime.recommendedCoreType(kernel: "Prescott", cpuFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLASRuntime.recommendedCoreType(kernel: "Prescott", cpuFlags: ["avx2", "fma"]), "Haswell")
        XCTAssertNil(BLASRuntime.recommendedCoreType(kernel: "Prescott", cpuFlags: ["sse2"]))
        XCTAssertNil(BLASRuntime.recommendedCoreType(kernel: "SkylakeX", cpuFlags: avx512))
        XCTAssertNil(BLASRuntime.recommendedCoreType(kernel: "Cooperlake", cpuFlags: avx512))
    }

    func testGeneratorIsReproducibleAndRestorable() {
        var a = Xoshiro256(seed: 7), b = Xoshiro256(seed: 7)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var c = Xoshiro256(state: a.state)!
        XCTAssertEqual(a.next(), c.next())
        var d = Xoshiro256(seed: 7, stream: 1)
        var e = Xoshiro256(seed: 7)
        XCTAssertNotEqual(d.next(), e.next())
        XCTAssertNil(Xoshiro256(state: [0, 0, 0, 0]))
    }
}

final class VectorTanhTests: XCTestCase {
    func testTanhMatchesDoubleTanh() {
        var xs: [Float] = []
        var x: Float = -12
        while x <= 12 { xs.append(x); x += 0.0007 }
        xs += [0, -0, 1e-30, -1e-30, 0.625, -0.625, 0.62499, 50, -50, .infinity, -.infinity]
        var ys = [Float](repeating: 0, count: xs.count)
        tanhFloat(xs, &ys, count: xs.count)
        var worst = 0.0
        for (x, y) in zip(xs, ys) {
            let exact = Foundation.tanh(Double(x))
            worst = max(worst, abs(Double(y) - exact) / max(abs(exact), 1e-6))
        }
        XCTAssertLessThan(worst, 5e-7)
        var nan: [Float] = [.nan]
        tanhFloat(nan, &nan, count: 1)
        XCTAssertTrue(nan[0].isNaN)
    }
}

import Foundation

final class SoftmaxBiasTests: XCTestCase {
    /// Adding the bias in the kernel and summing the bias gradient there equals doing both apart.
    func check<T: BLASScalar>(_: T.Type, rows: Int, cols: Int, threads: Int, tolerance: Double) {
        var rng = Xoshiro256(seed: 3)
        let logits = (0..<(rows * cols)).map { _ in T(rng.uniform(-4, 4)) }
        let bias = (0..<cols).map { _ in T(rng.uniform(-2, 2)) }
        let targets = (0..<rows).map { _ in Int32(rng.next() % UInt64(cols)) }
        var fused = logits, separate = logits
        for r in 0..<rows { for j in 0..<cols { separate[r * cols + j] += bias[j] } }
        var fusedBiasGrad = [T](repeating: 1, count: cols)
        let lossFused = softmaxCrossEntropyInPlace(&fused, rows: rows, cols: cols, ld: cols, targets: targets,
                                                   gradScale: T(0.5), bias: bias, biasGradient: &fusedBiasGrad, threads: threads)
        let lossSeparate = softmaxCrossEntropyInPlace(&separate, rows: rows, cols: cols, ld: cols, targets: targets,
                                                      gradScale: T(0.5), threads: threads)
        XCTAssertEqual(lossFused, lossSeparate, accuracy: tolerance * abs(lossSeparate))
        for i in 0..<(rows * cols) { XCTAssertEqual(Double(fused[i]), Double(separate[i]), accuracy: tolerance) }
        for j in 0..<cols {
            var sum = 1.0
            for r in 0..<rows { sum += Double(separate[r * cols + j]) }
            XCTAssertEqual(Double(fusedBiasGrad[j]), sum, accuracy: tolerance * Double(rows), "column \(j)")
        }
        let nll = softmaxNLL(logits, rows: rows, cols: cols, ld: cols, targets: targets, bias: bias, threads: threads)
        XCTAssertEqual(nll, lossSeparate, accuracy: tolerance * abs(lossSeparate))
    }

    func testFusedBiasMatchesSeparateAddition() {
        check(Double.self, rows: 5, cols: 7, threads: 1, tolerance: 1e-12)
        check(Float.self, rows: 5, cols: 37, threads: 1, tolerance: 1e-5)
        check(Float.self, rows: 40, cols: 3001, threads: 2, tolerance: 1e-5)
        check(Double.self, rows: 40, cols: 3001, threads: 3, tolerance: 1e-12)
    }
}

final class BLASKernelCandidateTests: XCTestCase {
    func testAVX512KernelsAreMeasuredOnlyWhereTheLibraryChoseAnAVX2One() {
        let avx512: Set<String> = ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"]
        XCTAssertEqual(BLASRuntime.candidateCoreTypes(kernel: "Haswell", cpuFlags: avx512), ["SkylakeX"])
        XCTAssertEqual(BLASRuntime.candidateCoreTypes(kernel: "Zen", cpuFlags: avx512), ["SkylakeX"])
        XCTAssertEqual(BLASRuntime.candidateCoreTypes(kernel: "Haswell", cpuFlags: ["avx2", "fma", "avx512f"]), [],
                       "without bw, dq and vl the AVX-512 kernels crash")
        XCTAssertEqual(BLASRuntime.candidateCoreTypes(kernel: "SkylakeX", cpuFlags: avx512), [], "already AVX-512")
        XCTAssertEqual(BLASRuntime.candidateCoreTypes(kernel: "Cooperlake", cpuFlags: avx512), [])
        XCTAssertEqual(BLASRuntime.candidateCoreTypes(kernel: "Prescott", cpuFlags: avx512), [],
                       "a legacy kernel is corrected without measuring")
    }

    func testProbeRatesArePositiveAndTheirMeanIsGeometric() {
        let rates = BLASProbe.rates([ProbeShape(name: "small", m: 8, n: 16, k: 4, transposeB: true),
                                     ProbeShape(name: "small NN", m: 8, n: 16, k: 4, transposeB: false)], repeats: 1)
        XCTAssertEqual(rates.count, 2)
        XCTAssertTrue(rates.allSatisfy { $0 > 0 && $0.isFinite }, "\(rates)")
        XCTAssertEqual(BLASProbe.geometricMean([2, 8]), 4, accuracy: 1e-12)
        XCTAssertEqual(BLASProbe.geometricMean([5]), 5, accuracy: 1e-12)
    }
}
