// ChartLayout: turns a LineChart's data into placed axes (domain, ticks, value → fraction) and
// the pixel rectangles of plot area and legend. Pure arithmetic; LineChart+SVG draws the result.
// Every mapping here returns finite numbers, whatever the input values.

import Foundation

/// One axis with its final domain and ticks.
struct PlacedAxis {
    let axis: ChartAxis
    let ticks: AxisTicks

    /// Places an axis: fixed domain if given, else the data range (nil: no data) widened to ticks.
    init(axis: ChartAxis, dataRange: ClosedRange<Double>?) {
        self.axis = axis
        let log = axis.scale == .logarithmic
        switch axis.ticks {
        case .automatic:
            if let d = axis.domain {
                ticks = log ? AxisTicks.logarithmic(d.lowerBound, d.upperBound, extendToTicks: false)
                    : AxisTicks.linear(d.lowerBound, d.upperBound, extendToTicks: false)
            } else {
                let r = dataRange ?? (log ? 1...10 : 0...1)
                ticks = log ? AxisTicks.logarithmic(r.lowerBound, r.upperBound) : AxisTicks.linear(r.lowerBound, r.upperBound)
            }
        case .explicit(let requested):
            let values = Array(Set(requested.filter(axis.accepts))).sorted()
            var domain: ClosedRange<Double>
            if let d = axis.domain {
                domain = d
            } else {
                var lo = values.first ?? dataRange?.lowerBound ?? (log ? 1 : 0)
                var hi = values.last ?? dataRange?.upperBound ?? (log ? 10 : 1)
                if let r = dataRange { lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound) }
                domain = Self.padded(lo, hi, log: log)
            }
            let inside = values.filter { domain.contains($0) }
            ticks = AxisTicks(domain: domain, values: inside, labels: inside.map(NumberFormat.compact))
        }
    }

    /// `lo...hi` widened by 5 % of its span (linear) or of its decades (log) on each side, so
    /// points at explicit ticks do not sit on the frame; equal ends are widened by 10 % / ×1.5.
    private static func padded(_ lo: Double, _ hi: Double, log: Bool) -> ClosedRange<Double> {
        let big = Double.greatestFiniteMagnitude
        if log {
            let factor = lo == hi ? 1.5 : Foundation.pow(10, 0.05 * (log10(hi) - log10(lo)))
            return max(lo / factor, .leastNonzeroMagnitude)...min(hi * factor, big)
        }
        let pad = lo == hi ? (lo == 0 ? 1 : abs(lo) * 0.1) : (hi * 0.05 - lo * 0.05)
        let a = lo - pad, b = hi + pad
        return (a.isFinite ? a : -big)...(b.isFinite ? b : big)
    }

    /// Where `v` falls along the domain (0 at the start, 1 at the end), or nil if the axis cannot
    /// place it. Far-outside values are clamped to ±10,000 domain widths (they are clipped anyway).
    func fraction(_ v: Double) -> Double? {
        guard axis.accepts(v) else { return nil }
        let lo = ticks.domain.lowerBound, hi = ticks.domain.upperBound
        var f: Double
        if axis.scale == .logarithmic {
            let a = log10(lo), b = log10(hi)
            f = (log10(v) - a) / (b - a)
        } else {
            // Halves: hi - lo of two huge values may overflow.
            f = (v / 2 - lo / 2) / (hi / 2 - lo / 2)
        }
        if !f.isFinite { f = f.isNaN ? 0.5 : (f > 0 ? 1e4 : -1e4) }
        return min(max(f, -1e4), 1e4)
    }
}

/// The pixel geometry of one chart.
struct ChartLayout {
    static let tickFont = 11.0
    static let charWidth = 6.5       // rough advance of an 11 px sans-serif character
    static let legendNameLimit = 32  // longer series names are shortened with "…"

    let x: PlacedAxis
    let y: PlacedAxis
    let plotLeft: Double, plotTop: Double, plotWidth: Double, plotHeight: Double
    let legendLeft: Double
    let legendNames: [String]
    let hasData: Bool

    init(chart: LineChart) {
        var xs = RangeAccumulator(), ys = RangeAccumulator()
        var drawable = false
        for s in chart.series {
            for p in s.points where chart.xAxis.accepts(p.x) && chart.yAxis.accepts(p.y) {
                drawable = true
                xs.add(p.x)
                ys.add(p.y)
                if let e = p.yError, e.isFinite, e > 0 {
                    for end in [p.y + e, p.y - e] where chart.yAxis.accepts(end) { ys.add(end) }
                }
            }
        }
        for r in chart.referenceLines where chart.yAxis.accepts(r.y) { ys.add(r.y) }
        hasData = drawable
        x = PlacedAxis(axis: chart.xAxis, dataRange: xs.range)
        y = PlacedAxis(axis: chart.yAxis, dataRange: ys.range)

        legendNames = chart.series.map { s in
            var name = s.name.count > Self.legendNameLimit ? String(s.name.prefix(Self.legendNameLimit - 1)) + "…" : s.name
            if !s.points.contains(where: { chart.xAxis.accepts($0.x) && chart.yAxis.accepts($0.y) }) { name += " (no data)" }
            return name
        }
        let longestName = legendNames.map(\.count).max() ?? 0
        let legendWidth = chart.series.isEmpty ? 16 : 12 + 22 + 6 + Double(longestName) * Self.charWidth + 8
        let right = min(legendWidth, chart.width * 0.4)
        let longestTick = y.ticks.labels.map(\.count).max() ?? 1
        let left = min(12 + 14 + 8 + Double(longestTick) * Self.charWidth + 6, chart.width * 0.3)
        let top = chart.title.isEmpty ? 14.0 : 34.0
        let bottom = 52.0
        plotLeft = left
        plotTop = top
        plotWidth = chart.width - left - right
        plotHeight = chart.height - top - bottom
        legendLeft = chart.width - right + 12
    }

    /// Pixel x of a data x, or nil if the axis cannot place it.
    func px(_ v: Double) -> Double? {
        x.fraction(v).map { plotLeft + $0 * plotWidth }
    }

    /// Pixel y of a data y (SVG y grows downward), or nil if the axis cannot place it.
    func py(_ v: Double) -> Double? {
        y.fraction(v).map { plotTop + plotHeight - $0 * plotHeight }
    }
}

/// Running min/max of finite values.
struct RangeAccumulator {
    private var lo = Double.infinity, hi = -Double.infinity

    mutating func add(_ v: Double) {
        guard v.isFinite else { return }
        lo = min(lo, v)
        hi = max(hi, v)
    }

    var range: ClosedRange<Double>? { lo <= hi ? lo...hi : nil }
}
