// BLASKernelChoice: where OpenBLAS's own kernel choice is open to question — a CPU with AVX-512
// for which the library picked an AVX2 kernel, as Debian's 0.3.21 does on AMD Zen 4 and Zen 5 —
// measure the library's pick and the candidates on the model's products, each in a child process
// of its own (OpenBLAS reads OPENBLAS_CORETYPE when it loads), keep the verdict in a small cache
// file per machine, and run with the faster. A candidate must be 10 % faster to replace the
// library's pick, so noise does not flip the choice.
//
// The cache: $RNNLAB_CACHE_DIR, else $XDG_CACHE_HOME/rnnlab, else ~/.cache/rnnlab; the file
// blas-kernels.json holds one verdict per machine (CPU model, vector flags, library and its pick),
// so a home folder shared by several machines keeps each one's. `rnnlab bench --blas` measures
// again and replaces this machine's verdict; OPENBLAS_CORETYPE set by the user wins over both.
// Will not: measure other BLAS libraries (BLIS was measured by hand: docs/performance.md).

import Foundation
import RNNTensor
#if canImport(Glibc)
import Glibc
#endif

/// A machine's measured kernels and the one chosen.
struct KernelVerdict: Codable, Equatable {
    /// CPU model, vector flags, BLAS library and the kernel it picks by itself.
    var machine: String
    /// The kernel the library picks by itself.
    var defaultKernel: String
    /// GFLOP/s on the probe's products (geometric mean, one thread), by kernel.
    var rates: [String: Double]
    /// The kernel to run with.
    var chosen: String
    /// When it was measured (ISO 8601).
    var measured: String

    enum CodingKeys: String, CodingKey {
        case machine, defaultKernel = "default_kernel", rates, chosen, measured
    }

    /// Why `chosen` runs, for the run header and summary.json, e.g. "chosen by measurement:
    /// 1.87× Haswell's rate on the model's products".
    var note: String {
        guard let base = rates[defaultKernel], base > 0 else { return "chosen by measurement" }
        if chosen != defaultKernel, let rate = rates[chosen] {
            return "chosen by measurement: \(Self.ratio(rate / base)) \(defaultKernel)'s rate on the model's products"
        }
        let others = rates.filter { $0.key != defaultKernel }.sorted { $0.key < $1.key }
        let compared = others.map { "\($0.key) \(Self.ratio($0.value / base))" }.joined(separator: ", ")
        return "kept by measurement" + (compared.isEmpty ? "" : ": \(compared) its rate on the model's products")
    }

    static func ratio(_ r: Double) -> String { String(format: "%.2f×", r) }
}

/// What one probe process measured: the kernel its library chose, and GFLOP/s per probe shape.
struct ProbeResult: Codable, Equatable {
    var kernel: String
    var rates: [Double]
}

enum BLASKernelChoice {
    /// How much faster a candidate must be to replace the library's own kernel.
    static let margin = 1.10

    /// Subcommands that compute (and so deserve the faster kernel); the others start at once.
    static let computeCommands: Set<String> = ["run", "sweep", "eval", "generate", "bench"]

    /// The kernel to run with: the fastest candidate when it beats the default by `margin`.
    static func choose(defaultKernel: String, rates: [String: Double]) -> String {
        guard let base = rates[defaultKernel] else { return defaultKernel }
        let best = rates.filter { $0.key != defaultKernel }.max { $0.value < $1.value }
        if let best, best.value >= margin * base { return best.key }
        return defaultKernel
    }

    /// This machine's key in the cache.
    static func machineKey(defaultKernel: String) -> String {
        let machine = MachineDescription.current()
        return [machine.cpuModel, machine.vectorFlags.joined(separator: " "), BLASRuntime.info().library, defaultKernel]
            .joined(separator: " | ")
    }

