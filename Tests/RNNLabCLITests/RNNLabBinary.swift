// RNNLabBinary: runs the real `rnnlab` executable for end-to-end tests and captures its output.
//
// The binary is found next to the test bundle: SwiftPM builds every product of the package into
// the same folder (`.build/<config>/rnnlab` beside `.build/<config>/rnnlabPackageTests.xctest`),
// and `swift build --build-tests` / `swift test` build the executable too. Set RNNLAB_BINARY to
// test another build.

import Foundation
import XCTest

/// The outcome of one command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum RNNLabBinary {
    /// The rnnlab executable beside this test bundle, or $RNNLAB_BINARY.
    static var path: String {
        if let p = ProcessInfo.processInfo.environment["RNNLAB_BINARY"], !p.isEmpty { return p }
        // On Linux the test bundle is an executable, so /proc/self/exe is
        // .build/<config>/rnnlabPackageTests.xctest; elsewhere start from the main bundle.
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Bundle.main.bundlePath
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("rnnlab").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("rnnlab").path
    }

    /// Runs `rnnlab args…` in `directory` and waits for it; `environment` changes some variables.
    static func run(_ args: [String], in directory: String, environment: [String: String] = [:],
                    file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let binary = path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("no rnnlab binary at \(binary); build it first (swift build), or set RNNLAB_BINARY", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
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
