// SweepFile: what `rnnlab sweep FILE` runs — the experiment each run starts from, the overrides
// every run shares, and the expanded runs — read from either of two kinds of file:
//
//   an experiment file with a `sweep:` section      a sweep file that names a base experiment
//     name: tied-vs-untied                            base: ptb-elman-tied.yaml   # relative to this file
//     data: …  model: …  training: …                  name: ptb-sweep             # optional: results folder
//     sweep: {grid: …, sets: …, seeds: …}             set: {training.epochs: 6}   # optional: every run
//                                                     sweep: {grid: …, seeds: 3}
//
// Runs are checked before anything runs: their overrides are applied and the experiment loaded,
// exactly as the child `rnnlab run` will, and the first problem is reported naming the run —
// every run of a sweep of up to `checkEveryRunLimit` runs; above that, every value of every swept
// key once (and each run again as its `rnnlab run` starts). A sweep of more runs than its limit
// (`max_runs`, default SweepPlan.defaultMaxRuns) is refused before any run is computed.
// This file does not start processes (SweepExecutor does).

import Foundation
import RNNYAML

/// A sweep ready to run: every run checked.
public struct SweepFile: Sendable {
    /// The file as given.
    public var path: String
    /// The experiment file each run starts from: `path` itself, or the base it names.
    public var experimentPath: String
    /// The experiment's name (the results folder under the results root).
    public var experimentName: String
    /// `key=value` overrides every run gets before its own: the sweep file's `name` and `set`,
    /// then the command line's (except `sweep.…` ones, which change the sweep itself).
    public var commonOverrides: [String]
    public var spec: SweepSpec
    /// The runs, in the stable order (see SweepPlan), computed on demand.
    public var runs: SweepPlan

    /// The keys a sweep file (one with `base:`) takes.
    static let sweepFileKeys = ["base", "name", "set", "sweep"]

