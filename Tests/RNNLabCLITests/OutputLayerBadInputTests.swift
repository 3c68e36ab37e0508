// Bad input for the hierarchical softmax and NCE, through the real `rnnlab`: one sentence each,
// a non-zero exit, nothing on stdout and no run folder left behind.

import Foundation
import RNNTestSupport
import XCTest

final class OutputLayerBadInputTests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws {
        cli = try CLIHarness()
    }

    override func tearDown() {
        cli = nil
    }

    func testHierarchicalSoftmaxCannotBeTied() throws {
        // Found when the model is built (the factory knows), so the file without a line, as for
        // other build-time checks.
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  output: hierarchical_softmax",
                         "exp.yaml:11:9: model.tied: true cannot be used with output hierarchical_softmax: its inner nodes are not words, so they cannot share the embedding table; set tied: false, or choose output softmax, class_softmax or nce.")
    }

    func testNCEParametersAreChecked() throws {
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  output: {name: nce, k: 0}",
                         "exp.yaml:12:26: model.output.k: 0 is out of range; expected an integer from 1 to 10000.")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  output: {name: nce, alpha: 1.5}",
                         "exp.yaml:12:30: model.output.alpha: 1.5 is out of range; expected a number ≥ 0 and ≤ 1.")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  output: {name: nce, alpha: -0.25}",
                         "exp.yaml:12:30: model.output.alpha: -0.25 is out of range; expected a number ≥ 0 and ≤ 1.")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  output: {name: nce, k: ten}",
                         "exp.yaml:12:26: model.output.k: expected an integer from 1 to 10000, got \"ten\".")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  output: {name: nce, noise: 20}",
                         "exp.yaml:12:23: model.output.noise: unknown parameter of output nce (valid: alpha, k, log_z)")
        try cli.failTiny(replacing: "  tied: true", with: "  tied: true\n  output: {name: hierarchical_softmax, k: 3}",
                         "exp.yaml:12:40: model.output.k: unknown parameter of output hierarchical_softmax; it takes none.")
    }

    func testTiedNCERuns() throws {
        // NCE ties: the weights it trains are the full softmax's.
        try cli.write("exp.yaml", CLIHarness.tiny(replacing: "  tied: true", with: "  tied: true\n  output: {name: nce, k: 3}"))
        let r = try cli.run(["run", "exp.yaml", "--results", "results", "--name", "r"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("nce loss"), r.stdout)
    }
}
