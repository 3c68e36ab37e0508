// SweepExecutor: runs a sweep's runs as child `rnnlab run` processes, N at a time, into one
// results folder, skipping the runs already completed and continuing interrupted or killed
// ones from their last checkpoint (so running a sweep again resumes it),
// and keeps `sweep.yaml` at the sweep root: the command, every run and its status.
//
// Each run is a separate process: a crash or divergence in one cannot take the others down,
// and its BLAS threads are set so that workers × threads does not exceed the cores.

import Foundation
import RNNYAML
#if canImport(Glibc)
import Glibc
#endif

/// How to run a sweep.
public struct SweepOptions: Sendable {
    public var resultsRoot: String
    public var dataRoot: String?
    /// Runs at once.
    public var jobs: Int
    /// List the runs and their status without running anything.
    public var dryRun: Bool
    /// This process's share: shard `index` (from 1) of `count`.
    public var shard: (index: Int, count: Int)?
    /// The rnnlab executable to start for each run.
    public var executable: String
    /// Extra `--set` overrides applied to every run (before the sweep's own).
    public var overrides: [String]
    /// The command line, recorded in sweep.yaml.
    public var command: [String]

    public init(resultsRoot: String = "results", dataRoot: String? = nil, jobs: Int = 1, dryRun: Bool = false,
                shard: (index: Int, count: Int)? = nil, executable: String, overrides: [String] = [], command: [String] = []) {
        self.resultsRoot = resultsRoot
        self.dataRoot = dataRoot
        self.jobs = jobs
        self.dryRun = dryRun
        self.shard = shard
        self.executable = executable
        self.overrides = overrides
        self.command = command
    }
}

/// The status of one run, as read from its folder.
public enum SweepRunStatus: String, Sendable {
    case pending, running, completed, interrupted, diverged, failed
}

/// Runs sweeps.
public struct SweepExecutor: Sendable {
    public init() {}

    /// Reads the status of the run folder `path` (pending when it does not exist).
    public static func status(of path: String) -> SweepRunStatus {
        guard FileManager.default.fileExists(atPath: path) else { return .pending }
        guard let summary = try? RunSummary.read(path: path + "/summary.json") else { return .failed }
        return SweepRunStatus(rawValue: summary.status) ?? .failed
    }

