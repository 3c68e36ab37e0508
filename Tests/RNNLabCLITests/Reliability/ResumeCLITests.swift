// `rnnlab run --resume` from the command line: its argument rules, hostile checkpoints given to
// --resume, generate and eval (one sentence on stderr, exit 1, no crash), two runs started at
// once into one results folder, a resume refused while the run is still going, and a resume
// from another working folder that still finds the run's data.

import Foundation
import Synchronization
import XCTest
import RNNExperiments
import RNNTestSupport
#if canImport(Glibc)
import Glibc
#endif

final class ResumeCLITests: XCTestCase {
    var scratch: ScratchFolder!

    override func setUp() { scratch = ScratchFolder("resume") }
    override func tearDown() { scratch.remove() }

    /// Asserts that `rnnlab arguments…` fails with exit `code` and one stderr line containing `text`.
    func assertFails(_ arguments: [String], code: Int32 = 1, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try rnnlab(arguments, logs: scratch.path)
        XCTAssertEqual(r.ending, .exited(code), r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(text), "stderr: \(r.stderr)", file: file, line: line)
        let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty && !$0.hasPrefix("Usage:") }
        XCTAssertEqual(lines.count, 1, "not one sentence: \(r.stderr)", file: file, line: line)
    }

    func testArgumentRules() throws {
        let experiment = try scratch.write("tiny.yaml", tinyExperiment())
        try assertFails(["run"], code: 64, "give an experiment FILE to run, or --resume RUN_DIR to continue a stopped run")
        try assertFails(["run", experiment, "--resume", scratch.path], code: 64, "give either an experiment FILE or --resume RUN_DIR, not both")
        try assertFails(["run", "--resume", scratch.path, "--set", "training.epochs=9"], code: 64, "--set cannot change a resumed run")
        try assertFails(["run", "--resume", scratch.path, "--name", "x"], code: 64, "--name and --results choose a new run's folder")
    }

    /// Two finished runs, hidden size 8 and 16, made to look stopped.
    func twoRuns() throws -> (String, String) {
        for (name, hidden) in [("h8", 8), ("h16", 16)] {
            let experiment = try scratch.write("\(name).yaml", tinyExperiment(hidden: hidden, epochs: 1))
            let r = try rnnlab(["run", experiment, "--results", scratch.path, "--name", name, "--quiet"], logs: scratch.path)
            XCTAssertEqual(r.ending, .exited(0), r.stderr)
            try setStatus(.interrupted, of: scratch.path + "/tiny/" + name)
        }
        return (scratch.path + "/tiny/h8", scratch.path + "/tiny/h16")
    }

    func testHostileCheckpointsGiveOneSentence() throws {
        let (a, b) = try twoRuns()
        let last = a + "/checkpoint/last.ckpt", best = a + "/checkpoint/best.ckpt"
        let lastBytes = try Data(contentsOf: URL(fileURLWithPath: last)), bestBytes = try Data(contentsOf: URL(fileURLWithPath: best))
        let text = try scratch.write("text.txt", "o_1 f_1 c_1\n")

        try lastBytes.prefix(lastBytes.count - 13).write(to: URL(fileURLWithPath: last))
        try assertFails(["run", "--resume", a], "\(last) is not a usable rnnlab checkpoint: its checksum does not match (the file is damaged or incomplete)")
        var version = lastBytes
        version[8] = 7
        try version.write(to: URL(fileURLWithPath: last))
        try assertFails(["run", "--resume", a], "\(last) is not a usable rnnlab checkpoint: it has format version 7, and this rnnlab reads version 3 only")
        var flipped = lastBytes
        flipped[lastBytes.count / 2] ^= 0x01
        try flipped.write(to: URL(fileURLWithPath: last))
        try assertFails(["run", "--resume", a], "\(last) is not a usable rnnlab checkpoint: its checksum does not match")

        try FileManager.default.removeItem(atPath: last)
        try FileManager.default.copyItem(atPath: b + "/checkpoint/last.ckpt", toPath: last)
        try assertFails(["run", "--resume", a], "\(last) does not belong to this run: its experiment differs from \(a)/config.yaml (model.embedding_size is 16 there and 8 in config.yaml)")

        try FileManager.default.removeItem(atPath: best)
        try FileManager.default.copyItem(atPath: b + "/checkpoint/best.ckpt", toPath: best)
        try assertFails(["generate", a, "--words", "5"], "\(best) does not belong to this run")
        try assertFails(["eval", a, "--data", text], "\(best) does not belong to this run")
        try bestBytes.prefix(100).write(to: URL(fileURLWithPath: best))
        try assertFails(["generate", a], "\(best) is not a usable rnnlab checkpoint")
        try assertFails(["eval", a, "--data", text], "\(best) is not a usable rnnlab checkpoint")

        // Put everything back: the run resumes and completes.
        try lastBytes.write(to: URL(fileURLWithPath: last))
        try bestBytes.write(to: URL(fileURLWithPath: best))
        let r = try rnnlab(["run", "--resume", a, "--quiet"], logs: scratch.path)
        XCTAssertEqual(r.ending, .exited(0), r.stderr)
        try assertFails(["run", "--resume", a], "\(a) has completed (reached 1 epoch), so there is nothing to resume")
    }

    func testTwoRunsStartedAtOnceGetTheirOwnFolders() throws {
        let experiment = try scratch.write("tiny.yaml", tinyExperiment(epochs: 2))
        let results = scratch.path + "/results"
        let runs = try (0..<2).map { try RNNLabProcess(["run", experiment, "--results", results, "--quiet"], logs: scratch.path, label: "p\($0)") }
        for p in runs { XCTAssertEqual(p.wait(limit: 60), .exited(0), p.standardError) }
        let folders = try FileManager.default.contentsOfDirectory(atPath: results + "/tiny").sorted()
        XCTAssertEqual(folders.count, 2, "\(folders)")
        for f in folders { XCTAssertEqual(assertReadableRunTree(results + "/tiny/" + f)?.status, .completed) }
        if folders.count == 2 { try assertSameResults(results + "/tiny/" + folders[0], results + "/tiny/" + folders[1]) }
    }

    func testAResumeIsRefusedWhileTheRunIsGoing() throws {
        let experiment = try scratch.write("tiny.yaml", tinyExperiment(epochs: 40))
        let p = try RNNLabProcess(["run", experiment, "--results", scratch.path, "--name", "busy", "--quiet"], logs: scratch.path, label: "busy")
        let dir = scratch.path + "/tiny/busy"
        XCTAssertTrue(waitUntil(30) { p.handlesStopSignals && FileManager.default.fileExists(atPath: dir + "/checkpoint/last.ckpt") })
        try assertFails(["run", "--resume", dir], "\(dir) is in use by another rnnlab process (a run or a resume of it is still going); wait for it to end or stop it first")
        p.send(SIGINT)
        XCTAssertEqual(p.wait(limit: 30), .exited(130), p.standardError)
        XCTAssertEqual(assertReadableRunTree(dir)?.status, .interrupted)
    }

    func testAResumeFromAnotherFolderFindsTheData() throws {
        // The experiment names its data relative to its own folder, and the run is started from
        // there; the resume is started elsewhere, with a relative RUN_DIR.
        let project = scratch.path + "/project"
        try FileManager.default.createDirectory(atPath: project + "/data", withIntermediateDirectories: true)
        var words: [String] = []
        for i in 0..<2400 { words.append(["the", "cat", "sat", "on", "a", "mat"][(i * 7 + i / 5) % 6] + (i % 10 == 9 ? "\n" : "")) }
        try words.joined(separator: " ").write(toFile: project + "/data/corpus.txt", atomically: true, encoding: .utf8)
        let text = tinyExperiment(epochs: 30).replacingOccurrences(
            of: "data: {type: synthetic, train_tokens: 2000, valid_tokens: 200, test_tokens: 200}",
            with: "data: {type: text, train: data/corpus.txt}")
        try text.write(toFile: project + "/exp.yaml", atomically: true, encoding: .utf8)
        let p = try RNNLabProcess(["run", "exp.yaml", "--results", "results", "--name", "r", "--quiet"], in: project, logs: scratch.path, label: "rel")
        let dir = project + "/results/tiny/r"
        XCTAssertTrue(waitUntil(30) { p.handlesStopSignals && metricsRows(dir) >= 1 }, p.standardError)
        p.send(SIGINT)
        XCTAssertEqual(p.wait(limit: 30), .exited(130), p.standardError)
        let r = try RNNLabProcess(["run", "--resume", "project/results/tiny/r", "--quiet"], in: scratch.path, logs: scratch.path, label: "rel2")
        XCTAssertEqual(r.wait(limit: 60), .exited(0), r.standardError)
        XCTAssertEqual(assertReadableRunTree(dir)?.status, .completed)
    }
}

