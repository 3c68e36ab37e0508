// Embedding: the lookup e_t = E x_t for one-hot x_t, forward next to backward.
//
// The table is a Parameter so that a tied output layer can share it (and its gradient). Its
// gradient is written row by row, so the table records the rows a step touches (TouchedRows):
// zeroing, clipping and SGD visit those rows only.
//
// Shapes: V = vocabulary size, E = embedding size, N = T·B looked-up rows.

import RNNTensor

/// The embedding table (V, E) and its row gather / scatter-add.
public final class Embedding<Scalar: BLASScalar> {
    public let table: Parameter<Scalar>
    public var vocabularySize: Int { table.shape[0] }
    public var embeddingSize: Int { table.shape[1] }

    public init(vocabularySize: Int, embeddingSize: Int, name: String = "embedding") {
        precondition(vocabularySize > 0 && embeddingSize > 0, "Embedding: sizes must be positive (V=\(vocabularySize), E=\(embeddingSize))")
        table = Parameter(name: name, shape: [vocabularySize, embeddingSize], role: .embedding)
        table.trackTouchedRows()
    }

    /// Writes row `tokens[i]` of the table into row `i` of `out` (n, E).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(tokens: UnsafePointer<Int32>, count n: Int, into out: MatrixRef<Scalar>) {
        let E = embeddingSize, V = vocabularySize
        precondition(out.rows == n && out.cols == E, "Embedding.forward: output \(out.rows)×\(out.cols), expected \(n)×\(E)")
        for i in 0..<n {
            let id = Int(tokens[i])
            precondition(id >= 0 && id < V, "Embedding.forward: token id \(id) outside the vocabulary 0..<\(V)")
            copyElements(from: table.value.data + id * E, to: out.row(i), count: E)
        }
    }

    /// Adds row `i` of `gradient` (n, E) into row `tokens[i]` of the table's gradient, and marks
    /// those rows touched.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(tokens: UnsafePointer<Int32>, count n: Int, gradient: MatrixRef<Scalar>) {
        let E = embeddingSize, touched = table.touchedRows
        for i in 0..<n {
            let id = Int(tokens[i])
            touched?.mark(id)
            Scalar.blasAxpy(n: E, alpha: 1, x: gradient.row(i), y: table.grad.data + id * E)
        }
    }
}
