// HierarchicalSoftmaxOutput: the hierarchical softmax of word2vec and faster-rnnlm. The words are
// the leaves of a binary Huffman tree of their training counts (HuffmanTree); every inner node n
// is a logistic unit with a vector v_n and a bias b_n, and
//
//     p(w | h) = Π over the path of w  σ(±(v_n · h + b_n))     (+ for a left branch, − for a right)
//
// which sums to exactly 1 over the vocabulary (at every node the two branches share σ(x) +
// σ(−x) = 1). A token costs O(H · L) for its path length L (≈ the entropy of the word
// frequencies in bits) instead of O(H · V).
//
// Per row: the path's node vectors are gathered into a block (L, H), its L scores are one GEMV,
// the gradient with respect to the hidden row another, and each node's weight gradient an AXPY
// (rows touch different nodes, so there is nothing to batch across rows without scattering).
// Workspaces are sized for the longest path when the layer is made: a step allocates nothing.
// `logProbabilities` scores every inner node with one GEMM and walks the tree from the root.
// One thread.
//
// Shapes: N = rows (T·B), H = hidden size, V = vocabulary size, V − 1 inner nodes, D = the
// longest path, L = one word's path length (L ≤ D).
// Will not: tie its weights to the embedding (inner nodes are not words).

import RNNTensor

/// Hierarchical softmax over a Huffman tree of the word counts.
public final class HierarchicalSoftmaxOutput<Scalar: BLASScalar>: OutputLayer {
    /// The tree: paths and codes of every word.
    public let tree: HuffmanTree
    /// (V − 1, H): the inner nodes' vectors v_n.
    public let nodeWeight: Parameter<Scalar>
    /// (V − 1): the inner nodes' biases b_n, or nil.
    public let nodeBias: Parameter<Scalar>?

    public var inputSize: Int { nodeWeight.shape[1] }
    public var vocabularySize: Int { tree.wordCount }
    public var parameters: [Parameter<Scalar>] { [nodeWeight] + (nodeBias.map { [$0] } ?? []) }
    public var summary: String { "hierarchical-softmax(Huffman, depth ≤ \(tree.maxDepth))" }
    /// It marks the path nodes whose vectors' gradients it writes.
    public var recordsTouchedRows: Bool { true }

    /// (D, H): the gathered node vectors of one path.
    private let gathered: Tensor<Scalar>
    /// (D): the path's scores, then the gradient with respect to them.
    private let scores: Tensor<Scalar>

    /// A layer over the Huffman tree of `counts` (one per word id; V = counts.count ≥ 2).
    public init(counts: [Int], hiddenSize H: Int, bias: Bool) {
        precondition(counts.count >= 2, "HierarchicalSoftmaxOutput: needs a vocabulary of at least 2 words")
        tree = HuffmanTree(counts: counts)
        let inner = tree.innerNodeCount
        nodeWeight = Parameter(name: "output.node_weight", shape: [inner, H], role: .output)
        nodeWeight.trackTouchedRows()   // a chunk writes only its paths' nodes (TouchedRows)
        nodeBias = bias ? Parameter(name: "output.node_bias", shape: [inner], role: .bias) : nil
        gathered = Tensor(zeros: [max(tree.maxDepth, 1), H])
        scores = Tensor(zeros: [max(tree.maxDepth, 1)])
    }