    /// Runs (or with `dryRun`, lists) the runs of `runs` for the experiment file `file` named `experiment`.
    /// Returns the final status of each run of this shard.
    public func run(file: String, experiment: String, runs allRuns: [SweepRun], options: SweepOptions,
                    log: @escaping @Sendable (String) -> Void) throws -> [(SweepRun, SweepRunStatus)] {
        let root = (options.resultsRoot as NSString).appendingPathComponent(experiment)
        let runs = options.shard.map { SweepPlan.shard(allRuns, shard: $0.index, of: $0.count) } ?? allRuns
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let jobs = max(1, options.jobs)
        let threads = max(1, cores / jobs)
        if options.dryRun {
            var out: [(SweepRun, SweepRunStatus)] = []
            for r in runs {
                let s = Self.status(of: root + "/" + r.name)
                log("\(r.name): \(s == .completed ? "completed (will be skipped)" : s.rawValue)")
                out.append((r, s))
            }
            return out
        }
        do { try FileManager.default.createDirectory(atPath: root + "/.locks", withIntermediateDirectories: true) }
        catch { throw ExperimentError.plain("cannot create the sweep folder \(root): \(describe(error))") }
        let state = SweepState(root: root, allRuns: allRuns, file: file, command: options.command)
        try state.writeManifest()

        let next = Mutex(0)
        let results = Mutex<[Int: SweepRunStatus]>([:])
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, runs.count))) { _ in
            while true {
                let k: Int = next.withLock { i in defer { i += 1 }; return i }
                guard k < runs.count else { return }
                let r = runs[k]
                let status = runOne(r, root: root, file: file, threads: threads, options: options, log: log)
                results.withLock { $0[r.index] = status }
                try? state.writeManifest()
            }
        }
        let final = results.withLock { $0 }
        return runs.map { ($0, final[$0.index] ?? .pending) }
    }

    /// Runs one run unless it is complete or another process holds it.
    func runOne(_ r: SweepRun, root: String, file: String, threads: Int, options: SweepOptions,
                log: @Sendable (String) -> Void) -> SweepRunStatus {
        let folder = root + "/" + r.name
        let lockPath = root + "/.locks/" + r.name + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { log("\(r.name): cannot create its lock file \(lockPath)"); return .failed }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            log("\(r.name): another process is running it; skipped")
            return .running
        }
        let before = Self.status(of: folder)
        if before == .completed {
            log("\(r.name): completed already; skipped")
            return .completed
        }
        var resume = false
        if before != .pending {
            // An incomplete run. Never touch a folder another process is writing (a plain
            // `rnnlab run --name` or a `--resume` of it); else continue it from its checkpoint
            // when it has one (killed or interrupted), or start it again from scratch.
            do { try RunFolderLock(directory: folder).release() } catch {
                log("\(r.name): another process is writing its folder; skipped")
                return .running
            }
            resume = before != .diverged && FileManager.default.fileExists(atPath: folder + "/checkpoint/last.ckpt")
            if !resume { try? FileManager.default.removeItem(atPath: folder) }
        }
        var args: [String]
        if resume {
            args = ["run", "--resume", folder, "--quiet"]
            if let dataRoot = options.dataRoot { args += ["--data-root", dataRoot] }
        } else {
            args = ["run", file, "--results", options.resultsRoot, "--name", r.name, "--quiet"]
            if let dataRoot = options.dataRoot { args += ["--data-root", dataRoot] }
            for o in options.overrides { args += ["--set", o] }
            for o in r.overrides { args += ["--set", o.assignment] }
            args += ["--set", "training.threads=\(threads)"]
        }
        log("\(r.name): \(resume ? "resumed from its last checkpoint" : "started")")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: options.executable)
        p.arguments = args
        let errors = Pipe()
        p.standardError = errors
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch {
            log("\(r.name): could not start \(options.executable): \(describe(error))")
            return .failed
        }
        let errText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        var status = Self.status(of: folder)
        if status == .pending || status == .running { status = .failed }
        var line = "\(r.name): \(status.rawValue)"
        if let s = try? RunSummary.read(path: folder + "/summary.json"), let v = s.bestValidPPL {
            line += String(format: ", best valid ppl %.3f", v) + (s.testPPL.map { String(format: ", test ppl %.3f", $0) } ?? "")
        }
        let firstError = errText.split(separator: "\n").first { $0.contains("error") }
        if status == .failed, let firstError { line += " — " + firstError }
        log(line)
        return status
    }
}

/// Writes sweep.yaml from what is on disk, so concurrent writers agree.
final class SweepState: @unchecked Sendable {
    let root: String
    let allRuns: [SweepRun]
    let file: String
    let command: [String]
    private let lock = NSLock()

    init(root: String, allRuns: [SweepRun], file: String, command: [String]) {
        self.root = root
        self.allRuns = allRuns
        self.file = file
        self.command = command
    }

    func writeManifest() throws {
        lock.lock(); defer { lock.unlock() }
        let runs = allRuns.map { r in
            YAMLNode(pairs: [
                ("name", YAMLNode(r.name)),
                ("overrides", YAMLNode(r.overrides.map { YAMLNode($0.assignment) })),
                ("status", YAMLNode(SweepExecutor.status(of: root + "/" + r.name).rawValue)),
            ])
        }
        let node = YAMLNode(pairs: [
            ("experiment_file", YAMLNode(file)),
            ("command", YAMLNode(command.joined(separator: " "))),
            ("runs", YAMLNode(runs)),
        ])
        try writeAtomically(node.emit(), to: root + "/sweep.yaml")
    }
}

import Synchronization
