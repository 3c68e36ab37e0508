// Tests of the fused softmax cross-entropy, softmaxNLL, rowLogSumExp and expInPlace against a
// naive Double reference, for Float and Double, on odd shapes, padded rows and extreme logits.
// The kernels' timings are `rnnlab bench --kernels`, not a test.

import Foundation
import RNNTensor
import XCTest

final class SoftmaxCrossEntropyTests: XCTestCase {
    // MARK: Reference

    /// Naive Double softmax cross-entropy of one row: (loss, probabilities).
    private func reference(_ row: [Double], target: Int) -> (loss: Double, p: [Double]) {
        let m = row.max()!
        let e = row.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        let p = e.map { $0 / s }
        return (-Foundation.log(p[target]), p)
    }

    /// A (rows, ld) buffer with logits in columns 0..<cols and a sentinel in the padding columns.
    private func makeLogits<T: SoftmaxScalar>(
        _: T.Type, rows: Int, cols: Int, ld: Int, spread: Double, seed: UInt64
    ) -> (values: [T], targets: [Int32]) {
        var rng = Xoshiro256(seed: seed)
        var values = [T](repeating: Self.sentinel(), count: rows * ld)
        var targets = [Int32]()
        for r in 0..<rows {
            for c in 0..<cols { values[r * ld + c] = T(Double.random(in: -spread...spread, using: &rng)) }
            targets.append(Int32(Int.random(in: 0..<cols, using: &rng)))
        }
        return (values, targets)
    }

    private static func sentinel<T: SoftmaxScalar>() -> T { T(12345.5) }

    private func row<T: SoftmaxScalar>(_ values: [T], _ r: Int, cols: Int, ld: Int) -> [Double] {
        (0..<cols).map { Double(values[r * ld + $0]) }
    }

    // MARK: Against the reference on odd shapes

