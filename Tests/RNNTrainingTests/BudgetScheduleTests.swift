// Tests of the budget schedule: its learning-rate curve for a given plan (values worked by
// hand), the plan from the step limits, the plan from a time budget on a scripted clock (worked
// by hand), its revisions in the constant part once the warm-up is left out of the step time (and
// none after it, none below the steps already at the initial rate, none in a resumed process),
// that a schedule restored from its state keeps it, and what the trainer tells a schedule through
// the two planning hooks.

import RNNTensor
import RNNTraining
import XCTest

final class BudgetScheduleTests: XCTestCase {
    private func assertRates(_ s: BudgetSchedule, plan: Int, _ expected: [(Int, Double)],
                             file: StaticString = #filePath, line: UInt = #line) {
        for (done, rate) in expected {
            XCTAssertEqual(s.learningRate(afterSteps: done, plannedSteps: plan), rate, accuracy: 1e-12,
                           "after \(done) steps", file: file, line: line)
        }
    }

    func testCurvesForAPlanOf100StepsWorkedByHand() {
        // lr 2, 40 % constant: c = 40; x = (d − 40) / 60.
        let cosine = BudgetSchedule(learningRate: 2, constantFraction: 0.4, shape: .cosine, finalFactor: 0.1)
        // d = 55: x = ¼, (1 + cos π/4) / 2 = 0.853553390593; 2 · (0.1 + 0.9 · 0.853553390593) = 1.736396103068.
        // d = 70: x = ½: 2 · (0.1 + 0.45) = 1.1.  d = 85: x = ¾: 2 · (0.1 + 0.9 · 0.146446609407) = 0.463603896932.
        assertRates(cosine, plan: 100, [(0, 2), (40, 2), (55, 1.736396103068), (70, 1.1), (85, 0.463603896932), (100, 0.2), (250, 0.2)])
        let linear = BudgetSchedule(learningRate: 2, constantFraction: 0.4, shape: .linear, finalFactor: 0.1)
        // d = 70: 2 · (1 − 0.9 · ½) = 1.1; d = 85: 2 · (1 − 0.9 · ¾) = 0.65.
        assertRates(linear, plan: 100, [(39, 2), (40, 2), (70, 1.1), (85, 0.65), (100, 0.2), (101, 0.2)])
        let exponential = BudgetSchedule(learningRate: 2, constantFraction: 0.4, shape: .exponential, finalFactor: 0.01)
        // d = 55: 2 · 0.01^¼ = 0.632455532034; d = 70: 2 · 0.01^½ = 0.2; d = 100: 0.02.
        assertRates(exponential, plan: 100, [(40, 2), (55, 0.632455532034), (70, 0.2), (100, 0.02)])
        // No constant part: annealing from the first step; 0.5 · 7 = 3.5 rounds to 4 steps.
        let none = BudgetSchedule(learningRate: 1, constantFraction: 0, shape: .linear, finalFactor: 0.5)
        assertRates(none, plan: 10, [(0, 1), (5, 0.75), (10, 0.5)])
        XCTAssertEqual(BudgetSchedule(learningRate: 1, constantFraction: 0.5).constantSteps(of: 7), 4)
    }

    func testWithoutABudgetThePlanIsTheStepLimitFromTheStart() {
        let s = BudgetSchedule(learningRate: 1, constantFraction: 0.5, shape: .linear, finalFactor: 0.1)
        XCTAssertEqual(s.learningRate, 1)
        let line = s.willTrain(TrainingLimits(stepsPerEpoch: 50, epochs: 3))
        XCTAssertEqual(s.plannedSteps, 150)
        XCTAssertEqual(line, "planned 150 steps (3 epochs of 50 steps): constant to step 75, then linear to lr×0.1")
        let capped = BudgetSchedule(learningRate: 1)
        _ = capped.willTrain(TrainingLimits(stepsPerEpoch: 50, epochs: 3, maxSteps: 120))
        XCTAssertEqual(capped.plannedSteps, 120, "max_steps is the nearer limit")
        // The rate follows the steps the trainer reports.
        for step in 1...100 { _ = s.didStep(step, epoch: 1 + (step - 1) / 50, clock: TrainingClock(elapsedSeconds: Double(step))) }
        XCTAssertEqual(s.learningRate, 1 - 0.9 * 25 / 75, accuracy: 1e-12)
        XCTAssertEqual(s.plannedSteps, 150, "the wall clock does not change a plan made from the limits")
    }

