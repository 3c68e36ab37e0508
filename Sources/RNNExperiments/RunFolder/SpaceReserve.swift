// SpaceReserve: disk space set aside for a run's last summary.json, so that a disk that fills up
// during the run still gets status `failed` and the reason written, not a stale `running`.
//
// The reserve is a file named as an atomic write's temporary of summary.json
// (`.summary.json.tmp-<pid>-reserve`): readers ignore it and `--resume` removes it, so a run
// killed with it in place leaves nothing a reader sees. Will not: guarantee space (when the disk
// is already full at the start, there is no reserve and the last write may fail as before).

import Foundation

final class SpaceReserve {
    private var path: String?

    /// Sets aside `bytes` in `directory` if the disk has them.
    init(directory: String, bytes: Int = 16 * 1024) {
        let path = directory + "/.summary.json.tmp-\(getpid())-reserve"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        // posix_fallocate allocates real blocks (a sparse file of zeros would reserve nothing).
        let ok = posix_fallocate(fd, 0, off_t(bytes)) == 0
        close(fd)
        if ok { self.path = path } else { unlink(path) }
    }

    /// Gives the space back (idempotent).
    func release() {
        if let path { unlink(path) }
        path = nil
    }

    deinit { release() }
}
