// `rnnlab sweep`: expand a sweep, check its runs, then run them as child processes N at a time
// (or with --dry-run, list them; with --slurm, submit them as an array job, Sweep+Slurm.swift;
// with --status DIR, say where a sweep stands, Sweep+Status.swift). The work is SweepFile's and
// SweepExecutor's; this file parses the command line, prints progress and the final table, and
// picks the exit status.

import ArgumentParser
import Foundation
import RNNExperiments

struct Sweep: RegistryCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every run of a sweep, several at a time; run it again to resume.",
        discussion: [
            "FILE is an experiment file with a sweep section, or a sweep file that names a base experiment (see docs/sweeps.md). "
                + "Runs are checked before any starts (every run of a sweep of up to 2000); a sweep of more runs than its max_runs "
                + "(default 100000) is refused. Runs go to <results>/<experiment name>/<run name>/, named after their "
                + "overrides (hidden_size=200,tied=true,seed=2); <results>/<experiment name>/sweep.yaml lists the command, every run "
                + "and its status. --set changes a key in every run; --set sweep.… changes the sweep (e.g. --set sweep.seeds=1).",
            "Each run is a child `rnnlab run` process. --jobs N runs N at once, each with max(1, cores / N) BLAS threads "
                + "(training.threads), where cores are those this process may use (its CPU affinity, e.g. Slurm's --cpus-per-task), "
                + "so workers × threads does not exceed the cores (unless --jobs does). A failed or diverged run does not stop the others.",
            "Running the same command again resumes: completed and diverged runs are skipped; interrupted, killed and failed "
                + "ones continue from their last checkpoint (from scratch when they have none). --shard I/N runs runs I, I+N, I+2N, … (counting from 1), so the N tasks of a Slurm array "
                + "job (--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT) share out a sweep into one results tree; a lock per "
                + "run keeps two processes off the same run.",
            "--slurm writes <results>/<experiment name>/slurm/array.sh, an array job whose task I runs --shard I/N, submits it with "
                + "sbatch, prints the job id and returns; only shards with unfinished runs are submitted, so submitting again runs what "
                + "did not finish. Settings come from the sweep section's slurm: mapping and these options (which win). "
                + "--status DIR lists every run's state, the Slurm tasks when Slurm answers, and the command that resubmits what did not finish.",
            "Exit status: 0 when every run of the shard finished (completed or diverged), 1 when one did not (failed, or left "
                + "running elsewhere), 130 (143) when stopped by Ctrl-C (SIGTERM): running runs save a checkpoint and stop.",
        ].joined(separator: "\n\n"))

    @Argument(help: "The experiment or sweep file (YAML); not with --status.")
    var file: String?

    @Option(name: .customLong("data-root"), help: "Folder that relative data paths resolve against (default: $RNNLAB_DATA, else the experiment file's folder).")
    var dataRoot: String?

    @Option(name: .customLong("set"), parsing: .singleValue, help: "Override a key in every run: --set training.lr=0.5; --set sweep.… changes the sweep (repeatable).")
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Say where the sweep in this folder stands (results/<experiment>) instead of running one.", valueName: "DIR"))
    var status: String?

    @Option(help: "Results root folder.")
    var results = "results"

    @Option(help: "Runs at once; each gets max(1, cores / jobs) BLAS threads.")
    var jobs = 1

    @Flag(help: "List the runs and what would happen to each, without running anything.")
    var dryRun = false

    @Option(help: ArgumentHelp("Run only this share of the runs: shard I of N (from 1), e.g. 2/4.", valueName: "I/N"))
    var shard: String?

    @Option(help: "Cores the runs share (default: those this process may use); each run gets max(1, cores / jobs) threads.")
    var cores: Int?

    @OptionGroup(title: "Slurm") var slurmOptions: SlurmOptions

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be an integer ≥ 1, got \(jobs)") }
        if let cores, cores < 1 { throw ValidationError("--cores must be an integer ≥ 1, got \(cores)") }
        if let shard, SweepShard(parsing: shard) == nil {
            throw ValidationError("--shard \(shard) is not a shard; write I/N with 1 ≤ I ≤ N, e.g. --shard 2/4")
        }
        if status != nil && file != nil {
            throw ValidationError("--status reads a sweep folder and takes no FILE; give either FILE or --status DIR")
        }
        if status == nil && file == nil { throw ValidationError("missing FILE, the experiment or sweep file to run") }
        if slurmOptions.slurm && shard != nil {
            throw ValidationError("--slurm splits the sweep into shards itself and takes no --shard; give --tasks N for the number of array tasks")
        }
        try slurmOptions.validate()
    }

    /// The options of the runs this command (or each Slurm task) runs.
    func sweepOptions(stop: StopSignal?) -> SweepOptions {
        SweepOptions(resultsRoot: results, dataRoot: resolvedDataRoot, jobs: jobs, dryRun: dryRun,
                     shard: shard.flatMap(SweepShard.init(parsing:)), executable: Self.executablePath(),
                     command: ["rnnlab"] + CommandLine.arguments.dropFirst(), cores: cores ?? UsableCores.count,
                     stopRequested: { stop?.requested ?? false })
    }

    var resolvedDataRoot: String? {
        dataRoot ?? ProcessInfo.processInfo.environment["RNNLAB_DATA"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func run(registry: ComponentRegistry) throws {
        if let status {
            try printStatus(folder: status, registry: registry)
            return
        }
        let sweep: SweepFile
        do {
            sweep = try SweepFile.load(path: file ?? "", overrides: overrides, registry: registry)
        } catch { throw fail(error) }
        if slurmOptions.slurm {
            try submitToSlurm(sweep)
            return
        }
        let stop = dryRun ? nil : StopSignal.install()
        let options = sweepOptions(stop: stop)
        let root = SweepExecutor.root(of: sweep, resultsRoot: results)
        let shardRuns = SweepExecutor.runs(of: sweep, shard: options.shard).count
        say("\(sweep.experimentName): \(sweep.runs.count) run\(sweep.runs.count == 1 ? "" : "s")"
            + (options.shard.map { ", \(shardRuns) in shard \($0)" } ?? "") + " → \(root)")
        if dryRun {
            printDryRun(sweep: sweep, options: options)
            return
        }
        let outcome: [SweepRunResult]
        do {
            outcome = try SweepExecutor().run(sweep, options: options, log: { say("  " + $0) })
        } catch { throw fail(error) }

        say("")
        say(Self.table(outcome).plainText(), terminator: "")
        let unfinished = outcome.filter { !$0.status.isFinished }
        if let stop, stop.requested {
            say("stopped: \(unfinished.count) of \(outcome.count) runs did not finish; the same command runs them (stopped ones continue from their last checkpoint).")
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

    /// The most runs a dry run lists; it counts them all.
    static let dryRunListLimit = 1_000

    func printDryRun(sweep: SweepFile, options: SweepOptions) {
        let (listed, toRun, total) = SweepExecutor.dryRun(sweep, options: options, limit: Self.dryRunListLimit)
        var t = MarkdownTable(columns: [.init("#", alignment: .right), .init("run"), .init("status"), .init("what would happen")])
        for r in listed { t.append([String(r.run.index + 1), r.run.name, r.status.rawValue, r.note ?? ""]) }
        say(t.plainText(), terminator: "")
        if listed.count < total { say("(the first \(listed.count) of \(total) runs are listed)") }
        say("would run \(toRun) of \(total) runs, up to \(min(jobs, max(1, toRun))) at a time.")
        if let first = listed.first(where: { !$0.status.isFinished && $0.status != .running }) {
            let threads = SweepExecutor.threadsPerRun(jobs: min(jobs, toRun), cores: options.cores)
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
