// The asgd optimizer and the budget schedule through the real `rnnlab`: each bad parameter is one
// sentence with its place, a non-zero exit, nothing on stdout and no run folder left behind; a
// budget schedule without a time budget plans from the step limit, and the plan and the
// averaging are in the log and summary.json.

import Foundation
import RNNTestSupport
import XCTest

final class AnnealingBadInputTests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws {
        cli = try CLIHarness()
    }

    override func tearDown() {
        cli = nil
    }

    /// The tiny experiment (max_steps 10, no epochs, no time budget) with `lines` added to its training section.
    private func tiny(adding lines: String) -> String {
        CLIHarness.tiny(replacing: "  threads: 1", with: "  threads: 1\n" + lines)
    }

    private func expect(_ line: String, _ message: String, file: StaticString = #filePath, line testLine: UInt = #line) throws {
        try cli.write("exp.yaml", tiny(adding: line))
        try cli.fail(["run", "exp.yaml", "--results", "results"], message, file: file, line: testLine)
    }

    func testBadAveragedSGDParameters() throws {
        try expect("  optimizer: {name: asgd, nonmono: -1}",
                   "exp.yaml:21:36: training.optimizer.nonmono: -1 is out of range; expected an integer from 0 to 10000.")
        try expect("  optimizer: {name: asgd, lr: 0}",
                   "exp.yaml:21:31: training.optimizer.lr: 0 is out of range; expected a number > 0.")
        try expect("  optimizer: {name: asgd, non_mono: 3}",
                   "exp.yaml:21:27: training.optimizer.non_mono: unknown parameter of optimizer asgd; did you mean nonmono? (valid: lr, nonmono)")
    }

    func testBadBudgetScheduleParameters() throws {
        try expect("  schedule: {name: budget, constant_fraction: 1}",
                   "exp.yaml:21:47: training.schedule.constant_fraction: 1 is out of range; expected a number ≥ 0 and ≤ 0.99.")
        try expect("  schedule: {name: budget, final_factor: 0}",
                   "exp.yaml:21:42: training.schedule.final_factor: 0 is out of range; expected a number > 0 and ≤ 1.")
        try expect("  schedule: {name: budget, final_factor: 1.5}",
                   "exp.yaml:21:42: training.schedule.final_factor: 1.5 is out of range; expected a number > 0 and ≤ 1.")
        try expect("  schedule: {name: budget, shape: square}",
                   "exp.yaml:21:35: training.schedule.shape: \"square\" is not a valid choice; expected one of linear, cosine, exponential.")
        try expect("  schedule: {name: budget, warmup_steps: 0}",
                   "exp.yaml:21:42: training.schedule.warmup_steps: 0 is out of range; expected an integer ≥ 1.")
        try expect("  schedule: {name: budget, warmup: 5}",
                   "exp.yaml:21:28: training.schedule.warmup: unknown parameter of schedule budget (valid: constant_fraction, final_factor, shape, warmup_steps)")
    }

    func testWithoutATimeBudgetTheBudgetSchedulePlansTheStepLimit() throws {
        // The one validation before the final one (step 5) cannot fire the trigger, which needs
        // an earlier one to compare with, and the final validation never starts averaging.
        try cli.write("exp.yaml", tiny(adding: "  optimizer: {name: asgd, lr: 1, nonmono: 0}\n  schedule: {name: budget, shape: linear}"))
        let run = try cli.run(["run", "exp.yaml", "--results", "results", "--name", "r"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("  schedule: planned 10 steps (the step limit): constant to step 5, then linear to lr×0.01\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("asgd(nonmono 0) lr 1, budget(constant 50 %, then linear to ×0.01)"), run.stdout)
        let log = try String(contentsOfFile: cli.path("results/tiny/r/log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains("schedule: planned 10 steps"), "the plan goes to log.txt too")
        XCTAssertFalse(log.contains("averaging from"))
        let summary = try String(contentsOfFile: cli.path("results/tiny/r/summary.json"), encoding: .utf8)
        XCTAssertFalse(summary.contains("averaging_from_step"), summary)
        // The learning rates of the metrics rows (steps 2, 4, …, 10) follow the plan.
        let metrics = try String(contentsOfFile: cli.path("results/tiny/r/metrics.csv"), encoding: .utf8)
        let header = metrics.split(separator: "\n")[0].split(separator: ",")
        let lrColumn = try XCTUnwrap(header.firstIndex(of: "lr"))
        let rates = metrics.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[lrColumn])! }
        // Linear from step 5 to 10: the rate after d steps is 1 − 0.99 · (d − 5) / 5 for d > 5 (a
        // row reports the rate after its step, as for every schedule): 1, 1, 0.802, 0.406, 0.01.
        XCTAssertEqual(rates.count, 5)
        for (r, e) in zip(rates, [1, 1, 0.802, 0.406, 0.01]) { XCTAssertEqual(r, e, accuracy: 1e-6) }
    }
}
