// End-to-end tests of `rnnlab sweep` and `rnnlab report` with the real binary on tiny synthetic
// experiments (a run trains 10 steps of an 8-unit model): shards that together cover a sweep,
// resuming after runs were killed, a failed run that does not stop the others, diverged runs
// counting as finished, errors before anything runs, the dry run, and the report's files.

import Foundation
import RNNTestSupport
import XCTest

final class SweepCommandTests: XCTestCase {
    private var cli: CLIHarness!
    private var folder: String { cli.root.path }

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli = nil }

    static let tiny = """
        name: tiny
        data: {type: synthetic, train_tokens: 3000, valid_tokens: 500, test_tokens: 500}
        model: {embedding_size: 8, hidden_size: 8, tied: true}
        training: {bptt: 10, batch_size: 4, eval_batch_size: 4, max_steps: 10, log_every: 5, eval_every: 5, optimizer: sgd}

        """

    private func write(_ name: String, _ text: String) throws {
        try cli.write(name, text)
    }

    private func rnnlab(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        try cli.run(args, timeout: 120, file: file, line: line)
    }

    private func summary(_ run: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/results/tiny/\(run)/summary.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func manifest() throws -> String {
        try String(contentsOfFile: folder + "/results/tiny/sweep.yaml", encoding: .utf8)
    }

    static let runs = ["tied=true,seed=1", "tied=true,seed=2", "tied=false,seed=1", "tied=false,seed=2"]

    func testShardsThenResumeAfterKilledRuns() throws {
        try write("s.yaml", Self.tiny + "sweep:\n  grid: {model.tied: [true, false]}\n  seeds: 2\n")

        // Two shards of a 4-run sweep into one results tree: each runs its half.
        let first = try rnnlab("sweep", "s.yaml", "--shard", "1/2", "--jobs", "2")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("tiny: 4 runs, 2 in shard 1/2 → results/tiny\n"), first.stdout)
        XCTAssertTrue(first.stdout.contains("2 of 2 to run, up to 2 at a time"), first.stdout)
        XCTAssertEqual(try summary("tied=true,seed=1")["status"] as? String, "completed")
        XCTAssertEqual(try summary("tied=false,seed=1")["status"] as? String, "completed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/results/tiny/tied=true,seed=2"))
        XCTAssertTrue(try manifest().contains("  - name: tied=true,seed=2\n    overrides:\n      - model.tied=true\n      - seed=2\n    status: pending\n"))

        let second = try rnnlab("sweep", "s.yaml", "--shard", "2/2")
        XCTAssertEqual(second.status, 0, second.stderr)
        for run in Self.runs { XCTAssertEqual(try summary(run)["status"] as? String, "completed", run) }
        XCTAssertEqual(try manifest().components(separatedBy: "status: completed").count - 1, 4)
        XCTAssertTrue(try manifest().contains("command: rnnlab sweep s.yaml --shard 2/2\n"))

        // Kill two runs after the fact: one left "running" (a kill -9 leaves that), one without a summary.
        let dir = folder + "/results/tiny/"
        let runningPath = dir + "tied=true,seed=2/summary.json"
        let summaryText = try String(contentsOfFile: runningPath, encoding: .utf8)
        try summaryText.replacingOccurrences(of: "\"status\" : \"completed\"", with: "\"status\" : \"running\"")
            .write(toFile: runningPath, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "tied=false,seed=2/summary.json")
        let untouched = try Data(contentsOf: URL(fileURLWithPath: dir + "tied=true,seed=1/summary.json"))

        let dry = try rnnlab("sweep", "s.yaml", "--dry-run")
        XCTAssertEqual(dry.status, 0)
        XCTAssertTrue(dry.stdout.contains("2  tied=true,seed=2   incomplete  would run again from scratch\n"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("1  tied=true,seed=1   completed   finished; would be skipped\n"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("would run 2 of 4 runs"), dry.stdout)

        let again = try rnnlab("sweep", "s.yaml", "--jobs", "2")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("tied=true,seed=1: completed already; skipped"), again.stdout)
        XCTAssertTrue(again.stdout.contains("tied=false,seed=1: completed already; skipped"), again.stdout)
        XCTAssertTrue(again.stdout.contains("tied=true,seed=2: started (again; it was incomplete)"), again.stdout)
        XCTAssertTrue(again.stdout.contains("tied=false,seed=2: started (again; it was incomplete)"), again.stdout)
        XCTAssertTrue(again.stdout.contains("all 4 runs finished (4 completed, 0 diverged)"), again.stdout)
        for run in Self.runs { XCTAssertEqual(try summary(run)["status"] as? String, "completed", run) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "tied=true,seed=1/summary.json")), untouched,
                       "a completed run is not run again")

        // The report over the sweep folder.
        let report = try rnnlab("report", "results/tiny")
        XCTAssertEqual(report.status, 0, report.stderr)
        // The run names (tied=true,seed=1) only repeat the swept columns, so there is no run column.
        XCTAssertTrue(report.stdout.hasPrefix("Report: tiny\n\ntied   seed  params  best valid ppl"), report.stdout)
        XCTAssertTrue(report.stdout.contains("tied vs untied (test perplexity, mean ± std over seeds):\ngroup"), report.stdout)
        for name in ["report.md", "report.html", "runs.csv", "valid-curves.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + name), name)
        }
    }

    func testAFailedRunDoesNotStopTheOthersAndFailsTheSweep() throws {
        try "the cat sat on the mat\n".write(toFile: folder + "/a.txt", atomically: true, encoding: .utf8)
        try write("s.yaml", """
            name: tiny
            data: {type: chars, train: a.txt, valid: a.txt, test: a.txt}
            model: {embedding_size: 8, hidden_size: 8}
            training: {bptt: 4, batch_size: 2, eval_batch_size: 2, max_steps: 4, optimizer: {name: sgd, lr: 1}, clip: null}
            sweep:
              grid:
                data.train: [missing.txt, a.txt]
                training.optimizer.lr: [1, 1.0e9]

            """)
        let result = try rnnlab("sweep", "s.yaml", "--jobs", "3")
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertTrue(result.stdout.contains("train=a.txt,lr=1: completed"), result.stdout)
        XCTAssertEqual(result.stderr, "rnnlab: error: 2 of 4 runs did not finish: train=missing.txt,lr=1 (failed), train=missing.txt,lr=1.0e9 (failed); the table above says why, and running the same command again retries them.\n")
        XCTAssertTrue(result.stdout.contains("train=missing.txt,lr=1: failed in "), result.stdout)
        XCTAssertTrue(result.stdout.contains("--set data.train=missing.txt:1:12: data.train: \"missing.txt\" does not exist in"), result.stdout)
        XCTAssertTrue(result.stdout.contains("train=a.txt,lr=1.0e9: diverged in "), result.stdout)
        let manifest = try String(contentsOfFile: folder + "/results/tiny/sweep.yaml", encoding: .utf8)
        XCTAssertEqual(manifest.components(separatedBy: "\n").filter { $0.hasPrefix("    status: ") },
                       ["    status: failed", "    status: failed", "    status: completed", "    status: diverged"])
    }

    func testDivergedRunsCountAsFinished() throws {
        try write("s.yaml", Self.tiny.replacingOccurrences(of: "optimizer: sgd}", with: "optimizer: sgd, clip: null}")
                  + "sweep:\n  grid: {training.optimizer.lr: [1, 1.0e6]}\n")
        let result = try rnnlab("sweep", "s.yaml")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("lr=1.0e6: diverged in "), result.stdout)
        XCTAssertTrue(result.stdout.contains("all 2 runs finished (1 completed, 1 diverged)"), result.stdout)
        let again = try rnnlab("sweep", "s.yaml")
        XCTAssertTrue(again.stdout.contains("lr=1.0e6: diverged already; skipped"), again.stdout)
    }

    func testBadRunStopsTheSweepBeforeAnythingRuns() throws {
        try write("s.yaml", Self.tiny + "sweep:\n  grid: {model.hidden_size: [8, 16]}\n")
        let result = try rnnlab("sweep", "s.yaml")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "rnnlab: error: s.yaml: sweep run hidden_size=16 is not valid: s.yaml:3:50: model.tied: a tied model needs embedding_size equal to hidden_size, got embedding_size 8 and hidden_size 16; set them equal or tied: false.\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/results"))

        let shard = try rnnlab("sweep", "s.yaml", "--shard", "3/2")
        XCTAssertEqual(shard.status, 64)
        XCTAssertTrue(shard.stderr.contains("--shard 3/2 is not a shard; write I/N with 1 ≤ I ≤ N, e.g. --shard 2/4"), shard.stderr)
    }

    func testDryRunWritesNothing() throws {
        try write("s.yaml", Self.tiny + "sweep:\n  seeds: 3\n")
        let result = try rnnlab("sweep", "s.yaml", "--dry-run", "--jobs", "2", "--set", "training.max_steps=3")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, """
            tiny: 3 runs → results/tiny
            #  run     status   what would happen
            -  ------  -------  -----------------
            1  seed=1  pending  would run
            2  seed=2  pending  would run
            3  seed=3  pending  would run
            would run 3 of 3 runs, up to 2 at a time.
            the first as: rnnlab run s.yaml --results results --name seed=1 --quiet --set training.max_steps=3 --set seed=1 --set training.threads=\(max(1, usableCores() / 2))

            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/results"))
    }

    func testSIGTERMStopsTheSweepAndItsRuns() throws {
        try write("s.yaml", Self.tiny.replacingOccurrences(of: "max_steps: 10", with: "epochs: 1000")
                  .replacingOccurrences(of: "train_tokens: 3000", with: "train_tokens: 100000") + "sweep:\n  seeds: 3\n")
        let p = Process()
        p.executableURL = cli.executable
        p.arguments = ["sweep", "s.yaml", "--jobs", "2"]
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        let outPath = folder + "/out.txt"
        XCTAssertTrue(FileManager.default.createFile(atPath: outPath, contents: nil))
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until both runs are training (their summaries exist), then stop the sweep.
        let deadline = Date().addingTimeInterval(30)
        let summaries = ["seed=1", "seed=2"].map { "\(folder)/results/tiny/\($0)/summary.json" }
        while !summaries.allSatisfy(FileManager.default.fileExists(atPath:)) && Date() < deadline { usleep(20_000) }
        usleep(300_000)
        p.terminate()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 143)
        let out = try String(contentsOfFile: outPath, encoding: .utf8)
        XCTAssertTrue(out.contains("seed=1: interrupted in "), out)
        XCTAssertTrue(out.contains("seed=3  pending"), out)
        XCTAssertTrue(out.contains("stopped: 3 of 3 runs did not finish"), out)
        XCTAssertEqual(try summary("seed=2")["status"] as? String, "interrupted")
        XCTAssertTrue(try manifest().hasSuffix("    status: interrupted\n  - name: seed=3\n    overrides:\n      - seed=3\n    status: pending\n"))
    }

    /// The cores in this process's affinity mask, as the sweep counts them.
    private func usableCores() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
            return ProcessInfo.processInfo.activeProcessorCount
        }
        let bits = line.dropFirst("Cpus_allowed:".count).compactMap(\.hexDigitValue).map(\.nonzeroBitCount).reduce(0, +)
        return min(bits, ProcessInfo.processInfo.activeProcessorCount)
    }
}
