// SweepPlan: a sweep section as a lazy, indexable list of runs, each a list of key overrides and
// a readable name made of them. Order is stable (grid keys in file order, the first outermost;
// then explicit override sets; then random samples; seeds innermost), so the same file always
// gives the same runs in the same order, and `--shard I/N` splits them the same way everywhere.
//
// Nothing here holds one entry per run: run i is decoded from i in mixed radix (one digit per
// grid key, one for the sets, one for the samples, one for the seeds), so a plan of billions of
// runs costs what its keys and values cost, and a caller pays only for the runs it looks at.
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

/// A sweep: a grid over keys, explicit override sets, random samples and seeds.
public struct SweepSpec: Sendable, Equatable {
    /// Keys and their values; every combination is a run.
    public var grid: [(key: String, values: [String])]
    /// Extra override sets, each combined with every grid point (empty: none).
    public var sets: [[Override]]
    /// Random samples, each combined with every grid point and set (nil: none).
    public var random: RandomSearch?
    /// Seeds; each run is repeated for each (empty: the experiment's own seed).
    public var seeds: [UInt64]
    /// The most runs the sweep may have (`max_runs`; nil: `SweepPlan.defaultMaxRuns`).
    public var maxRuns: Int?
    /// The `slurm:` settings for `rnnlab sweep --slurm` (nil: none given).
    public var slurm: SlurmSettings?

    public init(grid: [(key: String, values: [String])] = [], sets: [[Override]] = [], random: RandomSearch? = nil,
                seeds: [UInt64] = [], maxRuns: Int? = nil, slurm: SlurmSettings? = nil) {
        self.grid = grid
        self.sets = sets
        self.random = random
        self.seeds = seeds
        self.maxRuns = maxRuns
        self.slurm = slurm
    }

    public static func == (a: SweepSpec, b: SweepSpec) -> Bool {
        a.grid.map(\.key) == b.grid.map(\.key) && a.grid.map(\.values) == b.grid.map(\.values) && a.sets == b.sets
            && a.random == b.random && a.seeds == b.seeds && a.maxRuns == b.maxRuns && a.slurm == b.slurm
    }

