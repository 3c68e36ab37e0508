// ExperimentLoader: defaults filled into the resolved file, components by name or mapping,
// --set overrides, bptt and time-budget spellings, and the exact text of its errors.

import RNNTestSupport
import RNNYAML
import XCTest
@testable import RNNExperiments

final class ExperimentLoaderTests: XCTestCase {
    private let loader = ExperimentLoader(registry: .builtin)

    /// The smallest valid experiment: everything else is a default.
    private let minimal = """
        name: mini
        data: {type: synthetic}
        model: {embedding_size: 4, hidden_size: 4}
        training: {}

        """

    private func load(_ text: String, _ overrides: [String] = []) throws -> LoadedExperiment {
        try loader.load(text: text, name: "exp.yaml", overrides: overrides)
    }

    /// The description of the error loading `text` throws (nil when it loads).
    private func error(_ text: String, _ overrides: [String] = []) -> String? {
        do { _ = try load(text, overrides); return nil } catch { return "\(error)" }
    }

    // MARK: - Defaults and the resolved file

    func testDefaultsAreFilledIntoTheConfigAndTheResolvedFile() throws {
        let loaded = try load(minimal)
        let c = loaded.config
        XCTAssertEqual(c.seed, 1)
        XCTAssertEqual(c.description, "")
        XCTAssertEqual(c.model.cell, ComponentChoice("elman", ComponentArguments([("direct_input", .bool(false))])))
        XCTAssertEqual(c.model.activation, ComponentChoice("tanh"))
        XCTAssertEqual(c.model.output, ComponentChoice("softmax"))
        XCTAssertFalse(c.model.tied)
        XCTAssertTrue(c.model.bias)
        XCTAssertEqual(c.model.initialization.embedding, ComponentChoice("uniform", ComponentArguments([("range", .double(0.1))])))
        XCTAssertEqual(c.model.initialization.recurrent, ComponentChoice("pytorch_rnn", ComponentArguments([("gain", .double(1))])))
        let t = c.training
        XCTAssertEqual(t.bptt, 35)
        XCTAssertEqual(t.batchSize, 20)
        XCTAssertEqual(t.evalBatchSize, 10)
        XCTAssertEqual(t.epochs, 1, "no stopping rule given: one epoch")
        XCTAssertNil(t.maxSteps)
        XCTAssertNil(t.timeBudget)
        XCTAssertEqual(t.optimizer, ComponentChoice("sgd", ComponentArguments([("lr", .double(1))])))
        XCTAssertEqual(t.schedule, ComponentChoice("constant"))
        XCTAssertEqual(t.clip, 0.25)
        XCTAssertEqual(t.logEvery, 100)
        XCTAssertEqual(t.checkpointEvery, 1000)
        XCTAssertEqual(c.data.arguments["train_tokens"], .int(1_000_000))

        XCTAssertEqual(loaded.resolvedYAML, """
            name: mini
            description: ""
            seed: 1
            data:
              type: synthetic
              train_tokens: 1000000
              valid_tokens: 100000
              test_tokens: 100000
              openers: 8
              fillers: 16
              successors: 4
              min_length: 4
              max_length: 8
            model:
              type: rnn
              cell:
                name: elman
                direct_input: false
              layers: 1
              embedding_size: 4
              hidden_size: 4
              activation:
                name: tanh
              tied: false
              bias: true
              output:
                name: softmax
              init:
                embedding:
                  name: uniform
                  range: 0.1
                input:
                  name: pytorch_rnn
                  gain: 1.0
                recurrent:
                  name: pytorch_rnn
                  gain: 1.0
                output:
                  name: uniform
                  range: 0.1
                bias:
                  name: zeros
                forget_gate_bias: null
              dropout:
                embedding: 0.0
                output: 0.0
                between_layers: 0.0
            training:
              bptt: 35
              batch_size: 20
              eval_batch_size: 10
              epochs: 1
              max_steps: null
              time_budget: null
              optimizer:
                name: sgd
                lr: 1.0
              schedule:
                name: constant
              clip: 0.25
              eval_every: null
              log_every: 100
              checkpoint_every: 1000
              threads: null
              independent_sentences:
                train: false
                eval: false
            diagnostics:
              gradient_through_time: null

            """)
    }

