// SweepExecutor: runs a sweep's runs as child `rnnlab run` processes, N at a time, into one
// experiment folder, and keeps `sweep.yaml` at the sweep root: the command, the runs and their
// status. Running a sweep again resumes it: completed and diverged runs are skipped; a run that
// stopped part-way (interrupted, killed, failed) continues from its checkpoint/last.ckpt when it
// has one (`rnnlab run --resume`), and starts again from scratch when it has none.
//
// Each run is a separate process: a crash or divergence in one cannot take the others down, and
// its BLAS threads are set so that workers × threads does not exceed the usable cores. A lock
// file per run (flock) keeps two sweeps — on one machine, or array tasks sharing a results tree —
// from running the same run at once. Each run's stderr is kept in `logs/<run>.log`.
// Runs are computed from the plan one at a time: a run holds memory only once it is run or
// listed (a dry run lists a bounded number and counts the rest).

import Foundation
import RNNYAML
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// This process's share of a sweep: shard `index` (from 1) of `count`.
public struct SweepShard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// - Precondition: `1 <= index <= count`.
    public init(index: Int, count: Int) {
        precondition(count >= 1 && (1...count).contains(index), "SweepShard: \(index)/\(count)")
        self.index = index
        self.count = count
    }

    /// Parses `I/N` with 1 ≤ I ≤ N; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }
}

/// How to run a sweep.
public struct SweepOptions: Sendable {
    public var resultsRoot: String
    public var dataRoot: String?
    /// Runs at once (at least 1).
    public var jobs: Int
    /// List the runs and their status without running anything or writing any file.
    public var dryRun: Bool
    /// This process's share of the runs (nil: all of them).
    public var shard: SweepShard?
    /// The rnnlab executable started for each run.
    public var executable: String
    /// The command line, recorded in sweep.yaml.
    public var command: [String]
    /// The folder the command ran in, recorded in sweep.yaml (relative paths resolve against it).
    public var workingDirectory: String
    /// The cores shared among the workers.
    public var cores: Int
    /// Polled while running; once true no run is started, and running ones get SIGTERM (they
    /// save a checkpoint and stop as `interrupted`).
    public var stopRequested: @Sendable () -> Bool

    public init(resultsRoot: String = "results", dataRoot: String? = nil, jobs: Int = 1, dryRun: Bool = false,
                shard: SweepShard? = nil, executable: String, command: [String] = [], cores: Int = UsableCores.count,
                stopRequested: @escaping @Sendable () -> Bool = { false }) {
        self.resultsRoot = resultsRoot
        self.dataRoot = dataRoot
        self.jobs = jobs
        self.dryRun = dryRun
        self.shard = shard
        self.executable = executable
        self.command = command
        self.workingDirectory = FileManager.default.currentDirectoryPath
        self.cores = cores
        self.stopRequested = stopRequested
    }
}

/// The status of one run, as read from its folder.
public enum SweepRunStatus: String, Sendable {
    /// No folder yet.
    case pending
    /// Its summary says running and a process holds its lock.
    case running
    case completed, interrupted, diverged, failed
    /// A folder without a readable summary, or one that says running while nobody holds the
    /// lock: the process was killed.
    case incomplete

    /// Completed or diverged: running it again would give the same result, so a sweep skips it.
    public var isFinished: Bool { self == .completed || self == .diverged }
}

/// What happened to one run of a sweep.
public struct SweepRunResult: Sendable {
    public var run: SweepRun
    public var status: SweepRunStatus
    /// The run's summary.json, when there is one.
    public var summary: RunSummary?
    /// Seconds this sweep spent running it; nil when it was not run.
    public var seconds: Double?
    /// Why it was skipped, or the first error line of a failed run.
    public var note: String?
}

/// Runs sweeps.
public struct SweepExecutor: Sendable {
    public init() {}

    /// BLAS threads per run: the usable cores divided among the workers, at least 1.
    public static func threadsPerRun(jobs: Int, cores: Int) -> Int {
        max(1, cores / max(1, jobs))
    }

    /// `<results root>/<experiment name>`: the folder holding the runs and sweep.yaml.
    public static func root(of sweep: SweepFile, resultsRoot: String) -> String {
        (resultsRoot as NSString).appendingPathComponent(sweep.experimentName)
    }

