// RandomSearch: the `random:` part of a sweep section — N samples of some keys, each key drawn
// from its own distribution, reproducible from a seed — and its decoding.
//
//     sweep:
//       random:
//         samples: 20                    # runs (times the grid points, sets and seeds)
//         seed: 7                        # the sampler's seed (default 1); not the runs' seed
//         keys:
//           training.optimizer.lr: {log_uniform: [0.1, 20]}
//           training.clip: {uniform: [0.5, 5]}
//           training.bptt: {int_uniform: [10, 40]}
//           model.hidden_size: {choice: [128, 256, 512]}
//
// Sample k (from 0) draws its keys, in file order, from a Xoshiro256 seeded with (seed, k): it
// depends on neither the number of samples nor any other sample, so asking for more samples
// later keeps the first ones, and a plan computes sample k without computing the others.
// Real values are written with 4 significant digits, so run names, config.yaml and the value
// trained with are the same number. It will not do adaptive search (Bayesian, bandits).

import Foundation
import RNNTensor
import RNNYAML

/// Random samples of some keys.
public struct RandomSearch: Sendable, Equatable {
    /// Where one key's values come from.
    public enum Distribution: Sendable, Equatable {
        /// Real, uniform in [low, high].
        case uniform(Double, Double)
        /// Real, with a uniform logarithm: as many samples in [0.1, 1] as in [1, 10].
        case logUniform(Double, Double)
        /// Integer, uniform in low…high (both included).
        case intUniform(Int, Int)
        /// One of the values (YAML text), each as likely.
        case choice([String])
    }

    public struct Key: Sendable, Equatable {
        public var key: String
        public var distribution: Distribution
    }

    /// The number of samples, at least 1.
    public var samples: Int
    /// The sampler's seed.
    public var seed: UInt64
    /// The sampled keys, in file order.
    public var keys: [Key]

    public init(samples: Int, seed: UInt64, keys: [Key]) {
        precondition(samples >= 1 && !keys.isEmpty, "RandomSearch: \(samples) samples of \(keys.count) keys")
        self.samples = samples
        self.seed = seed
        self.keys = keys
    }

    /// The overrides of sample `k` (from 0), one per key in order.
    public func sample(_ k: Int) -> [Override] {
        precondition(k >= 0, "RandomSearch.sample: \(k)")
        var g = Xoshiro256(seed: seed, stream: UInt64(k) &+ 1)
        return keys.map { Override(key: $0.key, value: Self.draw($0.distribution, using: &g)) }
    }

    /// One value of `distribution`, as YAML text.
    static func draw(_ distribution: Distribution, using g: inout Xoshiro256) -> String {
        switch distribution {
        case let .uniform(low, high):
            return real(g.uniform(low, high), within: low, high)
        case let .logUniform(low, high):
            return real(exp(g.uniform(log(low), log(high))), within: low, high)
        case let .intUniform(low, high):
            let span = UInt64(high - low) + 1
            return String(low + Int(min(span - 1, UInt64(g.nextUnit() * Double(span)))))
        case let .choice(values):
            return values[min(values.count - 1, Int(g.nextUnit() * Double(values.count)))]
        }
    }

    /// `x` with 4 significant digits and no trailing zeros (`0.5623`, `12.35`, `20.0`); all its
    /// digits when the rounding would leave [low, high].
    static func real(_ x: Double, within low: Double, _ high: Double) -> String {
        let magnitude = x == 0 ? 0 : Int(floor(log10(abs(x))))
        var text = NumberFormat.fixed(x, decimals: min(40, max(1, 3 - magnitude)))
        while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
        if let rounded = Double(text), rounded >= low && rounded <= high { return text }
        return "\(x)"
    }

    /// The distributions a key may name.
    static let distributionNames = ["choice", "int_uniform", "log_uniform", "uniform"]
    /// The keys a `random:` mapping takes.
    static let sectionKeys = ["keys", "samples", "seed"]

