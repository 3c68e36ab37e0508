// `rnnlab bench`: training and evaluation throughput on the PyTorch reference configurations,
// with the sgemm peak measured in the same process and each configuration's peak RSS (each one
// runs in a child process of its own, so that RSS figures do not mix).

import ArgumentParser
import Foundation
import RNNData
import RNNExperiments
import RNNYAML
import RNNTensor

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training and evaluation speed against the PyTorch reference figures.",
        discussion: """
        Configurations: \(BenchmarkConfiguration.standard.map(\.name).joined(separator: ", ")).
        Word-level ones read <data-root>/ptb/ptb.{train,valid}.txt and the character one
        <data-root>/tinyshakespeare/input.txt; without them, random tokens of the same vocabulary size.
        """)

    @Option(name: .customLong("data-root"), help: "Folder holding ptb/ and tinyshakespeare/ (default: $RNNLAB_DATA, else ../shared/data).")
    var dataRoot: String?

    @Option(help: "Only this configuration.")
    var only: String?

    @Option(help: "Timed training steps per configuration.")
    var steps: Int = 200

    @Option(help: "Warm-up steps before timing.")
    var warmup: Int = 20

    @Option(help: "BLAS and softmax threads (default: all cores).")
    var threads: Int?

    @Flag(help: "One JSON object per configuration instead of a table.")
    var json = false

    @Flag(help: "Time the softmax kernels alone (700 × 10 000 Float logits, 1 and --threads threads) instead.")
    var kernels = false

    @Flag(help: .hidden)
    var child = false

    func validate() throws {
        if let only, !BenchmarkConfiguration.standard.contains(where: { $0.name == only }) {
            let names = BenchmarkConfiguration.standard.map(\.name)
            throw ValidationError(ExperimentError.unknownName(only, kind: "configuration", valid: names, keyPath: "--only").description)
        }
        guard steps >= 1, warmup >= 0 else { throw ValidationError("--steps must be ≥ 1 and --warmup ≥ 0") }
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        if kernels, let only { throw ValidationError("--kernels times the softmax kernels, not a configuration: drop --only \(only)") }
    }

    var root: String {
        dataRoot ?? ProcessInfo.processInfo.environment["RNNLAB_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "../shared/data"
    }

    func corpus(for config: BenchmarkConfiguration) throws -> Corpus? {
        let fm = FileManager.default
        switch config.level {
        case .word:
            let dir = root + "/ptb/"
            guard fm.fileExists(atPath: dir + "ptb.train.txt") else { return nil }
            func read(_ name: String) -> ([UInt8], String) { (Array(fm.contents(atPath: dir + name) ?? Data()), dir + name) }
            return try CorpusBuilder.fromSplits(train: read("ptb.train.txt"), valid: read("ptb.valid.txt"), test: read("ptb.test.txt"), level: .word)
        case .chars:
            let path = root + "/tinyshakespeare/input.txt"
            guard let data = fm.contents(atPath: path) else { return nil }
            return try CorpusBuilder.fromSingleText(Array(data), name: path, level: .chars, validFraction: 0.05, testFraction: 0.05)
        }
    }

    func run() throws {
        let threads = self.threads ?? BLASRuntime.availableCores
        if kernels {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for t in measureSoftmaxKernels(threads: threads) {
                if json { print(String(decoding: try encoder.encode(t), as: UTF8.self)); continue }
                print(String(format: "%-36@ best %8.3f ms  mean %8.3f ms  %6.2f GB/s  %6.3f ns/element", t.kernel as NSString,
                             t.bestMilliseconds, t.meanMilliseconds, t.gigabytesPerSecond, t.nanosecondsPerElement))
            }
            return
        }
        if child, let only {
            let config = BenchmarkConfiguration.standard.first { $0.name == only }!
            BLASRuntime.setThreads(threads)
            let peak = measureSgemmPeak()
            var bench = Benchmark(threads: threads, warmupSteps: warmup, timedSteps: steps)
            bench.evalTokens = 200_000
            let result = try bench.run(config, corpus: try corpus(for: config), sgemmPeak: peak)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        let names = only.map { [$0] } ?? BenchmarkConfiguration.standard.map(\.name)
        var results: [BenchmarkResult] = []
        for name in names {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            p.arguments = ["bench", "--child", "--only", name, "--steps", String(steps), "--warmup", String(warmup),
                           "--threads", String(threads), "--data-root", root]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0, let line = String(decoding: out, as: UTF8.self).split(separator: "\n").last,
                  let result = try? JSONDecoder().decode(BenchmarkResult.self, from: Data(line.utf8)) else {
                throw UserFailure(message: "the benchmark of \(name) failed (exit \(p.terminationStatus))")
            }
            if json { print(line) } else if results.isEmpty { print("BLAS: \(result.blas); \(threads) thread(s)") }
            results.append(result)
            if !json { print(Self.row(result)) }
        }
    }

    static func row(_ r: BenchmarkResult) -> String {
        func ratio(_ ours: Double, _ theirs: Double?) -> String { theirs.map { String(format: "%.2f×", ours / $0) } ?? "-" }
        return String(format: "%@: train %.0f tok/s (%@ PyTorch), eval %.0f tok/s (%@ PyTorch), %.1f GFLOP/s = %.0f%% of sgemm %.1f, peak RSS %.0f MB [%@]",
                      r.config, r.trainTokensPerSec, ratio(r.trainTokensPerSec, r.pytorchTrainTokensPerSec),
                      r.evalTokensPerSec, ratio(r.evalTokensPerSec, r.pytorchEvalTokensPerSec),
                      r.gflops, r.percentOfPeak, r.sgemmPeakGflops, r.peakRSSMB, r.data)
    }
}
