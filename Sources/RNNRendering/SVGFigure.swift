// SVGFigure: one SVG document holding one or more LineCharts in a grid — e.g. training loss and
// validation perplexity against tokens, side by side (columns: 2) or stacked (columns: 1).
// It will not resize panels: each cell is as large as the largest panel.

import Foundation

/// Charts laid out row by row in a grid of `columns` columns, rendered as one SVG document.
public struct SVGFigure: Sendable, Equatable {
    public var panels: [LineChart]
    public var columns: Int

    /// - Precondition: at least one panel and at least one column.
    public init(panels: [LineChart], columns: Int = 1) {
        precondition(!panels.isEmpty, "SVGFigure: needs at least one panel")
        precondition(columns >= 1, "SVGFigure: columns must be at least 1, got \(columns)")
        self.panels = panels
        self.columns = columns
    }

    private var cellWidth: Double { panels.map(\.width).max() ?? 0 }
    private var cellHeight: Double { panels.map(\.height).max() ?? 0 }
    private var usedColumns: Int { min(columns, panels.count) }
    private var rows: Int { (panels.count + columns - 1) / columns }

    /// Total width in pixels.
    public var width: Double { Double(usedColumns) * cellWidth }
    /// Total height in pixels.
    public var height: Double { Double(rows) * cellHeight }

    /// The figure as a standalone SVG document (with the SVG namespace, for a `.svg` file).
    public func svg() -> String {
        svg(idPrefix: "", standalone: true)
    }

    /// The figure's `<svg>` element.
    ///
    /// - Parameters:
    ///   - idPrefix: prepended to every element id, so several figures can share an HTML page.
    ///   - standalone: include the `xmlns` declaration a `.svg` file needs; HTML embedding omits it
    ///     (HTML puts inline `<svg>` in the SVG namespace by itself).
    func svg(idPrefix: String, standalone: Bool) -> String {
        let c = MarkupWriter.coordinate
        var w = MarkupWriter()
        var root: [(String, String)] = []
        if standalone { root.append(("xmlns", "http://www.w3.org/2000/svg")) }
        root += [("width", c(width)), ("height", c(height)), ("viewBox", "0 0 \(c(width)) \(c(height))"),
                 ("font-family", "sans-serif"), ("font-size", "11"), ("role", "img")]
        w.open("svg", root)
        let titles = panels.map(\.title).filter { !$0.isEmpty }
        if !titles.isEmpty { w.element("title", text: titles.joined(separator: " | ")) }
        for (index, panel) in panels.enumerated() {
            let prefix = panels.count == 1 ? idPrefix : idPrefix + "p\(index + 1)-"
            let dx = Double(index % columns) * cellWidth, dy = Double(index / columns) * cellHeight
            if dx == 0 && dy == 0 {
                w.open("g")
            } else {
                w.open("g", [("transform", "translate(\(c(dx)) \(c(dy)))")])
            }
            panel.render(into: &w, idPrefix: prefix)
            w.close("g")
        }
        w.close("svg")
        return w.finished
    }
}
