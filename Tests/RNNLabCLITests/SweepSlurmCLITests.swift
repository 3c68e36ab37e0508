// End-to-end tests of `rnnlab sweep --slurm`, `--status`, random search and the size limit with
// the real binary. Slurm's commands are stand-in scripts on PATH here (sbatch records what it was
// given and answers a job id; sinfo lists partitions or fails as it does with the controller
// down), so these run everywhere; .ci/steps/slurm.sh runs Tests/Slurm/sweep-on-slurm.sh against
// a real Slurm. Each refusal is checked word for word, with nothing submitted and nothing written.

import Foundation
import RNNTestSupport
import XCTest

final class SweepSlurmCLITests: XCTestCase {
    private var scratch: ScratchFolder!
    private var folder: String { scratch.path }
    private var bin = ""

    override func setUpWithError() throws {
        scratch = ScratchFolder("sweepslurm")
        bin = folder + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try write("s.yaml", SweepCommandTests.tiny + "sweep:\n  grid: {model.tied: [true, false]}\n  seeds: 2\n")
    }

    override func tearDown() { scratch.remove() }

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }

    /// A stand-in Slurm command in `bin`.
    private func fake(_ tool: String, _ body: String) throws {
        let path = bin + "/" + tool
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// rnnlab with only the stand-ins on PATH.
    private func rnnlab(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        try RNNLabBinary.run(args, in: folder, environment: ["PATH": bin], file: file, line: line)
    }

    private func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "bin" }.sorted()
    }

    private func assertRefused(_ r: CommandResult, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderr, "rnnlab: error: " + message + "\n", file: file, line: line)
        XCTAssertEqual(try contents(), ["s.yaml"], "nothing is left behind", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bin + "/submitted"), "nothing is submitted", file: file, line: line)
    }

    static let sinfo = "echo 'main*'; echo gpu"
    static let sbatch = "echo \"$@\" >> \"${0%/*}/submitted\"; echo '42;cluster'"

    func testRefusalsBeforeAnythingIsSubmitted() throws {
        try assertRefused(try rnnlab("sweep", "s.yaml", "--slurm"),
                          "--slurm: sbatch is not installed (not found on PATH), so nothing was submitted; install Slurm's client commands or run the sweep without --slurm.")

        try fake("sbatch", Self.sbatch)
        try fake("sinfo", "echo 'slurm_load_partitions: Unable to contact slurm controller (connect failure)' >&2; exit 1")
        try assertRefused(try rnnlab("sweep", "s.yaml", "--slurm"),
                          "--slurm: the Slurm controller does not answer (sinfo: slurm_load_partitions: Unable to contact slurm controller (connect failure)); start slurmctld or run the sweep without --slurm.")

        try fake("sinfo", Self.sinfo)
        try assertRefused(try rnnlab("sweep", "s.yaml", "--slurm", "--partition", "mian"),
                          "--partition: unknown partition \"mian\"; did you mean main? (valid: gpu, main)")
        try assertRefused(try rnnlab("sweep", "s.yaml", "--slurm", "--partition", "bigmem"),
                          "--partition: unknown partition \"bigmem\" (valid: gpu, main)")

        let time = try rnnlab("sweep", "s.yaml", "--slurm", "--time", "90m")
        XCTAssertEqual(time.status, 64)
        XCTAssertEqual(time.stderr, "rnnlab: error: --time 90m is not a Slurm time limit; write minutes (90), hours:minutes:seconds (1:30:00) or days-hours:minutes (2-12:00); see 'rnnlab sweep --help'.\n")

        try write("s.yaml", SweepCommandTests.tiny + "sweep:\n  seeds: 2\n  slurm: {time: 1h}\n")
        try assertRefused(try rnnlab("sweep", "s.yaml", "--slurm"),
                          "s.yaml:7:17: sweep.slurm.time: 1h is not a Slurm time limit; write minutes (90), hours:minutes:seconds (1:30:00) or days-hours:minutes (2-12:00).")
    }

    func testSubmissionWritesTheScriptAndReturnsTheJobID() throws {
        try fake("sbatch", Self.sbatch)
        try fake("sinfo", Self.sinfo)
        try write("s.yaml", SweepCommandTests.tiny + "sweep:\n  grid: {model.tied: [true, false]}\n  seeds: 2\n"
                  + "  slurm: {partition: gpu, time: \"0:20:00\", cpus_per_task: 4, parallelism: 3}\n")
        let r = try rnnlab("sweep", "s.yaml", "--slurm", "--mem", "2G", "--jobs", "2", "--sbatch=--qos=low", "--partition", "main")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("42\ntiny: submitted Slurm job 42, 4 tasks (--array=1-4%3) for 4 of 4 runs → results/tiny\n"), r.stdout)
        XCTAssertEqual(try String(contentsOfFile: bin + "/submitted", encoding: .utf8), "--parsable results/tiny/slurm/array.sh\n")

        let script = try String(contentsOfFile: folder + "/results/tiny/slurm/array.sh", encoding: .utf8)
        let root = folder + "/results/tiny"
        for line in ["#SBATCH --job-name=tiny", "#SBATCH --array=1-4%3", "#SBATCH --cpus-per-task=4",
                     "#SBATCH --output=\(root)/slurm/logs/%A_%a.out", "#SBATCH --error=\(root)/slurm/logs/%A_%a.err",
                     "#SBATCH --chdir=\(folder)", "#SBATCH --partition=main", "#SBATCH --time=0:20:00", "#SBATCH --mem=2G",
                     "#SBATCH --qos=low"] {
            XCTAssertTrue(script.contains(line + "\n"), line)
        }
        XCTAssertTrue(script.contains(" sweep s.yaml --results results --jobs 2 --cores 4 --shard \"$SLURM_ARRAY_TASK_ID/4\"\n"), script)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/slurm/logs"))
        XCTAssertEqual(try String(contentsOfFile: root + "/slurm/jobs.tsv", encoding: .utf8),
                       "job\tarray\tshards\tcommand\n42\t1-4%3\t4\trnnlab sweep s.yaml --slurm --mem 2G --jobs 2 --sbatch=--qos=low --partition main\n")

        // Run one shard by hand (as task 2 would), then ask for the status: Slurm's squeue answers.
        let shard = try RNNLabBinary.run(["sweep", "s.yaml", "--shard", "2/4", "--cores", "1"], in: folder)
        XCTAssertEqual(shard.status, 0, shard.stderr)
        try fake("squeue", "echo '42_2 COMPLETED None'; echo '42_1 RUNNING None'; echo '42_[3-4%3] PENDING JobArrayTaskLimit'")
        let status = try rnnlab("sweep", "--status", "results/tiny")
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertEqual(status.stdout, """
            tiny: 4 runs → results/tiny
            #  run                status     note
            -  -----------------  ---------  ----
            1  tied=true,seed=1   pending
            2  tied=true,seed=2   completed
            3  tied=false,seed=1  pending
            4  tied=false,seed=2  pending
            completed 1, pending 3
            Slurm job 42 (--array=1-4%3, submission 1): tasks RUNNING 1; COMPLETED 2; PENDING [3-4%3]; task logs in results/tiny/slurm/logs
            3 runs did not finish; run them (resuming interrupted ones from their checkpoints), from \(folder), with: rnnlab sweep s.yaml --slurm --mem 2G --jobs 2 --sbatch=--qos=low --partition main

            """)

        // Submitting again leaves out the shard that finished.
        let again = try rnnlab("sweep", "s.yaml", "--slurm")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("3 tasks (--array=1,3-4%3) for 3 of 4 runs"), again.stdout)
    }

    func testStatusNamesFailedRunsWithTheirLogsAndDivergedOnes() throws {
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
        let r = try RNNLabBinary.run(["sweep", "s.yaml", "--jobs", "2"], in: folder)
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("train=a.txt,lr=1: completed"), r.stdout)
        let status = try rnnlab("sweep", "--status", "results/tiny")
        XCTAssertEqual(status.status, 0, status.stderr)
        let lines = status.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[3], "1  train=missing.txt,lr=1      failed     log: results/tiny/logs/train=missing.txt,lr=1.log")
        XCTAssertEqual(lines[5], "3  train=a.txt,lr=1            completed")
        XCTAssertTrue(lines[6].hasPrefix("4  train=a.txt,lr=1.0e9        diverged   diverged at step "), lines[6])
        XCTAssertEqual(lines[7], "completed 1, diverged 1, failed 2")
        XCTAssertTrue(lines[8].hasPrefix("failed: train=missing.txt,lr=1: "), lines[8])
        XCTAssertTrue(lines[8].hasPrefix("failed: train=missing.txt,lr=1: --set data.train=missing.txt:1:12: data.train: \"missing.txt\" does not exist in"), lines[8])
        XCTAssertTrue(lines[8].hasSuffix("(log: results/tiny/logs/train=missing.txt,lr=1.log)"), lines[8])
        XCTAssertEqual(lines.last, "2 runs did not finish; run them (resuming interrupted ones from their checkpoints), from \(folder), with: rnnlab sweep s.yaml --jobs 2")
    }

    func testAHugeSweepIsRefusedAtOnceNamingItsSize() throws {
        let values = "[" + (1...40).map(String.init).joined(separator: ", ") + "]"
        let keys = ["training.optimizer.lr", "training.clip", "training.bptt", "training.batch_size", "model.hidden_size", "model.embedding_size"]
        let untied = SweepCommandTests.tiny.replacingOccurrences(of: "tied: true", with: "tied: false")
        try write("s.yaml", untied + "sweep:\n  grid:\n" + keys.map { "    \($0): \(values)\n" }.joined())
        let started = Date()
        let r = try RNNLabBinary.run(["sweep", "s.yaml", "--dry-run"], in: folder)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "rnnlab: error: s.yaml: the sweep has 4096000000 runs (40 × 40 × 40 × 40 × 40 × 40), more than the limit of 100000; make it smaller, or raise the limit with --set sweep.max_runs=N or max_runs: N in its sweep section.\n")
        XCTAssertEqual(try contents(), ["s.yaml"])

        // With the limit raised, a shard's dry run and a submission's dry run print what they list, at once.
        let raised = Date()
        let shard = try RNNLabBinary.run(["sweep", "s.yaml", "--dry-run", "--set", "sweep.max_runs=5000000000", "--shard", "3/1000"], in: folder)
        XCTAssertEqual(shard.status, 0, shard.stderr)
        XCTAssertTrue(shard.stdout.hasPrefix("tiny: 4096000000 runs, 4096000 in shard 3/1000 → results/tiny\n"), shard.stdout)
        XCTAssertTrue(shard.stdout.contains("\n     3  lr=1,clip=1,bptt=1,batch_size=1,hidden_size=1,embedding_size=3     pending  would run\n"), shard.stdout)
        XCTAssertTrue(shard.stdout.contains("(the first 1000 of 4096000 runs are listed)\nwould run 4096000 of 4096000 runs, up to 1 at a time.\n"), shard.stdout)
        try fake("sbatch", Self.sbatch)
        try fake("sinfo", Self.sinfo)
        let slurm = try rnnlab("sweep", "s.yaml", "--slurm", "--dry-run", "--set", "sweep.max_runs=5000000000")
        XCTAssertEqual(slurm.status, 0, slurm.stderr)
        XCTAssertTrue(slurm.stdout.hasSuffix("would submit 1000 tasks (--array=1-1000) for 4096000000 of 4096000000 runs.\n"), slurm.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(raised), 20)
        XCTAssertEqual(try contents(), ["s.yaml"])
    }

    func testRandomSearchRunsAreReproducibleAndNamedBySample() throws {
        try write("s.yaml", SweepCommandTests.tiny + """
            sweep:
              random:
                samples: 3
                seed: 5
                keys:
                  training.optimizer.lr: {log_uniform: [0.1, 20]}
                  training.bptt: {int_uniform: [5, 12]}
                  model.tied: {choice: [true, false]}
              seeds: 2

            """)
        let first = try RNNLabBinary.run(["sweep", "s.yaml", "--dry-run"], in: folder)
        XCTAssertEqual(first.status, 0, first.stderr)
        let again = try RNNLabBinary.run(["sweep", "s.yaml", "--dry-run"], in: folder)
        XCTAssertEqual(first.stdout, again.stdout)
        let names = first.stdout.split(separator: "\n").dropFirst(3).prefix(6).map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
        XCTAssertEqual(names.count, 6)
        for (i, name) in names.enumerated() {
            XCTAssertTrue(name.hasPrefix("sample=\(i / 2 + 1),lr="), String(name))
            XCTAssertTrue(name.hasSuffix(",seed=\(i % 2 + 1)"), String(name))
        }
        XCTAssertEqual(names[0].dropLast(7), names[1].dropLast(7), "seeds repeat the same sample")
        XCTAssertTrue(first.stdout.contains("would run 6 of 6 runs"), first.stdout)

        // More samples keep the first ones.
        try write("s.yaml", try String(contentsOfFile: folder + "/s.yaml", encoding: .utf8).replacingOccurrences(of: "samples: 3", with: "samples: 4"))
        let more = try RNNLabBinary.run(["sweep", "s.yaml", "--dry-run"], in: folder)
        let moreNames = more.stdout.split(separator: "\n").dropFirst(3).prefix(6).map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
        XCTAssertEqual(moreNames, names)
    }

    func testTheReportPlotsEachSampledKey() throws {
        try write("s.yaml", SweepCommandTests.tiny + """
            sweep:
              random:
                samples: 3
                keys:
                  training.optimizer.lr: {log_uniform: [0.1, 5]}
                  training.clip: {uniform: [0.5, 5]}

            """)
        let sweep = try RNNLabBinary.run(["sweep", "s.yaml", "--jobs", "2"], in: folder)
        XCTAssertEqual(sweep.status, 0, sweep.stderr)
        let report = try RNNLabBinary.run(["report", "results/tiny"], in: folder)
        XCTAssertEqual(report.status, 0, report.stderr)
        for plot in ["ppl-vs-lr.svg", "ppl-vs-clip.svg"] {
            let svg = try String(contentsOfFile: folder + "/results/tiny/" + plot, encoding: .utf8)
            // Each sampled key gets its own plot (two sampled keys pair one-to-one, yet neither hides the other).
            XCTAssertTrue(svg.contains("test perplexity against "), plot)
        }
        let csv = try String(contentsOfFile: folder + "/results/tiny/runs.csv", encoding: .utf8)
        XCTAssertTrue(csv.split(separator: "\n")[0].contains("training.optimizer.lr,training.clip"), csv)
        XCTAssertEqual(csv.split(separator: "\n").count, 4)
    }

    func testRandomSearchMistakesAreOneSentence() throws {
        func refused(_ keys: String, _ message: String, line: UInt = #line) throws {
            try write("s.yaml", SweepCommandTests.tiny + "sweep:\n  random:\n    samples: 4\n    keys: {\(keys)}\n")
            let r = try RNNLabBinary.run(["sweep", "s.yaml", "--dry-run"], in: folder)
            XCTAssertEqual(r.status, 1, line: line)
            XCTAssertEqual(r.stderr, "rnnlab: error: " + message + "\n", line: line)
            XCTAssertEqual(try contents(), ["s.yaml"], line: line)
        }
        try refused("training.optimizer.lr: {log_unifrom: [0.1, 20]}",
                    "s.yaml:8:36: sweep.random.keys.training.optimizer.lr.log_unifrom: unknown distribution; did you mean log_uniform? (valid: choice, int_uniform, log_uniform, uniform)")
        try refused("training.optimizer.lr: {log_uniform: [20, 0.1]}",
                    "s.yaml:8:49: sweep.random.keys.training.optimizer.lr.log_uniform: the range [20, 0.1] is reversed; write the lower bound first: [0.1, 20].")
        try refused("training.clip: {uniform: [1, 1]}",
                    "s.yaml:8:37: sweep.random.keys.training.clip.uniform: the range [1, 1] is empty; give a lower and a higher bound, or set the key to 1 with set: or --set.")
        try refused("model.hidden_size: {choice: []}",
                    "s.yaml:8:40: sweep.random.keys.model.hidden_size.choice: the list of choices is empty; list at least one value.")
        try refused("training.optimizer.lr: {log_uniform: [0, 1]}",
                    "s.yaml:8:49: sweep.random.keys.training.optimizer.lr.log_uniform: the range [0, 1] reaches 0 or below, where a logarithm has no value; give bounds above 0.")
    }
}
