// LineChart+Sweep: a "metric against a swept value" chart — one line per variant (e.g. tied and
// untied weights), a marker at each swept value at the mean over seeds, and a mean ± std error bar.
// It will not decide which runs belong together; the caller groups values by line and x.

import Foundation

/// The values measured at one swept setting (one per seed).
public struct SweepSample: Sendable, Equatable {
    /// The swept value, e.g. a hidden size.
    public var x: Double
    /// One measurement per seed.
    public var values: [Double]

    public init(x: Double, values: [Double]) {
        self.x = x
        self.values = values
    }
}

/// One line of a sweep chart, e.g. "tied".
public struct SweepLine: Sendable, Equatable {
    public var name: String
    public var samples: [SweepSample]

    public init(name: String, samples: [SweepSample]) {
        self.name = name
        self.samples = samples
    }
}

extension LineChart {
    /// A chart of a metric against a swept value: each line's samples sorted by x, plotted at the
    /// mean with an error bar of one sample standard deviation (no bar for a single seed).
    ///
    /// Ticks on the x axis sit at the swept values when there are at most 12 of them (automatic
    /// otherwise). A sample containing a non-finite value (a diverged seed) has a non-finite mean
    /// and so leaves a gap; filter such runs first if the line should continue without them.
    public static func sweep(title: String, xLabel: String, yLabel: String, lines: [SweepLine],
                             xScale: ChartAxis.Scale = .linear, yScale: ChartAxis.Scale = .linear,
                             referenceLine: ReferenceLine? = nil, width: Double = 640, height: Double = 400) -> LineChart {
        let series = lines.map { line in
            let points = line.samples
                .enumerated()
                .sorted { ($0.element.x, $0.offset) < ($1.element.x, $1.offset) }
                .compactMap { entry -> ChartPoint? in
                    guard let stats = Statistics(entry.element.values) else { return nil }
                    return ChartPoint(x: entry.element.x, y: stats.mean, yError: stats.standardDeviation)
                }
            return ChartSeries(name: line.name, points: points, markers: true)
        }
        let xValues = Set(lines.flatMap { $0.samples.map(\.x) }).sorted()
        let ticks: ChartAxis.Ticks = xValues.count <= 12 ? .explicit(xValues) : .automatic
        return LineChart(title: title, xAxis: ChartAxis(label: xLabel, scale: xScale, ticks: ticks),
                         yAxis: ChartAxis(label: yLabel, scale: yScale), series: series,
                         referenceLines: referenceLine.map { [$0] } ?? [], width: width, height: height)
    }
}