    /// Reads the status of the run folder `folder`; `lock` is its lock file, tried to tell a
    /// live `running` run from a killed one (nil: trust summary.json).
    public static func status(ofRun folder: String, lock: String?) -> SweepRunStatus {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { return .pending }
        guard let summary = try? RunSummary.read(path: folder + "/summary.json"),
              let status = SweepRunStatus(rawValue: summary.status.rawValue) else { return .incomplete }
        if status == .running, let lock, !isLocked(lock) { return .incomplete }
        return status
    }

    /// Whether some process holds the flock on `path` (false when the file does not exist).
    static func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// The arguments of the child `rnnlab run` for `run`.
    public static func childArguments(_ run: SweepRun, of sweep: SweepFile, options: SweepOptions, threads: Int) -> [String] {
        var args = ["run", sweep.experimentPath, "--results", options.resultsRoot, "--name", run.name, "--quiet"]
        if let dataRoot = options.dataRoot { args += ["--data-root", dataRoot] }
        for o in sweep.commonOverrides + run.overrides.map(\.assignment) { args += ["--set", o] }
        return args + ["--set", "training.threads=\(threads)"]
    }

    /// Runs (or with `dryRun`, lists) this shard's runs of `sweep`, `jobs` at a time; `log`
    /// gets one line as each run starts and one as it ends. Finished runs (completed or
    /// diverged) are skipped; incomplete ones continue from their last checkpoint or run again.
    /// - Returns: the outcome of each run of the shard, in the sweep's order.
    /// - Throws: `ExperimentError` when the sweep folder or sweep.yaml cannot be written.
    public func run(_ sweep: SweepFile, options: SweepOptions, log: @escaping @Sendable (String) -> Void) throws -> [SweepRunResult] {
        let root = Self.root(of: sweep, resultsRoot: options.resultsRoot)
        let locks = root + "/.locks"
        let runs = Self.runs(of: sweep, shard: options.shard)
        @Sendable func lockPath(_ r: SweepRun) -> String { locks + "/" + r.name + ".lock" }

        if options.dryRun {
            return Self.dryRun(sweep, options: options, limit: Int.max).listed
        }

        do { try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true) }
        catch { throw ExperimentError("cannot create the sweep folder \(root): \(describe(error))") }
        let manifest = SweepManifest(root: root, sweep: sweep, command: options.command, workingDirectory: options.workingDirectory)
        try manifest.write()

        let toDo = runs.filter { !Self.status(ofRun: root + "/" + $0.name, lock: lockPath($0)).isFinished }.count
        let workers = max(1, min(options.jobs, toDo))
        let threads = Self.threadsPerRun(jobs: workers, cores: options.cores)
        log("\(toDo) of \(runs.count) to run, up to \(workers) at a time with \(threads) BLAS thread\(threads == 1 ? "" : "s") each (\(options.cores) usable core\(options.cores == 1 ? "" : "s")"
            + (workers > options.cores ? "; more runs than cores, so they share cores)" : ")"))
        let children = ChildProcesses()
        let work = WorkList()
        let done = DispatchGroup()
        for _ in 0..<workers {
            done.enter()
            let worker = Thread {
                defer { done.leave() }
                while !options.stopRequested() {
                    let k = work.take()
                    guard k < runs.count else { return }
                    let tag = "[\(k + 1)/\(runs.count)]"
                    let result = self.runOne(runs[k], sweep: sweep, root: root, lock: lockPath(runs[k]), threads: threads,
                                             options: options, children: children, log: { log("\(tag) \($0)") })
                    work.record(result)
                    try? manifest.write(known: work.results)
                }
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        // Forward a stop to the children (they may be in another process group than the terminal's).
        while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if options.stopRequested() { children.terminateAll() }
        }
        let final = work.results
        try? manifest.write(known: final)
        return runs.map { r in
            final[r.index] ?? SweepRunResult(run: r, status: Self.status(ofRun: root + "/" + r.name, lock: lockPath(r)),
                                             note: "not started: the sweep was stopped")
        }
    }

    /// The runs of `shard` of `sweep` (all of them without one), computed on demand.
    public static func runs(of sweep: SweepFile, shard: SweepShard?) -> SweepShardRuns {
        sweep.runs.shard(shard?.index ?? 1, of: shard?.count ?? 1)
    }

