// The measured choice of OpenBLAS kernel: the decision rule, the verdict's wording, the cache, and
// end to end — a verdict in the cache reaches the run header and summary.json, and
// `rnnlab bench --blas` measures and saves one.

import Foundation
@testable import RNNLabCLI
import RNNTensor
import RNNTestSupport
import XCTest

final class BLASKernelChoiceTests: XCTestCase {
    func testACandidateMustBeTenPercentFaster() {
        XCTAssertEqual(BLASKernelChoice.choose(defaultKernel: "Haswell", rates: ["Haswell": 100, "SkylakeX": 190]), "SkylakeX")
        XCTAssertEqual(BLASKernelChoice.choose(defaultKernel: "Haswell", rates: ["Haswell": 100, "SkylakeX": 110]), "SkylakeX")
        XCTAssertEqual(BLASKernelChoice.choose(defaultKernel: "Haswell", rates: ["Haswell": 100, "SkylakeX": 109]), "Haswell")
        XCTAssertEqual(BLASKernelChoice.choose(defaultKernel: "Haswell", rates: ["Haswell": 100, "SkylakeX": 60]), "Haswell")
        XCTAssertEqual(BLASKernelChoice.choose(defaultKernel: "Haswell", rates: ["SkylakeX": 60]), "Haswell", "no rate for the default: keep it")
    }

