// The fuzz target for checkpoint files: arbitrary bytes through Checkpoint.decode, as --resume,
// generate and eval read them. A random mutation almost never keeps the whole-file checksum
// right, so the harness recomputes it first: the fuzzer then reaches the header's JSON and the
// tensor index behind it. Any CheckpointError is a normal rejection; a trap, a sanitizer report,
// a leak or a time-out is a bug. It does not build models from what it decodes.

import CFuzzerDriver
import RNNExperiments

/// FNV-1a 64, the checkpoint checksum (Checkpoint.swift).
private func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

/// One input: fix its checksum, then decode it; errors are expected, crashes are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if bytes.count >= 28 {
        let sum = fnv1a(bytes[0..<(bytes.count - 8)])
        for k in 0..<8 { bytes[bytes.count - 8 + k] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(k))) }
    }
    _ = try? Checkpoint.decode(bytes, path: "fuzz.ckpt")
    return 0
}

/// The process entry point (see ConfigFuzzer.swift for why it is not libFuzzer's `main`).
@_cdecl("CheckpointFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
