// Every experiment and sweep file the project ships under experiments/ (subfolders included)
// passes `rnnlab validate`: the docs and results cite them by path, so a key renamed in the code
// must not leave one behind that no longer loads.

import Foundation
import XCTest

final class ShippedExperimentsTests: XCTestCase {
    func testEveryShippedExperimentFileValidates() throws {
        let cli = try CLIHarness()
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = repository.appendingPathComponent("experiments")
        let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: folder.path))
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThan(files.count, 10, "experiments/ holds fewer files than expected: \(files)")
        for file in files {
            let path = folder.appendingPathComponent(file).path
            let r = try cli.run(["validate", path])
            XCTAssertEqual(r.status, 0, "\(file): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains(": valid"), "\(file): \(r.stdout)")
        }
    }
}