    /// Steps 1…`upTo` at `secondsPerStep` each after a first step of 1 s (set-up), with
    /// `validation` seconds (one validation) spent before step `validatedBefore`.
    private func drive(_ s: BudgetSchedule, from: Int = 1, upTo: Int, secondsPerStep: Double,
                       validatedBefore: Int? = nil, validation: Double = 0) -> [String] {
        var lines: [String] = []
        for step in from...upTo {
            let validated = validatedBefore.map { step >= $0 } ?? false
            let clock = TrainingClock(elapsedSeconds: 1 + Double(step - 1) * secondsPerStep + (validated ? validation : 0),
                                      validationSeconds: validated ? validation : 0, validations: validated ? 1 : 0)
            if let line = s.didStep(step, epoch: 1, clock: clock) { lines.append(line) }
        }
        return lines
    }

    func testABudgetIsPlannedFromTheMeasuredStepTimeAfterTheWarmUp() {
        // Budget 100 s, 1000 steps an epoch, one validation an epoch costing at most 10 steps.
        // Steps take 0.1 s after the first; at step 10 (warm-up), elapsed = 1.9 s, a step 0.1 s,
        // a validation bounded by 10 · 0.1 = 1 s, so a step costs 0.1 + 1/1000 = 0.101 s amortised:
        // P = 10 + ⌊98.1 / 0.101⌋ = 10 + 971 = 981.
        let s = BudgetSchedule(learningRate: 1, constantFraction: 0.5, shape: .cosine, finalFactor: 0.01, warmupSteps: 10)
        let limits = TrainingLimits(stepsPerEpoch: 1000, epochs: nil, timeBudget: 100, validationsPerEpoch: 1, validationCostInSteps: 10)
        XCTAssertNil(s.willTrain(limits), "with a budget the plan waits for the warm-up")
        XCTAssertEqual(drive(s, upTo: 9, secondsPerStep: 0.1), [])
        XCTAssertNil(s.plannedSteps)
        XCTAssertEqual(s.learningRate, 1, "before the plan, the initial rate")
        let lines = drive(s, from: 10, upTo: 10, secondsPerStep: 0.1)
        XCTAssertEqual(s.plannedSteps, 981)
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines.first?.hasPrefix("planned 981 steps (the time budget of 100 s at 100 ms a step, measured over steps 1–10") ?? false, lines.first ?? "")
        XCTAssertTrue(lines.first?.hasSuffix("constant to step 491, then cosine to lr×0.01") ?? false, lines.first ?? "")
    }

    /// Drives `s` over `steps` on a clock where each step takes `seconds(step)`; no validations.
    private func drive(_ s: BudgetSchedule, _ steps: ClosedRange<Int>, elapsed: inout Double,
                       seconds: (Int) -> Double) -> [(step: Int, line: String)] {
        var lines: [(step: Int, line: String)] = []
        for step in steps {
            elapsed += seconds(step)
            if let line = s.didStep(step, epoch: 1, clock: TrainingClock(elapsedSeconds: elapsed)) { lines.append((step, line)) }
        }
        return lines
    }

    /// Budget 128 s, no validation cost, warm-up 10 steps. Step 1 takes 1 s (set-up), steps 2–10
    /// 0.25 s, later ones 0.125 s (binary fractions, so the arithmetic is exact).
    private func warmingUpClock(_ step: Int) -> Double { step == 1 ? 1 : step <= 10 ? 0.25 : 0.125 }
    private let budget128 = TrainingLimits(stepsPerEpoch: 100_000, timeBudget: 128, validationsPerEpoch: 1, validationCostInSteps: 0)

    func testThePlanIsRevisedInTheConstantPartWithTheWarmUpLeftOut() {
        let s = BudgetSchedule(learningRate: 1, constantFraction: 0.5, shape: .cosine, finalFactor: 0.01, warmupSteps: 10)
        _ = s.willTrain(budget128)
        var elapsed = 0.0
        // Step 10: elapsed 3.25 s, 0.25 s a step over 1–10: P = 10 + (128 − 3.25) / 0.25 = 509.
        // Step 20: elapsed 4.5 s, 0.125 s a step over 10–20: P = 20 + 123.5 / 0.125 = 1008, which
        // later revisions (40, 80, 160, 320; 640 is past the constant part's 504) confirm silently.
        let lines = drive(s, 1...1008, elapsed: &elapsed, seconds: warmingUpClock)
        XCTAssertEqual(lines.map(\.step), [10, 20])
        XCTAssertTrue(lines[0].line.hasPrefix("planned 509 steps (the time budget of 128 s at 250 ms a step, measured over steps 1–10"), lines[0].line)
        XCTAssertTrue(lines[1].line.hasPrefix("re-planned 1,008 steps (the time budget of 128 s at 125 ms a step, measured over steps 10–20"), lines[1].line)
        XCTAssertTrue(lines[1].line.hasSuffix("constant to step 504, then cosine to lr×0.01"), lines[1].line)
        XCTAssertEqual(s.plannedSteps, 1008)
        XCTAssertEqual(elapsed, 128, "the revised plan ends exactly with the budget")
        XCTAssertEqual(s.learningRate, 0.01, accuracy: 1e-15)
    }

    func testNoRevisionOnceTheAnnealingHasBegun() {
        let s = BudgetSchedule(learningRate: 1, constantFraction: 0.5, warmupSteps: 10)
        _ = s.willTrain(budget128)
        var elapsed = 0.0
        _ = drive(s, 1...504, elapsed: &elapsed, seconds: warmingUpClock)
        XCTAssertEqual(s.plannedSteps, 1008)
        // Steps now take 1 s: the budget ends long before step 1008, but the rate has begun to
        // fall from the plan, so the plan stays (the step-640 revision would change what was trained).
        XCTAssertEqual(drive(s, 505...700, elapsed: &elapsed, seconds: { _ in 1 }).map(\.line), [])
        XCTAssertEqual(s.plannedSteps, 1008)
    }

    func testARevisionNeverEndsTheConstantPartBeforeTheCurrentStep() {
        // Steps take 0.125 s, then from step 161 on 2 s: at step 320 only a few steps fit, but the
        // 320 steps at the initial rate are trained; the fewest steps whose constant half reaches
        // step 320 is 639 (round(319.5) = 320).
        let s = BudgetSchedule(learningRate: 1, constantFraction: 0.5, warmupSteps: 10)
        _ = s.willTrain(budget128)
        var elapsed = 0.0
        let lines = drive(s, 1...320, elapsed: &elapsed, seconds: { $0 == 1 ? 1 : $0 <= 160 ? 0.125 : 2 })
        XCTAssertEqual(s.plannedSteps, 639)
        XCTAssertTrue(lines.last?.line.hasPrefix("re-planned 639 steps") ?? false, lines.last?.line ?? "")
        XCTAssertTrue(lines.last?.line.contains("raised to keep the steps trained at the initial rate") ?? false)
        XCTAssertEqual(s.learningRate, 1, "still the initial rate at the current step")
    }

    func testWithoutAConstantPartThePlanIsNeverRevised() {
        let s = BudgetSchedule(learningRate: 1, constantFraction: 0, warmupSteps: 10)
        _ = s.willTrain(budget128)
        var elapsed = 0.0
        let lines = drive(s, 1...200, elapsed: &elapsed, seconds: warmingUpClock)
        XCTAssertEqual(lines.map(\.step), [10])
        XCTAssertEqual(s.plannedSteps, 509)
    }

    func testATimedValidationReplacesTheBound() {
        // As above, but one validation of 2 s happened before step 5 (so elapsed at step 10 is
        // 3.9 s, of which 1.9 s training): a step costs 0.1 + 2/1000 = 0.102 s amortised;
        // P = 10 + ⌊96.1 / 0.102⌋ = 10 + 942 = 952.
        let s = BudgetSchedule(learningRate: 1, warmupSteps: 10)
        _ = s.willTrain(TrainingLimits(stepsPerEpoch: 1000, timeBudget: 100, validationsPerEpoch: 1, validationCostInSteps: 10))
        _ = drive(s, upTo: 10, secondsPerStep: 0.1, validatedBefore: 5, validation: 2)
        XCTAssertEqual(s.plannedSteps, 952)
    }

    func testTheEpochLimitWinsWhenTheBudgetAllowsMore() {
        let s = BudgetSchedule(learningRate: 1, warmupSteps: 10)
        _ = s.willTrain(TrainingLimits(stepsPerEpoch: 100, epochs: 3, timeBudget: 3600, validationsPerEpoch: 1, validationCostInSteps: 10))
        XCTAssertNil(s.plannedSteps, "with a budget, the plan waits for the warm-up even when epochs are set")
        let lines = drive(s, upTo: 10, secondsPerStep: 0.1)
        XCTAssertEqual(s.plannedSteps, 300)
        XCTAssertTrue(lines.first?.hasPrefix("planned 300 steps (3 epochs of 100 steps, before the time budget of 3600 s") ?? false, lines.first ?? "")
    }

    func testARestoredScheduleKeepsItsPlanAndRate() {
        let s = BudgetSchedule(learningRate: 3, constantFraction: 0.2, shape: .exponential, finalFactor: 0.05, warmupSteps: 10)
        let limits = TrainingLimits(stepsPerEpoch: 1000, timeBudget: 100, validationsPerEpoch: 1, validationCostInSteps: 10)
        _ = s.willTrain(limits)
        _ = drive(s, upTo: 400, secondsPerStep: 0.1)
        let plan = s.plannedSteps
        XCTAssertNotNil(plan)
        let saved = s.state
        XCTAssertEqual(saved["planned_steps"], plan.map(Double.init))
        XCTAssertEqual(saved["step"], 400)

        // A resumed run: a fresh schedule, its state restored, then told the limits again and a
        // clock that would plan differently. It keeps the plan and gives the same rates.
        let r = BudgetSchedule(learningRate: 3, constantFraction: 0.2, shape: .exponential, finalFactor: 0.05, warmupSteps: 10)
        r.state = saved
        XCTAssertNil(r.willTrain(limits), "a restored plan is not announced again")
        XCTAssertEqual(r.plannedSteps, plan)
        XCTAssertEqual(r.learningRate.bitPattern, s.learningRate.bitPattern)
        for step in 401...1000 {
            let clock = TrainingClock(elapsedSeconds: Double(step))
            XCTAssertNil(s.didStep(step, epoch: 1, clock: clock))
            XCTAssertNil(r.didStep(step, epoch: 1, clock: TrainingClock(elapsedSeconds: 2 * Double(step))))
            XCTAssertEqual(r.learningRate.bitPattern, s.learningRate.bitPattern, "step \(step)")
        }
        XCTAssertEqual(r.learningRate, 3 * 0.05, accuracy: 1e-15)

        // Restored inside the constant part (step 100 of the 196 at the initial rate), on a clock
        // ten times slower: the plan was made by another process, which alone revises it.
        let inside = BudgetSchedule(learningRate: 3, constantFraction: 0.2, shape: .exponential, finalFactor: 0.05, warmupSteps: 10)
        inside.state = ["lr": 3, "step": 100, "planned_steps": Double(plan ?? 0)]
        XCTAssertNil(inside.willTrain(limits))
        for step in 101...300 {
            XCTAssertNil(inside.didStep(step, epoch: 1, clock: TrainingClock(elapsedSeconds: Double(step))), "step \(step)")
        }
        XCTAssertEqual(inside.plannedSteps, plan)

        // A state saved before the plan restores without one, and the warm-up plans it.
        let early = BudgetSchedule(learningRate: 3, warmupSteps: 10)
        early.state = ["lr": 3, "step": 4]
        XCTAssertNil(early.plannedSteps)
        XCTAssertEqual(early.learningRate, 3)
    }

    /// Records what the trainer tells it; the learning rate stays 0.5.
    final class Spy: LearningRateSchedule {
        var limits: [TrainingLimits] = []
        var steps: [(step: Int, epoch: Int, clock: TrainingClock)] = []
        var summary: String { "spy" }
        var learningRate: Double { 0.5 }
        var state: [String: Double] = [:]
        func didStep(_ step: Int, epoch: Int) { XCTFail("the trainer should call the hook with the clock") }
        func didEvaluate(validLoss: Double, bestBefore: Double?, epoch: Int) -> ScheduleAction { .proceed }
        func willTrain(_ limits: TrainingLimits) -> String? {
            self.limits.append(limits)
            return "spy says hello"
        }
        func didStep(_ step: Int, epoch: Int, clock: TrainingClock) -> String? {
            steps.append((step, epoch, clock))
            return step == 5 ? "spy at step 5" : nil
        }
    }

    final class Notes: TrainingObserver {
        var notes: [String] = []
        func handle(_ event: TrainingEvent) -> TrainingControl {
            if case let .scheduleNote(line) = event { notes.append(line) }
            return .proceed
        }
    }

    func testTheTrainerTellsTheScheduleItsLimitsAndClock() throws {
        let spy = Spy(), notes = Notes()
        let trainer = try tinyTrainer(optimizer: SGD<Float>(), schedule: spy, timeBudget: 3600)
        XCTAssertEqual(trainer.run(observers: [notes]).status, .completed)
        // 12 steps an epoch; a validation every 2 steps: at steps 2, 4, …, 10 of each epoch (not
        // at its last, 12, which the epoch's end validates): 1 + 11/2 = 6 an epoch. A validation
        // scores (20 − 1) · 2 = 38 tokens; a step trains 360 / 12 = 30.
        XCTAssertEqual(spy.limits, [TrainingLimits(stepsPerEpoch: 12, epochs: 3, maxSteps: nil, timeBudget: 3600,
                                                   validationsPerEpoch: 6, validationCostInSteps: 38.0 / 30)])
        XCTAssertEqual(spy.steps.map(\.step), Array(1...36))
        XCTAssertEqual(spy.steps.map(\.epoch), (1...36).map { 1 + ($0 - 1) / 12 })
        // Validations counted before each step's hook: those at steps 2, 4, … (after the hook of
        // that step) and at each epoch's end.
        let expected = (1...36).map { s -> Int in
            let epochEnds = (s - 1) / 12
            let inLoop = (1..<s).filter { $0 % 2 == 0 && $0 % 12 != 0 }.count
            return epochEnds + inLoop
        }
        XCTAssertEqual(spy.steps.map(\.clock.validations), expected)
        for (a, b) in zip(spy.steps, spy.steps.dropFirst()) {
            XCTAssertGreaterThan(b.clock.elapsedSeconds, a.clock.elapsedSeconds, "the wall clock moves on")
            XCTAssertGreaterThanOrEqual(b.clock.validationSeconds, a.clock.validationSeconds)
            XCTAssertLessThan(b.clock.validationSeconds, b.clock.elapsedSeconds)
        }
        XCTAssertEqual(notes.notes, ["spy says hello", "spy at step 5"], "the hooks' lines reach the observers")
    }
}
