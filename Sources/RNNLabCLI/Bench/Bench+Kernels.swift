// `rnnlab bench --blas`: OpenBLAS's kernels measured on the model's products, each in a child
// process of its own, alternating; the verdict is saved where runs look for it (BLASKernelChoice).

import Foundation
import RNNTensor

extension Bench {
    func measureKernels() throws {
        let machine = MachineDescription.current()
        print(machine.line)
        let defaultKernel = BLASRuntime.info().kernel
        let candidates = BLASRuntime.candidateCoreTypes(kernel: defaultKernel)
        print("BLAS: \(BLASRuntime.info().library), which picks its \(defaultKernel) kernels on this CPU by itself")
        if candidates.isEmpty {
            let rates = BLASProbe.rates()
            print("no other kernel to compare: \(defaultKernel) is the library's AVX-512 kernel, or the CPU has no AVX-512")
            for (shape, rate) in zip(BLASProbe.shapes, rates) {
                print(String(format: "  %-32@ %7.1f GFLOP/s", shape.name as NSString, rate))
            }
            return
        }
        print("measuring \(([defaultKernel] + candidates).joined(separator: " and ")), one thread, alternating, best of 3 rounds…")
        guard let shapeRates = BLASKernelChoice.measure(defaultKernel: defaultKernel, candidates: candidates, rounds: 3) else {
            throw UserFailure(message: "a kernel probe (rnnlab bench --blas-probe in a child process) failed")
        }
        let kernels = [defaultKernel] + candidates
        print(String(format: "  %-32@", "GFLOP/s" as NSString) + kernels.map { String(format: " %10@", $0 as NSString) }.joined())
        for (i, shape) in BLASProbe.shapes.enumerated() {
            print(String(format: "  %-32@", shape.name as NSString)
                  + kernels.map { String(format: " %10.1f", shapeRates[$0]![i]) }.joined())
        }
        let verdict = BLASKernelChoice.verdict(machine: BLASKernelChoice.machineKey(defaultKernel: defaultKernel),
                                               defaultKernel: defaultKernel, shapeRates: shapeRates)
        print(String(format: "  %-32@", "geometric mean" as NSString)
              + kernels.map { String(format: " %10.1f", verdict.rates[$0]!) }.joined())
        print("runs on this machine use \(verdict.chosen) (\(verdict.note))")
        if let dir = BLASKernelChoice.cacheDirectory() {
            let file = BLASKernelChoice.cacheFile(in: dir)
            BLASKernelChoice.save(verdict, to: file)
            print("saved to \(file)")
        } else {
            print("not saved: no cache folder (set RNNLAB_CACHE_DIR or HOME)")
        }
    }
}
