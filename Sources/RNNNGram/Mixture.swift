// Mixture: linear interpolation of K language models on one token stream, as Mikolov's RNNLM
// toolkit combines an RNN with an n-gram model (`-lm-prob`, `-lambda`):
//
//     p(t) = Σ_k λ_k p_k(t),   λ_k ∈ [0, 1],   Σ_k λ_k = 1,
//
// and the weights that maximise the likelihood of a (validation) stream, found by EM:
//
//     λ_k ← (1/T) Σ_t λ_k p_k(t) / Σ_j λ_j p_j(t)
//
// which never lowers the likelihood and keeps the weights a distribution (SRILM's
// compute-best-mix). Pure arithmetic on per-token probabilities: the models, their alignment
// on the stream and their vocabularies are the caller's business. A weight that starts at 0
// stays at 0.
//
// Shapes: K = models, T = tokens; `probabilities[k][t]` = p_k(token t), (K, T).

import RealModule

/// Why a mixture cannot be computed, in one sentence.
public enum MixtureError: Error, Equatable, CustomStringConvertible {
    /// No models were given.
    case noModels
    /// The models' streams are empty.
    case emptyStream
    /// Model `model` (0-based) has `count` probabilities where the first has `expected`.
    case lengthMismatch(model: Int, count: Int, expected: Int)
    /// Model `model` gives `value` at `position`: not a probability.
    case notAProbability(model: Int, position: Int, value: Double)
    /// `count` weights were given for `models` models.
    case weightCount(count: Int, models: Int)
    /// Weight `index` (0-based) is `value`, outside [0, 1].
    case weightOutOfRange(index: Int, value: Double)
    /// The weights sum to `sum`, not 1 (within `Mixture.weightSumTolerance`).
    case weightsDoNotSumToOne(sum: Double)
    /// Every model with a non-zero weight gives probability 0 at `position`.
    case zeroProbability(position: Int)
    /// The EM tolerance is `value`; it must be a finite number > 0.
    case badTolerance(Double)
    /// The EM iteration limit is `value`; it must be ≥ 1.
    case badIterationLimit(Int)

    public var description: String {
        switch self {
        case .noModels:
            return "a mixture needs at least one model, and none was given"
        case .emptyStream:
            return "a mixture needs at least one token, and the models' probabilities are empty"
        case let .lengthMismatch(model, count, expected):
            return "model \(model + 1) has probabilities for \(count) tokens but model 1 has \(expected); the models must score the same token stream"
        case let .notAProbability(model, position, value):
            return "model \(model + 1) gives \(value) for token \(position + 1), which is not a probability in [0, 1]"
        case let .weightCount(count, models):
            return "\(count) mixture weight\(count == 1 ? " was" : "s were") given for \(models) model\(models == 1 ? "" : "s"); give one weight per model"
        case let .weightOutOfRange(index, value):
            return "mixture weight \(index + 1) is \(value), outside [0, 1]; each weight must be between 0 and 1"
        case let .weightsDoNotSumToOne(sum):
            return "the mixture weights sum to \(sum), not 1; they must sum to 1 (within \(Mixture.weightSumTolerance))"
        case let .zeroProbability(position):
            return "every model with a non-zero weight gives token \(position + 1) probability 0, so the mixture's perplexity is infinite"
        case let .badTolerance(value):
            return "the EM tolerance is \(value); it must be a finite number > 0"
        case let .badIterationLimit(value):
            return "the EM iteration limit is \(value); it must be at least 1"
        }
    }
}

/// Weights fitted by EM, and how the fit went.
public struct MixtureFit: Sendable, Equatable {
    /// λ_k, one per model, summing to 1.
    public var weights: [Double]
    /// The mixture's score on the stream the weights were fitted on, with `weights`.
    public var score: PerplexityScore
    /// EM iterations run.
    public var iterations: Int
    /// Whether no weight moved by more than the tolerance in the last iteration (false: the
    /// iteration limit stopped it).
    public var converged: Bool
}

