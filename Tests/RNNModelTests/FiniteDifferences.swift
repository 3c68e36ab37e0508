// Central finite differences in Double: the one loop every gradient check in this target uses.

import RNNModel

enum FiniteDifferences {
    /// ε balances truncation error (∝ ε²) against rounding (∝ 1e-16/ε) for losses of order 1.
    static let defaultStep = 1e-5
    /// Relative errors are measured against at least this, so tiny gradients compare absolutely.
    static let defaultFloor = 1e-4

    /// (L(θ_i + ε) − L(θ_i − ε)) / 2ε for element `i` of `parameter`, which is restored after.
    static func centralDifference(_ parameter: Parameter<Double>, _ i: Int, step eps: Double = defaultStep,
                                  loss: () -> Double) -> Double {
        let saved = parameter.value[i]
        parameter.value[i] = saved + eps
        let plus = loss()
        parameter.value[i] = saved - eps
        let minus = loss()
        parameter.value[i] = saved
        return (plus - minus) / (2 * eps)
    }

    /// |numeric − analytic| / max(floor, |numeric| + |analytic|).
    static func relativeError(numeric: Double, analytic: Double, floor: Double = defaultFloor) -> Double {
        abs(numeric - analytic) / max(floor, abs(numeric) + abs(analytic))
    }

    /// Central differences of `loss` at every element of `point` (restored after each).
    static func gradient(at point: [Double], step eps: Double = defaultStep, loss: ([Double]) -> Double) -> [Double] {
        var x = point
        return (0..<x.count).map { i in
            let saved = x[i]
            x[i] = saved + eps
            let plus = loss(x)
            x[i] = saved - eps
            let minus = loss(x)
            x[i] = saved
            return (plus - minus) / (2 * eps)
        }
    }

    /// The largest relative error over every element of `parameter` between `analytic` (its
    /// gradient, one value per element) and central differences of `loss`.
    static func worstError(_ parameter: Parameter<Double>, analytic: [Double], step eps: Double = defaultStep,
                           floor: Double = defaultFloor, loss: () -> Double) -> Double {
        precondition(analytic.count == parameter.count, "FiniteDifferences: \(analytic.count) gradients for \(parameter.count) elements")
        var worst = 0.0
        for i in 0..<parameter.count {
            let numeric = centralDifference(parameter, i, step: eps, loss: loss)
            worst = max(worst, relativeError(numeric: numeric, analytic: analytic[i], floor: floor))
        }
        return worst
    }
}
