// MachineDescription: what a side-by-side benchmark prints about the machine it ran on: the CPU
// model and its vector-instruction flags (from /proc/cpuinfo), and the load average (from
// /proc/loadavg), since figures from a busy machine are not those of an idle one.
// Will not: read anything but Linux's /proc files (elsewhere it says "unknown").

import Foundation
import RNNTensor

struct MachineDescription: Codable, Sendable {
    /// "AMD EPYC 9R14" or "unknown".
    var cpuModel: String
    /// The flags that decide which kernels run: SSE4, AVX, AVX2, FMA, AVX-512*, AMX*, in /proc order.
    var vectorFlags: [String]
    var cores: Int

    enum CodingKeys: String, CodingKey {
        case cpuModel = "cpu_model", vectorFlags = "vector_flags", cores
    }

    static func current() -> MachineDescription {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var model = "unknown", flags: [String] = []
        for line in info.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "model name", model == "unknown" { model = parts[1] }
            if parts[0] == "flags", flags.isEmpty { flags = parts[1].split(separator: " ").map(String.init) }
        }
        let vector = flags.filter { f in
            f.hasPrefix("sse4") || f.hasPrefix("avx") || f == "fma" || f.hasPrefix("amx")
        }
        return MachineDescription(cpuModel: model, vectorFlags: vector, cores: BLASRuntime.availableCores)
    }

    /// "CPU: AMD EPYC, 2 cores; vector flags: sse4_1 sse4_2 avx …".
    var line: String {
        "CPU: \(cpuModel), \(cores) core\(cores == 1 ? "" : "s"); vector flags: \(vectorFlags.isEmpty ? "unknown" : vectorFlags.joined(separator: " "))"
    }

    /// The 1, 5 and 15 minute load averages, "0.52 0.80 1.10", or "unknown".
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