    /// Reads the sweep at `path`, applies the command line's `overrides` and checks every run.
    ///
    /// `sweep.…` overrides change the sweep section (`--set sweep.seeds=1` for a quick trial);
    /// the others apply to every run. An override may not set a key the sweep sweeps.
    /// - Throws: `ExperimentError` (one sentence) for an unreadable file, a bad sweep section, or
    ///   the first run whose experiment is not valid.
    public static func load(path: String, overrides: [String] = [], registry: ComponentRegistry) throws -> SweepFile {
        var root: YAMLNode
        do { root = try YAMLDocument.load(path: path) } catch { throw ExperimentError(wrapping: error) }
        guard root.mapping != nil else {
            throw ExperimentError("the top level is \(root.valueDescription); expected an experiment with a sweep section, or a sweep file with base and sweep", mark: root.mark)
        }
        var sweepOverrides: [String] = [], runOverrides: [String] = []
        var overriddenKeys: [(key: String, source: String)] = []   // for conflict messages
        for o in overrides {
            let parsed: YAMLOverride
            do { parsed = try YAMLOverride(parsing: o) } catch { throw ExperimentError(wrapping: error) }
            if parsed.path.first == "sweep" {
                do { root = try parsed.apply(to: root) } catch { throw ExperimentError(wrapping: error) }
                sweepOverrides.append(o)
            } else {
                runOverrides.append(o)
                overriddenKeys.append((parsed.keyPath, "--set \(o)"))
            }
        }

        var experimentPath = path
        var common: [String] = []
        if root["base"] != nil {
            for e in root.mapping ?? [] where !sweepFileKeys.contains(e.key) {
                throw ExperimentError(ConfigError.unknownKey(e.key, keyPath: e.key, at: e.keyMark, validKeys: sweepFileKeys))
            }
            experimentPath = try basePath(root, sweepFile: path)
            if let name = root["name"], !name.isNull { common.append("name=\(name.flowText)") }
            if let set = root["set"], !set.isNull {
                guard let entries = set.mapping else {
                    throw ExperimentError(ConfigError.typeMismatch(set, keyPath: "set", expected: "a mapping of dotted keys to values"))
                }
                common += entries.map { "\($0.key)=\($0.value.flowText)" }
                overriddenKeys += entries.map { ($0.key, "\($0.keyMark): set.\($0.key)") }
            }
        } else if root["sweep"] == nil {
            throw ExperimentError("has no sweep section; add one (sweep: with grid, sets or seeds) or write a sweep file that names a base experiment (base: other.yaml); see docs/sweeps.md", file: path)
        }
        guard let section = root["sweep"] else {
            throw ExperimentError("missing; a sweep file needs a sweep section with grid, sets or seeds", mark: root.mark, keyPath: "sweep")
        }
        let spec: SweepSpec
        do { spec = try SweepSpec.decode(section) } catch { throw ExperimentError(wrapping: error) }
        common += runOverrides

        let swept = Set(spec.grid.map(\.key) + spec.sets.flatMap { $0.map(\.key) } + (spec.seeds.isEmpty ? [] : ["seed"]))
        for (key, source) in overriddenKeys where swept.contains(key) {
            throw ExperimentError("\(source): \(key) is swept by the sweep, so it cannot also be set for every run; change the sweep instead")
        }

        let runs = SweepPlan(spec)
        let limit = spec.maxRuns ?? SweepPlan.defaultMaxRuns
        guard runs.count <= limit else {
            let size = runs.count == Int.max ? "more than \(Int.max)" : "\(runs.count)"
            let factors = runs.radices.map(String.init).joined(separator: " × ")
            throw ExperimentError("the sweep has \(size) runs (\(factors)), more than the limit of \(limit); make it smaller, or raise the limit with --set sweep.max_runs=N or max_runs: N in its sweep section", file: path)
        }
        let loader = ExperimentLoader(registry: registry)
        var name: String?
        for index in checkedRuns(runs) {
            let run = runs[index]
            let loaded: LoadedExperiment
            do {
                loaded = try loader.load(path: experimentPath, overrides: common + run.overrides.map(\.assignment))
            } catch {
                throw ExperimentError("sweep run \(run.name) is not valid: \(error)", file: path)
            }
            precondition(name == nil || name == loaded.config.name, "SweepFile: the experiment name changed between runs")
            name = loaded.config.name
        }
        return SweepFile(path: path, experimentPath: experimentPath, experimentName: name!, commonOverrides: common,
                         spec: spec, runs: runs)
    }

    /// Sweeps of up to this many runs have every run checked before any starts.
    public static let checkEveryRunLimit = 2_000

    /// The indices of the runs to check: all of them up to `checkEveryRunLimit`; else, for each
    /// choice of each component (a grid value, a set, a sample, a seed), the run taking it with
    /// the first choice of every other component, samples and seeds up to the limit.
    static func checkedRuns(_ runs: SweepPlan) -> [Int] {
        guard runs.count > checkEveryRunLimit else { return Array(runs.indices) }
        var indices: [Int] = [0]
        for (j, radix) in runs.radices.enumerated() {
            for c in 1..<min(radix, checkEveryRunLimit) { indices.append(c * runs.strides[j]) }
        }
        return indices
    }

    /// Whether the YAML file at `path` is a sweep file (a top-level `base`) rather than an
    /// experiment; false when it cannot be read (the experiment loader then says why).
    public static func namesBase(path: String) -> Bool {
        (try? YAMLDocument.load(path: path))?["base"] != nil
    }

    /// The base experiment's path: `base` relative to the sweep file's folder (or absolute).
    static func basePath(_ root: YAMLNode, sweepFile: String) throws -> String {
        let node = root["base"]!
        guard let base = node.string, !base.isEmpty else {
            throw ExperimentError(ConfigError.typeMismatch(node, keyPath: "base", expected: "the path of an experiment file"))
        }
        let folder = (sweepFile as NSString).deletingLastPathComponent
        let resolved = base.hasPrefix("/") || folder.isEmpty ? base : (folder as NSString).appendingPathComponent(base)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ExperimentError("\(resolved) is not an experiment file; give a path relative to the sweep file's folder", mark: node.mark, keyPath: "base")
        }
        return resolved
    }
}
