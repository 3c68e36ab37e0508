// NoiseDistribution: NCE's noise distribution q over the vocabulary, the training counts raised
// to a power α (q(w) ∝ c(w)^α; α = 1 is the unigram distribution of Mnih & Teh 2012 and
// faster-rnnlm's default, α = 0.75 word2vec's negative sampling, α = 0 uniform), and a sampler
// for it. Every count is raised to at least 1 first, so that a word absent from the training
// split (an unknown token, a word seen only in the test) can still be drawn and has a finite
// log q.
//
// Sampling is Walker's alias method (Vose's construction, in Double, with the worklists taken
// in index order, so the table is a function of the counts alone): one 64-bit draw per sample,
// whose product with V gives the column (high word) and a uniform fraction (low word) compared
// with the column's threshold. The same generator state gives the same samples on every machine.
//
// Shapes: V = vocabulary size.

import RNNTensor
import RealModule

/// The distribution NCE draws its noise words from.
public struct NoiseDistribution: Sendable, Equatable {
    /// α: the power the counts are raised to.
    public let power: Double
    /// (V): q(w).
    public let probabilities: [Double]
    /// (V): log q(w).
    public let logProbabilities: [Double]
    /// (V): column j keeps its own word when the fraction (in units of 2⁻⁶⁴) is below this.
    private let threshold: [UInt64]
    /// (V): the word column j gives otherwise.
    private let alias: [Int32]

    /// q(w) ∝ max(counts[w], 1)^power.
    public init(counts: [Int], power: Double) {
        let V = counts.count
        precondition(V >= 1, "NoiseDistribution: empty vocabulary")
        precondition(power.isFinite && power >= 0, "NoiseDistribution: power \(power) must be finite and ≥ 0")
        let weights = counts.map { Double.pow(Double(max($0, 1)), power) }
        let total = weights.reduce(0, +)
        self.power = power
        probabilities = weights.map { $0 / total }
        logProbabilities = weights.map { Double.log($0) - Double.log(total) }

        // Vose: columns scaled to mean 1; a small column is topped up by a large one.
        var scaled = probabilities.map { $0 * Double(V) }
        var threshold = [UInt64](repeating: .max, count: V)
        var alias = (0..<V).map { Int32($0) }
        var small = (0..<V).filter { scaled[$0] < 1 }.reversed() as [Int]
        var large = (0..<V).filter { scaled[$0] >= 1 }.reversed() as [Int]
        while let s = small.popLast(), let l = large.popLast() {
            threshold[s] = UInt64(scaled[s] * 0x1p64)    // scaled[s] < 1, so this fits
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        // What is left (rounding) keeps its own word always.
        self.threshold = threshold
        self.alias = alias
    }

    /// V.
    public var count: Int { probabilities.count }

    /// One word drawn from q, using one 64-bit draw of `generator`.
    @inline(__always)
    public func sample(using generator: inout Xoshiro256) -> Int32 {
        let (column, fraction) = UInt64(count).multipliedFullWidth(by: generator.next())
        let j = Int(column)
        return fraction < threshold[j] ? Int32(j) : alias[j]
    }
}
