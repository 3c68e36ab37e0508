// What --resume refuses, each with one sentence and without touching the folder: a completed or
// diverged run, a folder without a checkpoint, changed data, a checkpoint from another model or
// of the wrong kind, a damaged checkpoint. Also generate/eval's loader with the same hostile
// checkpoints.

import Foundation
import RNNTestSupport
import XCTest
@testable import RNNExperiments

final class ResumeRefusalTests: XCTestCase {
    var scratch: ScratchFolder!

    override func setUp() { scratch = ScratchFolder("refuse") }
    override func tearDown() { scratch.remove() }

    /// Asserts that resuming `directory` throws `message` (or a message with `containing`) and
    /// leaves summary.json, the CSVs and last.ckpt as they were.
    func assertRefused(_ directory: String, _ message: String? = nil, containing: String? = nil,
                       file: StaticString = #filePath, line: UInt = #line) {
        let names = ["summary.json", "metrics.csv", "evals.csv", "checkpoint/last.ckpt", "log.txt"]
        let before = names.map { FileManager.default.contents(atPath: directory + "/" + $0) }
        XCTAssertThrowsError(try resumeRun(directory), file: file, line: line) { error in
            let text = "\(error)"
            if let message { XCTAssertEqual(text, message, file: file, line: line) }
            if let containing { XCTAssertTrue(text.contains(containing), "\(text)", file: file, line: line) }
            XCTAssertFalse(text.contains("\n"), "not one line: \(text)", file: file, line: line)
        }
        XCTAssertEqual(names.map { FileManager.default.contents(atPath: directory + "/" + $0) }, before,
                       "a refused resume changed the folder", file: file, line: line)
    }

    func stoppedRun(_ name: String = "a", hidden: Int = 8) throws -> String {
        try runExperiment(tinyExperiment(hidden: hidden), root: scratch.path, run: name, stopAfter: 20).directory
    }

    func testCompletedAndDivergedRunsAreNotResumed() throws {
        let done = try runExperiment(tinyExperiment(epochs: 1), root: scratch.path, run: "done").directory
        assertRefused(done, "\(done) has completed (reached 1 epoch), so there is nothing to resume; to train longer, start a new run with rnnlab run \(done)/config.yaml and a larger limit (--set training.epochs=N)")
        let blown = try runExperiment(tinyExperiment(optimizer: "{name: sgd, lr: 100000}"), root: scratch.path, run: "blown")
        XCTAssertEqual(blown.summary.status, .diverged)
        let step = try XCTUnwrap(blown.summary.divergedAtStep)
        assertRefused(blown.directory, "\(blown.directory) diverged at step \(step), and resuming would diverge again at the same step; start a new run with rnnlab run \(blown.directory)/config.yaml and a lower learning rate")
    }

    func testFoldersThatAreNotResumableRuns() throws {
        let missing = scratch.path + "/nothing/here"
        assertRefused(missing, "\(missing) is not a run folder (it does not exist); give a folder such as results/<experiment>/<run>")
        assertRefused(scratch.path, "\(scratch.path) has no summary.json, so it is not a run folder or its run never started; give a folder such as results/<experiment>/<run>")
        let early = try runExperiment(tinyExperiment(checkpointEvery: 1000), root: scratch.path, run: "early").directory
        try FileManager.default.removeItem(atPath: early + "/checkpoint/last.ckpt")
        try setStatus(.running, of: early)
        assertRefused(early, "\(early) has no checkpoint/last.ckpt (it stopped before its first checkpoint), so it cannot be resumed; start a new run with rnnlab run \(early)/config.yaml")
        try writeAtomically("{\"status\": ", to: early + "/summary.json")
        assertRefused(early, containing: "\(early)/summary.json is not a readable run summary")
    }

