// SweepSpec+YAML: the `sweep:` section of an experiment (or sweep) file → SweepSpec.
//
//     sweep:
//       grid:                        # every combination of these is a run
//         model.tied: [true, false]
//         training.optimizer.lr: [0.5, 1]
//       sets:                        # each grid point once per set (keys changed together)
//         - {model.embedding_size: 64, model.hidden_size: 64}
//         - {model.embedding_size: 128, model.hidden_size: 128}
//       random: {samples: 8, seed: 1, keys: {training.optimizer.lr: {log_uniform: [0.1, 20]}}}
//       seeds: 3                     # or a list: [1, 2, 3]
//       max_runs: 200000             # the size limit (default SweepPlan.defaultMaxRuns)
//       slurm: {partition: main, time: "1:00:00", cpus_per_task: 2}   # for rnnlab sweep --slurm
//
// Values are kept as one-line YAML (`--set` syntax), so a run applies exactly what the file says.
// Errors are ConfigErrors (`file:line:col: sweep.grid.x: …`). This file does not check that the
// keys exist in an experiment: applying the overrides and loading each run does (SweepFile).

import RNNYAML

extension SweepSpec {
    /// The keys a `sweep:` mapping takes.
    static let sectionKeys = ["grid", "max_runs", "random", "seeds", "sets", "slurm"]
    /// Most seeds a count may ask for.
    static let maxSeedCount = 10_000
    /// Most samples a random search may ask for.
    static let maxSampleCount = 10_000_000

    /// Decodes a `sweep:` section found at `keyPath`.
    ///
    /// - `grid`: a mapping of dotted keys to non-empty lists of distinct values; a nested mapping
    ///   stands for dotted keys (`model: {tied: [true, false]}` is `model.tied`).
    /// - `sets`: a non-empty list of distinct mappings of dotted keys to values (`{}` is a set that
    ///   changes nothing, e.g. a baseline); a value may be anything, including a mapping.
    /// - `seeds`: a count N ≥ 1 (seeds 1…N) or a non-empty list of distinct integers ≥ 0.
    /// - `random`: samples of keys drawn from distributions (see RandomSearch).
    /// - `max_runs`: the most runs the sweep may have (default `SweepPlan.defaultMaxRuns`).
    /// - `slurm`: settings for `rnnlab sweep --slurm` (see SlurmSettings).
    ///
    /// At least one of grid, sets, random and seeds must be given. A key may be swept in one place only, `seed` only
    /// when `seeds` is absent, and `name` and the sweep section itself not at all.
    public static func decode(_ node: YAMLNode, keyPath: String = "sweep") throws(ConfigError) -> SweepSpec {
        guard let entries = node.mapping else {
            throw ConfigError(mark: node.mark, keyPath: keyPath, value: node.valueDescription,
                              message: "expected a mapping with grid, sets, random or seeds, got \(node.valueDescription).")
        }
        for e in entries where !sectionKeys.contains(e.key) {
            throw .unknownKey(e.key, keyPath: "\(keyPath).\(e.key)", at: e.keyMark, validKeys: sectionKeys)
        }
        var spec = SweepSpec()
        var sweptAt: [String: String] = [:]   // key → where it is swept, for conflict messages
        if let seeds = node["seeds"] {
            spec.seeds = try decodeSeeds(seeds, keyPath: "\(keyPath).seeds")
            sweptAt["seed"] = "\(keyPath).seeds"
        }
        if let grid = node["grid"] {
            guard let gridEntries = grid.mapping else {
                throw .typeMismatch(grid, keyPath: "\(keyPath).grid", expected: "a mapping of dotted keys to lists of values")
            }
            guard !gridEntries.isEmpty else {
                throw ConfigError(mark: grid.mark, keyPath: "\(keyPath).grid", value: "{}",
                                  message: "expected at least one key with a list of values (e.g. model.hidden_size: [100, 200]), got {}.")
            }
            try decodeGrid(gridEntries, prefix: "", keyPath: "\(keyPath).grid", into: &spec, sweptAt: &sweptAt)
        }
        if let sets = node["sets"] {
            spec.sets = try decodeSets(sets, keyPath: "\(keyPath).sets", sweptAt: sweptAt)
            for set in spec.sets { for o in set { sweptAt[o.key] = "\(keyPath).sets" } }
        }
        if let random = node["random"] {
            spec.random = try RandomSearch.decode(random, keyPath: "\(keyPath).random", maxSamples: maxSampleCount) { key, path, mark throws(ConfigError) in
                try checkKey(key, keyPath: path, mark: mark)
                try checkSweepable(key, keyPath: path, mark: mark, sweptAt: sweptAt)
                sweptAt[key] = path
            }
        }
        if let maxRuns = node["max_runs"] {
            guard let n = maxRuns.int, n >= 1 else {
                throw .typeMismatch(maxRuns, keyPath: "\(keyPath).max_runs", expected: "an integer ≥ 1")
            }
            spec.maxRuns = n
        }
        if let slurm = node["slurm"] {
            spec.slurm = try SlurmSettings.decode(slurm, keyPath: "\(keyPath).slurm")
        }
        if spec.grid.isEmpty && spec.sets.isEmpty && spec.seeds.isEmpty && spec.random == nil {
            throw ConfigError(mark: node.mark, keyPath: keyPath, value: nil,
                              message: "nothing to sweep; give grid, sets, random or seeds (see docs/sweeps.md).")
        }
        return spec
    }

    // MARK: - grid

