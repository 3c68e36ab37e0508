// RunDiscovery: finds the run folders under the folders a report is given — a results root, an
// experiment (sweep) folder, or run folders themselves. A run folder is one holding summary.json;
// the search does not descend into run folders or hidden folders (`.locks`).
// It will not read the runs (ReportRun does).

import Foundation

/// Finds run folders.
public enum RunDiscovery {
    /// How deep below each given folder to look: 3 reaches `<root>/<experiment>/<run>` from a
    /// folder above the results root.
    public static let maxDepth = 3

    /// Every run folder in or below `directories` (each itself at depth 0), sorted by path, each
    /// once even when reached from two given folders.
    /// - Returns: the folders, and a note for each given folder holding no run.
    /// - Throws: `ExperimentError` when a given folder does not exist, or no run is found at all.
    public static func runFolders(in directories: [String]) throws -> (folders: [String], notes: [String]) {
        precondition(!directories.isEmpty, "RunDiscovery: no folders given")
        var found: [String] = []
        var seen = Set<String>()
        var notes: [String] = []
        for dir in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ExperimentError("\(dir): no such folder; give a results folder, an experiment folder or run folders")
            }
            var here: [String] = []
            collect(dir, depth: 0, into: &here)
            if here.isEmpty { notes.append("\(dir): no run folders (folders with summary.json) within \(maxDepth) levels") }
            for folder in here {
                let key = URL(fileURLWithPath: folder).resolvingSymlinksInPath().standardizedFileURL.path
                if seen.insert(key).inserted { found.append(folder) }
            }
        }
        guard !found.isEmpty else {
            throw ExperimentError("\(directories.joined(separator: ", ")): no run folders (folders with summary.json) within \(maxDepth) levels; give the folder of a sweep or of runs")
        }
        return (found.sorted(), notes)
    }

    private static func collect(_ dir: String, depth: Int, into found: inout [String]) {
        let fm = FileManager.default
        if fm.fileExists(atPath: (dir as NSString).appendingPathComponent("summary.json")) {
            found.append(dir)
            return
        }
        guard depth < maxDepth, let entries = try? fm.contentsOfDirectory(atPath: dir) else { return }
        for name in entries.sorted() where !name.hasPrefix(".") {
            let path = (dir as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                collect(path, depth: depth + 1, into: &found)
            }
        }
    }
}
