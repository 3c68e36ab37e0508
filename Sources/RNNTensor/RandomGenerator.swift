// Xoshiro256**: the seeded random generator every initializer, sampler and shuffler takes
// explicitly. rnnlab has no global random state: same seed, same numbers, on every machine.
//
// Not cryptographic. Streams derived with `init(seed:stream:)` are statistically independent
// for practical purposes (SplitMix64 seeding, as the xoshiro authors recommend).
import RealModule

/// A fast, seedable, serialisable random number generator (xoshiro256** 1.0).
public struct Xoshiro256: RandomNumberGenerator, Sendable, Codable, Equatable {
    /// The full generator state; saving and restoring it resumes the exact sequence.
    public private(set) var state: [UInt64]

    /// A generator seeded from `seed`, and optionally a stream number so that one experiment
    /// seed can feed several independent consumers (initialisation, sampling, data order).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var sm = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        var s = [UInt64](repeating: 0, count: 4)
        for i in 0..<4 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            s[i] = z ^ (z >> 31)
        }
        if s.allSatisfy({ $0 == 0 }) { s[0] = 1 }
        state = s
    }

    /// Restores a generator from a saved `state` (four words, not all zero).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// One xoshiro256** step on the four state words: returns the output and advances them.
    @inline(__always)
    private static func step(_ s0: inout UInt64, _ s1: inout UInt64, _ s2: inout UInt64, _ s3: inout UInt64) -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    public mutating func next() -> UInt64 {
        var s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3]
        let result = Self.step(&s0, &s1, &s2, &s3)
        state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3    // in place: a new array would allocate
        return result
    }

    /// Writes the next `count` words of the sequence into `words`: the same words, in the same
    /// order, as `count` calls of `next()`, with the state in registers for the whole block (each
    /// `next()` loads and stores the state array; dropout draws a word per element).
    public mutating func next(into words: UnsafeMutablePointer<UInt64>, count: Int) {
        precondition(count >= 0, "Xoshiro256.next(into:count:): count \(count) < 0")
        var s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3]
        for i in 0..<count { words[i] = Self.step(&s0, &s1, &s2, &s3) }
        state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3    // in place: a new array would allocate
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform value in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// A standard normal value (Box–Muller; one value per call, deterministic).
    public mutating func normal() -> Double {
        var u = nextUnit()
        while u <= .leastNonzeroMagnitude { u = nextUnit() }
        let v = nextUnit()
        return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
    }
}
