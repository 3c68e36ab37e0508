// BLASSetup: make the fast BLAS kernels automatic. OpenBLAS picks its kernel when the library
// loads; when it picked a legacy one on a CPU that can do better (Debian's 0.3.21 calls some
// AVX-512 CPUs "Prescott"), rnnlab re-executes itself once with OPENBLAS_CORETYPE set.

import Foundation
import RNNTensor
#if canImport(Glibc)
import Glibc
#endif

enum BLASSetup {
    /// Refuses a RNNLAB_ONE_THREAD_BELOW that is not an integer ≥ 0 (the limit of the products run
    /// on one BLAS thread, SmallProducts.swift), rather than running with the default unseen.
    static func checkEnvironment() throws {
        guard let text = ProcessInfo.processInfo.environment["RNNLAB_ONE_THREAD_BELOW"] else { return }
        if BLASRuntime.oneThreadBelow(parsing: text) != nil { return }
        throw UserFailure(message: "RNNLAB_ONE_THREAD_BELOW=\(text) is not a count of multiply-adds; expected an integer ≥ 0 (0: no product runs on one thread; default \(BLASRuntime.defaultOneThreadBelow))")
    }

    /// Re-executes the process with OPENBLAS_CORETYPE set when the kernel was misdetected.
    /// Does nothing when the user set OPENBLAS_CORETYPE, or RNNLAB_NO_REEXEC=1, or after one re-exec.
    static func ensureFastKernels() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["RNNLAB_NO_REEXEC"] == nil, env["RNNLAB_REEXECUTED"] == nil,
              let core = BLASRuntime.recommendedCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("RNNLAB_REEXECUTED", "1", 1)
        let args = CommandLine.arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cArgs.append(nil)
        execv("/proc/self/exe", cArgs)
        // execv returned: carry on with the slow kernel rather than fail.
        FileHandle.standardError.write(Data("rnnlab: warning: could not restart with OPENBLAS_CORETYPE=\(core); running with the \(BLASRuntime.info().kernel) kernels\n".utf8))
    }
}
