// RNNLabBinary: runs the real `rnnlab` executable for end-to-end tests and captures its output
// through pipes. `RNNLabExecutable` finds the binary.

import Foundation
import RNNTestSupport
import XCTest

/// The outcome of one command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum RNNLabBinary {
    /// Runs `rnnlab args…` in `directory` and waits for it; `environment` changes some variables.
    static func run(_ args: [String], in directory: String, environment: [String: String] = [:],
                    file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let binary = try RNNLabExecutable.path()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read stderr on another thread while reading stdout here, so neither pipe can fill up.
        let errors = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errors.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        group.wait()
        return CommandResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errors.get(), as: UTF8.self))
    }
}

/// Bytes handed from a reader thread.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
