// The binary form of a KneserNeyModel, for a run folder's checkpoint.
//
// Layout (every integer little-endian, doubles as their IEEE-754 bits):
//   8 bytes    magic "RNNLABKN"
//   UInt32     format version, currently 1
//   UInt32     order n (1…10)
//   UInt32     vocabulary size V
//   UInt32     sentence context: 0 across sentences, 1 independent
//   Int32      end-of-sentence id (independent) or −1
//   n times    discounts of order k: D1, D2, D3+ (Float64), n1…n4 (UInt64), fallback flag (UInt8)
//   n−1 times  number of n-grams of order k = 2…n (UInt64)
//   (V+1)      unigram counts (UInt32), <s> last
//   per order k = 2…n: childStart (UInt32, one more than the (k−1)-grams), words (Int32),
//              counts (UInt32)
//   UInt64     FNV-1a 64 of every byte before it
// What is derived from these (each context's total and γ) is recomputed on reading, so it
// cannot disagree with them. The reader checks the signature, version and checksum, then every
// size against the bytes left before allocating, then the tables themselves (offsets ascending
// and ending at the n-gram count, tokens ascending within a prefix and inside the vocabulary,
// discounts in (0, r]): hostile or damaged bytes give a `KneserNeyFormatError`, never a trap.

/// Why bytes are not a usable Kneser-Ney model.
public struct KneserNeyFormatError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, as a clause ("it is truncated ...").
    public var reason: String
    public var description: String { "not a usable Kneser-Ney model: \(reason)" }
}

extension KneserNeyModel {
    public static let magic = Array("RNNLABKN".utf8)
    public static let formatVersion: UInt32 = 1

