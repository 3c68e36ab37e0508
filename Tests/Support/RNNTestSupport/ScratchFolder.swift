// A scratch folder for a test: made fresh under the temporary directory, removed by `remove()`.
// Every test target takes its folders from here, so they are named and cleaned up one way.

import Foundation

/// A fresh folder under the temporary directory, removed by `remove()`.
public struct ScratchFolder: Sendable {
    public let path: String

    /// Makes `<tmp>/rnnlab-<label>-<pid>-<random>`.
    public init(_ label: String) {
        path = NSTemporaryDirectory() + "rnnlab-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Removes the folder and everything in it, read-only folders a test made included.
    public func remove() {
        if let e = FileManager.default.enumerator(atPath: path) {
            for case let p as String in e { chmod(path + "/" + p, 0o755) }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` in the folder (parents made) and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let p = path + "/" + name
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}
