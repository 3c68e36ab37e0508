// AtomicFile: every file rnnlab writes into a results tree goes through a temporary file in the
// same folder, fsync and rename, so that a reader (or a `kill -9`) sees either the old complete
// file or the new complete file, never a torn one. Appended logs are written line by line with
// a flush, so that at most the last line can be incomplete.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a results file could not be written.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}

private func errnoText() -> String { String(cString: strerror(errno)) }

/// Writes `bytes` to `path` atomically: temporary file, fsync, rename over the target.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileWriteError) {
    let dir = (path as NSString).deletingLastPathComponent
    let tmp = (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileWriteError(path: path, reason: errnoText()) }
    var written = 0
    let ok = bytes.withUnsafeBytes { raw -> Bool in
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n < 0 { if errno == EINTR { continue }; return false }
            written += n
        }
        return true
    }
    let reason = ok ? nil : errnoText()
    if ok && fsync(fd) != 0 { close(fd); unlink(tmp); throw FileWriteError(path: path, reason: errnoText()) }
    close(fd)
    if let reason { unlink(tmp); throw FileWriteError(path: path, reason: reason) }
    guard rename(tmp, path) == 0 else {
        let reason = errnoText()
        unlink(tmp)
        throw FileWriteError(path: path, reason: reason)
    }
    // Make the rename itself durable.
    let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dfd >= 0 { fsync(dfd); close(dfd) }
}

/// Whether `name` is the temporary file of an atomic write (`.<target>.tmp-<pid>-<random>`); one
/// is left behind only when a process is killed mid-write, and readers ignore it.
public func isAtomicWriteTemporary(_ name: String) -> Bool {
    name.hasPrefix(".") && name.contains(".tmp-")
}

/// Removes the temporaries that writes interrupted by a kill left in `directory` (not recursive).
public func removeAtomicWriteTemporaries(in directory: String) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names where isAtomicWriteTemporary(name) {
        unlink((directory as NSString).appendingPathComponent(name))
    }
}

/// Writes `text` as UTF-8 to `path` atomically.
public func writeAtomically(_ text: String, to path: String) throws(FileWriteError) {
    try writeAtomically(Array(text.utf8), to: path)
}

/// A text file that grows line by line; each line is flushed to the OS as it is appended.
public final class AppendingFile {
    public let path: String
    private let fd: Int32
    private var failure: FileWriteError?

    /// Opens `path` for appending, creating it (with `header` as its first line) when absent.
    ///
    /// A new file with a header is created atomically with its header already in it, so that a
    /// reader never finds it empty (an empty CSV file has no header and cannot be read).
    public init(path: String, header: String? = nil) throws(FileWriteError) {
        self.path = path
        if let header, !FileManager.default.fileExists(atPath: path) {
            try writeAtomically(header + "\n", to: path)
        }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, reason: errnoText()) }
    }

    deinit { close(fd) }

    /// Appends `line` and a newline (in one write unless the OS cuts it short).
    ///
    /// A write that fails (a full disk) is undone, so the file keeps whole lines, and every later
    /// append fails with the same error: no line lands after a missing one.
    public func append(_ line: String) throws(FileWriteError) {
        if let failure { throw failure }
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        let before = lseek(fd, 0, SEEK_END)
        var reason: String?
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    reason = errnoText()
                    return
                }
                written += n
            }
        }
        if let reason {
            if before >= 0 { _ = ftruncate(fd, before) }
            let error = FileWriteError(path: path, reason: reason)
            failure = error
            throw error
        }
    }

    /// Forces what was appended to disk.
    public func sync() { fsync(fd) }
}
