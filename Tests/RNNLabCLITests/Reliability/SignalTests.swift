// Signals and divergence with the real binary: the first SIGINT (SIGTERM) finishes the step,
// checkpoints, writes status interrupted and exits 130 (143), and --resume completes the run;
// a second SIGINT exits at once leaving only whole files; a stop while the data load writes
// nothing; a diverging run ends with status diverged, its step, exit 3 and readable files.

import Foundation
import XCTest
import RNNExperiments
import RNNTestSupport
#if canImport(Glibc)
import Glibc
#endif

final class SignalTests: XCTestCase {
    var scratch: ScratchFolder!

    override func setUp() { scratch = ScratchFolder("signals") }
    override func tearDown() { scratch.remove() }

    /// Starts a 300-step run named `name`, waits until it listens for signals and has logged a
    /// row, and returns it with its folder.
    func startTraining(_ name: String) throws -> (RNNLabProcess, String) {
        let experiment = try scratch.write("\(name).yaml", tinyExperiment(epochs: 6))
        let p = try RNNLabProcess(["run", experiment, "--results", scratch.path, "--name", name, "--quiet"], logs: scratch.path, label: name)
        let dir = scratch.path + "/tiny/" + name
        XCTAssertTrue(waitUntil(30) { p.handlesStopSignals && metricsRows(dir) >= 1 }, "the run did not start training: \(p.standardError)")
        return (p, dir)
    }

    func checkStopAndResume(_ signal: Int32, exitCode: Int32) throws {
        let (p, dir) = try startTraining("sig\(signal)")
        p.send(signal)
        XCTAssertEqual(p.wait(limit: 30), .exited(exitCode), p.standardError)
        XCTAssertTrue(p.standardError.contains("rnnlab: stopping after this step (again to quit at once)"), p.standardError)
        let summary = try XCTUnwrap(assertReadableRunTree(dir))
        XCTAssertEqual(summary.status, .interrupted)
        XCTAssertLessThan(summary.steps, 300, "the run ended before the signal; the test proves nothing")
        let last = try Checkpoint.read(path: dir + "/checkpoint/last.ckpt")
        XCTAssertEqual(last.header.progress.step, summary.steps, "last.ckpt is not the state at the stop")

        let resumed = try rnnlab(["run", "--resume", dir, "--quiet"], logs: scratch.path, label: "resume\(signal)")
        XCTAssertEqual(resumed.ending, .exited(0), resumed.stderr)
        let done = try XCTUnwrap(assertReadableRunTree(dir))
        XCTAssertEqual(done.status, .completed)
        XCTAssertEqual(done.steps, 300)
        XCTAssertNotNil(done.testPPL)
    }

    func testSIGINTCheckpointsExits130AndResumeCompletes() throws {
        try checkStopAndResume(SIGINT, exitCode: 130)
    }

    func testSIGTERMCheckpointsExits143AndResumeCompletes() throws {
        try checkStopAndResume(SIGTERM, exitCode: 143)
    }

    func testSecondSIGINTDuringTrainingExitsAtOnceWithWholeFiles() throws {
        let (p, dir) = try startTraining("twice")
        p.send(SIGINT)
        XCTAssertTrue(waitUntil(30) { p.standardError.contains("stopping after this step") })
        p.send(SIGINT)
        XCTAssertEqual(p.wait(limit: 30), .exited(130), p.standardError)
        let summary = try XCTUnwrap(assertReadableRunTree(dir))
        // Either the step ended before the second signal was seen (interrupted) or not (running).
        XCTAssertTrue([RunStatus.running, .interrupted].contains(summary.status), summary.status.rawValue)
        if FileManager.default.fileExists(atPath: dir + "/checkpoint/last.ckpt") {
            let resumed = try rnnlab(["run", "--resume", dir, "--quiet"], logs: scratch.path, label: "resume-twice")
            XCTAssertEqual(resumed.ending, .exited(0), resumed.stderr)
            XCTAssertEqual(assertReadableRunTree(dir)?.status, .completed)
        }
    }

    func testStopWhileTheDataLoadWritesNothing() throws {
        // 3 M generated tokens take a good half second to make in a debug build: the signals land
        // while the data load, after rnnlab listens for them.
        let experiment = try scratch.write("big.yaml", tinyExperiment(epochs: 6, trainTokens: 3_000_000))
        for (label, count) in [("once", 1), ("twice", 2)] {
            let p = try RNNLabProcess(["run", experiment, "--results", scratch.path, "--name", label, "--quiet"], logs: scratch.path, label: label)
            XCTAssertTrue(waitUntil(30) { p.handlesStopSignals })
            p.send(SIGINT)
            if count == 2 {
                // Two signals sent back to back reach a process as one: wait until the first is seen.
                XCTAssertTrue(waitUntil(30) { p.standardError.contains("stopping after this step") })
                p.send(SIGINT)
            }
            XCTAssertEqual(p.wait(limit: 30), .exited(130), p.standardError)
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/tiny/" + label), "a stopped run left a folder")
            // Once: the data finish loading, then nothing is written. Twice: rnnlab leaves at once.
            XCTAssertEqual(p.standardError.contains("stopped before training started; nothing was written"), count == 1, p.standardError)
        }
    }

    func testDivergenceEndsWithStatusDivergedAndExit3() throws {
        let experiment = try scratch.write("blow.yaml", tinyExperiment(epochs: 6, optimizer: "{name: sgd, lr: 100000}"))
        let r = try rnnlab(["run", experiment, "--results", scratch.path, "--name", "blow"], logs: scratch.path)
        XCTAssertEqual(r.ending, .exited(3), r.stderr)
        let dir = scratch.path + "/tiny/blow"
        let summary = try XCTUnwrap(assertReadableRunTree(dir))
        XCTAssertEqual(summary.status, .diverged)
        let step = try XCTUnwrap(summary.divergedAtStep)
        XCTAssertGreaterThanOrEqual(step, 2)
        XCTAssertLessThan(step, 300)
        XCTAssertTrue(summary.stopReason.hasPrefix("loss "), summary.stopReason)
        XCTAssertNil(summary.testPPL)
        XCTAssertTrue(r.stdout.contains("diverged at step \(step)"), r.stdout)
        // The JSON is plain JSON: no NaN or Infinity spelled out.
        let json = try String(contentsOfFile: dir + "/summary.json", encoding: .utf8)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))
        XCTAssertFalse(json.lowercased().contains(": nan") || json.lowercased().contains(": inf"), json)
    }
}