final class SweepResumeTests: XCTestCase {
    func testASweepResumesItsInterruptedRunAndLeavesABusyOneAlone() throws {
        let scratch = ScratchFolder("sweep")
        defer { scratch.remove() }
        let experiment = try scratch.write("tiny.yaml", tinyExperiment(epochs: 12) + "sweep:\n  grid: {training.clip: [1, 2]}\n")
        let sweep = try SweepFile.load(path: experiment, registry: .builtin)
        let runs = sweep.runs
        XCTAssertEqual(runs.count, 2)
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let options = SweepOptions(resultsRoot: scratch.path, jobs: 1, executable: try RNNLabExecutable.path())
        // Both started as the sweep would start them; run 1 still going in another process (the
        // sweep reaches it first), run 2 interrupted.
        var processes: [RNNLabProcess] = []
        for (i, r) in runs.enumerated() {
            let args = SweepExecutor.childArguments(r, of: sweep, options: options, threads: threads)
                + (i == 0 ? ["--set", "training.epochs=1000"] : [])   // busy for the whole test
            let p = try RNNLabProcess(args, logs: scratch.path, label: r.name)
            XCTAssertTrue(waitUntil(30) { p.handlesStopSignals && metricsRows(scratch.path + "/tiny/" + r.name) >= 1 })
            processes.append(p)
        }
        processes[1].send(SIGINT)
        XCTAssertEqual(processes[1].wait(limit: 30), .exited(130))

        let lines = Mutex<[String]>([])
        let results = try SweepExecutor().run(sweep, options: options) { line in
            lines.withLock { $0.append(line) }
        }
        let log = lines.withLock { $0 }
        XCTAssertEqual(results.map(\.status), [.running, .completed], "\(log)")
        XCTAssertTrue(log.contains { $0.hasSuffix("\(runs[0].name): another process is writing its folder; skipped") }, "\(log)")
        XCTAssertTrue(log.contains { $0.hasSuffix("\(runs[1].name): resumed from its last checkpoint") }, "\(log)")
        XCTAssertEqual(assertReadableRunTree(scratch.path + "/tiny/" + runs[1].name)?.steps, 600)
        processes[0].send(SIGTERM)
        XCTAssertEqual(processes[0].wait(limit: 30), .exited(143))
    }
}
