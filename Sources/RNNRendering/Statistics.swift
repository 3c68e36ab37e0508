// Statistics: count, mean, sample standard deviation, min and max of a list of measurements —
// what "mean ± std over seeds" needs. It will not drop or flag outliers or non-finite values.

import Foundation

/// Summary statistics of a non-empty list of values.
///
/// The standard deviation is the sample one (divisor n − 1). For a single value it is **nil**,
/// not 0: one seed says nothing about spread, and a "± 0" would claim it does. Non-finite values
/// propagate (a NaN makes mean, deviation, minimum and maximum NaN; an infinity makes the mean
/// infinite or NaN and the deviation NaN); filter diverged runs before summarising if that is wanted.
public struct Statistics: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// Sample standard deviation (n − 1); nil when `count == 1`.
    public let standardDeviation: Double?
    public let minimum: Double
    public let maximum: Double

    /// Summarises `values`; nil when `values` is empty.
    public init?(_ values: [Double]) {
        guard let mean = Self.mean(values) else { return nil }
        self.count = values.count
        self.mean = mean
        self.standardDeviation = Self.sampleStandardDeviation(values)
        if values.contains(where: \.isNaN) {
            minimum = .nan
            maximum = .nan
        } else {
            minimum = values.min() ?? mean
            maximum = values.max() ?? mean
        }
    }

    /// The arithmetic mean; nil for an empty list.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (divisor n − 1), computed in two passes for accuracy;
    /// nil for fewer than two values.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let m = mean(values) else { return nil }
        let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    /// `mean ± std` with fixed decimals (`"142.31 ± 1.07"`), or just the mean for one value.
    public func formatted(decimals: Int) -> String {
        let m = NumberFormat.fixed(mean, decimals: decimals)
        guard let s = standardDeviation else { return m }
        return m + " ± " + NumberFormat.fixed(s, decimals: decimals)
    }
}
