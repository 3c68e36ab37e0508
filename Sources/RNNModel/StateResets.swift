// StateResets: where, inside a chunk, a stream's recurrent state restarts from zero — Mikolov's
// `-independent` sentences: the state is reset before the step whose input is `<eos>`, so that
// `<eos>` is still predicted from the whole sentence it ends, and the next sentence's first word
// from a fresh state that has read only `<eos>` (the begin-of-sentence mark).
//
// A cell given a mask runs step t for a reset stream from the zero state instead of h_{t-1}
// (for an LSTM both h and c; for a stack every layer), and sends no gradient back through the
// reset: the gradient into the pre-reset state from that step is zero. The helpers at the end
// are the two row operations every built-in cell does for that, one per direction.
//
// Shapes: B = batch streams, T = time steps in the chunk, n = columns of a state block.
// Will not: reset to anything but zero (a learned initial state), or reset mid-step.

import RNNTensor

/// A per-(step, stream) reset mask for one chunk of T steps and B streams, time-major.
///
/// A reference type that its owner (the `LanguageModel`) refills for every chunk: it grows to
/// the largest chunk seen and then marks without allocating. Pass the same mask to a cell's
/// `forward` and to the `backward` of that chunk, unchanged in between.
public final class StateResets {
    /// T: steps of the chunk the mask was made for.
    public private(set) var steps = 0
    /// B: streams of the chunk.
    public private(set) var batch = 0
    /// How many (step, stream) positions reset.
    public private(set) var count = 0
    /// (T·B), capacity possibly larger: `flags[t·B + b]` when stream b resets before step t.
    private var flags: [Bool] = []
    /// (T), capacity possibly larger: whether any stream resets before step t.
    private var stepFlags: [Bool] = []

    /// An empty mask, to be filled by `mark`.
    public init() {}

    /// A mask from explicit flags, time-major: `flags[t·B + b]` resets stream b before step t.
    public convenience init(steps: Int, batch: Int, flags: [Bool]) {
        precondition(flags.count == steps * batch, "StateResets: \(flags.count) flags for \(steps) steps × \(batch) streams")
        self.init()
        reserve(steps: steps, batch: batch)
        for i in 0..<flags.count { setFlag(i, flags[i]) }
    }

    private func reserve(steps: Int, batch: Int) {
        if flags.count < steps * batch { flags = [Bool](repeating: false, count: steps * batch) }
        if stepFlags.count < steps { stepFlags = [Bool](repeating: false, count: steps) }
        self.steps = steps
        self.batch = batch
        count = 0
        for t in 0..<steps { stepFlags[t] = false }
    }

    private func setFlag(_ i: Int, _ value: Bool) {
        flags[i] = value
        if value {
            count += 1
            stepFlags[i / batch] = true
        }
    }

    /// Marks, for the chunk of `tokens` (T, B) time-major, every position whose input is `token`:
    /// the stream's state is reset before that step reads it. Returns `count` (0: nothing to reset).
    @discardableResult
    public func mark(tokens: UnsafePointer<Int32>, steps: Int, batch: Int, before token: Int32) -> Int {
        precondition(steps > 0 && batch > 0, "StateResets.mark: empty chunk (\(steps)×\(batch))")
        reserve(steps: steps, batch: batch)
        for i in 0..<(steps * batch) { setFlag(i, tokens[i] == token) }
        return count
    }

    /// Whether stream `stream`'s state is reset before step `step`.
    @inline(__always)
    public func isReset(step: Int, stream: Int) -> Bool { flags[step * batch + stream] }

    /// Whether any stream's state is reset before step `step`.
    @inline(__always)
    public func anyReset(atStep step: Int) -> Bool { stepFlags[step] }

    /// Stops unless the mask was made for a chunk of `steps` × `batch` (a programmer error).
    func check(steps: Int, batch: Int, _ who: @autoclosure () -> String) {
        precondition(self.steps == steps && self.batch == batch,
                     "\(who()): reset mask for \(self.steps)×\(self.batch), chunk is \(steps)×\(batch)")
    }
}

// MARK: - The row operations of a reset

/// Forward: `destination` (B, n) ← `source` (B, n), with the rows of the streams reset before
/// `step` set to zero. Makes the state block that step t reads.
@inline(__always)
func copyRows<Scalar: BLASScalar>(_ source: MatrixRef<Scalar>, into destination: MatrixRef<Scalar>,
                                  zeroing resets: StateResets, step: Int) {
    let n = source.cols
    for b in 0..<source.rows {
        if resets.isReset(step: step, stream: b) {
            destination.row(b).update(repeating: 0, count: n)
        } else {
            copyElements(from: source.row(b), to: destination.row(b), count: n)
        }
    }
}

/// Backward: `destination` (B, n) += `source` (B, n), except the rows of the streams reset
/// before `step` (no gradient flows through a reset into the state before it).
@inline(__always)
func addRows<Scalar: BLASScalar>(_ source: MatrixRef<Scalar>, into destination: MatrixRef<Scalar>,
                                 skipping resets: StateResets, step: Int) {
    let n = source.cols
    for b in 0..<source.rows where !resets.isReset(step: step, stream: b) {
        let x = source.row(b), y = destination.row(b)
        for j in 0..<n { y[j] += x[j] }
    }
}

/// Backward: zeroes the rows (B, n) of the streams reset before `step` (an initial-state
/// gradient that a reset at step 0 cuts off).
@inline(__always)
func zeroRows<Scalar: BLASScalar>(_ m: MatrixRef<Scalar>, reset resets: StateResets, step: Int) {
    for b in 0..<m.rows where resets.isReset(step: step, stream: b) {
        m.row(b).update(repeating: 0, count: m.cols)
    }
}
