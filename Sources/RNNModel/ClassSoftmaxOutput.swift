// ClassSoftmaxOutput: Mikolov's class-based softmax (RNNLM's -class). Words are put into C
// classes by frequency; P(w | h) = P(class(w) | h) · P(w | class(w), h), both exact softmaxes,
// so the probabilities are normalised over the whole vocabulary while a token costs
// O(C + |class|) instead of O(V).
//
// Rows of a chunk are grouped by their target's class; each group is one GEMM against its
// class's word weights (gathered into a contiguous block, since a class's words need not be
// contiguous ids) and its gradient is scattered back. Evaluation uses the same path.
// Workspaces grow to the largest chunk (and class group) seen and are then reused: a training
// step allocates nothing once they have grown (StepAllocationTests checks it).
//
// Shapes: B = batch streams, T = time steps in a chunk, N = T·B rows, H = hidden size,
// V = vocabulary size, C = classes; for one class c: m = rows whose target is in c (m ≤ N),
// k = words in c (k ≤ V).
// Will not: sample, or choose the classes itself (`frequencyClasses` offers RNNLM's rule).

import RNNTensor

/// Class-based factorised softmax output layer.
public final class ClassSoftmaxOutput<Scalar: BLASScalar>: OutputLayer {
    /// (V, H): word weights (the embedding table when tied).
    public let wordWeight: Parameter<Scalar>
    /// (V): word bias, or nil.
    public let wordBias: Parameter<Scalar>?
    /// (C, H): class weights.
    public let classWeight: Parameter<Scalar>
    /// (C): class bias, or nil.
    public let classBias: Parameter<Scalar>?
    public let isTied: Bool
    /// (V): the class of each word id.
    public let classOf: [Int32]
    /// (C) lists of k: the word ids of each class.
    public let members: [[Int32]]
    /// (V): each word's index inside its class.
    public let indexInClass: [Int32]

    public var inputSize: Int { wordWeight.shape[1] }
    public var vocabularySize: Int { wordWeight.shape[0] }
    public var classCount: Int { members.count }
    /// Words in the largest class.
    private let largestClassSize: Int
    public var parameters: [Parameter<Scalar>] {
        [wordWeight] + (wordBias.map { [$0] } ?? []) + [classWeight] + (classBias.map { [$0] } ?? [])
    }
    public var summary: String { "class-softmax(\(classCount) classes\(isTied ? ", tied" : ""))" }
    /// It marks the word rows whose gradients it writes (those of the classes present), which
    /// matters when the word weights are the embedding table. Its own untied word weights are
    /// not row-tracked: a chunk of a few hundred tokens meets nearly every class, so nearly every row.
    public var recordsTouchedRows: Bool { true }

    // Workspaces, each grown (only) when a call needs more than it holds.
    /// (N, C): class logits, then their gradient.
    private var classLogits = Tensor<Scalar>(zeros: [0])
    /// (m, H): the hidden rows of one class's group, gathered.
    private var groupHidden = Tensor<Scalar>(zeros: [0])
    /// (m, H): the gradient with respect to those rows, before it is scattered back.
    private var groupGrad = Tensor<Scalar>(zeros: [0])
    /// (m, k): the group's logits over its class's words, then their gradient.
    private var groupLogits = Tensor<Scalar>(zeros: [0])
    /// (k, H): the word weights of the class's words, gathered.
    private var gatheredWeights = Tensor<Scalar>(zeros: [0])
    /// (k, H): their gradient, before it is scattered back.
    private var gatheredGrad = Tensor<Scalar>(zeros: [0])
    /// (N): ones, for the class-bias gradient as a column sum through GEMM.
    private var ones = Tensor<Scalar>(zeros: [0])
    /// (N): each row's target class.
    private let classTargets = Scratch<Int32>()
    /// (m) used of (N): each group row's target index inside its class.
    private let localTargets = Scratch<Int32>()
    /// (N): row numbers ordered by target class (the rows of class c are a contiguous run).
    private let rowsByClass = Scratch<Int>()
    /// (C + 1): where each class's run starts in `rowsByClass`; entry C is N.
    private let classStart = Scratch<Int>()
    /// (C): the next free slot of each class's run while `rowsByClass` is filled.
    private let classFill = Scratch<Int>()
    /// The softmax kernels' scratch: (N) row losses.
    private let softmaxWorkspace = SoftmaxWorkspace<Scalar>()

    /// Frequency-binned classes as in RNNLM: words sorted by count (descending, ties by id), a
    /// new class starting whenever the cumulative share of tokens passes the next 1/C step.
    /// Every class gets at least one word; returns the class of each word id.
    public static func frequencyClasses(counts: [Int], classes C: Int) -> [Int32] {
        let V = counts.count
        precondition(C >= 1 && C <= V, "frequencyClasses: need 1 ≤ classes ≤ vocabulary (\(C) for \(V))")
        let order = (0..<V).sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        let total = Double(max(1, counts.reduce(0) { $0 + max($1, 0) }))
        var classOf = [Int32](repeating: 0, count: V)
        var cumulative = 0.0
        var current = 0
        for (rank, w) in order.enumerated() {
            classOf[w] = Int32(current)
            cumulative += Double(max(counts[w], 0)) / total
            let remainingWords = V - rank - 1, remainingClasses = C - current - 1
            // Move on when this class's share is used up, but leave a word for every later class.
            if remainingClasses > 0 && (cumulative > Double(current + 1) / Double(C) || remainingWords == remainingClasses) {
                current += 1
            }
        }
        return classOf
    }

