// LineChart+SVG: draws a LineChart as SVG elements — background, title, grid, ticks, axis labels,
// reference lines, clipped series with markers and error bars, legend, and a "no data" note.
// It will not write the <svg> root (SVGFigure does), so charts can share one document.

import Foundation

extension LineChart {
    /// Draws the chart's elements in its own coordinates (0...width, 0...height).
    ///
    /// `idPrefix` makes element ids (the clip path) unique when several charts share a document.
    func render(into w: inout MarkupWriter, idPrefix: String) {
        let layout = ChartLayout(chart: self)
        let c = MarkupWriter.coordinate
        let left = layout.plotLeft, top = layout.plotTop
        let right = left + layout.plotWidth, bottom = top + layout.plotHeight
        // Lines are clipped to the plot area; markers and error bars to a slightly larger one, so
        // a marker on the frame stays round.
        let clipID = idPrefix + "plot-area", markClipID = idPrefix + "plot-marks"
        let markPad = 5.0

        w.empty("rect", [("x", "0"), ("y", "0"), ("width", c(width)), ("height", c(height)), ("fill", "#ffffff")])
        w.open("defs")
        w.open("clipPath", [("id", clipID)])
        w.empty("rect", [("x", c(left)), ("y", c(top)), ("width", c(layout.plotWidth)), ("height", c(layout.plotHeight))])
        w.close("clipPath")
        w.open("clipPath", [("id", markClipID)])
        w.empty("rect", [("x", c(left - markPad)), ("y", c(top - markPad)),
                         ("width", c(layout.plotWidth + 2 * markPad)), ("height", c(layout.plotHeight + 2 * markPad))])
        w.close("clipPath")
        w.close("defs")
        if !title.isEmpty {
            w.element("text", [("x", c(left + layout.plotWidth / 2)), ("y", "20"), ("text-anchor", "middle"),
                               ("font-size", "14"), ("font-weight", "bold")], text: title)
        }

        // Grid and tick labels.
        w.open("g", [("stroke", "#e6e6e6"), ("stroke-width", "1")])
        for v in layout.x.ticks.values { if let x = layout.px(v) { w.empty("line", [("x1", c(x)), ("y1", c(top)), ("x2", c(x)), ("y2", c(bottom))]) } }
        for v in layout.y.ticks.values { if let y = layout.py(v) { w.empty("line", [("x1", c(left)), ("y1", c(y)), ("x2", c(right)), ("y2", c(y))]) } }
        w.close("g")
        w.open("g", [("fill", "#333333"), ("font-size", NumberFormat.trimZeros(NumberFormat.fixed(ChartLayout.tickFont, decimals: 1)))])
        for (v, label) in zip(layout.x.ticks.values, layout.x.ticks.labels) {
            if let x = layout.px(v) { w.element("text", [("x", c(x)), ("y", c(bottom + 16)), ("text-anchor", "middle")], text: label) }
        }
        for (v, label) in zip(layout.y.ticks.values, layout.y.ticks.labels) {
            if let y = layout.py(v) { w.element("text", [("x", c(left - 6)), ("y", c(y + 4)), ("text-anchor", "end")], text: label) }
        }
        w.close("g")
        w.element("text", [("x", c(left + layout.plotWidth / 2)), ("y", c(height - 12)), ("text-anchor", "middle"), ("font-size", "12")], text: xAxis.label)
        let yLabelX = c(14), yLabelY = c(top + layout.plotHeight / 2)
        w.element("text", [("x", yLabelX), ("y", yLabelY), ("transform", "rotate(-90 \(yLabelX) \(yLabelY))"),
                           ("text-anchor", "middle"), ("font-size", "12")], text: yAxis.label)

        // Reference lines, then series, both clipped to the plot area.
        w.open("g", [("clip-path", "url(#\(clipID))")])
        for r in referenceLines {
            guard let y = layout.py(r.y), y >= top - 0.5, y <= bottom + 0.5 else { continue }
            w.empty("line", [("x1", c(left)), ("y1", c(y)), ("x2", c(right)), ("y2", c(y)),
                             ("stroke", "#555555"), ("stroke-width", "1"), ("stroke-dasharray", "5 4")])
            w.element("text", [("x", c(right - 4)), ("y", c(y - 4)), ("text-anchor", "end"), ("fill", "#555555")], text: r.label)
        }
        for (index, s) in series.enumerated() { drawLines(of: s, index: index, layout: layout, into: &w) }
        w.close("g")
        w.open("g", [("clip-path", "url(#\(markClipID))")])
        for (index, s) in series.enumerated() { drawMarks(of: s, index: index, layout: layout, into: &w) }
        w.close("g")
        w.empty("rect", [("x", c(left)), ("y", c(top)), ("width", c(layout.plotWidth)), ("height", c(layout.plotHeight)),
                         ("fill", "none"), ("stroke", "#333333"), ("stroke-width", "1")])
        if !layout.hasData {
            w.element("text", [("x", c(left + layout.plotWidth / 2)), ("y", c(top + layout.plotHeight / 2)),
                               ("text-anchor", "middle"), ("font-size", "13"), ("fill", "#777777")], text: "no data")
        }
        drawLegend(layout: layout, into: &w)
    }

