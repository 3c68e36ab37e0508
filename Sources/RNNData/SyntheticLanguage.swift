// SyntheticLanguage: a generated corpus with an exactly known entropy rate and a dependency
// longer than an n-gram window, so a quick start needs no download and its perplexity can be
// compared with the best achievable.
//
// The language is a renewal process of segments. A segment is
//   o_k  f_1 f_2 … f_L  c_k
// an opener o_k (k uniform among K), a run of L fillers (L uniform in minLength…maxLength; f_1
// uniform among F fillers, each next filler uniform among the S successors the grammar gives its
// predecessor), and the closer c_k that matches the opener. The closer's identity depends on a
// token L+1 steps back (beyond any short n-gram window), and its timing on counting fillers.
//
// Entropy rate. The tokens of a segment determine (k, L, f_1…f_L) and back, and segments are
// independent, so by the renewal-reward theorem the entropy rate is
//   H = (log K + log(maxLength − minLength + 1) + log F + (E[L] − 1) log S) / (E[L] + 2)
// nats per token, with E[L] = (minLength + maxLength) / 2. A stream starts at a segment start.

/// A generated language with a known entropy rate.
public struct SyntheticLanguage: Sendable, Equatable {
    /// The grammar's sizes.
    public struct Parameters: Sendable, Equatable {
        public var openers: Int
        public var fillers: Int
        public var successors: Int
        public var minLength: Int
        public var maxLength: Int

        public init(openers: Int = 8, fillers: Int = 16, successors: Int = 4, minLength: Int = 4, maxLength: Int = 8) {
            self.openers = openers
            self.fillers = fillers
            self.successors = successors
            self.minLength = minLength
            self.maxLength = maxLength
        }

        /// Which size is wrong, or nil when the sizes make a language.
        public var problem: Problem? {
            if openers < 1 { return .openers(openers) }
            if fillers < 1 { return .fillers(fillers) }
            if successors < 1 || successors > fillers { return .successors(successors, fillers: fillers) }
            if minLength < 1 { return .minLength(minLength) }
            if maxLength < minLength { return .maxLength(maxLength, minLength: minLength) }
            return nil
        }

        /// A size that makes no language; the description names the size, not a config key.
        public enum Problem: Sendable, Equatable, CustomStringConvertible {
            case openers(Int), fillers(Int), successors(Int, fillers: Int), minLength(Int), maxLength(Int, minLength: Int)

            public var description: String {
                switch self {
                case let .openers(n): return "the opener count must be ≥ 1, got \(n)"
                case let .fillers(n): return "the filler count must be ≥ 1, got \(n)"
                case let .successors(n, fillers): return "the successor count must be from 1 to the filler count (\(fillers)), got \(n)"
                case let .minLength(n): return "the shortest filler run must be ≥ 1, got \(n)"
                case let .maxLength(n, minLength): return "the longest filler run must be ≥ the shortest (\(minLength)), got \(n)"
                }
            }
        }
    }

    public let parameters: Parameters
    /// successors[f] lists the fillers that may follow filler f.
    public let successorTable: [[Int]]

    /// A language whose grammar (the successor table) is drawn from `rng`.
    public init<G: RandomNumberGenerator>(_ parameters: Parameters, grammar rng: inout G) {
        precondition(parameters.problem == nil, "SyntheticLanguage: \(parameters.problem!)")
        self.parameters = parameters
        var table: [[Int]] = []
        for _ in 0..<parameters.fillers {
            var all = Array(0..<parameters.fillers)
            // Partial Fisher–Yates: the first `successors` entries are a uniform random subset.
            for i in 0..<parameters.successors {
                let j = i + Int(rng.next() % UInt64(parameters.fillers - i))
                all.swapAt(i, j)
            }
            table.append(Array(all[0..<parameters.successors]).sorted())
        }
        successorTable = table
    }

    /// Tokens: openers `o0…`, closers `c0…`, fillers `f0…`, in that id order.
    public var vocabulary: Vocabulary {
        let p = parameters
        return Vocabulary(tokens: (0..<p.openers).map { "o\($0)" } + (0..<p.openers).map { "c\($0)" } + (0..<p.fillers).map { "f\($0)" })
    }

    private var closerBase: Int { parameters.openers }
    private var fillerBase: Int { 2 * parameters.openers }

    /// Expected filler-run length E[L].
    public var meanLength: Double { Double(parameters.minLength + parameters.maxLength) / 2 }

    /// The entropy rate in nats per token (see the file header for the derivation).
    public var entropyRate: Double {
        let p = parameters
        let segment = log(Double(p.openers)) + log(Double(p.maxLength - p.minLength + 1))
            + log(Double(p.fillers)) + (meanLength - 1) * log(Double(p.successors))
        return segment / (meanLength + 2)
    }

    /// The lowest perplexity any model can reach: e^entropyRate.
    public var floorPerplexity: Double { exp(entropyRate) }

    /// `count` tokens of the language drawn from `rng`, starting at a segment start.
    public func generate<G: RandomNumberGenerator>(tokens count: Int, using rng: inout G) -> [Int32] {
        let p = parameters
        var out = [Int32]()
        out.reserveCapacity(count + p.maxLength + 2)
        while out.count < count {
            let k = Int(rng.next() % UInt64(p.openers))
            let L = p.minLength + Int(rng.next() % UInt64(p.maxLength - p.minLength + 1))
            out.append(Int32(k))
            var f = Int(rng.next() % UInt64(p.fillers))
            out.append(Int32(fillerBase + f))
            for _ in 1..<max(L, 1) {
                f = successorTable[f][Int(rng.next() % UInt64(p.successors))]
                out.append(Int32(fillerBase + f))
            }
            out.append(Int32(closerBase + k))
        }
        return Array(out[0..<count])
    }

    /// −Σ log p(token) of `stream` under the true process (starting at a segment start), in nats;
    /// `.infinity` when the stream is impossible. Divide by the count for the per-token rate.
    public func negativeLogLikelihood(_ stream: [Int32]) -> Double {
        let p = parameters
        var total = 0.0
        var opener: Int? = nil       // inside a segment: its opener
        var run = 0                  // fillers emitted so far in the segment
        var last = -1                // last filler
        for token in stream.map(Int.init) {
            guard let k = opener else {
                guard token < p.openers else { return .infinity }
                total -= log(1 / Double(p.openers))
                opener = token
                run = 0
                continue
            }
            let closeProbability = run >= p.minLength && run <= p.maxLength ? 1 / Double(p.maxLength - run + 1) : 0
            if token == closerBase + k {
                guard closeProbability > 0 else { return .infinity }
                total -= log(closeProbability)
                opener = nil
            } else if token >= fillerBase {
                let f = token - fillerBase
                let choice = run == 0 ? 1 / Double(p.fillers)
                                      : (successorTable[last].contains(f) ? 1 / Double(p.successors) : 0)
                let prob = (1 - closeProbability) * choice
                guard prob > 0 else { return .infinity }
                total -= log(prob)
                run += 1
                last = f
            } else {
                return .infinity
            }
        }
        return total
    }
}

import Foundation
