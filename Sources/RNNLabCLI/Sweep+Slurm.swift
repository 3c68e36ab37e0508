// `rnnlab sweep FILE --slurm`: check with Slurm first (sbatch present, controller answering,
// partition known), then write the array script into the sweep folder, submit it with
// `sbatch --parsable`, print the job id and return. Every refusal is one sentence, and leaves
// nothing behind: what was written for a submission sbatch refused is removed again.

import ArgumentParser
import Foundation
import RNNExperiments
import RNNYAML

/// The `--slurm` options; each overrides the sweep section's `slurm:` key of the same meaning.
struct SlurmOptions: ParsableArguments {
    @Flag(help: "Submit the sweep as a Slurm array job (one task per shard) and return.")
    var slurm = false

    @Option(help: "Slurm partition (slurm: partition).")
    var partition: String?

    @Option(help: ArgumentHelp("Time limit per task: minutes, h:min:s or d-h:min (slurm: time).", valueName: "limit"))
    var time: String?

    @Option(help: "CPUs per task; its runs share them as threads (slurm: cpus_per_task, default 1).")
    var cpusPerTask: Int?

    @Option(help: ArgumentHelp("Memory per task, e.g. 4G (slurm: mem).", valueName: "size"))
    var mem: String?

    @Option(help: "Array tasks, one shard each (slurm: tasks; default one per run, at most 1000).")
    var tasks: Int?

    @Option(help: ArgumentHelp("Array tasks running at once, --array=…%K (slurm: parallelism).", valueName: "K"))
    var arrayParallelism: Int?

    @Option(name: .customLong("sbatch"), parsing: .singleValue, help: ArgumentHelp("An extra #SBATCH line, e.g. --sbatch=--qos=low (repeatable; slurm: sbatch).", valueName: "option"))
    var sbatchLines: [String] = []

    func validate() throws {
        let given = partition != nil || time != nil || cpusPerTask != nil || mem != nil || tasks != nil
            || arrayParallelism != nil || !sbatchLines.isEmpty
        if given && !slurm { throw ValidationError("the Slurm options need --slurm") }
        if let time, !SlurmSettings.isTimeLimit(time) { throw ValidationError(SlurmSettings.timeLimitProblem("--time \(time)")) }
        if let mem, !SlurmSettings.isMemory(mem) { throw ValidationError(SlurmSettings.memoryProblem("--mem \(mem)")) }
        for (name, value) in [("--cpus-per-task", cpusPerTask), ("--tasks", tasks), ("--array-parallelism", arrayParallelism)] {
            if let value, value < 1 { throw ValidationError("\(name) must be an integer ≥ 1, got \(value)") }
        }
        for line in sbatchLines where !line.hasPrefix("-") || line.contains("\n") {
            throw ValidationError("--sbatch \(line) is not an sbatch option; give one such as --sbatch=--qos=low")
        }
    }

    var settings: SlurmSettings {
        SlurmSettings(partition: partition, time: time, cpusPerTask: cpusPerTask, memory: mem, tasks: tasks,
                      parallelism: arrayParallelism, sbatchLines: sbatchLines)
    }
}

extension Sweep {
    func submitToSlurm(_ sweep: SweepFile) throws {
        let settings = (sweep.spec.slurm ?? SlurmSettings()).overridden(by: slurmOptions.settings)
        let client = SlurmClient()
        guard client.find("sbatch") != nil else {
            throw UserFailure(message: "--slurm: sbatch is not installed (not found on PATH), so nothing was submitted; install Slurm's client commands or run the sweep without --slurm")
        }
        let partitions: [String]
        do { partitions = try client.partitions() } catch { throw UserFailure(message: "--slurm: \(error)") }
        if let p = settings.partition, !partitions.contains(p) {
            throw UserFailure(message: ExperimentError.unknownName(p, kind: "partition", valid: partitions, keyPath: "--partition").description)
        }

        let root = SweepExecutor.root(of: sweep, resultsRoot: results)
        let cwd = FileManager.default.currentDirectoryPath
        let absoluteRoot = root.hasPrefix("/") ? root : (cwd as NSString).appendingPathComponent(root)
        let shards = settings.tasks ?? min(sweep.runs.count, SlurmSettings.defaultMaxTasks)
        let submission = SlurmSubmission(runs: sweep.runs, root: root, shards: shards, settings: settings)
        guard !submission.taskIDs.isEmpty else {
            let running = submission.runningRuns > 0 ? " (\(submission.runningRuns) still running)" : ""
            say("\(sweep.experimentName): nothing to submit; every one of the \(sweep.runs.count) runs has finished\(running). See rnnlab sweep --status \(root)")
            return
        }

        // The command each task runs: this one without the Slurm options, with the task's CPUs as --cores.
        var command = [Self.executablePath(), "sweep", file ?? "", "--results", results]
        if let dataRoot = resolvedDataRoot { command += ["--data-root", dataRoot] }
        for o in overrides { command += ["--set", o] }
        command += ["--jobs", String(jobs), "--cores", String(settings.cpusPerTask ?? 1)]
        let resubmit = (["rnnlab"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
        let script = submission.script(jobName: sweep.experimentName, command: command, root: absoluteRoot,
                                       workingDirectory: cwd, totalRuns: sweep.runs.count, resubmit: resubmit)
        if dryRun {
            say(script, terminator: "")
            say("would submit \(submission.taskIDs.count) task\(submission.taskIDs.count == 1 ? "" : "s") (--array=\(submission.arraySpec)) for \(submission.unfinishedRuns) of \(sweep.runs.count) runs.")
            return
        }

        // Written now, removed again if sbatch refuses: the folders this creates and the script.
        let fm = FileManager.default
        let folder = SlurmSubmission.folder(root: root)
        let created = [root, folder, SlurmSubmission.logsFolder(root: root)].filter { !fm.fileExists(atPath: $0) }
        let scriptPath = SlurmSubmission.scriptPath(root: root)
        let previousScript = fm.contents(atPath: scriptPath)
        func undo() {
            if let first = created.first { try? fm.removeItem(atPath: first); return }
            if let previousScript { _ = fm.createFile(atPath: scriptPath, contents: previousScript) } else { try? fm.removeItem(atPath: scriptPath) }
        }
        let job: String
        do {
            try fm.createDirectory(atPath: SlurmSubmission.logsFolder(root: root), withIntermediateDirectories: true)
            try writeAtomically(script, to: scriptPath)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scriptPath)
            job = try client.submit(script: scriptPath)
        } catch {
            undo()
            throw UserFailure(message: "--slurm: \(error); nothing was submitted")
        }
        // The job is in; what follows only records it.
        var options = sweepOptions(stop: nil)
        options.dryRun = false
        do {
            try SweepExecutor.writeManifest(sweep, options: options)
            try SlurmSubmission.append(.init(job: job, array: submission.arraySpec, shards: shards, command: resubmit), root: root)
        } catch {
            throw UserFailure(message: "submitted Slurm job \(job), but \(error)")
        }
        say(job)
        say("\(sweep.experimentName): submitted Slurm job \(job), \(submission.taskIDs.count) task\(submission.taskIDs.count == 1 ? "" : "s") (--array=\(submission.arraySpec)) for \(submission.unfinishedRuns) of \(sweep.runs.count) runs → \(root)")
        say("script \(scriptPath); task logs \(SlurmSubmission.logsFolder(root: root))/\(job)_<task>.out; follow with: rnnlab sweep --status \(root)")
    }
}
