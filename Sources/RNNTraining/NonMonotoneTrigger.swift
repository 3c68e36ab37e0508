// The non-monotone trigger of NT-ASGD (Merity, Keskar & Socher 2017, "Regularizing and
// Optimizing LSTM Language Models", Algorithm 1): it fires at the first validation whose loss is
// worse than the best of the validations more than `n` evaluations back,
//
//     t > n  and  v > min(logs[0 ..< t − n])
//
// where `logs` holds the t earlier validation losses (awd-lstm: `len(best_val_loss) > nonmono and
// val_loss > min(best_val_loss[:-nonmono])`, checked before the loss is appended).
//
// It keeps O(n) numbers, not the whole log: the last n losses and the minimum of the older ones.
// It only decides; what firing does (start averaging) is the optimizer's business.

/// Decides when averaging starts, from the sequence of validation losses.
public struct NonMonotoneTrigger: Sendable, Equatable {
    /// n: how many of the latest evaluations the best must be older than.
    public let nonmono: Int
    /// t: the evaluations seen so far.
    public private(set) var evaluations = 0
    /// The latest min(t, n) losses, oldest first.
    public private(set) var recent: [Double] = []
    /// min(logs[0 ..< t − n]): the best loss older than the latest n (∞ while there is none).
    public private(set) var bestOlder = Double.infinity

    public init(nonmono: Int) {
        precondition(nonmono >= 0, "NonMonotoneTrigger: nonmono must be ≥ 0")
        self.nonmono = nonmono
    }

    /// Takes one validation loss; true when it fires (the caller stops feeding it then).
    public mutating func observe(_ loss: Double) -> Bool {
        let fires = evaluations > nonmono && loss > bestOlder
        recent.append(loss)
        if recent.count > nonmono { bestOlder = Swift.min(bestOlder, recent.removeFirst()) }
        evaluations += 1
        return fires
    }

    /// The state as named numbers under `prefix` (for checkpoints). Non-finite losses are stored
    /// as ±greatestFiniteMagnitude (JSON has no ∞), which compares the same against finite losses;
    /// an absent `best_older` means none yet.
    public func values(prefix: String) -> [String: Double] {
        func finite(_ x: Double) -> Double {
            x.isFinite ? x : (x < 0 ? -Double.greatestFiniteMagnitude : Double.greatestFiniteMagnitude)
        }
        var out = [prefix + "evaluations": Double(evaluations)]
        if bestOlder.isFinite { out[prefix + "best_older"] = bestOlder }
        for (i, loss) in recent.enumerated() { out[prefix + "recent.\(i)"] = finite(loss) }
        return out
    }

    /// Restores the state `values(prefix:)` saved; nil when it is inconsistent.
    public init?(nonmono: Int, values: [String: Double], prefix: String) {
        self.init(nonmono: nonmono)
        guard let t = values[prefix + "evaluations"].flatMap({ Int(exactly: $0) }), t >= 0 else { return nil }
        let kept = Swift.min(t, nonmono)
        var recent: [Double] = []
        for i in 0..<kept {
            guard let loss = values[prefix + "recent.\(i)"] else { return nil }
            recent.append(loss)
        }
        evaluations = t
        self.recent = recent
        bestOlder = values[prefix + "best_older"] ?? .infinity
    }
}
