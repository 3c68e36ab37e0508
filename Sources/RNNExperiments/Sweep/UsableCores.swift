// UsableCores: how many CPU cores this process may run on — the cores online, narrowed to its
// CPU affinity mask (which `taskset`, Slurm's `--cpus-per-task` and container cpusets set).
// A sweep divides these among its workers. It will not read cgroup CPU quotas.

import Foundation
import RNNTensor

/// The cores this process may use.
public enum UsableCores {
    /// The number of cores in this process's affinity mask (from `/proc/self/status`), never more
    /// than the cores online; the cores online when the mask cannot be read. At least 1.
    public static var count: Int {
        let online = BLASRuntime.availableCores
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let allowed = affinityCount(procStatus: status) else { return online }
        return max(1, min(online, allowed))
    }

    /// The number of bits set in the `Cpus_allowed:` line of a `/proc/<pid>/status` text
    /// (a hex mask in comma-separated 32-bit groups, e.g. `ff,ffffffff`); nil when absent or
    /// malformed.
    static func affinityCount(procStatus: String) -> Int? {
        guard let line = procStatus.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        let mask = line.dropFirst("Cpus_allowed:".count).filter { !$0.isWhitespace && $0 != "," }
        guard !mask.isEmpty else { return nil }
        var bits = 0
        for c in mask {
            guard let v = c.hexDigitValue else { return nil }
            bits += v.nonzeroBitCount
        }
        return bits > 0 ? bits : nil
    }
}
