// SlurmClient: the few Slurm commands a sweep needs — sinfo for the partitions (which also tells
// whether the controller answers), sbatch --parsable to submit, squeue for an array's tasks —
// run as child processes with a time limit, their failures turned into one sentence each.
// It will not build scripts (SlurmArrayScript) nor decide what to submit (SlurmSubmission).

import Foundation

/// Runs Slurm's client commands found on `PATH`.
public struct SlurmClient: Sendable {
    /// The environment's `PATH`, searched for the commands.
    public var path: String
    /// Longest wait for one command, in seconds.
    public var timeout: Double

    public init(path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", timeout: Double = 20) {
        self.path = path
        self.timeout = timeout
    }

    /// The executable `name` on `path`, or nil.
    public func find(_ name: String) -> String? {
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The output of a finished command.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// The first non-empty line of stderr (else stdout), for messages.
        public var firstLine: String {
            (stderr + "\n" + stdout).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first(where: { !$0.isEmpty }) ?? "no output"
        }
    }

    /// Runs `tool` with `arguments`; nil when it is not on `path`.
    /// - Throws: `ExperimentError` when it cannot start or does not end within `timeout`.
    public func run(_ tool: String, _ arguments: [String]) throws -> Output? {
        guard let executable = find(tool) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw ExperimentError("cannot start \(executable): \(describe(error))") }
        // Read both pipes while it runs, so a full pipe cannot block it.
        let outData = PipeData(), errData = PipeData()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                box.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            throw ExperimentError("\(tool) \(arguments.joined(separator: " ")) did not answer within \(Int(timeout)) s")
        }
        p.waitUntilExit()
        group.wait()
        return Output(status: p.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
                      stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// The partitions, default first marked by nothing (sinfo's `*` is dropped).
    /// - Throws: `ExperimentError` when sinfo is missing or the controller does not answer.
    public func partitions() throws -> [String] {
        guard let out = try run("sinfo", ["-h", "-o", "%P"]) else {
            throw ExperimentError("sinfo is not installed (not on PATH), so Slurm cannot be asked for its partitions; install Slurm's client commands or run the sweep without --slurm")
        }
        guard out.status == 0 else {
            throw ExperimentError("the Slurm controller does not answer (sinfo: \(out.firstLine)); start slurmctld or run the sweep without --slurm")
        }
        var seen: [String] = []
        for line in out.stdout.split(separator: "\n") {
            let name = line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "*", with: "")
            if !name.isEmpty && !seen.contains(name) { seen.append(name) }
        }
        return seen
    }

    /// Submits the batch script at `script` with `sbatch --parsable`.
    /// - Returns: the job id.
    /// - Throws: `ExperimentError` with sbatch's message when it refuses.
    public func submit(script: String) throws -> String {
        guard let out = try run("sbatch", ["--parsable", script]) else {
            throw ExperimentError("sbatch is not installed (not on PATH); install Slurm's client commands or run the sweep without --slurm")
        }
        let id = out.stdout.split(separator: "\n").first.map { String($0.split(separator: ";")[0]).trimmingCharacters(in: .whitespaces) } ?? ""
        guard out.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw ExperimentError("sbatch refused the job: \(out.firstLine)")
        }
        return id
    }

    /// One task of an array job, as squeue shows it.
    public struct Task: Sendable, Equatable {
        /// `JOB_TASK`, or `JOB_[1-5%2]` for tasks not started yet.
        public var id: String
        /// PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, TIMEOUT, …
        public var state: String
        public var reason: String
    }

    /// The tasks of job `job` (finished ones while Slurm keeps them, MinJobAge); nil when squeue
    /// is missing or the controller does not answer.
    public func tasks(ofJob job: String) -> [Task]? {
        guard let out = try? run("squeue", ["-h", "-t", "all", "-j", job, "-o", "%i %T %r"]), out.status == 0 else { return nil }
        return out.stdout.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ", maxSplits: 2).map(String.init)
            return f.count >= 2 ? Task(id: f[0], state: f[1], reason: f.count > 2 ? f[2] : "") : nil
        }
    }
}

/// A value written by one thread and read after (pipe contents).
private final class PipeData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
