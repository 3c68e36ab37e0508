// `rnnlab bench`: training and evaluation throughput on fixed configurations, with the sgemm peak
// measured in the same process and each configuration's peak RSS (each one runs in a child
// process of its own, so that RSS figures do not mix). With `--against pytorch`, the PyTorch
// reference (bench/torch_lm.py) runs the same configurations in the same invocation, repeats
// alternating with rnnlab's, and the ratio is made from those figures only.

import ArgumentParser
import Foundation
import RNNData
import RNNExperiments
import RNNYAML
import RNNTensor

struct Bench: ParsableCommand {
    /// What `--against` can run beside rnnlab.
    enum Peer: String, ExpressibleByArgument, CaseIterable {
        case pytorch
    }

    static let configuration = CommandConfiguration(
        abstract: "Measure training and evaluation speed, alone or side by side with PyTorch.",
        discussion: """
        Configurations: \(BenchmarkConfiguration.standard.map(\.name).joined(separator: ", ")).
        Word-level ones read <data-root>/ptb/ptb.{train,valid}.txt and the character one
        <data-root>/tinyshakespeare/input.txt; without them, random tokens of the same vocabulary size.
        --against pytorch runs bench/torch_lm.py with --python (default: $RNNLAB_TORCH_PYTHON, else
        python3) on the same configurations, alternating repeats with rnnlab's, and prints both
        figures, their ratio, the CPU and both BLAS builds; without an importable torch it prints
        rnnlab's figures and says that no ratio is given.
        """)

    @Option(name: .customLong("data-root"), help: "Folder holding ptb/ and tinyshakespeare/ (default: $RNNLAB_DATA, else ../shared/data).")
    var dataRoot: String?

    @Option(help: "Only this configuration (repeat the option for several).")
    var only: [String] = []

    @Option(help: "Timed training steps per configuration.")
    var steps: Int = 200

    @Option(help: "Warm-up steps before timing.")
    var warmup: Int = 20

    @Option(name: .customLong("eval-tokens"), help: "Validation tokens the timed evaluation scores (a prefix of the split).")
    var evalTokens: Int = 200_000

    @Option(help: "BLAS and softmax threads (default: all cores).")
    var threads: Int?

    @Option(help: "Run this peer on the same configurations, alternating repeats with rnnlab's.")
    var against: Peer?

    @Option(help: "Repeats of each configuration (default: 3 with --against, else 1); with --blas, rounds over the kernels (default 3).")
    var repeats: Int?

    @Option(help: "The Python interpreter with torch, for --against pytorch (default: $RNNLAB_TORCH_PYTHON, else python3).")
    var python: String?

    @Option(name: .customLong("torch-script"), help: "Path of bench/torch_lm.py (default: found above the current folder or the rnnlab executable).")
    var torchScript: String?

    @Flag(help: "One JSON object per configuration instead of a table.")
    var json = false

    @Flag(help: "Time the softmax kernels alone (700 × 10 000 Float logits, 1 and --threads threads) instead.")
    var kernels = false

    @Flag(help: "Measure the BLAS kernels this machine could run on the model's products, one thread each: OpenBLAS as rnnlab runs it, OpenBLAS's own pick when OPENBLAS_CORETYPE overrides it, its AVX-512 kernels on an AVX-512 CPU given AVX2 ones, and BLIS when installed.")
    var blas = false

    @Flag(help: .hidden)
    var child = false

    /// Prints this process's per-shape sgemm rates and kernel as JSON (the kernel-choice probe).
    @Flag(name: .customLong("blas-probe"), help: .hidden)
    var blasProbe = false

    /// With --blas-probe: measure this library's cblas_sgemm (loaded with dlopen) instead of OpenBLAS's.
    @Option(name: .customLong("blas-library"), help: .hidden)
    var blasLibrary: String?

