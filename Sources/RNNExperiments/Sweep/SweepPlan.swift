// SweepPlan: a sweep section expanded into runs, each a list of key overrides and a readable
// name made of them. Expansion order is stable (grid keys in file order, the first outermost;
// then explicit override sets; seeds innermost), so the same file always gives the same runs
// in the same order, and `--shard I/N` splits them the same way on every machine.
// It will not read YAML (SweepSpec+YAML.swift does) nor run anything (SweepExecutor does).

import RNNData

/// One value for one dotted key, as YAML text (e.g. `model.tied` = `true`).
public struct Override: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// `key=value`, as `--set` takes it.
    public var assignment: String { "\(key)=\(value)" }
}

/// A sweep: a grid over keys, explicit override sets, and seeds.
public struct SweepSpec: Sendable, Equatable {
    /// Keys and their values; every combination is a run.
    public var grid: [(key: String, values: [String])]
    /// Extra override sets, each combined with every grid point (empty: none).
    public var sets: [[Override]]
    /// Seeds; each run is repeated for each (empty: the experiment's own seed).
    public var seeds: [UInt64]

    public init(grid: [(key: String, values: [String])] = [], sets: [[Override]] = [], seeds: [UInt64] = []) {
        self.grid = grid
        self.sets = sets
        self.seeds = seeds
    }

    public static func == (a: SweepSpec, b: SweepSpec) -> Bool {
        a.grid.map(\.key) == b.grid.map(\.key) && a.grid.map(\.values) == b.grid.map(\.values) && a.sets == b.sets && a.seeds == b.seeds
    }
}

/// One run of a sweep.
public struct SweepRun: Sendable, Equatable {
    /// Position in the expanded order, from 0.
    public var index: Int
    public var overrides: [Override]
    /// Readable and unique within the sweep, e.g. `hidden_size=200,tied=true,seed=2`.
    public var name: String

    public init(index: Int, overrides: [Override], name: String) {
        self.index = index
        self.overrides = overrides
        self.name = name
    }
}

/// The runs of a sweep.
public enum SweepPlan {
    /// Every run of `spec`, in the stable order. Names are unique (see `runNames`).
    public static func expand(_ spec: SweepSpec) -> [SweepRun] {
        var points: [[Override]] = [[]]
        for (key, values) in spec.grid {
            points = points.flatMap { prefix in values.map { prefix + [Override(key: key, value: $0)] } }
        }
        if !spec.sets.isEmpty {
            points = points.flatMap { prefix in spec.sets.map { prefix + $0 } }
        }
        if !spec.seeds.isEmpty {
            points = points.flatMap { prefix in spec.seeds.map { prefix + [Override(key: "seed", value: String($0))] } }
        }
        let names = runNames(points)
        return points.enumerated().map { i, overrides in
            SweepRun(index: i, overrides: overrides, name: names[i])
        }
    }

    /// Longest run name, in UTF-8 bytes; folder names may have 255.
    static let maxNameBytes = 200

    /// The name of each run: `key=value` pairs joined by commas, in override order.
    ///
    /// A key is shortened to its last part (`model.hidden_size` → `hidden_size`) unless another
    /// swept key ends the same way, in which case the whole dotted key is used. Values lose their
    /// quotes and spaces (`{name:adam,lr:0.001}`); `/` and control characters become `_`, so a
    /// name is always one folder. Every key appears in every name (also one with a single value),
    /// so adding values to a grid later keeps the existing runs' names and the sweep resumes.
    /// A name longer than `maxNameBytes`, or one that two runs would share after the clean-up,
    /// is cut and given a suffix from a hash of its overrides. No overrides at all is `base`.
    static func runNames(_ points: [[Override]]) -> [String] {
        let allKeys = Set(points.flatMap { $0.map(\.key) })
        let labels = shortLabels(for: allKeys)
        let raw = points.map { overrides -> String in
            if overrides.isEmpty { return "base" }
            return overrides.map { "\(labels[$0.key] ?? $0.key)=\(valueLabel($0.value))" }.joined(separator: ",")
        }
        var counts: [String: Int] = [:]
        for name in raw { counts[name, default: 0] += 1 }
        return zip(raw, points).map { name, overrides in
            guard name.utf8.count > maxNameBytes || counts[name, default: 0] > 1 else { return name }
            let digest = SHA256.digest(Array(overrides.map(\.assignment).joined(separator: "\n").utf8))
            let hex = digest.prefix(6).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
            var cut = ""
            for c in name where cut.utf8.count + c.utf8.count <= maxNameBytes - 13 { cut.append(c) }
            return cut + "~" + hex
        }
    }

    /// The short label of each dotted key: its last part, or the whole key when that last part
    /// is shared with another key of `keys`.
    public static func shortLabels(for keys: Set<String>) -> [String: String] {
        func last(_ key: String) -> String { key.split(separator: ".").last.map(String.init) ?? key }
        var uses: [String: Int] = [:]
        for key in keys { uses[last(key), default: 0] += 1 }
        var labels: [String: String] = [:]
        for key in keys { labels[key] = uses[last(key)]! > 1 ? key : last(key) }
        return labels
    }

    /// A value as it appears in a run name: no quotes or spaces, and no `/` or control characters.
    static func valueLabel(_ value: String) -> String {
        String(value.unicodeScalars.compactMap { c -> Character? in
            if c == "\"" || c == " " { return nil }
            if c == "/" || c.value < 0x20 || c.value == 0x7F { return "_" }
            return Character(c)
        })
    }

    /// The runs of shard `shard` (from 1) of `count`: run i goes to shard (i mod count) + 1, so
    /// every run is in exactly one shard.
    public static func shard(_ runs: [SweepRun], shard: Int, of count: Int) -> [SweepRun] {
        precondition(count >= 1 && shard >= 1 && shard <= count, "SweepPlan.shard: \(shard)/\(count)")
        return runs.filter { $0.index % count == shard - 1 }
    }
}

extension String {
    /// The string with zeros in front, up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
