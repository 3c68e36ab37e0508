// Tests for SweepSpec.decode: what each section means (grid, nested grid, sets, seeds as a
// count or a list, values kept as one-line YAML) and the exact one-sentence errors for mistakes.

import XCTest
import RNNYAML
@testable import RNNExperiments

final class SweepSpecDecodingTests: XCTestCase {
    /// Decodes the `sweep:` section of `text` (a file called s.yaml).
    private func decode(_ text: String) throws -> SweepSpec {
        let root = try YAMLDocument.parse(text, file: "s.yaml")
        return try SweepSpec.decode(root["sweep"]!)
    }

    /// The error text decoding `text` throws.
    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try decode(text)
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch { return "\(error)" }
    }

    func testGridSetsAndSeedCount() throws {
        let spec = try decode("""
            sweep:
              grid:
                model.tied: [true, false]
                training.optimizer.lr: [0.5, 1]
              sets:
                - {model.embedding_size: 32, model.hidden_size: 32}
                - {}
              seeds: 3
            """)
        XCTAssertEqual(spec.grid.map(\.key), ["model.tied", "training.optimizer.lr"])
        XCTAssertEqual(spec.grid.map(\.values), [["true", "false"], ["0.5", "1"]])
        XCTAssertEqual(spec.sets, [[Override(key: "model.embedding_size", value: "32"), Override(key: "model.hidden_size", value: "32")], []])
        XCTAssertEqual(spec.seeds, [1, 2, 3])
    }

    func testNestedGridSeedListAndValuesAsOneLineYAML() throws {
        let spec = try decode("""
            sweep:
              grid:
                model:
                  activation: [tanh, "relu"]
                training.optimizer: [{name: adam, lr: 0.001}, sgd]
                data.unk: ["a, b", "true"]
              seeds: [7, 0]
            """)
        XCTAssertEqual(spec.grid.map(\.key), ["model.activation", "training.optimizer", "data.unk"])
        XCTAssertEqual(spec.grid[0].values, ["tanh", "relu"])
        XCTAssertEqual(spec.grid[1].values, ["{name: adam, lr: 0.001}", "sgd"])
        XCTAssertEqual(spec.grid[2].values, ["\"a, b\"", "\"true\""])
        XCTAssertEqual(spec.seeds, [7, 0])
        // Each value reads back as what the file says.
        for value in spec.grid.flatMap(\.values) {
            let back = try YAMLDocument.parse(value, file: "v")
            XCTAssertEqual(back.flowText, value)
        }
    }

    func testUnknownKeyGetsASuggestion() {
        XCTAssertEqual(error("""
            sweep:
              grid:
                model.tied: [true, false]
              seed: 3
            """), "s.yaml:4:3: sweep.seed: unknown key; did you mean seeds? (valid: grid, max_runs, random, seeds, sets, slurm)")
    }

    func testGridErrors() {
        XCTAssertEqual(error("sweep:\n  grid:\n    model.hidden_size: 200\n"),
                       "s.yaml:3:24: sweep.grid.model.hidden_size: expected a list of values, got 200; write [200] for a single value.")
        XCTAssertEqual(error("sweep:\n  grid:\n    model.tied: []\n"),
                       "s.yaml:3:17: sweep.grid.model.tied: expected a list of at least one value, got [].")
        XCTAssertEqual(error("sweep:\n  grid:\n    model.hidden_size: [100, 200, 100]\n"),
                       "s.yaml:3:35: sweep.grid.model.hidden_size[2]: 100 is already sweep.grid.model.hidden_size[0]; list each value once.")
        XCTAssertEqual(error("sweep:\n  grid:\n    model..tied: [true]\n"),
                       "s.yaml:3:5: sweep.grid.model..tied: \"model..tied\" is not a key path; write names separated by single dots, e.g. model.hidden_size.")
        XCTAssertEqual(error("sweep:\n  grid: [model.tied]\n"),
                       "s.yaml:2:9: sweep.grid: expected a mapping of dotted keys to lists of values, got a sequence.")
        XCTAssertEqual(error("sweep:\n  grid: {}\n"),
                       "s.yaml:2:9: sweep.grid: expected at least one key with a list of values (e.g. model.hidden_size: [100, 200]), got {}.")
        XCTAssertEqual(error("sweep:\n  grid:\n    name: [a, b]\n"),
                       "s.yaml:3:5: sweep.grid.name: the experiment name cannot be swept; all runs of a sweep go to one experiment folder.")
        XCTAssertEqual(error("sweep:\n  seeds: 2\n  grid:\n    seed: [1, 2]\n"),
                       "s.yaml:4:5: sweep.grid.seed: seed is swept by sweep.seeds already; sweep each key in one place.")
    }

    func testSetsErrors() {
        XCTAssertEqual(error("sweep:\n  sets: [3]\n"),
                       "s.yaml:2:10: sweep.sets[0]: expected a mapping of dotted keys to values, got 3.")
        XCTAssertEqual(error("sweep:\n  sets: []\n"),
                       "s.yaml:2:9: sweep.sets: expected a list of at least one mapping of dotted keys to values, got [].")
        XCTAssertEqual(error("sweep:\n  grid: {model.tied: [true, false]}\n  sets:\n    - {model.tied: true}\n"),
                       "s.yaml:4:8: sweep.sets[0].model.tied: model.tied is swept by sweep.grid.model.tied already; sweep each key in one place.")
        XCTAssertEqual(error("sweep:\n  sets:\n    - {training.clip: 1}\n    - {training.clip: 1}\n"),
                       "s.yaml:4:7: sweep.sets[1]: has the same overrides as sweep.sets[0]; list each set once.")
    }

    func testSeedsErrors() {
        XCTAssertEqual(error("sweep:\n  seeds: 0\n"),
                       "s.yaml:2:10: sweep.seeds: 0 is out of range; expected a count from 1 to 10000 or a list of integers ≥ 0.")
        XCTAssertEqual(error("sweep:\n  seeds: three\n"),
                       "s.yaml:2:10: sweep.seeds: expected a count from 1 to 10000 or a list of integers ≥ 0, got \"three\".")
        XCTAssertEqual(error("sweep:\n  seeds: [1, -2]\n"),
                       "s.yaml:2:14: sweep.seeds[1]: -2 is out of range; expected an integer ≥ 0.")
        XCTAssertEqual(error("sweep:\n  seeds: [1, 2, 1]\n"),
                       "s.yaml:2:17: sweep.seeds[2]: 1 is already sweep.seeds[0]; list each seed once.")
    }

    func testSectionErrors() {
        XCTAssertEqual(error("sweep: {}\n"), "s.yaml:1:8: sweep: nothing to sweep; give grid, sets, random or seeds (see docs/sweeps.md).")
        XCTAssertEqual(error("sweep: [1]\n"), "s.yaml:1:8: sweep: expected a mapping with grid, sets, random or seeds, got a sequence.")
    }
}
