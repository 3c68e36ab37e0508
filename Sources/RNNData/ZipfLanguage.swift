// ZipfLanguage: a generated corpus with a large Zipf-distributed vocabulary and an exactly
// known entropy rate, for experiments where the vocabulary must be large relative to the data
// (weight tying, class softmax) and nothing may be downloaded.
//
// The language is a class bigram (a hidden Markov chain whose emissions reveal the state):
//   - V words, each in one of C classes (a seeded shuffle deals them out evenly);
//   - word w of Zipf rank r (from 1) has weight r^−s; within its class, p(w | c) ∝ that weight;
//   - each class c may be followed by S classes: c+1 (mod C), so that the chain is irreducible,
//     and S−1 others drawn at random; the j-th of them (in drawn order) has weight 1/j;
//   - a stream starts in a class drawn from the chain's stationary distribution π, then each
//     token is: next class from T(· | class), then a word from p(· | next class).
// Words in one class are interchangeable in context (they are preceded and followed alike), as
// the members of a part of speech roughly are; their frequencies span the Zipf range, so most
// words are rare. The word reveals its class, so the entropy rate is exactly
//   H = Σ_c π_c H(T(· | c)) + Σ_c π_c H(W | c)      (nats per token),
// with π computed by power iteration on the lazy chain (T + I)/2, to double precision.
// It will not: model long dependencies (see SyntheticLanguage for that), or produce sentences.

import Foundation

/// A generated class-bigram language over a Zipf-distributed vocabulary, with a known entropy rate.
public struct ZipfLanguage: Sendable, Equatable {
    /// The language's sizes.
    public struct Parameters: Sendable, Equatable {
        public var words: Int
        public var classes: Int
        public var successors: Int
        public var exponent: Double

        public init(words: Int = 4000, classes: Int = 40, successors: Int = 4, exponent: Double = 1.0) {
            self.words = words
            self.classes = classes
            self.successors = successors
            self.exponent = exponent
        }

        /// A sentence saying what is wrong, or nil when the sizes make a language.
        public var problem: String? {
            if classes < 1 { return "the class count must be ≥ 1, got \(classes)" }
            if words < classes { return "the word count must be ≥ the class count (\(classes)), got \(words)" }
            if successors < 1 || successors > classes { return "the successor count must be from 1 to the class count (\(classes)), got \(successors)" }
            if !(exponent >= 0 && exponent <= 10) { return "the Zipf exponent must be from 0 to 10, got \(exponent)" }
            return nil
        }
    }

    public let parameters: Parameters
    /// classOf[w]: the class of word w (words are numbered by Zipf rank, from 0).
    public let classOf: [Int]
    /// members[c]: the words of class c, and cumulative[c] their cumulative p(w | c).
    public let members: [[Int]]
    let cumulative: [[Double]]
    /// wordProbability[w] = p(w | classOf[w]).
    public let wordProbability: [Double]
    /// transitions[c]: (next class, probability) pairs, S of them.
    public let transitions: [[(next: Int, probability: Double)]]
    /// The stationary distribution of the class chain.
    public let stationary: [Double]

    public static func == (a: ZipfLanguage, b: ZipfLanguage) -> Bool {
        a.parameters == b.parameters && a.classOf == b.classOf
            && a.transitions.map { $0.map(\.next) } == b.transitions.map { $0.map(\.next) }
    }