    /// What a dry run says: the first `limit` runs of the shard with their status and what would
    /// happen to them, and counts over the whole shard (each run's status is read, none kept).
    public static func dryRun(_ sweep: SweepFile, options: SweepOptions, limit: Int)
        -> (listed: [SweepRunResult], toRun: Int, total: Int) {
        let root = Self.root(of: sweep, resultsRoot: options.resultsRoot)
        let existing = Set((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
        let anyRun = Self.hasRunFolders(root: root, entries: existing)
        var listed: [SweepRunResult] = []
        var toRun = 0
        let runs = Self.runs(of: sweep, shard: options.shard)
        for r in runs {
            // No run folder yet: every run is pending, and the count needs no look at the others.
            guard anyRun || listed.count < limit else { return (listed, runs.count, runs.count) }
            let status = existing.contains(r.name) ? Self.status(ofRun: root + "/" + r.name, lock: root + "/.locks/" + r.name + ".lock") : .pending
            if !status.isFinished && status != .running { toRun += 1 }
            guard listed.count < limit else { continue }
            let note: String
            switch status {
            case .completed, .diverged: note = "finished; would be skipped"
            case .running: note = "another process is running it; would be skipped"
            case .pending: note = "would run"
            case .incomplete, .interrupted, .failed:
                note = FileManager.default.fileExists(atPath: root + "/" + r.name + "/checkpoint/last.ckpt")
                    ? "would continue from its last checkpoint" : "would run again from scratch"
            }
            listed.append(SweepRunResult(run: r, status: status, note: note))
        }
        return (listed, toRun, runs.count)
    }

    /// Whether the sweep folder `root`, whose entries are `entries`, holds a folder that may be
    /// a run (anything but hidden ones, `logs` and `slurm`).
    public static func hasRunFolders(root: String, entries: Set<String>) -> Bool {
        entries.contains { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && name != "logs" && name != "slurm"
                && FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// The log of run `name` of the sweep at `root`: its `rnnlab run`'s stderr.
    public static func logPath(root: String, run name: String) -> String { root + "/logs/" + name + ".log" }

    /// Creates the sweep folder and writes its sweep.yaml (what a Slurm submission leaves for
    /// `rnnlab sweep --status` before any task has started).
    public static func writeManifest(_ sweep: SweepFile, options: SweepOptions) throws {
        let root = Self.root(of: sweep, resultsRoot: options.resultsRoot)
        do { try FileManager.default.createDirectory(atPath: root + "/.locks", withIntermediateDirectories: true) }
        catch { throw ExperimentError("cannot create the sweep folder \(root): \(describe(error))") }
        try SweepManifest(root: root, sweep: sweep, command: options.command, workingDirectory: options.workingDirectory).write()
    }

    /// Runs one run unless it is finished or another process holds its lock.
    func runOne(_ r: SweepRun, sweep: SweepFile, root: String, lock: String, threads: Int, options: SweepOptions,
                children: ChildProcesses, log: (String) -> Void) -> SweepRunResult {
        let folder = root + "/" + r.name
        let fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let note = "cannot create its lock file \(lock): \(String(cString: strerror(errno)))"
            log("\(r.name): failed; \(note)")
            return SweepRunResult(run: r, status: .failed, note: note)
        }
        defer { close(fd) }   // also releases the lock
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            log("\(r.name): skipped; another process is running it")
            return SweepRunResult(run: r, status: .running, note: "another process is running it")
        }
        var before = Self.status(ofRun: folder, lock: nil)
        if before == .running { before = .incomplete }   // we hold its lock: whoever ran it was killed
        if before.isFinished {
            log("\(r.name): \(before.rawValue) already; skipped")
            return SweepRunResult(run: r, status: before, summary: try? RunSummary.read(path: folder + "/summary.json"),
                                  note: "\(before.rawValue) already")
        }
        var resume = false
        if before != .pending {
            // An incomplete run. Never touch a folder another process is writing (a plain
            // `rnnlab run --name` or a `--resume` of it); else continue it from its checkpoint
            // when it has one (killed or interrupted), or start it again from scratch.
            do { try RunFolderLock(directory: folder).release() } catch {
                let note = "another process is writing its folder; skipped"
                log("\(r.name): \(note)")
                return SweepRunResult(run: r, status: .running, note: note)
            }
            resume = before != .diverged && FileManager.default.fileExists(atPath: folder + "/checkpoint/last.ckpt")
            if !resume {
                do { try FileManager.default.removeItem(atPath: folder) } catch {
                    let note = "cannot remove its incomplete folder: \(describe(error))"
                    log("\(r.name): failed; \(note)")
                    return SweepRunResult(run: r, status: .failed, note: note)
                }
            }
        }
        log("\(r.name): " + (resume ? "resumed from its last checkpoint" : "started" + (before == .pending ? "" : " (again; it was \(before.rawValue))")))
        let started = ContinuousClock.now
        let p = Process()
        p.executableURL = URL(fileURLWithPath: options.executable)
        if resume {
            var args = ["run", "--resume", folder, "--quiet"]
            if let dataRoot = options.dataRoot { args += ["--data-root", dataRoot] }
            p.arguments = args
        } else {
            p.arguments = Self.childArguments(r, of: sweep, options: options, threads: threads)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = String(threads)
        p.environment = environment
        let errors = Pipe()
        p.standardError = errors
        p.standardOutput = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            let note = "could not start \(options.executable): \(describe(error))"
            log("\(r.name): failed; \(note)")
            return SweepRunResult(run: r, status: .failed, note: note)
        }
        children.add(p.processIdentifier)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        children.remove(p.processIdentifier)
        let elapsed = seconds(ContinuousClock.now - started)
        let logFile = Self.logPath(root: root, run: r.name)
        if !errorText.isEmpty || FileManager.default.fileExists(atPath: logFile) {
            try? FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
            try? writeAtomically(errorText, to: logFile)
        }

        var status = Self.status(ofRun: folder, lock: nil)
        if status == .pending || status == .running || status == .incomplete { status = .failed }
        let summary = try? RunSummary.read(path: folder + "/summary.json")
        var note: String?
        var line = "\(r.name): \(status.rawValue) in \(NumberFormat.fixed(elapsed, decimals: 1)) s"
        if let s = summary {
            line += "; best valid ppl " + (s.bestValidPPL.map { NumberFormat.fixed($0, decimals: 3) } ?? "-")
            line += ", test ppl " + (s.testPPL.map { NumberFormat.fixed($0, decimals: 3) } ?? "-")
        }
        if status == .failed {
            note = (Self.firstError(errorText) ?? "rnnlab run exited with status \(p.terminationStatus)") + " (log: \(logFile))"
            line += "; " + note!
        }
        log(line)
        return SweepRunResult(run: r, status: status, summary: summary, seconds: elapsed, note: note)
    }

    /// The first line of a child's stderr that reports an error, without the `Error: ` prefix.
    static func firstError(_ text: String) -> String? {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let line = lines.first(where: { $0.lowercased().contains("error") }) ?? lines.first else { return nil }
        for prefix in ["Error: ", "rnnlab: error: "] where line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)) }
        return line
    }
}

/// The next run to take and the results so far, shared by the workers.
final class WorkList: Sendable {
    private let next = Mutex(0)
    private let done = Mutex<[Int: SweepRunResult]>([:])

    /// The position of the next run to do (past the end when none is left).
    func take() -> Int { next.withLock { i in defer { i += 1 }; return i } }
    func record(_ result: SweepRunResult) { done.withLock { $0[result.run.index] = result } }
    /// Results by run index.
    var results: [Int: SweepRunResult] { done.withLock { $0 } }
}

/// The children running now, so a stop can be forwarded to them.
final class ChildProcesses: Sendable {
    private let state = Mutex<(running: Set<Int32>, signalled: Set<Int32>)>(([], []))

    func add(_ pid: Int32) { state.withLock { _ = $0.running.insert(pid) } }
    func remove(_ pid: Int32) { state.withLock { _ = $0.running.remove(pid); _ = $0.signalled.remove(pid) } }

    /// Sends SIGTERM once to every running child (a second SIGTERM would not hurry them).
    func terminateAll() {
        state.withLock { s in
            for pid in s.running.subtracting(s.signalled) {
                kill(pid, SIGTERM)
                s.signalled.insert(pid)
            }
        }
    }
}
