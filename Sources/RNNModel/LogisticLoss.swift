// LogisticLoss: the binary logistic pieces the hierarchical softmax and NCE are built from,
// computed in Double without overflow for any finite input: −log σ(z) = softplus(−z) and σ(z).

import RealModule

/// −log σ(z) = log(1 + e^−z), stable for large |z|.
@inline(__always)
func negativeLogSigmoid(_ z: Double) -> Double {
    // log(1 + e^−z) = max(−z, 0) + log(1 + e^−|z|).
    max(-z, 0) + Double.log(onePlus: Double.exp(-abs(z)))
}

/// σ(z) = 1 / (1 + e^−z), stable for large |z|.
@inline(__always)
func logistic(_ z: Double) -> Double {
    if z >= 0 { return 1 / (1 + Double.exp(-z)) }
    let e = Double.exp(z)
    return e / (1 + e)
}

/// (−log σ(z), σ(−z)) from one exponential: the same bits as `negativeLogSigmoid(z)` and
/// `logistic(-z)`, which each take e^−|z| (for z ≤ 0 `logistic(-z)` is 1 / (1 + e^z) and e^z = e^−|z|;
/// for z > 0 it is e^−z / (1 + e^−z)). The hierarchical softmax needs both for every path node.
@inline(__always)
func negativeLogSigmoidAndComplement(_ z: Double) -> (loss: Double, complement: Double) {
    let e = Double.exp(-abs(z))
    return (max(-z, 0) + Double.log(onePlus: e), z > 0 ? e / (1 + e) : 1 / (1 + e))
}

/// (−log σ(z), σ(z)) from one exponential: the same bits as `negativeLogSigmoid(z)` and
/// `logistic(z)` (for z ≥ 0 that is 1 / (1 + e^−z), else e^z / (1 + e^z), and e^∓z = e^−|z|).
@inline(__always)
func negativeLogSigmoidAndSigmoid(_ z: Double) -> (loss: Double, sigmoid: Double) {
    let e = Double.exp(-abs(z))
    return (max(-z, 0) + Double.log(onePlus: e), z >= 0 ? 1 / (1 + e) : e / (1 + e))
}
