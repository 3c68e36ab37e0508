// Dropout: inverted dropout as an op, forward next to backward.
//
// Shapes: N = rows (T·B), D = columns (E or H). Forward multiplies each element by a mask
// element drawn from an injected generator: 0 with probability p, else 1/(1−p), so expectations
// are unchanged and evaluation needs no rescaling. Backward multiplies the gradient by the same
// mask. Draws are one 64-bit word per element, row-major, so the same generator state gives the
// same mask (checkpoints save the generator: a resumed run draws what it would have drawn).
// Will not: decide whether the model is training (callers apply it only while training).

import RNNTensor

/// Inverted dropout with rate `rate`, remembering the last mask for the backward pass.
public final class Dropout<Scalar: BLASScalar> {
    /// Probability of zeroing an element, in [0, 1). At 0 the op is the identity and draws nothing.
    public var rate: Double {
        didSet { precondition((0..<1).contains(rate), "Dropout: rate \(rate) outside [0, 1)") }
    }
    /// (N·D): the last mask, 0 or 1/(1−p) per element, row-major.
    private var mask = Tensor<Scalar>(zeros: [0])
    /// (D): one row's random words, drawn as a block.
    private var words = [UInt64]()
    private var lastRows = 0
    private var lastCols = 0
    /// Whether the last forward drew a mask (backward follows it even if `rate` changed since).
    private var lastActive = false

    public init(rate: Double) {
        precondition((0..<1).contains(rate), "Dropout: rate \(rate) outside [0, 1)")
        self.rate = rate
    }

    /// True when forward changes anything (rate > 0).
    public var isActive: Bool { rate > 0 }

    /// Draws a fresh (N, D) mask from `generator` and writes y = x ⊙ mask (x and y may be the
    /// same view). At rate 0 copies x into y (unless they alias) and draws nothing.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: MatrixRef<Scalar>, into y: MatrixRef<Scalar>, generator: inout Xoshiro256) {
        precondition(x.rows == y.rows && x.cols == y.cols, "Dropout.forward: \(x.rows)×\(x.cols) into \(y.rows)×\(y.cols)")
        let n = x.rows, d = x.cols
        lastRows = n
        lastCols = d
        lastActive = isActive
        guard isActive else {
            if x.base != y.base { for r in 0..<n { copyElements(from: x.row(r), to: y.row(r), count: d) } }
            return
        }
        if mask.count < n * d { mask = Tensor(zeros: [n * d]) }
        let keep = Scalar(1 / (1 - rate))
        let threshold = UInt64(rate * 0x1p53)
        let m = mask.data
        if words.count < d { words = [UInt64](repeating: 0, count: d) }
        words.withUnsafeMutableBufferPointer { w in
            let w = w.baseAddress!
            for r in 0..<n {
                generator.next(into: w, count: d)
                let xr = x.row(r), yr = y.row(r), mr = m + r * d
                for j in 0..<d {
                    let kept = (w[j] >> 11) >= threshold
                    mr[j] = kept ? keep : 0
                    yr[j] = xr[j] * mr[j]
                }
            }
        }
    }

    /// Evaluation: y = x (unless they alias), and the next backward is the identity. Draws nothing.
    public func identity(_ x: MatrixRef<Scalar>, into y: MatrixRef<Scalar>) {
        precondition(x.rows == y.rows && x.cols == y.cols, "Dropout.identity: \(x.rows)×\(x.cols) into \(y.rows)×\(y.cols)")
        lastRows = x.rows
        lastCols = x.cols
        lastActive = false
        if x.base != y.base { for r in 0..<x.rows { copyElements(from: x.row(r), to: y.row(r), count: x.cols) } }
    }

    /// x ⊙= mask, in place: see `forward(_:into:generator:)`.
    public func forward(_ x: MatrixRef<Scalar>, generator: inout Xoshiro256) {
        forward(x, into: x, generator: &generator)
    }

    /// dx ⊙= mask of the last forward, in place (the identity at rate 0).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dx: MatrixRef<Scalar>) {
        precondition(dx.rows == lastRows && dx.cols == lastCols, "Dropout.backward: \(dx.rows)×\(dx.cols), the last forward was \(lastRows)×\(lastCols)")
        guard lastActive else { return }
        let m = mask.data, d = lastCols
        for r in 0..<dx.rows {
            let g = dx.row(r), mr = m + r * d
            for j in 0..<d { g[j] *= mr[j] }
        }
    }
}
