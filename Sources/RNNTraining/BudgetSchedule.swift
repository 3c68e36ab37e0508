// BudgetSchedule: a learning rate planned so that its annealing ends when the run does. It holds
// the initial rate for a fraction of the planned steps, then anneals it to `finalFactor` × the
// initial rate by the planned last step, and holds that after it.
//
// The plan is a step count P, fixed once:
//   - without a time budget, P is the step limit (epochs × steps per epoch, or max_steps, the
//     smaller), known when training starts;
//   - with one, after `warmupSteps` steps (s) it measures the wall seconds a step takes, t (from
//     the first step this process trained, which pays for one-time set-up, to the current one,
//     validations left out), and the seconds a validation takes, q (timed when one was done, else
//     the upper bound TrainingLimits.validationCostInSteps · t), and takes
//         P = s + ⌊(budget − elapsed) / (t + q · validations per step)⌋,
//     or the step limit if that is smaller.
// The first steps of a process are often slower than the rest (pages touched for the first time,
// caches and threads warming up), so a plan from them alone under-counts: a 5-minute run timed
// 6.7 ms a step over its first 200 and then ran at 5.2, and its annealing ended at step 41,757
// of 57,915. So the process that made the plan revises it at steps 2s, 4s, 8s, … while they
// fall in the constant part, timing a step from step s on (the warm-up left out). A revision
// changes nothing already trained: the rate is the initial one up to c whatever P is, and a new
// P is never below the one whose constant part ends at the current step.
// From then on the rate is a function of the step alone and P is part of the state, so a resumed
// run keeps its plan and continues bit for bit (a resumed run does not revise it: wall time
// decides the plan in the process that made it, never again).
// Before the plan is fixed the rate is the initial one.
//
// With c = round(constantFraction · P) and x = (d − c) / (P − c) ∈ (0, 1) after d steps:
//     linear       lr · (1 − (1 − f) · x)
//     cosine       lr · (f + (1 − f) · (1 + cos πx) / 2)
//     exponential  lr · f^x
// and lr for d ≤ c, lr · f for d ≥ P.

import Foundation

/// How the budget schedule anneals.
public enum AnnealingShape: String, CaseIterable, Sendable {
    case linear
    case cosine
    case exponential
}

/// Constant, then annealing that ends at the planned last step (see the file comment).
public final class BudgetSchedule: LearningRateSchedule {
    public let initialLearningRate: Double
    /// The share of the planned steps at the initial rate, in [0, 1).
    public let constantFraction: Double
    public let shape: AnnealingShape
    /// The final rate over the initial one, in (0, 1].
    public let finalFactor: Double
    /// Steps trained before the first plan (with a time budget); revisions follow at 2×, 4×, … its step.
    public let warmupSteps: Int
    /// P, once planned.
    public private(set) var plannedSteps: Int?
    /// Steps done (the rate returned is for the next one).
    private var stepsDone = 0
    private var limits: TrainingLimits?
    /// The first step this process trained and the wall seconds after it, validations left out:
    /// where a step's time is measured from.
    private var measuredFrom: (step: Int, seconds: Double)?
    /// When this process made the plan: the step and seconds it was made at (where revisions
    /// time a step from) and the step of the next revision.
    private var revision: (from: (step: Int, seconds: Double), next: Int)?

    public init(learningRate: Double, constantFraction: Double = 0.5, shape: AnnealingShape = .cosine,
                finalFactor: Double = 0.01, warmupSteps: Int = 100) {
        precondition(learningRate > 0, "BudgetSchedule: the learning rate must be > 0")
        precondition(constantFraction >= 0 && constantFraction < 1, "BudgetSchedule: constantFraction must be in [0, 1)")
        precondition(finalFactor > 0 && finalFactor <= 1, "BudgetSchedule: finalFactor must be in (0, 1]")
        precondition(warmupSteps >= 1, "BudgetSchedule: warmupSteps must be ≥ 1")
        self.initialLearningRate = learningRate
        self.constantFraction = constantFraction
        self.shape = shape
        self.finalFactor = finalFactor
        self.warmupSteps = warmupSteps
    }

    public var summary: String {
        let curve = "constant \(percent(constantFraction)), then \(shape.rawValue) to ×\(finalFactor)"
        return "budget(\(curve)" + (plannedSteps.map { "; planned \(grouped($0)) steps)" } ?? ")")
    }

    /// The steps at the initial rate in a plan of `total` steps.
    public func constantSteps(of total: Int) -> Int {
        min(total, Int((constantFraction * Double(total)).rounded()))
    }

    /// The learning rate after `done` steps of a plan of `total` steps.
    public func learningRate(afterSteps done: Int, plannedSteps total: Int) -> Double {
        let c = constantSteps(of: total)
        if done <= c { return initialLearningRate }
        if done >= total { return initialLearningRate * finalFactor }
        let x = Double(done - c) / Double(total - c)
        let f = finalFactor
        switch shape {
        case .linear: return initialLearningRate * (1 - (1 - f) * x)
        case .cosine: return initialLearningRate * (f + (1 - f) * (1 + cos(Double.pi * x)) / 2)
        case .exponential: return initialLearningRate * pow(f, x)
        }
    }

    public var learningRate: Double {
        plannedSteps.map { learningRate(afterSteps: stepsDone, plannedSteps: $0) } ?? initialLearningRate
    }

    public func willTrain(_ limits: TrainingLimits) -> String? {
        self.limits = limits
        measuredFrom = nil
        revision = nil
        guard plannedSteps == nil, limits.timeBudget == nil, let steps = limits.stepLimit else { return nil }
        return fix(steps, because: epochsOrSteps(limits))
    }

