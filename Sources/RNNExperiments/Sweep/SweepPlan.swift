// SweepPlan: a sweep section expanded into runs, each a list of key overrides and a readable
// name made of them. Expansion order is stable (grid keys in file order, the first outermost;
// then explicit override sets; seeds innermost), so the same file always gives the same runs
// in the same order, and `--shard I/N` splits them the same way on every machine.

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
}

/// The runs of a sweep.
public enum SweepPlan {
    /// Every run of `spec`, in the stable order.
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
        let allKeys = Array(Set(points.flatMap { $0.map(\.key) }))
        return points.enumerated().map { i, overrides in
            SweepRun(index: i, overrides: overrides, name: runName(overrides, allKeys: allKeys))
        }
    }

    /// `last.key.part=value` pairs joined by commas; a key's last part is used unless another
    /// swept key ends the same way, in which case the whole dotted key is used.
    static func runName(_ overrides: [Override], allKeys: [String]) -> String {
        if overrides.isEmpty { return "base" }
        func short(_ key: String) -> String {
            let last = key.split(separator: ".").last.map(String.init) ?? key
            let clashes = allKeys.filter { ($0.split(separator: ".").last.map(String.init) ?? $0) == last }.count > 1
            return clashes ? key : last
        }
        let raw = overrides.map { "\(short($0.key))=\($0.value)" }.joined(separator: ",")
        // Keep names safe as folder names.
        return String(raw.map { c -> Character in
            c == "/" || c == "\0" || c == "\n" || c == " " ? "_" : c
        })
    }

    /// The runs of shard `shard` (from 1) of `count`: run i goes to shard (i mod count) + 1, so
    /// every run is in exactly one shard.
    public static func shard(_ runs: [SweepRun], shard: Int, of count: Int) -> [SweepRun] {
        precondition(count >= 1 && shard >= 1 && shard <= count, "SweepPlan.shard: \(shard)/\(count)")
        return runs.filter { $0.index % count == shard - 1 }
    }
}
