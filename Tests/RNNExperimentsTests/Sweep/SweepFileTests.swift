// Tests for SweepFile: experiment files with a sweep section, sweep files naming a base
// experiment, command-line overrides (for every run, and `sweep.…` ones changing the sweep), and
// the check of every run before anything runs, with the first bad run named.

import RNNTestSupport
import XCTest
@testable import RNNExperiments

final class SweepFileTests: XCTestCase {
    private var scratch: ScratchFolder!
    private var folder: String { scratch.path }

    override func setUpWithError() throws {
        scratch = ScratchFolder("sweepfile")
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
    }

    override func tearDown() { scratch.remove() }

    static let experiment = """
        name: tiny
        data: {type: synthetic, train_tokens: 3000, valid_tokens: 500, test_tokens: 500}
        model: {embedding_size: 8, hidden_size: 8, tied: true}
        training: {bptt: 10, batch_size: 4, max_steps: 10}

        """

    private func write(_ name: String, _ text: String) throws -> String {
        try scratch.write(name, text)
    }

    private func loadError(_ path: String, overrides: [String] = []) -> String {
        do {
            _ = try SweepFile.load(path: path, overrides: overrides, registry: .builtin)
            XCTFail("expected an error")
            return ""
        } catch { return "\(error)" }
    }

    func testExperimentWithASweepSection() throws {
        let path = try write("e.yaml", Self.experiment + "sweep:\n  grid: {model.tied: [true, false]}\n  seeds: 2\n")
        let sweep = try SweepFile.load(path: path, overrides: ["training.max_steps=5"], registry: .builtin)
        XCTAssertEqual(sweep.experimentPath, path)
        XCTAssertEqual(sweep.experimentName, "tiny")
        XCTAssertEqual(sweep.commonOverrides, ["training.max_steps=5"])
        XCTAssertEqual(sweep.runs.map(\.name), ["tied=true,seed=1", "tied=true,seed=2", "tied=false,seed=1", "tied=false,seed=2"])
    }

    func testSweepOverridesChangeTheSweepNotTheRuns() throws {
        let path = try write("e.yaml", Self.experiment + "sweep:\n  grid: {model.tied: [true, false]}\n  seeds: 3\n")
        let sweep = try SweepFile.load(path: path, overrides: ["sweep.seeds=1"], registry: .builtin)
        XCTAssertEqual(sweep.runs.map(\.name), ["tied=true,seed=1", "tied=false,seed=1"])
        XCTAssertEqual(sweep.commonOverrides, [])
    }

    func testSweepFileWithABaseRelativeToItself() throws {
        _ = try write("sub/base.yaml", Self.experiment)
        let path = try write("sub/s.yaml", """
            base: base.yaml
            name: tiny-sweep
            set: {training.max_steps: 4, training.optimizer: {name: adam, lr: 0.01}}
            sweep:
              grid: {model.hidden_size: [8, 16]}

            """)
        let sweep = try SweepFile.load(path: path, overrides: ["model.tied=false"], registry: .builtin)
        XCTAssertEqual(sweep.experimentPath, folder + "/sub/base.yaml")
        XCTAssertEqual(sweep.experimentName, "tiny-sweep")
        XCTAssertEqual(sweep.commonOverrides, ["name=tiny-sweep", "training.max_steps=4", "training.optimizer={name: adam, lr: 0.01}",
                                               "model.tied=false"])
        XCTAssertEqual(sweep.runs.map(\.name), ["hidden_size=8", "hidden_size=16"])
    }

    func testEveryRunIsCheckedAndTheFirstBadOneNamed() throws {
        // Untied is fine at any size, but tied needs embedding_size == hidden_size: the second run is bad.
        let path = try write("e.yaml", Self.experiment.replacingOccurrences(of: "tied: true", with: "tied: false")
                                + "sweep:\n  grid:\n    model.hidden_size: [8, 16]\n    model.tied: [false, true]\n")
        XCTAssertEqual(loadError(path), "\(path): sweep run hidden_size=16,tied=true is not valid: --set model.tied=true:1:12: model.tied: a tied model needs embedding_size equal to hidden_size, got embedding_size 8 and hidden_size 16; set them equal or tied: false")
    }

    func testUnknownSweptKeyIsReportedWithTheRun() throws {
        let path = try write("e.yaml", Self.experiment + "sweep:\n  grid:\n    model.hiden_size: [8]\n")
        XCTAssertEqual(loadError(path), "\(path): sweep run hiden_size=8 is not valid: --set model.hiden_size=8:1:7: model.hiden_size: unknown key; did you mean hidden_size? (valid: activation, bias, cell, dropout, embedding_size, hidden_size, init, layers, output, tied, type)")
    }

    func testAKeyCannotBeSweptAndSetForEveryRun() throws {
        let path = try write("e.yaml", Self.experiment + "sweep:\n  grid: {model.tied: [true, false]}\n")
        XCTAssertEqual(loadError(path, overrides: ["model.tied=true"]),
                       "--set model.tied=true: model.tied is swept by the sweep, so it cannot also be set for every run; change the sweep instead")
    }

    func testFilesWithoutASweep() throws {
        let plain = try write("e.yaml", Self.experiment)
        XCTAssertEqual(loadError(plain), "\(plain): has no sweep section; add one (sweep: with grid, sets or seeds) or write a sweep file that names a base experiment (base: other.yaml); see docs/sweeps.md")
        let noBase = try write("s.yaml", "base: missing.yaml\nsweep: {seeds: 2}\n")
        XCTAssertEqual(loadError(noBase), "\(noBase):1:7: base: \(folder)/missing.yaml is not an experiment file; give a path relative to the sweep file's folder")
        let extra = try write("s2.yaml", "base: e.yaml\nsweeps: {seeds: 2}\n")
        XCTAssertEqual(loadError(extra), "\(extra):2:1: sweeps: unknown key; did you mean sweep? (valid: base, name, set, sweep)")
        let bad = try write("s3.yaml", "base: e.yaml\nsweep: {seeds: 0}\n")
        XCTAssertEqual(loadError(bad), "\(bad):2:16: sweep.seeds: 0 is out of range; expected a count from 1 to 10000 or a list of integers ≥ 0.")
    }
}
