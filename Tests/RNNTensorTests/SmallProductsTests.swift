// Small products on one BLAS thread: a product below `BLASRuntime.oneThreadBelow` runs with the
// BLAS on one thread and gives the thread count back; a larger one, or any with the limit 0,
// leaves it alone; the results agree with the products run on every thread.

import RNNTensor
import XCTest

final class SmallProductsTests: XCTestCase {
    private var savedLimit = 0
    private var savedThreads = 1

    override func setUp() {
        savedLimit = BLASRuntime.oneThreadBelow
        savedThreads = BLASRuntime.info().threads
        BLASRuntime.setThreads(2)
    }

    override func tearDown() {
        BLASRuntime.oneThreadBelow = savedLimit
        BLASRuntime.setThreads(savedThreads)
    }

    func testOnlyProductsBelowTheLimitRunOnOneThread() {
        BLASRuntime.oneThreadBelow = 1000
        let small = BLASRuntime.oneThreadForProduct(m: 9, n: 10, k: 11)     // 990 < 1000
        XCTAssertEqual(small, 2, "the thread count to give back")
        XCTAssertEqual(BLASRuntime.info().threads, 1, "one thread while the small product runs")
        if let small { BLASRuntime.restoreThreads(small) }
        XCTAssertEqual(BLASRuntime.info().threads, 2)
        XCTAssertNil(BLASRuntime.oneThreadForProduct(m: 10, n: 10, k: 10), "1000 is not below 1000")
        XCTAssertEqual(BLASRuntime.info().threads, 2)
        BLASRuntime.oneThreadBelow = 0
        XCTAssertNil(BLASRuntime.oneThreadForProduct(m: 1, n: 1, k: 1), "limit 0: never")
        BLASRuntime.oneThreadBelow = 1000
        BLASRuntime.setThreads(1)
        XCTAssertNil(BLASRuntime.oneThreadForProduct(m: 2, n: 2, k: 2), "already one thread: nothing to change")
    }

    func testGemmGivesTheThreadsBackAndTheSameProducts() {
        // An LSTM's recurrent step (20 × 800 × 200), below and above the limit.
        let a = Tensor<Float>(zeros: [20, 200]), b = Tensor<Float>(zeros: [800, 200])
        var rng = Xoshiro256(seed: 4)
        for i in 0..<a.count { a[i] = Float(rng.uniform(-1, 1)) }
        for i in 0..<b.count { b[i] = Float(rng.uniform(-1, 1)) }
        let one = Tensor<Float>(zeros: [20, 800]), all = Tensor<Float>(zeros: [20, 800])
        BLASRuntime.oneThreadBelow = 8_000_000
        gemm(a.matrix, b.matrix, transposeB: true, into: one.matrix)
        XCTAssertEqual(BLASRuntime.info().threads, 2, "the thread count is given back after the product")
        BLASRuntime.oneThreadBelow = 0
        gemm(a.matrix, b.matrix, transposeB: true, into: all.matrix)
        var worst: Float = 0
        for i in 0..<one.count { worst = max(worst, abs(one[i] - all[i]) / max(1, abs(all[i]))) }
        XCTAssertLessThan(worst, 1e-5)
    }
}
