// TiedComparison: pairs the runs that differ only in `model.tied` (and the seed) and summarises
// each side over its seeds: test perplexity mean ± sample standard deviation, the difference
// tied − untied, and both parameter counts. It will not format anything (ComparisonReport does).

import RNNRendering

/// Tied and untied runs that are otherwise alike.
public struct TiedPair: Sendable, Equatable {
    /// The other swept keys' values, e.g. `hidden_size=200`; empty when nothing else was swept.
    public var group: String
    /// The runs with `model.tied: true` and with `false`, ordered by seed.
    public var tied: [ReportRun]
    public var untied: [ReportRun]

    /// Test perplexity over the tied runs that have one (completed runs); nil when none has.
    public var tiedTest: Statistics? { Statistics(tied.compactMap(\.test)) }
    public var untiedTest: Statistics? { Statistics(untied.compactMap(\.test)) }

    /// Mean tied − mean untied test perplexity (negative: tying helps); nil unless both sides
    /// have a measurement.
    public var difference: Double? {
        guard let t = tiedTest, let u = untiedTest else { return nil }
        return t.mean - u.mean
    }

    /// Sample standard deviation of the per-seed differences (tied − untied at the same seed),
    /// over the seeds measured on both sides; nil for fewer than two such seeds.
    public var differenceDeviation: Double? {
        var untiedBySeed: [UInt64: Double] = [:]
        for run in untied { if let p = run.test { untiedBySeed[run.summary.seed] = p } }
        let diffs = tied.compactMap { run -> Double? in
            guard let p = run.test, let q = untiedBySeed[run.summary.seed] else { return nil }
            return p - q
        }
        return Statistics.sampleStandardDeviation(diffs)
    }

    /// Parameter counts (each side's first run; the runs of a side share their sizes).
    public var tiedParams: Int? { tied.first?.summary.params }
    public var untiedParams: Int? { untied.first?.summary.params }
}

extension TiedPair {
    /// Pairs `runs` that differ only in `model.tied` and the seed: runs are grouped by every
    /// other swept key, and each group holding both tied and untied runs gives a pair. Groups
    /// come in the order of their values (numbers numerically). Empty when `model.tied` is not
    /// swept.
    public static func pairs(_ runs: [ReportRun], swept: SweptKeys) -> [TiedPair] {
        guard swept.keys.contains(SweptKeys.tied) else { return [] }
        let groupKeys = swept.groupKeys(excluding: [SweptKeys.tied])
        let ordered = runs.sorted(by: SweptKeys.runOrder(groupKeys + [SweptKeys.seed]))
        var groups: [(label: String, runs: [ReportRun])] = []
        for run in ordered {
            let label = swept.describe(run, keys: groupKeys)
            if let i = groups.firstIndex(where: { $0.label == label }) { groups[i].runs.append(run) }
            else { groups.append((label, [run])) }
        }
        return groups.compactMap { g in
            let tied = g.runs.filter { $0.value(SweptKeys.tied) == "true" }
            let untied = g.runs.filter { $0.value(SweptKeys.tied) == "false" }
            guard !tied.isEmpty, !untied.isEmpty else { return nil }
            return TiedPair(group: g.label, tied: tied, untied: untied)
        }
    }
}
