// LineChart: the description of one line chart — title, two axes, named series, reference lines
// and pixel size. Rendering lives in LineChart+SVG.swift, sweep plots in LineChart+Sweep.swift.
// It will not read files or choose what to plot; callers build it from their own numbers.

import Foundation

/// A line chart that renders to a standalone, deterministic SVG document (`svg()`).
///
/// Series are drawn and listed in the legend in the given order with `ChartPalette` colours.
/// Values that cannot be placed are skipped (see `ChartSeries`); a chart with nothing to draw
/// still shows its axes and a "no data" note. The output never contains NaN or infinity.
public struct LineChart: Sendable, Equatable {
    public var title: String
    public var xAxis: ChartAxis
    public var yAxis: ChartAxis
    public var series: [ChartSeries]
    public var referenceLines: [ReferenceLine]
    /// Size in pixels (SVG user units).
    public var width: Double
    public var height: Double

    /// - Precondition: `width >= 200` and `height >= 150`, so the plot area stays positive.
    public init(title: String, xAxis: ChartAxis, yAxis: ChartAxis, series: [ChartSeries] = [],
                referenceLines: [ReferenceLine] = [], width: Double = 640, height: Double = 400) {
        precondition(width.isFinite && height.isFinite && width >= 200 && height >= 150,
                     "LineChart '\(title)': size must be at least 200×150, got \(width)×\(height)")
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.referenceLines = referenceLines
        self.width = width
        self.height = height
    }

    /// A chart with automatic ticks: the common case.
    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries] = [],
                xScale: ChartAxis.Scale = .linear, yScale: ChartAxis.Scale = .linear,
                referenceLine: ReferenceLine? = nil, width: Double = 640, height: Double = 400) {
        self.init(title: title, xAxis: ChartAxis(label: xLabel, scale: xScale),
                  yAxis: ChartAxis(label: yLabel, scale: yScale), series: series,
                  referenceLines: referenceLine.map { [$0] } ?? [], width: width, height: height)
    }

    /// The chart as a standalone SVG document (with the SVG namespace, ready for a `.svg` file).
    public func svg() -> String {
        SVGFigure(panels: [self], columns: 1).svg()
    }
}
