// `rnnlab report`: compare runs — a sweep folder, experiment folders or run folders — and write
// report.md, report.html, runs.csv and SVG plots. The work is ComparisonReport's; this file
// parses the command line and prints the tables.

import ArgumentParser
import Foundation
import RNNExperiments

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare runs: a table sorted by validation perplexity, tied vs untied, and plots.",
        discussion: [
            "Each DIR is a sweep or experiment folder (results/<experiment>), a results root, or a run folder; every folder "
                + "with a summary.json up to \(RunDiscovery.maxDepth) levels down is a run. The keys whose values differ between "
                + "the runs' config.yaml files are the swept keys.",
            "Writes into the output folder: report.md, report.html (self-contained, figures inline), runs.csv, valid-curves.svg "
                + "(validation perplexity per group of otherwise equal runs) and ppl-vs-<key>.svg (test perplexity against each "
                + "numeric swept key, tied and untied as two lines, mean ± std over seeds). Prints the runs table and the "
                + "tied-vs-untied table.",
        ].joined(separator: "\n\n"))

    @Argument(help: "Folders holding runs.")
    var directories: [String]

    @Option(help: "Where to write the report (default: the first folder).")
    var output: String?

    func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give at least one folder holding runs, e.g. rnnlab report results/tied-vs-untied") }
    }

    func run() throws {
        do {
            let report = try ComparisonReport.gather(directories: directories)
            let written = try report.write(to: output ?? directories[0])
            say(report.title)
            say("")
            say(report.runsTable().plainText(), terminator: "")
            if let pairs = report.pairsTable() {
                say("")
                say("tied vs untied (test perplexity, mean ± std over seeds):")
                say(pairs.plainText(), terminator: "")
            }
            for note in report.notes { say("note: \(note)") }
            say("")
            say("wrote " + written.joined(separator: ", "))
        } catch { throw fail(error) }
    }
}
