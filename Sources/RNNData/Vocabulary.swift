// Vocabulary: token strings ↔ ids, with training-split counts.
//
// Word-level vocabularies keep first-occurrence order, like PyTorch's word-language-model
// example, so ids match its ids on the same files; character vocabularies are sorted by
// Unicode scalar value, like char-rnn. Tokens are told apart by their UTF-8 bytes, as Python's
// str does, not by Swift's canonical equivalence: the Greek question mark U+037E and ";" U+003B, or
// "é" precomposed and "e" + U+0301, are different tokens, so no text ever loses a character.

/// Token strings and their ids.
public struct Vocabulary: Sendable, Codable, Equatable {
    /// Token string by id.
    public private(set) var tokens: [String]
    /// Training-split occurrences by id (0 for tokens seen only elsewhere).
    public private(set) var counts: [Int]
    /// The id unknown tokens map to, when the vocabulary has one.
    public private(set) var unknownID: Int32?
    private var index: [ExactToken: Int32]

    public init() {
        tokens = []
        counts = []
        index = [:]
    }

    /// A vocabulary of the given tokens in order; `unknown` names the unknown token, if present.
    public init(tokens: [String], counts: [Int]? = nil, unknown: String? = nil) {
        self.init()
        for t in tokens { _ = add(t) }
        if let counts, counts.count == tokens.count { self.counts = counts }
        if let unknown { unknownID = index[ExactToken(unknown)] }
    }

    public var count: Int { tokens.count }

    /// The id of `token`, adding it when new.
    @discardableResult
    public mutating func add(_ token: String, count: Int = 0) -> Int32 {
        if let id = index[ExactToken(token)] {
            counts[Int(id)] += count
            return id
        }
        let id = Int32(tokens.count)
        tokens.append(token)
        counts.append(count)
        index[ExactToken(token)] = id
        return id
    }

    /// The id of `token`, or nil.
    public func id(_ token: String) -> Int32? { index[ExactToken(token)] }

    /// Marks `token` (which must be present) as the unknown token.
    public mutating func setUnknown(_ token: String) {
        unknownID = index[ExactToken(token)]
    }

    private enum CodingKeys: String, CodingKey { case tokens, counts, unknown }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let tokens = try c.decode([String].self, forKey: .tokens)
        let counts = try c.decodeIfPresent([Int].self, forKey: .counts)
        let unknown = try c.decodeIfPresent(String.self, forKey: .unknown)
        self.init(tokens: tokens, counts: counts, unknown: unknown)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(counts, forKey: .counts)
        try c.encodeIfPresent(unknownID.map { tokens[Int($0)] }, forKey: .unknown)
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        a.tokens == b.tokens && a.counts == b.counts && a.unknownID == b.unknownID
    }
}

/// A token compared and hashed by its UTF-8 bytes (String's `==` uses canonical equivalence).
struct ExactToken: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: ExactToken, b: ExactToken) -> Bool {
        a.text.utf8.elementsEqual(b.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
