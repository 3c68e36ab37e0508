// HTMLReport: builds one self-contained HTML page — title, headings, paragraphs, preformatted
// text, tables and inline SVG figures with a small embedded stylesheet. No scripts, no external
// resources, no network: the file opens the same anywhere, offline.
// The markup is also well-formed XML (every element closed, text escaped), so tests and tools can
// parse it with an XML parser. It will not paginate or include raster images.

import Foundation

/// A self-contained HTML document, built block by block.
public struct HTMLReport: Sendable, Equatable {
    enum Block: Sendable, Equatable {
        case heading(String, level: Int)
        case paragraph(String)
        case preformatted(String)
        case table(MarkdownTable, caption: String?)
        case figure(SVGFigure, caption: String?)
    }

    public var title: String
    private(set) var blocks: [Block] = []

    /// A report whose page title and top heading are `title`.
    public init(title: String) {
        self.title = title
    }

    /// Adds a heading; `level` 2 is a section, 3 a subsection. - Precondition: level in 2...6.
    public mutating func heading(_ text: String, level: Int = 2) {
        precondition((2...6).contains(level), "HTMLReport.heading: level must be 2...6 (1 is the title), got \(level)")
        blocks.append(.heading(text, level: level))
    }

    /// Adds a paragraph of plain text (escaped; no markup is interpreted).
    public mutating func paragraph(_ text: String) {
        blocks.append(.paragraph(text))
    }

    /// Adds monospaced text kept as written, e.g. a config file or terminal table.
    public mutating func preformatted(_ text: String) {
        blocks.append(.preformatted(text))
    }

    /// Adds a table with the columns' alignments.
    public mutating func table(_ table: MarkdownTable, caption: String? = nil) {
        blocks.append(.table(table, caption: caption))
    }

    /// Adds an inline SVG figure.
    public mutating func figure(_ figure: SVGFigure, caption: String? = nil) {
        blocks.append(.figure(figure, caption: caption))
    }

    /// Adds a single chart as an inline SVG figure.
    public mutating func figure(_ chart: LineChart, caption: String? = nil) {
        figure(SVGFigure(panels: [chart]), caption: caption)
    }

    static let stylesheet = """
        body { font-family: sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222222; line-height: 1.4; }
        h1, h2, h3 { line-height: 1.2; }
        table { border-collapse: collapse; margin: 1em 0; font-variant-numeric: tabular-nums; }
        th, td { border: 1px solid #cccccc; padding: 0.25em 0.6em; }
        th { background: #f2f2f2; }
        caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3em; }
        .l { text-align: left; }
        .r { text-align: right; }
        .c { text-align: center; }
        figure { margin: 1em 0; }
        figcaption { font-size: 0.9em; color: #555555; }
        svg { max-width: 100%; height: auto; }
        pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
        """

    /// The complete document, UTF-8 text ending in "\n".
    public func render() -> String {
        var w = MarkupWriter()
        w.raw("<!DOCTYPE html>")
        w.open("html", [("lang", "en")])
        w.open("head")
        w.empty("meta", [("charset", "utf-8")])
        w.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
        w.element("title", text: title)
        w.open("style")
        w.raw(Self.stylesheet)
        w.close("style")
        w.close("head")
        w.open("body")
        w.element("h1", text: title)
        var figureNumber = 0
        for block in blocks {
            switch block {
            case let .heading(text, level):
                w.element("h\(level)", text: text)
            case let .paragraph(text):
                w.element("p", text: text)
            case let .preformatted(text):
                // One element on one line: inner line breaks must not get indentation added.
                w.verbatim("<pre>" + MarkupWriter.escape(text) + "</pre>")
            case let .table(table, caption):
                render(table, caption: caption, into: &w)
            case let .figure(figure, caption):
                figureNumber += 1
                w.open("figure")
                w.raw(figure.svg(idPrefix: "fig\(figureNumber)-", standalone: false))
                if let caption { w.element("figcaption", text: caption) }
                w.close("figure")
            }
        }
        w.close("body")
        w.close("html")
        return w.finished
    }

    private func render(_ table: MarkdownTable, caption: String?, into w: inout MarkupWriter) {
        let classes = table.columns.map { column -> String in
            switch column.alignment {
            case .left: return "l"
            case .right: return "r"
            case .center: return "c"
            }
        }
        w.open("table")
        if let caption { w.element("caption", text: caption) }
        w.open("thead")
        w.open("tr")
        for (column, cls) in zip(table.columns, classes) { w.element("th", [("class", cls)], text: column.title) }
        w.close("tr")
        w.close("thead")
        w.open("tbody")
        for row in table.rows {
            w.open("tr")
            for (cell, cls) in zip(row, classes) { w.element("td", [("class", cls)], text: cell) }
            w.close("tr")
        }
        w.close("tbody")
        w.close("table")
    }
}