    /// A layer with its own word weights (V, H).
    public convenience init(vocabularySize V: Int, hiddenSize H: Int, classOf: [Int32], bias: Bool) {
        self.init(wordWeight: Parameter(name: "output.weight", shape: [V, H]), tied: false, classOf: classOf, bias: bias)
    }

    /// A layer whose word weights are `wordWeight` (the embedding table when `tied`).
    public init(wordWeight: Parameter<Scalar>, tied: Bool, classOf: [Int32], bias: Bool) {
        let V = wordWeight.shape[0], H = wordWeight.shape[1]
        precondition(classOf.count == V, "ClassSoftmaxOutput: \(classOf.count) class labels for \(V) words")
        let C = Int(classOf.max() ?? 0) + 1
        var members = [[Int32]](repeating: [], count: C)
        var indexInClass = [Int32](repeating: 0, count: V)
        for w in 0..<V {
            let c = Int(classOf[w])
            indexInClass[w] = Int32(members[c].count)
            members[c].append(Int32(w))
        }
        precondition(members.allSatisfy { !$0.isEmpty }, "ClassSoftmaxOutput: every class needs a word")
        self.wordWeight = wordWeight
        self.isTied = tied
        self.wordBias = bias ? Parameter(name: "output.bias", shape: [V]) : nil
        self.classWeight = Parameter(name: "output.class_weight", shape: [C, H])
        self.classBias = bias ? Parameter(name: "output.class_bias", shape: [C]) : nil
        self.classOf = classOf
        self.members = members
        self.indexInClass = indexInClass
        self.largestClassSize = members.map(\.count).max() ?? 1
    }

    /// A rows × cols view over `t`, which grows (only) when it holds fewer elements.
    private func workspace(_ t: inout Tensor<Scalar>, rows: Int, cols: Int) -> MatrixRef<Scalar> {
        if t.count < max(rows * cols, 1) { t = Tensor(zeros: [max(rows * cols, 1)]) }
        return MatrixRef(t.data, rows: rows, cols: cols)
    }