    /// Decodes a `random:` mapping at `keyPath`; `checkKey` checks each sampled key (a key path,
    /// sweepable, not swept elsewhere) and records it.
    static func decode(_ node: YAMLNode, keyPath: String, maxSamples: Int,
                       checkKey: (String, String, SourceMark) throws(ConfigError) -> Void) throws(ConfigError) -> RandomSearch {
        guard let entries = node.mapping else {
            throw .typeMismatch(node, keyPath: keyPath, expected: "a mapping with samples, seed and keys")
        }
        for e in entries where !sectionKeys.contains(e.key) {
            throw .unknownKey(e.key, keyPath: "\(keyPath).\(e.key)", at: e.keyMark, validKeys: sectionKeys)
        }
        guard let samplesNode = node["samples"] else { throw .missingKey(keyPath: "\(keyPath).samples", in: node.mark) }
        guard let samples = samplesNode.int, (1...maxSamples).contains(samples) else {
            throw samplesNode.int == nil
                ? .typeMismatch(samplesNode, keyPath: "\(keyPath).samples", expected: "an integer from 1 to \(maxSamples)")
                : .outOfRange(samplesNode, keyPath: "\(keyPath).samples", expected: "an integer from 1 to \(maxSamples)")
        }
        var seed: UInt64 = 1
        if let seedNode = node["seed"] {
            guard let s = seedNode.int, s >= 0 else {
                throw .typeMismatch(seedNode, keyPath: "\(keyPath).seed", expected: "an integer ≥ 0")
            }
            seed = UInt64(s)
        }
        guard let keysNode = node["keys"] else { throw .missingKey(keyPath: "\(keyPath).keys", in: node.mark) }
        guard let keyEntries = keysNode.mapping, !keyEntries.isEmpty else {
            throw .typeMismatch(keysNode, keyPath: "\(keyPath).keys",
                                expected: "a mapping of dotted keys to distributions, e.g. training.optimizer.lr: {log_uniform: [0.1, 20]}")
        }
        var keys: [Key] = []
        try decodeKeys(keyEntries, prefix: "", keyPath: "\(keyPath).keys", into: &keys, checkKey: checkKey)
        return RandomSearch(samples: samples, seed: seed, keys: keys)
    }

    private static func decodeKeys(_ entries: [YAMLNode.Entry], prefix: String, keyPath: String, into keys: inout [Key],
                                   checkKey: (String, String, SourceMark) throws(ConfigError) -> Void) throws(ConfigError) {
        for e in entries {
            let entryPath = "\(keyPath).\(e.key)"
            let key = prefix + e.key
            // `{name: [a, b]}` is a distribution; a mapping of mappings stands for dotted keys.
            if let inner = e.value.mapping, inner.count == 1, let range = inner[0].value.sequence {
                try checkKey(key, entryPath, e.keyMark)
                keys.append(Key(key: key, distribution: try decodeDistribution(inner[0], range: range, keyPath: entryPath)))
            } else if let nested = e.value.mapping, !nested.isEmpty, nested.allSatisfy({ $0.value.mapping != nil }) {
                try decodeKeys(nested, prefix: key + ".", keyPath: entryPath, into: &keys, checkKey: checkKey)
            } else {
                throw .typeMismatch(e.value, keyPath: entryPath,
                                    expected: "a distribution such as {log_uniform: [0.1, 20]}, {uniform: [0, 1]}, {int_uniform: [1, 4]} or {choice: [128, 256]}")
            }
        }
    }

    private static func decodeDistribution(_ entry: YAMLNode.Entry, range items: [YAMLNode], keyPath: String) throws(ConfigError) -> Distribution {
        let path = "\(keyPath).\(entry.key)"
        guard distributionNames.contains(entry.key) else {
            let list = distributionNames.joined(separator: ", ")
            let hint = didYouMean(entry.key, among: distributionNames).map { "; did you mean \($0)?" } ?? ""
            throw ConfigError(mark: entry.keyMark, keyPath: path, value: entry.key,
                              message: "unknown distribution\(hint) (valid: \(list))")
        }
        let node = entry.value
        let text = node.flowText
        if entry.key == "choice" {
            guard !items.isEmpty else {
                throw ConfigError(mark: node.mark, keyPath: path, value: "[]", message: "the list of choices is empty; list at least one value.")
            }
            return .choice(items.map(\.flowText))
        }
        let integer = entry.key == "int_uniform"
        guard items.count == 2, let low = items[0].double, let high = items[1].double,
              !integer || (items[0].int != nil && items[1].int != nil) else {
            throw ConfigError(mark: node.mark, keyPath: path, value: text,
                              message: "expected a range of two \(integer ? "integers" : "numbers") [low, high], got \(text).")
        }
        guard low != high else {
            throw ConfigError(mark: node.mark, keyPath: path, value: text,
                              message: "the range \(text) is empty; give a lower and a higher bound, or set the key to \(items[0].flowText) with set: or --set.")
        }
        guard low < high else {
            throw ConfigError(mark: node.mark, keyPath: path, value: text,
                              message: "the range \(text) is reversed; write the lower bound first: [\(items[1].flowText), \(items[0].flowText)].")
        }
        switch entry.key {
        case "uniform":
            return .uniform(low, high)
        case "log_uniform":
            guard low > 0 else {
                throw ConfigError(mark: node.mark, keyPath: path, value: text,
                                  message: "the range \(text) reaches 0 or below, where a logarithm has no value; give bounds above 0.")
            }
            return .logUniform(low, high)
        default:
            // Both are integers: checked with the range's shape above.
            return .intUniform(Int(low), Int(high))
        }
    }
}
