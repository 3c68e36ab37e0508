// The real `rnnlab` binary with kneser_ney runs: run, eval and generate on an n-gram run, a
// report beside an RNN run, mixtures of an RNN run and an n-gram run with --weights and --fit,
// and the exact text of every refusal.

import Foundation
import RNNTestSupport
import XCTest

final class CLINGramTests: XCTestCase {
    /// The tiny RNN experiment's data (synthetic, seed 3), counted by an n-gram model.
    static let tinyKN = """
        name: tiny-kn
        seed: 3
        data:
          type: synthetic
          train_tokens: 2000
          valid_tokens: 300
          test_tokens: 300
        model:
          type: kneser_ney
          order: 3

        """

    private func run(_ cli: CLIHarness, _ name: String, _ text: String) throws -> String {
        try cli.write(name, text)
        let r = try cli.succeed(["run", name, "--results", "results", "--quiet"])
        return r.stdout.trimmingCharacters(in: .newlines)
    }

    func testRunEvalGenerateAndReport() throws {
        let cli = try CLIHarness()
        try cli.write("kn.yaml", Self.tinyKN)
        let out = try cli.succeed(["run", "kn.yaml", "--results", "results", "--name", "a"]).stdout
        XCTAssertTrue(out.contains("  model: kneser_ney(order 3, across sentences)\n"), out)
        XCTAssertTrue(out.contains("  counting 3-grams in 2000 training tokens\n  counted in "), out)
        XCTAssertTrue(out.hasSuffix("results/tiny-kn/a\n"), out)
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.path("results/tiny-kn/a")).sorted()
        XCTAssertEqual(files, ["checkpoint", "config.yaml", "evals.csv", "log.txt", "metrics.csv", "summary.json"])
        XCTAssertTrue(try cli.read("results/tiny-kn/a/log.txt").contains("  counted in "))

