// ChartSeries: the data a LineChart draws — named series of points with optional error bars,
// and labelled horizontal reference lines. Plain values; no drawing here.

import Foundation

/// One data point; `yError` (if present) draws an error bar from `y - yError` to `y + yError`.
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    /// Half-length of a symmetric error bar (e.g. one standard deviation); nil, non-finite or
    /// non-positive means no bar.
    public var yError: Double?

    public init(x: Double, y: Double, yError: Double? = nil) {
        self.x = x
        self.y = y
        self.yError = yError
    }
}

/// A named line of points, drawn in the given order.
///
/// Points that cannot be placed (non-finite, or non-positive on a logarithmic axis) are skipped
/// and break the line there, so a gap shows where the data is missing. A point with no drawable
/// neighbour gets a marker even when `markers` is false, so single points stay visible.
public struct ChartSeries: Sendable, Equatable {
    public var name: String
    public var points: [ChartPoint]
    /// Draw a dot at every point (useful for sparse series such as per-epoch validation).
    public var markers: Bool
    /// Draw the connecting line (false gives a scatter of markers).
    public var line: Bool

    public init(name: String, points: [ChartPoint], markers: Bool = false, line: Bool = true) {
        self.name = name
        self.points = points
        self.markers = markers || !line
        self.line = line
    }

    /// A series from (x, y) pairs.
    public init(name: String, xy: [(Double, Double)], markers: Bool = false, line: Bool = true) {
        self.init(name: name, points: xy.map { ChartPoint(x: $0.0, y: $0.1) }, markers: markers, line: line)
    }
}

/// A horizontal dashed line across the plot with a label, e.g. "entropy floor 6.2".
///
/// A line whose value cannot be placed on the y axis, or lies outside a fixed y domain, is not drawn.
/// Otherwise the fitted y range always includes it.
public struct ReferenceLine: Sendable, Equatable {
    public var y: Double
    public var label: String

    public init(y: Double, label: String) {
        self.y = y
        self.label = label
    }
}