/// Linear interpolation of language models' per-token probabilities.
public enum Mixture {
    /// How far from 1 the weights' sum may be.
    public static let weightSumTolerance = 1e-9

    /// Checks that `weights` suit `models` models: one each, each in [0, 1], summing to 1.
    public static func validate(weights: [Double], models: Int) throws(MixtureError) {
        guard weights.count == models else { throw .weightCount(count: weights.count, models: models) }
        for (i, w) in weights.enumerated() where !(w >= 0 && w <= 1) {   // NaN fails too
            throw .weightOutOfRange(index: i, value: w)
        }
        let sum = weights.reduce(0, +)
        guard abs(sum - 1) <= weightSumTolerance else { throw .weightsDoNotSumToOne(sum: sum) }
    }

    /// Checks that `probabilities` is K ≥ 1 streams of the same length T ≥ 1, each value in [0, 1].
    public static func validate(probabilities: [[Double]]) throws(MixtureError) {
        guard let first = probabilities.first else { throw .noModels }
        guard !first.isEmpty else { throw .emptyStream }
        for (k, p) in probabilities.enumerated() {
            guard p.count == first.count else { throw .lengthMismatch(model: k, count: p.count, expected: first.count) }
            for (t, v) in p.enumerated() where !(v >= 0 && v <= 1) {
                throw .notAProbability(model: k, position: t, value: v)
            }
        }
    }

    /// The mixture's log-likelihood (and so perplexity) on the stream, with `weights`.
    public static func score(probabilities: [[Double]], weights: [Double]) throws(MixtureError) -> PerplexityScore {
        try validate(probabilities: probabilities)
        try validate(weights: weights, models: probabilities.count)
        return try logLikelihood(probabilities, weights)
    }

    /// The weights that maximise the likelihood of the stream, by EM from `initialWeights`
    /// (uniform when nil), stopping when no weight moves by more than `tolerance` in an
    /// iteration or after `maxIterations`.
    public static func fitWeights(probabilities: [[Double]], initialWeights: [Double]? = nil,
                                  tolerance: Double = 1e-7, maxIterations: Int = 10_000) throws(MixtureError) -> MixtureFit {
        try validate(probabilities: probabilities)
        let K = probabilities.count, T = probabilities[0].count
        guard tolerance > 0, tolerance.isFinite else { throw .badTolerance(tolerance) }
        guard maxIterations >= 1 else { throw .badIterationLimit(maxIterations) }
        var weights = initialWeights ?? [Double](repeating: 1 / Double(K), count: K)
        try validate(weights: weights, models: K)
        _ = try logLikelihood(probabilities, weights)   // a token no weighted model can explain
        var iterations = 0
        var converged = false
        var posterior = [Double](repeating: 0, count: K)
        while iterations < maxIterations, !converged {
            for k in 0..<K { posterior[k] = 0 }
            for t in 0..<T {
                var mix = 0.0
                for k in 0..<K { mix += weights[k] * probabilities[k][t] }
                for k in 0..<K { posterior[k] += weights[k] * probabilities[k][t] / mix }
            }
            var change = 0.0
            for k in 0..<K {
                let updated = posterior[k] / Double(T)
                change = Swift.max(change, abs(updated - weights[k]))
                weights[k] = updated
            }
            // Renormalise away the rounding drift of many iterations.
            let sum = weights.reduce(0, +)
            for k in 0..<K { weights[k] /= sum }
            iterations += 1
            converged = change <= tolerance
        }
        return MixtureFit(weights: weights, score: try logLikelihood(probabilities, weights),
                          iterations: iterations, converged: converged)
    }

    private static func logLikelihood(_ probabilities: [[Double]], _ weights: [Double]) throws(MixtureError) -> PerplexityScore {
        let T = probabilities[0].count
        var sum = 0.0
        for t in 0..<T {
            var mix = 0.0
            for k in probabilities.indices { mix += weights[k] * probabilities[k][t] }
            guard mix > 0 else { throw .zeroProbability(position: t) }
            sum += Double.log(mix)
        }
        return PerplexityScore(logLikelihood: sum, count: T)
    }
}
