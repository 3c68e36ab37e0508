// `rnnlab bench --blas`: it measures every column it announces on the probe's products and says
// which kernel rnnlab runs and why; its options are checked.

import Foundation
@testable import RNNLabCLI
import RNNTensor
import XCTest

final class BenchBlasTests: XCTestCase {
    func testMeasuresTheKernelsItCanAndSaysWhichRuns() throws {
        let cli = try CLIHarness()
        // One round: a debug build fills and times the products several times slower.
        let r = try cli.run(["bench", "--blas", "--repeats", "1"], environment: ["RNNLAB_NO_REEXEC": "1"], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        let running = BLASRuntime.info()
        XCTAssertTrue(r.stdout.contains("rnnlab runs \(running.library), \(running.kernel) kernels"), r.stdout)
        let lines = r.stdout.split(separator: "\n")
        for shape in BLASProbe.shapes + [ProbeShape(name: "geometric mean", m: 1, n: 1, k: 1, transposeB: false)] {
            guard let row = lines.first(where: { $0.contains(shape.name) }) else { return XCTFail("no row for \(shape.name)\n\(r.stdout)") }
            let rates = row.dropFirst(2 + 32).split(separator: " ").compactMap { Double($0) }
            XCTAssertFalse(rates.isEmpty, String(row))
            XCTAssertTrue(rates.allSatisfy { $0 > 0 && $0.isFinite }, String(row))
        }
        if OtherBLAS.installedBLIS() != nil {
            XCTAssertTrue(r.stdout.contains("BLIS "), "BLIS is installed: its column is measured\n\(r.stdout)")
        } else {
            XCTAssertTrue(r.stdout.contains("BLIS is not installed"), r.stdout)
        }
    }

    func testEnvironmentOverrideIsReported() throws {
        let cli = try CLIHarness()
        let kernel = BLASRuntime.info().kernel
        try cli.write("tiny.yaml", CLIHarness.tinyExperiment)
        let r = try cli.succeed(["run", "tiny.yaml"], environment: ["OPENBLAS_CORETYPE": kernel, "RNNLAB_REEXECUTED": nil])
        XCTAssertTrue(r.stdout.contains("BLAS: \(BLASRuntime.info().library), \(kernel) kernels (OPENBLAS_CORETYPE=\(kernel) from the environment), 1 thread"),
                      r.stdout)
        let summary = try cli.read(cli.runFolders(in: "results")[0] + "/summary.json")
        XCTAssertTrue(summary.contains("OPENBLAS_CORETYPE=\(kernel) from the environment"), summary)
    }

    func testOptionsAreChecked() throws {
        let cli = try CLIHarness()
        let bad = try cli.run(["bench", "--blas", "--only", "ptb-200-tied"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--blas measures the BLAS kernels, not a configuration: drop --only ptb-200-tied"), bad.stderr)
        let both = try cli.run(["bench", "--blas", "--kernels"])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.contains("--blas measures the BLAS kernels alone: drop --kernels"), both.stderr)
    }

    func testBLISLoadsThroughItsOwnSymbols() throws {
        guard let path = OtherBLAS.installedBLIS() else { throw XCTSkip("BLIS is not installed (Debian: libblis-dev)") }
        let blis = try XCTUnwrap(OtherBLAS(path: path))
        // A product checked by hand: [1 2; 3 4] · [5 6; 7 8]ᵀ = [17 23; 39 53].
        let a = Tensor<Float>(zeros: [2, 2]), b = Tensor<Float>(zeros: [2, 2]), c = Tensor<Float>(zeros: [2, 2])
        for (i, v) in [1, 2, 3, 4].enumerated() { a[i] = Float(v) }
        for (i, v) in [5, 6, 7, 8].enumerated() { b[i] = Float(v) }
        blis.sgemm(101, 111, 112, 2, 2, 2, 1, a.data, 2, b.data, 2, 0, c.data, 2)
        XCTAssertEqual((0..<4).map { c[$0] }, [17, 23, 39, 53])
    }

    func testABadSmallProductLimitIsRefused() throws {
        let cli = try CLIHarness()
        for bad in ["-1", "8M", ""] {
            try cli.write("exp.yaml", CLIHarness.tinyExperiment)
            let r = try cli.run(["run", "exp.yaml", "--results", "results"], environment: ["RNNLAB_ONE_THREAD_BELOW": bad])
            XCTAssertEqual(r.stderr, "rnnlab: error: RNNLAB_ONE_THREAD_BELOW=\(bad) is not a count of multiply-adds; expected an integer ≥ 0 (0: no product runs on one thread; default 8000000)\n")
            XCTAssertEqual(r.status, 1)
            XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("results")), "no run folder")
        }
        let r = try cli.run(["validate", "exp.yaml"], environment: ["RNNLAB_ONE_THREAD_BELOW": "0"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }
}
