// A results folder on a full disk, with a real small filesystem: a tmpfs mounted for the test.
// Mounting needs root (CI runs as root); elsewhere the test is skipped with a message saying so.

import Foundation
import RNNExperiments
import RNNTestSupport
import XCTest

final class FullDiskTests: XCTestCase {
    /// Mounts a tmpfs of `size` at a new folder, or skips the test when this machine does not allow it.
    func mountSmallFilesystem(size: String) throws -> String {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("rnnlab-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint]
        mount.standardError = FileHandle.nullDevice
        mount.standardOutput = FileHandle.nullDevice
        var mounted = false
        if (try? mount.run()) != nil {
            mount.waitUntilExit()
            mounted = mount.terminationStatus == 0
        }
        if !mounted {
            try? FileManager.default.removeItem(atPath: mountPoint)
            throw XCTSkip("cannot mount a \(size) tmpfs here (needs root and mount permission); the full-disk test did not run")
        }
        addTeardownBlock {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mountPoint]
            try? umount.run()
            umount.waitUntilExit()
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        return mountPoint
    }

    func testAFullDiskFailsTheRunWithOneSentenceAndNoTornFile() throws {
        let disk = try mountSmallFilesystem(size: "64k")
        let cli = try CLIHarness()
        // 64 KiB holds the run folder's small files but not a checkpoint of this model (~50 KiB, twice over).
        try cli.write("tiny.yaml", CLIHarness.tiny(replacing: "  hidden_size: 8", with: "  hidden_size: 96")
            .replacingOccurrences(of: "  embedding_size: 8", with: "  embedding_size: 96"))
        let results = disk + "/results"
        let r = try cli.run(["run", "tiny.yaml", "--results", results, "--quiet"])

        XCTAssertEqual(r.status, 1, r.stderr)
        let runs = try FileManager.default.contentsOfDirectory(atPath: results + "/tiny")
        XCTAssertEqual(runs.count, 1)
        let runDir = results + "/tiny/" + (runs.first ?? "")
        // One sentence on one line, naming the file that did not fit and why.
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 2, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("rnnlab: error: cannot write \(runDir)/"), r.stderr)
        XCTAssertTrue(r.stderr.hasSuffix(": No space left on device.\n"), r.stderr)

        // Status failed with that reason, and every file whole (temporaries of failed writes removed).
        let summary = try XCTUnwrap(assertReadableRunTree(runDir))
        XCTAssertEqual(summary.status, .failed)
        XCTAssertEqual("rnnlab: error: \(summary.stopReason).\n", r.stderr)
        for dir in [runDir, runDir + "/checkpoint"] {
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter(isAtomicWriteTemporary)
            XCTAssertEqual(leftovers, [], "temporary files left in \(dir)")
        }
        for csv in ["metrics.csv", "evals.csv"] {
            let text = try String(contentsOfFile: runDir + "/" + csv, encoding: .utf8)
            XCTAssertTrue(text.hasSuffix("\n"), "\(csv) ends inside a line")
        }
    }
}