    private func checkAgainstReference<T: SoftmaxScalar>(
        _: T.Type, rows: Int, cols: Int, ld: Int, threads: Int, lossTolerance: Double, gradTolerance: Double,
        spread: Double = 6
    ) {
        let (input, targets) = makeLogits(T.self, rows: rows, cols: cols, ld: ld, spread: spread, seed: UInt64(rows * 7919 + cols))
        let gradScale = T(0.75)
        var grads = input
        let loss = grads.withUnsafeMutableBufferPointer { g in
            targets.withUnsafeBufferPointer { t in
                softmaxCrossEntropyInPlace(g.baseAddress!, rows: rows, cols: cols, ld: ld,
                                           targets: t.baseAddress!, gradScale: gradScale, threads: threads)
            }
        }
        let nll = input.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { t in
                softmaxNLL(x.baseAddress!, rows: rows, cols: cols, ld: ld, targets: t.baseAddress!, threads: threads)
            }
        }
        var lse = [T](repeating: 0, count: rows)
        input.withUnsafeBufferPointer { x in
            rowLogSumExp(x.baseAddress!, rows: rows, cols: cols, ld: ld, into: &lse)
        }
        var expectedLoss = 0.0
        let label = "\(T.self) rows \(rows) cols \(cols) ld \(ld) threads \(threads)"
        for r in 0..<rows {
            let x = row(input, r, cols: cols, ld: ld)
            let (rowLoss, p) = reference(x, target: Int(targets[r]))
            expectedLoss += rowLoss
            let m = x.max()!
            let expectedLSE = m + Foundation.log(x.map { Foundation.exp($0 - m) }.reduce(0, +))
            XCTAssertEqual(Double(lse[r]), expectedLSE, accuracy: lossTolerance * max(1, abs(expectedLSE)), label)
            for c in 0..<cols {
                let expected = Double(gradScale) * (p[c] - (c == Int(targets[r]) ? 1 : 0))
                XCTAssertEqual(Double(grads[r * ld + c]), expected, accuracy: gradTolerance, "\(label) r \(r) c \(c)")
            }
            for c in cols..<ld {
                XCTAssertEqual(grads[r * ld + c], Self.sentinel(), "padding column \(c) touched, \(label)")
            }
        }
        XCTAssertEqual(loss, expectedLoss, accuracy: lossTolerance * max(1, expectedLoss), label)
        XCTAssertEqual(nll, expectedLoss, accuracy: lossTolerance * max(1, expectedLoss), label)
    }

    func testMatchesReferenceOnOddShapesFloat() {
        for rows in [1, 3, 17] {
            for cols in [1, 2, 7, 33, 1000] {
                for ld in [cols, cols + 5] {
                    for threads in [1, 2] {
                        checkAgainstReference(Float.self, rows: rows, cols: cols, ld: ld, threads: threads,
                                              lossTolerance: 2e-6, gradTolerance: 2e-7)
                    }
                }
            }
        }
    }

    func testMatchesReferenceOnOddShapesDouble() {
        for rows in [1, 3, 17] {
            for cols in [1, 2, 7, 33, 1000] {
                for ld in [cols, cols + 5] {
                    for threads in [1, 2] {
                        checkAgainstReference(Double.self, rows: rows, cols: cols, ld: ld, threads: threads,
                                              lossTolerance: 1e-12, gradTolerance: 1e-14)
                    }
                }
            }
        }
    }

    /// Large enough (37 × 2003) that threads = 2 really splits the rows.
    func testMatchesReferenceWhenSplitAcrossThreads() {
        checkAgainstReference(Float.self, rows: 37, cols: 2003, ld: 2011, threads: 2, lossTolerance: 2e-6, gradTolerance: 2e-7)
        checkAgainstReference(Double.self, rows: 37, cols: 2003, ld: 2011, threads: 2, lossTolerance: 1e-12, gradTolerance: 1e-14)
    }

    /// Logits spread over ±45, so many probabilities are tiny (down to e^−90, flushed to 0): the
    /// Float kernel's errors stay small in absolute terms.
    func testMatchesReferenceWithWideLogitSpread() {
        checkAgainstReference(Float.self, rows: 9, cols: 1001, ld: 1001, threads: 1, lossTolerance: 2e-6, gradTolerance: 2e-7, spread: 45)
        checkAgainstReference(Double.self, rows: 9, cols: 1001, ld: 1001, threads: 1, lossTolerance: 1e-12, gradTolerance: 1e-14, spread: 45)
    }

    // MARK: Determinism across runs and thread counts

    private func runInPlace<T: SoftmaxScalar>(_ input: [T], _ targets: [Int32], rows: Int, cols: Int, threads: Int) -> (Double, [T]) {
        var g = input
        let loss = g.withUnsafeMutableBufferPointer { g in
            softmaxCrossEntropyInPlace(g.baseAddress!, rows: rows, cols: cols, ld: cols, targets: targets,
                                       gradScale: T(1) / T(rows), threads: threads)
        }
        return (loss, g)
    }

    private func checkDeterministic<T: SoftmaxScalar>(_: T.Type) {
        let rows = 64, cols = 3001
        let (input, targets) = makeLogits(T.self, rows: rows, cols: cols, ld: cols, spread: 8, seed: 99)
        let (loss1, grad1) = runInPlace(input, targets, rows: rows, cols: cols, threads: 1)
        for threads in [1, 2, 3] {
            for _ in 0..<3 {
                let (loss, grad) = runInPlace(input, targets, rows: rows, cols: cols, threads: threads)
                XCTAssertEqual(loss.bitPattern, loss1.bitPattern, "\(T.self) threads \(threads)")
                XCTAssertTrue(grad == grad1, "\(T.self) threads \(threads): gradients differ")
            }
            let nll = softmaxNLL(input, rows: rows, cols: cols, ld: cols, targets: targets, threads: threads)
            let nll1 = softmaxNLL(input, rows: rows, cols: cols, ld: cols, targets: targets, threads: 1)
            XCTAssertEqual(nll.bitPattern, nll1.bitPattern, "\(T.self) NLL threads \(threads)")
        }
    }

    func testResultsAreIdenticalAcrossRunsAndThreadCounts() {
        checkDeterministic(Float.self)
        checkDeterministic(Double.self)
    }

    // MARK: Properties of the gradient and the loss

    private func checkGradientProperties<T: SoftmaxScalar>(_: T.Type, tolerance: Double, logTolerance: Double) {
        let rows = 5, cols = 777
        // Spread 1 keeps p_target ≳ 1e-4, so recovering it from g_target = (p_target − 1)/rows is accurate.
        let (input, targets) = makeLogits(T.self, rows: rows, cols: cols, ld: cols, spread: 1, seed: 5)
        let (loss, grad) = runInPlace(input, targets, rows: rows, cols: cols, threads: 1)
        // With gradScale = 1/rows: p = rows·g + onehot, and loss = −Σ log p_target.
        var minusSumLogP = 0.0
        for r in 0..<rows {
            var rowSum = 0.0
            for c in 0..<cols { rowSum += Double(grad[r * cols + c]) }
            XCTAssertEqual(rowSum, 0, accuracy: tolerance, "\(T.self) gradient row \(r) sum")
            let pTarget = Double(rows) * Double(grad[r * cols + Int(targets[r])]) + 1
            XCTAssertGreaterThan(pTarget, 0)
            minusSumLogP -= Foundation.log(pTarget)
            for c in 0..<cols where c != Int(targets[r]) {
                XCTAssertGreaterThanOrEqual(grad[r * cols + c], 0)
            }
        }
        XCTAssertEqual(loss, minusSumLogP, accuracy: logTolerance * loss, "\(T.self) loss vs −Σ log p")
    }

    func testGradientRowsSumToZeroAndLossIsMinusSumLogP() {
        // Float: g_target carries ~6e-8 absolute error, ~1e-4 relative on p_target ≈ 1/777.
        checkGradientProperties(Float.self, tolerance: 1e-6, logTolerance: 1e-4)
        checkGradientProperties(Double.self, tolerance: 1e-14, logTolerance: 1e-11)
    }

    /// Central differences of the Double loss match the analytic gradient (gradScale = 1).
    func testGradientMatchesFiniteDifferences() {
        let rows = 2, cols = 9
        let (input, targets) = makeLogits(Double.self, rows: rows, cols: cols, ld: cols, spread: 3, seed: 17)
        var grad = input
        _ = softmaxCrossEntropyInPlace(&grad, rows: rows, cols: cols, ld: cols, targets: targets, gradScale: 1.0)
        let h = 1e-5
        for i in 0..<(rows * cols) {
            var plus = input, minus = input
            plus[i] += h
            minus[i] -= h
            let numeric = (softmaxNLL(plus, rows: rows, cols: cols, ld: cols, targets: targets)
                - softmaxNLL(minus, rows: rows, cols: cols, ld: cols, targets: targets)) / (2 * h)
            XCTAssertEqual(grad[i], numeric, accuracy: 1e-8, "element \(i)")
        }
    }

    // MARK: Extreme logits

    private func checkExtremeRows<T: SoftmaxScalar>(_: T.Type, huge: T) {
        let cols = 37
        var rows: [[T]] = []
        rows.append((0..<cols).map { $0 % 2 == 0 ? T(1e4) : T(-1e4) })        // ±1e4
        rows.append([T](repeating: T(3.25), count: cols))                      // all equal
        rows.append((0..<cols).map { $0 == 20 ? huge : 0 })                     // one huge
        rows.append((0..<cols).map { $0 == 5 ? -huge : T(-1e4) })               // one hugely negative
        rows.append((0..<cols).map { $0 == 0 ? 0 : -T.infinity })               // −∞ elsewhere
        let targets: [Int32] = [1, 7, 20, 6, 0]
        let n = rows.count
        let flat = Array(rows.joined())
        var grad = flat
        let loss = softmaxCrossEntropyInPlace(&grad, rows: n, cols: cols, ld: cols, targets: targets, gradScale: T(1))
        XCTAssertTrue(loss.isFinite, "\(T.self) loss \(loss)")
        XCTAssertTrue(grad.allSatisfy { $0.isFinite }, "\(T.self) gradients not finite")
        // Row 0: the 19 entries at +1e4 share the mass; target 1 is at −1e4: loss ≈ 2e4 + log 19.
        // Row 1: uniform, log 37. Row 2: target is the huge one, 0. Row 3: 36 equal entries and one
        // at −huge, log 36. Row 4: 0.
        let logTerms: Double = Foundation.log(19.0) + Foundation.log(37.0) + Foundation.log(36.0)
        let expected: Double = 2e4 + logTerms
        XCTAssertEqual(loss, expected, accuracy: 1e-6 * expected)
        XCTAssertEqual(Double(grad[cols + 7]), 1.0 / 37 - 1, accuracy: 1e-6)
        XCTAssertEqual(Double(grad[2 * cols + 20]), 0, accuracy: 1e-6)
        XCTAssertEqual(Double(grad[2 * cols + 3]), 0, accuracy: 1e-30)
        let nll = softmaxNLL(flat, rows: n, cols: cols, ld: cols, targets: targets)
        XCTAssertEqual(nll, loss, accuracy: 1e-9 * expected)
        var lse = [T](repeating: 0, count: n)
        rowLogSumExp(flat, rows: n, cols: cols, ld: cols, into: &lse)
        XCTAssertEqual(Double(lse[1]), 3.25 + Foundation.log(37), accuracy: 1e-5)
        XCTAssertEqual(lse[2], huge)
        XCTAssertEqual(lse[4], 0)
    }

    func testExtremeLogitsGiveFiniteResults() {
        checkExtremeRows(Float.self, huge: 1e30)
        checkExtremeRows(Double.self, huge: 1e30)
    }

    func testRowLogSumExpOfAllNegativeInfinityIsNegativeInfinity() {
        let x: [Float] = [-.infinity, -.infinity, -.infinity]
        var out: [Float] = [0]
        rowLogSumExp(x, rows: 1, cols: 3, ld: 3, into: &out)
        XCTAssertEqual(out[0], -.infinity)
    }

    // MARK: expInPlace

    func testFloatExpAccuracySweep() {
        let count = 1_000_003  // not a multiple of the vector width, so the tail is exercised
        let lo: Float = -87, hi: Float = 88
        var x = (0..<count).map { lo + (hi - lo) * Float($0) / Float(count - 1) }
        let input = x
        expInPlace(&x, count: count)
        var maxRelative = 0.0
        for i in 0..<count {
            let exact = Foundation.exp(Double(input[i]))
            maxRelative = max(maxRelative, abs(Double(x[i]) - exact) / exact)
        }
        XCTAssertLessThan(maxRelative, 2e-7, "max relative error of Float exp over [-87, 88]")  // measured 8e-8
    }

    func testFloatExpSpecialValues() {
        var x: [Float] = [0, 1, -1, -.infinity, -200, -104.5, .infinity, 100, 88.8, .nan,
                          -87.5, -100, 88.7, 1e-30, -1e-30, 0.5, 2, -2, 10, -10]
        let input = x
        expInPlace(&x, count: x.count)
        XCTAssertEqual(x[0], 1)
        XCTAssertEqual(Double(x[1]), Foundation.exp(1), accuracy: 3e-7 * Foundation.exp(1))
        XCTAssertEqual(x[3], 0)
        XCTAssertEqual(x[4], 0)
        XCTAssertEqual(x[5], 0)
        XCTAssertEqual(x[6], .infinity)
        XCTAssertEqual(x[7], .infinity)
        XCTAssertEqual(x[8], .infinity)
        XCTAssertTrue(x[9].isNaN)
        XCTAssertEqual(Double(x[10]), Foundation.exp(-87.5), accuracy: 1e-3 * Foundation.exp(-87.5))  // subnormal
        XCTAssertEqual(Double(x[11]), Foundation.exp(-100), accuracy: 1e-44)
        XCTAssertTrue(x[12].isFinite && x[12] > 3e38)
        for i in 13..<x.count {
            let exact = Foundation.exp(Double(input[i]))
            XCTAssertEqual(Double(x[i]), exact, accuracy: 3e-7 * exact, "exp(\(input[i]))")
        }
        // The count bound is respected.
        var y: [Float] = [1, 2, 3]
        expInPlace(&y, count: 2)
        XCTAssertEqual(y[2], 3)
    }

    func testDoubleExpIsLibmExp() {
        var x: [Double] = [-745.2, -50, -1, 0, 0.5, 1, 700, -.infinity]
        let input = x
        expInPlace(&x, count: x.count)
        for i in 0..<x.count { XCTAssertEqual(x[i], Foundation.exp(input[i])) }
    }
}
