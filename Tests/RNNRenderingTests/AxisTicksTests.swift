// Tests for AxisTicks: exact nice tick values, domains and labels on linear and log axes,
// including degenerate and huge ranges.

import XCTest
@testable import RNNRendering

final class AxisTicksTests: XCTestCase {
    func testLinearOneTwoFiveSteps() {
        let a = AxisTicks.linear(0.3, 9.7)
        XCTAssertEqual(a.values, [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(a.labels, ["0", "2", "4", "6", "8", "10"])
        XCTAssertEqual(a.domain, 0...10)

        let b = AxisTicks.linear(0, 1)
        XCTAssertEqual(b.values, [0, 0.2, 0.4, 0.6, 0.8, 1.0])  // exact literals, no 0.6000000000000001
        XCTAssertEqual(b.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])

        let c = AxisTicks.linear(-0.37, 0.12)
        XCTAssertEqual(c.values, [-0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2])
        XCTAssertEqual(c.labels, ["-0.4", "-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2"])
        XCTAssertEqual(c.domain, -0.4...0.2)

        let d = AxisTicks.linear(3.2, 6.9)
        XCTAssertEqual(d.values, [3, 4, 5, 6, 7])
    }

    func testLinearTokenCountsUseSISuffixes() {
        let a = AxisTicks.linear(0, 1_500_000)
        XCTAssertEqual(a.values, [0, 500_000, 1_000_000, 1_500_000])
        XCTAssertEqual(a.labels, ["0", "500k", "1M", "1.5M"])

        let b = AxisTicks.linear(0, 48_000)
        XCTAssertEqual(b.values, [0, 10_000, 20_000, 30_000, 40_000, 50_000])
        XCTAssertEqual(b.labels, ["0", "10k", "20k", "30k", "40k", "50k"])

        let c = AxisTicks.linear(0, 7000)
        XCTAssertEqual(c.labels, ["0", "2000", "4000", "6000", "8000"])
    }

    func testLinearEqualEndsAreWidened() {
        let a = AxisTicks.linear(5, 5)
        XCTAssertEqual(a.values, [4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6])
        XCTAssertEqual(a.domain, 4.4...5.6)
        let z = AxisTicks.linear(0, 0)
        XCTAssertEqual(z.domain, -1...1)
        XCTAssertTrue(z.values.contains(0))
    }

    func testLinearWithoutExtensionKeepsDomain() {
        let a = AxisTicks.linear(0.3, 9.7, extendToTicks: false)
        XCTAssertEqual(a.domain, 0.3...9.7)
        XCTAssertEqual(a.values, [2, 4, 6, 8])
    }

    func testLinearHugeRangeStaysFinite() {
        let a = AxisTicks.linear(-1.7e308, 1.7e308)
        XCTAssertEqual(a.domain, -1.7e308...1.7e308)
        XCTAssertEqual(a.values.count, 3)
        XCTAssertTrue(a.values.allSatisfy(\.isFinite))
        XCTAssertEqual(a.labels, ["-1e308", "0", "1e308"])

        let tiny = AxisTicks.linear(1e-9, 5e-9)
        XCTAssertEqual(tiny.labels.first, "1e-9")
        XCTAssertTrue(tiny.values.allSatisfy { $0.isFinite })
    }

    func testLogSmallRangeUsesOneTwoFive() {
        let a = AxisTicks.logarithmic(150, 900)
        XCTAssertEqual(a.values, [100, 200, 500, 1000])
        XCTAssertEqual(a.labels, ["100", "200", "500", "1k"])
        XCTAssertEqual(a.domain, 100...1000)

        let b = AxisTicks.logarithmic(2, 30)
        XCTAssertEqual(b.values, [2, 5, 10, 20, 50])
        XCTAssertEqual(b.domain, 2...50)

        let p = AxisTicks.logarithmic(140, 12_000)
        XCTAssertEqual(p.labels, ["100", "200", "500", "1k", "2k", "5k", "10k", "20k"])
        XCTAssertEqual(p.domain, 100...20_000)
    }

    func testLogWideRangeUsesDecades() {
        let a = AxisTicks.logarithmic(1, 1e6)
        XCTAssertEqual(a.values, [1, 10, 100, 1e3, 1e4, 1e5, 1e6])
        XCTAssertEqual(a.labels, ["1", "10", "100", "1k", "10k", "100k", "1M"])

        let b = AxisTicks.logarithmic(0.003, 20)
        XCTAssertEqual(b.values, [0.01, 0.1, 1, 10])
        XCTAssertEqual(b.labels, ["0.01", "0.1", "1", "10"])
        XCTAssertEqual(b.domain, 0.002...20)

        let c = AxisTicks.logarithmic(3e-7, 2e-3)
        XCTAssertEqual(c.labels, ["1e-6", "1e-5", "0.0001", "0.001"])
    }

    func testLogHugeRangeThinsDecades() {
        let a = AxisTicks.logarithmic(1e-300, 1e300)
        XCTAssertEqual(a.labels, ["1e-300", "1e-200", "1e-100", "1", "1e100", "1e200", "1e300"])
        XCTAssertTrue(a.values.allSatisfy { $0.isFinite && $0 > 0 })

        let top = AxisTicks.logarithmic(1, .greatestFiniteMagnitude)
        XCTAssertTrue(top.domain.upperBound.isFinite)
        XCTAssertTrue(top.values.allSatisfy(\.isFinite))
        let bottom = AxisTicks.logarithmic(.leastNonzeroMagnitude, 1)
        XCTAssertGreaterThan(bottom.domain.lowerBound, 0)
    }

    func testLogNarrowRangeFallsBackToLinearTicks() {
        let a = AxisTicks.logarithmic(120, 180)
        XCTAssertEqual(a.values, [120, 140, 160, 180])
        let b = AxisTicks.logarithmic(5, 5)
        XCTAssertEqual(b.values, [2, 5, 10])
        XCTAssertEqual(b.domain, 2...10)
    }
}
