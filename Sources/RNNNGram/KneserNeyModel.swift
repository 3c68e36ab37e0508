// KneserNeyModel: an interpolated modified Kneser-Ney n-gram language model (Chen & Goodman
// 1998) over rnnlab's token ids, so that its perplexity compares directly with an RNN's.
//
// Notation: n = order (1…10), V = vocabulary size, h = a history (the tokens before the one
// predicted), h' = h without its oldest token, m(·) = the count an order uses: the raw count at
// the highest order and for n-grams that start with <s>, the continuation count N1+(• x) (how
// many distinct tokens precede x) at the lower orders. For a context h seen at order k,
//
//     p_k(w | h) = max(m(h w) − D_k(m(h w)), 0) / Σ_v m(h v)  +  γ(h) · p_{k−1}(w | h'),
//     γ(h)       = (D_k1 N1(h •) + D_k2 N2(h •) + D_k3+ N3+(h •)) / Σ_v m(h v),
//
// with N_r(h •) the number of tokens v with m(h v) = r (3 or more for N3+), and p_0(w) = 1/V:
// the model interpolates down to the uniform distribution over the vocabulary, so every token
// has a probability above zero. An unseen context (Σ_v m(h v) = 0) passes p_{k−1} through.
//
// Sentence starts (`SentenceContext`): by default the history runs across `<eos>`, as an RNN
// reads the corpus as one stream; the stream's first token has an empty history. With
// `.independent(endOfSentence:)` the history restarts after every `<eos>` with a
// begin-of-sentence mark <s> (id V, used only as history, never predicted), as SRILM and KenLM
// do by default. Every token is predicted and counted in both, `<eos>` included (SRILM counts
// </s> too and never predicts <s>).
//
// Storage: the n-grams of order k ≥ 2 sit in sorted arrays, grouped by their (k−1)-gram prefix
// (compressed sparse rows: `childStart[prefix] ..< childStart[prefix + 1]`, words ascending);
// the index of an n-gram in its order's arrays is its id as a prefix at the next order. Unigram
// ids are the token ids, with <s> at V. Lookups descend this trie by binary search. Counting
// (`KneserNeyModel+Training.swift`) uses hashed (prefix id, token) keys instead.
//
// Not here: count cut-offs, pruning, ARPA files, <unk> handling beyond treating it as a word.

import RealModule
import RNNTensor

/// Where a history starts.
public enum SentenceContext: Sendable, Equatable {
    /// The history runs across sentence boundaries: the corpus is one stream, as the RNN reads it.
    case acrossSentences
    /// Each sentence on its own: after `endOfSentence` (rnnlab's `<eos>` id) the history is <s>
    /// alone (SRILM's default, Mikolov's `-independent`).
    case independent(endOfSentence: Int32)
}

/// An interpolated modified Kneser-Ney language model over token ids `0 ..< vocabularySize`.
public struct KneserNeyModel: Sendable {
    /// The orders the model supports; the experiment layer checks a user's order against these.
    public static let supportedOrders = 1...10

    /// The longest n-gram the model uses, in `supportedOrders`.
    public let order: Int
    /// V: tokens are ids `0 ..< V`; id V is <s>, used only as history in `.independent` mode.
    public let vocabularySize: Int
    public let sentenceContext: SentenceContext
    /// Discounts by order: `discounts[k − 1]` for order k.
    public let discounts: [KneserNeyDiscounts]

    /// The n-grams of one order k ≥ 2, grouped by prefix.
    struct Level: Sendable, Equatable {
        /// (number of (k−1)-grams + 1): the children of prefix p are `childStart[p] ..< childStart[p + 1]`.
        var childStart: [UInt32]
        /// (number of k-grams): last token of each k-gram, ascending within a prefix.
        var words: [Int32]
        /// (number of k-grams): m, the count order k uses (raw or continuation); may be 0 for
        /// an n-gram seen only where it has no left neighbour (the stream's first tokens).
        var counts: [UInt32]
    }

    /// (V + 1): m of each unigram, <s> last (always 0).
    let unigramCounts: [UInt32]
    /// Orders 2…n: `levels[k − 2]`.
    let levels: [Level]
    /// Per order k (index k − 1), per context (a (k−1)-gram id; order 1 has the one empty
    /// context): 1 / Σ_v m(h v), or 0 for an unseen context.
    let scale: [[Double]]
    /// Per order k, per context: γ(h), or 1 for an unseen context (p_{k−1} passes through).
    let gamma: [[Double]]

