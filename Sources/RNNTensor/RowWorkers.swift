// RowWorkers: a fixed team of threads that runs the blocks of one parallel loop (the softmax
// kernels' blocks of rows) and allocates nothing per run.
//
// DispatchQueue.concurrentPerform would do the same job, but it wraps its closure in a heap block
// and boxes the captured context on every call (four small allocations per call, measured); a
// training step must allocate nothing. The threads, their semaphores and the body they run are
// made once, with the team; a run only signals and waits. The body reads what to do from state
// its owner sets before `run` (see SoftmaxWorkspace).
// Will not: nest (a block must not start another run of the same team), balance load (blocks are
// dealt round-robin), or run two loops at once (one caller at a time).

import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A team of `threads` waiting threads plus the caller's, running one body over numbered blocks.
final class RowWorkers: @unchecked Sendable {
    /// What the caller and the workers share. A worker reads `blocks`, `participants` and
    /// `stopping` only after its `start` semaphore was signalled, and the caller changes them only
    /// while every worker waits on it (the semaphores order the accesses).
    private final class Shared: @unchecked Sendable {
        let body: (Int) -> Void
        let start: [DispatchSemaphore]
        let done = DispatchSemaphore(value: 0)
        var blocks = 0
        var participants = 1
        var stopping = false

        init(threads: Int, body: @escaping (Int) -> Void) {
            self.body = body
            start = (0..<threads).map { _ in DispatchSemaphore(value: 0) }
        }

        /// Participant `p` (0 is the caller) runs blocks p, p + participants, …
        func runShare(_ p: Int) {
            var block = p
            while block < blocks {
                body(block)
                block += participants
            }
        }
    }

    /// One worker's identity, handed to its thread.
    private final class Worker {
        let shared: Shared
        let index: Int
        init(shared: Shared, index: Int) {
            self.shared = shared
            self.index = index
        }
    }

    private let shared: Shared
    private var threads: [pthread_t] = []

    /// Starts `threads` worker threads (fewer if the system refuses more; the blocks are then
    /// dealt among fewer) that will run `body(block)`.
    init(threads count: Int, body: @escaping (Int) -> Void) {
        precondition(count >= 0, "RowWorkers: negative thread count \(count)")
        shared = Shared(threads: count, body: body)
        for i in 0..<count {
            let worker = Unmanaged.passRetained(Worker(shared: shared, index: i)).toOpaque()
            #if canImport(Darwin)
            var thread: pthread_t?
            #else
            var thread = pthread_t()
            #endif
            guard pthread_create(&thread, nil, { raw in
                let worker = Unmanaged<Worker>.fromOpaque(raw!).takeRetainedValue()
                let shared = worker.shared, start = shared.start[worker.index]
                while true {
                    start.wait()
                    if shared.stopping { break }
                    shared.runShare(worker.index + 1)
                    shared.done.signal()
                }
                return nil
            }, worker) == 0 else {
                Unmanaged<Worker>.fromOpaque(worker).release()
                break
            }
            #if canImport(Darwin)
            threads.append(thread!)
            #else
            threads.append(thread)
            #endif
        }
    }

    deinit {
        shared.stopping = true
        for i in 0..<threads.count { shared.start[i].signal() }
        for t in threads { pthread_join(t, nil) }
    }

    /// Runs `body(block)` for every `block in 0..<blocks`, dealt round-robin over this thread
    /// (block 0 first) and the team's, and returns when all have finished. Blocks run
    /// concurrently: they must write disjoint memory.
    func run(blocks: Int) {
        precondition(blocks >= 0, "RowWorkers.run: negative block count \(blocks)")
        let helpers = min(threads.count, max(blocks - 1, 0))
        shared.blocks = blocks
        shared.participants = helpers + 1
        for i in 0..<helpers { shared.start[i].signal() }
        shared.runShare(0)
        for _ in 0..<helpers { shared.done.wait() }
    }
}
