// AxisTicks: "nice" tick values and labels for a chart axis — 1-2-5 steps on a linear axis,
// decades (or 1-2-5 subdivisions when the range is small) on a logarithmic one.
// It will not lay anything out on a page; LineChart turns ticks into SVG.

import Foundation

/// The ticks of one axis: the extent the axis spans, the tick values inside it, and their labels.
public struct AxisTicks: Sendable, Equatable {
    /// The extent of the axis (the data range widened to tick values where possible).
    public var domain: ClosedRange<Double>
    /// Tick values in increasing order, all inside `domain`.
    public var values: [Double]
    /// One label per value.
    public var labels: [String]

    public init(domain: ClosedRange<Double>, values: [Double], labels: [String]) {
        precondition(values.count == labels.count, "AxisTicks: \(values.count) values but \(labels.count) labels")
        self.domain = domain
        self.values = values
        self.labels = labels
    }

    /// Ticks at multiples of 1, 2 or 5 × 10^k covering `low...high` with about `targetCount` intervals.
    ///
    /// With `extendToTicks` (the default) the domain grows outward to the nearest ticks, so
    /// `linear(0.3, 9.7)` spans 0...10 with ticks 0, 2, 4, 6, 8, 10; without it the domain stays
    /// `low...high` and only the ticks inside it are kept. Equal ends are widened first (by 10 % of
    /// their magnitude, or to -1...1 around zero). Ranges too wide to widen without overflow keep
    /// their ends. Tick values are correctly rounded (`0.3`, not `0.30000000000000004`).
    public static func linear(_ low: Double, _ high: Double, targetCount: Int = 5, extendToTicks: Bool = true) -> AxisTicks {
        precondition(low.isFinite && high.isFinite && low <= high, "AxisTicks.linear: need finite low <= high, got \(low)...\(high)")
        precondition(targetCount >= 1, "AxisTicks.linear: targetCount must be positive, got \(targetCount)")
        var lo = low, hi = high
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        // hi/t - lo/t instead of (hi - lo)/t: the difference of two huge values may overflow.
        let t = Double(targetCount)
        let rawStep = hi / t - lo / t
        var e = NumberFormat.exponent(of: rawStep)
        let normalized = rawStep / NumberFormat.powerOfTen(e)
        let tolerance = 1e-9
        var mantissa: Double
        if normalized <= 1 + tolerance { mantissa = 1 }
        else if normalized <= 2 + tolerance { mantissa = 2 }
        else if normalized <= 5 + tolerance { mantissa = 5 }
        else { mantissa = 1; e += 1 }
        let step = NumberFormat.scaled(mantissa, byPowerOfTen: e)

        func snap(_ q: Double, _ direction: FloatingPointRoundingRule) -> Double {
            let nearest = q.rounded()
            return abs(q - nearest) <= tolerance * max(1, abs(q)) ? nearest : q.rounded(direction)
        }
        let nLo = snap(lo / step, .down), nHi = snap(hi / step, .up)
        // Multiples beyond 2^53 are not exact integers, and thousands of ticks mean the range is
        // degenerate (e.g. a relative width near the precision of Double): keep the ends.
        guard abs(nLo) < 9e15, abs(nHi) < 9e15, nHi - nLo <= 1000 else {
            let ends = [lo, hi].uniqued()
            return AxisTicks(domain: lo...hi, values: ends, labels: ends.map(NumberFormat.compact))
        }
        var values: [Double] = []
        var n = nLo
        while n <= nHi {
            let v = NumberFormat.scaled(n * mantissa, byPowerOfTen: e)
            if v.isFinite, values.last != v { values.append(v) }
            n += 1
        }
        var domain: ClosedRange<Double>
        if extendToTicks, let first = values.first, let last = values.last,
           first <= lo, last >= hi, NumberFormat.scaled(nLo * mantissa, byPowerOfTen: e).isFinite,
           NumberFormat.scaled(nHi * mantissa, byPowerOfTen: e).isFinite {
            domain = first...last
        } else {
            domain = lo...hi
            let slack = step * 1e-9
            values = values.filter { $0 >= lo - slack && $0 <= hi + slack }
        }
        if values.isEmpty { values = [lo, hi] }
        if domain.lowerBound == domain.upperBound { domain = lo...hi }
        return AxisTicks(domain: domain, values: values,
                         labels: NumberFormat.linearTickLabels(values, stepExponent: e))
    }