    /// The model of already-validated tables; computes each context's scale and γ.
    init(order: Int, vocabularySize: Int, sentenceContext: SentenceContext, discounts: [KneserNeyDiscounts],
         unigramCounts: [UInt32], levels: [Level]) {
        self.order = order
        self.vocabularySize = vocabularySize
        self.sentenceContext = sentenceContext
        self.discounts = discounts
        self.unigramCounts = unigramCounts
        self.levels = levels
        var scale: [[Double]] = []
        var gamma: [[Double]] = []
        let root = Self.contextWeights(counts: unigramCounts[0..<vocabularySize], discounts: discounts[0])
        scale.append([root.scale])
        gamma.append([root.gamma])
        for k in stride(from: 2, through: order, by: 1) {
            let level = levels[k - 2]
            let contexts = level.childStart.count - 1
            var s = [Double](repeating: 0, count: contexts)
            var g = [Double](repeating: 1, count: contexts)
            level.counts.withUnsafeBufferPointer { counts in
                for c in 0..<contexts {
                    let lo = Int(level.childStart[c]), hi = Int(level.childStart[c + 1])
                    guard lo < hi else { continue }
                    let w = Self.contextWeights(counts: counts[lo..<hi], discounts: discounts[k - 1])
                    s[c] = w.scale
                    g[c] = w.gamma
                }
            }
            scale.append(s)
            gamma.append(g)
        }
        self.scale = scale
        self.gamma = gamma
    }

    /// 1 / total and γ of a context whose children have counts `counts`.
    private static func contextWeights<C: Collection>(counts: C, discounts d: KneserNeyDiscounts)
        -> (scale: Double, gamma: Double) where C.Element == UInt32
    {
        var total: UInt64 = 0
        var kept = 0.0
        for m in counts {
            total += UInt64(m)
            kept += d.discount(forCount: m)
        }
        guard total > 0 else { return (0, 1) }
        return (1 / Double(total), kept / Double(total))
    }

    /// How many distinct n-grams the model holds at each order (index k − 1 for order k;
    /// order 1 counts the tokens with a non-zero count).
    public var ngramCounts: [Int] {
        [unigramCounts.lazy.filter { $0 > 0 }.count] + levels.map(\.words.count)
    }

    // MARK: - History

    /// Where the model is in a stream: for each order k (index k − 1), the id of the context
    /// it uses (order 1: 0, the empty context; order k ≥ 2: a (k−1)-gram id), or −1 when the
    /// history is too short or was never seen, in which case no higher order is used either.
    struct History {
        var context: [Int]
    }

    /// The history at the start of a stream (or, in `.independent` mode, of a sentence).
    func startHistory() -> History {
        var context = [Int](repeating: -1, count: order)
        context[0] = 0
        if case .independent = sentenceContext, order >= 2 { context[1] = vocabularySize }
        return History(context: context)
    }

    /// The id of `word` under the (k−1)-gram `prefix` at order k ≥ 2, or nil.
    @inline(__always)
    func child(of prefix: Int, word: Int32, order k: Int) -> Int? {
        let level = levels[k - 2]
        var lo = Int(level.childStart[prefix]), hi = Int(level.childStart[prefix + 1])
        return level.words.withUnsafeBufferPointer { words in
            while lo < hi {
                let mid = (lo + hi) >> 1
                let v = words[mid]
                if v == word { return mid }
                if v < word { lo = mid + 1 } else { hi = mid }
            }
            return nil
        }
    }

    /// p(word | history); moves `history` past `word`.
    @inline(__always)
    func step(_ word: Int32, _ history: inout History) -> Double {
        let w = Int(word)
        var p = 1 / Double(vocabularySize)
        // In place: context[k] becomes the id of the k-gram ending at `word`, the order-(k+1)
        // context of the next position; `c` keeps the old context of the order being scored.
        var c = history.context[0]
        for k in 1...order {
            guard c >= 0 else {
                for j in k..<order { history.context[j] = -1 }
                break
            }
            let nextC = k < order ? history.context[k] : -1
            let m: UInt32
            if k == 1 {
                m = unigramCounts[w]
                if order >= 2 { history.context[1] = w }
            } else if let id = child(of: c, word: word, order: k) {
                m = levels[k - 2].counts[id]
                if k < order { history.context[k] = id }
            } else {
                m = 0
                if k < order { history.context[k] = -1 }
            }
            p = discounts[k - 1].discounted(m) * scale[k - 1][c] + gamma[k - 1][c] * p
            c = nextC
        }
        if case let .independent(eos) = sentenceContext, word == eos { history = startHistory() }
        return p
    }

