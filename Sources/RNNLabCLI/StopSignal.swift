// StopSignal: the first SIGINT or SIGTERM asks the run to stop after the current step (it then
// saves a checkpoint and writes its summary); a second SIGINT exits at once. Files are written
// atomically, so even that leaves nothing torn.

import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

final class StopSignal: @unchecked Sendable {
    private let flag = Atomic<Int32>(0)
    /// Kept so the sources live as long as the listener; set once, before any handler runs.
    private var sources: [DispatchSourceSignal] = []

    /// Whether a stop was asked for.
    var requested: Bool { flag.load(ordering: .relaxed) != 0 }
    /// The signal that asked (0 when none).
    var signal: Int32 { flag.load(ordering: .relaxed) }

    /// Starts listening for SIGINT and SIGTERM.
    static func install() -> StopSignal {
        let s = StopSignal()
        let queue = DispatchQueue(label: "rnnlab.signals")
        var made: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            Glibc.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            // The handler keeps its source alive; both live as long as the process.
            source.setEventHandler {
                // Signals that arrive before the handler runs are coalesced: `data` counts them.
                let count = source.data
                let (exchanged, _) = s.flag.compareExchange(expected: 0, desired: sig, ordering: .relaxed)
                if sig == SIGINT && (!exchanged || count >= 2) {
                    // Every file is written atomically, so leaving now tears none.
                    _exit(130)
                }
                if exchanged {
                    FileHandle.standardError.write(Data("\nrnnlab: stopping after this step (again to quit at once)\n".utf8))
                }
            }
            source.resume()
            made.append(source)
        }
        s.sources = made
        return s
    }
}
