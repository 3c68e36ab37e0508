// SlurmSubmission: a sweep as a Slurm array job. Task I of the array runs shard I of N of the
// sweep (`rnnlab sweep FILE --shard I/N`, the ordinary shard machinery) into the one results tree;
// only the shards that still hold unfinished runs are in the array, so submitting the same
// sweep again runs only what did not finish, and interrupted runs resume from their checkpoints.
//
// Files, in the sweep folder (`<results>/<experiment>/`):
//
//     slurm/array.sh          the script submitted: #SBATCH lines and the exact rnnlab command
//     slurm/jobs.tsv          one line per submission: job id, array, shards, command
//     slurm/logs/J_I.out|err  stdout and stderr of task I of job J
//
// It will not wait for the job (it prints the job id and returns) nor talk to Slurm
// itself (SlurmClient does).

import Foundation

/// What to submit for a sweep, and the script that does it.
public struct SlurmSubmission: Sendable {
    /// Shards the sweep is split into: one array task each.
    public var shards: Int
    /// The shards (from 1) with unfinished runs, ascending: the array's task ids.
    public var taskIDs: [Int]
    /// Runs not finished (pending, interrupted, failed, …) and not running elsewhere.
    public var unfinishedRuns: Int
    /// Runs another process is running now; left out.
    public var runningRuns: Int
    public var settings: SlurmSettings

    /// The shards of `runs` split `shards` ways that hold a run not finished and not running.
    /// Reads each run's status from its folder under `root` (none when there is no run folder
    /// yet); holds one flag per shard.
    public init(runs: SweepPlan, root: String, shards: Int, settings: SlurmSettings) {
        precondition(shards >= 1, "SlurmSubmission: \(shards) shards")
        let existing = Set((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
        var wanted = [Bool](repeating: false, count: shards)
        var unfinished = 0, running = 0
        // No run folder yet (a first submission): every run is unfinished, without looking at each.
        let anyRun = SweepExecutor.hasRunFolders(root: root, entries: existing)
        if !anyRun {
            unfinished = runs.count
            for i in 0..<min(shards, runs.count) { wanted[i] = true }
        }
        for run in anyRun ? runs[...] : runs[0..<0] {
            guard existing.contains(run.name) else {
                unfinished += 1
                wanted[run.index % shards] = true
                continue
            }
            let status = SweepExecutor.status(ofRun: root + "/" + run.name, lock: root + "/.locks/" + run.name + ".lock")
            if status == .running { running += 1; continue }
            if !status.isFinished {
                unfinished += 1
                wanted[run.index % shards] = true
            }
        }
        self.shards = shards
        self.taskIDs = wanted.indices.filter { wanted[$0] }.map { $0 + 1 }
        self.unfinishedRuns = unfinished
        self.runningRuns = running
        self.settings = settings
    }

    /// The `--array` value: ranges of task ids (`1-6`, `2,4-5`), then `%K` when limited.
    public var arraySpec: String {
        var parts: [String] = []
        var i = 0
        while i < taskIDs.count {
            var j = i
            while j + 1 < taskIDs.count && taskIDs[j + 1] == taskIDs[j] + 1 { j += 1 }
            parts.append(i == j ? "\(taskIDs[i])" : "\(taskIDs[i])-\(taskIDs[j])")
            i = j + 1
        }
        return parts.joined(separator: ",") + (settings.parallelism.map { "%\($0)" } ?? "")
    }

    /// The folder of the script, the job record and the logs.
    public static func folder(root: String) -> String { root + "/slurm" }
    public static func scriptPath(root: String) -> String { folder(root: root) + "/array.sh" }
    public static func logsFolder(root: String) -> String { folder(root: root) + "/logs" }
    public static func jobsPath(root: String) -> String { folder(root: root) + "/jobs.tsv" }
    /// Task `task`'s stdout log of job `job`.
    public static func taskLog(root: String, job: String, task: Int) -> String { logsFolder(root: root) + "/\(job)_\(task).out" }

    /// The array script. `command` is the rnnlab command every task runs, without `--shard`
    /// (absolute executable first); `root` and `workingDirectory` absolute.
    public func script(jobName: String, command: [String], root: String, workingDirectory: String,
                       totalRuns: Int, resubmit: String) -> String {
        var lines = [
            "#!/bin/bash",
            "# Written by rnnlab sweep --slurm. Array task I runs shard I of \(shards) of the sweep (runs I, I+\(shards), …,",
            "# counting from 1) into the results tree \(root); the array holds the \(taskIDs.count) shard\(taskIDs.count == 1 ? "" : "s") with unfinished runs",
            "# (\(unfinishedRuns) of \(totalRuns) runs). Submitting again runs only what did not finish:",
            "#   \(resubmit)",
            "#SBATCH --job-name=\(jobName)",
            "#SBATCH --array=\(arraySpec)",
            "#SBATCH --cpus-per-task=\(settings.cpusPerTask ?? 1)",
            "#SBATCH --output=\(Self.logsFolder(root: root))/%A_%a.out",
            "#SBATCH --error=\(Self.logsFolder(root: root))/%A_%a.err",
            "#SBATCH --chdir=\(workingDirectory)",
        ]
        if let p = settings.partition { lines.append("#SBATCH --partition=\(p)") }
        if let t = settings.time { lines.append("#SBATCH --time=\(t)") }
        if let m = settings.memory { lines.append("#SBATCH --mem=\(m)") }
        lines += settings.sbatchLines.map { "#SBATCH \($0)" }
        lines += [
            "",
            "set -eu",
            "# The runs of this task share its CPUs: --cores is --cpus-per-task, so each run's training.threads is cores / jobs.",
            "exec " + command.map(shellQuoted).joined(separator: " ") + " --shard \"$SLURM_ARRAY_TASK_ID/\(shards)\"",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// One submission, as recorded in `slurm/jobs.tsv`.
    public struct Record: Sendable, Equatable {
        public var job: String
        public var array: String
        public var shards: Int
        /// The command that submitted it (shell words), to submit again.
        public var command: String

        public init(job: String, array: String, shards: Int, command: String) {
            self.job = job
            self.array = array
            self.shards = shards
            self.command = command
        }
    }

    /// Appends `record` to the job record of the sweep at `root`.
    public static func append(_ record: Record, root: String) throws {
        let path = jobsPath(root: root)
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "job\tarray\tshards\tcommand\n"
        text += "\(record.job)\t\(record.array)\t\(record.shards)\t\(record.command)\n"
        do { try writeAtomically(text, to: path) } catch { throw ExperimentError("cannot write \(path): \(error)") }
    }

    /// The submissions recorded for the sweep at `root`, oldest first (none: empty).
    public static func records(root: String) -> [Record] {
        guard let text = try? String(contentsOfFile: jobsPath(root: root), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4, let n = Int(f[2]) else { return nil }
            return Record(job: f[0], array: f[1], shards: n, command: f[3])
        }
    }
}
