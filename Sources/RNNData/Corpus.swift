// Corpus: a vocabulary and the train / valid / test token streams, built from text the way the
// reference implementations build them.

/// What the model trains and is evaluated on.
public struct Corpus: Sendable {
    public var vocabulary: Vocabulary
    public var train: [Int32]
    public var valid: [Int32]
    public var test: [Int32]
    /// Identity of the sources (display name → SHA-256 hex), for results.
    public var sources: [(name: String, sha256: String)]
    /// For generated corpora: the entropy rate in nats per token (perplexity floor = e^rate).
    public var entropyRate: Double?
    /// How text maps to tokens for this corpus: how a loaded model reads new text and writes samples.
    public var tokenLevel: TokenLevel

    public init(vocabulary: Vocabulary, train: [Int32], valid: [Int32], test: [Int32],
                sources: [(name: String, sha256: String)] = [], entropyRate: Double? = nil, tokenLevel: TokenLevel = .word) {
        self.tokenLevel = tokenLevel
        self.vocabulary = vocabulary
        self.train = train
        self.valid = valid
        self.test = test
        self.sources = sources
        self.entropyRate = entropyRate
    }
}

/// Options for building a vocabulary from the training split.
public struct VocabularyOptions: Sendable, Equatable {
    /// Keep at most this many tokens (the most frequent; ties by first occurrence), counting
    /// the unknown token; nil keeps all.
    public var maxSize: Int?
    /// Drop tokens seen fewer times than this in training.
    public var minCount: Int
    /// The unknown token: rare, dropped and unseen tokens map to it.
    public var unknownToken: String

    public init(maxSize: Int? = nil, minCount: Int = 1, unknownToken: String = "<unk>") {
        self.maxSize = maxSize
        self.minCount = minCount
        self.unknownToken = unknownToken
    }
}

/// Builds corpora from bytes.
public enum CorpusBuilder {
    /// A corpus from separate train / valid / test texts.
    ///
    /// Word level: the vocabulary comes from the training text in first-occurrence order
    /// (PyTorch's example), trimmed by `options`; tokens outside it map to the unknown token,
    /// which is added only when needed (PTB already contains `<unk>`). Character level: the
    /// vocabulary is every character of all three texts, sorted by scalar value.
    public static func fromSplits(train: (bytes: [UInt8], name: String), valid: (bytes: [UInt8], name: String),
                                  test: (bytes: [UInt8], name: String), level: TokenLevel,
                                  options: VocabularyOptions = VocabularyOptions()) throws(CorpusError) -> Corpus {
        let trainTokens = try tokenize(train.bytes, level: level, name: train.name)
        let validTokens = try tokenize(valid.bytes, level: level, name: valid.name)
        let testTokens = try tokenize(test.bytes, level: level, name: test.name)
        let vocabulary: Vocabulary
        switch level {
        case .word:
            var v = buildWordVocabulary(trainTokens.map(\.token), options: options)
            if v.unknownID == nil, (validTokens + testTokens).contains(where: { v.id(String($0.token)) == nil }) {
                v.add(options.unknownToken)
                v.setUnknown(options.unknownToken)
            }
            vocabulary = v
        case .chars:
            vocabulary = characterVocabulary(of: [trainTokens, validTokens, testTokens], countingIn: trainTokens)
        }
        return Corpus(vocabulary: vocabulary,
                      train: try ids(trainTokens, vocabulary, name: train.name),
                      valid: try ids(validTokens, vocabulary, name: valid.name),
                      test: try ids(testTokens, vocabulary, name: test.name),
                      sources: [train, valid, test].map { ($0.name, SHA256.hex(of: $0.bytes)) }, tokenLevel: level)
    }

    /// A corpus from one text split contiguously, on line boundaries: train first, then valid,
    /// then test.
    ///
    /// Each cut goes to the line start nearest to its exact fraction of the tokens, so no line (no
    /// sentence, at word level) is split between two parts. A text whose lines are too few for
    /// three non-empty parts is refused with a sentence saying so.
    public static func fromSingleText(_ bytes: [UInt8], name: String, level: TokenLevel,
                                      validFraction: Double, testFraction: Double,
                                      options: VocabularyOptions = VocabularyOptions()) throws(CorpusError) -> Corpus {
        guard validFraction > 0, testFraction > 0, validFraction + testFraction < 1 else {
            throw .badFractions("valid and test fractions must each be > 0 and sum to less than 1, got \(validFraction) and \(testFraction)")
        }
        let tokens = try tokenize(bytes, level: level, name: name)
        let lineStarts = tokens.indices.filter { $0 == 0 || tokens[$0].line != tokens[$0 - 1].line }
        let nTest = Int(Double(tokens.count) * testFraction)
        let nValid = Int(Double(tokens.count) * validFraction)
        let trainEnd = nearest(lineStarts, to: tokens.count - nValid - nTest)
        let validEnd = nearest(lineStarts, to: tokens.count - nTest)
        guard 0 < trainEnd, trainEnd < validEnd, validEnd < tokens.count else {
            let lines = lineStarts.count
            throw .badFractions("\(name) has \(lines) line\(lines == 1 ? "" : "s"), too few to split on line boundaries into non-empty train, valid (\(validFraction)) and test (\(testFraction)) parts; use a text of more lines or separate train, valid and test files")
        }
        let trainPart = Array(tokens[0..<trainEnd])
        let vocabulary: Vocabulary
        switch level {
        case .word:
            vocabulary = buildWordVocabulary(trainPart.map(\.token), options: options)
        case .chars:
            vocabulary = characterVocabulary(of: [tokens], countingIn: trainPart)
        }
        return Corpus(vocabulary: vocabulary,
                      train: try ids(trainPart, vocabulary, name: name),
                      valid: try ids(Array(tokens[trainEnd..<validEnd]), vocabulary, name: name),
                      test: try ids(Array(tokens[validEnd...]), vocabulary, name: name),
                      sources: [(name, SHA256.hex(of: bytes))], tokenLevel: level)
    }

