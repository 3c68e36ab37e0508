// TouchedRows: which rows of a (R, C) parameter's gradient the current training step wrote.
//
// The embedding table (V, E), the hierarchical softmax's inner-node vectors (V − 1, H) and NCE's
// output weights (V, H) are written row by row: a chunk touches the rows of its tokens, of their
// paths, of its noise words (on PTB, 700 tokens a step: about 360, 1,300 and 3,200 of 10,000).
// The layers that write such a gradient mark the rows they write (or `markAll` when they write it
// whole, as a tied full softmax does); zeroing, the clip norm and SGD then visit those rows only
// (`Parameter.zeroGradient`, and RNNTraining's `RowSparseGradients.swift`). Every row outside the
// set holds a zero gradient — the invariant the whole scheme rests on, kept because zeroing
// clears exactly the rows that were marked, and every writer marks.
//
// Storage is made once: a bitmap of R bits (is row r in the set) and a list of up to R row
// numbers (the rows in the set, for an O(touched) reset). Marking, resetting and ordering
// allocate nothing.
//
// Shapes: R = rows of the parameter.
// Will not: track columns, or sparse gradients of 1-D parameters (biases stay dense: O(R), not O(R·C)).

/// The rows of a parameter's gradient written since the last reset, or all of them (dense).
public final class TouchedRows: @unchecked Sendable {
    /// R: rows of the parameter.
    public let rowCount: Int
    /// (⌈R / 64⌉): bit r is set when row r is in the set (only while not dense, and only rows in `list`).
    private let bits: UnsafeMutablePointer<UInt64>
    private let wordCount: Int
    /// (R) capacity: the rows in the set; `count` used.
    private let list: UnsafeMutablePointer<Int32>
    /// Rows in the list (meaningless while `isDense`).
    public private(set) var count = 0
    /// Every row counts as written: a writer wrote the whole gradient, or the state is unknown
    /// (a new parameter, before its first reset), or `forceDense` is set.
    public private(set) var isDense = true
    /// When true, every reset leaves the set dense: the dense path, for tests and measurements.
    public var forceDense = false

    /// An empty tracker for `rowCount` rows, dense until its first `reset`.
    public init(rowCount: Int) {
        precondition(rowCount > 0 && rowCount <= Int(Int32.max), "TouchedRows: \(rowCount) rows")
        self.rowCount = rowCount
        wordCount = (rowCount + 63) / 64
        bits = .allocate(capacity: wordCount)
        bits.initialize(repeating: 0, count: wordCount)
        list = .allocate(capacity: rowCount)
    }

    deinit {
        bits.deallocate()
        list.deallocate()
    }

    /// Records that row `row` of the gradient was written (no-op while dense).
    @inline(__always)
    public func mark(_ row: Int) {
        if isDense { return }
        precondition(row >= 0 && row < rowCount, "TouchedRows.mark: row \(row) outside 0..<\(rowCount)")
        let word = row >> 6, bit = UInt64(1) << UInt64(row & 63)
        if bits[word] & bit == 0 {
            bits[word] |= bit
            list[count] = Int32(truncatingIfNeeded: row)
            count += 1
        }
    }

    /// Records that the whole gradient was written (a dense writer, e.g. a tied full softmax).
    public func markAll() { isDense = true }

    /// Whether row `row` is in the set (always, while dense).
    public func contains(_ row: Int) -> Bool {
        isDense || bits[row >> 6] & (UInt64(1) << UInt64(row & 63)) != 0
    }

    /// Empties the set for a new step (dense again when `forceDense`). The caller must have
    /// zeroed the rows in the set first (`Parameter.zeroGradient` does both).
    public func reset() {
        for i in 0..<count {
            let row = Int(list[i])
            bits[row >> 6] &= ~(UInt64(1) << UInt64(row & 63))
        }
        count = 0
        isDense = forceDense
    }

    /// The rows in the set, in the order they were first marked (or last ordered); empty while
    /// dense: the caller visits every row then.
    public var rows: UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(start: list, count: isDense ? 0 : count)
    }

    /// The rows in the set, in ascending order (reordered in place from the bitmap, O(R / 64 +
    /// count)): the clip norm sums rows in this order so that it adds the same numbers in the same
    /// order as the dense path, which visits every row (an untouched row adds exactly 0).
    /// Empty while dense: the caller visits every row then.
    public func ascendingRows() -> UnsafeBufferPointer<Int32> {
        if isDense { return UnsafeBufferPointer(start: list, count: 0) }
        var n = 0
        for word in 0..<wordCount {
            var w = bits[word]
            while w != 0 {
                list[n] = Int32(truncatingIfNeeded: word * 64 + w.trailingZeroBitCount)
                n += 1
                w &= w - 1
            }
        }
        precondition(n == count, "TouchedRows: bitmap and list disagree (\(n) vs \(count))")
        return UnsafeBufferPointer(start: list, count: count)
    }
}
