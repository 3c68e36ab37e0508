// SoftmaxOutput: logits = V h + c over the whole vocabulary, then a fused, numerically stable
// softmax cross-entropy. Tied: V is the embedding table itself (requires E == H).
//
// The whole chunk goes through at once: one GEMM for the logits of all N = T·B rows, the fused
// softmax in place (adding the bias as it reads and summing the bias gradient as it writes),
// one GEMM for dV and one for dh. Evaluation blocks rows so that the logits buffer stays
// bounded for large evaluation batches.
//
// Shapes: N = rows (T·B), H = hidden size, V = vocabulary size.

import RNNTensor

/// Full softmax output layer, untied (own `V`) or tied to an embedding table.
public final class SoftmaxOutput<Scalar: BLASScalar>: OutputLayer {
    
    /// (V, H): the output weights; the embedding table when tied.
    public let weight: Parameter<Scalar>
    /// (V): the output bias, or nil.
    public let bias: Parameter<Scalar>?
    public let isTied: Bool
    /// Threads for the softmax pass (BLAS threads are set separately).
    public var threads: Int

    public var inputSize: Int { weight.shape[1] }
    public var vocabularySize: Int { weight.shape[0] }
    public var parameters: [Parameter<Scalar>] { [weight] + (bias.map { [$0] } ?? []) }
    public var summary: String { isTied ? "softmax(tied)" : "softmax" }
    /// It writes the whole weight gradient and says so (`markAll`).
    public var recordsTouchedRows: Bool { true }

    /// Rows per block when evaluating; bounds the logits buffer to blockRows × V.
    public let blockRows: Int
    private var logits: Tensor<Scalar>
    /// The softmax kernels' scratch (row losses, bias-gradient accumulators), kept so that a
    /// step allocates nothing.
    private let softmaxWorkspace = SoftmaxWorkspace<Scalar>()

    /// An untied layer with its own weights (V, H).
    public convenience init(vocabularySize: Int, hiddenSize: Int, bias: Bool, threads: Int = 1) {
        self.init(weight: Parameter(name: "output.weight", shape: [vocabularySize, hiddenSize], role: .output),
                  tied: false, bias: bias, threads: threads)
    }

    /// A layer whose weights are `weight` (V, H); `tied` records that it is the embedding table.
    public init(weight: Parameter<Scalar>, tied: Bool, bias: Bool, threads: Int = 1, blockRows: Int = 1024) {
        precondition(weight.shape.count == 2, "SoftmaxOutput: weight must be (V, H)")
        self.weight = weight
        self.isTied = tied
        self.bias = bias ? Parameter(name: "output.bias", shape: [weight.shape[0]], role: .bias) : nil
        self.threads = threads
        self.blockRows = blockRows
        logits = Tensor(zeros: [0, weight.shape[0]])
    }

    private func reserve(rows: Int) {
        if logits.shape[0] < rows {
            logits = Tensor(zeros: [rows, vocabularySize])
        }
    }

    /// logits[0..<n] = hidden · Vᵀ (the bias is added by the softmax kernels as they read).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func computeLogits(_ hidden: MatrixRef<Scalar>) -> MatrixRef<Scalar> {
        let n = hidden.rows
        precondition(hidden.cols == inputSize, "SoftmaxOutput: hidden size \(hidden.cols), expected \(inputSize)")
        reserve(rows: n)
        let Z = logits.matrix.rows(0..<n)
        gemm(hidden, weight.value.matrix, transposeB: true, into: Z)
        return Z
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func lossAndGradient(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar,
                                hiddenGradient: MatrixRef<Scalar>) -> Double {
        let n = hidden.rows
        let Z = computeLogits(hidden)
        // Z becomes gradScale · (softmax − onehot) = d/d logits; the kernel adds the bias as it
        // reads and sums the rows into the bias gradient as it writes.
        let loss = softmaxCrossEntropyInPlace(Z.base, rows: n, cols: vocabularySize, ld: Z.ld,
                                              targets: targets, gradScale: gradScale, bias: bias.map { UnsafePointer($0.value.data) },
                                              biasGradient: bias?.grad.data, threads: threads, workspace: softmaxWorkspace)
        gemm(Z, transposeA: true, hidden, into: weight.grad.matrix, beta: 1)
        weight.touchedRows?.markAll()   // every row (a tied table, or NCE's weights in a diagnostic)
        gemm(Z, weight.value.matrix, into: hiddenGradient)
        return loss
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>) -> Double {
        var total = 0.0
        var start = 0
        while start < hidden.rows {
            let end = min(hidden.rows, start + blockRows)
            let Z = computeLogits(hidden.rows(start..<end))
            total += softmaxNLL(Z.base, rows: end - start, cols: vocabularySize, ld: Z.ld,
                                targets: targets + start, bias: bias.map { UnsafePointer($0.value.data) }, threads: threads,
                                workspace: softmaxWorkspace)
            start = end
        }
        return total
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func logProbabilities(hidden: MatrixRef<Scalar>, into out: MatrixRef<Scalar>) {
        precondition(out.rows == hidden.rows && out.cols == vocabularySize, "SoftmaxOutput.logProbabilities: output \(out.rows)×\(out.cols)")
        let n = hidden.rows, V = vocabularySize
        if let bias {
            for r in 0..<n { copyElements(from: bias.value.data, to: out.row(r), count: V) }
            gemm(hidden, weight.value.matrix, transposeB: true, into: out, beta: 1)
        } else {
            gemm(hidden, weight.value.matrix, transposeB: true, into: out)
        }
        var lse = [Scalar](repeating: 0, count: n)
        lse.withUnsafeMutableBufferPointer { rowLogSumExp(UnsafePointer(out.base), rows: n, cols: V, ld: out.ld, into: $0.baseAddress!) }
        for r in 0..<n {
            let row = out.row(r)
            for j in 0..<V { row[j] -= lse[r] }
        }
    }
}