    func testChangedDataIsRefused() throws {
        var words: [String] = []
        var x: UInt64 = 7
        for i in 0..<3000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            words.append(["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran"][Int(x >> 60) % 9])
            if i % 12 == 11 { words.append("\n") }
        }
        let corpus = scratch.path + "/corpus.txt"
        try writeAtomically(words.joined(separator: " "), to: corpus)
        let text = tinyExperiment().replacingOccurrences(
            of: "data: {type: synthetic, train_tokens: 2000, valid_tokens: 200, test_tokens: 200}",
            with: "data: {type: text, train: corpus.txt}")
        let run = try runExperiment(text, root: scratch.path, run: "text", stopAfter: 10)
        XCTAssertEqual(run.summary.status, .interrupted)
        try writeAtomically(words.joined(separator: " ").replacingOccurrences(of: "dog", with: "cow"), to: corpus)
        assertRefused(run.directory, containing: "\(run.directory): the data changed since the run started (\(corpus) had SHA-256 ")
        try writeAtomically(words.joined(separator: " "), to: corpus)
        XCTAssertEqual(try resumeRun(run.directory).summary.status, .completed)
    }

    func testACheckpointFromAnotherModelIsRefused() throws {
        let a = try stoppedRun("a", hidden: 8), b = try stoppedRun("b", hidden: 16)
        try FileManager.default.removeItem(atPath: a + "/checkpoint/last.ckpt")
        try FileManager.default.copyItem(atPath: b + "/checkpoint/last.ckpt", toPath: a + "/checkpoint/last.ckpt")
        let message = "\(a)/checkpoint/last.ckpt does not belong to this run: its experiment differs from \(a)/config.yaml (model.embedding_size is 16 there and 8 in config.yaml)"
        assertRefused(a, message)
        // generate and eval load best.ckpt the same way.
        try FileManager.default.removeItem(atPath: a + "/checkpoint/best.ckpt")
        try FileManager.default.copyItem(atPath: b + "/checkpoint/best.ckpt", toPath: a + "/checkpoint/best.ckpt")
        XCTAssertThrowsError(try TrainedModel.load(runDirectory: a, registry: .builtin)) { error in
            XCTAssertEqual("\(error)", message.replacingOccurrences(of: "last.ckpt", with: "best.ckpt"))
        }
    }

    func testAWeightsOnlyOrDamagedCheckpointIsRefused() throws {
        let a = try stoppedRun()
        let last = a + "/checkpoint/last.ckpt", best = a + "/checkpoint/best.ckpt"
        let original = try XCTUnwrap(FileManager.default.contents(atPath: last))
        try FileManager.default.removeItem(atPath: last)
        try FileManager.default.copyItem(atPath: best, toPath: last)
        assertRefused(a, "\(last) holds weights only (kind best), not a training state to resume from")

        try writeAtomically(Array(original.prefix(original.count / 2)), to: last)
        assertRefused(a, "\(last) is not a usable rnnlab checkpoint: its checksum does not match (the file is damaged or incomplete)")
        var flipped = Array(original)
        flipped[flipped.count - 100] ^= 0x10
        try writeAtomically(flipped, to: last)
        assertRefused(a, "\(last) is not a usable rnnlab checkpoint: its checksum does not match (the file is damaged or incomplete)")
        var version = Array(original)
        version[8] = 1
        try writeAtomically(version, to: last)
        assertRefused(a, "\(last) is not a usable rnnlab checkpoint: it has format version 1, and this rnnlab reads version 3 only")

        let bestBytes = try XCTUnwrap(FileManager.default.contents(atPath: best))
        try writeAtomically(Array(bestBytes.prefix(30)), to: best)
        XCTAssertThrowsError(try TrainedModel.load(runDirectory: a, registry: .builtin)) { error in
            XCTAssertEqual("\(error)", "\(best) is not a usable rnnlab checkpoint: it is truncated (30 bytes, shorter than its \(UInt64(bestBytes[12]) | UInt64(bestBytes[13]) << 8)-byte header)")
        }
        try writeAtomically(Array(original), to: last)
        XCTAssertEqual(try resumeRun(a).summary.status, .completed)
    }

    func testAWellFormedCheckpointWithAnImpossibleStateIsRefused() throws {
        // Valid files (checksums right) whose contents do not fit the run: they must be refused
        // before anything is written, not crash the trainer.
        let a = try stoppedRun()
        let last = a + "/checkpoint/last.ckpt"
        let original = try Checkpoint.read(path: last)
        var position = original
        position.header.progress.nextChunk = 999
        try writeAtomically(try position.encoded(), to: last)
        assertRefused(a, "\(last) does not match this run: its position (epoch 1, chunk 999 of 50, step 20) is impossible for this data")
        var slot = original
        let name = try XCTUnwrap(slot.header.tensors.first { $0.name.hasPrefix("optimizer/m.") }?.name)
        slot.tensors[name] = [1, 2, 3]
        slot.header.tensors = slot.header.tensors.map { $0.name == name ? Checkpoint.TensorEntry(name: name, shape: [3], offset: 0, count: 3) : $0 }
        try writeAtomically(try slot.encoded(), to: last)
        assertRefused(a, containing: "does not match this run: its optimizer state \(name.dropFirst("optimizer/".count)) (shape [3]) fits no parameter of this model")
        var hidden = original
        hidden.tensors["state/hidden"] = [0]
        hidden.header.tensors = hidden.header.tensors.map { $0.name == "state/hidden" ? Checkpoint.TensorEntry(name: $0.name, shape: [1], offset: 0, count: 1) : $0 }
        try writeAtomically(try hidden.encoded(), to: last)
        assertRefused(a, "\(last) does not match this run: its hidden state has 1 values, and this model carries 32")
        try writeAtomically(try original.encoded(), to: last)
        XCTAssertEqual(try resumeRun(a).summary.status, .completed)
    }
}
