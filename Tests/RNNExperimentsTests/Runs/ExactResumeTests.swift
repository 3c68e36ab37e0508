// Exact resume: a run stopped at step k (through the same stop hook a signal uses) and resumed
// ends with the same weights, bit for bit, and the same metrics as the run left alone. Stops
// are placed mid-epoch between checkpoints, on an interval checkpoint, after an epoch's last
// step, at an epoch's end, and twice in one run; with Adam (moments, step count) and with SGD
// and a plateau schedule that divides the rate and restores the best weights; with NCE (whose
// noise generator the checkpoint carries) and the hierarchical softmax.

import Foundation
import RNNTensor
import RNNTestSupport
import XCTest
@testable import RNNExperiments

final class ExactResumeTests: XCTestCase {
    /// Trains `text` once without a stop and once for each stop plan, and compares.
    /// A plan lists the polls after which to stop: the first for the run, the others for each resume.
    func check(_ text: String, plans: [[Int]], expectedSteps: [[Int]], file: StaticString = #filePath, line: UInt = #line) throws {
        let scratch = ScratchFolder("resume")
        defer { scratch.remove() }
        let whole = try runExperiment(text, root: scratch.path, run: "whole")
        XCTAssertEqual(whole.summary.status, .completed, file: file, line: line)
        for (plan, steps) in zip(plans, expectedSteps) {
            let name = "stopped-" + plan.map(String.init).joined(separator: "-")
            var outcome = try runExperiment(text, root: scratch.path, run: name, stopAfter: plan[0])
            var stoppedAt = [outcome.summary.steps]
            XCTAssertEqual(outcome.summary.status, .interrupted, file: file, line: line)
            for polls in plan.dropFirst() {
                outcome = try resumeRun(outcome.directory, stopAfter: polls)
                XCTAssertEqual(outcome.summary.status, .interrupted, file: file, line: line)
                stoppedAt.append(outcome.summary.steps)
            }
            XCTAssertEqual(stoppedAt, steps, "where plan \(plan) stopped", file: file, line: line)
            outcome = try resumeRun(outcome.directory)
            XCTAssertEqual(outcome.summary.status, .completed, file: file, line: line)
            try assertSameResults(whole.directory, outcome.directory, file: file, line: line)
        }
    }

    func testAdamResumesBitForBit() throws {
        // 50 steps per epoch; checkpoints every 7 steps and at epoch ends. Poll n ≤ 50 follows
        // step n; poll 51 is epoch 1's end. Stops: step 23 (between checkpoints, off the log
        // grid), step 28 (on an interval checkpoint), step 50 (epoch 1's last step, before its
        // validation), epoch 1's end, and step 12 then 12 + 30 = 42 (two stops).
        try check(tinyExperiment(), plans: [[23], [28], [50], [51], [12, 30]],
                  expectedSteps: [[23], [28], [50], [50], [12, 42]])
    }

    func testSGDWithPlateauResumesBitForBit() throws {
        // min_improvement 0.5 counts almost every epoch as a plateau: the rate is divided and the
        // best weights restored at each epoch's end, so the schedule state and best weights matter.
        let text = tinyExperiment(epochs: 3, optimizer: "{name: sgd, lr: 2}",
                                  schedule: "{name: plateau, factor: 2, min_improvement: 0.5, restore_best: true}",
                                  checkpointEvery: 11, evalEvery: 20)
        // Stops: step 37; epoch 1's end, then 33 polls later, after step 50 + 33 = 83; step 120 (in epoch 3).
        try check(text, plans: [[37], [51, 33], [122]], expectedSteps: [[37], [50, 83], [120]])
        let scratch = ScratchFolder("plateau")
        defer { scratch.remove() }
        let whole = try runExperiment(text, root: scratch.path, run: "whole")
        let rates = try metricsWithoutTiming(whole.directory).dropFirst().map { $0[5] }
        XCTAssertGreaterThan(Set(rates).count, 1, "the plateau schedule never changed the rate, so the test checks less than it says")
    }

    func testDropoutAndClassSoftmaxResumeBitForBit() throws {
        // Dropout draws masks from a generator whose state the checkpoint carries: a resume that
        // reseeded it would draw different masks and end with different weights.
        let text = tinyExperiment(modelExtras: ", dropout: 0.3, output: class_softmax")
        try check(text, plans: [[23], [51]], expectedSteps: [[23], [50]])
        let scratch = ScratchFolder("dropout")
        defer { scratch.remove() }
        let plain = try runExperiment(tinyExperiment(modelExtras: ", output: class_softmax"), root: scratch.path, run: "plain")
        let dropped = try runExperiment(text, root: scratch.path, run: "dropped")
        XCTAssertNotEqual(try metricsWithoutTiming(plain.directory), try metricsWithoutTiming(dropped.directory),
                          "dropout 0.3 changed nothing, so the test checks less than it says")
    }

