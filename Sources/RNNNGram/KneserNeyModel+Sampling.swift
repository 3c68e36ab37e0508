// Generating text from a KneserNeyModel: draw each next token from `probabilities(context:)`
// with a seeded generator, so the same seed gives the same text.

import RealModule
import RNNTensor

extension KneserNeyModel {
    /// Draws the token after `context` from the model's distribution, sharpened or flattened by
    /// `temperature` (> 0; p^(1/temperature), renormalised; 1 leaves it as it is).
    public func sampleNext<C: Collection>(context: C, temperature: Double = 1, using rng: inout Xoshiro256) -> Int32
        where C.Element == Int32
    {
        precondition(temperature > 0 && temperature.isFinite, "temperature must be a finite number > 0, got \(temperature)")
        var p = probabilities(context: context)
        if temperature != 1 {
            // In log space, shifted by the maximum, so a low temperature cannot underflow to all zeros.
            var top = -Double.infinity
            for j in p.indices { p[j] = Double.log(p[j]) / temperature; top = Swift.max(top, p[j]) }
            for j in p.indices { p[j] = Double.exp(p[j] - top) }
        }
        return Self.draw(from: p, using: &rng)
    }

    /// `count` tokens drawn one after another, each after `prime` and the tokens drawn before it.
    public func sample(count: Int, prime: [Int32] = [], temperature: Double = 1, using rng: inout Xoshiro256) -> [Int32] {
        precondition(count >= 0, "sample count must be ≥ 0, got \(count)")
        var history = prime
        var out: [Int32] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let t = sampleNext(context: history.suffix(order - 1), temperature: temperature, using: &rng)
            out.append(t)
            history.append(t)
        }
        return out
    }

    /// The index drawn from non-negative weights `w` (not necessarily normalised, sum > 0).
    static func draw(from w: [Double], using rng: inout Xoshiro256) -> Int32 {
        let total = w.reduce(0, +)
        var u = rng.nextUnit() * total
        var last = 0
        for (j, x) in w.enumerated() where x > 0 {
            u -= x
            last = j
            if u < 0 { return Int32(j) }
        }
        return Int32(last)   // rounding left u ≥ 0 after the last positive weight
    }
}
