// The catalogue of bad input, run through the real `rnnlab`: each case must print exactly one
// sentence — `rnnlab: error: ` + file, key path, bad value and what is valid — exit non-zero,
// print nothing on stdout, and leave no run folder behind. Nothing may crash or hang.

import Foundation
import RNNTestSupport
import XCTest

final class CLIBadInputTests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws {
        cli = try CLIHarness()
    }

    override func tearDown() {
        cli = nil
    }

    /// Writes `yaml` as exp.yaml, runs it, and expects `message`.
    private func expect(_ yaml: String, _ message: String, args: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        try cli.write("exp.yaml", yaml)
        try cli.fail(["run", "exp.yaml", "--results", "results"] + args, message, file: file, line: line)
    }

    /// The tiny experiment with one line replaced, expecting `message`.
    private func expect(replacing old: String, with new: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try expect(CLIHarness.tiny(replacing: old, with: new, file: file, line: line), message, file: file, line: line)
    }

    // MARK: - YAML that does not parse

    func testSyntaxErrorHasLineAndColumn() throws {
        try expect(replacing: "  hidden_size: 8", with: "  hidden_size: [8",
                   "exp.yaml:11:7: the '[' sequence that starts on line 10 is missing a ',' between items or its closing ']'.")
        try expect(replacing: "  hidden_size: 8", with: "  hidden_size: 8: 9",
                   "exp.yaml:10:17: a ':' followed by a space is not allowed here; quote the value if it contains ': ', or fix the indentation.")
    }

    func testTabIndentation() throws {
        try expect(replacing: "  hidden_size: 8", with: "\thidden_size: 8",
                   "exp.yaml:10:1: a tab character is used for indentation here; YAML indentation must use spaces.")
    }

    func testEmptyAndCommentOnlyFiles() throws {
        try expect("", "exp.yaml: the file is empty; an experiment needs at least name, data, model and training.")
        try expect("# nothing yet\n\n", "exp.yaml: the file is empty; an experiment needs at least name, data, model and training.")
        try expect("- a\n- b\n", "exp.yaml:1:1: the top level is a sequence; expected a mapping with name, data, model and training.")
    }

    func testNonUTF8Bytes() throws {
        try cli.write("exp.yaml", bytes: Array("name: caf".utf8) + [0xE9] + Array("\n".utf8))
        try cli.fail(["run", "exp.yaml", "--results", "results"],
                     "exp.yaml:1:10: the text is not valid UTF-8 (byte 0xE9 does not start a valid character here); save the file as UTF-8.")
    }

    func testVeryDeepNesting() throws {
        try expect("name: deep\nmodel: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n",
                   "exp.yaml:2:71: the structure is nested more than 64 levels deep, which no config needs; flatten it.")
    }

    func testBillionLaughs() throws {
        var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for (prev, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ", ") + "]")
        }
        let started = Date()
        try expect(lines.joined(separator: "\n") + "\n",
                   "exp.yaml:6:8: aliases expand to more than 100000 nodes, which looks like an alias bomb (\"billion laughs\"); refusing to expand them.")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the bomb must be refused, not expanded")
    }

    func testMissingFileFolderAndDevice() throws {
        try cli.fail(["run", "nothere.yaml", "--results", "results"], "nothere.yaml: no such file; give the path of a YAML experiment file.")
        try FileManager.default.createDirectory(atPath: cli.path("adir"), withIntermediateDirectories: true)
        try cli.fail(["run", "adir", "--results", "results"], "adir is a folder; give the path of a YAML experiment file.")
        // /dev/zero never ends: refused without reading it.
        try cli.fail(["run", "/dev/zero", "--results", "results"],
                     "/dev/zero is not a regular file (a device or a pipe?); give the path of a YAML experiment file.")
        try cli.fail(["validate", "nothere.yaml"], "nothere.yaml: no such file; give the path of a YAML experiment file.")
    }

    // MARK: - Keys, types and ranges

    func testUnknownKeysSuggestTheClosestValidOne() throws {
        try expect(replacing: "  hidden_size: 8", with: "  hiden_size: 8",
                   "exp.yaml:10:3: model.hiden_size: unknown key; did you mean hidden_size? (valid: activation, bias, cell, dropout, embedding_size, hidden_size, init, layers, output, tied, type)")
        try expect(replacing: "training:", with: "trainig:",
                   "exp.yaml:12:1: trainig: unknown key; did you mean training? (valid: data, description, diagnostics, model, name, seed, sweep, training)")
        try expect(replacing: "  threads: 1", with: "  colour: blue",
                   "exp.yaml:20:3: training.colour: unknown key (valid: batch_size, bptt, checkpoint_every, clip, epochs, eval_batch_size, eval_every, independent_sentences, log_every, max_steps, optimizer, schedule, threads, time_budget)")
        try expect(replacing: "  threads: 1", with: "  optimizer: {name: sgd, momentum: 0.9}",
                   "exp.yaml:20:26: training.optimizer.momentum: unknown parameter of optimizer sgd (valid: lr)")
        try expect(replacing: "  threads: 1", with: "  optimizer: {name: adam, beta: 0.9}",
                   "exp.yaml:20:27: training.optimizer.beta: unknown parameter of optimizer adam; did you mean beta1? (valid: beta1, beta2, eps, lr)")
        try expect(replacing: "  train_tokens: 2000", with: "  train_token: 2000",
                   "exp.yaml:5:3: data.train_token: unknown parameter of dataset synthetic; did you mean train_tokens? (valid: fillers, max_length, min_length, openers, successors, test_tokens, train_tokens, valid_tokens)")
    }

    func testWrongTypes() throws {
        try expect(replacing: "  hidden_size: 8", with: "  hidden_size: big",
                   "exp.yaml:10:16: model.hidden_size: expected an integer ≥ 1, got \"big\".")
        try expect(replacing: "  hidden_size: 8", with: "  hidden_size: 8.5",
                   "exp.yaml:10:16: model.hidden_size: expected an integer ≥ 1, got 8.5.")
        try expect(replacing: "  tied: true", with: "  tied: \"yes\"",
                   "exp.yaml:11:9: model.tied: expected true or false, got \"yes\".")
        try expect(replacing: "  threads: 1", with: "  optimizer: {name: sgd, lr: fast}",
                   "exp.yaml:20:30: training.optimizer.lr: expected a number > 0, got \"fast\".")
        try expect("name: x\ndata: 3\n", "exp.yaml:2:7: data: expected a mapping, got 3.")
        try expect(replacing: "  threads: 1", with: "  optimizer: [sgd]",
                   "exp.yaml:20:14: training.optimizer: expected an optimizer name or a mapping with name, got a sequence.")
        try expect(replacing: "  threads: 1", with: "  optimizer: {name: [sgd]}",
                   "exp.yaml:20:21: training.optimizer.name: expected an optimizer name, got a sequence.")
        try expect(replacing: "name: tiny", with: "name: my run",
                   "exp.yaml:1:7: name: \"my run\" is not a valid name; use letters, digits, '.', '_' or '-'.")
    }

    func testOutOfRange() throws {
        try expect(replacing: "  hidden_size: 8", with: "  hidden_size: 0",
                   "exp.yaml:10:16: model.hidden_size: 0 is out of range; expected an integer ≥ 1.")
        try expect(replacing: "  embedding_size: 8", with: "  embedding_size: -4",
                   "exp.yaml:9:19: model.embedding_size: -4 is out of range; expected an integer ≥ 1.")
        try expect(replacing: "  threads: 1", with: "  optimizer: {name: sgd, lr: 0}",
                   "exp.yaml:20:30: training.optimizer.lr: 0 is out of range; expected a number > 0.")
        try expect(replacing: "  threads: 1", with: "  optimizer: {name: adam, lr: -0.1}",
                   "exp.yaml:20:31: training.optimizer.lr: -0.1 is out of range; expected a number > 0.")
        try expect(replacing: "  bptt: 5", with: "  bptt: -3",
                   "exp.yaml:13:9: training.bptt: -3 is not valid; expected an integer ≥ 1 or full.")
        try expect(replacing: "  bptt: 5", with: "  bptt: half",
                   "exp.yaml:13:9: training.bptt: \"half\" is not valid; expected an integer ≥ 1 or full.")
        try expect(replacing: "  batch_size: 4", with: "  batch_size: 0",
                   "exp.yaml:14:15: training.batch_size: 0 is out of range; expected an integer ≥ 1.")
        try expect(replacing: "  max_steps: 10", with: "  max_steps: 0",
                   "exp.yaml:16:14: training.max_steps: 0 is out of range; expected an integer ≥ 1.")
        try expect(replacing: "  threads: 1", with: "  clip: 0",
                   "exp.yaml:20:9: training.clip: 0 is out of range; expected a number > 0.")
        try expect(replacing: "  threads: 1", with: "  time_budget: soon",
                   "exp.yaml:20:16: training.time_budget: \"soon\" is not a duration; expected a finite number of seconds > 0 or text like 90s, 15m, 1h30m.")
        try expect(replacing: "  threads: 1", with: "  schedule: {name: step, gamma: 1.5}",
                   "exp.yaml:20:33: training.schedule.gamma: 1.5 is out of range; expected a number > 0 and ≤ 1.")
        try expect(replacing: "seed: 3", with: "seed: -1",
                   "exp.yaml:2:7: seed: -1 is not a valid seed; expected an integer ≥ 0.")
    }

    func testTiedNeedsEqualSizes() throws {
        try expect(replacing: "  embedding_size: 8", with: "  embedding_size: 6",
                   "exp.yaml:11:9: model.tied: a tied model needs embedding_size equal to hidden_size, got embedding_size 6 and hidden_size 8; set them equal or tied: false.")
    }

    func testSizesCheckedAgainstTheDataNameTheFile() throws {
        // Checked when the model is built, after the vocabulary is known, and placed at its key.
        try expect(replacing: "  tied: true", with: "  tied: true\n  output: {name: class_softmax, classes: 100000}",
                   "exp.yaml:12:42: model.output.classes: 100000 classes for 32 words; expected at most the vocabulary size.")
    }

    func testHugeNumbersAreErrorsNotCrashes() throws {
        try expect(replacing: "  hidden_size: 8", with: "  hidden_size: 99999999999999999999999",
                   "exp.yaml:10:16: model.hidden_size: 99999999999999999999999 is out of range; expected an integer ≥ 1.")
        try expect(replacing: "  threads: 1", with: "  optimizer: {name: sgd, lr: 1e400}",
                   "exp.yaml:20:30: training.optimizer.lr: 1e400 is not a finite number; expected a number > 0.")
        try expect(replacing: "  threads: 1", with: "  time_budget: .inf",
                   "exp.yaml:20:16: training.time_budget: .inf is not a duration; expected a finite number of seconds > 0 or text like 90s, 15m, 1h30m.")
        try expect(replacing: "  train_tokens: 2000", with: "  train_tokens: 9223372036854775807",
                   "exp.yaml:5:17: data.train_tokens: 9223372036854775807 is out of range; expected an integer from 100 to 100000000.")
        // These used to trap on integer overflow.
        try expect(replacing: "  batch_size: 4", with: "  batch_size: 9223372036854775807",
                   "exp.yaml: data: the training split has 2000 tokens, fewer than the 9223372036854775807 that batch_size 9223372036854775807 × (bptt 5 + 1) needs; use a longer corpus or a smaller batch_size or bptt.")
        try expect(replacing: "  bptt: 5", with: "  bptt: 9223372036854775807",
                   "exp.yaml: data: the training split has 2000 tokens, fewer than the 9223372036854775807 that batch_size 4 × (bptt 9223372036854775807 + 1) needs; use a longer corpus or a smaller batch_size or bptt.")
        try expect(replacing: "  eval_batch_size: 4", with: "  eval_batch_size: 9223372036854775807",
                   "exp.yaml: data: the validation split has 300 tokens, fewer than the 9223372036854775807 that batch_size 9223372036854775807 × (bptt 1 + 1) needs; use a longer corpus or a smaller batch_size or bptt.")
        // And this one aborted in an allocation of 4·10¹⁸ bytes. The machine's memory is in the message.
        try cli.write("exp.yaml", CLIHarness.tiny(replacing: "  tied: true", with: "  tied: false")
            .replacingOccurrences(of: "hidden_size: 8", with: "hidden_size: 1000000000")
            .replacingOccurrences(of: "embedding_size: 8", with: "embedding_size: 1000000000"))
        let r = try cli.run(["run", "exp.yaml", "--results", "results"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("rnnlab: error: exp.yaml: model: embedding_size 1000000000, hidden_size 1000000000, a vocabulary of 32 tokens, batch_size 4 and bptt 5 need about 2.4e+10 GB of memory, more than the "), r.stderr)
        XCTAssertTrue(r.stderr.hasSuffix(" GB this machine has; use smaller sizes.\n"), r.stderr)
        XCTAssertEqual(cli.runFolders(), [])
    }

    func testHugeEpochCountStillRuns() throws {
        // epochs × steps per epoch overflowed (a trap after the run folder existed); max_steps ends it.
        try cli.write("exp.yaml", CLIHarness.tiny(replacing: "  threads: 1", with: "  threads: 1\n  epochs: 9223372036854775807"))
        let r = try cli.succeed(["run", "exp.yaml", "--results", "results", "--quiet"])
        let summary = try cli.read(r.stdout.trimmingCharacters(in: .newlines) + "/summary.json")
        XCTAssertTrue(summary.contains("\"status\" : \"completed\""), summary)
    }

    // MARK: - Components

    func testUnknownComponentsListTheRegisteredNames() throws {
        try expect(replacing: "  tied: true", with: "  tied: true\n  cell: elmn",
                   "exp.yaml:12:9: model.cell: unknown cell \"elmn\"; did you mean elman? (valid: elman, gru, lstm)")
        try expect(replacing: "  tied: true", with: "  tied: true\n  activation: tahn",
                   "exp.yaml:12:15: model.activation: unknown activation \"tahn\"; did you mean tanh? (valid: relu, sigmoid, tanh)")
        try expect(replacing: "  tied: true", with: "  tied: true\n  activation: softsign",
                   "exp.yaml:12:15: model.activation: unknown activation \"softsign\" (valid: relu, sigmoid, tanh)")
        try expect(replacing: "  tied: true", with: "  tied: true\n  output: softmx",
                   "exp.yaml:12:11: model.output: unknown output \"softmx\"; did you mean softmax? (valid: class_softmax, hierarchical_softmax, nce, softmax)")
        try expect(replacing: "  tied: true", with: "  tied: true\n  init: {recurrent: orthogonl}",
                   "exp.yaml:12:21: model.init.recurrent: unknown initializer \"orthogonl\"; did you mean orthogonal? (valid: normal, orthogonal, pytorch_rnn, uniform, xavier, zeros)")
        try expect(replacing: "  threads: 1", with: "  optimizer: adamw",
                   "exp.yaml:20:14: training.optimizer: unknown optimizer \"adamw\"; did you mean adam? (valid: adagrad, adam, asgd, sgd)")
        try expect(replacing: "  threads: 1", with: "  schedule: {name: platau, factor: 2}",
                   "exp.yaml:20:20: training.schedule.name: unknown schedule \"platau\"; did you mean plateau? (valid: budget, constant, plateau, step)")
        try expect(replacing: "  type: synthetic", with: "  type: synthtic",
                   "exp.yaml:4:9: data.type: unknown dataset \"synthtic\"; did you mean synthetic? (valid: chars, synthetic, text, zipf)")
    }

    // MARK: - Overrides

    func testBadOverrides() throws {
        try cli.write("exp.yaml", CLIHarness.tinyExperiment)
        try cli.fail(["run", "exp.yaml", "--results", "results", "--set", "training.lr"],
                     "--set training.lr:1:1: an override must look like key.path=value (for example training.lr=0.5).")
        try cli.fail(["run", "exp.yaml", "--results", "results", "--set", "training.lr=0.5"],
                     "--set training.lr=0.5:1:10: training.lr: unknown key (valid: batch_size, bptt, checkpoint_every, clip, epochs, eval_batch_size, eval_every, independent_sentences, log_every, max_steps, optimizer, schedule, threads, time_budget)")
        try cli.fail(["run", "exp.yaml", "--results", "results", "--set", "training.optimizer.lr=-1"],
                     "--set training.optimizer.lr=-1:1:23: training.optimizer.lr: -1 is out of range; expected a number > 0.")
        try cli.fail(["run", "exp.yaml", "--results", "results", "--set", "model.hidden_size=[8"],
                     "--set model.hidden_size=[8:1:21: the '[' sequence that starts on line 1 is missing a ',' between items or its closing ']'.")
    }

    // MARK: - Corpora

    /// A word-level experiment reading `train`, `valid` and `test` from the scratch folder.
    private func textExperiment(train: String = "train.txt", valid: String = "valid.txt", test: String = "test.txt", type: String = "text") -> String {
        """
        name: words
        data: {type: \(type), train: \(train), valid: \(valid), test: \(test)}
        model: {embedding_size: 8, hidden_size: 8}
        training: {bptt: 5, batch_size: 2, eval_batch_size: 2, max_steps: 3, threads: 1}

        """
    }

    private func writeGoodSplits() throws {
        let line = "the cat sat on the mat\n"
        try cli.write("train.txt", String(repeating: line, count: 20))
        try cli.write("valid.txt", String(repeating: line, count: 3))
        try cli.write("test.txt", String(repeating: line, count: 3))
    }

    func testGoodSplitsTrain() throws {
        try writeGoodSplits()
        try cli.write("exp.yaml", textExperiment())
        try cli.succeed(["run", "exp.yaml", "--results", "results", "--quiet"])
    }

    func testMissingCorpus() throws {
        try writeGoodSplits()
        try expect(textExperiment(valid: "nothere.txt"),
                   "exp.yaml:2:45: data.valid: \"nothere.txt\" does not exist in ., the experiment file's folder; give an existing file, or set --data-root or RNNLAB_DATA to look elsewhere.")
        try expect(textExperiment(train: "/nowhere/train.txt"), "exp.yaml:2:27: data.train: the file /nowhere/train.txt does not exist.")
        try expect(textExperiment(train: "''"), "exp.yaml:2:27: data.train: the path is empty; name a text file.")
        try expect(textExperiment(train: "/dev/zero"),
                   "exp.yaml:2:27: data.train: /dev/zero is not a regular file (a device or a pipe?); give a text file.")
        try expect(textExperiment(train: "."), "exp.yaml:2:27: data.train: ./. is a folder, not a text file.")
    }

    func testEmptyBlankBinaryAndNonUTF8Corpora() throws {
        try writeGoodSplits()
        try cli.write("empty.txt", "")
        try expect(textExperiment(train: "empty.txt"), "exp.yaml:2:27: data.train: ./empty.txt is empty; a corpus needs text.")
        try expect(textExperiment(test: "empty.txt"), "exp.yaml:2:62: data.test: ./empty.txt is empty; a corpus needs text.")
        try cli.write("newlines.txt", "\n\n\n\n")
        try expect(textExperiment(valid: "newlines.txt"), "exp.yaml:2:45: data.valid: ./newlines.txt holds only whitespace; a corpus needs at least one word.")
        try cli.write("binary.txt", bytes: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFE])
        try expect(textExperiment(train: "binary.txt"), "exp.yaml:2:27: data.train: ./binary.txt looks binary (a NUL byte at offset 7); a corpus must be UTF-8 text.")
        try cli.write("latin1.txt", bytes: Array("the cat\nthe caf".utf8) + [0xE9] + Array(" sat\n".utf8))
        try expect(textExperiment(train: "latin1.txt"),
                   "exp.yaml:2:27: data.train: ./latin1.txt is not valid UTF-8 (first bad byte at offset 15, line 2); convert it to UTF-8.")
        try expect(textExperiment(train: "latin1.txt", type: "chars"),
                   "exp.yaml:2:28: data.train: ./latin1.txt is not valid UTF-8 (first bad byte at offset 15, line 2); convert it to UTF-8.")
    }

    func testCorpusTooShortForOneBatch() throws {
        try writeGoodSplits()
        try cli.write("one.txt", "hello\n")
        // One word is two tokens (with <eos>): less than batch_size 2 × (bptt 5 + 1).
        try expect(textExperiment(train: "one.txt"),
                   "exp.yaml: data: the training split has 2 tokens, fewer than the 12 that batch_size 2 × (bptt 5 + 1) needs; use a longer corpus or a smaller batch_size or bptt.")
        try cli.write("one-char.txt", "x")
        try expect(textExperiment(train: "one-char.txt", type: "chars"),
                   "exp.yaml: data: the training split has 1 token, fewer than the 12 that batch_size 2 × (bptt 5 + 1) needs; use a longer corpus or a smaller batch_size or bptt.")
        try cli.write("short.txt", "a b c d e\n")
        try expect(textExperiment(valid: "short.txt", test: "short.txt").replacingOccurrences(of: "eval_batch_size: 2", with: "eval_batch_size: 4"),
                   "exp.yaml: data: the validation split has 6 tokens, fewer than the 8 that batch_size 4 × (bptt 1 + 1) needs; use a longer corpus or a smaller batch_size or bptt.")
    }

    // MARK: - Results folder and run names

    func testUnwritableResultsFolder() throws {
        try cli.write("exp.yaml", CLIHarness.tinyExperiment)
        // A results path under a regular file cannot be created by anyone, root included.
        try cli.write("afile", "not a folder\n")
        try cli.fail(["run", "exp.yaml", "--results", "afile/results"],
                     "cannot create the results folder afile/results/tiny: afile is a file, not a folder; choose another with --results.",
                     results: "afile/results")
        // A read-only folder only stops other users: the tests run as root in CI, where
        // permissions are not enforced, so this part only runs for a regular user.
        if geteuid() != 0 {
            try FileManager.default.createDirectory(atPath: cli.path("readonly"), withIntermediateDirectories: true)
            chmod(cli.path("readonly"), 0o555)
            try cli.fail(["run", "exp.yaml", "--results", "readonly"],
                         "cannot create the results folder readonly/tiny: permission denied at readonly/tiny; choose another with --results.",
                         results: "readonly")
        }
    }

    func testBadRunNames() throws {
        try cli.write("exp.yaml", CLIHarness.tinyExperiment)
        try cli.fail(["run", "exp.yaml", "--results", "results", "--name", "a/b"],
                     "--name: \"a/b\" is not a valid run name; use a single folder name: no '/', no control characters, not starting with '-', and not '.' or '..'; see 'rnnlab run --help'.",
                     status: 64)
        try cli.fail(["run", "exp.yaml", "--results", "results", "--name", ".."],
                     "--name: \"..\" is not a valid run name; use a single folder name: no '/', no control characters, not starting with '-', and not '.' or '..'; see 'rnnlab run --help'.",
                     status: 64)
        try cli.fail(["run", "exp.yaml", "--results", "results", "--name", ""],
                     "--name: the run name is empty; use a single folder name: no '/', no control characters, not starting with '-', and not '.' or '..'; see 'rnnlab run --help'.",
                     status: 64)
    }

    func testCommandLineMistakesPointAtHelpWithoutAUsageDump() throws {
        try cli.fail(["run"], "give an experiment FILE to run, or --resume RUN_DIR to continue a stopped run; see 'rnnlab run --help'.", status: 64)
        try cli.fail(["run", "exp.yaml", "--bogus"], "unknown option '--bogus'; see 'rnnlab run --help'.", status: 64)
        try cli.fail(["trian"], "unexpected argument 'trian'; see 'rnnlab --help'.", status: 64)
        try cli.fail(["generate", "x", "--temperature", "0"], "--temperature must be a number > 0, got 0.0; see 'rnnlab generate --help'.", status: 64)
    }

    func testFileNamesKeepTheirCase() throws {
        // The message starts with the path as given; nothing may lower its first letter.
        try cli.write("Exp.yaml", CLIHarness.tiny(replacing: "  hidden_size: 8", with: "  hidden_size: 0"))
        try cli.fail(["run", "Exp.yaml", "--results", "results"],
                     "Exp.yaml:10:16: model.hidden_size: 0 is out of range; expected an integer ≥ 1.")
    }
}
