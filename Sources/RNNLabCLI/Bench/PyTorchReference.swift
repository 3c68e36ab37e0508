// PyTorchReference: runs bench/torch_lm.py (the PyTorch model of a benchmark configuration) in a
// child process and reads the one JSON object it prints. Finding the interpreter and the script,
// and telling "torch is not importable" apart from a failure, live here; what to compare and how
// to print it is `Bench`'s. Will not: install torch, or fall back to stored figures.

import Foundation

/// What one run of bench/torch_lm.py measured.
struct PyTorchResult: Codable, Sendable {
    var trainTokensPerSec: Double
    var evalTokensPerSec: Double
    var peakRSSMB: Double
    var version: String
    var threads: Int
    var blas: String
    var cpuCapability: String
    var mkldnn: Bool
    var vocabularySize: Int

    enum CodingKeys: String, CodingKey {
        case trainTokensPerSec = "train_tok_s", evalTokensPerSec = "eval_tok_s", peakRSSMB = "peak_rss_mb"
        case version = "torch", threads = "torch_threads", blas = "torch_blas", cpuCapability = "torch_cpu_capability"
        case mkldnn, vocabularySize = "vocab"
    }

    /// "PyTorch 2.15.0 (BLAS mkl, CPU capability AVX512, oneDNN), 2 threads".
    var build: String {
        "PyTorch \(version) (BLAS \(blas), CPU capability \(cpuCapability)\(mkldnn ? ", oneDNN" : "")), \(threads) thread\(threads == 1 ? "" : "s")"
    }
}

/// The interpreter and script that measure PyTorch.
struct PyTorchReference {
    /// The exit status of bench/torch_lm.py when `import torch` fails.
    static let noTorchStatus: Int32 = 3

    /// Absolute path of the interpreter.
    var python: String
    /// Absolute path of bench/torch_lm.py.
    var script: String

    /// Outcome of one run.
    enum Outcome {
        case measured(PyTorchResult)
        /// torch did not import; `reason` is Python's error ("ModuleNotFoundError: No module named 'torch'").
        case noTorch(reason: String)
    }

    /// The interpreter `name` (a path, or a command looked up on PATH) as an absolute path.
    ///
    /// - Throws: `UserFailure` naming where the name came from when there is no such executable.
    static func resolvePython(_ name: String, from source: String) throws -> String {
        let fm = FileManager.default
        if name.contains("/") {
            if fm.isExecutableFile(atPath: name) { return name }
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            for dir in path.split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        throw UserFailure(message: "there is no python \"\(name)\" (\(source)): no such executable\(name.contains("/") ? "" : " on PATH"); name an interpreter that exists with --python PATH or RNNLAB_TORCH_PYTHON")
    }

    /// bench/torch_lm.py: `explicit` when given, else the first `bench/torch_lm.py` found in the
    /// current folder or a parent of it, or beside or above the rnnlab executable (a build
    /// folder sits inside the package).
    static func locateScript(_ explicit: String?) throws -> String {
        let fm = FileManager.default
        if let explicit {
            guard fm.fileExists(atPath: explicit) else {
                throw UserFailure(message: "--torch-script \(explicit): no such file")
            }
            return explicit
        }
        let starts = [fm.currentDirectoryPath, URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path]
        for start in starts {
            var dir = URL(fileURLWithPath: start)
            while true {
                let candidate = dir.appendingPathComponent("bench/torch_lm.py").path
                if fm.fileExists(atPath: candidate) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw UserFailure(message: "bench/torch_lm.py was not found above the current folder or the rnnlab executable; give its path with --torch-script")
    }

    /// bench/torch_lm.py's arguments for `config`.
    static func arguments(for config: BenchmarkConfiguration, dataDirectory: String?, vocabulary: Int,
                          warmup: Int, steps: Int, evalTokens: Int, threads: Int) -> [String] {
        var args = ["--cell", config.cell.torchName, "--layers", String(config.layers),
                    "--emsize", String(config.embedding), "--hidden", String(config.hidden),
                    "--bptt", String(config.bptt), "--batch", String(config.batch),
                    "--eval-batch", String(config.evalBatch), "--eval-bptt", String(Benchmark.evalChunk),
                    "--eval-tokens", String(evalTokens), "--warmup", String(warmup), "--steps", String(steps),
                    "--threads", String(threads), "--lr", "1", "--clip", "0.25",
                    "--level", config.level == .word ? "word" : "char"]
        if config.tied { args.append("--tied") }
        if let dataDirectory { args += ["--data-dir", dataDirectory] } else { args += ["--vocab", String(vocabulary)] }
        return args
    }

    /// Runs the script with `arguments` and waits for it.
    ///
    /// - Throws: `UserFailure` with the script's last line of error output when it fails for a
    ///   reason other than a missing torch.
    func run(_ arguments: [String]) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw UserFailure(message: "could not start \(python): \(error.localizedDescription)")
        }
        // Read stderr on another thread while reading stdout here, so that neither pipe fills up.
        let errors = ErrorText()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errors.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        group.wait()
        let lastLine = output.split(separator: "\n").last.map(String.init) ?? ""
        if p.terminationStatus == Self.noTorchStatus,
           let object = try? JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any],
           object["event"] as? String == "no_torch" {
            return .noTorch(reason: object["error"] as? String ?? "import torch failed")
        }
        guard p.terminationStatus == 0, let result = try? JSONDecoder().decode(PyTorchResult.self, from: Data(lastLine.utf8)) else {
            let detail = errors.lastLine.isEmpty ? "no error output" : errors.lastLine
            throw UserFailure(message: "the PyTorch reference (\(python) \(script)) failed with exit status \(p.terminationStatus): \(detail)")
        }
        return .measured(result)
    }
}

/// The error output of a child, handed from its reader thread.
private final class ErrorText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    /// The last non-empty line.
    var lastLine: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }
}