    func testResolvedFileLoadsBackToTheSameConfig() throws {
        let texts = [minimal, """
            name: full
            seed: 9
            data: {type: text, train: a.txt, max_vocab: 100}
            model: {embedding_size: 6, hidden_size: 6, tied: true, activation: relu, init: {recurrent: {name: orthogonal, gain: 0.5}}}
            training: {bptt: full, optimizer: {name: adam, lr: 0.002}, schedule: {name: plateau, factor: 2, restore_best: true}, clip: null, time_budget: 15m}
            diagnostics: {gradient_through_time: {every: 50}}

            """, """
            name: gated
            data: {type: synthetic}
            model: {cell: lstm, layers: 3, embedding_size: 6, hidden_size: 6, dropout: {between_layers: 0.3}, init: {forget_gate_bias: 1}}
            training: {}

            """]
        for text in texts {
            let first = try load(text)
            let second = try loader.load(text: first.resolvedYAML, name: "config.yaml")
            var expected = first.config
            expected.sourcePath = "config.yaml"
            XCTAssertEqual(second.config, expected)
            XCTAssertEqual(second.resolvedYAML, first.resolvedYAML, "resolving is idempotent")
        }
    }

    // MARK: - Components

    func testComponentByNameEqualsMappingWithName() throws {
        let byName = try load(minimal.replacingOccurrences(of: "training: {}", with: "training: {optimizer: adam, schedule: step}"))
        let byMapping = try load(minimal.replacingOccurrences(of: "training: {}", with: "training: {optimizer: {name: adam}, schedule: {name: step}}"))
        XCTAssertEqual(byName.config, byMapping.config)
        XCTAssertEqual(byName.config.training.optimizer, ComponentChoice("adam", ComponentArguments([
            ("lr", .double(0.001)), ("beta1", .double(0.9)), ("beta2", .double(0.999)), ("eps", .double(1e-8))])))
        XCTAssertEqual(byName.config.training.schedule.arguments["gamma"], .double(0.5))
    }

    func testMappingWithoutNameKeepsTheDefaultComponent() throws {
        let c = try load(minimal.replacingOccurrences(of: "training: {}", with: "training: {optimizer: {lr: 0.5}}")).config
        XCTAssertEqual(c.training.optimizer, ComponentChoice("sgd", ComponentArguments([("lr", .double(0.5))])))
        // An initializer mapping without name keeps the documented default and its default range.
        let i = try load(minimal.replacingOccurrences(of: "hidden_size: 4}", with: "hidden_size: 4, init: {embedding: {}}}")).config
        XCTAssertEqual(i.model.initialization.embedding, ComponentChoice("uniform", ComponentArguments([("range", .double(0.1))])))
    }

    // MARK: - Overrides

    func testOverrideAParameterOfAComponentGivenByName() throws {
        let file = minimal.replacingOccurrences(of: "training: {}", with: "training: {optimizer: sgd}")
        let c = try load(file, ["training.optimizer.lr=2"]).config
        XCTAssertEqual(c.training.optimizer, ComponentChoice("sgd", ComponentArguments([("lr", .double(2))])))
        // Also when the file does not mention the optimizer at all.
        XCTAssertEqual(try load(minimal, ["training.optimizer.lr=2"]).config.training.optimizer,
                       ComponentChoice("sgd", ComponentArguments([("lr", .double(2))])))
        // Switching the component keeps parameters it also has.
        let adam = try load(file, ["training.optimizer.lr=0.01", "training.optimizer.name=adam"]).config.training.optimizer
        XCTAssertEqual(adam.name, "adam")
        XCTAssertEqual(adam.arguments["lr"], .double(0.01))
        // A component given by name on the command line.
        XCTAssertEqual(try load(minimal, ["model.activation=relu"]).config.model.activation, ComponentChoice("relu"))
    }

    func testOverridesApplyInOrderAndLandInTheResolvedFile() throws {
        let loaded = try load(minimal, ["model.hidden_size=8", "model.embedding_size=8", "model.tied=true",
                                        "training.batch_size=3", "training.batch_size=5", "seed=42"])
        XCTAssertEqual(loaded.config.model.hiddenSize, 8)
        XCTAssertTrue(loaded.config.model.tied)
        XCTAssertEqual(loaded.config.training.batchSize, 5, "the last override wins")
        XCTAssertEqual(loaded.config.seed, 42)
        XCTAssertTrue(loaded.resolvedYAML.contains("\n  batch_size: 5\n"))
        XCTAssertTrue(loaded.resolvedYAML.contains("\nseed: 42\n"))
    }

    func testOverrideErrorsPointAtTheOverride() {
        XCTAssertEqual(error(minimal, ["training.optimizer.lr=0"]),
                       "--set training.optimizer.lr=0:1:23: training.optimizer.lr: 0 is out of range; expected a number > 0")
        XCTAssertEqual(error(minimal, ["model.hiden_size=3"]),
                       "--set model.hiden_size=3:1:7: model.hiden_size: unknown key; did you mean hidden_size? (valid: activation, bias, cell, dropout, embedding_size, hidden_size, init, layers, output, tied, type)")
        XCTAssertEqual(error(minimal, ["model.hidden_size.x=3"]),
                       "--set model.hidden_size.x=3:1:19: model.hidden_size.x: cannot be set because model.hidden_size is 4 (at exp.yaml:3:41), not a mapping.")
        XCTAssertEqual(error(minimal, ["training"]),
                       "--set training:1:1: an override must look like key.path=value (for example training.lr=0.5).")
    }

