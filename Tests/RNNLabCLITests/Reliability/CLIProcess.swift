// Helpers for tests that run the real `rnnlab` binary as a child process: start it (with SIGINT
// and SIGTERM at their defaults, whatever the test runner inherited), wait for it with a time
// limit, signal it, and read what it wrote. The binary is `RNNLabExecutable`'s.

import Foundation
import RNNTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
enum Ending: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    case timedOut

    var description: String {
        switch self {
        case let .exited(code): return "exit \(code)"
        case let .signaled(sig): return "killed by signal \(sig)"
        case .timedOut: return "still running at the time limit"
        }
    }
}

/// A running `rnnlab`, its output going to files in `logs`.
final class RNNLabProcess {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private(set) var ending: Ending?

    /// Starts `rnnlab arguments…` in `directory` (nil: this process's), output to `logs`/<label>.{out,err}.
    init(_ arguments: [String], in directory: String? = nil, logs: String, label: String) throws {
        let binary = try RNNLabExecutable.path()
        stdoutPath = logs + "/" + label + ".out"
        stderrPath = logs + "/" + label + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let directory {
            // glibc ≥ 2.29 has it, but its header hides it from Swift: look it up.
            typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
                throw XCTSkip("this C library cannot start a process in another folder")
            }
            _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, directory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), none = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, binary, &actions, &attributes, argv, environ)
        guard status == 0 else { throw NSError(domain: "posix_spawn", code: Int(status)) }
        pid = child
    }

    deinit {
        if ending == nil { kill(pid, SIGKILL); _ = wait(limit: 5) }
    }

    /// Waits up to `limit` seconds for the process to end.
    @discardableResult
    func wait(limit: Double) -> Ending {
        if let ending { return ending }
        let deadline = Date().addingTimeInterval(limit)
        var status: Int32 = 0
        while Date() < deadline {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                let signal = status & 0x7F
                ending = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
                return ending!
            }
            usleep(2_000)
        }
        return .timedOut
    }

    /// Sends `signal`.
    func send(_ signal: Int32) { kill(pid, signal) }

    /// True once rnnlab listens for SIGINT and SIGTERM (both caught, per /proc), so that a signal
    /// sent now reaches its handler rather than the default action.
    var handlesStopSignals: Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
        return mask & (1 << (UInt64(SIGINT) - 1)) != 0 && mask & (1 << (UInt64(SIGTERM) - 1)) != 0
    }

    var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
}

/// Runs `rnnlab arguments…` to its end (at most `limit` seconds).
@discardableResult
func rnnlab(_ arguments: [String], in directory: String? = nil, logs: String, label: String = "cli",
            limit: Double = 60) throws -> (ending: Ending, stdout: String, stderr: String) {
    let p = try RNNLabProcess(arguments, in: directory, logs: logs, label: label)
    let ending = p.wait(limit: limit)
    return (ending, p.standardOutput, p.standardError)
}

/// Polls `condition` every few milliseconds for up to `limit` seconds.
func waitUntil(_ limit: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(limit)
    while Date() < deadline {
        if condition() { return true }
        usleep(3_000)
    }
    return condition()
}

/// Data rows in a run's metrics.csv so far (0 when absent).
func metricsRows(_ runDirectory: String) -> Int {
    let text = (try? String(contentsOfFile: runDirectory + "/metrics.csv", encoding: .utf8)) ?? ""
    return max(0, text.split(separator: "\n").count - 1)
}