    /// A language whose class assignment and transitions are drawn from `rng`.
    public init<G: RandomNumberGenerator>(_ parameters: Parameters, grammar rng: inout G) {
        precondition(parameters.problem == nil, "ZipfLanguage: \(parameters.problem!)")
        self.parameters = parameters
        let V = parameters.words, C = parameters.classes, S = parameters.successors

        // Deal the words out to the classes evenly, in a shuffled order.
        var order = Array(0..<V)
        for i in stride(from: V - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        var classOf = [Int](repeating: 0, count: V)
        for (position, word) in order.enumerated() { classOf[word] = position % C }
        var members = [[Int]](repeating: [], count: C)
        for w in 0..<V { members[classOf[w]].append(w) }

        let weight = (0..<V).map { pow(Double($0 + 1), -parameters.exponent) }
        var wordProbability = [Double](repeating: 0, count: V)
        var cumulative: [[Double]] = []
        for c in 0..<C {
            let total = members[c].reduce(0) { $0 + weight[$1] }
            var running = 0.0
            cumulative.append(members[c].map { w in
                wordProbability[w] = weight[w] / total
                running += weight[w] / total
                return running
            })
        }

        var transitions: [[(next: Int, probability: Double)]] = []
        for c in 0..<C {
            var next = [(c + 1) % C]
            var others = (0..<C).filter { $0 != (c + 1) % C }
            for i in 0..<(S - 1) {
                let j = i + Int(rng.next() % UInt64(others.count - i))
                others.swapAt(i, j)
                next.append(others[i])
            }
            let harmonic = (1...S).reduce(0.0) { $0 + 1 / Double($1) }
            transitions.append(next.enumerated().map { ($0.element, 1 / Double($0.offset + 1) / harmonic) })
        }

        // Power iteration on the lazy chain (T + I)/2: same stationary distribution, and it
        // converges for any irreducible chain (the cycle c → c+1 makes this one irreducible).
        var pi = [Double](repeating: 1 / Double(C), count: C)
        for _ in 0..<100_000 {
            var nextPi = pi.map { $0 / 2 }
            for c in 0..<C { for t in transitions[c] { nextPi[t.next] += pi[c] * t.probability / 2 } }
            let change = zip(pi, nextPi).reduce(0.0) { $0 + abs($1.0 - $1.1) }
            pi = nextPi
            if change < 1e-15 { break }
        }
        self.classOf = classOf
        self.members = members
        self.cumulative = cumulative
        self.wordProbability = wordProbability
        self.transitions = transitions
        self.stationary = pi
    }

    /// Tokens `w0 … w{V−1}`, numbered by Zipf rank (w0 has the largest weight).
    public var vocabulary: Vocabulary {
        Vocabulary(tokens: (0..<parameters.words).map { "w\($0)" })
    }

    /// The entropy rate in nats per token (see the file header).
    public var entropyRate: Double {
        var rate = 0.0
        for c in 0..<parameters.classes {
            let transition = transitions[c].reduce(0.0) { $0 - $1.probability * log($1.probability) }
            let word = members[c].reduce(0.0) { $0 - wordProbability[$1] * log(wordProbability[$1]) }
            rate += stationary[c] * (transition + word)
        }
        return rate
    }

    /// The lowest perplexity any model can reach: e^entropyRate.
    public var floorPerplexity: Double { exp(entropyRate) }

    /// A uniform draw in [0, 1).
    private static func uniform<G: RandomNumberGenerator>(_ rng: inout G) -> Double {
        Double(rng.next() >> 11) * 0x1p-53
    }

    private func word<G: RandomNumberGenerator>(in c: Int, _ rng: inout G) -> Int {
        let u = Self.uniform(&rng), table = cumulative[c]
        var lo = 0, hi = table.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if table[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return members[c][lo]
    }

    /// `count` tokens of the language drawn from `rng`, the first class drawn from π.
    public func generate<G: RandomNumberGenerator>(tokens count: Int, using rng: inout G) -> [Int32] {
        var out = [Int32]()
        out.reserveCapacity(count)
        var u = Self.uniform(&rng), c = 0
        while c < parameters.classes - 1 && u >= stationary[c] { u -= stationary[c]; c += 1 }
        while out.count < count {
            out.append(Int32(word(in: c, &rng)))
            u = Self.uniform(&rng)
            var chosen = transitions[c].last!.next
            for t in transitions[c] {
                if u < t.probability { chosen = t.next; break }
                u -= t.probability
            }
            c = chosen
        }
        return out
    }

    /// −Σ log p(token) of `stream` under the true process (the first class from π), in nats;
    /// `.infinity` when the stream is impossible. Divide by the count for the per-token rate.
    public func negativeLogLikelihood(_ stream: [Int32]) -> Double {
        var total = 0.0
        var previous: Int? = nil
        for token in stream.map(Int.init) {
            guard token >= 0 && token < parameters.words else { return .infinity }
            let c = classOf[token]
            let classProbability: Double
            if let p = previous {
                classProbability = transitions[p].first { $0.next == c }?.probability ?? 0
            } else {
                classProbability = stationary[c]
            }
            guard classProbability > 0 else { return .infinity }
            total -= log(classProbability) + log(wordProbability[token])
            previous = c
        }
        return total
    }
}
