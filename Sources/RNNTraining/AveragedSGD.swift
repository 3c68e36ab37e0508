// NT-ASGD (Merity, Keskar & Socher 2017, Algorithm 1): plain SGD, p ← p − lr · scale · g, until
// the non-monotone trigger fires at a validation (see NonMonotoneTrigger.swift); from then on it
// also keeps the running average of the iterates,
//
//     w̄ = (w_T + w_{T+1} + … + w_k) / (k − T + 1),
//
// T the step of the triggering validation (its weights are the first term), k the latest step.
// After each update: n ← n + 1, w̄ ← (1 − 1/n) · w̄ + (1/n) · w (BLAS scal and axpy, no allocation).
// PyTorch's torch.optim.ASGD(t0 = 0) starts its average with the first update after the switch
// instead, one term fewer; the difference fades as 1/n.
//
// The trainer evaluates w̄ once it exists (IterateAveraging.swift). State for checkpoints: the
// slots `avg.<parameter>` (w̄), and the values `average.start_step`, `average.count` (n) and the
// trigger's `trigger.*` numbers.

import RNNModel
import RNNTensor

/// SGD that starts averaging its iterates when validation stops improving (NT-ASGD).
public final class AveragedSGD<Scalar: BLASScalar>: Optimizer, IterateAveraging {
    /// The trigger's n: averaging starts at the first validation worse than the best of those
    /// more than `nonmono` validations back.
    public let nonmono: Int
    private var trigger: NonMonotoneTrigger
    private var step = 0
    /// T: the step averaging started at.
    public private(set) var averagingStart: Int?
    /// n: the iterates in the average.
    public private(set) var averagedIterates = 0
    /// w̄ per parameter, named `avg.<parameter>`.
    private var slots: [(name: String, values: Tensor<Scalar>)] = []
    /// `slots` in the order of the parameters last updated, found by name once (so an update
    /// allocates nothing); the parameters are held to compare identities.
    private var cache: (parameters: [Parameter<Scalar>], averages: [Tensor<Scalar>])?

    public var summary: String { "asgd(nonmono \(nonmono))" }

    public init(nonmono: Int = 5) {
        precondition(nonmono >= 0, "AveragedSGD: nonmono must be ≥ 0")
        self.nonmono = nonmono
        self.trigger = NonMonotoneTrigger(nonmono: nonmono)
    }

    public var state: OptimizerState<Scalar> {
        get {
            var values = trigger.values(prefix: "trigger.")
            if let averagingStart {
                values["average.start_step"] = Double(averagingStart)
                values["average.count"] = Double(averagedIterates)
            }
            return OptimizerState(step: step, slots: slots, values: values)
        }
        set {
            step = newValue.step
            slots = newValue.slots.filter { $0.name.hasPrefix("avg.") }
            trigger = NonMonotoneTrigger(nonmono: nonmono, values: newValue.values, prefix: "trigger.")
                ?? NonMonotoneTrigger(nonmono: nonmono)
            averagingStart = newValue.values["average.start_step"].flatMap { Int(exactly: $0) }
            averagedIterates = averagingStart == nil ? 0
                : newValue.values["average.count"].flatMap { Int(exactly: $0) }.map { max($0, 1) } ?? 1
            cache = nil
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ parameters: [Parameter<Scalar>], learningRate: Double, gradientScale: Double) {
        let alpha = Scalar(-learningRate * gradientScale)
        for i in 0..<parameters.count {   // by index: see `SGD.update`
            parameters[i].addScaledGradient(alpha: alpha)   // only the touched rows where recorded
        }
        step += 1
        guard averagingStart != nil else { return }
        let averages = averagesInOrder(of: parameters)
        averagedIterates += 1
        let mu = 1 / Double(averagedIterates)
        for i in 0..<parameters.count {
            let p = parameters[i], a = averages[i]
            Scalar.blasScal(n: p.count, alpha: Scalar(1 - mu), x: a.data)
            Scalar.blasAxpy(n: p.count, alpha: Scalar(mu), x: p.value.data, y: a.data)
        }
    }

    public func average(of parameters: [Parameter<Scalar>]) -> [Tensor<Scalar>]? {
        averagingStart == nil ? nil : averagesInOrder(of: parameters)
    }

    public func didValidate(loss: Double, parameters: [Parameter<Scalar>], step: Int) -> Bool {
        guard averagingStart == nil, trigger.observe(loss) else { return false }
        averagingStart = step
        averagedIterates = 1
        slots = parameters.map { (name: "avg." + $0.name, values: $0.value.copy()) }
        cache = nil
        return true
    }

    /// The average of each parameter, in the parameters' order. A parameter whose average is
    /// missing (a state saved without it) starts one from its current value.
    private func averagesInOrder(of parameters: [Parameter<Scalar>]) -> [Tensor<Scalar>] {
        if let cache, cache.parameters.count == parameters.count {
            var same = true
            for i in 0..<parameters.count where parameters[i] !== cache.parameters[i] { same = false; break }
            if same { return cache.averages }
        }
        let byName = Dictionary(slots.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        let averages = parameters.map { p -> Tensor<Scalar> in
            if let a = byName["avg." + p.name], a.count == p.count { return a }
            let a = p.value.copy()
            slots.removeAll { $0.name == "avg." + p.name }
            slots.append((name: "avg." + p.name, values: a))
            return a
        }
        cache = (parameters, averages)
        return averages
    }
}