    /// The history after reading `context` from a stream start: only the last n − 1 tokens
    /// matter, and in `.independent` mode only those after the last end of sentence.
    func history<C: Collection>(after context: C) -> History where C.Element == Int32 {
        var tail = Array(context.suffix(max(order - 1, 0)))
        var h = startHistory()
        if case let .independent(eos) = sentenceContext {
            let afterEOS = context.reversed().prefix { $0 != eos }.count
            if afterEOS < order - 1 {
                tail = Array(tail.suffix(afterEOS))
            } else {
                // Sentence start is beyond the window: no <s> in the history.
                h.context = [Int](repeating: -1, count: order)
                h.context[0] = 0
            }
        }
        for t in tail {
            checkToken(t)
            _ = step(t, &h)
        }
        return h
    }

    @inline(__always)
    func checkToken(_ t: Int32) {
        precondition(t >= 0 && Int(t) < vocabularySize, "token id \(t) is outside the vocabulary 0..<\(vocabularySize)")
    }

    // MARK: - Probabilities

    /// log p(`token` | `context`), natural log. `context` is the tokens before it, oldest first
    /// (any length; only the last n − 1 are used, and in `.independent` mode only those after the
    /// last `<eos>`; an empty context is the start of a stream or of a sentence).
    public func logProbability<C: Collection>(of token: Int32, context: C) -> Double where C.Element == Int32 {
        checkToken(token)
        var h = history(after: context)
        return Double.log(step(token, &h))
    }

    /// The full next-token distribution after `context` (as in `logProbability`): V
    /// probabilities summing to 1, each above zero.
    public func probabilities<C: Collection>(context: C) -> [Double] where C.Element == Int32 {
        let h = history(after: context)
        let V = vocabularySize
        var p = [Double](repeating: 1 / Double(V), count: V)
        for k in 1...order {
            let c = h.context[k - 1]
            guard c >= 0 else { break }
            let s = scale[k - 1][c], g = gamma[k - 1][c]
            guard s > 0 else { continue }
            let d = discounts[k - 1]
            for j in 0..<V { p[j] *= g }
            if k == 1 {
                for j in 0..<V { p[j] += d.discounted(unigramCounts[j]) * s }
            } else {
                let level = levels[k - 2]
                for i in Int(level.childStart[c])..<Int(level.childStart[c + 1]) {
                    p[Int(level.words[i])] += d.discounted(level.counts[i]) * s
                }
            }
        }
        return p
    }

    /// p(token_t | tokens before t) for every position of `tokens`, read as one stream from
    /// its start (the first token has an empty history, or <s> in `.independent` mode).
    public func tokenProbabilities(of tokens: [Int32]) -> [Double] {
        var h = startHistory()
        var out = [Double]()
        out.reserveCapacity(tokens.count)
        for t in tokens {
            checkToken(t)
            out.append(step(t, &h))
        }
        return out
    }

    /// The log-likelihood of `tokens` read as one stream (every token predicted, as in
    /// `tokenProbabilities`), and so the perplexity.
    public func evaluate(tokens: [Int32]) -> PerplexityScore {
        var h = startHistory()
        var sum = 0.0
        for t in tokens {
            checkToken(t)
            sum += Double.log(step(t, &h))
        }
        return PerplexityScore(logLikelihood: sum, count: tokens.count)
    }
}

/// A log-likelihood over a number of predicted tokens.
public struct PerplexityScore: Sendable, Equatable {
    /// Σ log p, natural log.
    public var logLikelihood: Double
    /// How many tokens were predicted.
    public var count: Int

    public init(logLikelihood: Double, count: Int) {
        self.logLikelihood = logLikelihood
        self.count = count
    }

    /// exp(−logLikelihood / count); NaN for no tokens.
    public var perplexity: Double { count > 0 ? Double.exp(-logLikelihood / Double(count)) : .nan }
    /// −logLikelihood / count: the cross-entropy in nats per token.
    public var crossEntropy: Double { count > 0 ? -logLikelihood / Double(count) : .nan }
}
