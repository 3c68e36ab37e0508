// ComparisonReport+Documents: the files `rnnlab report` writes — report.md (tables and links to
// the SVGs), report.html (the same, self-contained, figures inline), runs.csv and the SVGs.
// No dates or absolute paths are added, so a report of the same runs is byte-identical.

import Foundation
import RNNRendering

extension ComparisonReport {
    /// The report's title.
    public var title: String {
        let names = experiments
        return "Report: " + (names.count == 1 ? names[0] : "\(names.count) experiments")
    }

    /// The opening sentences: how many runs, from where, their status and the swept keys.
    var introduction: [String] {
        var out = ["\(runs.count) run\(runs.count == 1 ? "" : "s") from \(directories.joined(separator: ", ")): \(statusCounts)."]
        if swept.keys.isEmpty {
            out.append("The runs have the same settings.")
        } else {
            out.append("Swept: " + swept.keys.map { swept.label($0) == $0 ? $0 : "\(swept.label($0)) (\($0))" }.joined(separator: ", ") + ".")
        }
        if let floor = commonFloor {
            out.append("Entropy floor of the data (the best perplexity any model can reach): \(NumberFormat.fixed(floor, decimals: 3)).")
        } else if let low = runs.compactMap(\.summary.floorPPL).min(), let high = runs.compactMap(\.summary.floorPPL).max() {
            out.append("The runs' data have different entropy floors (the best perplexity any model can reach), from \(NumberFormat.fixed(low, decimals: 3)) to \(NumberFormat.fixed(high, decimals: 3)): see the floor column.")
        }
        return out
    }

    static let runsExplanation = "Sorted by best validation perplexity. Test perplexity uses the best-on-validation weights; tokens/s counts training only."
    static let pairsExplanation = "Runs that differ only in model.tied (and the seed). Test perplexity, mean ± sample standard deviation over seeds; Δ is mean tied − mean untied (negative: tying helps) ± the standard deviation of the per-seed differences."

    /// report.md.
    public func markdown(figures: [ReportFigure]) -> String {
        var md = "# \(title)\n\n" + introduction.joined(separator: " ") + "\n\n"
        md += "## Runs\n\n\(Self.runsExplanation)\n\n" + runsTable().markdown() + "\n"
        md += "## Tied vs untied\n\n"
        if let pairs = pairsTable() {
            md += "\(Self.pairsExplanation)\n\n" + pairs.markdown() + "\n"
        } else {
            md += "No runs differ only in model.tied.\n\n"
        }
        for f in figures {
            md += "## \(f.title)\n\n![\(f.title)](\(f.fileName))\n\n\(f.caption)\n\n"
        }
        if !notes.isEmpty {
            md += "## Notes\n\n" + notes.map { "- \($0)\n" }.joined() + "\n"
        }
        return md
    }

    /// report.html: self-contained, figures inline.
    public func html(figures: [ReportFigure]) -> String {
        var page = HTMLReport(title: title)
        page.paragraph(introduction.joined(separator: " "))
        page.heading("Runs")
        page.paragraph(Self.runsExplanation)
        page.table(runsTable())
        page.heading("Tied vs untied")
        if let pairs = pairsTable() {
            page.paragraph(Self.pairsExplanation)
            page.table(pairs)
        } else {
            page.paragraph("No runs differ only in model.tied.")
        }
        for f in figures {
            page.heading(f.title)
            page.figure(f.figure, caption: f.caption)
        }
        if !notes.isEmpty {
            page.heading("Notes")
            for n in notes { page.paragraph(n) }
        }
        return page.render()
    }

    /// Writes report.md, report.html, runs.csv and the figures' SVGs into `folder` (created if
    /// needed), each atomically.
    /// - Returns: the paths written, in that order.
    /// - Throws: `ExperimentError` when the folder or a file cannot be written.
    @discardableResult
    public func write(to folder: String) throws -> [String] {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        catch { throw ExperimentError("cannot create the report folder \(folder): \(describe(error))") }
        let figures = figures()
        var files: [(String, String)] = [("report.md", markdown(figures: figures)), ("report.html", html(figures: figures)),
                                         ("runs.csv", runsCSV())]
        files += figures.map { ($0.fileName, $0.figure.svg()) }
        var written: [String] = []
        for (name, text) in files {
            let path = (folder as NSString).appendingPathComponent(name)
            do { try writeAtomically(text, to: path) } catch { throw ExperimentError(wrapping: error) }
            written.append(path)
        }
        return written
    }
}
