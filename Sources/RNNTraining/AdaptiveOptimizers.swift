// Adagrad and Adam, with PyTorch's update rules (torch.optim.Adagrad, torch.optim.Adam).

import RNNModel
import RNNTensor
import RealModule

/// Per-parameter state tensors, created on first use in the parameters' order.
private func slots<T: BLASScalar>(_ state: inout OptimizerState<T>, prefix: String, for parameters: [Parameter<T>], initial: T = 0) -> [Tensor<T>] {
    let names = parameters.map { prefix + $0.name }
    let existing = Dictionary(state.slots.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
    return zip(names, parameters).map { name, p in
        if let t = existing[name], t.count == p.count { return t }
        let t = Tensor<T>(zeros: p.shape)
        if initial != 0 { t.fill(initial) }
        state.slots.append((name: name, values: t))
        return t
    }
}

/// Adagrad: G ← G + g²; p ← p − lr · g / (√G + ε).
public final class Adagrad<T: BLASScalar>: Optimizer {
    public typealias Scalar = T
    public var state = OptimizerState<T>()
    public let epsilon: Double
    public let initialAccumulator: Double
    public var summary: String { "adagrad(eps \(epsilon))" }

    public init(epsilon: Double = 1e-10, initialAccumulator: Double = 0) {
        self.epsilon = epsilon
        self.initialAccumulator = initialAccumulator
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func update(_ parameters: [Parameter<T>], learningRate: Double, gradientScale: Double) {
        let accumulators = slots(&state, prefix: "sum.", for: parameters, initial: T(initialAccumulator))
        let lr = T(learningRate), s = T(gradientScale), eps = T(epsilon)
        for (p, acc) in zip(parameters, accumulators) {
            let g = p.grad.data, v = p.value.data, G = acc.data
            for i in 0..<p.count {
                let gi = g[i] * s
                G[i] += gi * gi
                v[i] -= lr * gi / (G[i].squareRoot() + eps)
            }
        }
        state.step += 1
    }
}

/// Adam (Kingma & Ba) with bias correction: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − lr · m̂ / (√v̂ + ε). Optional decoupled weight decay is not applied (not needed here).
public final class Adam<T: BLASScalar>: Optimizer {
    public typealias Scalar = T
    public var state = OptimizerState<T>()
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public var summary: String { "adam(β1 \(beta1), β2 \(beta2), eps \(epsilon))" }

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func update(_ parameters: [Parameter<T>], learningRate: Double, gradientScale: Double) {
        let m = slots(&state, prefix: "m.", for: parameters)
        let v = slots(&state, prefix: "v.", for: parameters)
        state.step += 1
        let t = Double(state.step)
        let c1 = 1 - Double.pow(beta1, t), c2 = 1 - Double.pow(beta2, t)
        let stepSize = T(learningRate / c1)
        let b1 = T(beta1), b2 = T(beta2), s = T(gradientScale)
        let sqrtC2 = T(c2.squareRoot()), eps = T(epsilon)
        for (k, p) in parameters.enumerated() {
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
