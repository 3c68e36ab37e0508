// `rnnlab sweep --status DIR`: where the sweep in DIR stands — every run's state read from the
// tree (completed, running, interrupted, incomplete, failed, diverged, pending), the failed
// runs and their logs, the Slurm array's tasks when Slurm answers, and the command that runs
// what did not finish. The sweep is planned again from sweep.yaml (its file and arguments), one
// run at a time: only the runs printed are kept.

import ArgumentParser
import Foundation
import RNNExperiments
import RNNYAML

extension Sweep {
    /// The most runs the status table lists (not finished ones first); it counts them all.
    static let statusListLimit = 200

    func printStatus(folder: String, registry: ComponentRegistry) throws {
        var dir = folder
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        let manifestPath = dir + "/sweep.yaml"
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw UserFailure(message: "\(dir) has no sweep.yaml, so it is not a sweep folder; give the folder a sweep writes, results/<experiment name>")
        }
        let manifest: YAMLNode
        do { manifest = try YAMLDocument.load(path: manifestPath) } catch { throw UserFailure(message: "\(error)") }
        guard let arguments = manifest["arguments"]?.sequence?.compactMap(\.scalarText), arguments.first == "sweep",
              let workingDirectory = manifest["working_directory"]?.string else {
            throw UserFailure(message: "\(manifestPath) does not record the sweep's command (written by an older rnnlab); run the sweep again to update it")
        }
        let original: Sweep
        do { original = try Sweep.parse(Array(arguments.dropFirst())) }
        catch { throw UserFailure(message: "\(manifestPath): its recorded command does not parse: \(Sweep.message(for: error))") }
        // The recorded paths are relative to where the sweep was started.
        let absolute = dir.hasPrefix("/") ? dir : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(dir)
        guard FileManager.default.changeCurrentDirectoryPath(workingDirectory) else {
            throw UserFailure(message: "\(manifestPath): the sweep was started in \(workingDirectory), which is gone, so its file cannot be read")
        }
        let sweep: SweepFile
        do { sweep = try SweepFile.load(path: original.file ?? "", overrides: original.overrides, registry: registry) }
        catch { throw fail(error) }

