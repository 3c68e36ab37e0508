// Tests of the learning-rate schedules' decisions: constant, divide-on-plateau (patience,
// relative minimum improvement, restore-best, max decays, min learning rate, state round trip)
// and step decay.

import RNNTraining
import XCTest

final class ScheduleTests: XCTestCase {
    /// Feeds validation losses one epoch at a time, as the trainer does (bestBefore is the best
    /// loss before this one), and returns each action with the learning rate after it.
    private func feed(_ schedule: any LearningRateSchedule, _ losses: [Double], firstEpoch: Int = 1,
                      best: Double? = nil) -> [(ScheduleAction, Double)] {
        var best = best
        var out: [(ScheduleAction, Double)] = []
        for (i, loss) in losses.enumerated() {
            let action = schedule.didEvaluate(validLoss: loss, bestBefore: best, epoch: firstEpoch + i)
            out.append((action, schedule.learningRate))
            best = min(best ?? .infinity, loss)
        }
        return out
    }

    private func assertDecisions(_ got: [(ScheduleAction, Double)], _ expected: [(ScheduleAction, Double)],
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, file: file, line: line)
        for (k, (g, e)) in zip(got, expected).enumerated() {
            XCTAssertEqual(g.0, e.0, "evaluation \(k + 1): action", file: file, line: line)
            XCTAssertEqual(g.1, e.1, "evaluation \(k + 1): learning rate", file: file, line: line)
        }
    }

    // MARK: Constant

    func testConstantNeverChangesAndAlwaysProceeds() {
        let s = ConstantSchedule(learningRate: 0.3)
        for step in 1...5 { s.didStep(step, epoch: 1) }
        assertDecisions(feed(s, [5, 6, 7, 8]), [(.proceed, 0.3), (.proceed, 0.3), (.proceed, 0.3), (.proceed, 0.3)])
        XCTAssertEqual(s.state, ["lr": 0.3])
    }

    // MARK: Plateau

    func testPlateauDividesOnTheFirstEpochWithoutImprovement() {
        // PyTorch's example: factor 4, any improvement counts, no patience.
        let s = PlateauSchedule(learningRate: 20, factor: 4)
        assertDecisions(feed(s, [6.0, 5.5, 5.6, 5.4, 5.4]),
                        [(.proceed, 20), (.proceed, 20), (.proceed, 5), (.proceed, 5), (.proceed, 1.25)])
    }

    func testPlateauFirstEvaluationNeverDecays() {
        let s = PlateauSchedule(learningRate: 1, factor: 2)
        XCTAssertEqual(s.didEvaluate(validLoss: 100, bestBefore: nil, epoch: 1), .proceed)
        XCTAssertEqual(s.learningRate, 1)
    }

    func testPlateauMinImprovementIsRelativeToTheBestLoss() {
        // best 5.0, minImprovement 1 %: an improvement must go below 4.95.
        let s = PlateauSchedule(learningRate: 1, factor: 2, minImprovement: 0.01)
        XCTAssertEqual(s.didEvaluate(validLoss: 4.96, bestBefore: 5.0, epoch: 2), .proceed)
        XCTAssertEqual(s.learningRate, 0.5, "4.96 is not 1 % below 5.0")
        XCTAssertEqual(s.didEvaluate(validLoss: 4.94, bestBefore: 5.0, epoch: 3), .proceed)
        XCTAssertEqual(s.learningRate, 0.5, "4.94 is more than 1 % below 5.0")
    }

    func testPlateauPatienceWaitsAndAnImprovementResetsTheCount() {
        let s = PlateauSchedule(learningRate: 8, factor: 2, patience: 2)
        assertDecisions(feed(s, [5.0, 5.1, 5.2, 4.9, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0]), [
            (.proceed, 8),   // first
            (.proceed, 8),   // bad 1
            (.proceed, 8),   // bad 2
            (.proceed, 8),   // improved: count reset
            (.proceed, 8),   // bad 1
            (.proceed, 8),   // bad 2
            (.proceed, 4),   // bad 3 > patience: divide, count reset
            (.proceed, 4),   // bad 1
            (.proceed, 4),   // bad 2
            (.proceed, 2),   // bad 3: divide again
        ])
    }

    func testPlateauWithRestoreBestAsksForTheBestWeightsWhenItDivides() {
        // Mikolov's RNNLM: factor 2, restore the best weights.
        let s = PlateauSchedule(learningRate: 0.1, factor: 2, restoreBest: true)
        assertDecisions(feed(s, [5.0, 4.0, 4.5, 3.9]), [(.proceed, 0.1), (.proceed, 0.1), (.restoreBest, 0.05), (.proceed, 0.05)])
    }

    func testPlateauStopsAfterMaxDecays() {
        let s = PlateauSchedule(learningRate: 1, factor: 2, restoreBest: true, maxDecays: 2)
        assertDecisions(feed(s, [5.0, 5.0, 5.0, 5.0]), [(.proceed, 1), (.restoreBest, 0.5), (.restoreBest, 0.25), (.stop, 0.25)])
    }

    func testPlateauMaxDecaysZeroStopsAtTheFirstPlateau() {
        let s = PlateauSchedule(learningRate: 1, factor: 2, maxDecays: 0)
        assertDecisions(feed(s, [5.0, 4.0, 4.0]), [(.proceed, 1), (.proceed, 1), (.stop, 1)])
    }

    func testPlateauStopsRatherThanGoBelowMinLearningRate() {
        let s = PlateauSchedule(learningRate: 1, factor: 4, minLearningRate: 0.0625)
        // 1 → 0.25 → 0.0625 (equal to the minimum: allowed) → 0.015625 would be below: stop.
        assertDecisions(feed(s, [5, 5, 5, 5]), [(.proceed, 1), (.proceed, 0.25), (.proceed, 0.0625), (.stop, 0.0625)])
    }

    func testPlateauStateRoundTripContinuesTheSameDecisions() {
        let losses: [Double] = [5.0, 5.1, 5.2, 5.3, 5.3, 5.3, 5.3]
        let whole = PlateauSchedule(learningRate: 1, factor: 2, patience: 1, maxDecays: 2)
        let expected = feed(whole, losses)

        let first = PlateauSchedule(learningRate: 1, factor: 2, patience: 1, maxDecays: 2)
        let head = feed(first, Array(losses.prefix(4)))
        // Mid-count: one decay done and one bad epoch pending.
        XCTAssertEqual(first.state, ["lr": 0.5, "decays": 1, "bad_epochs": 1])
        let resumed = PlateauSchedule(learningRate: 1, factor: 2, patience: 1, maxDecays: 2)
        resumed.state = first.state
        let tail = feed(resumed, Array(losses.dropFirst(4)), firstEpoch: 5, best: 5.0)
        assertDecisions(head + tail, expected)
        XCTAssertEqual(expected.last?.0, .stop)
    }

    func testPlateauStateIgnoresDamagedCounts() {
        let s = PlateauSchedule(learningRate: 1, factor: 2)
        s.state = ["lr": 0.5, "decays": .nan, "bad_epochs": .infinity]
        XCTAssertEqual(s.state, ["lr": 0.5, "decays": 0, "bad_epochs": 0])
    }

    // MARK: Step decay

    func testStepDecayMultipliesEveryNEpochsAfterTheStart() {
        let s = StepDecaySchedule(learningRate: 1, gamma: 0.5, everyEpochs: 2, startEpoch: 1)
        // past = epoch − 1: decays when past is a positive multiple of 2 (epochs 3 and 5).
        assertDecisions(feed(s, [5, 4, 3, 2, 1, 0.5]),
                        [(.proceed, 1), (.proceed, 1), (.proceed, 0.5), (.proceed, 0.5), (.proceed, 0.25), (.proceed, 0.25)])
    }

    func testStepDecayIgnoresTheLossAndRoundTripsItsState() {
        let s = StepDecaySchedule(learningRate: 2, gamma: 0.1, everyEpochs: 1)
        assertDecisions(feed(s, [9, 9]), [(.proceed, 2 * 0.1), (.proceed, 2 * 0.1 * 0.1)])
        let resumed = StepDecaySchedule(learningRate: 2, gamma: 0.1, everyEpochs: 1)
        resumed.state = s.state
        XCTAssertEqual(resumed.learningRate, s.learningRate)
    }
}
