// ComponentFactsTests: components carry their own facts — a dataset says how it tokenises, a
// parameter says its role, a run's vocabulary keeps its unknown token — so a plugin's components
// and a custom `data.unk` behave under `run`, `eval` and `generate` as the built-in ones do.

import Foundation
import RNNData
import RNNModel
import RNNTensor
import RNNTestSupport
import XCTest
@testable import RNNExperiments

/// A plugin dataset's parameters: one file.
private struct LettersParameters: ComponentParameters {
    var file = ""
    static let declaration = ParameterDeclaration<Self>().string("file", \.file, required: true, "the text")
}

final class ComponentFactsTests: XCTestCase {
    private func write(_ text: String, to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    /// An experiment on `data`, one short epoch.
    private func experiment(data: String, model: String = "embedding_size: 6, hidden_size: 6", initialization: String = "") -> String {
        """
        name: facts
        data: \(data)
        model: {\(model)\(initialization)}
        training: {bptt: 5, batch_size: 2, eval_batch_size: 1, epochs: 1, log_every: 1000, threads: 1}

        """
    }

    func testAPluginCharacterDatasetIsTokenisedAsCharactersWhenReloaded() throws {
        let scratch = ScratchFolder("facts-dataset")
        defer { scratch.remove() }
        let text = String(repeating: "abcab cabba bacca\n", count: 40)
        write(text, to: scratch.path + "/letters.txt")
        var registry = ComponentRegistry.builtin
        // A plugin dataset with its own name: only the corpus it builds says it is character-level.
        try registry.register(dataset: ComponentFactory("letters", "characters of a file", parameters: LettersParameters.self) { a, context in
            let path = try context.resolvePath(a.file, "data.file")
            let bytes = Array(FileManager.default.contents(atPath: path)!)
            return try CorpusBuilder.fromSingleText(bytes, name: path, level: .chars, validFraction: 0.1, testFraction: 0.1)
        })
        let outcome = try runExperiment(experiment(data: "{type: letters, file: letters.txt}"), root: scratch.path, run: "r",
                                        registry: registry)
        let trained = try TrainedModel.load(runDirectory: outcome.directory, registry: registry)
        XCTAssertEqual(trained.level, .chars)
        let ids = try trained.encode(Array("cab".utf8), name: "prime")
        XCTAssertEqual(ids.count, 3, "three characters are three tokens")
        XCTAssertEqual(trained.decode(ids), "cab")
        var rng = Xoshiro256(seed: 3)
        let sample = trained.decode(trained.sample(count: 20, prime: ids, temperature: 1, using: &rng))
        XCTAssertEqual(sample.count, 20, "a character model's sample is characters, not space-separated words")
    }

    func testAPluginCellIsInitialisedByTheRolesOfItsParameters() throws {
        var registry = ComponentRegistry.builtin
        // Names that say nothing of their role: the role decides the initializer.
        try registry.register(cell: ComponentFactory("plain", "an Elman cell with unusual names") { _, c in
            ElmanCell<Float>(inputSize: c.inputSize, hiddenSize: c.hiddenSize, activation: c.activation, bias: c.bias, namePrefix: "plain_")
        })
        let text = experiment(data: "{type: synthetic, train_tokens: 400, valid_tokens: 100, test_tokens: 100}",
                              model: "cell: plain, embedding_size: 6, hidden_size: 6",
                              initialization: ", init: {recurrent: zeros, input: {name: normal, std: 0.5}, bias: {name: uniform, range: 0.3}}")
        let config = try ExperimentLoader(registry: registry).load(text: text, name: "e.yaml").config
        let corpus = try ExperimentRunner(registry: registry).loadCorpus(config, dataRoot: nil)
        let model = try registry.buildModel(config, corpus: corpus, threads: 1).model
        let recurrent = try XCTUnwrap(model.parameter(named: "plain_U")), input = try XCTUnwrap(model.parameter(named: "plain_W"))
        let bias = try XCTUnwrap(model.parameter(named: "plain_b"))
        XCTAssertEqual(recurrent.role, .recurrent)
        XCTAssertTrue(recurrent.value.array.allSatisfy { $0 == 0 }, "the recurrent rule (zeros) applies")
        XCTAssertGreaterThan(input.value.array.map(abs).max()!, 0.5, "normal(0.5) reaches past the ±0.1 output rule")
        XCTAssertTrue(bias.value.array.allSatisfy { abs($0) <= 0.3 } && bias.value.array.contains { $0 != 0 }, "the bias rule applies")
    }

    func testACustomUnknownTokenSurvivesTheCheckpoint() throws {
        let scratch = ScratchFolder("facts-unk")
        defer { scratch.remove() }
        let line = "the cat sat on the mat the dog sat on the log\n"
        write(String(repeating: line, count: 30) + "the rare cat\n", to: scratch.path + "/train.txt")
        write(String(repeating: "the cat sat on the log\n", count: 5), to: scratch.path + "/valid.txt")
        write(String(repeating: "the dog sat on the mat\n", count: 5), to: scratch.path + "/test.txt")
        let text = experiment(data: "{type: text, train: train.txt, valid: valid.txt, test: test.txt, unk: \"<UNK>\", min_count: 2}")
        let outcome = try runExperiment(text, root: scratch.path, run: "r")
        let trained = try TrainedModel.load(runDirectory: outcome.directory, registry: .builtin)
        let unk = try XCTUnwrap(trained.vocabulary.id("<UNK>"))
        XCTAssertEqual(trained.vocabulary.unknownID, unk)
        XCTAssertEqual(try trained.encode(Array("rare zebra".utf8), name: "text"), [unk, unk, trained.vocabulary.id("<eos>")!],
                       "words the run never kept map to the run's own unknown token")
    }
}