    /// The model's bytes (see the layout at the top of this file).
    public func encoded() -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(64 + unigramCounts.count * 4 + levels.reduce(0) { $0 + $1.childStart.count * 4 + $1.words.count * 8 })
        append(Self.formatVersion, to: &out)
        append(UInt32(order), to: &out)
        append(UInt32(vocabularySize), to: &out)
        switch sentenceContext {
        case .acrossSentences:
            append(UInt32(0), to: &out)
            append(Int32(-1), to: &out)
        case let .independent(eos):
            append(UInt32(1), to: &out)
            append(eos, to: &out)
        }
        for d in discounts {
            for v in [d.one, d.two, d.threePlus] { append(v.bitPattern, to: &out) }
            for n in d.countOfCounts { append(UInt64(n), to: &out) }
            out.append(d.isFallback ? 1 : 0)
        }
        for level in levels { append(UInt64(level.words.count), to: &out) }
        for c in unigramCounts { append(c, to: &out) }
        for level in levels {
            for v in level.childStart { append(v, to: &out) }
            for v in level.words { append(v, to: &out) }
            for v in level.counts { append(v, to: &out) }
        }
        append(fnv1a(out[...]), to: &out)
        return out
    }

    /// Reads and checks bytes written by `encoded()`.
    public static func decode(_ bytes: [UInt8]) throws(KneserNeyFormatError) -> KneserNeyModel {
        func fail(_ reason: String) -> KneserNeyFormatError { KneserNeyFormatError(reason: reason) }
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw fail(bytes.isEmpty ? "it is empty" : "it does not start with the rnnlab Kneser-Ney signature")
        }
        guard bytes.count >= magic.count + 4 + 8 else { throw fail("it is truncated (\(bytes.count) bytes)") }
        var r = ByteReader(bytes: bytes[..<(bytes.count - 8)], position: magic.count)
        let version: UInt32 = try r.read()
        guard version == formatVersion else {
            throw fail("it has format version \(version), and this rnnlab reads version \(formatVersion) only")
        }
        var sumReader = ByteReader(bytes: bytes[...], position: bytes.count - 8)
        let storedSum: UInt64 = try sumReader.read()
        guard fnv1a(bytes[..<(bytes.count - 8)]) == storedSum else {
            throw fail("its checksum does not match (the bytes are damaged or incomplete)")
        }

        let order = Int(try r.read() as UInt32)
        guard supportedOrders.contains(order) else { throw fail("its order is \(order), outside 1…10") }
        let vocabularySize = Int(try r.read() as UInt32)
        guard vocabularySize >= 1, vocabularySize < Int(Int32.max) else { throw fail("its vocabulary size is \(vocabularySize)") }
        let mode: UInt32 = try r.read()
        let eos: Int32 = try r.read()
        let sentenceContext: SentenceContext
        switch mode {
        case 0:
            guard eos == -1 else { throw fail("it reads across sentences but names an end-of-sentence id \(eos)") }
            sentenceContext = .acrossSentences
        case 1:
            guard eos >= 0, Int(eos) < vocabularySize else { throw fail("its end-of-sentence id \(eos) is outside the vocabulary 0..<\(vocabularySize)") }
            sentenceContext = .independent(endOfSentence: eos)
        default:
            throw fail("its sentence-context code is \(mode), not 0 or 1")
        }

        var discounts: [KneserNeyDiscounts] = []
        for k in 1...order {
            let d1 = Double(bitPattern: try r.read()), d2 = Double(bitPattern: try r.read()), d3 = Double(bitPattern: try r.read())
            var n: [Int] = []
            for _ in 0..<4 {
                let v: UInt64 = try r.read()
                guard v <= UInt64(Int.max) else { throw fail("a count-of-counts of order \(k) is \(v), too large") }
                n.append(Int(v))
            }
            let flag: UInt8 = try r.read()
            guard flag <= 1 else { throw fail("the fallback flag of order \(k) is \(flag), not 0 or 1") }
            let d = KneserNeyDiscounts(one: d1, two: d2, threePlus: d3, countOfCounts: n, isFallback: flag == 1)
            guard d.isValid else { throw fail("the discounts of order \(k) (\(d1), \(d2), \(d3)) are not within (0, 1], (0, 2], (0, 3]") }
            discounts.append(d)
        }
        var sizes: [Int] = []
        for k in stride(from: 2, through: order, by: 1) {
            let v: UInt64 = try r.read()
            // Each n-gram takes at least 8 bytes (token and count): a larger count cannot be real.
            guard v <= UInt64(r.remaining / 8) else { throw fail("it claims \(v) n-grams of order \(k), more than its \(bytes.count) bytes can hold") }
            sizes.append(Int(v))
        }
        let unigramCounts: [UInt32] = try r.readArray(count: vocabularySize + 1)
        guard unigramCounts[vocabularySize] == 0 else { throw fail("the begin-of-sentence mark has a unigram count") }
        var levels: [Level] = []
        var prefixes = vocabularySize + 1
        for (i, n) in sizes.enumerated() {
            let k = i + 2
            let childStart: [UInt32] = try r.readArray(count: prefixes + 1)
            let words: [Int32] = try r.readArray(count: n)
            let counts: [UInt32] = try r.readArray(count: n)
            guard childStart[0] == 0, Int(childStart[prefixes]) == n else {
                throw fail("the prefix offsets of order \(k) do not run from 0 to its \(n) n-grams")
            }
            for p in 0..<prefixes {
                let lo = Int(childStart[p]), hi = Int(childStart[p + 1])
                guard lo <= hi, hi <= n else { throw fail("the prefix offsets of order \(k) are not ascending") }
                var last: Int32 = -1
                for j in lo..<hi {
                    let w = words[j]
                    guard w > last, Int(w) < vocabularySize else {
                        throw fail("the tokens of order \(k) are not ascending ids inside the vocabulary 0..<\(vocabularySize)")
                    }
                    last = w
                }
            }
            levels.append(Level(childStart: childStart, words: words, counts: counts))
            prefixes = n
        }
        guard r.remaining == 0 else { throw fail("it has \(r.remaining) bytes after its last table") }
        return KneserNeyModel(order: order, vocabularySize: vocabularySize, sentenceContext: sentenceContext,
                              discounts: discounts, unigramCounts: unigramCounts, levels: levels)
    }
}

/// FNV-1a 64: the format's checksum (the same function as rnnlab's checkpoints).
func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    bytes.withUnsafeBytes { raw in
        for b in raw { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }
    return h
}

private func append<I: FixedWidthInteger>(_ v: I, to out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
}

/// Reads little-endian integers from a byte slice, throwing at its end instead of trapping.
private struct ByteReader {
    let bytes: ArraySlice<UInt8>
    var position: Int

    var remaining: Int { bytes.endIndex - position }

    mutating func read<I: FixedWidthInteger>() throws(KneserNeyFormatError) -> I {
        let size = MemoryLayout<I>.size
        guard remaining >= size else { throw KneserNeyFormatError(reason: "it is truncated (it ends inside a table)") }
        var v: I = 0
        for i in 0..<size { v |= I(truncatingIfNeeded: bytes[position + i]) << (8 * i) }
        position += size
        return v
    }

    mutating func readArray<I: FixedWidthInteger>(count: Int) throws(KneserNeyFormatError) -> [I] {
        let size = MemoryLayout<I>.size
        guard count >= 0, count <= remaining / size else {
            throw KneserNeyFormatError(reason: "it is truncated (a table of \(count) values runs past its end)")
        }
        var out = [I](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = position - bytes.startIndex
            for j in 0..<count {
                out[j] = I(littleEndian: raw.loadUnaligned(fromByteOffset: base + j * size, as: I.self))
            }
        }
        position += count * size
        return out
    }
}
