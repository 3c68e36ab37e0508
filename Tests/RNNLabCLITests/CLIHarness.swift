// CLIHarness: runs the real `rnnlab` executable in a scratch folder and captures what it prints,
// for the end-to-end tests. It does not build the executable; `RNNLabExecutable` finds it.

import Foundation
import RNNTestSupport
import XCTest

/// What one `rnnlab` invocation did.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A scratch folder with helpers to write files into it and run `rnnlab` inside it.
final class CLIHarness {
    /// The scratch folder; `rnnlab` runs with it as the current directory.
    let root: URL
    let executable: URL
    private let scratch: ScratchFolder

    /// The tiny experiment most tests start from: trains 10 steps in well under a second.
    /// Line numbers matter: the bad-input tests replace one line and expect its line:column.
    static let tinyExperiment = """
        name: tiny
        seed: 3
        data:
          type: synthetic
          train_tokens: 2000
          valid_tokens: 300
          test_tokens: 300
        model:
          embedding_size: 8
          hidden_size: 8
          tied: true
        training:
          bptt: 5
          batch_size: 4
          eval_batch_size: 4
          max_steps: 10
          log_every: 2
          eval_every: 5
          checkpoint_every: 5
          threads: 1

        """

    /// The tiny experiment with `line` (the whole text of one line, e.g. `  hidden_size: 8`)
    /// replaced by `replacement`.
    static func tiny(replacing line: String, with replacement: String, file: StaticString = #filePath, line testLine: UInt = #line) -> String {
        let lines = tinyExperiment.components(separatedBy: "\n")
        let hits = lines.indices.filter { lines[$0] == line }
        XCTAssertEqual(hits.count, 1, "the tiny experiment has no single line \"\(line)\"", file: file, line: testLine)
        var out = lines
        if let i = hits.first { out[i] = replacement }
        return out.joined(separator: "\n")
    }

    /// - Throws: `RNNLabExecutable.Missing` when rnnlab is not built, which fails the test.
    init() throws {
        executable = URL(fileURLWithPath: try RNNLabExecutable.path())
        scratch = ScratchFolder("cli")
        root = URL(fileURLWithPath: scratch.path)
    }

    deinit { scratch.remove() }

    /// Writes `text` to `name` (relative to the scratch folder, parents created) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url.path
    }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    func read(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    /// Runs `rnnlab arguments…` in the scratch folder; `environment` entries are added to (or,
    /// with a nil value, removed from) the test's own. Fails the test if it runs over `timeout`
    /// seconds (a hang) and then kills it.
    func run(_ arguments: [String], environment: [String: String?] = [:], timeout: Double = 30,
             file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let id = UUID().uuidString
        let outURL = root.appendingPathComponent(".out-\(id)"), errURL = root.appendingPathComponent(".err-\(id)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
        env["RNNLAB_DATA"] = nil  // a developer's setting must not change what the tests see
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            usleep(200_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            XCTFail("rnnlab \(arguments.joined(separator: " ")) did not finish within \(timeout) s", file: file, line: line)
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// `rnnlab arguments…`, asserting exit status 0 and an empty stderr.
    @discardableResult
    func succeed(_ arguments: [String], environment: [String: String?] = [:],
                 file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let r = try run(arguments, environment: environment, file: file, line: line)
        XCTAssertEqual(r.status, 0, "rnnlab \(arguments.joined(separator: " ")) failed: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.stderr, "", file: file, line: line)
        return r
    }

    /// The run folders under a results root (`<results>/<experiment>/<run>`), sorted, relative to
    /// the scratch folder.
    func runFolders(in results: String = "results") -> [String] {
        let fm = FileManager.default
        guard let experiments = try? fm.contentsOfDirectory(atPath: path(results)) else { return [] }
        return experiments.flatMap { e -> [String] in
            let runs = (try? fm.contentsOfDirectory(atPath: path(results + "/" + e))) ?? []
            return runs.map { "\(results)/\(e)/\($0)" }
        }.sorted()
    }

    /// Runs `rnnlab arguments…` expecting a user error: exactly `expected` as the one stderr
    /// line (after `rnnlab: error: `), `status`, nothing on stdout, no new run folder under
    /// `results`, and no crash report.
    /// `rnnlab run` on the tiny experiment with `old` replaced by `new` fails with `message`.
    func failTiny(replacing old: String, with new: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try write("exp.yaml", CLIHarness.tiny(replacing: old, with: new, file: file, line: line))
        try fail(["run", "exp.yaml", "--results", "results"], message, file: file, line: line)
    }

    func fail(_ arguments: [String], _ expected: String, status: Int32 = 1, results: String = "results",
              file: StaticString = #filePath, line: UInt = #line) throws {
        let before = runFolders(in: results)
        let r = try run(arguments, file: file, line: line)
        XCTAssertEqual(r.stderr, "rnnlab: error: \(expected)\n", file: file, line: line)
        XCTAssertEqual(r.status, status, file: file, line: line)
        XCTAssertEqual(r.stdout, "", file: file, line: line)
        XCTAssertEqual(runFolders(in: results), before, "a run folder was left behind", file: file, line: line)
    }
}
