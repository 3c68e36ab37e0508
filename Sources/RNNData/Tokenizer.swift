// Tokenizer: bytes of a corpus → token strings, with the checks that turn a bad file into one
// clear sentence (empty, blank, binary, not UTF-8). No file I/O here: callers pass the bytes and
// a display name (usually the path) for messages.

/// How text is cut into tokens.
public enum TokenLevel: String, Sendable, Codable, CaseIterable {
    /// Whitespace-separated words, with `<eos>` appended to every line (PTB/WikiText practice).
    /// Blank lines give a lone `<eos>`, as in PyTorch's word-language-model example, whose token
    /// counts published WikiText perplexities are averaged over; WikiText's ` = Heading = ` lines
    /// are ordinary words, and its `<unk>` is the unknown token.
    case word
    /// Every Unicode scalar is a token, newlines included (char-rnn practice), in any script:
    /// a combining accent written as its own scalar is its own token.
    case chars
}

/// A corpus that cannot be used, with the reason in one sentence.
public enum CorpusError: Error, Equatable, CustomStringConvertible {
    case empty(name: String)
    case blank(name: String)
    case binary(name: String, offset: Int)
    case notUTF8(name: String, offset: Int, line: Int)
    case tooShort(name: String, tokens: Int, needed: Int, batchSize: Int, bptt: Int)
    case unknownToken(name: String, token: String, line: Int)
    case badFractions(String)

    public var description: String {
        switch self {
        case let .empty(name):
            return "\(name) is empty; a corpus needs text"
        case let .blank(name):
            return "\(name) holds only whitespace; a corpus needs at least one word"
        case let .binary(name, offset):
            return "\(name) looks binary (a NUL byte at offset \(offset)); a corpus must be UTF-8 text"
        case let .notUTF8(name, offset, line):
            return "\(name) is not valid UTF-8 (first bad byte at offset \(offset), line \(line)); convert it to UTF-8"
        case let .tooShort(name, tokens, needed, batchSize, bptt):
            return "\(name) has \(tokens) token\(tokens == 1 ? "" : "s"), fewer than the \(needed) that \(batchSize) streams × (\(bptt) steps + 1) need; use a longer corpus, fewer streams or shorter chunks"
        case let .unknownToken(name, token, line):
            return "\(name) line \(line) has the token \"\(token)\", which is not in the vocabulary, and the vocabulary has no unknown token"
        case let .badFractions(what):
            return what
        }
    }
}

/// Checks that `bytes` is non-empty UTF-8 text without NUL bytes and returns it as a String.
public func decodeText(_ bytes: [UInt8], name: String) throws(CorpusError) -> String {
    guard !bytes.isEmpty else { throw .empty(name: name) }
    if let nul = bytes.firstIndex(of: 0) { throw .binary(name: name, offset: nul) }
    // Validate UTF-8 and find the first bad byte.
    var i = 0, line = 1
    let n = bytes.count
    while i < n {
        let b = bytes[i]
        var len = 0
        if b < 0x80 { len = 1; if b == 0x0A { line += 1 } }
        else if b & 0xE0 == 0xC0, b >= 0xC2 { len = 2 }
        else if b & 0xF0 == 0xE0 { len = 3 }
        else if b & 0xF8 == 0xF0, b <= 0xF4 { len = 4 }
        else { throw .notUTF8(name: name, offset: i, line: line) }
        if i + len > n { throw .notUTF8(name: name, offset: i, line: line) }
        for k in 1..<len where bytes[i + k] & 0xC0 != 0x80 { throw .notUTF8(name: name, offset: i, line: line) }
        if len == 3 {
            let cp = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6)
            if cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) { throw .notUTF8(name: name, offset: i, line: line) }
        } else if len == 4 {
            let cp = (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
            if cp < 0x10000 || cp > 0x10FFFF { throw .notUTF8(name: name, offset: i, line: line) }
        }
        i += len
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The tokens of `bytes` at `level`, each with the line it came from (1-based).
public func tokenize(_ bytes: [UInt8], level: TokenLevel, name: String, endOfSentence: String = "<eos>")
    throws(CorpusError) -> [(token: Substring, line: Int)]
{
    let text = try decodeText(bytes, name: name)
    var out: [(token: Substring, line: Int)] = []
    switch level {
    case .word:
        out.reserveCapacity(bytes.count / 5)
        var lineNumber = 1
        var sawWord = false
        let eos = Substring(endOfSentence)
        // "\r\n" is one Character in Swift, so Windows line ends are matched as such.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        // A final line break ends the last line; it does not start an empty one.
        if lines.count > 1, lines.last!.isEmpty { lines.removeLast() }
        for line in lines {
            for w in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }) {
                out.append((w, lineNumber))
                sawWord = true
            }
            out.append((eos, lineNumber))
            lineNumber += 1
        }
        if !sawWord { throw .blank(name: name) }
    case .chars:
        var lineNumber = 1
        var i = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        while i < scalars.endIndex {
            let j = scalars.index(after: i)
            out.append((Substring(scalars[i..<j]), lineNumber))
            if scalars[i] == "\n" { lineNumber += 1 }
            i = j
        }
    }
    return out
}