    /// Every key the sweep changes, `seed` included when it repeats seeds.
    public var sweptKeys: [String] {
        var keys = grid.map(\.key)
        for set in sets { for o in set where !keys.contains(o.key) { keys.append(o.key) } }
        keys += random?.keys.map(\.key) ?? []
        if !seeds.isEmpty { keys.append("seed") }
        return keys
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

/// The runs of a sweep, computed on demand from their index.
public struct SweepPlan: RandomAccessCollection, Sendable {
    /// One digit of the mixed-radix run index: a grid key, the sets, the samples or the seeds.
    struct Component: Sendable {
        /// How many choices the digit has.
        var radix: Int
        /// The overrides and the name part of choice c.
        var choice: @Sendable (Int) -> (overrides: [Override], label: String)
        /// Choices whose label another choice of this component shares (after the clean-up):
        /// runs that take them get a hashed name, so names stay unique.
        var ambiguous: Set<Int>
    }

    let components: [Component]
    /// The number of runs, or `Int.max` when the product overflows.
    public let count: Int
    /// Radix products: `strides[j]` is the number of runs one step of component j spans.
    let strides: [Int]

    /// The plan of `spec`: no run is computed until asked for.
    public init(_ spec: SweepSpec) {
        let labels = Self.shortLabels(for: Set(spec.sweptKeys))
        @Sendable func pair(_ o: Override) -> String { "\(labels[o.key] ?? o.key)=\(Self.valueLabel(o.value))" }
        var components: [Component] = []
        for (key, values) in spec.grid {
            let overrides = values.map { Override(key: key, value: $0) }
            components.append(Self.component(overrides.map { ([$0], pair($0)) }))
        }
        if !spec.sets.isEmpty {
            components.append(Self.component(spec.sets.map { ($0, $0.map(pair).joined(separator: ",")) }))
        }
        if let random = spec.random {
            // Sample labels carry their number, so they are unique without comparing them.
            components.append(Component(radix: random.samples, choice: { k in
                let overrides = random.sample(k)
                return (overrides, (["sample=\(k + 1)"] + overrides.map(pair)).joined(separator: ","))
            }, ambiguous: []))
        }
        if !spec.seeds.isEmpty {
            components.append(Self.component(spec.seeds.map { [Override(key: "seed", value: String($0))] }.map { ($0, pair($0[0])) }))
        }
        var strides = [Int](repeating: 1, count: components.count)
        var total = 1
        for j in components.indices.reversed() {
            strides[j] = total
            let (product, overflow) = total.multipliedReportingOverflow(by: components[j].radix)
            total = overflow ? Int.max : product
        }
        self.components = components
        self.strides = strides
        self.count = total
    }

    /// A component with its choices listed (a grid key, the sets, the seeds).
    private static func component(_ choices: [(overrides: [Override], label: String)]) -> Component {
        var seen: [String: Int] = [:]
        var ambiguous: Set<Int> = []
        for (c, choice) in choices.enumerated() {
            if let other = seen[choice.label] { ambiguous.insert(other); ambiguous.insert(c) } else { seen[choice.label] = c }
        }
        return Component(radix: choices.count, choice: { choices[$0] }, ambiguous: ambiguous)
    }

    /// The radix of each component, outermost first (e.g. `[40, 40, 3]`), for messages.
    public var radices: [Int] { components.map(\.radix) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// Run `index`: its digits, outermost first, pick one choice of each component.
    public subscript(index: Int) -> SweepRun {
        precondition(index >= 0 && index < count, "SweepPlan: run \(index) of \(count)")
        var overrides: [Override] = []
        var parts: [String] = []
        var hashed = false
        var rest = index
        for (j, component) in components.enumerated() {
            let digit = rest / strides[j]
            rest %= strides[j]
            let choice = component.choice(digit)
            overrides += choice.overrides
            if !choice.label.isEmpty { parts.append(choice.label) }
            if component.ambiguous.contains(digit) { hashed = true }
        }
        return SweepRun(index: index, overrides: overrides, name: Self.name(parts: parts, overrides: overrides, hashed: hashed))
    }

    /// Every run of `spec`, in the stable order. For tests and small sweeps: this holds them all.
    public static func expand(_ spec: SweepSpec) -> [SweepRun] { Array(SweepPlan(spec)) }

    /// The sweeps with more runs than this are refused unless their `max_runs` says otherwise.
    public static let defaultMaxRuns = 100_000

    /// Longest run name, in UTF-8 bytes; folder names may have 255.
    static let maxNameBytes = 200

    /// The name of a run: `key=value` pairs joined by commas, in override order.
    ///
    /// A key is shortened to its last part (`model.hidden_size` → `hidden_size`) unless another
    /// swept key ends the same way, in which case the whole dotted key is used. Values lose their
    /// quotes and spaces (`{name:adam,lr:0.001}`); `/` and control characters become `_`, so a
    /// name is always one folder. Every key appears in every name (also one with a single value),
    /// so adding values to a grid later keeps the existing runs' names and the sweep resumes.
    /// A name longer than `maxNameBytes`, or one taking a value whose label another value of the
    /// same key shares after the clean-up, is cut and given a suffix from a hash of its
    /// overrides. No overrides at all is `base`.
    static func name(parts: [String], overrides: [Override], hashed: Bool) -> String {
        let name = parts.isEmpty ? "base" : parts.joined(separator: ",")
        guard name.utf8.count > maxNameBytes || hashed else { return name }
        let digest = SHA256.digest(Array(overrides.map(\.assignment).joined(separator: "\n").utf8))
        let hex = digest.prefix(6).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        var cut = ""
        for c in name where cut.utf8.count + c.utf8.count <= maxNameBytes - 13 { cut.append(c) }
        return cut + "~" + hex
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

    /// The runs of shard `shard` (from 1) of `count`, computed on demand.
    public func shard(_ shard: Int, of count: Int) -> SweepShardRuns {
        SweepShardRuns(plan: self, shard: shard, of: count)
    }

    /// The shard (from 1) of `count` that runs run `index`.
    public static func shardNumber(ofRun index: Int, shards count: Int) -> Int { index % count + 1 }
}

/// Runs shard, shard + count, shard + 2·count, … of a plan (counting from 1), computed on demand.
public struct SweepShardRuns: RandomAccessCollection, Sendable {
    let plan: SweepPlan
    let first: Int
    let step: Int
    public let count: Int

    init(plan: SweepPlan, shard: Int, of count: Int) {
        precondition(count >= 1 && shard >= 1 && shard <= count, "SweepPlan.shard: \(shard)/\(count)")
        self.plan = plan
        self.first = shard - 1
        self.step = count
        self.count = plan.count > first ? (plan.count - first - 1) / count + 1 : 0
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(k: Int) -> SweepRun { plan[first + k * step] }
}

extension String {
    /// The string with zeros in front, up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
