// ReportRun: one run folder as a report reads it — summary.json, the resolved config.yaml as
// dotted keys, and the validation curve from evals.csv. A run killed mid-write leaves at most an
// unfinished last CSV line, which is skipped. It will not compare runs (ComparisonReport does).

import Foundation
import RNNYAML
import RNNRendering

/// A run, read from its folder.
public struct ReportRun: Sendable, Equatable {
    /// The folder, as found.
    public var path: String
    public var summary: RunSummary
    /// config.yaml as `(dotted key, one-line value)` pairs in file order; empty when missing.
    public var config: [(key: String, value: String)]
    /// Validation perplexity against tokens seen (x: tokens, y: perplexity), from evals.csv.
    public var validCurve: [ChartPoint]
    /// The gradient-through-time curves (x: distance, y: mean gradient norm) by recorded step,
    /// from gradients.csv; empty when the run did not record them.
    public var gradientCurves: [(step: Int, points: [ChartPoint])]

    public init(path: String, summary: RunSummary, config: [(key: String, value: String)], validCurve: [ChartPoint],
                gradientCurves: [(step: Int, points: [ChartPoint])] = []) {
        self.gradientCurves = gradientCurves
        self.path = path
        self.summary = summary
        self.config = config
        self.validCurve = validCurve
    }

    /// The value of the dotted config key `key`, if the run has it.
    public func value(_ key: String) -> String? {
        config.first(where: { $0.key == key })?.value
    }

    /// Best validation perplexity, when measured and finite.
    public var bestValid: Double? { summary.bestValidPPL.flatMap { $0.isFinite ? $0 : nil } }
    /// Test perplexity (best-on-valid weights), when measured and finite.
    public var test: Double? { summary.testPPL.flatMap { $0.isFinite ? $0 : nil } }

    public static func == (a: ReportRun, b: ReportRun) -> Bool {
        a.path == b.path && a.summary == b.summary && a.validCurve == b.validCurve
            && a.config.map(\.key) == b.config.map(\.key) && a.config.map(\.value) == b.config.map(\.value)
    }

    /// Reads the run in `folder`.
    /// - Returns: the run and notes on what was missing or skipped (config.yaml, evals.csv).
    /// - Throws: `ExperimentError` when summary.json cannot be read: then it is not a run.
    public static func read(folder: String) throws -> (run: ReportRun, notes: [String]) {
        let summaryPath = (folder as NSString).appendingPathComponent("summary.json")
        let summary: RunSummary
        do { summary = try RunSummary.read(path: summaryPath) } catch let error as ExperimentError {
            throw error
        } catch {
            throw ExperimentError("\(summaryPath) is not a run summary (\(describe(error)))")
        }
        var notes: [String] = []
        var config: [(key: String, value: String)] = []
        let configPath = (folder as NSString).appendingPathComponent("config.yaml")
        do {
            config = flattenConfig(try YAMLDocument.load(path: configPath))
        } catch {
            notes.append("\(configPath) cannot be read (\(error)); its settings are left out")
        }
        var curve: [ChartPoint] = []
        let evalsPath = (folder as NSString).appendingPathComponent("evals.csv")
        if FileManager.default.fileExists(atPath: evalsPath) {
            do {
                let table = try CSVReader.read(contentsOf: URL(fileURLWithPath: evalsPath))
                curve = validCurve(table)
            } catch {
                notes.append("\(error) Its validation curve is left out.")
            }
        }
        let gradients = MetricsRecorder.gradientCurves(directory: folder).map { curve in
            (step: curve.step, points: curve.points.filter { $0.1 > 0 }.map { ChartPoint(x: $0.0, y: $0.1) })
        }
        return (ReportRun(path: folder, summary: summary, config: config, validCurve: curve, gradientCurves: gradients), notes)
    }

    /// The `valid` rows of an evals.csv table as (tokens, ppl), skipping rows that do not parse.
    static func validCurve(_ table: CSVTable) -> [ChartPoint] {
        guard let split = table.columnIndex("split"), let tokens = table.columnIndex("tokens"),
              let ppl = table.columnIndex("ppl") else { return [] }
        return table.rows.compactMap { row in
            guard row[split] == "valid", let x = Double(row[tokens]), let y = Double(row[ppl]) else { return nil }
            return ChartPoint(x: x, y: y)
        }
    }
}
