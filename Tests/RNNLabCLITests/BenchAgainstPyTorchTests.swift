// `rnnlab bench --against pytorch` end to end: both figures and their ratio where torch is
// importable (skipped, saying why, where it is not: CI need not install a several-GB wheel),
// rnnlab's figures and no ratio without torch, and the bad input. A few steps on random tokens
// (the data root is an empty scratch folder): these check what is printed, not the speed.

import Foundation
import XCTest

final class BenchAgainstPyTorchTests: XCTestCase {
    /// Few steps, one repeat, one thread: seconds, not minutes.
    static let quick = ["bench", "--against", "pytorch", "--only", "ptb-200-tied", "--steps", "2", "--warmup", "1",
                        "--repeats", "1", "--eval-tokens", "2000", "--threads", "1", "--data-root", "."]

    func testAgainstPyTorchPrintsBothFiguresAndTheirRatio() throws {
        let env = ProcessInfo.processInfo.environment["RNNLAB_TORCH_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        let python = env ?? "python3"
        let cli = try CLIHarness()
        // Importing torch alone can take 15 s on a busy machine.
        let r = try cli.run(Self.quick + ["--python", python], timeout: 120)
        if r.status != 0, r.stderr.contains("there is no python") {
            throw XCTSkip("skipped: \(python) does not exist; set RNNLAB_TORCH_PYTHON to a python with torch to run this test")
        }
        if r.stdout.contains("torch is not importable") {
            throw XCTSkip("skipped: torch is not importable by \(python); set RNNLAB_TORCH_PYTHON to a python with torch to run this test")
        }
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("CPU: ") && $0.contains("vector flags:") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("rnnlab: ") && $0.contains("kernels") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("PyTorch ") && $0.contains("BLAS ") && $0.contains("CPU capability") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("ptb-200-tied rnnlab #1: train ") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("ptb-200-tied PyTorch #1: train ") }, r.stdout)
        // The table row: both training figures, their ratio, both evaluation figures, their ratio, both RSS.
        let row = try XCTUnwrap(lines.first { $0.hasPrefix("| ptb-200-tied ") }, r.stdout)
        let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(cells.count, 9, row)
        guard cells.count == 9 else { return }
        let numbers = [1, 2, 4, 5, 7, 8].map { Double(cells[$0]) }
        XCTAssertTrue(numbers.allSatisfy { ($0 ?? 0) > 0 }, row)
        for (ratio, ours, theirs) in [(3, 1, 2), (6, 4, 5)] {
            XCTAssertTrue(cells[ratio].hasSuffix("×"), row)
            let value = try XCTUnwrap(Double(cells[ratio].dropLast()), row)
            let expected = Double(cells[ours])! / Double(cells[theirs])!
            XCTAssertEqual(value, expected, accuracy: 0.01 + 0.01 * expected, "the ratio is rnnlab / PyTorch: \(row)")
        }
    }

    func testWithoutTorchItPrintsRnnlabsFiguresAndSaysNoRatioIsGiven() throws {
        let cli = try CLIHarness()
        // A python whose `import torch` fails, answering as bench/torch_lm.py does then.
        let fake = try cli.write("python-without-torch", """
            #!/bin/sh
            echo '{"event": "no_torch", "python": "fake", "error": "ModuleNotFoundError: No module named torch"}'
            exit 3

            """)
        XCTAssertEqual(chmod(fake, 0o755), 0)
        let r = try cli.succeed(Self.quick + ["--python", fake])
        XCTAssertTrue(r.stdout.contains("PyTorch: torch is not importable by \(fake) (ModuleNotFoundError: No module named torch), so no ratio is given"), r.stdout)
        let header = r.stdout.split(separator: "\n").first { $0.hasPrefix("| configuration") }
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        XCTAssertEqual(header, ["configuration", "train tok/s rnnlab", "eval tok/s rnnlab", "peak RSS MB rnnlab"], r.stdout)
        XCTAssertFalse(r.stdout.contains("×"), "no ratio without PyTorch figures measured here: \(r.stdout)")
        XCTAssertTrue(r.stdout.contains("| ptb-200-tied "), r.stdout)
    }

    func testItsLinesReachAFileAsTheyArePrinted() throws {
        let cli = try CLIHarness()
        // The harness sends stdout to a file in the scratch folder. The fake python runs after
        // rnnlab's first repeat has printed its line, and says whether that line is in the file
        // yet: block buffering (C's default for a file) would hold it until rnnlab exits.
        let fake = try cli.write("python-that-reads-the-log", #"""
            #!/bin/sh
            if grep -qs '^ptb-200-tied rnnlab #1: train ' .out-*; then seen='line already in the file'; else seen='line not yet in the file'; fi
            echo "{\"event\": \"no_torch\", \"python\": \"fake\", \"error\": \"$seen\"}"
            exit 3

            """#)
        XCTAssertEqual(chmod(fake, 0o755), 0)
        let r = try cli.succeed(Self.quick + ["--python", fake])
        XCTAssertTrue(r.stdout.contains("(line already in the file)"), r.stdout)
    }

    func testAPythonThatDoesNotExistIsOneSentence() throws {
        let cli = try CLIHarness()
        try cli.fail(["bench", "--against", "pytorch", "--python", "/no/such/python", "--only", "ptb-200-tied"],
                     "there is no python \"/no/such/python\" (--python): no such executable; name an interpreter that exists with --python PATH or RNNLAB_TORCH_PYTHON.")
    }

    func testAnUnknownConfigurationSuggestsTheNearestName() throws {
        let cli = try CLIHarness()
        try cli.fail(["bench", "--against", "pytorch", "--only", "ptb-lstm-2x20"],
                     "--only: unknown configuration \"ptb-lstm-2x20\"; did you mean ptb-lstm-2x200? (valid: ptb-200-tied, ptb-200-untied, ptb-650-tied, ptb-gru-2x200, ptb-lstm-2x200, shakespeare-chars-256); see 'rnnlab bench --help'.",
                     status: 64)
    }
}
