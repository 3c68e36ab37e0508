// Tests for HTMLReport: well-formed (parses as XML), escaped, self-contained (no http(s)
// references, no scripts), figures inline with unique ids, tables with alignment classes.

import RNNTestSupport
import XCTest
@testable import RNNRendering

final class HTMLReportTests: XCTestCase {
    private func report() -> HTMLReport {
        var r = HTMLReport(title: "Sweep <hidden> & tying")
        r.heading("Results")
        r.paragraph("Mean ± std over 3 seeds; \"tied\" wins & it's <clear>.")
        var t = MarkdownTable(columns: [.init("model"), .init("ppl", alignment: .right)])
        t.append(["tied", "142.31 ± 1.07"])
        t.append(["<untied>", "150.00"])
        r.table(t, caption: "Final perplexity")
        let chart = LineChart(title: "loss", xLabel: "tokens", yLabel: "loss",
                              series: [ChartSeries(name: "train", xy: [(0, 6), (1000, 5)])])
        r.figure(SVGFigure(panels: [chart, chart], columns: 2), caption: "curves")
        r.figure(chart)
        r.heading("Config", level: 3)
        r.preformatted("model:\n  hidden_size: 256\n  note: <a & b>\n")
        return r
    }

    func testWellFormedAndSelfContained() {
        let html = report().render()
        let xml = assertWellFormedXML(html)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n"))
        XCTAssertFalse(html.contains("http://"))
        XCTAssertFalse(html.contains("https://"))
        XCTAssertEqual(xml.count(of: "script"), 0)
        XCTAssertEqual(xml.count(of: "link"), 0)
        XCTAssertEqual(xml.count(of: "img"), 0)
        XCTAssertEqual(xml.count(of: "style"), 1)
        XCTAssertEqual(xml.count(of: "svg"), 2)
        XCTAssertEqual(xml.count(of: "figure"), 2)
        assertNoNonFiniteNumbers(html)
    }

    func testEscaping() {
        let html = report().render()
        XCTAssertTrue(html.contains("<title>Sweep &lt;hidden&gt; &amp; tying</title>"))
        XCTAssertTrue(html.contains("<h1>Sweep &lt;hidden&gt; &amp; tying</h1>"))
        XCTAssertTrue(html.contains("<p>Mean ± std over 3 seeds; &quot;tied&quot; wins &amp; it&#39;s &lt;clear&gt;.</p>"))
        XCTAssertTrue(html.contains("<td class=\"l\">&lt;untied&gt;</td>"))
    }

    func testTablesKeepAlignmentAndPreKeepsWhitespace() {
        let html = report().render()
        XCTAssertTrue(html.contains("<th class=\"r\">ppl</th>"))
        XCTAssertTrue(html.contains("<td class=\"r\">142.31 ± 1.07</td>"))
        XCTAssertTrue(html.contains("<caption>Final perplexity</caption>"))
        XCTAssertTrue(html.contains("<pre>model:\n  hidden_size: 256\n  note: &lt;a &amp; b&gt;\n</pre>"))
        XCTAssertTrue(html.contains("<h3>Config</h3>"))
    }

    func testFigureIdsAreUniqueAcrossThePage() {
        let xml = parseXML(report().render())
        let ids = xml.elements.compactMap { $0.attributes["id"] }
        XCTAssertEqual(ids, ["fig1-p1-plot-area", "fig1-p1-plot-marks", "fig1-p2-plot-area", "fig1-p2-plot-marks",
                             "fig2-plot-area", "fig2-plot-marks"])
        XCTAssertEqual(Set(ids).count, ids.count)
        let references = xml.elements.compactMap { $0.attributes["clip-path"] }
        XCTAssertTrue(references.allSatisfy { ref in ids.contains { ref == "url(#\($0))" } })
    }

    func testDeterministic() {
        XCTAssertEqual(report().render(), report().render())
    }
}