    /// The element of the sorted, non-empty `starts` nearest to `index` (the later one on a tie).
    static func nearest(_ starts: [Int], to index: Int) -> Int {
        var lo = 0, hi = starts.count  // first element ≥ index, by bisection
        while lo < hi {
            let mid = (lo + hi) / 2
            if starts[mid] < index { lo = mid + 1 } else { hi = mid }
        }
        if lo == starts.count { return starts[lo - 1] }
        if lo == 0 { return starts[0] }
        return index - starts[lo - 1] < starts[lo] - index ? starts[lo - 1] : starts[lo]
    }

    /// Every character (Unicode scalar) of `parts`, sorted by scalar value, with counts from
    /// `counted`. Scalars are compared by value, never merged by canonical equivalence.
    static func characterVocabulary(of parts: [[(token: Substring, line: Int)]],
                                    countingIn counted: [(token: Substring, line: Int)]) -> Vocabulary {
        var scalars = Set<UInt32>()
        for part in parts { for t in part { scalars.insert(t.token.unicodeScalars.first!.value) } }
        var v = Vocabulary(tokens: scalars.sorted().map { String(UnicodeScalar($0)!) })
        for t in counted { v.add(String(t.token), count: 1) }
        return v
    }

    /// First-occurrence vocabulary of `tokens`, trimmed to `options`.
    static func buildWordVocabulary(_ tokens: [Substring], options: VocabularyOptions) -> Vocabulary {
        var all = Vocabulary()
        for t in tokens { all.add(String(t), count: 1) }
        let keepAll = options.maxSize == nil && options.minCount <= 1
        if keepAll {
            if let unk = all.id(options.unknownToken) { _ = unk; all.setUnknown(options.unknownToken) }
            return all
        }
        var kept = Array(0..<all.count).filter { all.counts[$0] >= options.minCount }
        if let maxSize = options.maxSize {
            let budget = max(0, maxSize - (all.id(options.unknownToken) == nil ? 1 : 0))
            if kept.count > budget {
                let top = Set(kept.sorted { all.counts[$0] > all.counts[$1] || (all.counts[$0] == all.counts[$1] && $0 < $1) }.prefix(budget))
                kept = kept.filter { top.contains($0) }
            }
        }
        var v = Vocabulary()
        var dropped = 0
        let keptSet = Set(kept)
        for i in 0..<all.count {
            if keptSet.contains(i) { v.add(all.tokens[i], count: all.counts[i]) } else { dropped += all.counts[i] }
        }
        v.add(options.unknownToken, count: dropped)
        v.setUnknown(options.unknownToken)
        return v
    }

    static func ids(_ tokens: [(token: Substring, line: Int)], _ v: Vocabulary, name: String) throws(CorpusError) -> [Int32] {
        var out = [Int32]()
        out.reserveCapacity(tokens.count)
        for t in tokens {
            if let id = v.id(String(t.token)) { out.append(id) }
            else if let unk = v.unknownID { out.append(unk) }
            else { throw .unknownToken(name: name, token: String(t.token), line: t.line) }
        }
        return out
    }

    /// Checks that `tokens` can fill `batchSize` streams of at least `bptt + 1` steps.
    /// Sizes whose product overflows `Int` need more tokens than any corpus has (`Int.max`).
    public static func requireLength(_ count: Int, name: String, batchSize: Int, bptt: Int) throws(CorpusError) {
        let (rows, o1) = bptt.addingReportingOverflow(1)
        let (product, o2) = batchSize.multipliedReportingOverflow(by: rows)
        let needed = o1 || o2 ? Int.max : product
        if count < needed { throw .tooShort(name: name, tokens: count, needed: needed, batchSize: batchSize, bptt: bptt) }
    }
}