    /// Ticks for a logarithmic axis covering `low...high` (both positive).
    ///
    /// The domain widens outward to the nearest values of the 1, 2, 5 × 10^k sequence
    /// (`150...900` → `100...1000`). Data spanning fewer than 2.5 decades gets ticks at those
    /// 1-2-5 values (100, 200, 500, 1k); wider data gets ticks at powers of ten — every decade, or
    /// every 2nd, 5th, 10th … so there are at most eight. When the 1-2-5 sequence leaves fewer
    /// than three ticks the axis uses linear 1-2-5 ticks instead (positions stay logarithmic):
    /// `120...180` → 120, 140, 160, 180. Equal ends are widened to `v/2...2v` first.
    /// With `extendToTicks: false` the domain stays `low...high` and only inside ticks are kept.
    public static func logarithmic(_ low: Double, _ high: Double, extendToTicks: Bool = true) -> AxisTicks {
        precondition(low.isFinite && high.isFinite && low > 0 && low <= high,
                     "AxisTicks.logarithmic: need finite 0 < low <= high, got \(low)...\(high)")
        var lo = low, hi = high
        if lo == hi {
            lo /= 2
            hi = hi <= .greatestFiniteMagnitude / 2 ? hi * 2 : hi
        }
        let kLo = NumberFormat.exponent(of: lo)
        var kHi = NumberFormat.exponent(of: hi)
        if NumberFormat.powerOfTen(kHi) < hi { kHi += 1 }

        // The 1-2-5 sequence from one decade below `lo` to one above `hi`, positive and finite.
        var sequence: [(value: Double, exponent: Int)] = []
        for k in (kLo - 1)...(kHi + 1) {
            for m in [1.0, 2.0, 5.0] {
                let v = NumberFormat.scaled(m, byPowerOfTen: k)
                if v > 0, v.isFinite { sequence.append((v, k)) }
            }
        }
        var domain = lo...hi
        if extendToTicks {
            let below = sequence.last { $0.value <= lo }?.value ?? lo
            let above = sequence.first { $0.value >= hi }?.value ?? hi
            domain = below...above
        }
        func inside(_ v: Double) -> Bool {
            v >= domain.lowerBound * (1 - 1e-12) && v <= domain.upperBound * (1 + 1e-12)
        }

        if log10(hi) - log10(lo) >= 2.5 {
            let decades = kHi - kLo
            let strides = [1, 2, 5, 10, 20, 50, 100, 200]
            let stride = strides.first { (decades + $0 - 1) / $0 <= 8 } ?? 200
            let ks = Swift.stride(from: ceilMultiple(kLo, of: stride), through: floorMultiple(kHi, of: stride), by: stride)
                .filter { k in
                    let v = NumberFormat.powerOfTen(k)
                    return v > 0 && v.isFinite && inside(v)
                }
            let values = ks.map { NumberFormat.powerOfTen($0) }
            return AxisTicks(domain: domain, values: values,
                             labels: zip(values, ks).map { NumberFormat.logTickLabel($0, exponent: $1) })
        }

        let ticks = sequence.filter { inside($0.value) }
        if ticks.count >= 3 {
            return AxisTicks(domain: domain, values: ticks.map(\.value),
                             labels: ticks.map { NumberFormat.logTickLabel($0.value, exponent: $0.exponent) })
        }
        let linearTicks = linear(lo, hi, targetCount: 5, extendToTicks: extendToTicks)
        if linearTicks.domain.lowerBound > 0 { return linearTicks }
        return linear(lo, hi, targetCount: 5, extendToTicks: false)
    }

    private static func floorMultiple(_ k: Int, of s: Int) -> Int {
        k >= 0 ? (k / s) * s : -((-k + s - 1) / s) * s
    }

    private static func ceilMultiple(_ k: Int, of s: Int) -> Int {
        -floorMultiple(-k, of: s)
    }
}

extension Array where Element == Double {
    /// The elements with consecutive duplicates removed.
    fileprivate func uniqued() -> [Double] {
        var out: [Double] = []
        for v in self where out.last != v { out.append(v) }
        return out
    }
}