    func validate() throws {
        let names = BenchmarkConfiguration.standard.map(\.name)
        for name in only where !names.contains(name) {
            throw ValidationError(ExperimentError.unknownName(name, kind: "configuration", valid: names, keyPath: "--only").description)
        }
        guard steps >= 1, warmup >= 0 else { throw ValidationError("--steps must be ≥ 1 and --warmup ≥ 0") }
        guard evalTokens >= 2 else { throw ValidationError("--eval-tokens must be ≥ 2, got \(evalTokens)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        if let repeats, repeats < 1 { throw ValidationError("--repeats must be ≥ 1, got \(repeats)") }
        if blas, let first = only.first { throw ValidationError("--blas measures the BLAS kernels, not a configuration: drop --only \(first)") }
        if blas, kernels || against != nil { throw ValidationError("--blas measures the BLAS kernels alone: drop \(kernels ? "--kernels" : "--against")") }
        if kernels, let first = only.first { throw ValidationError("--kernels times the softmax kernels, not a configuration: drop --only \(first)") }
        if kernels, against != nil { throw ValidationError("--kernels times rnnlab's softmax kernels alone: drop --against") }
        if against == nil, python != nil { throw ValidationError("--python names the interpreter for --against pytorch; add --against pytorch or drop --python") }
        if against == nil, torchScript != nil { throw ValidationError("--torch-script is for --against pytorch; add --against pytorch or drop --torch-script") }
    }

    var root: String {
        dataRoot ?? ProcessInfo.processInfo.environment["RNNLAB_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "../shared/data"
    }

    /// The folder holding `config`'s corpus, when its files are there.
    func dataDirectory(for config: BenchmarkConfiguration) -> String? {
        let fm = FileManager.default
        switch config.level {
        case .word:
            let dir = root + "/ptb"
            return fm.fileExists(atPath: dir + "/ptb.train.txt") ? dir : nil
        case .chars:
            let dir = root + "/tinyshakespeare"
            return fm.fileExists(atPath: dir + "/input.txt") ? dir : nil
        }
    }

    func corpus(for config: BenchmarkConfiguration) throws -> Corpus? {
        guard let dir = dataDirectory(for: config) else { return nil }
        let fm = FileManager.default
        switch config.level {
        case .word:
            func read(_ name: String) -> ([UInt8], String) { (Array(fm.contents(atPath: dir + "/" + name) ?? Data()), dir + "/" + name) }
            return try CorpusBuilder.fromSplits(train: read("ptb.train.txt"), valid: read("ptb.valid.txt"), test: read("ptb.test.txt"), level: .word)
        case .chars:
            let path = dir + "/input.txt"
            guard let data = fm.contents(atPath: path) else { return nil }
            return try CorpusBuilder.fromSingleText(Array(data), name: path, level: .chars, validFraction: 0.05, testFraction: 0.05)
        }
    }

    func run() throws {
        // Each line as it is printed, also into a file or a pipe: a side-by-side run takes minutes,
        // and `rnnlab bench … > log` should show its repeats as they finish, not all at the end.
        Self.lineBufferStandardOutput()
        if blasProbe {
            var result = ProbeResult(kernel: BLASRuntime.info().kernel, rates: [])
            if let blasLibrary {
                guard let other = OtherBLAS(path: blasLibrary) else {
                    throw UserFailure(message: "\(blasLibrary) could not be loaded, or has no cblas_sgemm")
                }
                result = ProbeResult(kernel: other.kernel, rates: other.rates())
            } else {
                result.rates = BLASProbe.rates()
            }
            print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            return
        }
        if blas { return try measureKernels() }
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
        if child, let only = only.first {
            let config = BenchmarkConfiguration.standard.first { $0.name == only }!
            BLASRuntime.setThreads(threads)
            let peak = measureSgemmPeak()
            var bench = Benchmark(threads: threads, warmupSteps: warmup, timedSteps: steps)
            bench.evalTokens = evalTokens
            let result = try bench.run(config, corpus: try corpus(for: config), sgemmPeak: peak)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        let configs = only.isEmpty ? BenchmarkConfiguration.standard
                                   : only.map { name in BenchmarkConfiguration.standard.first { $0.name == name }! }
        if against == .pytorch {
            try sideBySide(configs, threads: threads)
            return
        }
        var first = true
        for config in configs {
            for _ in 0..<(repeats ?? 1) {
                let (result, line) = try measure(config, threads: threads)
                if json { print(line); continue }
                if first { print("BLAS: \(result.blas); \(threads) thread(s)") }
                first = false
                print(Self.row(result))
            }
        }
    }

    /// Makes C's `stdout`, which `print` writes through, flush at every newline. Swift 6 refuses a
    /// reference to the C global `stdout` (shared mutable state), so its address comes from the
    /// dynamic linker (glibc's RTLD_DEFAULT is the null handle).
    static func lineBufferStandardOutput() {
        guard let symbol = dlsym(nil, "stdout") else { return }
        setvbuf(symbol.load(as: UnsafeMutablePointer<FILE>.self), nil, _IOLBF, 0)
    }

    /// Measures `config` in a child process of its own; the result and its JSON line.
    func measure(_ config: BenchmarkConfiguration, threads: Int) throws -> (BenchmarkResult, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        p.arguments = ["bench", "--child", "--only", config.name, "--steps", String(steps), "--warmup", String(warmup),
                       "--eval-tokens", String(evalTokens), "--threads", String(threads), "--data-root", root]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let line = String(decoding: out, as: UTF8.self).split(separator: "\n").last.map(String.init),
              let result = try? JSONDecoder().decode(BenchmarkResult.self, from: Data(line.utf8)) else {
            throw UserFailure(message: "the benchmark of \(config.name) failed (exit \(p.terminationStatus))")
        }
        return (result, line)
    }

    /// `--against pytorch`: for each configuration, `repeats` runs each of rnnlab and the PyTorch
    /// reference, alternating (rnnlab, PyTorch, rnnlab, …), so that a change of load on a shared
    /// machine falls on both; then medians and their ratio.
    func sideBySide(_ configs: [BenchmarkConfiguration], threads: Int) throws {
        let env = ProcessInfo.processInfo.environment["RNNLAB_TORCH_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        let (name, source) = python.map { ($0, "--python") } ?? env.map { ($0, "RNNLAB_TORCH_PYTHON") } ?? ("python3", "the default")
        let reference = PyTorchReference(python: try PyTorchReference.resolvePython(name, from: source),
                                         script: try PyTorchReference.locateScript(torchScript))
        let repeats = self.repeats ?? 3
        let machine = MachineDescription.current()
        BLASRuntime.setThreads(threads)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if json {
            print(String(decoding: try encoder.encode(machine), as: UTF8.self))
        } else {
            print(machine.line)
            print("rnnlab: \(BLASRuntime.info())")
            print("load average (1, 5, 15 min) before: \(MachineDescription.loadAverage())")
            print("\(repeats) repeat\(repeats == 1 ? "" : "s") each, alternating rnnlab and PyTorch; figures are medians, peak RSS the largest, ratio = rnnlab / PyTorch")
        }
        var noTorch: String?
        var rows: [SideBySide] = []
        for config in configs {
            var ours: [BenchmarkResult] = [], theirs: [PyTorchResult] = []
            for k in 1...repeats {
                let (result, _) = try measure(config, threads: threads)
                ours.append(result)
                if !json { print(Self.repeatLine(config.name, "rnnlab", k, result.trainTokensPerSec, result.evalTokensPerSec, result.peakRSSMB)) }
                guard noTorch == nil else { continue }
                let arguments = PyTorchReference.arguments(
                    for: config, dataDirectory: result.data == "corpus" ? dataDirectory(for: config) : nil,
                    vocabulary: result.vocabularySize, warmup: warmup, steps: steps, evalTokens: evalTokens, threads: threads)
                switch try reference.run(arguments) {
                case .measured(let t):
                    if t.vocabularySize != result.vocabularySize {
                        throw UserFailure(message: "the PyTorch reference read a vocabulary of \(t.vocabularySize) for \(config.name), rnnlab \(result.vocabularySize): they did not measure the same model")
                    }
                    theirs.append(t)
                    if !json { print(Self.repeatLine(config.name, "PyTorch", k, t.trainTokensPerSec, t.evalTokensPerSec, t.peakRSSMB)) }
                case .noTorch(let reason):
                    noTorch = reason
                }
            }
            let row = SideBySide(config: config.name, rnnlab: ours, pytorch: theirs, loadAverage: MachineDescription.loadAverage())
            rows.append(row)
            if json { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
        }
        if json { return }
        if let noTorch {
            print("PyTorch: torch is not importable by \(reference.python) (\(noTorch)), so no ratio is given; name an interpreter with torch with --python or RNNLAB_TORCH_PYTHON")
        } else if let build = rows.lazy.compactMap({ $0.pytorch.first }).first?.build {
            print("\(build); python \(reference.python)")
        }
        print("load average (1, 5, 15 min) after: \(MachineDescription.loadAverage())")
        print(SideBySide.table(rows).markdown(), terminator: "")
    }

    static func repeatLine(_ config: String, _ who: String, _ k: Int, _ train: Double, _ eval: Double, _ rss: Double) -> String {
        String(format: "%@ %@ #%d: train %.0f tok/s, eval %.0f tok/s, peak RSS %.0f MB", config, who, k, train, eval, rss)
    }

    /// rnnlab's figures alone: no PyTorch column, since stored figures of another machine are
    /// never divided by (`--against pytorch` measures both).
    static func row(_ r: BenchmarkResult) -> String {
        String(format: "%@: train %.0f tok/s, eval %.0f tok/s, %.1f GFLOP/s = %.0f%% of sgemm %.1f, peak RSS %.0f MB [%@]",
               r.config, r.trainTokensPerSec, r.evalTokensPerSec, r.gflops, r.percentOfPeak, r.sgemmPeakGflops, r.peakRSSMB, r.data)
    }
}