    public func didStep(_ step: Int, epoch: Int) { stepsDone = step }

    public func didStep(_ step: Int, epoch: Int, clock: TrainingClock) -> String? {
        stepsDone = step
        guard let limits, let budget = limits.timeBudget else { return nil }
        let trainingSeconds = clock.elapsedSeconds - clock.validationSeconds
        if let planned = plannedSteps {
            return revise(planned, at: step, clock: clock, trainingSeconds: trainingSeconds, budget: budget, limits: limits)
        }
        guard let from = measuredFrom else {
            measuredFrom = (step, trainingSeconds)
            return nil
        }
        guard step >= warmupSteps, step > from.step, trainingSeconds > from.seconds else { return nil }
        let (steps, why) = stepsInBudget(at: step, from: from, clock: clock, trainingSeconds: trainingSeconds,
                                         budget: budget, limits: limits)
        revision = ((step, trainingSeconds), 2 * step)
        return fix(steps, because: why)
    }

    /// At a revision step inside the constant part, plans again from the step time since the plan
    /// was made; says so when the plan changes.
    private func revise(_ planned: Int, at step: Int, clock: TrainingClock, trainingSeconds: Double,
                        budget: Double, limits: TrainingLimits) -> String? {
        guard let r = revision, step >= r.next else { return nil }
        guard step < constantSteps(of: planned), trainingSeconds > r.from.seconds else {
            revision = nil  // annealing has begun: the plan is final
            return nil
        }
        revision = (r.from, 2 * step)
        var (steps, why) = stepsInBudget(at: step, from: r.from, clock: clock, trainingSeconds: trainingSeconds,
                                         budget: budget, limits: limits)
        // Never so few steps that the constant part would have ended already.
        let floor = smallestPlan(constantThrough: step)
        if steps < floor {
            steps = floor
            why += "; raised to keep the steps trained at the initial rate"
        }
        guard steps != planned else { return nil }
        return "re-" + fix(steps, because: why)
    }

    /// The last step that fits in the budget at the step time measured from `from` to `step`
    /// (validations amortised over the steps), or the step limit when that is nearer, and why.
    private func stepsInBudget(at step: Int, from: (step: Int, seconds: Double), clock: TrainingClock,
                               trainingSeconds: Double, budget: Double, limits: TrainingLimits) -> (Int, String) {
        let perStep = (trainingSeconds - from.seconds) / Double(step - from.step)
        let timed = clock.validations > 0
        let perValidation = timed ? clock.validationSeconds / Double(clock.validations) : limits.validationCostInSteps * perStep
        let amortised = perStep + perValidation * Double(limits.validationsPerEpoch) / Double(max(1, limits.stepsPerEpoch))
        let extra = max(0, budget - clock.elapsedSeconds) / amortised
        let byTime = extra >= Double(Int.max - step) ? Int.max : step + Int(extra)
        let why = String(format: "the time budget of %.0f s at %.3g ms a step, measured over steps %d–%d, and %.3g s a validation (%@)",
                         budget, 1000 * perStep, from.step, step, perValidation, timed ? "timed" : "bounded by its tokens")
        if let limit = limits.stepLimit, limit <= byTime { return (limit, epochsOrSteps(limits) + ", before " + why) }
        return (byTime, why)
    }

    /// The fewest planned steps whose constant part reaches `step`.
    private func smallestPlan(constantThrough step: Int) -> Int {
        var p = max(1, Int((Double(step) / constantFraction).rounded(.down)))
        while constantSteps(of: p) < step { p += 1 }
        while p > 1 && constantSteps(of: p - 1) >= step { p -= 1 }
        return p
    }

    public func didEvaluate(validLoss: Double, bestBefore: Double?, epoch: Int) -> ScheduleAction { .proceed }

    public var state: [String: Double] {
        get {
            var s = ["lr": learningRate, "step": Double(stepsDone)]
            if let plannedSteps { s["planned_steps"] = Double(plannedSteps) }
            return s
        }
        set {
            // Int(exactly:) rather than Int(_:): a damaged value must not trap.
            stepsDone = newValue["step"].flatMap { Int(exactly: $0) }.map { max(0, $0) } ?? 0
            plannedSteps = newValue["planned_steps"].flatMap { Int(exactly: $0) }.flatMap { $0 >= 1 ? $0 : nil }
        }
    }

    /// Fixes the plan at `steps` (at least the steps done, at most 2⁵³ so that the state's Double
    /// holds it exactly) and says it.
    private func fix(_ steps: Int, because why: String) -> String {
        let total = max(1, stepsDone, min(steps, 1 << 53))
        plannedSteps = total
        let f = finalFactor == 1 ? "" : "lr×\(finalFactor)"
        return "planned \(grouped(total)) steps (\(why)): constant to step \(grouped(constantSteps(of: total))), then \(shape.rawValue) to \(f.isEmpty ? "lr" : f)"
    }

    private func epochsOrSteps(_ limits: TrainingLimits) -> String {
        let byEpochs = limits.epochs.map { $0.multipliedReportingOverflow(by: limits.stepsPerEpoch) }
        if let (steps, overflow) = byEpochs, !overflow, steps <= (limits.maxSteps ?? .max) {
            return "\(limits.epochs!) epoch\(limits.epochs == 1 ? "" : "s") of \(grouped(limits.stepsPerEpoch)) steps"
        }
        return "the step limit"
    }
}

/// 12345 → "12,345".
private func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// 0.5 → "50 %".
private func percent(_ x: Double) -> String {
    let p = x * 100
    return (p == p.rounded() ? String(Int(p)) : String(format: "%.1f", p)) + " %"
}
