// The real `rnnlab` binary with `training.independent_sentences`: a run on a text corpus scores
// its test split with `rnnlab eval` as its own final evaluation did (resets at <eos>), `--sentences`
// overrides the convention for an RNN run and refuses what a run cannot do, and a corpus
// without <eos> is refused naming the key, with nothing left behind.

import Foundation
import RNNTestSupport
import XCTest

final class CLIIndependentSentencesTests: XCTestCase {
    private func writeCorpus(_ cli: CLIHarness) throws {
        let lines = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "the mat and the log", "a dog sat"]
        for (name, count) in [("train.txt", 120), ("valid.txt", 12), ("test.txt", 12)] {
            try cli.write("words/" + name, (0..<count).map { lines[($0 * 3) % lines.count] }.joined(separator: "\n") + "\n")
        }
    }

    private func experiment(_ setting: String) -> String {
        CLIHarness.tinyExperiment
            .replacingOccurrences(of: "  type: synthetic\n  train_tokens: 2000\n  valid_tokens: 300\n  test_tokens: 300\n",
                                  with: "  type: text\n  train: words/train.txt\n  valid: words/valid.txt\n  test: words/test.txt\n")
            .replacingOccurrences(of: "eval_batch_size: 4", with: "eval_batch_size: 1")
            + "  independent_sentences: \(setting)\n".replacingOccurrences(of: "\n\n", with: "\n")
    }

    private func perplexity(_ line: String) throws -> Double {
        try XCTUnwrap(Double(try XCTUnwrap(line.split(separator: " ").last?.trimmingCharacters(in: .newlines))), line)
    }

    func testEvalScoresAsTheRunDidAndTheFlagOverrides() throws {
        let cli = try CLIHarness()
        try writeCorpus(cli)
        try cli.write("indep.yaml", experiment("true"))
        XCTAssertTrue(try cli.read("indep.yaml").hasSuffix("  threads: 1\n  independent_sentences: true\n"))
        let out = try cli.succeed(["run", "indep.yaml", "--results", "results", "--name", "r"]).stdout
        XCTAssertTrue(out.contains(", independent sentences in training and evaluation\n"), out)
        XCTAssertTrue(try cli.read("results/tiny/r/config.yaml").contains("  independent_sentences:\n    train: true\n    eval: true\n"))
        let summary = try JSONSerialization.jsonObject(with: Data(try cli.read("results/tiny/r/summary.json").utf8)) as? [String: Any]
        let testPPL = try XCTUnwrap(summary?["test_ppl"] as? Double)

        let asRun = try perplexity(try cli.succeed(["eval", "results/tiny/r", "--data", "words/test.txt"]).stdout)
        XCTAssertEqual(asRun, testPPL, accuracy: testPPL * 1e-3, "eval resets at <eos> as the run's test evaluation did")
        let named = try perplexity(try cli.succeed(["eval", "results/tiny/r", "--data", "words/test.txt", "--sentences", "independent"]).stdout)
        XCTAssertEqual(named, asRun)
        let across = try perplexity(try cli.succeed(["eval", "results/tiny/r", "--data", "words/test.txt", "--sentences", "across"]).stdout)
        XCTAssertNotEqual(across, asRun, "--sentences across carries the state over <eos>")

        try cli.fail(["eval", "results/tiny/r", "--data", "words/test.txt", "--sentences", "each"],
                     "the value 'each' is invalid for '--sentences <convention>'. Please provide one of 'run', 'across' or 'independent'; see 'rnnlab eval --help'.", status: 64)
    }

    func testRefusals() throws {
        let cli = try CLIHarness()
        try writeCorpus(cli)
        // The synthetic corpus has no <eos>.
        try cli.write("synthetic.yaml", CLIHarness.tinyExperiment + "  independent_sentences: {eval: true}\n")
        try cli.fail(["run", "synthetic.yaml", "--results", "results"],
                     "synthetic.yaml:21:26: training.independent_sentences: resets the state at every <eos>, and this corpus has no <eos> token (a character or synthetic corpus?); use independent_sentences: false.")
        try cli.write("bad.yaml", experiment("sometimes"))
        try cli.fail(["run", "bad.yaml", "--results", "results"],
                     "bad.yaml:21:26: training.independent_sentences: expected true, false or a mapping with train and eval (true or false), got \"sometimes\".")

        // --sentences independent on a run whose vocabulary has no <eos>; on an n-gram run counted across sentences.
        try cli.write("plain.yaml", CLIHarness.tinyExperiment)
        _ = try cli.succeed(["run", "plain.yaml", "--results", "results", "--name", "plain", "--quiet"])
        try cli.write("sample.txt", "1 2 3 4 5 6 7 8\n")
        try cli.fail(["eval", "results/tiny/plain", "--data", "sample.txt", "--sentences", "independent"],
                     "--sentences independent: results/tiny/plain has no <eos> in its vocabulary (a character or synthetic corpus?), so it has no sentences to reset at; use --sentences across or run.")
        try cli.write("kn.yaml", "name: kn\ndata: {type: text, train: words/train.txt, valid: words/valid.txt, test: words/test.txt}\nmodel: {type: kneser_ney, order: 2}\n")
        _ = try cli.succeed(["run", "kn.yaml", "--results", "results", "--name", "kn", "--quiet"])
        try cli.fail(["eval", "results/kn/kn", "--data", "words/test.txt", "--sentences", "independent"],
                     "--sentences independent: results/kn/kn is a kneser_ney run counted with sentences: across, which is fixed when it counts; use --sentences run or across, or count another run with model.sentences: independent.")
    }
}