    func testNCEAndHierarchicalSoftmaxResumeBitForBit() throws {
        for output in ["{name: nce, k: 5}", "hierarchical_softmax"] {
            try check(tinyExperiment(modelExtras: ", output: \(output)"), plans: [[23], [51], [12, 30]],
                      expectedSteps: [[23], [50], [12, 42]])
        }
        // The noise generator's state matters: a resume from a checkpoint whose generator state
        // was replaced draws other noise words and ends with other weights; one without it is refused.
        let scratch = ScratchFolder("nce")
        defer { scratch.remove() }
        let text = tinyExperiment(modelExtras: ", output: {name: nce, k: 5}")
        let whole = try runExperiment(text, root: scratch.path, run: "whole")
        for (name, replacement) in [("reseeded", Xoshiro256(seed: 99).state), ("missing", nil)] as [(String, [UInt64]?)] {
            let stopped = try runExperiment(text, root: scratch.path, run: name, stopAfter: 23)
            let path = stopped.directory + "/checkpoint/last.ckpt"
            var checkpoint = try Checkpoint.read(path: path)
            XCTAssertEqual(checkpoint.header.outputRng?.count, 4, "last.ckpt carries the noise generator")
            checkpoint.header.outputRng = replacement
            try writeAtomically(try checkpoint.encoded(), to: path)
            if replacement == nil {
                XCTAssertThrowsError(try resumeRun(stopped.directory)) { error in
                    XCTAssertTrue("\(error)".contains("output layer's random generator state is missing"), "\(error)")
                }
                continue
            }
            let resumed = try resumeRun(stopped.directory)
            XCTAssertEqual(resumed.summary.status, .completed)
            XCTAssertNotEqual(tensorBits(try Checkpoint.read(path: whole.directory + "/checkpoint/last.ckpt")),
                              tensorBits(try Checkpoint.read(path: resumed.directory + "/checkpoint/last.ckpt")),
                              "other noise gave the same weights, so the resume test checks less than it says")
        }
    }

    func testRowsWrittenAfterTheCheckpointAreDroppedOnResume() throws {
        // As if killed after writing epoch 1's validation row (step 50, like the checkpoint) and
        // half a metrics row: both go, by the row counts saved in the checkpoint, not by step.
        let scratch = ScratchFolder("rows")
        defer { scratch.remove() }
        let whole = try runExperiment(tinyExperiment(), root: scratch.path, run: "whole")
        let stopped = try runExperiment(tinyExperiment(), root: scratch.path, run: "stopped", stopAfter: 50)
        XCTAssertEqual(stopped.summary.steps, 50)
        let evals = try XCTUnwrap(FileHandle(forWritingAtPath: stopped.directory + "/evals.csv"))
        evals.seekToEndOfFile()
        evals.write(Data("50,1,2000,valid,9.999999,22026.4658\n".utf8))
        evals.closeFile()
        let metrics = try XCTUnwrap(FileHandle(forWritingAtPath: stopped.directory + "/metrics.csv"))
        metrics.seekToEndOfFile()
        metrics.write(Data("55,1.1000,2200,3.1".utf8))
        metrics.closeFile()
        try writeAtomically("torn", to: stopped.directory + "/checkpoint/.last.ckpt.tmp-1-2")
        let resumed = try resumeRun(stopped.directory)
        try assertSameResults(whole.directory, resumed.directory)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stopped.directory + "/checkpoint/.last.ckpt.tmp-1-2"),
                       "a kill's temporary file should be removed on resume")
    }

    func testResumingAFinishedRunWhoseSummaryWasLostEndsTheSame() throws {
        // A kill after the last checkpoint but before summary.json says "completed": the resume
        // replays from that checkpoint and must end where the run ended, not train further.
        let cases = [
            tinyExperiment(epochs: 2),                                          // ends on an epoch-end checkpoint
            tinyExperiment(epochs: 5, maxSteps: 33),                            // ends mid-epoch on max_steps
            tinyExperiment(epochs: 6, optimizer: "{name: sgd, lr: 2}",          // the schedule stops it
                           schedule: "{name: plateau, factor: 2, min_improvement: 0.5, max_decays: 1}"),
        ]
        let scratch = ScratchFolder("lost")
        defer { scratch.remove() }
        for (i, text) in cases.enumerated() {
            let whole = try runExperiment(text, root: scratch.path, run: "whole-\(i)")
            let copy = try runExperiment(text, root: scratch.path, run: "copy-\(i)")
            XCTAssertEqual(whole.summary.status, .completed)
            try setStatus(.running, of: copy.directory)
            let resumed = try resumeRun(copy.directory)
            XCTAssertEqual(resumed.summary.stopReason, whole.summary.stopReason, "case \(i)")
            try assertSameResults(whole.directory, resumed.directory)
        }
    }

    func testResumeAtTheStepLimitOnlyFinishes() throws {
        // A stop asked for at the last step completes the run instead; a run whose checkpoint is at
        // its limit (as after a kill just after it) trains no further step when resumed.
        let scratch = ScratchFolder("limit")
        defer { scratch.remove() }
        let text = tinyExperiment(epochs: 5, checkpointEvery: 7, maxSteps: 21)
        let stopped = try runExperiment(text, root: scratch.path, run: "a", stopAfter: 21)
        XCTAssertEqual(stopped.summary.status, .completed)
        XCTAssertEqual(stopped.summary.steps, 21)
        let whole = try runExperiment(text, root: scratch.path, run: "b")
        // Pretend the run was killed after its last checkpoint (step 21) but before its summary.
        try setStatus(.running, of: whole.directory)
        let resumed = try resumeRun(whole.directory)
        XCTAssertEqual(resumed.summary.status, .completed)
        XCTAssertEqual(resumed.summary.steps, 21)
        try assertSameResults(stopped.directory, resumed.directory)
    }
}
