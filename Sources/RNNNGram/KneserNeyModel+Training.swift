// Training a KneserNeyModel: one pass over the token stream counts every n-gram of every order
// (1…n) ending at each position, then continuation counts, discounts and the sorted tables.
//
// Counting keys: an n-gram of order k ≥ 2 is (id of its (k−1)-gram prefix, last token), packed
// into one UInt64 (prefix << 32 | token) and hashed into that order's Dictionary, which gives it
// a dense id in order of first appearance. The prefix id is the id of the (k−1)-gram ending at
// the previous position, so each position costs one hash lookup per order; the suffix (the
// (k−1)-gram ending at the same position) is recorded on insertion, which is all the
// continuation counts need. Exact: no hash collisions can merge two n-grams.

extension KneserNeyModel {
    /// Counts `tokens` (ids in `0 ..< vocabularySize`) and estimates the model.
    ///
    /// - Parameters:
    ///   - order: in `supportedOrders`, 1…10 (a precondition: the experiment layer reports a bad
    ///     order to the user).
    ///   - sentenceContext: whether histories run across `<eos>` (the default, as the RNN reads
    ///     the corpus) or restart with <s> after it.
    ///   - progress: called with (tokens counted, total tokens) every 2^16 tokens and at the end.
    public static func train(tokens: [Int32], vocabularySize: Int, order: Int,
                             sentenceContext: SentenceContext = .acrossSentences,
                             progress: ((Int, Int) -> Void)? = nil) -> KneserNeyModel {
        precondition(supportedOrders.contains(order), "Kneser-Ney order must be 1…10, got \(order)")
        precondition(vocabularySize >= 1 && vocabularySize < Int(Int32.max), "vocabulary size must be 1…\(Int32.max - 1), got \(vocabularySize)")
        if case let .independent(eos) = sentenceContext {
            precondition(eos >= 0 && Int(eos) < vocabularySize, "end-of-sentence id \(eos) is outside the vocabulary 0..<\(vocabularySize)")
        }
        let V = vocabularySize
        let bos = Int32(V)
        let counts = NGramCounts(order: order, unigrams: V + 1)
        counts.count(tokens, vocabularySize: V, sentenceContext: sentenceContext, progress: progress)

        // m: continuation counts below the top order, except for n-grams that start with <s>.
        var unigramM = [UInt32](repeating: 0, count: V + 1)
        var levelM: [[UInt32]] = counts.levels.map { [UInt32](repeating: 0, count: $0.words.count) }
        if order == 1 {
            unigramM = counts.unigramRaw
        } else {
            for s in counts.levels[0].suffix { unigramM[Int(s)] += 1 }
        }
        unigramM[Int(bos)] = 0
        for k in stride(from: 2, through: order, by: 1) {
            let level = counts.levels[k - 2]
            if k == order {
                levelM[k - 2] = level.raw
                continue
            }
            for s in counts.levels[k - 1].suffix { levelM[k - 2][Int(s)] += 1 }
            // An n-gram starting with <s> has no left neighbour: it keeps its raw count.
            for i in 0..<level.words.count where level.startsWithBOS[i] { levelM[k - 2][i] = level.raw[i] }
        }

        var discounts = [KneserNeyDiscounts.estimate(countOfCounts: countOfCounts(unigramM[0..<V]))]
        for m in levelM { discounts.append(.estimate(countOfCounts: countOfCounts(m))) }

        // Sorted tables: order k's n-grams by (sorted id of prefix, token).
        var levels: [Level] = []
        var previousNewID: [UInt32] = Array(0...UInt32(V))   // unigram ids are token ids
        for k in stride(from: 2, through: order, by: 1) {
            let level = counts.levels[k - 2]
            let n = level.words.count
            var keys = [UInt64](repeating: 0, count: n)
            for i in 0..<n {
                keys[i] = UInt64(previousNewID[Int(level.prefix[i])]) << 32 | UInt64(UInt32(level.words[i]))
            }
            var orderOf = Array(0..<n)
            orderOf.sort { keys[$0] < keys[$1] }
            let prefixes = previousNewID.count
            var childStart = [UInt32](repeating: 0, count: prefixes + 1)
            var words = [Int32](repeating: 0, count: n)
            var m = [UInt32](repeating: 0, count: n)
            var newID = [UInt32](repeating: 0, count: n)
            for (j, i) in orderOf.enumerated() {
                words[j] = level.words[i]
                m[j] = levelM[k - 2][i]
                newID[i] = UInt32(j)
                childStart[Int(keys[i] >> 32) + 1] += 1
            }
            for p in 0..<prefixes { childStart[p + 1] += childStart[p] }
            levels.append(Level(childStart: childStart, words: words, counts: m))
            previousNewID = newID
        }
        return KneserNeyModel(order: order, vocabularySize: V, sentenceContext: sentenceContext,
                              discounts: discounts, unigramCounts: unigramM, levels: levels)
    }