    private static func decodeGrid(_ entries: [YAMLNode.Entry], prefix: String, keyPath: String,
                                   into spec: inout SweepSpec, sweptAt: inout [String: String]) throws(ConfigError) {
        for e in entries {
            let entryPath = "\(keyPath).\(e.key)"
            try checkKey(e.key, keyPath: entryPath, mark: e.keyMark)
            let key = prefix + e.key
            if let nested = e.value.mapping {
                guard !nested.isEmpty else {
                    throw .typeMismatch(e.value, keyPath: entryPath, expected: "a list of values")
                }
                try decodeGrid(nested, prefix: key + ".", keyPath: entryPath, into: &spec, sweptAt: &sweptAt)
                continue
            }
            try checkSweepable(key, keyPath: entryPath, mark: e.keyMark, sweptAt: sweptAt)
            guard let items = e.value.sequence else {
                let got = e.value.valueDescription
                let hint = e.value.isNull ? "" : "; write [\(e.value.flowText)] for a single value"
                throw ConfigError(mark: e.value.mark, keyPath: entryPath, value: got,
                                  message: "expected a list of values, got \(got)\(hint).")
            }
            guard !items.isEmpty else {
                throw ConfigError(mark: e.value.mark, keyPath: entryPath, value: "[]",
                                  message: "expected a list of at least one value, got [].")
            }
            for (i, item) in items.enumerated() {
                if let first = items[..<i].firstIndex(of: item) {
                    throw ConfigError(mark: item.mark, keyPath: "\(entryPath)[\(i)]", value: item.valueDescription,
                                      message: "\(item.valueDescription) is already \(entryPath)[\(first)]; list each value once.")
                }
            }
            spec.grid.append((key: key, values: items.map(\.flowText)))
            sweptAt[key] = entryPath
        }
    }

    // MARK: - sets

    private static func decodeSets(_ node: YAMLNode, keyPath: String, sweptAt: [String: String]) throws(ConfigError) -> [[Override]] {
        guard let items = node.sequence else {
            throw .typeMismatch(node, keyPath: keyPath, expected: "a list of mappings of dotted keys to values")
        }
        guard !items.isEmpty else {
            throw ConfigError(mark: node.mark, keyPath: keyPath, value: "[]",
                              message: "expected a list of at least one mapping of dotted keys to values, got [].")
        }
        var sets: [[Override]] = []
        for (i, item) in items.enumerated() {
            let itemPath = "\(keyPath)[\(i)]"
            guard let entries = item.mapping else {
                throw .typeMismatch(item, keyPath: itemPath, expected: "a mapping of dotted keys to values")
            }
            var overrides: [Override] = []
            for e in entries {
                let entryPath = "\(itemPath).\(e.key)"
                try checkKey(e.key, keyPath: entryPath, mark: e.keyMark)
                try checkSweepable(e.key, keyPath: entryPath, mark: e.keyMark, sweptAt: sweptAt)
                overrides.append(Override(key: e.key, value: e.value.flowText))
            }
            if let first = sets.firstIndex(of: overrides) {
                throw ConfigError(mark: item.mark, keyPath: itemPath, value: nil,
                                  message: "has the same overrides as \(keyPath)[\(first)]; list each set once.")
            }
            sets.append(overrides)
        }
        return sets
    }

    // MARK: - seeds

    private static func decodeSeeds(_ node: YAMLNode, keyPath: String) throws(ConfigError) -> [UInt64] {
        let expected = "a count from 1 to \(maxSeedCount) or a list of integers ≥ 0"
        if let items = node.sequence {
            guard !items.isEmpty else {
                throw ConfigError(mark: node.mark, keyPath: keyPath, value: "[]", message: "expected \(expected), got [].")
            }
            var seeds: [UInt64] = []
            for (i, item) in items.enumerated() {
                let itemPath = "\(keyPath)[\(i)]"
                guard let v = item.int else { throw .typeMismatch(item, keyPath: itemPath, expected: "an integer ≥ 0") }
                guard v >= 0 else { throw .outOfRange(item, keyPath: itemPath, expected: "an integer ≥ 0") }
                if let first = seeds.firstIndex(of: UInt64(v)) {
                    throw ConfigError(mark: item.mark, keyPath: itemPath, value: item.valueDescription,
                                      message: "\(item.valueDescription) is already \(keyPath)[\(first)]; list each seed once.")
                }
                seeds.append(UInt64(v))
            }
            return seeds
        }
        guard let n = node.int else { throw .typeMismatch(node, keyPath: keyPath, expected: expected) }
        guard (1...maxSeedCount).contains(n) else { throw .outOfRange(node, keyPath: keyPath, expected: expected) }
        return (1...n).map { UInt64($0) }
    }

    // MARK: - keys

    /// A dotted key path: names separated by single dots.
    private static func checkKey(_ key: String, keyPath: String, mark: SourceMark) throws(ConfigError) {
        if key.isEmpty || key.split(separator: ".", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0.contains(" ") }) {
            throw ConfigError(mark: mark, keyPath: keyPath, value: "\"\(key)\"",
                              message: "\"\(key)\" is not a key path; write names separated by single dots, e.g. model.hidden_size.")
        }
    }

    /// Keys that cannot be swept, or are swept elsewhere already.
    private static func checkSweepable(_ key: String, keyPath: String, mark: SourceMark, sweptAt: [String: String]) throws(ConfigError) {
        if key == "name" {
            throw ConfigError(mark: mark, keyPath: keyPath, value: nil,
                              message: "the experiment name cannot be swept; all runs of a sweep go to one experiment folder.")
        }
        if key == "sweep" || key.hasPrefix("sweep.") {
            throw ConfigError(mark: mark, keyPath: keyPath, value: nil, message: "a sweep cannot sweep its own section.")
        }
        if let other = sweptAt[key] {
            throw ConfigError(mark: mark, keyPath: keyPath, value: nil,
                              message: "\(key) is swept by \(other) already; sweep each key in one place.")
        }
    }
}
