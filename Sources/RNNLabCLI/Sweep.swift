// `rnnlab sweep`: expand a sweep, check every run, then run them as child processes N at a time
// (or with --dry-run, list them). The work is SweepFile's and SweepExecutor's; this file parses
// the command line, prints progress and the final table, and picks the exit status.

import ArgumentParser
import Foundation
import RNNExperiments

struct Sweep: RegistryCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every run of a sweep, several at a time; run it again to resume.",
        discussion: [
            "FILE is an experiment file with a sweep section, or a sweep file that names a base experiment (see docs/sweeps.md). "
                + "Every run is checked before any starts. Runs go to <results>/<experiment name>/<run name>/, named after their "
                + "overrides (hidden_size=200,tied=true,seed=2); <results>/<experiment name>/sweep.yaml lists the command, every run "
                + "and its status. --set changes a key in every run; --set sweep.… changes the sweep (e.g. --set sweep.seeds=1).",
            "Each run is a child `rnnlab run` process. --jobs N runs N at once, each with max(1, cores / N) BLAS threads "
                + "(training.threads), where cores are those this process may use (its CPU affinity, e.g. Slurm's --cpus-per-task), "
                + "so workers × threads does not exceed the cores (unless --jobs does). A failed or diverged run does not stop the others.",
            "Running the same command again resumes: completed and diverged runs are skipped, killed, failed and interrupted ones "
                + "run again from scratch. --shard I/N runs runs I, I+N, I+2N, … (counting from 1), so the N tasks of a Slurm array "
                + "job (--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT) share out a sweep into one results tree; a lock per "
                + "run keeps two processes off the same run.",
            "Exit status: 0 when every run of the shard finished (completed or diverged), 1 when one did not (failed, or left "
                + "running elsewhere), 130 (143) when stopped by Ctrl-C (SIGTERM): running runs save a checkpoint and stop.",
        ].joined(separator: "\n\n"))

    @OptionGroup var experiment: ExperimentFileOptions

    @Option(help: "Results root folder.")
    var results = "results"

    @Option(help: "Runs at once; each gets max(1, cores / jobs) BLAS threads.")
    var jobs = 1

    @Flag(help: "List the runs and what would happen to each, without running anything.")
    var dryRun = false

    @Option(help: ArgumentHelp("Run only this share of the runs: shard I of N (from 1), e.g. 2/4.", valueName: "I/N"))
    var shard: String?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be an integer ≥ 1, got \(jobs)") }
        if let shard, SweepShard(parsing: shard) == nil {
            throw ValidationError("--shard \(shard) is not a shard; write I/N with 1 ≤ I ≤ N, e.g. --shard 2/4")
        }
    }

    func run(registry: ComponentRegistry) throws {
        let sweep: SweepFile
        do {
            sweep = try SweepFile.load(path: experiment.file, overrides: experiment.overrides, registry: registry)
        } catch { throw fail(error) }
        let stop = dryRun ? nil : StopSignal.install()
        let options = SweepOptions(
            resultsRoot: results, dataRoot: experiment.resolvedDataRoot, jobs: jobs, dryRun: dryRun,
            shard: shard.flatMap(SweepShard.init(parsing:)), executable: Self.executablePath(),
            command: ["rnnlab"] + CommandLine.arguments.dropFirst(), stopRequested: { stop?.requested ?? false })
        let root = SweepExecutor.root(of: sweep, resultsRoot: results)
        let shardRuns = options.shard.map { SweepPlan.shard(sweep.runs, shard: $0.index, of: $0.count).count } ?? sweep.runs.count
        say("\(sweep.experimentName): \(sweep.runs.count) run\(sweep.runs.count == 1 ? "" : "s")"
            + (options.shard.map { ", \(shardRuns) in shard \($0)" } ?? "") + " → \(root)")
        let outcome: [SweepRunResult]
        do {
            outcome = try SweepExecutor().run(sweep, options: options, log: { say("  " + $0) })
        } catch { throw fail(error) }

        if dryRun {
            printDryRun(outcome, sweep: sweep, options: options)
            return
        }
        say("")
        say(Self.table(outcome).plainText(), terminator: "")
        let unfinished = outcome.filter { !$0.status.isFinished }
        if let stop, stop.requested {
            say("stopped: \(unfinished.count) of \(outcome.count) runs did not finish; the same command runs them (stopped ones from the start).")
            throw ExitCode(stop.signal == SIGTERM ? 143 : 130)
        }
        guard !unfinished.isEmpty else {
            let diverged = outcome.filter { $0.status == .diverged }.count
            say("all \(outcome.count) runs finished (\(outcome.count - diverged) completed, \(diverged) diverged); compare them with: rnnlab report \(root)")
            return
        }
        let list = unfinished.map { "\($0.run.name) (\($0.status == .running ? "running in another process" : $0.status.rawValue))" }
        printError("\(unfinished.count) of \(outcome.count) runs did not finish: \(list.joined(separator: ", ")); the table above says why, and running the same command again retries them")
        throw ExitCode(1)
    }

    /// The final table: one row per run of the shard.
    static func table(_ outcome: [SweepRunResult]) -> MarkdownTable {
        var t = MarkdownTable(columns: [.init("run"), .init("status"), .init("best valid ppl", alignment: .right),
                                        .init("test ppl", alignment: .right), .init("seconds", alignment: .right), .init("note")])
        for r in outcome {
            t.append([r.run.name, r.status.rawValue,
                      r.summary?.bestValidPPL.map { NumberFormat.fixed($0, decimals: 3) } ?? "-",
                      r.summary?.testPPL.map { NumberFormat.fixed($0, decimals: 3) } ?? "-",
                      r.seconds.map { NumberFormat.fixed($0, decimals: 1) } ?? "-",
                      r.note ?? ""])
        }
        return t
    }

    func printDryRun(_ outcome: [SweepRunResult], sweep: SweepFile, options: SweepOptions) {
        var t = MarkdownTable(columns: [.init("#", alignment: .right), .init("run"), .init("status"), .init("what would happen")])
        for r in outcome { t.append([String(r.run.index + 1), r.run.name, r.status.rawValue, r.note ?? ""]) }
        say(t.plainText(), terminator: "")
        let toRun = outcome.filter { !$0.status.isFinished && $0.status != .running }
        say("would run \(toRun.count) of \(outcome.count) runs, up to \(min(jobs, max(1, toRun.count))) at a time.")
        if let first = toRun.first {
            let threads = SweepExecutor.threadsPerRun(jobs: min(jobs, toRun.count), cores: options.cores)
            say("the first as: rnnlab " + SweepExecutor.childArguments(first.run, of: sweep, options: options, threads: threads)
                .map(shellQuoted).joined(separator: " "))
        }
    }

    /// This executable, for the child processes (a plugin's binary starts itself, with its components).
    static func executablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        let arg0 = CommandLine.arguments[0]
        return arg0.contains("/") ? URL(fileURLWithPath: arg0).standardizedFileURL.path : arg0
    }
}

/// Prints a line to stdout at once (workers print from several threads; each line is one write).
func say(_ text: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((text + terminator).utf8))
}
