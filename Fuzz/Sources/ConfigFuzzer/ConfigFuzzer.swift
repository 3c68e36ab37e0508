// The fuzz target: arbitrary bytes through the experiment loader, as `rnnlab validate` would
// read them. Any Swift error is a normal rejection; a trap, a sanitizer report, a leak or a
// time-out is a bug.

import RNNExperiments

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let loader = ExperimentLoader(registry: .builtin)
    _ = try? loader.load(bytes: bytes, name: "fuzz.yaml", overrides: [])
    return 0
}
