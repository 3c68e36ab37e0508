// SoftmaxCrossEntropy: the fused softmax + cross-entropy of a language model's output layer,
// its forward-only loss, and per-row log-sum-exp, over row-major (N, V) logits.
//
// Shapes: N = rows (T·B positions), V = cols (vocabulary), ld = leading dimension ≥ V.
// Each row is handled independently by the element type's row kernel (SoftmaxScalar+Float/Double);
// this file checks arguments and splits rows across threads. Per-row losses land in a scratch
// buffer and are summed in row order, so the returned loss is the same for every thread count.
// Scratch memory (the per-row losses, the per-block bias-gradient accumulators) and the threads
// for row blocks (a `RowWorkers` team) come from a caller's `SoftmaxWorkspace` when one is passed,
// so an output layer that keeps one calls these in its step loop without allocating; without one,
// each call allocates its own and splits rows with DispatchQueue.concurrentPerform.
// Will not: allocate the logits, average the loss (pass gradScale = 1/N for a mean), or reduce
// over anything but rows.

import Dispatch

/// Shape (N, V): in place, row r becomes `gradScale * (softmax(row r) - onehot(targets[r]))`,
/// i.e. the gradient of `gradScale * loss` with respect to the logits.
///
/// Returns Σ_r −log softmax(row r)[targets[r]] accumulated in Double (the sum, not the mean).
/// Numerically stable for any finite logits (the row max is subtracted first); a target logit of
/// −∞ gives a loss of +∞; a row of all −∞ (no softmax) gives NaN. Columns `cols..<ld` of each row are not touched. `rows == 0` returns 0.
/// - Precondition: `cols >= 1`, `ld >= cols`, `threads >= 1`, every `targets[r]` in `0..<cols`.
/// - Parameter threads: rows are split into at most this many contiguous blocks run concurrently.
///   The result does not depend on it.
/// - Parameters:
///   - bias: when given, the logits are `row + bias` (V), added as the rows are read: the caller
///     need not fill the rows with the bias first.
///   - biasGradient: when given, Σ_r of the resulting gradient rows is *added* into it (V): the
///     bias gradient, without another pass over the logits. Its rounding depends on `threads`.
///   - workspace: scratch memory to reuse across calls (see `SoftmaxWorkspace`); without it the
///     call allocates its own. The result does not depend on it.
public func softmaxCrossEntropyInPlace<T: SoftmaxScalar>(
    _ logits: UnsafeMutablePointer<T>, rows: Int, cols: Int, ld: Int,
    targets: UnsafePointer<Int32>, gradScale: T, bias: UnsafePointer<T>? = nil,
    biasGradient: UnsafeMutablePointer<T>? = nil, threads: Int = 1, workspace: SoftmaxWorkspace<T>? = nil
) -> Double {
    checkSoftmaxArguments("softmaxCrossEntropyInPlace", rows: rows, cols: cols, ld: ld, threads: threads)
    checkTargets("softmaxCrossEntropyInPlace", targets, rows: rows, cols: cols)
    let blocks = blockCount(rows: rows, cols: cols, threads: threads)
    // One bias-gradient accumulator per block, (blocks, V), summed in block order at the end.
    var owned: UnsafeMutablePointer<T>?
    if biasGradient != nil && workspace == nil { owned = .allocate(capacity: blocks * cols) }
    defer { owned?.deallocate() }
    let accumulators = biasGradient == nil ? nil : (workspace?.accumulators(count: blocks * cols) ?? owned!)
    accumulators?.initialize(repeating: 0, count: blocks * cols)
    let job = RowLossJob(logits: logits, ld: ld, cols: cols, targets: targets, gradScale: gradScale, bias: bias,
                         accumulators: accumulators)
    let loss = totalRowLoss(job, rows: rows, blocks: blocks, workspace: workspace)
    if let biasGradient, let accumulators {
        for b in 0..<blocks { T._accumulate(accumulators + b * cols, into: biasGradient, count: cols) }
    }
    return loss
}

/// Shape (N, V): Σ_r −log softmax(row r)[targets[r]] in Double, leaving `logits` unchanged.
///
/// The forward half of `softmaxCrossEntropyInPlace` for evaluation; same result to rounding.
/// `rows == 0` returns 0.
/// - Precondition: `cols >= 1`, `ld >= cols`, `threads >= 1`, every `targets[r]` in `0..<cols`.
/// - Parameters:
///   - bias: when given, the logits are `row + bias` (V), added as the rows are read.
///   - workspace: scratch memory to reuse across calls; without it the call allocates its own.
public func softmaxNLL<T: SoftmaxScalar>(
    _ logits: UnsafePointer<T>, rows: Int, cols: Int, ld: Int,
    targets: UnsafePointer<Int32>, bias: UnsafePointer<T>? = nil, threads: Int = 1,
    workspace: SoftmaxWorkspace<T>? = nil
) -> Double {
    checkSoftmaxArguments("softmaxNLL", rows: rows, cols: cols, ld: ld, threads: threads)
    checkTargets("softmaxNLL", targets, rows: rows, cols: cols)
    // gradScale nil: the job only reads the logits.
    let job = RowLossJob(logits: UnsafeMutablePointer(mutating: logits), ld: ld, cols: cols, targets: targets,
                         gradScale: nil, bias: bias, accumulators: nil)
    return totalRowLoss(job, rows: rows, blocks: blockCount(rows: rows, cols: cols, threads: threads), workspace: workspace)
}