    /// n1…n4 of `counts`.
    static func countOfCounts<C: Collection>(_ counts: C) -> [Int] where C.Element == UInt32 {
        var n = [0, 0, 0, 0]
        for c in counts where c >= 1 && c <= 4 { n[Int(c) - 1] += 1 }
        return n
    }
}

/// The raw counts of one pass, before the model's tables are built.
private final class NGramCounts {
    /// The n-grams of one order k ≥ 2, by dense id in order of first appearance.
    struct Level {
        var index: [UInt64: Int32] = [:]
        /// Id of the (k−1)-gram prefix (a token id at k = 2).
        var prefix: [Int32] = []
        var words: [Int32] = []
        var raw: [UInt32] = []
        /// Id of the (k−1)-gram suffix (a token id at k = 2).
        var suffix: [Int32] = []
        var startsWithBOS: [Bool] = []
    }

    let order: Int
    var unigramRaw: [UInt32]
    var levels: [Level]

    init(order: Int, unigrams: Int) {
        self.order = order
        unigramRaw = [UInt32](repeating: 0, count: unigrams)
        levels = Array(repeating: Level(), count: max(order - 1, 0))
    }

    func count(_ tokens: [Int32], vocabularySize V: Int, sentenceContext: SentenceContext, progress: ((Int, Int) -> Void)?) {
        let bos = Int32(V)
        var eos: Int32 = -1
        if case let .independent(e) = sentenceContext { eos = e }
        // previous[k − 1]: id of the k-gram ending at the previous position (−1: none);
        // previousBOS[k − 1]: whether it starts with <s>.
        var previous = [Int32](repeating: -1, count: order)
        var previousBOS = [Bool](repeating: false, count: order)
        var current = previous
        var currentBOS = previousBOS
        let total = tokens.count
        for (i, w) in tokens.enumerated() {
            precondition(w >= 0 && Int(w) < V, "token id \(w) at position \(i) is outside the vocabulary 0..<\(V)")
            if eos >= 0, i == 0 || tokens[i - 1] == eos {
                for j in 0..<order { previous[j] = -1; previousBOS[j] = false }
                previous[0] = bos
                previousBOS[0] = true
            }
            unigramRaw[Int(w)] &+= 1
            current[0] = w
            currentBOS[0] = false
            var k = 2
            while k <= order {
                let p = previous[k - 2]
                if p < 0 { break }
                let key = UInt64(UInt32(p)) << 32 | UInt64(UInt32(w))
                let id: Int32
                if let found = levels[k - 2].index[key] {
                    id = found
                    levels[k - 2].raw[Int(id)] &+= 1
                } else {
                    id = Int32(levels[k - 2].words.count)
                    levels[k - 2].index[key] = id
                    levels[k - 2].prefix.append(p)
                    levels[k - 2].words.append(w)
                    levels[k - 2].raw.append(1)
                    levels[k - 2].suffix.append(current[k - 2])
                    levels[k - 2].startsWithBOS.append(previousBOS[k - 2])
                }
                current[k - 1] = id
                currentBOS[k - 1] = previousBOS[k - 2]
                k += 1
            }
            while k <= order { current[k - 1] = -1; k += 1 }
            swap(&previous, &current)
            swap(&previousBOS, &currentBOS)
            if let progress, (i + 1) & 0xFFFF == 0 { progress(i + 1, total) }
        }
        progress?(total, total)
        for k in levels.indices { levels[k].index = [:] }
    }
}
