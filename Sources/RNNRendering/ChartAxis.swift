// ChartAxis: how one axis of a LineChart is labelled, scaled and ticked.
// It will not compute ticks itself (AxisTicks does) nor draw anything (LineChart+SVG does).

import Foundation

/// A chart axis: label, linear or logarithmic scale, optional fixed extent and tick placement.
public struct ChartAxis: Sendable, Equatable {
    /// How values map to positions.
    public enum Scale: Sendable, Equatable {
        case linear
        /// Base-10 logarithmic; values that are not positive are not drawn.
        case logarithmic
    }

    /// Where ticks go.
    public enum Ticks: Sendable, Equatable {
        /// Nice 1-2-5 / decade ticks chosen from the range (see `AxisTicks`).
        case automatic
        /// Exactly these values (e.g. the swept hidden sizes), labelled with `NumberFormat.compact`.
        /// Non-finite values, and non-positive ones on a logarithmic axis, are ignored.
        case explicit([Double])
    }

    /// The axis title, e.g. "tokens seen".
    public var label: String
    public var scale: Scale
    /// A fixed extent; nil means "fit the data" (widened to nice ticks). Data outside is clipped.
    public var domain: ClosedRange<Double>?
    public var ticks: Ticks

    /// - Precondition: a fixed `domain` is finite and non-empty, and positive on a logarithmic axis.
    public init(label: String, scale: Scale = .linear, domain: ClosedRange<Double>? = nil, ticks: Ticks = .automatic) {
        if let d = domain {
            precondition(d.lowerBound.isFinite && d.upperBound.isFinite && d.lowerBound < d.upperBound,
                         "ChartAxis '\(label)': a fixed domain must be finite with lower < upper, got \(d)")
            precondition(scale == .linear || d.lowerBound > 0,
                         "ChartAxis '\(label)': a logarithmic axis needs a positive domain, got \(d)")
        }
        self.label = label
        self.scale = scale
        self.domain = domain
        self.ticks = ticks
    }

    /// Whether `v` can be placed on this axis (finite, and positive on a logarithmic axis).
    public func accepts(_ v: Double) -> Bool {
        v.isFinite && (scale == .linear || v > 0)
    }
}
