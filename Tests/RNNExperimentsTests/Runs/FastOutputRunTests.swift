// End-to-end runs of the hierarchical softmax and NCE on the generated bracket language: the
// training loss goes down, validation and test perplexities are finite and normalised (for NCE,
// the full softmax's of the trained weights, computed here independently), NCE's training loss is
// labelled and never turned into a perplexity, and the loaded models sample text.

import Foundation
import RNNModel
import RNNTensor
import RNNTestSupport
import RNNTraining
import XCTest
@testable import RNNExperiments

final class FastOutputRunTests: XCTestCase {
    /// A few hundred steps on the synthetic language (320 steps: 2 epochs of 160 chunks).
    func experiment(_ output: String) -> String {
        tinyExperiment(name: "fast", hidden: 16, epochs: 2, optimizer: "{name: adam, lr: 0.01}", checkpointEvery: 100,
                       evalEvery: 80, logEvery: 20, trainTokens: 6_400, modelExtras: ", output: \(output)")
    }

    func trainLosses(_ directory: String) throws -> (losses: [Double], perplexities: [String]) {
        let rows = try metricsWithoutTiming(directory)
        let header = rows[0]
        let loss = try XCTUnwrap(header.firstIndex(of: "train_loss")), ppl = try XCTUnwrap(header.firstIndex(of: "train_ppl"))
        return (rows.dropFirst().compactMap { Double($0[loss]) }, rows.dropFirst().map { $0[ppl] })
    }

    func testHierarchicalSoftmaxTrainsAndReportsNormalisedPerplexities() throws {
        let scratch = ScratchFolder("hs-run")
        defer { scratch.remove() }
        let outcome = try runExperiment(experiment("hierarchical_softmax"), root: scratch.path, run: "r")
        let s = outcome.summary
        XCTAssertEqual(s.status, .completed)
        XCTAssertGreaterThanOrEqual(s.steps, 300)
        let (losses, perplexities) = try trainLosses(outcome.directory)
        XCTAssertGreaterThan(losses.count, 10)
        XCTAssertLessThan(try XCTUnwrap(losses.last), 0.8 * (try XCTUnwrap(losses.first)), "the training loss went down")
        XCTAssertTrue(perplexities.allSatisfy { Double($0) != nil }, "a cross-entropy has a training perplexity")
        XCTAssertNotNil(s.trainPPL)
        XCTAssertEqual(s.trainingLoss, "cross-entropy")
        let test = try XCTUnwrap(s.testPPL), valid = try XCTUnwrap(s.bestValidPPL), floor = try XCTUnwrap(s.floorPPL)
        XCTAssertTrue(test.isFinite && valid.isFinite)
        XCTAssertGreaterThan(test, floor * 0.9, "below the entropy floor: not normalised")
        XCTAssertLessThan(valid, Double(s.dataset.vocabularySize) / 2, "learned something")
        XCTAssertTrue(s.model.contains("hierarchical-softmax"), s.model)
        try assertLoadedModelSamples(outcome.directory)
    }

    func testNCETrainsWithALabelledObjectiveAndReportsTheFullSoftmaxPerplexity() throws {
        let scratch = ScratchFolder("nce-run")
        defer { scratch.remove() }
        let text = experiment("{name: nce, k: 10}")
        let outcome = try runExperiment(text, root: scratch.path, run: "r")
        let s = outcome.summary
        XCTAssertEqual(s.status, .completed)
        let (losses, perplexities) = try trainLosses(outcome.directory)
        XCTAssertLessThan(try XCTUnwrap(losses.last), 0.8 * (try XCTUnwrap(losses.first)), "the NCE objective went down")
        XCTAssertTrue(perplexities.allSatisfy(\.isEmpty), "train_ppl must stay empty for NCE: \(perplexities)")
        XCTAssertNil(s.trainPPL, "an NCE objective is no perplexity")
        XCTAssertEqual(s.trainingLoss, "nce")
        let log = fileText(outcome.directory + "/log.txt")
        XCTAssertTrue(log.contains(" nce loss "), "progress lines name the objective")
        XCTAssertFalse(log.split(separator: "\n").contains { $0.contains("nce loss") && $0.contains("ppl") }, log)
        XCTAssertFalse(eventTags(outcome.directory).contains { $0.hasPrefix("train/perplexity@") }, "no train/perplexity in TensorBoard")

        // The test perplexity is the full softmax's of the best weights, computed here with a
        // plain SoftmaxOutput on the same weights (not through the NCE layer).
        let config = try ExperimentLoader(registry: .builtin).load(text: text, name: scratch.path + "/experiment.yaml").config
        let prepared = try ExperimentRunner(registry: .builtin).prepare(config, dataRoot: nil)
        let model = prepared.built.model
        try Checkpoint.read(path: outcome.directory + "/checkpoint/best.ckpt").copyParameters(into: model, prefix: "param/", path: "best.ckpt")
        let nce = try XCTUnwrap(model.output as? NCEOutput<Float>)
        let plain = SoftmaxOutput<Float>(vocabularySize: nce.vocabularySize, hiddenSize: nce.inputSize, bias: true)
        plain.weight.value.copy(from: nce.weight.value)
        plain.bias!.value.copy(from: nce.bias!.value)
        let softmaxModel = try LanguageModel(embedding: model.embedding, cell: model.cell, output: plain)
        let reference = evaluate(softmaxModel, on: prepared.test, chunkLength: 128)
        let test = try XCTUnwrap(s.testPPL)
        XCTAssertEqual(test, reference.perplexity, accuracy: test * 1e-6)
        XCTAssertGreaterThan(test, try XCTUnwrap(s.floorPPL) * 0.9)
        try assertLoadedModelSamples(outcome.directory)
    }

    /// `rnnlab generate`'s path: the loaded model's log-probabilities drive the sampler.
    func assertLoadedModelSamples(_ directory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let trained = try TrainedModel.load(runDirectory: directory, registry: .builtin)
        var rng = Xoshiro256(seed: 3)
        let words = trained.sample(count: 50, prime: [], temperature: 1, using: &rng)
        XCTAssertEqual(words.count, 50, file: file, line: line)
        XCTAssertTrue(words.allSatisfy { $0 >= 0 && Int($0) < trained.vocabulary.count }, file: file, line: line)
    }
}
