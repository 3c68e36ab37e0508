// Bad input for cells and stacks, through the real `rnnlab`: one sentence each, a non-zero exit,
// nothing on stdout and no run folder left behind.

import Foundation
import RNNTestSupport
import XCTest

final class CellBadInputTests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws {
        cli = try CLIHarness()
    }

    override func tearDown() {
        cli = nil
    }

    func testLayersDropoutCellNamesAndCellParameters() throws {
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  layers: 0",
                         "exp.yaml:12:11: model.layers: 0 is out of range; expected an integer ≥ 1.")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  dropout: -0.1",
                         "exp.yaml:12:12: model.dropout: -0.1 is out of range; expected a number ≥ 0 and ≤ 0.95.")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  dropout: {between_layers: 1}",
                         "exp.yaml:12:29: model.dropout.between_layers: 1 is out of range; expected a number ≥ 0 and ≤ 0.95.")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  cell: lstn",
                         "exp.yaml:12:9: model.cell: unknown cell \"lstn\"; did you mean lstm? (valid: elman, gru, lstm)")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  cell: {name: gru, forget_bias: 1}",
                         "exp.yaml:12:21: model.cell.forget_bias: unknown parameter of cell gru; it takes none.")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  cell: gru\n  init: {forget_gate_bias: 1}",
                         "exp.yaml:13:28: model.init.forget_gate_bias: cell gru has no forget gate; remove the key or use cell: lstm.")
    }

    func testADirectInputNeedsEqualSizes() throws {
        let untied = CLIHarness.tiny(replacing: "  tied: true", with: "  tied: false\n  cell: {name: elman, direct_input: true}")
        try cli.write("exp.yaml", untied.replacingOccurrences(of: "  embedding_size: 8\n", with: "  embedding_size: 6\n"))
        try cli.fail(["run", "exp.yaml", "--results", "results"],
                     "exp.yaml:12:37: model.cell.direct_input: true needs embedding_size = hidden_size (the input enters the recurrence as it is), and they are 6 and 8; set them equal or drop direct_input.")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  cell: {name: lstm, direct_input: true}",
                         "exp.yaml:12:22: model.cell.direct_input: unknown parameter of cell lstm; it takes none.")
    }

    func testTiedNeedsEqualSizesForEveryCell() throws {
        for cell in ["elman", "lstm", "gru"] {
            try cli.failTiny(replacing: "  hidden_size: 8", with: "  hidden_size: 6\n  cell: \(cell)\n  layers: 2",
                             "exp.yaml:13:9: model.tied: a tied model needs embedding_size equal to hidden_size, got embedding_size 8 and hidden_size 6; set them equal or tied: false.")
        }
    }

    func testACheckpointOfOneCellIsNotResumedWithAnother() throws {
        try cli.write("exp.yaml", CLIHarness.tiny(replacing: "  tied: true", with: "  tied: true\n  cell: lstm\n  layers: 2"))
        let run = try cli.run(["run", "exp.yaml", "--results", "results", "--name", "r"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let dir = cli.path("results/tiny/r")
        try setStatus(.interrupted, of: dir)
        let config = try String(contentsOfFile: dir + "/config.yaml", encoding: .utf8)
        try config.replacingOccurrences(of: "name: lstm", with: "name: gru").write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let resumed = try cli.run(["run", "--resume", dir])
        XCTAssertEqual(resumed.status, 1)
        XCTAssertTrue(resumed.stderr.hasPrefix("rnnlab: error: \(dir)/checkpoint/last.ckpt does not belong to this run: its experiment differs from \(dir)/config.yaml"),
                      resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("model.cell"), "the message names the key that differs: \(resumed.stderr)")
    }
}
