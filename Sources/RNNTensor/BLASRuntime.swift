// BLASRuntime: which BLAS library and kernel this process runs, how many threads it uses, and
// whether the library picked a slower kernel than the CPU supports.
//
// OpenBLAS chooses its kernel when it is loaded, from the CPU's identity. Some builds (Debian's
// 0.3.21 among them) misdetect recent CPUs as an old core ("Prescott") and run ~7× slower.
// The only fix is the environment variable OPENBLAS_CORETYPE, read at load time, so the
// correction (a re-exec) belongs at the process edge: see `recommendedCoreType()`; this file
// never re-executes anything itself.
import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// What the BLAS in use says about itself.
public struct BLASInfo: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Library and version, e.g. "OpenBLAS 0.3.21".
    public var library: String
    /// The kernel (core type) the library selected, e.g. "SkylakeX".
    public var kernel: String
    /// Threads the library will use for one call.
    public var threads: Int
    /// Why this kernel runs when it is not the library's own pick, e.g. "OPENBLAS_CORETYPE=Haswell
    /// from the environment"; nil when the library chose it.
    public var choice: String?

    public init(library: String, kernel: String, threads: Int, choice: String? = nil) {
        self.library = library
        self.kernel = kernel
        self.threads = threads
        self.choice = choice
    }

    public var description: String {
        "\(library), \(kernel) kernels\(choice.map { " (\($0))" } ?? ""), \(threads) thread\(threads == 1 ? "" : "s")"
    }
}

/// Queries and settings of the process's BLAS library.
public enum BLASRuntime {
    /// The library, kernel and thread count currently in force.
    public static func info() -> BLASInfo {
        let config = String(cString: openblas_get_config())
        let words = config.split(separator: " ")
        let library = words.count >= 2 ? "\(words[0]) \(words[1])" : config
        return BLASInfo(library: library, kernel: String(cString: openblas_get_corename()),
                        threads: Int(openblas_get_num_threads()), choice: kernelChoice())
    }

    /// Why the kernel in use runs, from the environment OpenBLAS read when it loaded: nil when
    /// OPENBLAS_CORETYPE is unset (the library's own pick).
    static func kernelChoice() -> String? {
        guard let value = getenv("OPENBLAS_CORETYPE"), value.pointee != 0 else { return nil }
        let core = String(cString: value)
        if getenv("RNNLAB_REEXECUTED") != nil { return "OPENBLAS_CORETYPE=\(core) set by rnnlab over a legacy pick" }
        return "OPENBLAS_CORETYPE=\(core) from the environment"
    }

    /// Sets the number of threads each BLAS call may use (at least 1).
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// Cores online on this machine.
    public static var availableCores: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Kernels that predate AVX2/FMA. A CPU with AVX-512 or AVX2 running one of these was misdetected.
    static let legacyKernels: Set<String> = [
        "prescott", "katmai", "coppermine", "northwood", "core2", "penryn", "dunnington",
        "nehalem", "atom", "opteron", "opteron_sse3", "barcelona", "bobcat", "sandybridge",
        "bulldozer", "piledriver", "steamroller", "excavator", "generic", "unknown",
    ]

    /// The OPENBLAS_CORETYPE that would give this CPU its fast kernels, when the library chose
    /// a legacy kernel although the CPU can do better; `nil` when the choice is already right.
    ///
    /// - Parameters:
    ///   - kernel: the kernel the library reports (defaults to the live one).
    ///   - cpuFlags: the CPU's feature flags (defaults to those in /proc/cpuinfo).
    /// AVX-512 kernels are recommended only when the CPU has avx512f, avx512bw, avx512dq and
    /// avx512vl (forcing them elsewhere crashes); otherwise Haswell's when it has avx2 and fma.
    public static func recommendedCoreType(kernel: String? = nil, cpuFlags: Set<String>? = nil) -> String? {
        let kernel = (kernel ?? info().kernel).lowercased()
        guard legacyKernels.contains(kernel) else { return nil }
        let flags = cpuFlags ?? cpuFeatureFlags()
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// OpenBLAS's AVX-512 kernels.
    static let avx512Kernels: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// Core types worth measuring beside `kernel` (`rnnlab bench --blas`), which is not a legacy
    /// one (`recommendedCoreType` corrects those): on a CPU with AVX-512 (avx512f, bw, dq and vl)
    /// running an AVX2 kernel, OpenBLAS's AVX-512 kernels, "SkylakeX". Whether they are faster
    /// depends on the CPU (Zen 5 runs 512-bit vectors at full width, Zen 4 in two halves), and
    /// where the environment pins an AVX2 kernel it may have a reason (see docs/performance.md):
    /// this is for measuring, rnnlab never forces them. Empty when there is nothing to compare.
    public static func candidateCoreTypes(kernel: String? = nil, cpuFlags: Set<String>? = nil) -> [String] {
        let kernel = (kernel ?? info().kernel).lowercased()
        guard !legacyKernels.contains(kernel), !avx512Kernels.contains(kernel) else { return [] }
        let flags = cpuFlags ?? cpuFeatureFlags()
        guard ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) else { return [] }
        return ["SkylakeX"]
    }

    /// The feature flags of the first CPU in /proc/cpuinfo (empty when unreadable).
    public static func cpuFeatureFlags() -> Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var cap = 0
        defer { free(line) }
        while getline(&line, &cap, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                let parts = text.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { return [] }
                return Set(parts[1].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            }
        }
        return []
    }
}
