// RunFolderLock: one process at a time writes into a run folder. A run holds an exclusive
// flock(2) on its folder while it trains; a `--resume` of the same folder (or a second one)
// is refused while the lock is held. The kernel drops the lock when the process ends, however
// it ends (`kill -9` included), so a stale lock cannot block a resume. It creates no file in the
// folder and does not protect against writers that do not take the lock.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a run folder, held until `release()` or deinit.
public final class RunFolderLock {
    public let directory: String
    private var fd: Int32

    /// Takes the lock on `directory`, or throws a one-sentence error when another process holds it.
    public init(directory: String) throws {
        self.directory = directory
        fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ExperimentError("cannot open the run folder \(directory): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            fd = -1
            throw ExperimentError("\(directory) is in use by another rnnlab process (a run or a resume of it is still going); wait for it to end or stop it first")
        }
    }

    /// Releases the lock (idempotent).
    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