    // MARK: - bptt and time budgets

    func testBPTTFull() throws {
        let loaded = try load(minimal.replacingOccurrences(of: "training: {}", with: "training: {bptt: full}"))
        XCTAssertNil(loaded.config.training.bptt)
        XCTAssertTrue(loaded.resolvedYAML.contains("\n  bptt: full\n"))
        XCTAssertEqual(try load(minimal, ["training.bptt=full"]).config.training.bptt, nil)
        XCTAssertEqual(error(minimal, ["training.bptt=0"]),
                       "--set training.bptt=0:1:15: training.bptt: 0 is not valid; expected an integer ≥ 1 or full")
        XCTAssertEqual(error(minimal, ["training.bptt=Full"]),
                       "--set training.bptt=Full:1:15: training.bptt: \"Full\" is not valid; expected an integer ≥ 1 or full")
    }

    func testTimeBudgetSpellings() throws {
        let cases: [(String, Double)] = [("90", 90), ("2.5", 2.5), ("\"90s\"", 90), ("15m", 900), ("1h30m", 5400), ("1h", 3600), ("\"2m 30s\"", 150)]
        for (spelling, seconds) in cases {
            let c = try load(minimal.replacingOccurrences(of: "training: {}", with: "training: {time_budget: \(spelling)}")).config
            XCTAssertEqual(c.training.timeBudget, seconds, spelling)
            XCTAssertNil(c.training.epochs, "a time budget replaces the one-epoch default (\(spelling))")
        }
        let message = "is not a duration; expected a finite number of seconds > 0 or text like 90s, 15m, 1h30m"
        for bad in ["0", "-5", "soon", "15x", "h", "1h30", ".inf", "[1]"] {
            let shown = bad == "soon" || bad == "15x" || bad == "h" || bad == "1h30" ? "\"\(bad)\"" : bad == "[1]" ? "a sequence" : bad
            XCTAssertEqual(error(minimal, ["training.time_budget=\(bad)"]),
                           "--set training.time_budget=\(bad):1:22: training.time_budget: \(shown) \(message)", bad)
        }
    }

    // MARK: - Exact error texts