        let root = absolute
        /// A path under the sweep folder as the user named the folder.
        func shown(_ path: String) -> String { path.hasPrefix(root) ? dir + path.dropFirst(root.count) : path }
        let existing = Set((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
        let records = SlurmSubmission.records(root: root)
        var counts: [SweepRunStatus: Int] = [:]
        var rows: [(run: SweepRun, status: SweepRunStatus, note: String)] = []
        var failed: [String] = []
        // No run folder and no run log yet: every run is pending, and the count needs no look at the others.
        let anyRun = SweepExecutor.hasRunFolders(root: root, entries: existing) || existing.contains("logs")
        for run in sweep.runs {
            if !anyRun && rows.count >= Self.statusListLimit {
                counts[.pending, default: 0] += sweep.runs.count - run.index
                break
            }
            let folder = root + "/" + run.name
            var status = existing.contains(run.name) ? SweepExecutor.status(ofRun: folder, lock: root + "/.locks/" + run.name + ".lock") : .pending
            // A run that failed before making its folder (a missing data file) left only its log.
            if status == .pending && existing.contains("logs") && FileManager.default.fileExists(atPath: SweepExecutor.logPath(root: root, run: run.name)) {
                status = .failed
            }
            counts[status, default: 0] += 1
            let listAll = sweep.runs.count <= Self.statusListLimit
            guard rows.count < Self.statusListLimit, listAll || status != .completed else { continue }
            var note = ""
            switch status {
            case .interrupted, .incomplete:
                note = FileManager.default.fileExists(atPath: folder + "/checkpoint/last.ckpt")
                    ? "resumes from its last checkpoint" : "runs again from scratch"
            case .failed:
                note = "log: " + shown(logOf(run, root: root, records: records))
                if failed.count < Self.statusListLimit { failed.append("\(run.name): \(firstErrorLine(run, root: root)) (\(note))") }
            case .diverged:
                let summary = try? RunSummary.read(path: folder + "/summary.json")
                note = "diverged at step \(summary?.divergedAtStep ?? summary?.steps ?? 0); not rerun"
            default: break
            }
            rows.append((run, status, note))
        }

        say("\(sweep.experimentName): \(sweep.runs.count) run\(sweep.runs.count == 1 ? "" : "s") → \(dir)")
        var t = MarkdownTable(columns: [.init("#", alignment: .right), .init("run"), .init("status"), .init("note")])
        for r in rows { t.append([String(r.run.index + 1), r.run.name, r.status.rawValue, r.note]) }
        say(t.plainText(), terminator: "")
        if rows.count < sweep.runs.count {
            say("(\(rows.count) of \(sweep.runs.count) runs listed: \(sweep.runs.count <= Self.statusListLimit ? "all" : "those not completed, up to \(Self.statusListLimit)"))")
        }
        let order: [SweepRunStatus] = [.completed, .diverged, .running, .interrupted, .incomplete, .failed, .pending]
        say(order.filter { counts[$0, default: 0] > 0 }.map { "\($0.rawValue) \(counts[$0]!)" }.joined(separator: ", "))
        for line in failed { say("failed: " + line) }

        if let last = records.last { printSlurmTasks(last, logs: shown(SlurmSubmission.logsFolder(root: root)), total: records.count) }
        let unfinished = sweep.runs.count - counts[.completed, default: 0] - counts[.diverged, default: 0] - counts[.running, default: 0]
        if unfinished > 0 {
            let command = records.last?.command ?? Self.resubmitCommand(arguments)
            say("\(unfinished) run\(unfinished == 1 ? "" : "s") did not finish; run \(unfinished == 1 ? "it" : "them") (resuming interrupted ones from their checkpoints), from \(workingDirectory), with: \(command)")
        } else if counts[.running, default: 0] == 0 {
            say("every run finished; compare them with: rnnlab report \(dir)")
        }
    }

    /// The log of a failed run: its `rnnlab run`'s stderr when kept, else its Slurm task's log.
    func logOf(_ run: SweepRun, root: String, records: [SlurmSubmission.Record]) -> String {
        let own = SweepExecutor.logPath(root: root, run: run.name)
        if FileManager.default.fileExists(atPath: own) { return own }
        if let last = records.last {
            return SlurmSubmission.taskLog(root: root, job: last.job, task: SweepPlan.shardNumber(ofRun: run.index, shards: last.shards))
        }
        return "none kept"
    }

    /// The first error line of a failed run's log.
    func firstErrorLine(_ run: SweepRun, root: String) -> String {
        let text = (try? String(contentsOfFile: SweepExecutor.logPath(root: root, run: run.name), encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first(where: { $0.lowercased().contains("error") }) ?? text.split(separator: "\n").first
        guard var found = line.map({ String($0).trimmingCharacters(in: .whitespaces) }) else { return "no error message kept" }
        for prefix in ["rnnlab: error: ", "Error: "] where found.hasPrefix(prefix) { found.removeFirst(prefix.count) }
        return found
    }

    /// The Slurm tasks of the latest submission, grouped by state; or why Slurm cannot say.
    func printSlurmTasks(_ record: SlurmSubmission.Record, logs: String, total: Int) {
        let client = SlurmClient(timeout: 10)
        guard let tasks = client.tasks(ofJob: record.job) else {
            say("Slurm job \(record.job) (--array=\(record.array)): Slurm does not answer here (squeue), so only the tree's states are shown")
            return
        }
        guard !tasks.isEmpty else {
            say("Slurm job \(record.job) (--array=\(record.array)): no longer known to Slurm (finished jobs are forgotten after MinJobAge); task logs in \(logs)")
            return
        }
        var byState: [(state: String, ids: [String])] = []
        for task in tasks {
            let id = task.id.split(separator: "_").dropFirst().joined(separator: "_")
            if let i = byState.firstIndex(where: { $0.state == task.state }) { byState[i].ids.append(id) }
            else { byState.append((task.state, [id])) }
        }
        // Task ids in number order (tasks not started yet, `[3-4%2]`, last), groups by their first id.
        func order(_ a: String, _ b: String) -> Bool { (Int(a) ?? Int.max, a) < (Int(b) ?? Int.max, b) }
        let groups = byState.map { (state: $0.state, ids: $0.ids.sorted(by: order)) }.sorted { order($0.ids[0], $1.ids[0]) }
        let parts = groups.map { "\($0.state) " + $0.ids.joined(separator: ",") }
        say("Slurm job \(record.job) (--array=\(record.array), submission \(total)): tasks " + parts.joined(separator: "; ")
            + "; task logs in \(logs)")
    }

    /// The command that runs the recorded sweep again without a shard or a dry run.
    static func resubmitCommand(_ arguments: [String]) -> String {
        var args: [String] = []
        var i = 0
        while i < arguments.count {
            if arguments[i] == "--shard" || arguments[i] == "--cores" { i += 2; continue }
            if arguments[i].hasPrefix("--shard=") || arguments[i].hasPrefix("--cores=") || arguments[i] == "--dry-run" { i += 1; continue }
            args.append(arguments[i])
            i += 1
        }
        return (["rnnlab"] + args).map(shellQuoted).joined(separator: " ")
    }
}
