// End-to-end tests of the working paths of the real `rnnlab` command: `run` and every file of the
// results tree, `validate`, `components`, `generate`, `eval`, overrides, run names and data roots.
// Each run is the tiny synthetic experiment (10 steps, H = 8): a fraction of a second.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RNNExperiments
import RNNYAML
import RNNTestSupport
import XCTest

final class CLIRunTests: XCTestCase {
    /// Runs the tiny experiment and returns the run folder it printed (relative to the harness).
    private func runTiny(_ cli: CLIHarness, extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try cli.write("exp.yaml", CLIHarness.tinyExperiment)
        let r = try cli.succeed(["run", "exp.yaml", "--results", "results", "--quiet"] + extra, file: file, line: line)
        // --quiet prints nothing but the run folder, so scripts can capture it.
        let folder = r.stdout.trimmingCharacters(in: .newlines)
        XCTAssertFalse(folder.contains("\n"), "more than the run folder printed: \(r.stdout)", file: file, line: line)
        XCTAssertTrue(folder.hasPrefix("results/tiny/"), folder, file: file, line: line)
        return folder
    }

    func testRunWritesEveryFileOfTheResultsTree() throws {
        let cli = try CLIHarness()
        let run = try runTiny(cli)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: cli.path(run))),
                       ["config.yaml", "metrics.csv", "evals.csv", "summary.json", "curves.svg", "checkpoint", "log.txt", "tensorboard"])

        // metrics.csv: the documented header and a row every log_every (2) of 10 steps.
        let metrics = try cli.read(run + "/metrics.csv").split(separator: "\n").map(String.init)
        XCTAssertEqual(metrics.first, "step,epoch,tokens,train_loss,train_ppl,lr,grad_norm,tokens_per_sec,elapsed_s")
        XCTAssertEqual(metrics.dropFirst().map { $0.split(separator: ",").first.map(String.init) }, ["2", "4", "6", "8", "10"])
        for row in metrics.dropFirst() { XCTAssertEqual(row.split(separator: ",").count, 9, row) }

        // evals.csv: validation every eval_every (5) steps, then test once.
        let evals = try cli.read(run + "/evals.csv").split(separator: "\n").map(String.init)
        XCTAssertEqual(evals.first, "step,epoch,tokens,split,loss,ppl")
        XCTAssertEqual(evals.dropFirst().map { $0.split(separator: ",").prefix(4).joined(separator: ",") },
                       ["5,1,100,valid", "10,1,200,valid", "10,1,200,test"])

        // summary.json: status and the documented fields.
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cli.read(run + "/summary.json").utf8)) as? [String: Any])
        XCTAssertEqual(summary["status"] as? String, "completed")
        XCTAssertEqual(summary["experiment"] as? String, "tiny")
        XCTAssertEqual(summary["run"] as? String, (run as NSString).lastPathComponent)
        XCTAssertEqual(summary["seed"] as? Int, 3)
        XCTAssertEqual(summary["steps"] as? Int, 10)
        XCTAssertEqual(summary["params"] as? Int, 32 * 8 + 8 * 8 + 8 * 8 + 8 + 32, "tied: E·V + W + U + b + c")
        for key in ["train_ppl", "valid_ppl", "best_valid_ppl", "test_ppl", "floor_ppl", "train_tokens_per_sec", "wall_seconds"] {
            let v = try XCTUnwrap(summary[key] as? Double, key)
            XCTAssertTrue(v > 0 && v.isFinite, "\(key) = \(v)")
        }
        XCTAssertLessThan(summary["test_ppl"] as! Double, 32 * 1.5, "10 steps barely move a uniform model over 32 tokens")
        XCTAssertNotNil(summary["rnnlab_version"] as? String)
        XCTAssertTrue((summary["blas"] as? String)?.contains("BLAS") ?? false)
        let dataset = try XCTUnwrap(summary["dataset"] as? [String: Any])
        XCTAssertEqual(dataset["type"] as? String, "synthetic")
        XCTAssertEqual(dataset["train_tokens"] as? Int, 2000)
        XCTAssertEqual(dataset["valid_tokens"] as? Int, 300)
        XCTAssertEqual(dataset["test_tokens"] as? Int, 300)
        XCTAssertEqual(dataset["vocabulary_size"] as? Int, 32)
        let sources = try XCTUnwrap(dataset["sources"] as? [[String: Any]])
        XCTAssertEqual((sources.first?["sha256"] as? String)?.count, 64)

        // curves.svg: well-formed XML with an <svg> root and two panels' titles.
        let svg = try cli.read(run + "/curves.svg")
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "curves.svg is not well-formed: \(String(describing: parser.parserError))")
        XCTAssertTrue(svg.contains("<svg"))
        XCTAssertTrue(svg.contains("training loss") && svg.contains("validation perplexity"))

        // checkpoints: both decode, with the vocabulary and every weight.
        let best = try Checkpoint.read(path: cli.path(run + "/checkpoint/best.ckpt"))
        XCTAssertEqual(best.header.kind, "best")
        XCTAssertEqual(best.header.vocabulary.count, 32)
        XCTAssertEqual(best.header.progress.step, 10, "validation improved last at step 10")
        let last = try Checkpoint.read(path: cli.path(run + "/checkpoint/last.ckpt"))
        XCTAssertEqual(last.header.kind, "last")
        XCTAssertEqual(last.header.progress.step, 10, "checkpoint_every 5: the last one is at step 10")
        XCTAssertEqual(Set(best.tensors.keys.filter { $0.hasPrefix("param/") }), Set(last.tensors.keys.filter { $0.hasPrefix("param/") }))
        XCTAssertTrue(last.tensors.keys.contains("state/hidden"))
        XCTAssertEqual(best.header.config, try cli.read(run + "/config.yaml"))

        // log.txt: what a non-quiet run prints.
        let log = try cli.read(run + "/log.txt")
        XCTAssertTrue(log.contains("tiny → results/tiny/"), log)
        XCTAssertTrue(log.contains("completed in"), log)
        XCTAssertTrue(log.hasSuffix(run + "\n"), log)
    }

    func testConfigYAMLIsFullyResolvedAndRunsAsIs() throws {
        let cli = try CLIHarness()
        let run = try runTiny(cli)
        let config = try cli.read(run + "/config.yaml")
        // Defaults filled in.
        let root = try YAMLDocument.parse(config, file: "config.yaml")
        XCTAssertEqual(root["training"]?["optimizer"]?["name"]?.string, "sgd")
        XCTAssertEqual(root["training"]?["optimizer"]?["lr"]?.double, 1)
        XCTAssertEqual(root["training"]?["clip"]?.double, 0.25)
        XCTAssertEqual(root["model"]?["activation"]?["name"]?.string, "tanh")
        XCTAssertEqual(root["data"]?["openers"]?.int, 8)
        // Runs as is, and resolves to itself.
        let again = try cli.succeed(["run", run + "/config.yaml", "--results", "again", "--quiet"])
        let second = again.stdout.trimmingCharacters(in: .newlines)
        XCTAssertEqual(try cli.read(second + "/config.yaml"), config)
        // Same config, same seed: the same numbers (timing columns aside).
        func losses(_ folder: String) throws -> [String] {
            try cli.read(folder + "/evals.csv").split(separator: "\n").map { $0.split(separator: ",").suffix(2).joined(separator: ",") }
        }
        XCTAssertEqual(try losses(second), try losses(run))
    }

    func testSetOverridesLandInConfigYAML() throws {
        let cli = try CLIHarness()
        let run = try runTiny(cli, extra: ["--set", "training.optimizer.lr=0.5", "--set", "model.hidden_size=6",
                                           "--set", "model.embedding_size=6", "--set", "training.schedule=step"])
        let root = try YAMLDocument.parse(try cli.read(run + "/config.yaml"), file: "config.yaml")
        XCTAssertEqual(root["training"]?["optimizer"]?["name"]?.string, "sgd", "the default optimizer keeps its name")
        XCTAssertEqual(root["training"]?["optimizer"]?["lr"]?.double, 0.5)
        XCTAssertEqual(root["model"]?["hidden_size"]?.int, 6)
        XCTAssertEqual(root["training"]?["schedule"]?["name"]?.string, "step")
        XCTAssertEqual(root["training"]?["schedule"]?["gamma"]?.double, 0.5, "a component named by --set gets its defaults")
        XCTAssertTrue(try cli.read(run + "/log.txt").contains("H=6"))
    }

    func testNameSetsTheRunFolderAndIsNeverReused() throws {
        let cli = try CLIHarness()
        let run = try runTiny(cli, extra: ["--name", "first"])
        XCTAssertEqual(run, "results/tiny/first")
        try cli.fail(["run", "exp.yaml", "--results", "results", "--name", "first"],
                     "the run folder results/tiny/first already exists; choose another --name or remove it.")
        XCTAssertEqual(cli.runFolders(), ["results/tiny/first"])
    }

    func testDefaultRunNamesAreUnique() throws {
        let cli = try CLIHarness()
        // Three runs well within a second share a timestamp; the names must still differ.
        let names = try (0..<3).map { _ in try runTiny(cli) }
        XCTAssertEqual(Set(names).count, 3, "\(names)")
        XCTAssertEqual(cli.runFolders(), names.sorted())
        let stamp = (names[0] as NSString).lastPathComponent
        XCTAssertNotNil(stamp.range(of: #"^\d{8}-\d{6}(-\d+)?$"#, options: .regularExpression), stamp)
    }

    /// A small word-level corpus and an experiment in another folder that names it relatively.
    private func writeTextExperiment(_ cli: CLIHarness) throws {
        var lines: [String] = []
        let words = ["the", "cat", "dog", "sat", "ran", "on", "mat", "rug"]
        for i in 0..<200 { lines.append((0..<5).map { words[(i * 3 + $0 * 5) % words.count] }.joined(separator: " ")) }
        try cli.write("data/corpus.txt", lines.joined(separator: "\n") + "\n")
        try cli.write("exp/text.yaml", """
            name: words
            data: {type: text, train: corpus.txt, valid_fraction: 0.1, test_fraction: 0.1}
            model: {embedding_size: 8, hidden_size: 8}
            training: {bptt: 5, batch_size: 4, eval_batch_size: 4, max_steps: 4, threads: 1}

            """)
    }

    func testRelativeDataPathsResolveAgainstDataRootThenRNNLAB_DATAThenTheFilesFolder() throws {
        let cli = try CLIHarness()
        try writeTextExperiment(cli)
        try cli.fail(["run", "exp/text.yaml", "--results", "results"],
                     "exp/text.yaml:2:27: data.train: \"corpus.txt\" does not exist in exp, the experiment file's folder; give an existing file, or set --data-root or RNNLAB_DATA to look elsewhere.")
        try cli.succeed(["run", "exp/text.yaml", "--results", "results", "--quiet", "--data-root", "data"])
        try cli.succeed(["run", "exp/text.yaml", "--results", "results", "--quiet"], environment: ["RNNLAB_DATA": cli.path("data")])
        // --data-root wins over RNNLAB_DATA.
        try cli.succeed(["run", "exp/text.yaml", "--results", "results", "--quiet", "--data-root", "data"],
                        environment: ["RNNLAB_DATA": cli.path("nowhere")])
        let r = try cli.run(["run", "exp/text.yaml", "--results", "results", "--quiet"], environment: ["RNNLAB_DATA": "nowhere"])
        XCTAssertEqual(r.stderr, "rnnlab: error: exp/text.yaml:2:27: data.train: \"corpus.txt\" does not exist in the data root nowhere; give an existing file, or set --data-root or RNNLAB_DATA to look elsewhere.\n")
        // Beside the experiment file when neither is set.
        try cli.write("exp/corpus.txt", try cli.read("data/corpus.txt"))
        try cli.succeed(["run", "exp/text.yaml", "--results", "results", "--quiet"])
        XCTAssertEqual(cli.runFolders().count, 4)
    }

    func testValidateChecksWithoutWriting() throws {
        let cli = try CLIHarness()
        try cli.write("exp.yaml", CLIHarness.tinyExperiment)
        XCTAssertEqual(try cli.succeed(["validate", "exp.yaml"]).stdout, "exp.yaml: valid\n")
        XCTAssertEqual(try cli.succeed(["validate", "exp.yaml", "--build"]).stdout,
                       "exp.yaml: valid; 32 tokens in the vocabulary, 424 parameters\n")
        try cli.fail(["validate", "exp.yaml", "--set", "model.hidden_size=0"],
                     "--set model.hidden_size=0:1:19: model.hidden_size: 0 is out of range; expected an integer ≥ 1.")
        // --build also checks sizes against the data.
        try cli.fail(["validate", "exp.yaml", "--build", "--set", "training.batch_size=500"],
                     "exp.yaml: data: the training split has 2000 tokens, fewer than the 3000 that batch_size 500 × (bptt 5 + 1) needs; use a longer corpus or a smaller batch_size or bptt.")
        XCTAssertFalse(cli.exists("results"))
    }

    func testValidateChecksASweepFileThatNamesABase() throws {
        let cli = try CLIHarness()
        try cli.write("exp.yaml", CLIHarness.tinyExperiment)
        try cli.write("s.yaml", "base: exp.yaml\nname: s\nsweep:\n  grid:\n    training.bptt: [2, 3]\n")
        XCTAssertEqual(try cli.succeed(["validate", "s.yaml"]).stdout, "s.yaml: valid sweep file over exp.yaml, 2 runs\n")
        try cli.write("bad.yaml", "base: exp.yaml\nsweep:\n  grid:\n    model.hidden_size: [0]\n")
        let bad = try cli.run(["validate", "bad.yaml"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("model.hidden_size: 0 is out of range"), bad.stderr)
        XCTAssertFalse(cli.exists("results"))
    }

    func testComponentsListsEveryKindNameAndParameter() throws {
        let cli = try CLIHarness()
        let out = try cli.succeed(["components"]).stdout
        let lines = out.components(separatedBy: "\n")
        let registry = ComponentRegistry.builtin
        for kind in ComponentKind.allCases {
            XCTAssertTrue(lines.contains("\(kind.rawValue) (\(kind.configKey)):"), "no heading for \(kind)")
            let entries = registry.catalogue(kind)
            XCTAssertFalse(entries.isEmpty, "\(kind)")
            for e in entries {
                XCTAssertTrue(lines.contains("  \(e.name) — \(e.summary)"), "\(kind) \(e.name) missing")
                for p in e.parameters {
                    XCTAssertTrue(lines.contains { $0.hasPrefix("      \(p.name): \(p.kind.expectation); ") }, "\(e.name).\(p.name) missing")
                }
            }
        }
        // A few exact lines: names, types, defaults (strings quoted) and meanings.
        XCTAssertTrue(lines.contains("      lr: a number > 0; default 1. initial learning rate"))
        XCTAssertTrue(lines.contains("      unk: a string; default \"<unk>\". the unknown token"))
        XCTAssertTrue(lines.contains("      valid: a string; default \"\". validation file (empty: split from train)"))
        XCTAssertTrue(lines.contains("      max_decays: an integer ≥ 0; optional. stop after this many divisions when validation stalls again (absent: never)"))
        XCTAssertTrue(lines.contains("      train: a string; required. training file; with valid and test absent, the one file split by valid_fraction and test_fraction"))
        // --kind narrows the list.
        let activations = try cli.succeed(["components", "--kind", "activation"]).stdout
        XCTAssertEqual(activations, """
            activation (model.activation):
              relu — rectified linear unit, max(0, x)
              sigmoid — logistic sigmoid, 1 / (1 + e^-x)
              tanh — hyperbolic tangent

            """)
        try cli.fail(["components", "--kind", "cel"],
                     "--kind: unknown kind \"cel\"; did you mean cell? (valid: activation, cell, dataset, initializer, optimizer, output, schedule)",
                     status: 64)
    }

    func testGenerateIsDeterministicPerSeed() throws {
        let cli = try CLIHarness()
        let run = try runTiny(cli)
        let a = try cli.succeed(["generate", run, "--words", "25", "--seed", "7"]).stdout
        let b = try cli.succeed(["generate", run, "--words", "25", "--seed", "7"]).stdout
        let c = try cli.succeed(["generate", run, "--words", "25", "--seed", "8"]).stdout
        XCTAssertEqual(a, b, "same seed, same text")
        XCTAssertNotEqual(a, c, "another seed, another text")
        XCTAssertTrue(a.hasSuffix("\n"))
        let tokens = a.split(whereSeparator: { $0 == " " || $0 == "\n" })
        XCTAssertEqual(tokens.count, 25, a)
        let vocabulary = Set(try Checkpoint.read(path: cli.path(run + "/checkpoint/best.ckpt")).header.vocabulary)
        for t in tokens { XCTAssertTrue(vocabulary.contains(String(t)), "\(t) is not in the vocabulary") }
        // A prime is printed first and read before sampling.
        let primed = try cli.succeed(["generate", run, "--words", "5", "--seed", "7", "--prime", "o1 f2"]).stdout
        XCTAssertTrue(primed.hasPrefix("o1 f2 "), primed)
        XCTAssertEqual(primed.split(whereSeparator: { $0 == " " || $0 == "\n" }).count, 7)
        try cli.fail(["generate", run, "--words", "0"], "--words must be ≥ 1, got 0; see 'rnnlab generate --help'.", status: 64)
        try cli.fail(["generate", "results/tiny/none"],
                     "results/tiny/none does not exist; give a run folder such as results/<experiment>/<run>.")
    }

    func testEvalPrintsThePerplexityOfAFile() throws {
        let cli = try CLIHarness()
        let run = try runTiny(cli)
        let text = try cli.succeed(["generate", run, "--words", "200", "--seed", "1"]).stdout
        try cli.write("sample.txt", text)
        let out = try cli.succeed(["eval", run, "--data", "sample.txt"]).stdout
        let pattern = #"^sample\.txt: (\d+) tokens, loss (\d+\.\d{4}) nats/token, perplexity (\d+\.\d{3})\n$"#
        let match = try XCTUnwrap(out.range(of: pattern, options: .regularExpression), out)
        XCTAssertEqual(match, out.startIndex..<out.endIndex)
        let fields = out.split(separator: " ")
        // The synthetic language has no <eos>: 200 words, no token for the line break, and every
        // word but the first predicted.
        XCTAssertEqual(fields[1], "199")
        let loss = try XCTUnwrap(Double(fields[4])), ppl = try XCTUnwrap(Double(fields[7].dropLast()))
        XCTAssertEqual(ppl, exp(loss), accuracy: ppl * 1e-3)
        XCTAssertLessThan(ppl, 40)
        try cli.fail(["eval", run, "--data", "nothere.txt"], "--data: nothere.txt does not exist; give a text file.")
        try cli.fail(["eval", run, "--data", "results"], "--data: results is a folder; give a text file.")
        try cli.fail(["eval", run, "--data", "/dev/zero"], "--data: /dev/zero is not a regular file (a device or a pipe?); give a text file.")
        try cli.write("empty.txt", "")
        try cli.fail(["eval", run, "--data", "empty.txt"], "empty.txt is empty; a corpus needs text.")
    }

    func testHelpAndVersionGoToStdout() throws {
        let cli = try CLIHarness()
        let help = try cli.succeed(["run", "--help"]).stdout
        XCTAssertTrue(help.contains("USAGE: rnnlab run [<file>]"), help)
        XCTAssertTrue(help.contains("--data-root") && help.contains("--set") && help.contains("--name") && help.contains("--results"))
        XCTAssertFalse(try cli.succeed(["--version"]).stdout.isEmpty)
        for sub in ["validate", "components", "generate", "eval", "bench"] {
            XCTAssertTrue(try cli.succeed([sub, "--help"]).stdout.contains("USAGE: rnnlab \(sub)"), sub)
        }
    }
}
