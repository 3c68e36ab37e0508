// RunLog: a run's log.txt and the terminal, written together: every line said goes to both (the
// terminal unless quiet), and lines said before the run folder exists are kept and copied in
// when the log is attached. Progress lines are terminal-only and transient.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a run's messages go: the terminal and the run's log.txt.
public final class RunLog: @unchecked Sendable {
    private var file: AppendingFile?
    private let quiet: Bool
    private let lock = NSLock()
    /// True when standard output is a terminal (progress is redrawn in place).
    public let isTerminal: Bool
    private var progressLineShown = false

    public init(quiet: Bool = false) {
        self.quiet = quiet
        self.isTerminal = isatty(STDOUT_FILENO) == 1
    }

    /// Starts copying every line to `path` (lines said before are copied too).
    public func attach(path: String) throws(FileWriteError) {
        let file = try AppendingFile(path: path)
        lock.lock(); defer { lock.unlock() }
        for line in pending { try? file.append(line) }
        pending.removeAll()
        self.file = file
    }

    private var pending: [String] = []

    /// Prints a line and records it in the log.
    public func say(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        if !quiet {
            writeStandardOutput((progressLineShown ? "\r\u{1B}[2K" : "") + line + "\n")
            progressLineShown = false
        }
        if let file { try? file.append(line) } else { pending.append(line) }
    }

    /// Shows a transient progress line (terminal only; not logged).
    public func progress(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        guard isTerminal, !quiet else { return }
        writeStandardOutput("\r\u{1B}[2K" + line)
        progressLineShown = true
    }
}

/// Writes to file descriptor 1 directly (unbuffered, so lines interleave correctly with stderr).
func writeStandardOutput(_ text: String) {
    var bytes = Array(text.utf8)
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress! + off, $0.count - off) }
        if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
        off += n
    }
}
