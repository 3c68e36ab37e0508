// NumberFormat: the fixed, locale-free number spellings used by every report writer (CSV, tables,
// chart tick labels), so the same numbers always produce the same bytes.
// It will not localise (no thousands separators, always "." as the decimal point) and will not
// round "nicely" beyond what a caller asks for.

import Foundation

/// Deterministic, locale-independent number formatting.
public enum NumberFormat {
    /// Formats `x` with exactly `decimals` digits after the point: `fixed(3.14159, decimals: 2) == "3.14"`.
    ///
    /// Negative zero (also a negative value that rounds to zero) is written without the sign, so
    /// `fixed(-0.0001, decimals: 2) == "0.00"`. Non-finite values are written `nan`, `inf`, `-inf`.
    public static func fixed(_ x: Double, decimals: Int) -> String {
        precondition(decimals >= 0 && decimals <= 40, "NumberFormat.fixed: decimals must be in 0...40, got \(decimals)")
        if let special = nonFinite(x) { return special }
        let text = String(format: "%.\(decimals)f", x)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    /// The shortest text that reads back as exactly `x` with `Double(_:)` (and with Python's `float`).
    ///
    /// Integral values keep a trailing `.0` (`5.0`), small and large magnitudes use an exponent
    /// (`1e-05`, `1e+16`), negative zero stays `-0.0`. Non-finite values are `nan`, `inf`, `-inf`.
    public static func shortest(_ x: Double) -> String {
        if let special = nonFinite(x) { return special }
        return x.description
    }

    /// The shortest round-trip spelling, without a trailing `.0` for whole numbers below 10^15
    /// (`5`, `0.25`, `1e-08`): how messages and `rnnlab components` show a configured number.
    /// Non-finite values are `nan`, `inf`, `-inf`.
    public static func plain(_ x: Double) -> String {
        if let special = nonFinite(x) { return special }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return x.description
    }

    /// A short human label for a count or measurement: `10k`, `1.5M`, `64`, `0.25`, `3e-07`.
    ///
    /// Magnitudes from 1,000 up to 10^15 use the suffixes k, M, G, T with at most three decimals
    /// (trailing zeros trimmed); magnitudes of 10^15 and above or below 10^-4 use an exponent;
    /// everything else is the shortest round-trip spelling without a trailing `.0`.
    /// Non-finite values are `nan`, `inf`, `-inf`.
    public static func compact(_ x: Double) -> String {
        if let special = nonFinite(x) { return special }
        let a = abs(x)
        if a == 0 { return "0" }
        if a >= 1e15 || a < 1e-4 { return scientific(x, maxMantissaDecimals: 3) }
        if a >= 1e3 {
            let (unit, suffix) = siUnit(for: a)
            return trimZeros(fixed(x / unit, decimals: 3)) + suffix
        }
        let text = x.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    // MARK: - Tick labels

    /// Labels for the ticks of a linear axis whose ticks are multiples of `10^stepExponent`.
    ///
    /// One style for the whole axis, chosen from its range: plain fixed decimals (`0.0, 0.5, 1.0`)
    /// when every tick is below 10,000 in magnitude; SI suffixes (`0, 500k, 1M, 1.5M`) from there
    /// up to 10^15; an exponent (`2e300`, `5e-6`) beyond that or when the step is below 10^-4.
    static func linearTickLabels(_ values: [Double], stepExponent e: Int) -> [String] {
        let maxAbs = values.reduce(0.0) { max($0, abs($1)) }
        if maxAbs >= 1e15 || e < -4 {
            return values.map { $0 == 0 ? "0" : scientific($0, maxMantissaDecimals: max(0, min(6, exponent(of: $0) - e))) }
        }
        let plainDecimals = max(0, -e)
        if maxAbs >= 1e4 {
            return values.map { v in
                let a = abs(v)
                guard a >= 1e3 else { return fixed(v, decimals: plainDecimals) }
                let (unit, suffix) = siUnit(for: a)
                let unitExponent = exponent(of: unit)
                return trimZeros(fixed(v / unit, decimals: max(0, unitExponent - e))) + suffix
            }
        }
        return values.map { fixed($0, decimals: plainDecimals) }
    }

    /// The label of one tick `m × 10^k` of a logarithmic axis: `0.05`, `200`, `2k`, `1M`, `1e-5`.
    static func logTickLabel(_ v: Double, exponent k: Int) -> String {
        if k >= 15 || k < -4 { return scientific(v, maxMantissaDecimals: 0) }
        if abs(v) >= 1e3 {
            let (unit, suffix) = siUnit(for: abs(v))
            return trimZeros(fixed(v / unit, decimals: max(0, exponent(of: unit) - k))) + suffix
        }
        return fixed(v, decimals: max(0, -k))
    }

    // MARK: - Helpers

    /// `nan`, `inf` or `-inf` for a non-finite value, nil for a finite one.
    static func nonFinite(_ x: Double) -> String? {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return nil
    }

    /// `2.5e300`, `1e-7`: mantissa with at most `maxMantissaDecimals` decimals, zeros trimmed, no `+`.
    static func scientific(_ x: Double, maxMantissaDecimals: Int) -> String {
        let text = String(format: "%.\(maxMantissaDecimals)e", x)
        guard let eIndex = text.firstIndex(of: "e") else { return text }
        let mantissa = trimZeros(String(text[..<eIndex]))
        var exponentPart = String(text[text.index(after: eIndex)...])
        var sign = ""
        if exponentPart.hasPrefix("-") { sign = "-" }
        exponentPart = String(exponentPart.drop(while: { $0 == "-" || $0 == "+" || $0 == "0" }))
        return mantissa + "e" + sign + (exponentPart.isEmpty ? "0" : exponentPart)
    }

    /// Removes trailing zeros after a decimal point, and the point if nothing follows it.
    static func trimZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var t = Substring(text)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return t == "-0" ? "0" : String(t)
    }

    /// The SI unit (1e3, 1e6, 1e9, 1e12) and suffix for a magnitude of at least 1,000.
    static func siUnit(for magnitude: Double) -> (Double, String) {
        if magnitude >= 1e12 { return (1e12, "T") }
        if magnitude >= 1e9 { return (1e9, "G") }
        if magnitude >= 1e6 { return (1e6, "M") }
        return (1e3, "k")
    }

    /// The decimal exponent of a nonzero finite value: `exponent(of: 0.05) == -2`.
    static func exponent(of x: Double) -> Int {
        let a = abs(x)
        guard a > 0, a.isFinite else { return 0 }
        var k = Int(log10(a).rounded(.down))
        if powerOfTen(k + 1) <= a { k += 1 }
        if powerOfTen(k) > a { k -= 1 }
        return k
    }

    /// 10^k, correctly rounded for |k| ≤ 22 (so tick values compare equal to their literals).
    static func powerOfTen(_ k: Int) -> Double {
        if k >= 0 && k <= 22 { return exactPowers[k] }
        if k < 0 && k >= -22 { return 1 / exactPowers[-k] }
        return pow(10.0, Double(k))
    }

    /// `n × 10^k`, correctly rounded when |n| < 2^53 and |k| ≤ 22.
    static func scaled(_ n: Double, byPowerOfTen k: Int) -> Double {
        if k >= 0 { return n * powerOfTen(k) }
        if k >= -22 { return n / exactPowers[-k] }
        return n * pow(10.0, Double(k))
    }

    private static let exactPowers: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }
}