    /// A placed point: pixel position and the data point it came from.
    private typealias Placed = (x: Double, y: Double, point: ChartPoint)

    /// The series split into runs of drawable points; an undrawable point ends a run.
    private func runs(of s: ChartSeries, layout: ChartLayout) -> [[Placed]] {
        var runs: [[Placed]] = [[]]
        for p in s.points {
            if let x = layout.px(p.x), let y = layout.py(p.y) {
                runs[runs.count - 1].append((x, y, p))
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        return runs.filter { !$0.isEmpty }
    }

    private func seriesGroupAttributes(index: Int) -> [(String, String)] {
        let color = ChartPalette.color(forSeries: index)
        var attributes = [("stroke", color), ("fill", color)]
        if let dash = ChartPalette.dashPattern(forSeries: index) { attributes.append(("stroke-dasharray", dash)) }
        return attributes
    }

    /// One polyline per run of two or more points (consecutive duplicate pixels dropped).
    private func drawLines(of s: ChartSeries, index: Int, layout: ChartLayout, into w: inout MarkupWriter) {
        let c = MarkupWriter.coordinate
        let lines = runs(of: s, layout: layout).filter { $0.count > 1 }
        guard s.line, !lines.isEmpty else { return }
        w.open("g", seriesGroupAttributes(index: index))
        for run in lines {
            var coordinates: [String] = []
            for q in run {
                let pair = c(q.x) + "," + c(q.y)
                if coordinates.last != pair { coordinates.append(pair) }
            }
            w.empty("polyline", [("points", coordinates.joined(separator: " ")), ("fill", "none"),
                                 ("stroke-width", "1.5"), ("stroke-linejoin", "round")])
        }
        w.close("g")
    }

    /// Error bars (stem and caps), then markers: at every point if the series asks for them,
    /// and always for an isolated point, which a line cannot show.
    private func drawMarks(of s: ChartSeries, index: Int, layout: ChartLayout, into w: inout MarkupWriter) {
        let c = MarkupWriter.coordinate
        let runs = runs(of: s, layout: layout)
        let bars = runs.joined().filter { q in q.point.yError.map { $0.isFinite && $0 > 0 } ?? false }
        let dots = runs.filter { s.markers || $0.count == 1 }.joined()
        guard !bars.isEmpty || !dots.isEmpty else { return }
        w.open("g", seriesGroupAttributes(index: index))
        for q in bars {
            let e = q.point.yError ?? 0
            // An end the axis cannot place (e.g. below zero on a log axis) runs off the plot.
            let yHigh = layout.py(q.point.y + e) ?? layout.plotTop - 10
            let yLow = layout.py(q.point.y - e) ?? layout.plotTop + layout.plotHeight + 10
            w.empty("line", [("x1", c(q.x)), ("y1", c(yLow)), ("x2", c(q.x)), ("y2", c(yHigh)),
                             ("stroke-width", "1"), ("stroke-dasharray", "none")])
            for yEnd in [yLow, yHigh] {
                w.empty("line", [("x1", c(q.x - 4)), ("y1", c(yEnd)), ("x2", c(q.x + 4)), ("y2", c(yEnd)),
                                 ("stroke-width", "1"), ("stroke-dasharray", "none")])
            }
        }
        for q in dots { w.empty("circle", [("cx", c(q.x)), ("cy", c(q.y)), ("r", "3"), ("stroke", "none")]) }
        w.close("g")
    }

    private func drawLegend(layout: ChartLayout, into w: inout MarkupWriter) {
        guard !series.isEmpty else { return }
        let c = MarkupWriter.coordinate
        w.open("g", [("font-size", "11"), ("fill", "#333333")])
        for (index, s) in series.enumerated() {
            let y = layout.plotTop + 8 + Double(index) * 18
            let x0 = layout.legendLeft
            let color = ChartPalette.color(forSeries: index)
            var lineAttributes = [("x1", c(x0)), ("y1", c(y)), ("x2", c(x0 + 22)), ("y2", c(y)), ("stroke", color), ("stroke-width", "2")]
            if let dash = ChartPalette.dashPattern(forSeries: index) { lineAttributes.append(("stroke-dasharray", dash)) }
            if s.line { w.empty("line", lineAttributes) }
            // A dot when the chart shows this series as dots: markers on, or only isolated points.
            let placed = runs(of: s, layout: layout)
            if s.markers || (!placed.isEmpty && placed.allSatisfy { $0.count == 1 }) {
                w.empty("circle", [("cx", c(x0 + 11)), ("cy", c(y)), ("r", "3"), ("fill", color)])
            }
            w.element("text", [("x", c(x0 + 28)), ("y", c(y + 4))], text: layout.legendNames[index])
        }
        w.close("g")
    }
}
