// Adagrad and Adam, with PyTorch's update rules (torch.optim.Adagrad, torch.optim.Adam).
//
// Each keeps its state tensors in `state.slots`, named `<kind>.<parameter>` for checkpoints.
// They are looked up by name once, at the first update, and kept in a `SlotCache` keyed by the
// parameters' identities; later updates with the same parameters reuse it, so an update
// allocates nothing. Setting `state` (a resume) drops the cache and the next update looks again.

import RNNModel
import RNNTensor
import RealModule

/// Per-parameter state tensors, created on first use in the parameters' order.
private func slots<Scalar: BLASScalar>(_ state: inout OptimizerState<Scalar>, prefix: String, for parameters: [Parameter<Scalar>], initial: Scalar = 0) -> [Tensor<Scalar>] {
    let names = parameters.map { prefix + $0.name }
    let existing = Dictionary(state.slots.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
    return zip(names, parameters).map { name, p in
        if let t = existing[name], t.count == p.count { return t }
        let t = Tensor<Scalar>(zeros: p.shape)
        if initial != 0 { t.fill(initial) }
        state.slots.append((name: name, values: t))
        return t
    }
}

/// The state tensors of one optimizer for one list of parameters, in that list's order:
/// `kinds[k][i]` is slot kind `k` (e.g. Adam's m, then v) of `parameters[i]`.
private struct SlotCache<Scalar: BLASScalar> {
    /// The parameters the slots were looked up for (held to compare identities).
    let parameters: [Parameter<Scalar>]
    let kinds: [[Tensor<Scalar>]]

    /// Whether `others` are the same parameter objects in the same order (no allocation).
    func matches(_ others: [Parameter<Scalar>]) -> Bool {
        guard others.count == parameters.count else { return false }
        for i in others.indices where others[i] !== parameters[i] { return false }
        return true
    }
}

/// Adagrad: G ← G + g²; p ← p − lr · g / (√G + ε).
public final class Adagrad<Scalar: BLASScalar>: Optimizer {
    private var storedState = OptimizerState<Scalar>()
    private var cache: SlotCache<Scalar>?
    public var state: OptimizerState<Scalar> {
        get { storedState }
        set { storedState = newValue; cache = nil }
    }
    public let epsilon: Double
    public let initialAccumulator: Double
    public var summary: String { "adagrad(eps \(epsilon))" }

    public init(epsilon: Double = 1e-10, initialAccumulator: Double = 0) {
        self.epsilon = epsilon
        self.initialAccumulator = initialAccumulator
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ parameters: [Parameter<Scalar>], learningRate: Double, gradientScale: Double) {
        if cache?.matches(parameters) != true {
            let sums = slots(&storedState, prefix: "sum.", for: parameters, initial: Scalar(initialAccumulator))
            cache = SlotCache(parameters: parameters, kinds: [sums])
        }
        let accumulators = cache!.kinds[0]
        let lr = Scalar(learningRate), s = Scalar(gradientScale), eps = Scalar(epsilon)
        for k in 0..<parameters.count {   // by index: see `SGD.update`
            let p = parameters[k]
            let g = p.grad.data, v = p.value.data, G = accumulators[k].data
            for i in 0..<p.count {
                let gi = g[i] * s
                G[i] += gi * gi
                v[i] -= lr * gi / (G[i].squareRoot() + eps)
            }
        }
        storedState.step += 1
    }
}

/// Adam (Kingma & Ba) with bias correction: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − lr · m̂ / (√v̂ + ε). Optional decoupled weight decay is not applied (not needed here).
public final class Adam<Scalar: BLASScalar>: Optimizer {
    private var storedState = OptimizerState<Scalar>()
    private var cache: SlotCache<Scalar>?
    public var state: OptimizerState<Scalar> {
        get { storedState }
        set { storedState = newValue; cache = nil }
    }
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public var summary: String { "adam(β1 \(beta1), β2 \(beta2), eps \(epsilon))" }

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ parameters: [Parameter<Scalar>], learningRate: Double, gradientScale: Double) {
        if cache?.matches(parameters) != true {
            let m = slots(&storedState, prefix: "m.", for: parameters)
            let v = slots(&storedState, prefix: "v.", for: parameters)
            cache = SlotCache(parameters: parameters, kinds: [m, v])
        }
        let m = cache!.kinds[0], v = cache!.kinds[1]
        storedState.step += 1
        let t = Double(storedState.step)
        let c1 = 1 - Double.pow(beta1, t), c2 = 1 - Double.pow(beta2, t)
        let stepSize = Scalar(learningRate / c1)
        let b1 = Scalar(beta1), b2 = Scalar(beta2), s = Scalar(gradientScale)
        let sqrtC2 = Scalar(c2.squareRoot()), eps = Scalar(epsilon)
        for k in 0..<parameters.count {   // by index: see `SGD.update`
            let p = parameters[k]
            let g = p.grad.data, w = p.value.data, M = m[k].data, Vv = v[k].data
            for i in 0..<p.count {
                let gi = g[i] * s
                M[i] = b1 * M[i] + (1 - b1) * gi
                Vv[i] = b2 * Vv[i] + (1 - b2) * gi * gi
                w[i] -= stepSize * M[i] / (Vv[i].squareRoot() / sqrtC2 + eps)
            }
        }
    }
}
