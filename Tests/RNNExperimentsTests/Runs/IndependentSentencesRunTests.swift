// RNN runs with `training.independent_sentences`: a run on a text corpus records the setting,
// its final test evaluation and `rnnlab eval`'s scorers (the whole-stream score and the
// per-token probabilities of mixtures) all reset at <eos>; it resumes bit for bit; and the
// refusals (no <eos> in the corpus, a cell that cannot reset, the gradient-through-time
// diagnostic) are one sentence each with nothing left behind.

import Foundation
import RNNModel
import RNNTensor
import RNNTestSupport
import RNNTraining
import XCTest
@testable import RNNExperiments

final class IndependentSentencesRunTests: XCTestCase {
    private func writeCorpus(_ folder: String) {
        let lines = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "the mat and the log", "a dog sat"]
        for (name, count) in [("train.txt", 120), ("valid.txt", 12), ("test.txt", 12)] {
            let text = (0..<count).map { lines[($0 * 3) % lines.count] }.joined(separator: "\n") + "\n"
            FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(text.utf8))
        }
    }

    private func experiment(_ setting: String, cell: String = "lstm", extra: String = "") -> String {
        tinyExperiment(epochs: 2, modelExtras: ", cell: \(cell), layers: 2")
            .replacingOccurrences(of: "data: {type: synthetic, train_tokens: 2000, valid_tokens: 200, test_tokens: 200}",
                                  with: "data: {type: text, train: train.txt, valid: valid.txt, test: test.txt}")
            .replacingOccurrences(of: "eval_batch_size: 4", with: "eval_batch_size: 1")
            + "  independent_sentences: \(setting)\n" + extra
    }

    func testARunResetsAtEndOfSentenceInItsEvaluationsAndInEval() throws {
        let scratch = ScratchFolder("indep-run")
        defer { scratch.remove() }
        writeCorpus(scratch.path)
        let outcome = try runExperiment(experiment("true"), root: scratch.path, run: "r")
        XCTAssertEqual(outcome.summary.status, .completed)
        XCTAssertTrue(fileText(outcome.directory + "/config.yaml").contains("  independent_sentences:\n    train: true\n    eval: true\n"))
        XCTAssertTrue(fileText(outcome.directory + "/log.txt").contains(", independent sentences in training and evaluation\n"))

        let trained = try TrainedModel.load(runDirectory: outcome.directory, registry: .builtin)
        let eos = try XCTUnwrap(trained.vocabulary.id("<eos>"))
        XCTAssertEqual(trained.evalResetToken, eos, "the checkpoint's config records the convention")
        let config = try ExperimentLoader(registry: .builtin).load(text: experiment("true"), name: scratch.path + "/experiment.yaml").config
        let test = try ExperimentRunner(registry: .builtin).loadCorpus(config, dataRoot: nil).test
        let runPPL = try XCTUnwrap(outcome.summary.testPPL)
        // `rnnlab eval` scores the test split as the run's final evaluation did: with resets.
        XCTAssertEqual(trained.score(test).perplexity, runPPL, accuracy: runPPL * 1e-4)
        let p = trained.tokenProbabilities(test)
        XCTAssertEqual(p.count, test.count - 1)
        XCTAssertEqual(exp(-p.map { log($0) }.reduce(0, +) / Double(p.count)), runPPL, accuracy: runPPL * 1e-4, "the mixture's probabilities")
        // And that differs from reading the sentences as one stream.
        let across = evaluate(trained.model, on: TokenBatches(stream: test, batchSize: 1), chunkLength: 256)
        XCTAssertGreaterThan(abs(across.perplexity - runPPL), runPPL * 1e-3)
        // Sampling starts every sentence afresh: what came before an <eos> does not matter.
        func sample(_ prime: [Int32], _ trained: TrainedModel) -> [Int32] {
            var rng = Xoshiro256(seed: 8)
            return trained.sample(count: 30, prime: prime, temperature: 1, using: &rng)
        }
        let sentence = try trained.encode(Array("the cat sat on the mat\n".utf8), name: "prime")
        XCTAssertEqual(sentence.last, eos)
        XCTAssertEqual(sample(sentence, trained), sample([eos], trained))
        var carried = trained
        carried.independentSentencesOverride = false
        XCTAssertNotEqual(sample(sentence, carried), sample([eos], carried), "without resets the first sentence is remembered")
    }

    func testEvaluationOnlyResetsOnlyWhenEvaluating() throws {
        let scratch = ScratchFolder("indep-eval")
        defer { scratch.remove() }
        writeCorpus(scratch.path)
        let both = try runExperiment(experiment("true"), root: scratch.path, run: "both")
        let evalOnly = try runExperiment(experiment("{eval: true}"), root: scratch.path, run: "eval")
        let none = try runExperiment(experiment("false"), root: scratch.path, run: "none")
        func params(_ outcome: RunOutcome) throws -> [String: [UInt32]] {
            try tensorBits(Checkpoint.read(path: outcome.directory + "/checkpoint/last.ckpt")).filter { $0.key.hasPrefix("param/") }
        }
        XCTAssertEqual(try params(evalOnly), try params(none), "evaluation-only resets leave training as it was")
        XCTAssertNotEqual(try params(both), try params(none), "training resets change the weights")
        XCTAssertNotEqual(evalOnly.summary.testPPL, none.summary.testPPL)
        XCTAssertNil(try TrainedModel.load(runDirectory: none.directory, registry: .builtin).evalResetToken)
    }

    func testResumesBitForBit() throws {
        let scratch = ScratchFolder("indep-resume")
        defer { scratch.remove() }
        let wholeRoot = scratch.path + "/whole", stoppedRoot = scratch.path + "/stopped"
        for root in [wholeRoot, stoppedRoot] {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            writeCorpus(root)
        }
        let whole = try runExperiment(experiment("true"), root: wholeRoot, run: "r")
        let stopped = try runExperiment(experiment("true"), root: stoppedRoot, run: "r", stopAfter: 23)
        XCTAssertEqual(stopped.summary.status, .interrupted)
        let resumed = try resumeRun(stopped.directory)
        XCTAssertEqual(resumed.summary.testPPL, whole.summary.testPPL)
        XCTAssertEqual(try tensorBits(Checkpoint.read(path: resumed.directory + "/checkpoint/last.ckpt")).filter { $0.key.hasPrefix("param/") },
                       try tensorBits(Checkpoint.read(path: whole.directory + "/checkpoint/last.ckpt")).filter { $0.key.hasPrefix("param/") })
    }

    func testRefusalsNameTheKeyAndLeaveNothingBehind() throws {
        let scratch = ScratchFolder("indep-bad")
        defer { scratch.remove() }
        writeCorpus(scratch.path)
        // The synthetic language has no <eos>.
        XCTAssertThrowsError(try runExperiment(tinyExperiment() + "  independent_sentences: {eval: true}\n", root: scratch.path, run: "r")) { error in
            XCTAssertEqual("\(error)", "\(scratch.path)/experiment.yaml:18:26: training.independent_sentences: resets the state at every <eos>, and this corpus has no <eos> token (a character or synthetic corpus?); use independent_sentences: false")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/tiny/r"))
        // A cell that cannot reset its state.
        var registry = ComponentRegistry.builtin
        try registry.register(cell: ComponentFactory("opaque", "an Elman cell that knows nothing of resets") { _, c in
            OpaqueCell(ElmanCell<Float>(inputSize: c.inputSize, hiddenSize: c.hiddenSize, activation: c.activation, bias: c.bias, namePrefix: c.namePrefix))
        })
        let opaque = experiment("true", cell: "opaque").replacingOccurrences(of: ", layers: 2", with: "")
        XCTAssertNoThrow(try runExperiment(experiment("false", cell: "opaque").replacingOccurrences(of: ", layers: 2", with: ""),
                                           root: scratch.path, run: "fine", registry: registry), "without resets the plugin trains")
        XCTAssertThrowsError(try runExperiment(opaque, root: scratch.path, run: "r", registry: registry)) { error in
            XCTAssertEqual("\(error)", "\(scratch.path)/experiment.yaml:18:26: training.independent_sentences: cell opaque does not support training.independent_sentences (it cannot reset its state inside a chunk: RecurrentCell.supportsStateResets); use independent_sentences: false")
        }
        // The gradient-through-time diagnostic with training resets (evaluation-only resets are fine).
        let probed = experiment("{train: true}", extra: "diagnostics: {gradient_through_time: {every: 10}}\n")
        XCTAssertThrowsError(try runExperiment(probed, root: scratch.path, run: "r")) { error in
            XCTAssertEqual("\(error)", "\(scratch.path)/experiment.yaml:19:38: diagnostics.gradient_through_time: the gradient-through-time diagnostic measures the state without resets, and training.independent_sentences resets it at every <eos> in training; remove one of them")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/tiny/r"), "no run folder for bad input")
    }
}

/// A plugin cell written before resets existed: it forwards the plain forms to an Elman cell.
private final class OpaqueCell: RecurrentCell {
    let inner: ElmanCell<Float>
    init(_ inner: ElmanCell<Float>) { self.inner = inner }
    var inputSize: Int { inner.inputSize }
    var outputSize: Int { inner.outputSize }
    var stateSize: Int { inner.stateSize }
    var parameters: [Parameter<Float>] { inner.parameters }
    var summary: String { "opaque" }
    func forward(inputs: MatrixRef<Float>, steps: Int, batch: Int, state: MatrixRef<Float>) -> MatrixRef<Float> {
        inner.forward(inputs: inputs, steps: steps, batch: batch, state: state)
    }
    func backward(inputs: MatrixRef<Float>, outputGradient: MatrixRef<Float>, inputGradient: MatrixRef<Float>?) {
        inner.backward(inputs: inputs, outputGradient: outputGradient, inputGradient: inputGradient)
    }
}
