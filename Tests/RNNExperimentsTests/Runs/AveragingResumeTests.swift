// Exact resume across NT-ASGD's trigger and the budget schedule's plan (ExactResumeTests'
// pattern): runs stopped before averaging starts and after it, before the plan is fixed and after
// it, end with the same weights, averages, trigger state and schedule state, bit for bit, as the
// run left alone.

import Foundation
import RNNTestSupport
import XCTest
@testable import RNNExperiments

extension ExactResumeTests {
    /// The polls (ExactResumeTests.check) from a run standing after step `from` (0: a fresh run)
    /// until the stop after step `to`: one per step, plus one per epoch end passed (50 steps an epoch).
    private func polls(from: Int = 0, to: Int) -> Int {
        (to - from) + stride(from: 50, to: to, by: 50).filter { $0 >= from }.count
    }

    func testAveragedSGDResumesBitForBitAcrossItsTrigger() throws {
        // Constant lr 2, n = 1, a validation every 15 steps: the trigger fires at step 105, in epoch 3.
        let text = tinyExperiment(epochs: 3, optimizer: "{name: asgd, lr: 2, nonmono: 1}", evalEvery: 15)
        let scratch = ScratchFolder("asgd")
        defer { scratch.remove() }
        let whole = try runExperiment(text, root: scratch.path, run: "whole")
        let start = try XCTUnwrap(whole.summary.averagingFromStep, "the trigger never fired, so this checks less than it says")
        XCTAssertEqual(start, 105)
        XCTAssertTrue(fileText(whole.directory + "/log.txt").contains("averaging from step 105"))
        XCTAssertTrue(fileText(whole.directory + "/log.txt").contains("the average of the iterates since step 105"))
        let last = try Checkpoint.read(path: whole.directory + "/checkpoint/last.ckpt")
        XCTAssertEqual(last.header.optimizerValues?["average.start_step"], 105)
        XCTAssertEqual(last.header.optimizerValues?["average.count"], 150 - 105 + 1)
        XCTAssertNotNil(last.tensors["optimizer/avg.cell.U"], "the average is saved beside the iterate")
        XCTAssertNotEqual(last.tensors["optimizer/avg.cell.U"], last.tensors["param/cell.U"])
        let best = try Checkpoint.read(path: whole.directory + "/checkpoint/best.ckpt")
        XCTAssertEqual(best.tensors["param/cell.U"], last.tensors["optimizer/avg.cell.U"],
                       "the final validation scored the average and was the best: best.ckpt holds the average")

        // Stops: step 97 (a checkpoint before the trigger), step 112 (after it), and 60 then 110.
        try check(text, plans: [[polls(to: 97)], [polls(to: 112)], [polls(to: 60), polls(from: 60, to: 110)]],
                  expectedSteps: [[97], [112], [60, 110]])
        let stopped = try runExperiment(text, root: scratch.path, run: "stopped", stopAfter: polls(to: 97))
        let before = try Checkpoint.read(path: stopped.directory + "/checkpoint/last.ckpt")
        XCTAssertNil(before.header.optimizerValues?["average.start_step"], "stopped before the trigger")
        XCTAssertNotNil(before.header.optimizerValues?["trigger.evaluations"], "the trigger's state is saved")
        XCTAssertFalse(before.tensors.keys.contains { $0.hasPrefix("optimizer/avg.") })
    }

    func testTheBudgetScheduleResumesBitForBitAcrossItsPlan() throws {
        // A time budget of an hour and 3 epochs: after the 20-step warm-up the plan is the epoch
        // limit, 150 steps, whatever the machine's speed. With asgd (lr 4, n = 2, a validation
        // every 5 steps) the trigger fires early, at step 20.
        let text = tinyExperiment(epochs: 3, optimizer: "{name: asgd, lr: 4, nonmono: 2}",
                                  schedule: "{name: budget, constant_fraction: 0.3, shape: cosine, final_factor: 0.01, warmup_steps: 20}",
                                  evalEvery: 5)
            .replacingOccurrences(of: "  epochs: 3\n", with: "  epochs: 3\n  time_budget: 1h\n")
        let scratch = ScratchFolder("budget")
        defer { scratch.remove() }
        let whole = try runExperiment(text, root: scratch.path, run: "whole")
        XCTAssertEqual(whole.summary.averagingFromStep, 20)
        XCTAssertTrue(fileText(whole.directory + "/log.txt").contains(
            "schedule: planned 150 steps (3 epochs of 50 steps, before the time budget of 3600 s"))
        let last = try Checkpoint.read(path: whole.directory + "/checkpoint/last.ckpt")
        XCTAssertEqual(last.header.schedule["planned_steps"], 150)
        let rates = try metricsWithoutTiming(whole.directory).dropFirst().map { $0[5] }
        XCTAssertGreaterThan(Set(rates).count, 10, "the rate never annealed, so the test checks less than it says")

        // Stops: step 12 (before the plan and the trigger), step 33 (after both), 12 then 42.
        try check(text, plans: [[polls(to: 12)], [polls(to: 33)], [polls(to: 12), polls(from: 12, to: 42)]],
                  expectedSteps: [[12], [33], [12, 42]])
    }
}