    /// Σ over rows of −log p(target | row); with `gradScale`, also the gradients (see OutputLayer).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func run(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar?,
                     hiddenGradient: MatrixRef<Scalar>?) -> Double {
        let n = hidden.rows, H = inputSize, V = vocabularySize
        precondition(hidden.cols == H, "HierarchicalSoftmaxOutput: hidden size \(hidden.cols), expected \(H)")
        let W = nodeWeight.value.data, G = gathered.data, s = scores.data
        let b = nodeBias?.value.data
        let dW = nodeWeight.grad.data, db = nodeBias?.grad.data
        let scale = gradScale.map { Double($0) } ?? 0
        let training = gradScale != nil
        let touched = nodeWeight.touchedRows
        var loss = 0.0
        tree.pathStart.withUnsafeBufferPointer { pathStart in
        tree.pathNodes.withUnsafeBufferPointer { pathNodes in
        tree.pathBits.withUnsafeBufferPointer { pathBits in
            for r in 0..<n {
                let w = Int(targets[r])
                precondition(w >= 0 && w < V, "HierarchicalSoftmaxOutput: target \(w) outside the vocabulary 0..<\(V)")
                let first = Int(pathStart[w]), L = Int(pathStart[w + 1]) - first
                let nodes = pathNodes.baseAddress! + first, bits = pathBits.baseAddress! + first
                let h = hidden.row(r)
                for i in 0..<L { copyElements(from: W + Int(nodes[i]) * H, to: G + i * H, count: H) }
                // s = G h: the path's L scores.
                Scalar.blasGemv(trans: false, m: L, n: H, alpha: 1, a: G, lda: H, x: h, beta: 0, y: s)
                for i in 0..<L {
                    var x = Double(s[i])
                    if let b { x += Double(b[Int(nodes[i])]) }
                    let sign: Double = bits[i] == 0 ? 1 : -1
                    // −log σ(z) for z = sign · x, and d/dx = −sign · σ(−z) for x = v·h + b: s becomes the scaled gradient.
                    let (nodeLoss, complement) = negativeLogSigmoidAndComplement(sign * x)
                    loss += nodeLoss
                    if training { s[i] = Scalar(-sign * complement * scale) }
                }
                guard training, let dH = hiddenGradient else { continue }
                // dh = Gᵀ g; dv_n += g_n h; db_n += g_n.
                Scalar.blasGemv(trans: true, m: L, n: H, alpha: 1, a: G, lda: H, x: s, beta: 0, y: dH.row(r))
                for i in 0..<L {
                    let node = Int(nodes[i])
                    touched?.mark(node)
                    Scalar.blasAxpy(n: H, alpha: s[i], x: h, y: dW + node * H)
                    if let db { db[node] += s[i] }
                }
            }
        }
        }
        }
        return loss
    }

    public func lossAndGradient(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar,
                                hiddenGradient: MatrixRef<Scalar>) -> Double {
        precondition(hiddenGradient.rows == hidden.rows && hiddenGradient.cols == inputSize,
                     "HierarchicalSoftmaxOutput: hidden gradient \(hiddenGradient.rows)×\(hiddenGradient.cols)")
        return run(hidden: hidden, targets: targets, gradScale: gradScale, hiddenGradient: hiddenGradient)
    }

    public func loss(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>) -> Double {
        run(hidden: hidden, targets: targets, gradScale: nil, hiddenGradient: nil)
    }

    /// log p(w | h) for every word: every inner node's score by one GEMM, then the tree walked from
    /// the root, each node handing log p(reach node) + log σ(±x) down to its two children.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func logProbabilities(hidden: MatrixRef<Scalar>, into out: MatrixRef<Scalar>) {
        let n = hidden.rows, inner = tree.innerNodeCount
        precondition(out.rows == n && out.cols == vocabularySize, "HierarchicalSoftmaxOutput.logProbabilities: output \(out.rows)×\(out.cols)")
        let nodeScores = Tensor<Scalar>(zeros: [n, inner])                  /// (N, V − 1)
        if let b = nodeBias { for r in 0..<n { copyElements(from: b.value.data, to: nodeScores.matrix.row(r), count: inner) } }
        gemm(hidden, nodeWeight.value.matrix, transposeB: true, into: nodeScores.matrix, beta: nodeBias == nil ? 0 : 1)
        var reach = [Double](repeating: 0, count: inner)                    /// (V − 1): log p(reach node)
        for r in 0..<n {
            let x = nodeScores.matrix.row(r), row = out.row(r)
            reach[tree.root] = 0
            for node in stride(from: tree.root, through: 0, by: -1) {
                let v = Double(x[node])
                let toLeft = reach[node] - negativeLogSigmoid(v), toRight = reach[node] - negativeLogSigmoid(-v)
                let l = Int(tree.left[node]), rgt = Int(tree.right[node])
                if l < 0 { row[-l - 1] = Scalar(toLeft) } else { reach[l] = toLeft }
                if rgt < 0 { row[-rgt - 1] = Scalar(toRight) } else { reach[rgt] = toRight }
            }
        }
    }
}
