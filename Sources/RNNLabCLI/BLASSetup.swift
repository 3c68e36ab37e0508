// BLASSetup: make the fast BLAS kernels automatic. OpenBLAS picks its kernel when the library
// loads, and only OPENBLAS_CORETYPE, read at load time, changes it: so rnnlab re-executes itself
// once with it set, (1) when the library picked a legacy kernel on a CPU that can do better
// (Debian's 0.3.21 calls some AVX-512 CPUs "Prescott"), and (2) when, on a CPU with AVX-512 given
// an AVX2 kernel, the measured verdict (BLASKernelChoice) says another kernel is faster. Why the
// kernel runs reaches the run header and summary.json through RNNLAB_BLAS_CHOICE.

import Foundation
import RNNTensor
#if canImport(Glibc)
import Glibc
#endif

enum BLASSetup {
    /// Re-executes the process with OPENBLAS_CORETYPE set when the kernel was misdetected, or
    /// when a measured verdict prefers another kernel (for the subcommands that compute).
    /// Does nothing when the user set OPENBLAS_CORETYPE, or RNNLAB_NO_REEXEC=1, or after one re-exec.
    static func ensureFastKernels(arguments: [String]) {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["RNNLAB_NO_REEXEC"] == nil, env["RNNLAB_REEXECUTED"] == nil else { return }
        if let core = BLASRuntime.recommendedCoreType() {
            reexecute(coreType: core, note: "instead of the legacy \(BLASRuntime.info().kernel) kernels the library picked")
            return
        }
        // `rnnlab bench --blas` measures for itself; the probes it starts set RNNLAB_NO_REEXEC.
        guard let command = arguments.first(where: { !$0.hasPrefix("-") }),
              BLASKernelChoice.computeCommands.contains(command), !arguments.contains("--blas"),
              let verdict = BLASKernelChoice.currentVerdict() else { return }
        if verdict.chosen == verdict.defaultKernel {
            setenv(BLASRuntime.kernelChoiceVariable, verdict.note, 1)
        } else {
            reexecute(coreType: verdict.chosen, note: verdict.note)
        }
    }

    private static func reexecute(coreType core: String, note: String) {
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("RNNLAB_REEXECUTED", "1", 1)
        setenv(BLASRuntime.kernelChoiceVariable, note, 1)
        let args = CommandLine.arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cArgs.append(nil)
        execv("/proc/self/exe", cArgs)
        // execv returned: carry on with the library's kernel rather than fail.
        unsetenv(BLASRuntime.kernelChoiceVariable)
        FileHandle.standardError.write(Data("rnnlab: warning: could not restart with OPENBLAS_CORETYPE=\(core); running with the \(BLASRuntime.info().kernel) kernels\n".utf8))
    }
}
