// A run records the commit its binary was compiled from (Plugins/BuildCommit writes it at build
// time). `swift test` builds right before it runs, so the recorded commit must be the checkout's
// HEAD now, marked "-dirty" exactly when tracked files differ from it; a plugin that did not rerun
// after a commit or an edit would leave the previous state and fail here.

import Foundation
import RNNTestSupport
import XCTest
@testable import RNNExperiments

final class BuildCommitTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    private func git(_ arguments: String...) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = ["-C", root] + arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("git \(arguments.joined(separator: " ")) failed in \(root)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testTheRecordedCommitIsTheOneBuilt() throws {
        guard FileManager.default.fileExists(atPath: root + "/.git") else {
            throw XCTSkip("\(root) is not a git checkout: binaries built here record no commit")
        }
        let head = try git("rev-parse", "HEAD")
        let modified = try !git("status", "--porcelain", "--untracked-files=no").isEmpty
        XCTAssertEqual(rnnlabGitCommit(), modified ? head + "-dirty" : head)
    }

    func testARunsSummaryCarriesIt() throws {
        let scratch = ScratchFolder("build-commit")
        defer { scratch.remove() }
        let run = try runExperiment(tinyExperiment(epochs: 1), root: scratch.path, run: "one")
        XCTAssertEqual(run.summary.gitCommit, rnnlabGitCommit())
        let data = try XCTUnwrap(FileManager.default.contents(atPath: run.directory + "/summary.json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["git_commit"] as? String, rnnlabGitCommit())
    }
}
