// `training.independent_sentences` at the configuration edge: the default, `true`, the mapping
// form, overrides, the resolved file (always the mapping), and the exact text of its errors.

import XCTest
@testable import RNNExperiments

final class IndependentSentencesConfigTests: XCTestCase {
    private let loader = ExperimentLoader(registry: .builtin)

    private func text(_ setting: String?) -> String {
        """
        name: indep
        data: {type: synthetic}
        model: {embedding_size: 4, hidden_size: 4}
        training:
          bptt: 5
        """ + (setting.map { "\n  independent_sentences: \($0)" } ?? "") + "\n"
    }

    private func load(_ setting: String?, _ overrides: [String] = []) throws -> LoadedExperiment {
        try loader.load(text: text(setting), name: "exp.yaml", overrides: overrides)
    }

    private func error(_ setting: String?, _ overrides: [String] = []) -> String? {
        do { _ = try load(setting, overrides); return nil } catch { return "\(error)" }
    }

    private func resolvedBlock(train: Bool, eval: Bool) -> String {
        "  independent_sentences:\n    train: \(train)\n    eval: \(eval)\n"
    }

    func testDefaultIsOffAndIsWrittenToTheResolvedFile() throws {
        let loaded = try load(nil)
        XCTAssertEqual(loaded.config.training.independentSentences, IndependentSentences(train: false, eval: false))
        XCTAssertFalse(loaded.config.training.independentSentences.isEnabled)
        XCTAssertTrue(loaded.resolvedYAML.contains(resolvedBlock(train: false, eval: false)), loaded.resolvedYAML)
        XCTAssertEqual(try load("false").config.training.independentSentences, IndependentSentences())
    }

    func testTrueMeansBothAndTheMappingSetsEachAlone() throws {
        let cases: [(String, IndependentSentences)] = [
            ("true", IndependentSentences(train: true, eval: true)),
            ("{train: true, eval: true}", IndependentSentences(train: true, eval: true)),
            ("{eval: true}", IndependentSentences(train: false, eval: true)),
            ("{train: true}", IndependentSentences(train: true, eval: false)),
            ("{train: false, eval: false}", IndependentSentences()),
            ("{}", IndependentSentences()),
        ]
        for (setting, expected) in cases {
            let loaded = try load(setting)
            XCTAssertEqual(loaded.config.training.independentSentences, expected, setting)
            XCTAssertTrue(loaded.resolvedYAML.contains(resolvedBlock(train: expected.train, eval: expected.eval)), setting)
            // The resolved file reads back to the same setting, and resolves to itself.
            let again = try loader.load(text: loaded.resolvedYAML, name: "config.yaml")
            XCTAssertEqual(again.config, loaded.config.with(sourcePath: "config.yaml"), setting)
            XCTAssertEqual(again.resolvedYAML, loaded.resolvedYAML, setting)
        }
        XCTAssertEqual(IndependentSentences(train: true, eval: false).summary, "independent sentences in training only")
    }

    func testOverrides() throws {
        XCTAssertEqual(try load(nil, ["training.independent_sentences=true"]).config.training.independentSentences,
                       IndependentSentences(train: true, eval: true))
        XCTAssertEqual(try load("{eval: true}", ["training.independent_sentences.train=true"]).config.training.independentSentences,
                       IndependentSentences(train: true, eval: true))
        XCTAssertEqual(error("true", ["training.independent_sentences.train=false"]),
                       "--set training.independent_sentences.train=false:1:32: training.independent_sentences.train: cannot be set because training.independent_sentences is true (at exp.yaml:6:26), not a mapping.",
                       "the bool form sets both; override it whole")
    }

    func testErrorTexts() {
        XCTAssertEqual(error("sometimes"),
                       "exp.yaml:6:26: training.independent_sentences: expected true, false or a mapping with train and eval (true or false), got \"sometimes\"")
        XCTAssertEqual(error("3"),
                       "exp.yaml:6:26: training.independent_sentences: expected true, false or a mapping with train and eval (true or false), got 3")
        XCTAssertEqual(error("{train: maybe}"),
                       "exp.yaml:6:34: training.independent_sentences.train: expected true or false, got \"maybe\"")
        XCTAssertEqual(error("{trian: true}"),
                       "exp.yaml:6:27: training.independent_sentences.trian: unknown key; did you mean train? (valid: eval, train)")
        XCTAssertEqual(error("[true]"),
                       "exp.yaml:6:26: training.independent_sentences: expected true, false or a mapping with train and eval (true or false), got a sequence")
    }
}

private extension ExperimentConfig {
    func with(sourcePath: String) -> ExperimentConfig {
        var c = self
        c.sourcePath = sourcePath
        return c
    }
}
