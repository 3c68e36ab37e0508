// SweepManifest: the sweep.yaml at a sweep's root — the sweep and experiment files, the command,
// where it ran and its arguments (which `rnnlab sweep --status` plans the sweep again from), the
// overrides every run shares, the keys a random search draws (the report reads them), and the
// runs with their status. Written from what is on disk, so that concurrent writers (workers, or
// shards on other machines) converge on the same content. It will not read sweep.yaml back.

import Foundation
import RNNYAML
import Synchronization

/// Writes sweep.yaml from what is on disk, so that concurrent writers (workers, or shards on
/// other machines) converge on the same content.
final class SweepManifest: Sendable {
    let root: String
    let sweep: SweepFile
    let command: [String]
    private let lock = Mutex(0)

    let workingDirectory: String

    init(root: String, sweep: SweepFile, command: [String], workingDirectory: String) {
        self.root = root
        self.sweep = sweep
        self.command = command
        self.workingDirectory = workingDirectory
    }

    /// Sweeps of up to this many runs list every run in sweep.yaml; larger ones list the runs
    /// this process knows of (`rnnlab sweep --status` reads them all from the tree).
    static let listEveryRunLimit = 1_000

    /// Writes sweep.yaml; `known` are this process's results, which tell a run that failed
    /// before making its folder (say, a missing data file) from one not started yet.
    func write(known: [Int: SweepRunResult] = [:]) throws {
        try lock.withLock { _ in
            let existing = Set((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            let listEvery = sweep.runs.count <= Self.listEveryRunLimit
            let listed = listEvery ? Array(sweep.runs) : known.keys.sorted().map { sweep.runs[$0] }
            let runs = listed.map { r in
                var status = existing.contains(r.name)
                    ? SweepExecutor.status(ofRun: root + "/" + r.name, lock: root + "/.locks/" + r.name + ".lock") : .pending
                if status == .pending, known[r.index]?.status == .failed { status = .failed }
                return YAMLNode(pairs: [
                    ("name", YAMLNode(r.name)),
                    ("overrides", YAMLNode(r.overrides.map { YAMLNode($0.assignment) })),
                    ("status", YAMLNode(status.rawValue)),
                ])
            }
            let node = YAMLNode(pairs: [
                ("sweep_file", YAMLNode(sweep.path)),
                ("experiment_file", YAMLNode(sweep.experimentPath)),
                ("experiment", YAMLNode(sweep.experimentName)),
                ("command", YAMLNode(command.map(shellQuoted).joined(separator: " "))),
                ("working_directory", YAMLNode(workingDirectory)),
                ("arguments", YAMLNode(command.dropFirst().map { YAMLNode($0) })),
                ("overrides", YAMLNode(sweep.commonOverrides.map { YAMLNode($0) })),
                ("random_keys", YAMLNode((sweep.spec.random?.keys ?? []).map { YAMLNode($0.key) })),
                ("run_count", YAMLNode(sweep.runs.count)),
                ("runs", YAMLNode(runs)),
            ])
            do { try writeAtomically(node.emit(), to: root + "/sweep.yaml") }
            catch { throw ExperimentError(wrapping: error) }
        }
    }
}