    /// The cache folder, from the environment (nil when no home is known).
    static func cacheDirectory(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let dir = env["RNNLAB_CACHE_DIR"], !dir.isEmpty { return dir }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/rnnlab" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.cache/rnnlab" }
        return nil
    }

    static func cacheFile(in dir: String) -> String { dir + "/blas-kernels.json" }

    /// The verdicts in the cache file (none when it is absent or unreadable).
    static func loadVerdicts(from path: String) -> [KernelVerdict] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return (try? JSONDecoder().decode([KernelVerdict].self, from: data)) ?? []
    }

    /// Replaces `verdict.machine`'s entry; atomic (a temporary file renamed), silent on failure:
    /// without a cache the next run measures again.
    static func save(_ verdict: KernelVerdict, to path: String) {
        var all = loadVerdicts(from: path).filter { $0.machine != verdict.machine }
        all.append(verdict)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(all) else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// Per-shape GFLOP/s of OpenBLAS's `kernel` (nil: the library's own pick), measured by a child process
    /// (`rnnlab bench --blas-probe`), or nil when the child failed.
    static func probe(kernel: String?) -> [Double]? {
        probe(kernel: kernel, library: nil)?.rates
    }

    /// The probe of OpenBLAS's `kernel`, or of another library's sgemm (`library`, a path), in a
    /// child process; nil when the child failed.
    static func probe(kernel: String?, library: String?, environment extra: [String: String] = [:]) -> ProbeResult? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["bench", "--blas-probe"] + (library.map { ["--blas-library", $0] } ?? [])
        var env = ProcessInfo.processInfo.environment
        env["RNNLAB_NO_REEXEC"] = "1"
        env.removeValue(forKey: BLASRuntime.kernelChoiceVariable)
        if let kernel { env["OPENBLAS_CORETYPE"] = kernel } else { env.removeValue(forKey: "OPENBLAS_CORETYPE") }
        env.merge(extra) { $1 }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let result = try? JSONDecoder().decode(ProbeResult.self, from: output),
              result.rates.count == BLASProbe.shapes.count, result.rates.allSatisfy({ $0 > 0 }) else { return nil }
        return result
    }

    /// Measures the library's pick and each candidate, alternating over `rounds` so that a change
    /// of load falls on all of them; the best of the rounds per shape. Nil when a probe failed.
    static func measure(defaultKernel: String, candidates: [String], rounds: Int = 2) -> [String: [Double]]? {
        var best: [String: [Double]] = [:]
        for _ in 0..<rounds {
            for kernel in [nil] + candidates.map(Optional.some) {
                guard let rates = probe(kernel: kernel) else { return nil }
                let name = kernel ?? defaultKernel
                best[name] = best[name].map { zip($0, rates).map { max($0, $1) } } ?? rates
            }
        }
        return best
    }

    /// A verdict from per-shape rates.
    static func verdict(machine: String, defaultKernel: String, shapeRates: [String: [Double]], date: Date = Date()) -> KernelVerdict {
        let rates = shapeRates.mapValues(BLASProbe.geometricMean)
        return KernelVerdict(machine: machine, defaultKernel: defaultKernel, rates: rates,
                             chosen: choose(defaultKernel: defaultKernel, rates: rates),
                             measured: ISO8601DateFormatter().string(from: date))
    }

    /// The verdict for this machine: from the cache, or measured now (under a lock, so that the
    /// runs of a sweep started together measure once) and saved. Nil when nothing is to be
    /// compared or a measurement failed.
    static func currentVerdict(remeasure: Bool = false) -> KernelVerdict? {
        let candidates = BLASRuntime.candidateCoreTypes()
        guard !candidates.isEmpty else { return nil }
        let defaultKernel = BLASRuntime.info().kernel
        let machine = machineKey(defaultKernel: defaultKernel)
        let file = cacheDirectory().map(cacheFile)
        if !remeasure, let file, let cached = loadVerdicts(from: file).first(where: { $0.machine == machine }) { return cached }
        var lock: Int32 = -1
        if let file {
            try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            lock = open(file + ".lock", O_CREAT | O_RDWR, 0o644)
            if lock >= 0 { flock(lock, LOCK_EX) }
        }
        defer { if lock >= 0 { flock(lock, LOCK_UN); close(lock) } }
        // Another process may have measured while this one waited for the lock.
        if !remeasure, let file, let cached = loadVerdicts(from: file).first(where: { $0.machine == machine }) { return cached }
        guard let shapeRates = measure(defaultKernel: defaultKernel, candidates: candidates) else { return nil }
        let result = verdict(machine: machine, defaultKernel: defaultKernel, shapeRates: shapeRates)
        if let file { save(result, to: file) }
        return result
    }
}