/// Shape (N, V) → (N): `out[r] = log Σ_j exp(x[r, j])`, computed stably, rows independent.
///
/// A row of all −∞ gives −∞; a row containing +∞ gives NaN. Single-threaded. `rows == 0` does nothing.
/// - Precondition: `cols >= 1`, `ld >= cols`.
public func rowLogSumExp<T: SoftmaxScalar>(
    _ x: UnsafePointer<T>, rows: Int, cols: Int, ld: Int, into out: UnsafeMutablePointer<T>
) {
    checkSoftmaxArguments("rowLogSumExp", rows: rows, cols: cols, ld: ld, threads: 1)
    for r in 0..<rows {
        let (rowMax, logSum) = T._logSumExpRow(x + r * ld, cols: cols)
        out[r] = T(rowMax + logSum)
    }
}

// MARK: - Argument checks and row splitting

private func checkSoftmaxArguments(_ caller: String, rows: Int, cols: Int, ld: Int, threads: Int) {
    precondition(rows >= 0, "\(caller): rows must be non-negative, got \(rows)")
    precondition(cols >= 1, "\(caller): cols must be at least 1, got \(cols)")
    precondition(ld >= cols, "\(caller): ld (\(ld)) must be at least cols (\(cols))")
    precondition(threads >= 1, "\(caller): threads must be at least 1, got \(threads)")
}

private func checkTargets(_ caller: String, _ targets: UnsafePointer<Int32>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let t = Int(targets[r])
        precondition(t >= 0 && t < cols, "\(caller): targets[\(r)] = \(t) is outside 0..<\(cols)")
    }
}

/// Below this many elements per thread, spawning work costs more than it saves.
private let minimumElementsPerThread = 32_768

/// How many contiguous blocks of rows `totalRowLoss` runs concurrently.
private func blockCount(rows: Int, cols: Int, threads: Int) -> Int {
    max(1, min(threads, rows, max(1, rows * cols / minimumElementsPerThread)))
}

/// What one call computes for each row: the row kernels' arguments, so that any thread can run
/// any block of rows from it.
struct RowLossJob<T: SoftmaxScalar> {
    /// (N, ld): the logits; written (replaced by their gradient) only when `gradScale` is set.
    let logits: UnsafeMutablePointer<T>
    let ld: Int
    let cols: Int
    /// (N)
    let targets: UnsafePointer<Int32>
    /// The gradient's scale, or nil for the loss alone (the logits are left unchanged).
    let gradScale: T?
    /// (V), or nil.
    let bias: UnsafePointer<T>?
    /// (blocks, V): one bias-gradient accumulator per block, or nil.
    let accumulators: UnsafeMutablePointer<T>?

    /// −log softmax(row r)[target r], and with `gradScale` the row's gradient in place (added
    /// into accumulator row `block` when there are accumulators).
    func loss(row r: Int, block: Int) -> Double {
        let row = logits + r * ld, target = Int(targets[r])
        guard let gradScale else {
            if let bias {
                let (rowMax, logSum) = T._logSumExpRow(row, bias: bias, cols: cols)
                return logSum + (rowMax - Double(row[target] + bias[target]))
            }
            let (rowMax, logSum) = T._logSumExpRow(row, cols: cols)
            return logSum + (rowMax - Double(row[target]))
        }
        let l = bias.map { T._softmaxCrossEntropyRow(row, bias: $0, cols: cols, target: target, gradScale: gradScale) }
            ?? T._softmaxCrossEntropyRow(row, cols: cols, target: target, gradScale: gradScale)
        if let accumulators { T._accumulate(row, into: accumulators + block * cols, count: cols) }
        return l
    }

    /// Runs the rows of `block` (of `blocks` contiguous blocks of `rows`), their losses into `losses`.
    func run(block: Int, of blocks: Int, rows: Int, into losses: UnsafeMutablePointer<Double>) {
        for r in (block * rows / blocks)..<((block + 1) * rows / blocks) { losses[r] = loss(row: r, block: block) }
    }
}

