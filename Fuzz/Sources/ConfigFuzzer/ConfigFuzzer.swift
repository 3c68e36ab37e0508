// The fuzz target: arbitrary bytes through the experiment loader, as `rnnlab validate` would
// read them. Any Swift error is a normal rejection; a trap, a sanitizer report, a leak or a
// time-out is a bug. It does not load data or build models (that needs files and time).

import CFuzzerDriver
import RNNExperiments

/// One input: decode it as an experiment file; errors are expected, crashes are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let loader = ExperimentLoader(registry: .builtin)
    _ = try? loader.load(bytes: bytes, name: "fuzz.yaml", overrides: [])
    return 0
}

/// The process entry point. SwiftPM links executables with `--defsym main=ConfigFuzzer_main`,
/// which hides libFuzzer's `main`, so this hands the command line to libFuzzer's driver.
@_cdecl("ConfigFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
