// ComparisonReport+Charts: the report's figures, built with LineChart — validation-perplexity
// curves overlaid per group of comparable runs, and test perplexity against each numeric swept
// key with one line per variant (tied and untied), mean ± std over seeds.

import Foundation
import RNNRendering

/// A figure of a report and the file it is written to.
public struct ReportFigure: Sendable, Equatable {
    /// File name inside the output folder, e.g. `valid-curves.svg`.
    public var fileName: String
    public var title: String
    public var caption: String
    public var figure: SVGFigure
}

extension ComparisonReport {
    /// Every figure: `valid-curves.svg` (when any run has a validation curve), then one
    /// `ppl-vs-<key>.svg` per numeric swept key.
    public func figures() -> [ReportFigure] {
        var out: [ReportFigure] = []
        if let curves = validCurvesFigure() { out.append(curves) }
        out += sweepFigures()
        if let gradients = gradientFigure() { out.append(gradients) }
        return out
    }

    /// Groups of runs that differ only in `model.tied` and the seed, in value order.
    func groups(excluding: Set<String>) -> [(label: String, runs: [ReportRun])] {
        let keys = swept.groupKeys(excluding: excluding)
        let ordered = runs.sorted(by: SweptKeys.runOrder(keys + [SweptKeys.tied, SweptKeys.seed]))
        var groups: [(label: String, runs: [ReportRun])] = []
        for run in ordered {
            let label = swept.describe(run, keys: keys)
            if let i = groups.firstIndex(where: { $0.label == label }) { groups[i].runs.append(run) }
            else { groups.append((label, [run])) }
        }
        return groups
    }

    /// One panel per group (runs alike except for `model.tied` and the seed), one line per run.
    func validCurvesFigure() -> ReportFigure? {
        guard runs.contains(where: { !$0.validCurve.isEmpty }) else { return nil }
        let inGroup = swept.keys.filter { $0 == SweptKeys.tied || $0 == SweptKeys.seed }
        let floor = commonFloor.map { ReferenceLine(y: $0, label: "entropy floor " + NumberFormat.fixed($0, decimals: 2)) }
        let panels = groups(excluding: [SweptKeys.tied]).map { group in
            LineChart(title: group.label.isEmpty ? "validation perplexity" : group.label,
                      xLabel: "tokens seen", yLabel: "validation perplexity",
                      series: group.runs.map { run in
                          let name = inGroup.isEmpty ? displayName(run) : swept.describe(run, keys: inGroup)
                          return ChartSeries(name: name, points: run.validCurve, markers: run.validCurve.count <= 20)
                      },
                      yScale: .logarithmic, referenceLine: floor)
        }
        return ReportFigure(fileName: "valid-curves.svg", title: "Validation curves",
                            caption: "Validation perplexity against tokens seen, one panel per group of otherwise equal runs.",
                            figure: SVGFigure(panels: panels, columns: panels.count > 1 ? 2 : 1))
    }

    /// Swept keys other than the seed and `model.tied` whose values are all numbers (in the
    /// runs that have a config), with at least two of them.
    var numericKeys: [String] {
        let configured = runs.filter { !$0.config.isEmpty }
        return swept.keys.filter { key in
            key != SweptKeys.seed && key != SweptKeys.tied
                && configured.allSatisfy { $0.value(key).flatMap(Double.init) != nil }
                && Set(configured.compactMap { $0.value(key) }).count > 1
        }
    }

    /// The numeric keys to plot against: of keys that always change together (embedding_size
    /// with hidden_size), only one — `model.hidden_size` if it is among them, else the first.
    var plottedKeys: [String] {
        var chosen: [String] = []
        for key in numericKeys {
            if let i = chosen.firstIndex(where: { changesWith($0, key) }) {
                if key == "model.hidden_size" { chosen[i] = key }
            } else {
                chosen.append(key)
            }
        }
        return chosen
    }

    /// Test perplexity against each numeric swept key: one line per combination of the other
    /// swept keys (tied and untied, say), a point per value at the mean over seeds ± std.
    func sweepFigures() -> [ReportFigure] {
        let numeric = numericKeys
        return plottedKeys.compactMap { x in
            // Numeric keys that change together with x do not make separate lines.
            let others = swept.groupKeys(excluding: [x]).filter { !(numeric.contains($0) && changesWith($0, x)) }
            var lines = sweepLines(x: x, others: others)
            // Keys drawn at random (a random search) make every combination of the others
            // unique, so each line would be one point: then the sampled keys do not split lines.
            // Only they: merging the values of a grid or set key would average different settings
            // into one point as if they were seeds.
            if lines.count > 1 && lines.allSatisfy({ $0.samples.count == 1 }) && others.contains(where: sampledKeys.contains) {
                lines = sweepLines(x: x, others: others.filter { !sampledKeys.contains($0) })
            }
            guard !lines.isEmpty else { return nil }
            let label = swept.label(x)
            let floor = commonFloor.map { ReferenceLine(y: $0, label: "entropy floor " + NumberFormat.fixed($0, decimals: 2)) }
            let chart = LineChart.sweep(title: "test perplexity against \(label)", xLabel: label, yLabel: "test perplexity",
                                        lines: lines, referenceLine: floor)
            return ReportFigure(fileName: "ppl-vs-\(Self.fileSafe(label)).svg", title: "Test perplexity against \(label)",
                                caption: "Mean over seeds with ± one sample standard deviation; completed runs only.",
                                figure: SVGFigure(panels: [chart]))
        }
    }

    /// Test perplexity against `x`, one line per combination of the keys `others`, a sample per
    /// value of x with every run's test perplexity at it.
    func sweepLines(x: String, others: [String]) -> [SweepLine] {
        let ordered = runs.sorted(by: SweptKeys.runOrder(others + [x]))
        var lines: [SweepLine] = []
        for run in ordered {
            guard let xv = run.value(x).flatMap(Double.init), let y = run.test else { continue }
            let name = others.isEmpty ? "test perplexity" : swept.describe(run, keys: others)
            if let i = lines.firstIndex(where: { $0.name == name }) {
                if let j = lines[i].samples.firstIndex(where: { $0.x == xv }) { lines[i].samples[j].values.append(y) }
                else { lines[i].samples.append(SweepSample(x: xv, values: [y])) }
            } else {
                lines.append(SweepLine(name: name, samples: [SweepSample(x: xv, values: [y])]))
            }
        }
        return lines
    }

    /// Whether `a` and `b` split the runs the same way (one determines the other).
    func changesWith(_ a: String, _ b: String) -> Bool {
        guard a != b else { return true }
        // Two keys drawn at random pair one-to-one only because each sample is drawn once.
        if sampledKeys.contains(a) && sampledKeys.contains(b) { return false }
        var ab: [String: String] = [:], ba: [String: String] = [:]
        for run in runs where !run.config.isEmpty {
            let x = run.value(a) ?? "", y = run.value(b) ?? ""
            if let seen = ab[x], seen != y { return false }
            if let seen = ba[y], seen != x { return false }
            ab[x] = y
            ba[y] = x
        }
        return true
    }

    static func fileSafe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." ? $0 : "_" })
    }
}
