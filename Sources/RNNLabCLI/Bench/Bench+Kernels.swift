// `rnnlab bench --blas`: the BLAS kernels this machine could run, measured on the model's
// products (BLASProbe), each in a child process of its own (OpenBLAS reads OPENBLAS_CORETYPE when
// it loads), alternating over rounds (--repeats, default 3), best of them, on the thread's CPU time:
//   - OpenBLAS as this process runs it (with the environment's OPENBLAS_CORETYPE, if any);
//   - OpenBLAS's own pick, when the environment overrides it;
//   - OpenBLAS's AVX-512 kernels, on a CPU with AVX-512 running AVX2 ones;
//   - BLIS (Debian's libblis-dev), when installed, with its own choice of kernel (and with the
//     BLIS_ARCH_TYPE of the environment, if set).
// It measures and says which rnnlab runs with; it changes nothing (see docs/performance.md).

import Foundation
import RNNTensor

/// What one probe process measured: the kernel its library chose, and GFLOP/s per probe shape.
struct ProbeResult: Codable, Equatable {
    var kernel: String
    var rates: [Double]
}

/// One column of the table: how to start the probe.
struct ProbeColumn {
    var label: String
    /// OPENBLAS_CORETYPE for the child: nil keeps this process's environment, "" removes it.
    var coreType: String?
    /// Another library to measure instead of OpenBLAS.
    var library: String?
}

extension Bench {
    func measureKernels() throws {
        print(MachineDescription.current().line)
        let running = BLASRuntime.info()
        print("rnnlab runs \(running.library), \(running.kernel) kernels" + (running.choice.map { " (\($0))" } ?? " (the library's own pick)"))
        var columns = [ProbeColumn(label: "OpenBLAS \(running.kernel)", coreType: nil, library: nil)]
        if running.choice != nil { columns.append(ProbeColumn(label: "OpenBLAS own pick", coreType: "", library: nil)) }
        for core in BLASRuntime.candidateCoreTypes(kernel: running.kernel) {
            columns.append(ProbeColumn(label: "OpenBLAS \(core)", coreType: core, library: nil))
        }
        if let blis = OtherBLAS.installedBLIS() {
            columns.append(ProbeColumn(label: "BLIS", coreType: nil, library: blis))
        } else {
            print("BLIS is not installed (Debian: libblis-dev): not measured")
        }
        let rounds = repeats ?? 3
        print("one thread, the thread's CPU time, best of \(rounds) round\(rounds == 1 ? "" : "s") alternating the columns…")
        var best = [[Double]](repeating: [], count: columns.count)
        for _ in 0..<rounds {
            for (i, column) in columns.enumerated() {
                guard let result = Self.probe(column) else {
                    throw UserFailure(message: "the probe of \(column.label) (rnnlab bench --blas-probe in a child process) failed")
                }
                best[i] = best[i].isEmpty ? result.rates : zip(best[i], result.rates).map { max($0, $1) }
                if column.library != nil || column.coreType == "" { columns[i].label = (column.library != nil ? "BLIS " : "OpenBLAS ") + result.kernel }
            }
        }
        let width = max(12, columns.map(\.label.count).max()! + 2)
        func cell(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        print("  " + "GFLOP/s".padding(toLength: 32, withPad: " ", startingAt: 0) + columns.map { cell($0.label) }.joined())
        for (i, shape) in BLASProbe.shapes.enumerated() {
            print("  " + shape.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                  + best.map { cell(String(format: "%.1f", $0[i])) }.joined())
        }
        print("  " + "geometric mean".padding(toLength: 32, withPad: " ", startingAt: 0)
              + best.map { cell(String(format: "%.1f", BLASProbe.geometricMean($0))) }.joined())
    }

    /// Runs `rnnlab bench --blas-probe` for `column` in a child process; nil when it failed.
    static func probe(_ column: ProbeColumn) -> ProbeResult? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["bench", "--blas-probe"] + (column.library.map { ["--blas-library", $0] } ?? [])
        var env = ProcessInfo.processInfo.environment
        env["RNNLAB_NO_REEXEC"] = "1"
        switch column.coreType {
        case nil: break
        case ""?: env.removeValue(forKey: "OPENBLAS_CORETYPE"); env.removeValue(forKey: "OPENBLAS_L2_SIZE")
        case let core?: env["OPENBLAS_CORETYPE"] = core
        }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = try? JSONDecoder().decode(ProbeResult.self, from: output),
              result.rates.count == BLASProbe.shapes.count, result.rates.allSatisfy({ $0 > 0 }) else { return nil }
        return result
    }
}
