// ComparisonReport+Sampled: which keys of the compared runs a random search drew, read from the
// `random_keys` of the sweep.yaml beside the runs (SweepExecutor writes it). The charts need it:
// sampled keys pair one-to-one across runs (each sample is drawn once), which would otherwise
// read as keys that always change together. It will not guess from the values.

import Foundation
import RNNYAML

extension ComparisonReport {
    /// The `random_keys` of the sweep.yaml in the folder of each run's folder, together.
    static func sampledKeys(of runs: [ReportRun]) -> Set<String> {
        let sweepFolders = Set(runs.map { ($0.path as NSString).deletingLastPathComponent })
        var keys: Set<String> = []
        for folder in sweepFolders {
            let path = folder + "/sweep.yaml"
            guard FileManager.default.fileExists(atPath: path), let manifest = try? YAMLDocument.load(path: path) else { continue }
            for item in manifest["random_keys"]?.sequence ?? [] { if let key = item.scalarText { keys.insert(key) } }
        }
        return keys
    }
}
