// ComparisonReport: what `rnnlab report DIR…` knows — the runs found under the given folders,
// sorted by best validation perplexity, the keys that differ between them, and the tied/untied
// pairs. Tables (ComparisonReport+Tables), charts (+Charts) and the written files (+Documents)
// are built from it. Everything is ordered deterministically, so the same runs give the same bytes.

import Foundation

/// A comparison of runs.
public struct ComparisonReport: Sendable {
    /// The folders the runs were searched in, as given.
    public var directories: [String]
    /// The runs, by best validation perplexity (runs without one last), then by path.
    public var runs: [ReportRun]
    public var swept: SweptKeys
    public var pairs: [TiedPair]
    /// Things left out or missing (unreadable files, folders without runs).
    public var notes: [String]
    /// Keys a random search drew (from the runs' sweep.yaml): they never "change together".
    public var sampledKeys: Set<String>

    /// Compares `runs` found under `directories`.
    public init(directories: [String], runs: [ReportRun], notes: [String] = []) {
        self.directories = directories
        self.swept = SweptKeys(runs: runs)
        self.runs = runs.sorted { a, b in
            switch (a.bestValid, b.bestValid) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.path < b.path
            }
        }
        self.pairs = TiedPair.pairs(runs, swept: swept)
        self.notes = notes
        self.sampledKeys = Self.sampledKeys(of: runs)
    }

    /// Finds and reads every run under `directories` (see `RunDiscovery`). A folder whose
    /// summary.json cannot be read is left out with a note.
    /// - Throws: `ExperimentError` when a folder does not exist or no readable run is found.
    public static func gather(directories: [String]) throws -> ComparisonReport {
        let (folders, discoveryNotes) = try RunDiscovery.runFolders(in: directories)
        var runs: [ReportRun] = []
        var notes = discoveryNotes
        for folder in folders {
            do {
                let (run, runNotes) = try ReportRun.read(folder: folder)
                runs.append(run)
                notes += runNotes
            } catch {
                notes.append("\(error); left out")
            }
        }
        guard !runs.isEmpty else {
            throw ExperimentError("\(directories.joined(separator: ", ")): no readable runs; \(notes.first ?? "")")
        }
        return ComparisonReport(directories: directories, runs: runs, notes: notes)
    }

    /// The experiments the runs belong to, sorted.
    public var experiments: [String] { Set(runs.map(\.summary.experiment)).sorted() }

    /// How a run is named in tables: its run name, prefixed by its experiment when the runs
    /// come from several.
    public func displayName(_ run: ReportRun) -> String {
        experiments.count > 1 ? "\(run.summary.experiment)/\(run.summary.run)" : run.summary.run
    }

    /// The entropy floor shared by every run that reports one (synthetic data), if they agree.
    public var commonFloor: Double? {
        let floors = Set(runs.compactMap(\.summary.floorPPL))
        return floors.count == 1 ? floors.first : nil
    }

    /// Counts by status, e.g. `10 completed, 2 diverged`, in a fixed order.
    public var statusCounts: String {
        let order: [RunStatus] = [.completed, .diverged, .interrupted, .running, .failed]
        var counts: [RunStatus: Int] = [:]
        for run in runs { counts[run.summary.status, default: 0] += 1 }
        return order.filter { counts[$0] != nil }.map { "\(counts[$0]!) \($0.rawValue)" }.joined(separator: ", ")
    }
}
