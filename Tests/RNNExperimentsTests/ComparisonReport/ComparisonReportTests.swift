// Tests for `rnnlab report`'s logic on hand-made results folders: finding runs, the swept keys,
// sorting, tied/untied pairing with mean ± std over seeds, tolerance of a truncated evals.csv,
// well-formed HTML and SVG, and byte-identical output for the same runs.

import RNNTestSupport
import XCTest
import RNNRendering
@testable import RNNExperiments

final class ComparisonReportTests: XCTestCase {
    private var fixtures: ReportFixtures!

    override func setUpWithError() throws {
        fixtures = ReportFixtures()
        try fixtures.standardSweep()
    }

    override func tearDown() {
        fixtures.remove()
    }

    private var experimentFolder: String { fixtures.root + "/exp" }

    func testFindsRunsAndSweptKeys() throws {
        try FileManager.default.createDirectory(atPath: experimentFolder + "/.locks/ignored", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: experimentFolder + "/.locks/ignored/summary.json"))
        let report = try ComparisonReport.gather(directories: [fixtures.root])
        XCTAssertEqual(report.runs.count, 8)
        // description, name and training.threads differ too, but are not settings that change results.
        XCTAssertEqual(report.swept.keys, ["model.embedding_size", "model.hidden_size", "model.tied", "seed"])
        XCTAssertEqual(report.swept.label("model.hidden_size"), "hidden_size")
        XCTAssertEqual(report.statusCounts, "7 completed, 1 diverged")
        XCTAssertEqual(report.commonFloor, 5.0)
    }

    func testRunsTableIsSortedByBestValidPerplexity() throws {
        let report = try ComparisonReport.gather(directories: [experimentFolder])
        XCTAssertEqual(report.runs.map(\.summary.run),
                       ["h100-t-s1", "h100-u-s1", "h100-t-s2", "h20-t-s1", "h20-t-s2", "h20-u-s2", "h20-u-s1", "h100-u-s2"])
        let table = report.runsTable()
        XCTAssertEqual(table.columns.map(\.title),
                       ["run", "embedding_size", "hidden_size", "tied", "seed", "params", "best valid ppl", "test ppl", "tokens/s", "status"])
        XCTAssertEqual(table.rows[0], ["h100-t-s1", "100", "100", "true", "1", "5000", "79.000", "80.000", "1100", "completed"])
        XCTAssertEqual(table.rows[7], ["h100-u-s2", "100", "100", "false", "2", "9000", "-", "-", "1100", "diverged"])
    }

    func testRunsTableLeavesOutNamePartsThatAreColumns() throws {
        // A sweep names runs after its overrides; the table shows those as columns already.
        for (tied, seed) in [(true, 1), (false, 1), (true, 2)] {
            try fixtures.run("tied=\(tied),hidden_size=\(20 + seed),seed=\(seed)", experiment: "sweep", hidden: 20 + seed,
                             tied: tied, seed: UInt64(seed), bestValid: 90, test: 91, params: 500)
        }
        let swept = try ComparisonReport.gather(directories: [fixtures.root + "/sweep"]).runsTable()
        XCTAssertEqual(swept.columns.map(\.title),
                       ["embedding_size", "hidden_size", "tied", "seed", "params", "best valid ppl", "test ppl", "tokens/s", "status"])
        // A part that is not a column (here: a name given by hand) stays, in the run column.
        try fixtures.run("baseline", experiment: "sweep", hidden: 30, tied: true, seed: 1, bestValid: 95, test: 96, params: 500)
        let mixed = try ComparisonReport.gather(directories: [fixtures.root + "/sweep"]).runsTable()
        XCTAssertEqual(mixed.columns.first?.title, "run")
        XCTAssertEqual(mixed.rows.map { $0[0] }.sorted(), ["-", "-", "-", "baseline"])
        XCTAssertFalse(mixed.columns.map(\.title).contains("floor ppl"), "one floor for all: said once, above the table")
    }

    func testRunsTableShowsEachFloorWhenTheyDiffer() throws {
        try fixtures.run("a", experiment: "floors", hidden: 20, tied: true, seed: 1, bestValid: 90, test: 91, params: 500, floor: 50)
        try fixtures.run("b", experiment: "floors", hidden: 20, tied: true, seed: 2, bestValid: 92, test: 93, params: 500, floor: 60.25)
        let report = try ComparisonReport.gather(directories: [fixtures.root + "/floors"])
        let table = report.runsTable()
        XCTAssertEqual(table.columns.map(\.title), ["run", "seed", "params", "best valid ppl", "test ppl", "floor ppl", "tokens/s", "status"])
        XCTAssertEqual(table.rows.map { $0[5] }, ["50.000", "60.250"])
        XCTAssertTrue(report.introduction.contains("The runs' data have different entropy floors (the best perplexity any model can reach), from 50.000 to 60.250: see the floor column."), "\(report.introduction)")
    }

    func testPairsTiedWithUntiedAndSummarisesOverSeeds() throws {
        let report = try ComparisonReport.gather(directories: [experimentFolder])
        XCTAssertEqual(report.pairs.map(\.group), ["embedding_size=20, hidden_size=20", "embedding_size=100, hidden_size=100"])
        let small = report.pairs[0]
        XCTAssertEqual(small.tied.map(\.summary.run), ["h20-t-s1", "h20-t-s2"])
        XCTAssertEqual(small.untied.map(\.summary.run), ["h20-u-s1", "h20-u-s2"])
        XCTAssertEqual(small.tiedTest?.mean, 102)
        XCTAssertEqual(small.tiedTest?.standardDeviation ?? 0, 8.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(small.untiedTest?.mean, 108)
        XCTAssertEqual(small.difference, -6)
        XCTAssertEqual(small.differenceDeviation ?? 0, 32.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(small.tiedParams, 500)
        XCTAssertEqual(small.untiedParams, 900)
        // The diverged seed has no test perplexity: one untied value, no std, no paired deviation.
        let large = report.pairs[1]
        XCTAssertEqual(large.untiedTest?.count, 1)
        XCTAssertNil(large.untiedTest?.standardDeviation)
        XCTAssertEqual(large.difference, 0)
        XCTAssertNil(large.differenceDeviation)

        let table = try XCTUnwrap(report.pairsTable())
        XCTAssertEqual(table.rows, [
            ["embedding_size=20, hidden_size=20", "102.000 ± 2.828", "108.000 ± 2.828", "-6.000 ± 5.657", "500", "900", "2 + 2"],
            ["embedding_size=100, hidden_size=100", "85.000 ± 7.071", "85.000", "0.000", "5000", "9000", "2 + 1"],
        ])
    }

    func testNoPairsWithoutTiedAndUntied() throws {
        let other = ReportFixtures()
        defer { other.remove() }
        try other.run("a", hidden: 10, tied: true, seed: 1, bestValid: 50, test: 51, params: 10)
        try other.run("b", hidden: 20, tied: true, seed: 1, bestValid: 40, test: 41, params: 20)
        let report = try ComparisonReport.gather(directories: [other.root])
        XCTAssertTrue(report.pairs.isEmpty)
        XCTAssertNil(report.pairsTable())
        XCTAssertTrue(report.markdown(figures: []).contains("No runs differ only in model.tied."))
    }

    func testAComponentSweptByNameIsLabelledBySlot() {
        let swept = SweptKeys(keys: ["model.activation.name", "training.optimizer.name", "training.optimizer.lr", "seed"])
        XCTAssertEqual(swept.label("model.activation.name"), "activation")
        XCTAssertEqual(swept.label("training.optimizer.name"), "optimizer")
        XCTAssertEqual(swept.label("training.optimizer.lr"), "lr")
        // Two slots with the same last part keep their full keys, as other keys do.
        XCTAssertEqual(SweptKeys(keys: ["model.init.input.name", "data.input.name"]).label("data.input.name"), "data.input")
    }

    func testGridValuesAreNeverAveragedIntoOnePoint() throws {
        // Two numeric keys set together in a sweep's sets, not one-to-one: hidden 20 with lr 1
        // and lr 3, hidden 100 with lr 2. Each lr is one point; they are not a random search, so
        // hidden 20's two runs must stay two points, not one mean ± std as over seeds.
        let other = ReportFixtures()
        defer { other.remove() }
        for (name, hidden, lr, test) in [("a", 20, "1.0", 100.0), ("b", 100, "2.0", 80.0), ("c", 20, "3.0", 120.0)] {
            let folder = try other.run(name, hidden: hidden, tied: true, seed: 1, bestValid: test, test: test, params: hidden)
            let config = try String(contentsOfFile: folder + "/config.yaml", encoding: .utf8)
            try config.replacingOccurrences(of: "lr: 1.0", with: "lr: \(lr)").write(toFile: folder + "/config.yaml", atomically: true, encoding: .utf8)
        }
        let report = try ComparisonReport.gather(directories: [other.root])
        let chart = try XCTUnwrap(report.figures().first { $0.fileName == "ppl-vs-hidden_size.svg" }).figure.panels[0]
        XCTAssertEqual(chart.series.map(\.name), ["lr=1.0", "lr=2.0", "lr=3.0"])
        XCTAssertEqual(chart.series.map { $0.points.map(\.y) }, [[100], [80], [120]])
    }

    func testTruncatedEvalsAndMissingConfigAreTolerated() throws {
        try fixtures.run("no-config", hidden: 20, tied: true, seed: 3, bestValid: 120, test: 121, params: 500, config: false)
        let report = try ComparisonReport.gather(directories: [experimentFolder])
        let diverged = try XCTUnwrap(report.runs.first { $0.summary.run == "h100-u-s2" })
        XCTAssertEqual(diverged.validCurve, [ChartPoint(x: 200, y: 31)], "the unfinished last line is skipped")
        XCTAssertEqual(report.swept.keys, ["model.embedding_size", "model.hidden_size", "model.tied", "seed"],
                       "a run without a config does not make every key look swept")
        XCTAssertEqual(report.runs.first { $0.summary.run == "no-config" }.map { report.swept.describe($0, keys: ["model.hidden_size"]) },
                       "hidden_size=-")
        XCTAssertEqual(report.plottedKeys, ["model.hidden_size"])
        XCTAssertEqual(report.notes.count, 1)
        XCTAssertTrue(report.notes[0].hasPrefix("\(experimentFolder)/no-config/config.yaml cannot be read"), report.notes[0])
    }

    func testFiguresAndDocumentsAreWellFormedAndDeterministic() throws {
        let report = try ComparisonReport.gather(directories: [experimentFolder])
        let out = fixtures.root + "/out"
        let written = try report.write(to: out)
        XCTAssertEqual(written.map { ($0 as NSString).lastPathComponent },
                       ["report.md", "report.html", "runs.csv", "valid-curves.svg", "ppl-vs-hidden_size.svg"])
        func read(_ name: String) throws -> String { try String(contentsOfFile: out + "/" + name, encoding: .utf8) }

        let html = try read("report.html")
        let xml = assertWellFormedXML(html)
        XCTAssertEqual(xml.count(of: "svg"), 2)
        XCTAssertEqual(xml.count(of: "table"), 2)
        XCTAssertEqual(xml.count(of: "script"), 0)
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "self-contained")
        let curves = assertWellFormedXML(try read("valid-curves.svg"))
        XCTAssertEqual(curves.count(of: "svg"), 1)
        assertWellFormedXML(try read("ppl-vs-hidden_size.svg"))
        assertNoNonFiniteNumbers(try read("ppl-vs-hidden_size.svg"))

        let md = try read("report.md")
        XCTAssertTrue(md.contains("![Validation curves](valid-curves.svg)"))
        XCTAssertTrue(md.contains("| embedding_size=20, hidden_size=20   | 102.000 ± 2.828 |"), md)
        let csv = try CSVReader.read(contentsOf: URL(fileURLWithPath: out + "/runs.csv"))
        XCTAssertEqual(Array(csv.header.prefix(7)), ["experiment", "run", "path", "model.embedding_size", "model.hidden_size", "model.tied", "seed"])
        XCTAssertEqual(csv.rows.count, 8)

        // The same runs give the same bytes.
        let again = try ComparisonReport.gather(directories: [experimentFolder])
        let out2 = fixtures.root + "/out2"
        try again.write(to: out2)
        for name in ["report.md", "report.html", "runs.csv", "valid-curves.svg", "ppl-vs-hidden_size.svg"] {
            XCTAssertEqual(try read(name), try String(contentsOfFile: out2 + "/" + name, encoding: .utf8), name)
        }
    }

    func testSweepChartHasTiedAndUntiedLinesOverTheNumericKey() throws {
        let report = try ComparisonReport.gather(directories: [experimentFolder])
        // embedding_size changes with hidden_size: one chart, against hidden_size.
        XCTAssertEqual(report.plottedKeys, ["model.hidden_size"])
        let figures = report.figures()
        let sweep = try XCTUnwrap(figures.first { $0.fileName == "ppl-vs-hidden_size.svg" })
        let chart = sweep.figure.panels[0]
        XCTAssertEqual(chart.series.map(\.name), ["untied", "tied"])
        XCTAssertEqual(chart.series[1].points.map(\.x), [20, 100])
        XCTAssertEqual(chart.series[1].points.map(\.y), [102, 85])
        let curves = try XCTUnwrap(figures.first { $0.fileName == "valid-curves.svg" })
        XCTAssertEqual(curves.figure.panels.map(\.title), ["embedding_size=20, hidden_size=20", "embedding_size=100, hidden_size=100"])
        XCTAssertEqual(curves.figure.panels[0].series.map(\.name), ["untied, seed=1", "untied, seed=2", "tied, seed=1", "tied, seed=2"])
    }

    func testARunFolderGivenDirectlyAndMissingFolders() throws {
        let report = try ComparisonReport.gather(directories: [experimentFolder + "/h20-t-s1"])
        XCTAssertEqual(report.runs.map(\.summary.run), ["h20-t-s1"])
        XCTAssertEqual(report.swept.keys, [])
        XCTAssertThrowsError(try ComparisonReport.gather(directories: [fixtures.root + "/nope"])) { error in
            XCTAssertEqual("\(error)", "\(self.fixtures.root)/nope: no such folder; give a results folder, an experiment folder or run folders")
        }
        let empty = fixtures.root + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try ComparisonReport.gather(directories: [empty])) { error in
            XCTAssertEqual("\(error)", "\(empty): no run folders (folders with summary.json) within 3 levels; give the folder of a sweep or of runs")
        }
    }
}