    func testErrorTexts() {
        func replacing(_ a: String, _ b: String) -> String { minimal.replacingOccurrences(of: a, with: b) }
        let cases: [(String, String)] = [
            ("", "exp.yaml: the file is empty; an experiment needs at least name, data, model and training"),
            ("name: a\n", "exp.yaml:1:1: data: missing; expected a mapping"),
            ("[1, 2]\n", "exp.yaml:1:1: the top level is a sequence; expected a mapping with name, data, model and training"),
            (replacing("name: mini", "name:"), "exp.yaml:1:1: name: missing; give the experiment a name (letters, digits, '.', '_' or '-')"),
            (replacing("name: mini", "name: ../up"), "exp.yaml:1:7: name: \"../up\" is not a valid name; use letters, digits, '.', '_' or '-'"),
            (replacing("name: mini", "name: mini\nseed: 1.5"), "exp.yaml:2:7: seed: 1.5 is not a valid seed; expected an integer ≥ 0"),
            (replacing("data: {type: synthetic}", "data: {}"), "exp.yaml:2:7: data.type: missing; name a dataset: chars, synthetic, text, zipf"),
            (replacing("data: {type: synthetic}", "data: {type: text}"), "exp.yaml:2:14: data.train: missing; dataset text needs a string"),
            (replacing("data: {type: synthetic}", "data: {type: synthetic, openers: 0}"),
             "exp.yaml:2:34: data.openers: 0 is out of range; expected an integer from 1 to 1000"),
            (replacing("data: {type: synthetic}", "data: {type: chars, train: a.txt, valid_fraction: 0.9}"),
             "exp.yaml:2:51: data.valid_fraction: 0.9 is out of range; expected a number > 0 and ≤ 0.5"),
            (replacing("{embedding_size: 4, hidden_size: 4}", "{hidden_size: 4}"), "exp.yaml:3:8: model.embedding_size: missing; expected an integer ≥ 1"),
            (replacing("hidden_size: 4}", "hidden_size: 4, tied: yes}"), "exp.yaml:3:50: model.tied: expected true or false, got \"yes\""),
            (replacing("hidden_size: 4}", "hidden_size: 5, tied: true}"),
             "exp.yaml:3:50: model.tied: a tied model needs embedding_size equal to hidden_size, got embedding_size 4 and hidden_size 5; set them equal or tied: false"),
            (replacing("hidden_size: 4}", "hidden_size: 4, init: {weights: zeros}}"),
             "exp.yaml:3:51: model.init.weights: unknown key (valid: bias, embedding, forget_gate_bias, input, output, recurrent)"),
            (replacing("hidden_size: 4}", "hidden_size: 4, init: {bias: {name: normal, sd: 1}}}"),
             "exp.yaml:3:72: model.init.bias.sd: unknown parameter of initializer normal; did you mean std? (valid: std)"),
            (replacing("hidden_size: 4}", "hidden_size: 4, cell: {name: elman, size: 3}}"),
             "exp.yaml:3:64: model.cell.size: unknown parameter of cell elman (valid: direct_input)"),
            (replacing("training: {}", "training: {optimizer: {name: sgd, lr: 0}}"),
             "exp.yaml:4:39: training.optimizer.lr: 0 is out of range; expected a number > 0"),
            (replacing("training: {}", "training: {optimizer: {name: adam, beta1: 1}}"),
             "exp.yaml:4:43: training.optimizer.beta1: 1 is out of range; expected a number ≥ 0 and ≤ 0.999999"),
            (replacing("training: {}", "training: {optimizer: sgdd}"),
             "exp.yaml:4:23: training.optimizer: unknown optimizer \"sgdd\"; did you mean sgd? (valid: adagrad, adam, asgd, sgd)"),
            (replacing("training: {}", "training: {schedule: {name: plateau, patience: -1}}"),
             "exp.yaml:4:48: training.schedule.patience: -1 is out of range; expected an integer ≥ 0"),
            (replacing("training: {}", "training: {batch_size: 0}"), "exp.yaml:4:24: training.batch_size: 0 is out of range; expected an integer ≥ 1"),
            (replacing("training: {}", "training: {batch_size: \"4\"}"), "exp.yaml:4:24: training.batch_size: expected an integer ≥ 1, got \"4\""),
            (replacing("training: {}", "training: {epochs: 99999999999999999999}"),
             "exp.yaml:4:20: training.epochs: 99999999999999999999 is out of range; expected an integer ≥ 1"),
            (replacing("training: {}", "training: {clip: -1}"), "exp.yaml:4:18: training.clip: -1 is out of range; expected a number > 0"),
            (replacing("training: {}", "training: {clip: .nan}"), "exp.yaml:4:18: training.clip: .nan is not a finite number; expected a number > 0"),
            (replacing("training: {}", "training: {lr: 1}"),
             "exp.yaml:4:12: training.lr: unknown key (valid: batch_size, bptt, checkpoint_every, clip, epochs, eval_batch_size, eval_every, independent_sentences, log_every, max_steps, optimizer, schedule, threads, time_budget)"),
            (replacing("training: {}", "training: []"), "exp.yaml:4:11: training: expected a mapping, got a sequence"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(error(text), expected, text)
        }
    }

    func testYAMLErrorsKeepTheirPosition() {
        XCTAssertEqual(error("name: a\nmodel:\n\thidden_size: 3\n"),
                       "exp.yaml:3:1: a tab character is used for indentation here; YAML indentation must use spaces.")
        XCTAssertEqual(error("name: a\nname: b\n"),
                       "exp.yaml:2:1: duplicate key \"name\" on line 2; it is already defined on line 1 of the same mapping.")
    }

    func testFilesThatAreNotExperimentFiles() throws {
        let scratch = ScratchFolder("loader")
        defer { scratch.remove() }
        let dir = scratch.path
        func message(_ path: String) -> String? {
            do { _ = try loader.load(path: path); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(message(dir + "/none.yaml"), "\(dir)/none.yaml: no such file; give the path of a YAML experiment file")
        XCTAssertEqual(message(dir), "\(dir) is a folder; give the path of a YAML experiment file")
        XCTAssertEqual(message("/dev/null"), "/dev/null is not a regular file (a device or a pipe?); give the path of a YAML experiment file")
        let big = dir + "/big.yaml"
        FileManager.default.createFile(atPath: big, contents: Data(repeating: UInt8(ascii: "#"), count: (1 << 20) + 1))
        XCTAssertEqual(message(big), "\(big): the file has 1048577 bytes, more than the 1048576 an experiment file may have; is it the right file?")
        let good = dir + "/good.yaml"
        FileManager.default.createFile(atPath: good, contents: Data(minimal.utf8))
        XCTAssertEqual(try loader.load(path: good).config.sourcePath, good)
    }
}
