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
