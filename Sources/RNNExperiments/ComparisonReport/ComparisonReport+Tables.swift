// ComparisonReport+Tables: the runs table (markdown, terminal and CSV) and the tied-vs-untied
// table. Perplexities have 3 decimals, throughput none; the CSV keeps full precision.

import Foundation
import RNNRendering

extension ComparisonReport {
    /// One row per run, sorted as `runs`: name, swept keys, parameters, best valid and test
    /// perplexity, training tokens per second, status. Missing values read `-`.
    ///
    /// The `run` column shows only the part of each run's name that the swept-key columns do not
    /// (a sweep names its runs `tied=true,hidden_size=64,seed=2`, which would repeat them), and
    /// is left out when the columns say it all; runs.csv keeps the full names.
    public func runsTable() -> MarkdownTable {
        let names = runs.map(tableName)
        let showNames = names.contains { !$0.isEmpty }
        var columns: [MarkdownTable.Column] = showNames ? [.init("run")] : []
        columns += swept.keys.map { .init(swept.label($0)) }
        columns += [.init("params", alignment: .right), .init("best valid ppl", alignment: .right),
                    .init("test ppl", alignment: .right)]
        // Generated data whose floor differs between runs (each seed draws its own language).
        let showFloors = commonFloor == nil && runs.contains { $0.summary.floorPPL != nil }
        if showFloors { columns.append(.init("floor ppl", alignment: .right)) }
        columns += [.init("tokens/s", alignment: .right), .init("status")]
        var table = MarkdownTable(columns: columns)
        for (run, name) in zip(runs, names) {
            let s = run.summary
            table.append((showNames ? [name.isEmpty ? "-" : name] : []) + swept.keys.map { run.value($0) ?? "-" } + [
                String(s.params), ppl(run.bestValid), ppl(run.test),
            ] + (showFloors ? [ppl(s.floorPPL)] : []) + [NumberFormat.fixed(s.trainTokensPerSec, decimals: 0), s.status.rawValue])
        }
        return table
    }

    /// runs.csv: one row per run, sorted as `runs`, with the swept keys under their full dotted
    /// names and numbers in their shortest exact spelling (empty when missing).
    public func runsCSV() -> String {
        var csv = CSVWriter(header: ["experiment", "run", "path"] + swept.keys + [
            "params", "best_valid_ppl", "valid_ppl", "test_ppl", "floor_ppl", "train_tokens_per_sec",
            "wall_seconds", "steps", "tokens_trained", "status",
        ])
        func number(_ x: Double?) -> String { x.map(NumberFormat.shortest) ?? "" }
        for run in runs {
            let s = run.summary
            csv.append([s.experiment, s.run, run.path] + swept.keys.map { run.value($0) ?? "" } + [
                String(s.params), number(s.bestValidPPL), number(s.validPPL), number(s.testPPL), number(s.floorPPL),
                number(s.trainTokensPerSec), number(s.wallSeconds), String(s.steps), String(s.tokensTrained), s.status.rawValue,
            ])
        }
        return csv.text
    }

    /// One row per tied/untied pair: the other swept keys, test perplexity mean ± std over seeds
    /// on each side, the difference tied − untied (± std of the per-seed differences), both
    /// parameter counts and the seeds measured. Nil when there is no pair.
    public func pairsTable() -> MarkdownTable? {
        guard !pairs.isEmpty else { return nil }
        var table = MarkdownTable(columns: [
            .init("group"), .init("tied test ppl", alignment: .right), .init("untied test ppl", alignment: .right),
            .init("Δ tied − untied", alignment: .right), .init("tied params", alignment: .right),
            .init("untied params", alignment: .right), .init("seeds (tied + untied)", alignment: .right),
        ])
        for pair in pairs {
            let t = pair.tiedTest, u = pair.untiedTest
            var delta = pair.difference.map { NumberFormat.fixed($0, decimals: 3) } ?? "-"
            if let d = pair.differenceDeviation { delta += " ± " + NumberFormat.fixed(d, decimals: 3) }
            table.append([
                pair.group.isEmpty ? "all" : pair.group,
                t?.formatted(decimals: 3) ?? "-", u?.formatted(decimals: 3) ?? "-", delta,
                pair.tiedParams.map(String.init) ?? "-", pair.untiedParams.map(String.init) ?? "-",
                "\(t?.count ?? 0) + \(u?.count ?? 0)",
            ])
        }
        return table
    }

    /// `displayName(run)` without the comma-separated `label=value` parts whose label is a
    /// swept-key column.
    private func tableName(_ run: ReportRun) -> String {
        let labels = Set(swept.keys.map(swept.label))
        let name = displayName(run)
        let slash = name.lastIndex(of: "/").map { name.index(after: $0) } ?? name.startIndex
        let kept = name[slash...].split(separator: ",").filter { part in
            guard let equals = part.firstIndex(of: "=") else { return true }
            return !labels.contains(String(part[..<equals]))
        }
        return kept.isEmpty && slash == name.startIndex ? "" : String(name[..<slash]) + kept.joined(separator: ",")
    }

    private func ppl(_ x: Double?) -> String {
        x.map { NumberFormat.fixed($0, decimals: 3) } ?? "-"
    }
}
