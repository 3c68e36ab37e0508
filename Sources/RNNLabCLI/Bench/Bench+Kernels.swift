// `rnnlab bench --blas`: OpenBLAS's kernels (its own pick and, on a CPU with AVX-512 given an AVX2
// kernel, SkylakeX) and, when it is installed, BLIS, measured on the model's products, each in a
// child process of its own, alternating over three rounds (best of them). The OpenBLAS verdict is
// saved where runs look for it (BLASKernelChoice); BLIS is measured for comparison only.

import Foundation
import RNNTensor

extension Bench {
    func measureKernels() throws {
        print(MachineDescription.current().line)
        let library = BLASRuntime.info().library
        let defaultKernel = BLASRuntime.info().kernel
        let candidates = BLASRuntime.candidateCoreTypes(kernel: defaultKernel)
        let blis = OtherBLAS.installedBLIS()
        print("BLAS: \(library), which picks its \(defaultKernel) kernels on this CPU by itself"
              + (blis.map { "; BLIS at \($0) for comparison" } ?? "; BLIS not installed (Debian: libblis-dev)"))
        // Columns: OpenBLAS kernels, then BLIS (its own choice of kernel).
        var columns = ([defaultKernel] + candidates).map { (label: "OpenBLAS \($0)", kernel: Optional($0), library: String?.none) }
        columns[0].kernel = nil
        if let blis { columns.append((label: "BLIS", kernel: nil, library: blis)) }
        print("one thread, the thread's CPU time, best of 3 rounds alternating the columns…")
        var best = [[Double]](repeating: [], count: columns.count)
        var labels = columns.map(\.label)
        for _ in 0..<3 {
            for (i, column) in columns.enumerated() {
                guard let result = BLASKernelChoice.probe(kernel: column.kernel, library: column.library) else {
                    throw UserFailure(message: "the probe of \(column.label) (rnnlab bench --blas-probe in a child process) failed")
                }
                best[i] = best[i].isEmpty ? result.rates : zip(best[i], result.rates).map { max($0, $1) }
                if column.library != nil { labels[i] = "BLIS \(result.kernel)" }
            }
        }
        let width = max(12, labels.map(\.count).max()! + 1)
        func cell(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        print("  " + "GFLOP/s".padding(toLength: 32, withPad: " ", startingAt: 0) + labels.map(cell).joined())
        for (i, shape) in BLASProbe.shapes.enumerated() {
            print("  " + shape.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                  + best.map { cell(String(format: "%.1f", $0[i])) }.joined())
        }
        print("  " + "geometric mean".padding(toLength: 32, withPad: " ", startingAt: 0)
              + best.map { cell(String(format: "%.1f", BLASProbe.geometricMean($0))) }.joined())
        guard !candidates.isEmpty else {
            print("runs use OpenBLAS's own \(defaultKernel) kernels: there is no other OpenBLAS kernel to choose on this CPU"
                  + " (no AVX-512, or an AVX-512 kernel already)")
            return
        }
        var shapeRates: [String: [Double]] = [:]
        for (i, kernel) in ([defaultKernel] + candidates).enumerated() { shapeRates[kernel] = best[i] }
        let verdict = BLASKernelChoice.verdict(machine: BLASKernelChoice.machineKey(defaultKernel: defaultKernel),
                                               defaultKernel: defaultKernel, shapeRates: shapeRates)
        print("runs on this machine use OpenBLAS's \(verdict.chosen) kernels (\(verdict.note))")
        if let dir = BLASKernelChoice.cacheDirectory() {
            let file = BLASKernelChoice.cacheFile(in: dir)
            BLASKernelChoice.save(verdict, to: file)
            print("saved to \(file)")
        } else {
            print("not saved: no cache folder (set RNNLAB_CACHE_DIR or HOME)")
        }
    }
}