/// Σ of `job`'s row losses, computed in `blocks` contiguous blocks of rows run concurrently and
/// summed in row order (so the sum does not depend on the blocks). With a workspace, the per-row
/// losses (N) and the threads are its; without, a temporary allocation and
/// DispatchQueue.concurrentPerform.
private func totalRowLoss<T>(_ job: RowLossJob<T>, rows: Int, blocks: Int, workspace: SoftmaxWorkspace<T>?) -> Double {
    if rows == 0 { return 0 }
    if let workspace {
        let losses = workspace.losses(count: rows)
        workspace.run(job, blocks: blocks, rows: rows, into: losses)
        return sumInRowOrder(losses, rows: rows)
    }
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: rows) { buffer in
        let losses = buffer.baseAddress!
        if blocks == 1 {
            job.run(block: 0, of: 1, rows: rows, into: losses)
        } else {
            // Blocks write disjoint rows of `losses` (and of the logits, and their own accumulator
            // row), and concurrentPerform returns only after every block has finished.
            let shared = UncheckedSendable(value: (job: job, losses: losses))
            DispatchQueue.concurrentPerform(iterations: blocks) { block in
                shared.value.job.run(block: block, of: blocks, rows: rows, into: shared.value.losses)
            }
        }
        return sumInRowOrder(losses, rows: rows)
    }
}

private func sumInRowOrder(_ losses: UnsafeMutablePointer<Double>, rows: Int) -> Double {
    var total = 0.0
    for r in 0..<rows { total += losses[r] }
    return total
}

// MARK: - Workspace

/// Scratch memory for `softmaxCrossEntropyInPlace` and `softmaxNLL`: the per-row losses (N), the
/// per-block bias-gradient accumulators (blocks, V), and the threads that run blocks of rows.
///
/// Each grows to the largest size asked for and is then reused, so a caller that keeps one (an
/// output layer does) calls the kernels in its step loop without allocating. Its contents between
/// calls mean nothing. Not thread-safe: one call at a time uses it. Its threads (blocks − 1 of
/// them, made at the first call that splits rows) wait idle between calls and end with it.
public final class SoftmaxWorkspace<T: SoftmaxScalar> {
    /// (N): per-row losses.
    private var rowLosses: UnsafeMutablePointer<Double>?
    private var rowLossCapacity = 0
    /// (blocks, V): bias-gradient accumulators, one row per block of rows.
    private var biasAccumulators: UnsafeMutablePointer<T>?
    private var accumulatorCapacity = 0
    /// The team that runs blocks of rows, made when a call first splits rows.
    private var team: RowWorkers?
    /// The blocks the team was made for (it may have fewer threads if the system refused some).
    private var teamBlocks = 0
    /// The call the team is running: read by its threads while `run` waits for them.
    private var current: (job: RowLossJob<T>, blocks: Int, rows: Int, losses: UnsafeMutablePointer<Double>)?

    public init() {}

    deinit {
        rowLosses?.deallocate()
        biasAccumulators?.deallocate()
    }

    /// At least `count` Doubles, uninitialised; grows (only) when it holds fewer.
    func losses(count: Int) -> UnsafeMutablePointer<Double> {
        if let rowLosses, rowLossCapacity >= count { return rowLosses }
        rowLosses?.deallocate()
        rowLossCapacity = max(count, 1)
        let fresh = UnsafeMutablePointer<Double>.allocate(capacity: rowLossCapacity)
        rowLosses = fresh
        return fresh
    }

    /// Runs `job`'s `blocks` blocks of rows, their losses into `losses`: on this thread alone for
    /// one block, else on this thread and the workspace's team (made at the first such call, and
    /// made again, larger, only when a call has more blocks than any before).
    func run(_ job: RowLossJob<T>, blocks: Int, rows: Int, into losses: UnsafeMutablePointer<Double>) {
        if blocks == 1 { return job.run(block: 0, of: 1, rows: rows, into: losses) }
        if blocks > teamBlocks {
            team = nil   // ends the old team's threads before starting more
            team = RowWorkers(threads: blocks - 1) { [unowned self] block in
                let (job, blocks, rows, losses) = self.current!
                job.run(block: block, of: blocks, rows: rows, into: losses)
            }
            teamBlocks = blocks
        }
        current = (job, blocks, rows, losses)
        team!.run(blocks: blocks)
        current = nil
    }

    /// At least `count` elements, uninitialised; grows (only) when it holds fewer.
    func accumulators(count: Int) -> UnsafeMutablePointer<T> {
        if let biasAccumulators, accumulatorCapacity >= count { return biasAccumulators }
        biasAccumulators?.deallocate()
        accumulatorCapacity = max(count, 1)
        let fresh = UnsafeMutablePointer<T>.allocate(capacity: accumulatorCapacity)
        biasAccumulators = fresh
        return fresh
    }
}

/// Carries pointers and a closure into `concurrentPerform`'s `@Sendable` body; see the use site
/// for why that is safe.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