        let text = try cli.succeed(["generate", "results/tiny-kn/a", "--words", "200", "--seed", "1"]).stdout
        XCTAssertEqual(text, try cli.succeed(["generate", "results/tiny-kn/a", "--words", "200", "--seed", "1"]).stdout, "same seed, same text")
        XCTAssertEqual(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count, 200)
        try cli.write("sample.txt", text)
        let eval = try cli.succeed(["eval", "results/tiny-kn/a", "--data", "sample.txt"]).stdout
        XCTAssertNotNil(eval.range(of: #"^sample\.txt: 200 tokens, loss \d+\.\d{4} nats/token, perplexity \d+\.\d{3}\n$"#, options: .regularExpression),
                        "an n-gram run predicts every token: \(eval)")

        _ = try run(cli, "exp.yaml", CLIHarness.tinyExperiment)
        let report = try cli.succeed(["report", "results"]).stdout
        let header = try XCTUnwrap(report.split(separator: "\n").first { $0.hasPrefix("run ") })
        XCTAssertEqual(header.split(separator: " ").map(String.init), ["run", "type", "params", "best", "valid", "ppl", "test", "ppl", "tokens/s", "status"],
                       "an n-gram run and an RNN run differ in model.type, not in every key only one of them has")
        XCTAssertNotNil(report.range(of: #"\ntiny-kn/a +kneser_ney +\d+ +\d+\.\d{3} +\d+\.\d{3} +\d+ +completed\n"#, options: .regularExpression), report)

        try cli.fail(["run", "--resume", "results/tiny-kn/a"],
                     "results/tiny-kn/a is a kneser_ney run, which counts its n-grams in one go and cannot be resumed; to run it again, start a new run with rnnlab run results/tiny-kn/a/config.yaml.")
        try cli.write("bad.yaml", Self.tinyKN.replacingOccurrences(of: "order: 3", with: "order: 11"))
        try cli.fail(["run", "bad.yaml"], "bad.yaml:10:10: model.order: 11 is out of range; expected an integer from 1 to 10.")
    }

    func testMixtureOfAnRNNRunAndAnNGramRun() throws {
        let cli = try CLIHarness()
        let kn = try run(cli, "kn.yaml", Self.tinyKN), rnn = try run(cli, "exp.yaml", CLIHarness.tinyExperiment)
        try cli.write("sample.txt", try cli.succeed(["generate", kn, "--words", "300", "--seed", "2"]).stdout)
        try cli.write("fit.txt", try cli.succeed(["generate", kn, "--words", "300", "--seed", "3"]).stdout)

        let given = try cli.succeed(["eval", rnn, kn, "--data", "sample.txt", "--weights", "0.6,0.4"]).stdout
        let lines = given.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, given)
        XCTAssertEqual(lines[0], "sample.txt: 299 tokens predicted (every token but the first)")
        func ppl(_ line: String) throws -> Double { try XCTUnwrap(Double(try XCTUnwrap(line.split(separator: " ").last))) }
        XCTAssertTrue(lines[1].hasPrefix("  \(rnn): loss "), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("  \(kn): loss "), lines[2])
        XCTAssertTrue(lines[3].hasPrefix("  mixture (weights 0.6000, 0.4000, given): loss "), lines[3])
        let (a, b, mix) = (try ppl(lines[1]), try ppl(lines[2]), try ppl(lines[3]))
        XCTAssertLessThanOrEqual(mix, pow(a, 0.6) * pow(b, 0.4) * (1 + 1e-5), "the mixture is no worse than the weighted geometric mean")

        // Fitted on the data scored, the mixture is at least as good as either run alone.
        let fitted = try cli.succeed(["eval", rnn, kn, "--data", "sample.txt", "--fit", "sample.txt"]).stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(fitted[0].hasPrefix("weights fitted by EM on sample.txt (299 tokens, "), fitted[0])
        XCTAssertTrue(fitted[4].contains(", fitted): loss "), fitted[4])
        XCTAssertLessThanOrEqual(try ppl(fitted[4]), min(a, b) * (1 + 1e-5))
        let other = try cli.succeed(["eval", rnn, kn, "--data", "sample.txt", "--fit", "fit.txt"]).stdout
        XCTAssertTrue(other.hasPrefix("weights fitted by EM on fit.txt (299 tokens, "), other)

        try cli.fail(["eval", rnn, kn, "--data", "sample.txt", "--weights", "1.2,-0.2"],
                     "--weights: mixture weight 1 is 1.2, outside [0, 1]; each weight must be between 0 and 1; see 'rnnlab eval --help'.", status: 64)
        try cli.fail(["eval", rnn, kn, "--data", "sample.txt", "--weights", "0.6,0.5"],
                     "--weights: the mixture weights sum to 1.1, not 1; they must sum to 1 (within 1e-09); see 'rnnlab eval --help'.", status: 64)
        try cli.fail(["eval", rnn, kn, "--data", "sample.txt", "--weights", "0.2,0.3,0.5"],
                     "--weights: 3 weights were given for 2 runs; give one weight per run; see 'rnnlab eval --help'.", status: 64)
        try cli.fail(["eval", rnn, kn, "--data", "sample.txt", "--weights", "0.5,half"],
                     "--weights: \"half\" is not a number; give one weight per run, separated by commas, such as 0.6,0.4; see 'rnnlab eval --help'.", status: 64)
        try cli.fail(["eval", rnn, kn, "--data", "sample.txt", "--weights", "0.5,0.5", "--fit", "fit.txt"],
                     "give either --weights or --fit, not both: --fit finds the weights on its file; see 'rnnlab eval --help'.", status: 64)

        // A run over another vocabulary (words of a text file) cannot join the mixture.
        try cli.write("words/train.txt", "the cat sat\nthe dog sat\n")
        try cli.write("words/valid.txt", "the cat sat\n")
        try cli.write("words/test.txt", "the dog sat\n")
        let words = try run(cli, "words.yaml", """
            name: words
            data: {type: text, train: words/train.txt, valid: words/valid.txt, test: words/test.txt}
            model: {type: kneser_ney, order: 2}

            """)
        try cli.fail(["eval", rnn, words, "--data", "sample.txt"],
                     "\(words) has another vocabulary than \(rnn) (it has 5 tokens and \(rnn) has 32); a mixture needs runs trained on the same vocabulary.")
    }
}