    /// The shared forward (and optionally backward) pass; returns Σ −log p(target).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func run(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar?,
                     hiddenGradient: MatrixRef<Scalar>?) -> Double {
        let n = hidden.rows, H = inputSize, C = classCount
        precondition(hidden.cols == H, "ClassSoftmaxOutput: hidden size \(hidden.cols), expected \(H)")
        var loss = 0.0

        // Class part: one GEMM over all rows.
        let Zc = workspace(&classLogits, rows: n, cols: C)
        if let b = classBias { for r in 0..<n { copyElements(from: b.value.data, to: Zc.row(r), count: C) } }
        gemm(hidden, classWeight.value.matrix, transposeB: true, into: Zc, beta: classBias == nil ? 0 : 1)
        let classTargets = self.classTargets.reserve(n)
        for r in 0..<n { classTargets[r] = classOf[Int(targets[r])] }
        if let gradScale, let dH = hiddenGradient {
            loss += softmaxCrossEntropyInPlace(Zc.base, rows: n, cols: C, ld: Zc.ld, targets: classTargets, gradScale: gradScale,
                                               workspace: softmaxWorkspace)
            gemm(Zc, transposeA: true, hidden, into: classWeight.grad.matrix, beta: 1)
            if let b = classBias {
                if ones.count < n { ones = Tensor(zeros: [n]); ones.fill(1) }
                gemm(MatrixRef(ones.data, rows: 1, cols: n), Zc, into: b.grad.matrix, beta: 1)
            }
            gemm(Zc, classWeight.value.matrix, into: dH)
        } else {
            loss += softmaxNLL(Zc.base, rows: n, cols: C, ld: Zc.ld, targets: classTargets, workspace: softmaxWorkspace)
        }

        // Word part: rows grouped by target class (a counting sort), one GEMM per class present.
        // The (m, H) and (k, H) workspaces are sized for the largest group up front (m ≤ N,
        // k ≤ the largest class); the (m, k) logits grow to the largest group seen.
        _ = workspace(&groupHidden, rows: n, cols: H)
        _ = workspace(&gatheredWeights, rows: largestClassSize, cols: H)
        if hiddenGradient != nil {
            _ = workspace(&groupGrad, rows: n, cols: H)
            _ = workspace(&gatheredGrad, rows: largestClassSize, cols: H)
        }
        let start = classStart.reserve(C + 1), fill = classFill.reserve(C)
        let rowsByClass = self.rowsByClass.reserve(n), localTargets = self.localTargets.reserve(n)
        for c in 0...C { start[c] = 0 }
        for r in 0..<n { start[Int(classTargets[r]) + 1] += 1 }
        for c in 0..<C { start[c + 1] += start[c] }
        for c in 0..<C { fill[c] = start[c] }
        for r in 0..<n { let c = Int(classTargets[r]); rowsByClass[fill[c]] = r; fill[c] += 1 }
        // Loops here run over integer ranges and index the arrays: in a debug build, iterating an
        // array (or enumerating a range) in this generic code allocates for every element.
        for c in 0..<C where start[c + 1] > start[c] {
            let first = start[c], m = start[c + 1] - first, words = members[c], k = words.count
            let Hg = workspace(&groupHidden, rows: m, cols: H), Zw = workspace(&groupLogits, rows: m, cols: k)
            let Wg = workspace(&gatheredWeights, rows: k, cols: H)
            for i in 0..<m {
                let r = rowsByClass[first + i]
                copyElements(from: hidden.row(r), to: Hg.row(i), count: H)
                localTargets[i] = indexInClass[Int(targets[r])]
            }
            for j in 0..<k { copyElements(from: wordWeight.value.data + Int(words[j]) * H, to: Wg.row(j), count: H) }
            if let b = wordBias {
                for i in 0..<m { let row = Zw.row(i); for j in 0..<k { row[j] = b.value.data[Int(words[j])] } }
            }
            gemm(Hg, Wg, transposeB: true, into: Zw, beta: wordBias == nil ? 0 : 1)
            if let gradScale, let dH = hiddenGradient {
                loss += softmaxCrossEntropyInPlace(Zw.base, rows: m, cols: k, ld: Zw.ld, targets: localTargets, gradScale: gradScale,
                                                   workspace: softmaxWorkspace)
                let dWg = workspace(&gatheredGrad, rows: k, cols: H)
                gemm(Zw, transposeA: true, Hg, into: dWg)
                for j in 0..<k {
                    wordWeight.touchedRows?.mark(Int(words[j]))
                    Scalar.blasAxpy(n: H, alpha: 1, x: dWg.row(j), y: wordWeight.grad.data + Int(words[j]) * H)
                }
                if let b = wordBias {
                    for i in 0..<m { let row = Zw.row(i); for j in 0..<k { b.grad.data[Int(words[j])] += row[j] } }
                }
                let dHg = workspace(&groupGrad, rows: m, cols: H)
                gemm(Zw, Wg, into: dHg)
                for i in 0..<m { Scalar.blasAxpy(n: H, alpha: 1, x: dHg.row(i), y: dH.row(rowsByClass[first + i])) }
            } else {
                loss += softmaxNLL(Zw.base, rows: m, cols: k, ld: Zw.ld, targets: localTargets, workspace: softmaxWorkspace)
            }
        }
        return loss
    }

    public func lossAndGradient(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar,
                                hiddenGradient: MatrixRef<Scalar>) -> Double {
        run(hidden: hidden, targets: targets, gradScale: gradScale, hiddenGradient: hiddenGradient)
    }

    public func loss(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>) -> Double {
        run(hidden: hidden, targets: targets, gradScale: nil, hiddenGradient: nil)
    }

    /// log p(w | h) for every word: log P(class) + log P(w | class).
    public func logProbabilities(hidden: MatrixRef<Scalar>, into out: MatrixRef<Scalar>) {
        let n = hidden.rows, C = classCount, V = vocabularySize
        precondition(out.rows == n && out.cols == V, "ClassSoftmaxOutput.logProbabilities: output \(out.rows)×\(out.cols)")
        let classLog = Tensor<Scalar>(zeros: [n, C])
        if let b = classBias { for r in 0..<n { copyElements(from: b.value.data, to: classLog.matrix.row(r), count: C) } }
        gemm(hidden, classWeight.value.matrix, transposeB: true, into: classLog.matrix, beta: classBias == nil ? 0 : 1)
        if let b = wordBias { for r in 0..<n { copyElements(from: b.value.data, to: out.row(r), count: V) } }
        gemm(hidden, wordWeight.value.matrix, transposeB: true, into: out, beta: wordBias == nil ? 0 : 1)
        var lse = [Scalar](repeating: 0, count: n)
        lse.withUnsafeMutableBufferPointer { rowLogSumExp(UnsafePointer(classLog.data), rows: n, cols: C, ld: C, into: $0.baseAddress!) }
        var scratch = [Scalar](repeating: 0, count: V)
        for r in 0..<n {
            let row = out.row(r)
            for c in 0..<C {
                let words = members[c]
                var m = -Scalar.infinity
                for w in words { m = max(m, row[Int(w)]) }
                var s: Scalar = 0
                for w in words { s += Scalar.exp(row[Int(w)] - m) }
                let logClass = classLog.matrix[r, c] - lse[r]
                let norm = m + Scalar.log(s)
                for w in words { scratch[Int(w)] = logClass + row[Int(w)] - norm }
            }
            for j in 0..<V { row[j] = scratch[j] }
        }
    }
}
