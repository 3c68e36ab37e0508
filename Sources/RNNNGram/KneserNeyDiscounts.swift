// KneserNeyDiscounts: the three discounts of one order of a modified Kneser-Ney model, estimated
// from that order's count-of-counts as Chen & Goodman (1998, eq. 26) do.
//
// With n_r the number of n-grams of the order whose (modified) count is exactly r:
//     Y = n1 / (n1 + 2 n2),  D1 = 1 − 2Y n2/n1,  D2 = 2 − 3Y n3/n2,  D3+ = 3 − 4Y n4/n3.
// (D1 simplifies to Y.) The estimate needs n1…n4 all non-zero and gives a usable discount only
// when 0 < D_r ≤ r: a larger one would take more than the count, a zero or negative one would
// leave no mass for the lower orders. Small or artificial data (a synthetic language with ten
// words, a toy corpus in a test) breaks either condition; SRILM then stops with an error, KenLM
// stops unless told `--discount_fallback`, which replaces the order's three discounts by
// 0.5, 1, 1.5. rnnlab always falls back, as KenLM does, and records that it did (`isFallback`)
// so that a report can say so. It will not mix estimated and fallback values within an order.

/// The discounts D1, D2, D3+ of one order, and the count-of-counts they came from.
public struct KneserNeyDiscounts: Sendable, Equatable {
    /// Subtracted from an n-gram seen once.
    public var one: Double
    /// Subtracted from an n-gram seen twice.
    public var two: Double
    /// Subtracted from an n-gram seen three or more times.
    public var threePlus: Double
    /// n1, n2, n3, n4: how many n-grams of this order have a (modified) count of 1, 2, 3, 4.
    public var countOfCounts: [Int]
    /// True when the count-of-counts could not give valid discounts and KenLM's fallback
    /// values (0.5, 1, 1.5) are used instead.
    public var isFallback: Bool

    /// KenLM's `--discount_fallback` values: D1, D2, D3+.
    public static let fallbackValues: (one: Double, two: Double, threePlus: Double) = (0.5, 1.0, 1.5)

    /// Discounts given explicitly; each must satisfy 0 < D_r ≤ r (checked by `isValid`).
    public init(one: Double, two: Double, threePlus: Double, countOfCounts: [Int], isFallback: Bool) {
        self.one = one
        self.two = two
        self.threePlus = threePlus
        self.countOfCounts = countOfCounts
        self.isFallback = isFallback
    }

    /// Chen & Goodman's estimate from n1…n4 (`countOfCounts`, four non-negative values), or
    /// the fallback when a count-of-count is zero or a discount falls outside (0, r].
    public static func estimate(countOfCounts n: [Int]) -> KneserNeyDiscounts {
        precondition(n.count == 4 && n.allSatisfy { $0 >= 0 }, "count-of-counts must be four non-negative numbers n1…n4, got \(n)")
        let fallback = KneserNeyDiscounts(one: fallbackValues.one, two: fallbackValues.two, threePlus: fallbackValues.threePlus,
                                          countOfCounts: n, isFallback: true)
        guard n.allSatisfy({ $0 > 0 }) else { return fallback }
        let (n1, n2, n3, n4) = (Double(n[0]), Double(n[1]), Double(n[2]), Double(n[3]))
        let y = n1 / (n1 + 2 * n2)
        let estimated = KneserNeyDiscounts(one: 1 - 2 * y * n2 / n1, two: 2 - 3 * y * n3 / n2, threePlus: 3 - 4 * y * n4 / n3,
                                           countOfCounts: n, isFallback: false)
        return estimated.isValid ? estimated : fallback
    }

    /// Whether every discount lies in (0, r] for its count r: the condition under which each
    /// context's distribution sums to 1 and leaves mass for the lower orders.
    public var isValid: Bool {
        one > 0 && one <= 1 && two > 0 && two <= 2 && threePlus > 0 && threePlus <= 3
    }

    /// The discount for an n-gram of (modified) count `count`; 0 for an unseen one.
    @inline(__always)
    public func discount(forCount count: UInt32) -> Double {
        switch count {
        case 0: return 0
        case 1: return one
        case 2: return two
        default: return threePlus
        }
    }

    /// `count` minus its discount: the mass an n-gram keeps for itself.
    @inline(__always)
    func discounted(_ count: UInt32) -> Double {
        count == 0 ? 0 : Double(count) - discount(forCount: count)
    }
}
