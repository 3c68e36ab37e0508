// A direct, slow transcription of interpolated modified Kneser-Ney (Chen & Goodman 1998) for
// checking KneserNeyModel's tables: n-grams as token arrays in dictionaries, continuation counts
// by their definition, every probability by the recursion. <s> is −1. Tiny corpora only.

@testable import RNNNGram

struct ReferenceKneserNey {
    let order: Int
    let V: Int
    let eos: Int32?
    static let bos: Int32 = -1
    var raw: [[Int32]: Int] = [:]
    var discounts: [KneserNeyDiscounts] = []

    init(tokens: [Int32], V: Int, order: Int, eos: Int32?) {
        self.order = order
        self.V = V
        self.eos = eos
        var history: [Int32] = eos == nil ? [] : [Self.bos]
        for w in tokens {
            let full = history + [w]
            for k in 1...order where k <= full.count { raw[Array(full.suffix(k)), default: 0] += 1 }
            history = (eos != nil && w == eos) ? [Self.bos] : Array(full.suffix(order - 1))
        }
        for k in 1...order {
            var n = [0, 0, 0, 0]
            for x in raw.keys where x.count == k {
                let c = m(x)
                if c >= 1 && c <= 4 { n[c - 1] += 1 }
            }
            discounts.append(.estimate(countOfCounts: n))
        }
    }

    /// The count order |x| uses for x.
    func m(_ x: [Int32]) -> Int {
        if x.count == order || x.first == Self.bos { return raw[x] ?? 0 }
        var left = Set<Int32>()
        for (y, c) in raw where c > 0 && y.count == x.count + 1 && Array(y.dropFirst()) == x { left.insert(y[0]) }
        return left.count
    }

    func discount(_ c: Int, order k: Int) -> Double {
        let d = discounts[k - 1]
        switch c {
        case 0: return 0
        case 1: return d.one
        case 2: return d.two
        default: return d.threePlus
        }
    }

    /// p(w | h), h at most order − 1 tokens (may start with <s>).
    func p(_ w: Int32, _ h: [Int32]) -> Double {
        let lower = h.isEmpty ? 1 / Double(V) : p(w, Array(h.dropFirst()))
        let k = h.count + 1
        var total = 0, kept = 0.0
        for v in 0..<Int32(V) {
            let c = m(h + [v])
            total += c
            kept += discount(c, order: k)
        }
        guard total > 0 else { return lower }
        let c = m(h + [w])
        return (Double(c) - discount(c, order: k)) / Double(total) + kept / Double(total) * lower
    }

    /// p of every token of a stream, with the model's history rules.
    func streamProbabilities(_ tokens: [Int32]) -> [Double] {
        var history: [Int32] = eos == nil ? [] : [Self.bos]
        var out: [Double] = []
        for w in tokens {
            out.append(p(w, Array(history.suffix(order - 1))))
            let full = history + [w]
            history = (eos != nil && w == eos) ? [Self.bos] : Array(full.suffix(order - 1))
        }
        return out
    }
}
