// Concurrency: runs started at the same moment into one results folder each get a folder of
// their own (mkdir decides, not a check-then-create), two runs training side by side do not
// disturb each other, and a folder in use cannot be resumed by a second process.

import Foundation
import Synchronization
import RNNTestSupport
import XCTest
@testable import RNNExperiments

final class RunFolderTests: XCTestCase {
    func testSimultaneousRunsGetDistinctFolders() throws {
        let scratch = ScratchFolder("mkdir")
        defer { scratch.remove() }
        let names = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if let made = try? ExperimentRunner.createRunFolder(root: scratch.path, experiment: "e", name: nil) {
                names.withLock { $0.append(made.name) }
            }
        }
        let made = names.withLock { $0 }
        XCTAssertEqual(made.count, 16)
        XCTAssertEqual(Set(made).count, 16, "two runs were given the same folder: \(made.sorted())")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/e").count, 16)
    }

    func testANamedFolderIsTakenOnce() throws {
        let scratch = ScratchFolder("named")
        defer { scratch.remove() }
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { _ = try ExperimentRunner.createRunFolder(root: scratch.path, experiment: "e", name: "same") }
            catch { errors.withLock { $0.append("\(error)") } }
        }
        let failures = errors.withLock { $0 }
        XCTAssertEqual(failures.count, 7)
        XCTAssertEqual(failures.first, "the run folder \(scratch.path)/e/same already exists; choose another --name or remove it")
    }

    func testTwoRunsTrainingAtOnceDoNotClobberEachOther() throws {
        // Same experiment, same seed, same results folder, at the same time: two folders whose
        // results are each complete and equal bit for bit.
        let scratch = ScratchFolder("together")
        defer { scratch.remove() }
        let text = tinyExperiment(epochs: 1)
        let outcomes = Mutex<[RunOutcome]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            if let outcome = try? runExperiment(text, root: scratch.path, run: nil) { outcomes.withLock { $0.append(outcome) } }
        }
        let both = outcomes.withLock { $0 }
        XCTAssertEqual(both.count, 2)
        guard both.count == 2 else { return }
        XCTAssertNotEqual(both[0].directory, both[1].directory)
        XCTAssertEqual(both.map(\.summary.status), [.completed, .completed])
        try assertSameResults(both[0].directory, both[1].directory)
    }

    func testAFolderInUseCannotBeResumed() throws {
        let scratch = ScratchFolder("inuse")
        defer { scratch.remove() }
        let stopped = try runExperiment(tinyExperiment(), root: scratch.path, run: "a", stopAfter: 10)
        let before = fileText(stopped.directory + "/summary.json")
        let lock = try RunFolderLock(directory: stopped.directory)
        XCTAssertThrowsError(try resumeRun(stopped.directory)) { error in
            XCTAssertEqual("\(error)", "\(stopped.directory) is in use by another rnnlab process (a run or a resume of it is still going); wait for it to end or stop it first")
        }
        XCTAssertEqual(fileText(stopped.directory + "/summary.json"), before)
        lock.release()
        XCTAssertEqual(try resumeRun(stopped.directory).summary.status, .completed)
    }
}
