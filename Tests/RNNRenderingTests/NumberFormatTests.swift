// Tests for NumberFormat: fixed decimals, round-trippable shortest spelling, compact labels.

import XCTest
@testable import RNNRendering

final class NumberFormatTests: XCTestCase {
    func testFixedDecimals() {
        XCTAssertEqual(NumberFormat.fixed(3.14159, decimals: 2), "3.14")
        XCTAssertEqual(NumberFormat.fixed(142.0, decimals: 3), "142.000")
        XCTAssertEqual(NumberFormat.fixed(-1.25, decimals: 1), "-1.2")  // binary 1.25 is exact: half-even
        XCTAssertEqual(NumberFormat.fixed(7, decimals: 0), "7")
        XCTAssertEqual(NumberFormat.fixed(1e21, decimals: 0), "1000000000000000000000")
    }

    func testFixedDropsTheSignOfZero() {
        XCTAssertEqual(NumberFormat.fixed(-0.0, decimals: 2), "0.00")
        XCTAssertEqual(NumberFormat.fixed(-0.0001, decimals: 2), "0.00")
        XCTAssertEqual(NumberFormat.fixed(-0.4, decimals: 0), "0")
    }

    func testNonFiniteSpellings() {
        XCTAssertEqual(NumberFormat.fixed(.nan, decimals: 3), "nan")
        XCTAssertEqual(NumberFormat.fixed(.infinity, decimals: 3), "inf")
        XCTAssertEqual(NumberFormat.shortest(-.infinity), "-inf")
        XCTAssertEqual(NumberFormat.compact(.nan), "nan")
    }

    func testShortestRoundTrips() {
        let values: [Double] = [0.1, 1.0 / 3.0, 5, -0.0, 1e-5, 1e16, 6.02214076e23, .pi, 2.2250738585072014e-308,
                                .greatestFiniteMagnitude, .leastNonzeroMagnitude, 123456.789, -42.5]
        for v in values {
            let text = NumberFormat.shortest(v)
            XCTAssertEqual(Double(text)?.bitPattern, v.bitPattern, "\(v) → \(text)")
        }
        XCTAssertEqual(NumberFormat.shortest(0.1), "0.1")
        XCTAssertEqual(NumberFormat.shortest(5), "5.0")
        XCTAssertEqual(NumberFormat.shortest(1e-5), "1e-05")
        XCTAssertTrue(Double(NumberFormat.shortest(.nan))?.isNaN == true)
        XCTAssertEqual(Double(NumberFormat.shortest(.infinity)), .infinity)
    }

    func testCompact() {
        XCTAssertEqual(NumberFormat.compact(10_000), "10k")
        XCTAssertEqual(NumberFormat.compact(1_500_000), "1.5M")
        XCTAssertEqual(NumberFormat.compact(1_234_567), "1.235M")
        XCTAssertEqual(NumberFormat.compact(2e9), "2G")
        XCTAssertEqual(NumberFormat.compact(-3500), "-3.5k")
        XCTAssertEqual(NumberFormat.compact(64), "64")
        XCTAssertEqual(NumberFormat.compact(0.25), "0.25")
        XCTAssertEqual(NumberFormat.compact(0), "0")
        XCTAssertEqual(NumberFormat.compact(3e-7), "3e-7")
        XCTAssertEqual(NumberFormat.compact(2.5e15), "2.5e15")
    }
}
