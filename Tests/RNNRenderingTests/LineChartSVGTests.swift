// Tests for LineChart / SVGFigure SVG output: well-formed XML, no NaN or infinity, edge cases
// (single point, equal values, empty and non-finite data, huge ranges), escaping, determinism.

import RNNTestSupport
import XCTest
@testable import RNNRendering

final class LineChartSVGTests: XCTestCase {
    /// A training-curve chart like the runner draws: loss per step and sparse validation points.
    private func trainingChart() -> LineChart {
        let train = (1...200).map { i in ChartPoint(x: Double(i) * 5_000, y: 7.5 * exp(-Double(i) / 60) + 5.1) }
        let valid = (1...5).map { e in ChartPoint(x: Double(e) * 200_000, y: 7.5 * exp(-Double(e) * 40 / 60) + 5.3) }
        return LineChart(title: "ptb / tied-256", xLabel: "tokens seen", yLabel: "loss (nats)",
                         series: [ChartSeries(name: "train", points: train),
                                  ChartSeries(name: "valid", points: valid, markers: true)],
                         referenceLine: ReferenceLine(y: 4.9, label: "entropy floor 4.9"))
    }

    func testNormalChartIsWellFormedAndComplete() {
        let svg = trainingChart().svg()
        let xml = assertWellFormedXML(svg)
        assertNoNonFiniteNumbers(svg)
        XCTAssertEqual(xml.elements.first?.name, "svg")
        XCTAssertEqual(xml.elements.first?.attributes["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertEqual(xml.elements.first?.attributes["viewBox"], "0 0 640 400")
        XCTAssertEqual(xml.count(of: "polyline"), 2)
        XCTAssertEqual(xml.count(of: "circle"), 5 + 1)  // valid markers + its legend marker
        XCTAssertTrue(svg.contains(">entropy floor 4.9</text>"))
        XCTAssertTrue(svg.contains(">train</text>") && svg.contains(">valid</text>"))
        XCTAssertTrue(svg.contains(">1M</text>"), "x ticks use SI suffixes")
        XCTAssertTrue(svg.contains("fill=\"#0072B2\"") && svg.contains("fill=\"#D55E00\""), "palette order")
        XCTAssertFalse(svg.contains("no data"))
    }

    func testOutputIsDeterministic() {
        XCTAssertEqual(trainingChart().svg(), trainingChart().svg())
        let first = trainingChart().svg().split(separator: "\n").first
        XCTAssertEqual(first, #"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400" font-family="sans-serif" font-size="11" role="img">"#)
    }

    func testLogAxisPerplexity() {
        let points = [ChartPoint(x: 1e4, y: 9000), ChartPoint(x: 1e5, y: 900), ChartPoint(x: 1e6, y: 210)]
        let chart = LineChart(title: "valid ppl", xLabel: "tokens", yLabel: "perplexity",
                              series: [ChartSeries(name: "valid", points: points, markers: true)],
                              xScale: .logarithmic, yScale: .logarithmic,
                              referenceLine: ReferenceLine(y: 150, label: "floor"))
        let svg = chart.svg()
        assertWellFormedXML(svg)
        assertNoNonFiniteNumbers(svg)
        for label in ["100", "200", "500", "1k", "2k", "5k", "10k", "100k", "1M"] {
            XCTAssertTrue(svg.contains(">\(label)</text>"), "missing tick label \(label)")
        }
    }

    func testEdgeCasesNeverProduceNaN() {
        let cases: [(String, LineChart)] = [
            ("single point", LineChart(title: "one", xLabel: "x", yLabel: "y",
                                       series: [ChartSeries(name: "s", points: [ChartPoint(x: 3, y: 4)])])),
            ("all equal y", LineChart(title: "flat", xLabel: "x", yLabel: "y",
                                      series: [ChartSeries(name: "s", xy: [(0, 2), (1, 2), (2, 2)])])),
            ("all equal x and y", LineChart(title: "dot", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "s", xy: [(1, 1), (1, 1)])],
                                            xScale: .logarithmic, yScale: .logarithmic)),
            ("empty series", LineChart(title: "empty", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "s", points: [])])),
            ("no series", LineChart(title: "", xLabel: "x", yLabel: "y", xScale: .logarithmic)),
            ("non-finite", LineChart(title: "nf", xLabel: "x", yLabel: "y", series: [
                ChartSeries(name: "s", xy: [(.nan, 1), (1, .infinity), (2, -.infinity), (3, .nan)]),
                ChartSeries(name: "t", points: [ChartPoint(x: 0, y: 1, yError: .nan), ChartPoint(x: 1, y: 2, yError: .infinity)]),
            ], referenceLine: ReferenceLine(y: .nan, label: "bad"))),
            ("huge linear", LineChart(title: "huge", xLabel: "x", yLabel: "y",
                                      series: [ChartSeries(name: "s", xy: [(-1.7e308, -1.7e308), (0, 0), (1.7e308, 1.7e308)])])),
            ("huge log", LineChart(title: "huge log", xLabel: "x", yLabel: "y",
                                   series: [ChartSeries(name: "s", xy: [(.leastNonzeroMagnitude, 1e-300), (.greatestFiniteMagnitude, 1e300)])],
                                   xScale: .logarithmic, yScale: .logarithmic)),
            ("non-positive on log", LineChart(title: "log", xLabel: "x", yLabel: "y",
                                              series: [ChartSeries(name: "s", xy: [(1, 0), (2, -5), (3, 10), (4, 20)])], yScale: .logarithmic)),
            ("tiny range", LineChart(title: "tiny", xLabel: "x", yLabel: "y",
                                     series: [ChartSeries(name: "s", xy: [(1, 1), (1 + 1e-15, 1 + 2e-16), (1 + 2e-15, 1 + 4e-16)])])),
            ("outside fixed domain", LineChart(title: "fixed", xAxis: ChartAxis(label: "x"),
                                               yAxis: ChartAxis(label: "y", domain: 0...1),
                                               series: [ChartSeries(name: "s", xy: [(0, 0.5), (1, 1e300), (2, -1e300)])],
                                               referenceLines: [ReferenceLine(y: 5, label: "outside")])),
        ]
        for (name, chart) in cases {
            let svg = chart.svg()
            let xml = parseXML(svg)
            XCTAssertTrue(xml.wellFormed, "\(name): \(xml.errorDescription)")
            XCTAssertFalse(svg.lowercased().contains("nan"), "\(name) contains nan")
            XCTAssertFalse(svg.lowercased().contains("inf"), "\(name) contains inf")
        }
    }

    func testSinglePointGetsAMarker() {
        let chart = LineChart(title: "one", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "s", points: [ChartPoint(x: 3, y: 4)])])
        let xml = parseXML(chart.svg())
        XCTAssertEqual(xml.count(of: "circle"), 2, "the point and its legend dot")
        XCTAssertEqual(xml.count(of: "polyline"), 0)
    }

    func testEmptyChartShowsAxesAndNoDataNote() {
        let chart = LineChart(title: "empty", xLabel: "tokens", yLabel: "loss", series: [ChartSeries(name: "train", points: [])])
        let svg = chart.svg()
        XCTAssertTrue(svg.contains(">no data</text>"))
        XCTAssertTrue(svg.contains(">train (no data)</text>"))
        XCTAssertTrue(svg.contains(">tokens</text>") && svg.contains(">loss</text>"))
        XCTAssertTrue(svg.contains(">0.0</text>") && svg.contains(">1.0</text>"), "default 0...1 axis ticks")
    }

    func testNonFinitePointsBreakTheLine() {
        let chart = LineChart(title: "gap", xLabel: "x", yLabel: "y",
                              series: [ChartSeries(name: "s", xy: [(0, 1), (1, 2), (2, .nan), (3, 3), (4, 4)])])
        let xml = parseXML(chart.svg())
        XCTAssertEqual(xml.count(of: "polyline"), 2)
        XCTAssertEqual(xml.attributes(of: "polyline").map { $0["points"]?.split(separator: " ").count }, [2, 2])
    }

    func testTextIsEscaped() {
        let chart = LineChart(title: "a < b & \"c\"", xLabel: "x's", yLabel: "y>0",
                              series: [ChartSeries(name: "<script>\u{1}", xy: [(0, 0), (1, 1)])])
        let svg = chart.svg()
        assertWellFormedXML(svg)
        XCTAssertTrue(svg.contains("a &lt; b &amp; &quot;c&quot;"))
        XCTAssertTrue(svg.contains("&lt;script&gt;\u{FFFD}"))
        XCTAssertFalse(svg.contains("<script"))
    }

    func testManySeriesCycleColoursWithDashes() {
        let series = (0..<10).map { i in ChartSeries(name: "s\(i)", xy: [(0, Double(i)), (1, Double(i) + 1)]) }
        let svg = LineChart(title: "many", xLabel: "x", yLabel: "y", series: series).svg()
        let xml = assertWellFormedXML(svg)
        let groups = xml.attributes(of: "g").filter { $0["stroke"] == ChartPalette.colors[0] }
        XCTAssertEqual(groups.count, 2)
        XCTAssertEqual(groups.last?["stroke-dasharray"], "6 3")
    }

    func testFigureWithTwoPanelsSideBySide() {
        let loss = trainingChart()
        var ppl = trainingChart()
        ppl.title = "validation perplexity"
        ppl.yAxis = ChartAxis(label: "perplexity", scale: .logarithmic)
        let figure = SVGFigure(panels: [loss, ppl], columns: 2)
        XCTAssertEqual(figure.width, 1280)
        XCTAssertEqual(figure.height, 400)
        let svg = figure.svg()
        let xml = assertWellFormedXML(svg)
        assertNoNonFiniteNumbers(svg)
        let ids = xml.elements.compactMap { $0.attributes["id"] }
        XCTAssertEqual(ids, ["p1-plot-area", "p1-plot-marks", "p2-plot-area", "p2-plot-marks"])
        XCTAssertTrue(svg.contains("transform=\"translate(640 0)\""))
        XCTAssertTrue(svg.contains("<title>ptb / tied-256 | validation perplexity</title>"))

        let stacked = SVGFigure(panels: [loss, ppl, loss], columns: 1)
        XCTAssertEqual(stacked.width, 640)
        XCTAssertEqual(stacked.height, 1200)
        XCTAssertTrue(stacked.svg().contains("transform=\"translate(0 800)\""))
    }

    func testSweepChartPlotsMeanWithErrorBars() {
        let tied = SweepLine(name: "tied", samples: [
            SweepSample(x: 256, values: [150, 152, 154]),
            SweepSample(x: 64, values: [200, 210]),
            SweepSample(x: 128, values: [170]),
        ])
        let untied = SweepLine(name: "untied", samples: [SweepSample(x: 64, values: [220, 230]), SweepSample(x: 256, values: [160, .nan])])
        let chart = LineChart.sweep(title: "ppl vs hidden size", xLabel: "hidden size", yLabel: "valid ppl",
                                    lines: [tied, untied], xScale: .logarithmic)
        XCTAssertEqual(chart.series[0].points.map(\.x), [64, 128, 256])
        XCTAssertEqual(chart.series[0].points.map(\.y), [205, 170, 152])
        XCTAssertEqual(chart.series[0].points[2].yError, 2)
        XCTAssertNil(chart.series[0].points[1].yError, "one seed: no error bar")
        XCTAssertEqual(chart.xAxis.ticks, .explicit([64, 128, 256]))
        let svg = chart.svg()
        let xml = assertWellFormedXML(svg)
        assertNoNonFiniteNumbers(svg)
        for label in ["64", "128", "256"] { XCTAssertTrue(svg.contains(">\(label)</text>")) }
        // Error bars: tied 64 and 256, untied 64 (its 256 mean is NaN): 3 bars × (stem + 2 caps).
        let barLines = xml.attributes(of: "line").filter { $0["stroke-dasharray"] == "none" }
        XCTAssertEqual(barLines.count, 9)
    }
}
