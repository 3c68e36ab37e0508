// The kneser_ney model kind at the configuration edge: its defaults, the resolved file, the
// optional training section, and the exact text of its errors.

import XCTest
@testable import RNNExperiments

final class KneserNeyConfigTests: XCTestCase {
    private let loader = ExperimentLoader(registry: .builtin)

    private let minimal = """
        name: kn
        data: {type: synthetic}
        model: {type: kneser_ney}

        """

    private func load(_ text: String, _ overrides: [String] = []) throws -> LoadedExperiment {
        try loader.load(text: text, name: "exp.yaml", overrides: overrides)
    }

    private func error(_ text: String, _ overrides: [String] = []) -> String? {
        do { _ = try load(text, overrides); return nil } catch { return "\(error)" }
    }

    func testDefaultsAndTheResolvedFile() throws {
        let loaded = try load(minimal)
        XCTAssertEqual(loaded.config.kind, .kneserNey(KneserNeyConfig(order: 5, sentences: .across)))
        XCTAssertEqual(loaded.config.kneserNey?.summary, "kneser_ney(order 5, across sentences)")
        XCTAssertTrue(loaded.resolvedYAML.hasSuffix("""
            model:
              type: kneser_ney
              order: 5
              sentences: across

            """), loaded.resolvedYAML)
        XCTAssertFalse(loaded.resolvedYAML.contains("training"), "no training section was given, and none is resolved")
        let again = try loader.load(text: loaded.resolvedYAML, name: "config.yaml")
        XCTAssertEqual(again.config.kind, loaded.config.kind)
        XCTAssertEqual(again.resolvedYAML, loaded.resolvedYAML, "resolving is idempotent")
    }

    func testOrderSentencesAndOverrides() throws {
        let c = try load(minimal.replacingOccurrences(of: "{type: kneser_ney}", with: "{type: kneser_ney, order: 3, sentences: independent}")).config
        XCTAssertEqual(c.kneserNey, KneserNeyConfig(order: 3, sentences: .independent))
        XCTAssertEqual(try load(minimal, ["model.order=10"]).config.kneserNey?.order, 10)
        XCTAssertEqual(try load(minimal, ["model.order=1"]).config.kneserNey?.order, 1)
        // An RNN experiment names its type in the resolved file too, and reads as before.
        let rnn = try load("name: r\ndata: {type: synthetic}\nmodel: {embedding_size: 4, hidden_size: 4}\ntraining: {}\n")
        XCTAssertEqual(rnn.config.kind.typeName, "rnn")
        XCTAssertEqual(rnn.config.model.hiddenSize, 4)
        XCTAssertNil(rnn.config.kneserNey)
        XCTAssertTrue(rnn.resolvedYAML.contains("\nmodel:\n  type: rnn\n  cell:\n"))
    }

    /// `rnnlab sweep` sets training.threads on every run it starts: a kneser_ney run accepts it.
    func testTrainingSectionIsOptionalAndTakesOnlyThreads() throws {
        let withThreads = try load(minimal, ["training.threads=2"])
        XCTAssertTrue(withThreads.resolvedYAML.hasSuffix("training:\n  threads: 2\n"), withThreads.resolvedYAML)
        XCTAssertNoThrow(try load(minimal + "training: {}\n"))
        XCTAssertNoThrow(try load(minimal + "training:\n"))
    }

    func testErrorTexts() {
        func with(_ model: String) -> String { minimal.replacingOccurrences(of: "{type: kneser_ney}", with: model) }
        let cases: [(String, String)] = [
            (with("{type: kneser_ney, order: 0}"), "exp.yaml:3:34: model.order: 0 is out of range; expected an integer from 1 to 10"),
            (with("{type: kneser_ney, order: 11}"), "exp.yaml:3:34: model.order: 11 is out of range; expected an integer from 1 to 10"),
            (with("{type: kneser_ney, order: five}"), "exp.yaml:3:34: model.order: expected an integer from 1 to 10, got \"five\""),
            (with("{type: kneser_ney, sentences: each}"),
             "exp.yaml:3:38: model.sentences: \"each\" is not a valid choice; expected one of across, independent"),
            (with("{type: knesser_ney}"), "exp.yaml:3:15: model.type: \"knesser_ney\" is not a valid choice; expected one of rnn, kneser_ney"),
            (with("{type: kneser_ney, hidden_size: 200}"),
             "exp.yaml:3:27: model.hidden_size: unknown key (valid: order, sentences, type)"),
            (with("{type: kneser_ney, ordr: 3}"), "exp.yaml:3:27: model.ordr: unknown key; did you mean order? (valid: order, sentences, type)"),
            (minimal + "training: {bptt: 35}\n",
             "exp.yaml:4:12: training.bptt: a kneser_ney model is counted, not trained, so its training section takes only threads; remove bptt"),
            (minimal + "training: {threads: 0}\n", "exp.yaml:4:21: training.threads: 0 is out of range; expected an integer ≥ 1"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(error(text), expected, text)
        }
        XCTAssertEqual(error(minimal, ["model.order=0"]),
                       "--set model.order=0:1:13: model.order: 0 is out of range; expected an integer from 1 to 10")
    }
}
