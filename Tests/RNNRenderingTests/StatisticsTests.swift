// Tests for Statistics: mean, sample standard deviation (nil for one value), min/max, NaN.

import XCTest
@testable import RNNRendering

final class StatisticsTests: XCTestCase {
    func testSummary() throws {
        let s = try XCTUnwrap(Statistics([2, 4, 4, 4, 5, 5, 7, 9]))
        XCTAssertEqual(s.count, 8)
        XCTAssertEqual(s.mean, 5)
        XCTAssertEqual(try XCTUnwrap(s.standardDeviation), (32.0 / 7.0).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(s.minimum, 2)
        XCTAssertEqual(s.maximum, 9)
        XCTAssertEqual(s.formatted(decimals: 2), "5.00 ± 2.14")
    }

    func testSingleAndEmpty() throws {
        XCTAssertNil(Statistics([]))
        XCTAssertNil(Statistics.mean([]))
        let one = try XCTUnwrap(Statistics([142.5]))
        XCTAssertEqual(one.mean, 142.5)
        XCTAssertNil(one.standardDeviation)
        XCTAssertEqual(one.formatted(decimals: 1), "142.5")
        XCTAssertNil(Statistics.sampleStandardDeviation([1]))
        XCTAssertEqual(Statistics.sampleStandardDeviation([1, 1, 1]), 0)
    }

    func testTwoPassIsAccurateForLargeOffsets() throws {
        // A one-pass sum-of-squares formula loses everything here.
        let s = try XCTUnwrap(Statistics([1e9 + 1, 1e9 + 2, 1e9 + 3]))
        XCTAssertEqual(s.mean, 1e9 + 2)
        XCTAssertEqual(s.standardDeviation, 1)
    }

    func testNaNPropagates() throws {
        let s = try XCTUnwrap(Statistics([1, .nan, 3]))
        XCTAssertTrue(s.mean.isNaN)
        XCTAssertTrue(s.standardDeviation?.isNaN == true)
        XCTAssertTrue(s.minimum.isNaN && s.maximum.isNaN)
    }
}
