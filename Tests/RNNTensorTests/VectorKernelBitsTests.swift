// The C vector kernels (_RNNVectorKernels) against a scalar Swift statement of the same arithmetic,
// bit for bit. Whichever clone the CPU runs (AVX-512, AVX2 or SSE2; under valgrind, AVX2), it must
// give these bits: that is what makes results independent of the machine's instruction set.
// Swift never fuses a multiply and an add, so the scalar code below is plain IEEE arithmetic.

import Foundation
import RNNTensor
import XCTest

/// The kernels' arithmetic on one lane, written once in scalar Swift.
private enum ScalarSpec {
    static func bits(_ x: Float) -> UInt32 { x.bitPattern }
    static func float(_ b: UInt32) -> Float { Float(bitPattern: b) }

    static func expGeneral(_ x: Float) -> Float {
        var x = x
        if x < -104 { x = -104 }
        if x > 89 { x = 89 }
        let t = x * 1.44269504088896341 + 12_582_912
        let n = t - 12_582_912
        let r = x - n * 0.693359375 - n * -2.12194440e-4
        let k = Int32(bitPattern: bits(t) &- 0x4B40_0000)
        let k1 = k >> 1, k2 = k &- k1
        let s1 = float(UInt32(bitPattern: k1 &+ 127) << 23), s2 = float(UInt32(bitPattern: k2 &+ 127) << 23)
        var y: Float = 1.9875691500e-4
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        return ((y * (r * r) + r + 1) * s1) * s2
    }

    static func expNonPositive(_ y: Float) -> Float {
        var z = y * 1.44269504088896341
        if z < -127 { z = -127 }
        let t = z + 12_583_039
        let f = z - (t - 12_583_039)
        var p = f * 0.0013202982 + 0.009674952
        p = p * f + 0.055510473
        p = p * f + 0.24022166
        p = p * f + 0.6931466
        p = p * f + 1
        return p * float(bits(t) << 23)
    }

    static func tanh(_ x: Float) -> Float {
        if x != x { return x }
        let z = x * x
        let small = ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z + -5.37397155531e-2) * z
                      + 1.33314422036e-1) * z + -3.33332819422e-1) * z * x + x
        let a = x < 0 ? -x : x
        var large = 1 - 2 / (expGeneral(a + a) + 1)
        if x < 0 { large = -large }
        return a < 0.625 ? small : large
    }

    /// Σ e^(p[i] − shift) as the kernel adds it: two 16-lane accumulators over pairs of vectors,
    /// one more vector into the first, the tail into the second, then lanes left to right from −0.
    static func shiftedExpSum(_ p: [Float], shift: Float) -> Float {
        var sum0 = [Float](repeating: 0, count: 16), sum1 = sum0
        var i = 0
        while i + 32 <= p.count {
            for l in 0..<16 { sum0[l] += expNonPositive(p[i + l] - shift); sum1[l] += expNonPositive(p[i + 16 + l] - shift) }
            i += 32
        }
        if i + 16 <= p.count {
            for l in 0..<16 { sum0[l] += expNonPositive(p[i + l] - shift) }
            i += 16
        }
        if i < p.count {
            for l in 0..<16 { sum1[l] += expNonPositive((i + l < p.count ? p[i + l] : -.infinity) - shift) }
        }
        var s: Float = -0.0
        for l in 0..<16 { s += sum0[l] + sum1[l] }
        return s
    }
}

final class VectorKernelBitsTests: XCTestCase {
    /// Inputs over the kernels' whole range, including both clamps, specials, and a ragged tail.
    func inputs() -> [Float] {
        var rng = Xoshiro256(seed: 7)
        var xs = (0..<4099).map { _ in Float.random(in: -110...95, using: &rng) }
        xs += (0..<2000).map { _ in Float.random(in: -2...2, using: &rng) }
        xs += [0, -0, 0.625, -0.625, 88.72, 89, -104, -103.97, 1e-30, -1e-30, .infinity, -.infinity,
               .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        return xs
    }

    func assertSameBits(_ got: [Float], _ want: [Float], _ what: String, _ input: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count)
        var mismatches = 0
        for i in 0..<got.count where got[i].bitPattern != want[i].bitPattern && !(got[i].isNaN && want[i].isNaN) {
            if mismatches < 5 { XCTFail("\(what)(\(input[i])) = \(got[i]), the scalar statement gives \(want[i])", file: file, line: line) }
            mismatches += 1
        }
        XCTAssertEqual(mismatches, 0, "\(what): \(mismatches) of \(got.count) lanes differ", file: file, line: line)
    }

    func testExpGivesTheScalarStatementsBits() {
        let xs = inputs()
        var ys = xs
        expInPlace(&ys, count: ys.count)
        assertSameBits(ys, xs.map(ScalarSpec.expGeneral), "exp", xs)
    }

    func testTanhGivesTheScalarStatementsBits() {
        let xs = inputs() + [.nan]
        var ys = [Float](repeating: 0, count: xs.count)
        tanhFloat(xs, &ys, count: xs.count)
        assertSameBits(ys, xs.map(ScalarSpec.tanh), "tanh", xs)
    }

    func testSoftmaxRowGivesTheScalarStatementsBits() {
        var rng = Xoshiro256(seed: 11)
        for cols in [1, 15, 16, 17, 33, 48, 1000, 10_007] {
            let row = (0..<cols).map { _ in Float.random(in: -20...20, using: &rng) }
            let target = cols / 2
            let gradScale: Float = 0.25
            var got = row
            _ = softmaxCrossEntropyInPlace(&got, rows: 1, cols: cols, ld: cols, targets: [Int32(target)], gradScale: gradScale)
            let m = row.max()!
            let sum = ScalarSpec.shiftedExpSum(row, shift: m)
            let factor = gradScale / sum
            var want = row.map { ScalarSpec.expNonPositive($0 - m) * factor }
            want[target] -= gradScale
            assertSameBits(got, want, "softmax row of \(cols)", row)
        }
    }
}
