// kill -9 at random moments: after each kill every file of the run is whole (summary.json
// decodes, the CSVs parse, checkpoints decode or are absent), --resume continues whenever a
// last.ckpt exists, and the run that was killed again and again ends with the same weights and
// metrics as a run left alone. The moments come from a fixed seed; the loop is bounded in time.

import Foundation
import XCTest
import RNNExperiments
import RNNTestSupport
#if canImport(Glibc)
import Glibc
#endif

final class KillTests: XCTestCase {
    func testKilledAtRandomMomentsTheRunStaysReadableAndResumesExactly() throws {
        let scratch = ScratchFolder("kill")
        defer { scratch.remove() }
        let experiment = try scratch.write("tiny.yaml", tinyExperiment(epochs: 12, checkpointEvery: 7, trainTokens: 16000))
        let dir = scratch.path + "/tiny/killed"
        var rng = SeededGenerator(seed: 2026)
        let started = Date()
        var kills = 0, resumes = 0, fresh = 0
        for round in 0..<8 where Date().timeIntervalSince(started) < 15 {
            let haveCheckpoint = FileManager.default.fileExists(atPath: dir + "/checkpoint/last.ckpt")
            let arguments: [String]
            if haveCheckpoint {
                arguments = ["run", "--resume", dir, "--quiet"]
                resumes += 1
            } else {
                if FileManager.default.fileExists(atPath: dir) {
                    // Killed before its first checkpoint: --resume says so; start it again.
                    let r = try rnnlab(["run", "--resume", dir], logs: scratch.path, label: "refused\(round)")
                    XCTAssertEqual(r.ending, .exited(1))
                    XCTAssertTrue(r.stderr.contains("has no checkpoint/last.ckpt") || r.stderr.contains("has no summary.json"), r.stderr)
                    try FileManager.default.removeItem(atPath: dir)
                }
                arguments = ["run", experiment, "--results", scratch.path, "--name", "killed", "--quiet"]
                fresh += 1
            }
            let p = try RNNLabProcess(arguments, logs: scratch.path, label: "round\(round)")
            // Anywhere from start-up to well into training (the whole run takes over a second even on
            // an idle machine: 16,000 training tokens, 12 epochs, so later resumes still have work left).
            usleep(UInt32(Double.random(in: 0.02...0.25, using: &rng) * 1e6))
            p.send(SIGKILL)
            let ending = p.wait(limit: 30)
            if ending == .exited(0) { break }   // it finished first
            XCTAssertEqual(ending, .signaled(SIGKILL), p.standardError)
            kills += 1
            if let summary = assertReadableRunTree(dir) {
                XCTAssertEqual(summary.status, .running, "a killed run cannot have written its final status")
            }
        }
        XCTAssertGreaterThanOrEqual(kills, 3, "too few kills landed to test anything")
        if assertReadableRunTree(dir)?.status != .completed {
            let canResume = FileManager.default.fileExists(atPath: dir + "/checkpoint/last.ckpt")
            if !canResume { try? FileManager.default.removeItem(atPath: dir) }
            let r = try rnnlab(canResume ? ["run", "--resume", dir, "--quiet"]
                                         : ["run", experiment, "--results", scratch.path, "--name", "killed", "--quiet"],
                               logs: scratch.path, label: "finish")
            XCTAssertEqual(r.ending, .exited(0), r.stderr)
        }
        XCTAssertEqual(assertReadableRunTree(dir)?.status, .completed)
        let whole = try rnnlab(["run", experiment, "--results", scratch.path, "--name", "whole", "--quiet"], logs: scratch.path, label: "whole")
        XCTAssertEqual(whole.ending, .exited(0), whole.stderr)
        try assertSameResults(scratch.path + "/tiny/whole", dir)
        print("kill loop: \(kills) kills, \(resumes) resumes, \(fresh) fresh starts in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
