// EventFileWriter: one TensorBoard event file (`events.out.tfevents.<seconds>.<host>.<pid>.<n>`)
// that grows record by record. Each record goes to the OS in a single write(2), so a kill
// leaves at most the last record incomplete, which TensorBoard's reader (and
// `TFRecord.records(in:)`) stops before. It will not: buffer, rotate files, or know about runs.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why an event file could not be written or read.
public struct EventFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write the TensorBoard event file \(path): \(reason)" }
}

/// Appends events to a new event file.
public final class EventFileWriter {
    /// The file's path.
    public let path: String
    private let fd: Int32

    /// Whether `name` is a TensorBoard event file name.
    public static func isEventFile(_ name: String) -> Bool { name.contains("tfevents") && !name.hasPrefix(".") }

    /// Creates a new event file in the existing `folder` and writes its file-version record.
    /// The name never reuses an existing file's (O_EXCL), so two writers never share a file.
    public init(folder: String, wallTime: Double = Date().timeIntervalSince1970) throws(EventFileError) {
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        let base = "\(folder)/events.out.tfevents.\(String(format: "%010d", Int(wallTime))).\(host).\(getpid())"
        var opened: (String, Int32)?
        for n in 0..<1000 {
            let candidate = "\(base).\(n)"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 { opened = (candidate, fd); break }
            guard errno == EEXIST else { throw EventFileError(path: candidate, reason: String(cString: strerror(errno))) }
        }
        guard let (path, fd) = opened else { throw EventFileError(path: base, reason: "1000 files of this name already exist") }
        self.path = path
        self.fd = fd
        try write(Event(wallTime: wallTime, step: 0, fileVersion: "brain.Event:2"))
    }

    deinit { close(fd) }

    /// Appends `event` as one record, in one write.
    public func write(_ event: Event) throws(EventFileError) {
        let record = TFRecord.frame(event.encoded())
        let n = record.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        guard n == record.count else {
            throw EventFileError(path: path, reason: n < 0 ? String(cString: strerror(errno)) : "short write")
        }
    }

    /// Forces what was written to disk.
    public func sync() { fsync(fd) }
}