    func testVerdictSaysWhy() {
        let chosen = BLASKernelChoice.verdict(machine: "m", defaultKernel: "Haswell",
                                              shapeRates: ["Haswell": [100, 50], "SkylakeX": [200, 100]])
        XCTAssertEqual(chosen.chosen, "SkylakeX")
        XCTAssertEqual(chosen.rates["Haswell"]!, (100.0 * 50).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(chosen.note, "chosen by measurement: 2.00× Haswell's rate on the model's products")
        let kept = BLASKernelChoice.verdict(machine: "m", defaultKernel: "Haswell",
                                            shapeRates: ["Haswell": [100, 100], "SkylakeX": [95, 95]])
        XCTAssertEqual(kept.chosen, "Haswell")
        XCTAssertEqual(kept.note, "kept by measurement: SkylakeX 0.95× its rate on the model's products")
    }

    func testCacheKeepsOneVerdictPerMachine() throws {
        let scratch = ScratchFolder("blas-cache")
        defer { scratch.remove() }
        let file = BLASKernelChoice.cacheFile(in: scratch.path + "/nested")
        XCTAssertEqual(BLASKernelChoice.loadVerdicts(from: file), [], "no file: no verdicts")
        let a = KernelVerdict(machine: "a", defaultKernel: "Haswell", rates: ["Haswell": 1, "SkylakeX": 2], chosen: "SkylakeX", measured: "x")
        let b = KernelVerdict(machine: "b", defaultKernel: "Haswell", rates: ["Haswell": 2, "SkylakeX": 1], chosen: "Haswell", measured: "y")
        BLASKernelChoice.save(a, to: file)
        BLASKernelChoice.save(b, to: file)
        var a2 = a
        a2.chosen = "Haswell"
        BLASKernelChoice.save(a2, to: file)
        let loaded = BLASKernelChoice.loadVerdicts(from: file)
        XCTAssertEqual(loaded.count, 2)
        XCTAssertEqual(loaded.first { $0.machine == "a" }, a2)
        XCTAssertEqual(loaded.first { $0.machine == "b" }, b)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(BLASKernelChoice.loadVerdicts(from: file), [], "a damaged cache is measured again, not trusted")
    }

    func testCacheFolderFromTheEnvironment() {
        XCTAssertEqual(BLASKernelChoice.cacheDirectory(["RNNLAB_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"]), "/c")
        XCTAssertEqual(BLASKernelChoice.cacheDirectory(["XDG_CACHE_HOME": "/x", "HOME": "/h"]), "/x/rnnlab")
        XCTAssertEqual(BLASKernelChoice.cacheDirectory(["HOME": "/h"]), "/h/.cache/rnnlab")
        XCTAssertNil(BLASKernelChoice.cacheDirectory([:]))
    }

    /// A verdict in the cache decides the kernel of a run, and the run says why it runs.
    func testACachedVerdictReachesTheRunHeaderAndSummary() throws {
        let defaultKernel = BLASRuntime.info().kernel
        guard let candidate = BLASRuntime.candidateCoreTypes(kernel: defaultKernel).first else {
            throw XCTSkip("OpenBLAS picks \(defaultKernel) on this CPU and there is no other kernel to choose (no AVX-512, or an AVX-512 kernel already)")
        }
        let cli = try CLIHarness()
        let cache = cli.path("cache")
        let verdict = KernelVerdict(machine: BLASKernelChoice.machineKey(defaultKernel: defaultKernel), defaultKernel: defaultKernel,
                                    rates: [defaultKernel: 50, candidate: 100], chosen: candidate, measured: "2026-12-02T00:00:00Z")
        BLASKernelChoice.save(verdict, to: BLASKernelChoice.cacheFile(in: cache))
        try cli.write("tiny.yaml", CLIHarness.tinyExperiment)
        let env: [String: String?] = ["RNNLAB_CACHE_DIR": cache, "OPENBLAS_CORETYPE": nil, "RNNLAB_NO_REEXEC": nil,
                                      "RNNLAB_REEXECUTED": nil, "RNNLAB_BLAS_CHOICE": nil]
        let r = try cli.succeed(["run", "tiny.yaml"], environment: env)
        XCTAssertTrue(r.stdout.contains("BLAS: \(BLASRuntime.info().library), \(candidate) kernels (chosen by measurement: 2.00× \(defaultKernel)'s rate"),
                      r.stdout)
        let summary = try cli.read(cli.runFolders(in: "results")[0] + "/summary.json")
        XCTAssertTrue(summary.contains("\(candidate) kernels (chosen by measurement"), summary)

        // The user's OPENBLAS_CORETYPE wins over the verdict.
        var own = env
        own["OPENBLAS_CORETYPE"] = defaultKernel
        let mine = try cli.succeed(["run", "tiny.yaml"], environment: own)
        XCTAssertTrue(mine.stdout.contains("BLAS: \(BLASRuntime.info().library), \(defaultKernel) kernels, 1 thread"), mine.stdout)
    }

    /// `rnnlab bench --blas` measures the kernels there are and saves the verdict runs use.
    func testBenchBlasMeasuresAndSaves() throws {
        let cli = try CLIHarness()
        let cache = cli.path("cache")
        let r = try cli.succeed(["bench", "--blas"], environment: ["RNNLAB_CACHE_DIR": cache, "OPENBLAS_CORETYPE": nil])
        XCTAssertTrue(r.stdout.contains("logits 700×10000×200"), r.stdout)
        if OtherBLAS.installedBLIS() != nil {
            XCTAssertTrue(r.stdout.contains("BLIS "), "BLIS is installed: its column is measured\n\(r.stdout)")
        }
        let defaultKernel = BLASRuntime.info().kernel
        if BLASRuntime.candidateCoreTypes(kernel: defaultKernel).isEmpty {
            XCTAssertTrue(r.stdout.contains("there is no other OpenBLAS kernel to choose on this CPU"), r.stdout)
            XCTAssertFalse(cli.exists("cache/blas-kernels.json"))
        } else {
            let saved = BLASKernelChoice.loadVerdicts(from: BLASKernelChoice.cacheFile(in: cache))
            XCTAssertEqual(saved.map(\.machine), [BLASKernelChoice.machineKey(defaultKernel: defaultKernel)])
            XCTAssertTrue(r.stdout.contains("runs on this machine use OpenBLAS's \(saved[0].chosen) kernels"), r.stdout)
            XCTAssertTrue(saved[0].rates.values.allSatisfy { $0 > 0 })
        }
        let bad = try cli.run(["bench", "--blas", "--only", "ptb-200-tied"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--blas measures the BLAS kernels, not a configuration: drop --only ptb-200-tied"), bad.stderr)
    }
}
