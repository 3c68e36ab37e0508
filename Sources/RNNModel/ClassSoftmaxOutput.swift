// ClassSoftmaxOutput: Mikolov's class-based softmax (RNNLM's -class). Words are put into C
// classes by frequency; P(w | h) = P(class(w) | h) · P(w | class(w), h), both exact softmaxes,
// so the probabilities are normalised over the whole vocabulary while a token costs
// O(C + |class|) instead of O(V).
//
// Rows of a chunk are grouped by their target's class; each group is one GEMM against its
// class's word weights (gathered into a contiguous block, since a class's words need not be
// contiguous ids) and its gradient is scattered back. Evaluation uses the same path.

import RNNTensor

/// Class-based factorised softmax output layer.
public final class ClassSoftmaxOutput<T: BLASScalar>: OutputLayer {
    public typealias Scalar = T

    /// (V, H): word weights (the embedding table when tied).
    public let wordWeight: Parameter<T>
    /// (V): word bias, or nil.
    public let wordBias: Parameter<T>?
    /// (C, H): class weights.
    public let classWeight: Parameter<T>
    /// (C): class bias, or nil.
    public let classBias: Parameter<T>?
    public let isTied: Bool
    /// class of each word id.
    public let classOf: [Int32]
    /// word ids of each class, and each word's index inside its class.
    public let members: [[Int32]]
    public let indexInClass: [Int32]

    public var inputSize: Int { wordWeight.shape[1] }
    public var vocabularySize: Int { wordWeight.shape[0] }
    public var classCount: Int { members.count }
    public var parameters: [Parameter<T>] {
        [wordWeight] + (wordBias.map { [$0] } ?? []) + [classWeight] + (classBias.map { [$0] } ?? [])
    }
    public var summary: String { "class-softmax(\(classCount) classes\(isTied ? ", tied" : ""))" }

    // Workspaces, grown on demand.
    private var classLogits = Tensor<T>(zeros: [0])
    private var groupHidden = Tensor<T>(zeros: [0])
    private var groupGrad = Tensor<T>(zeros: [0])
    private var groupLogits = Tensor<T>(zeros: [0])
    private var gatheredWeights = Tensor<T>(zeros: [0])
    private var gatheredGrad = Tensor<T>(zeros: [0])
    private var ones = Tensor<T>(zeros: [0])

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
    public init(wordWeight: Parameter<T>, tied: Bool, classOf: [Int32], bias: Bool) {
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
    }

    /// A rows × cols view over `t`, which grows (only) when it holds fewer elements.
    private func workspace(_ t: inout Tensor<T>, rows: Int, cols: Int) -> MatrixRef<T> {
        if t.count < max(rows * cols, 1) { t = Tensor(zeros: [max(rows * cols, 1)]) }
        return MatrixRef(t.data, rows: rows, cols: cols)
    }

    /// The shared forward (and optionally backward) pass; returns Σ −log p(target).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private func run(hidden: MatrixRef<T>, targets: UnsafePointer<Int32>, gradScale: T?, hiddenGradient: MatrixRef<T>?) -> Double {
        let n = hidden.rows, H = inputSize, C = classCount
        precondition(hidden.cols == H, "ClassSoftmaxOutput: hidden size \(hidden.cols), expected \(H)")
        var loss = 0.0

        // Class part: one GEMM over all rows.
        let Zc = workspace(&classLogits, rows: n, cols: C)
        if let b = classBias { for r in 0..<n { copyElements(from: b.value.data, to: Zc.row(r), count: C) } }
        gemm(hidden, classWeight.value.matrix, transposeB: true, into: Zc, beta: classBias == nil ? 0 : 1)
        var classTargets = [Int32](repeating: 0, count: n)
        for r in 0..<n { classTargets[r] = classOf[Int(targets[r])] }
        if let gradScale, let dH = hiddenGradient {
            loss += classTargets.withUnsafeBufferPointer {
                softmaxCrossEntropyInPlace(Zc.base, rows: n, cols: C, ld: Zc.ld, targets: $0.baseAddress!, gradScale: gradScale)
            }
            gemm(Zc, transposeA: true, hidden, into: classWeight.grad.matrix, beta: 1)
            if let b = classBias {
                if ones.count < n { ones = Tensor(zeros: [n]); ones.fill(1) }
                gemm(MatrixRef(ones.data, rows: 1, cols: n), Zc, into: b.grad.matrix, beta: 1)
            }
            gemm(Zc, classWeight.value.matrix, into: dH)
        } else {
            loss += classTargets.withUnsafeBufferPointer {
                softmaxNLL(Zc.base, rows: n, cols: C, ld: Zc.ld, targets: $0.baseAddress!)
            }
        }

        // Word part: rows grouped by target class, one GEMM per class present.
        var start = [Int](repeating: 0, count: C + 1)
        for r in 0..<n { start[Int(classTargets[r]) + 1] += 1 }
        for c in 0..<C { start[c + 1] += start[c] }
        var fill = start
        var rowsByClass = [Int](repeating: 0, count: n)
        for r in 0..<n { let c = Int(classTargets[r]); rowsByClass[fill[c]] = r; fill[c] += 1 }
        var localTargets = [Int32](repeating: 0, count: n)
        for c in 0..<C where start[c + 1] > start[c] {
            let rows = start[c]..<start[c + 1], m = rows.count, words = members[c], k = words.count
            let Hg = workspace(&groupHidden, rows: m, cols: H), Zw = workspace(&groupLogits, rows: m, cols: k)
            let Wg = workspace(&gatheredWeights, rows: k, cols: H)
            for (i, r) in rows.enumerated() {
                copyElements(from: hidden.row(rowsByClass[r]), to: Hg.row(i), count: H)
                localTargets[i] = indexInClass[Int(targets[rowsByClass[r]])]
            }
            for (j, w) in words.enumerated() { copyElements(from: wordWeight.value.data + Int(w) * H, to: Wg.row(j), count: H) }
            if let b = wordBias {
                for i in 0..<m { let row = Zw.row(i); for (j, w) in words.enumerated() { row[j] = b.value.data[Int(w)] } }
            }
            gemm(Hg, Wg, transposeB: true, into: Zw, beta: wordBias == nil ? 0 : 1)
            if let gradScale, let dH = hiddenGradient {
                loss += localTargets.withUnsafeBufferPointer {
                    softmaxCrossEntropyInPlace(Zw.base, rows: m, cols: k, ld: Zw.ld, targets: $0.baseAddress!, gradScale: gradScale)
                }
                let dWg = workspace(&gatheredGrad, rows: k, cols: H)
                gemm(Zw, transposeA: true, Hg, into: dWg)
                for (j, w) in words.enumerated() {
                    T.blasAxpy(n: H, alpha: 1, x: dWg.row(j), y: wordWeight.grad.data + Int(w) * H)
                }
                if let b = wordBias {
                    for i in 0..<m { let row = Zw.row(i); for (j, w) in words.enumerated() { b.grad.data[Int(w)] += row[j] } }
                }
                let dHg = workspace(&groupGrad, rows: m, cols: H)
                gemm(Zw, Wg, into: dHg)
                for (i, r) in rows.enumerated() { T.blasAxpy(n: H, alpha: 1, x: dHg.row(i), y: dH.row(rowsByClass[r])) }
            } else {
                loss += localTargets.withUnsafeBufferPointer {
                    softmaxNLL(Zw.base, rows: m, cols: k, ld: Zw.ld, targets: $0.baseAddress!)
                }
            }
        }
        return loss
    }

    public func lossAndGradient(hidden: MatrixRef<T>, targets: UnsafePointer<Int32>, gradScale: T,
                                hiddenGradient: MatrixRef<T>) -> Double {
        run(hidden: hidden, targets: targets, gradScale: gradScale, hiddenGradient: hiddenGradient)
    }

    public func loss(hidden: MatrixRef<T>, targets: UnsafePointer<Int32>) -> Double {
        run(hidden: hidden, targets: targets, gradScale: nil, hiddenGradient: nil)
    }

    /// log p(w | h) for every word: log P(class) + log P(w | class).
    public func logProbabilities(hidden: MatrixRef<T>, into out: MatrixRef<T>) {
        let n = hidden.rows, C = classCount, V = vocabularySize
        precondition(out.rows == n && out.cols == V, "ClassSoftmaxOutput.logProbabilities: output \(out.rows)×\(out.cols)")
        let classLog = Tensor<T>(zeros: [n, C])
        if let b = classBias { for r in 0..<n { copyElements(from: b.value.data, to: classLog.matrix.row(r), count: C) } }
        gemm(hidden, classWeight.value.matrix, transposeB: true, into: classLog.matrix, beta: classBias == nil ? 0 : 1)
        if let b = wordBias { for r in 0..<n { copyElements(from: b.value.data, to: out.row(r), count: V) } }
        gemm(hidden, wordWeight.value.matrix, transposeB: true, into: out, beta: wordBias == nil ? 0 : 1)
        var lse = [T](repeating: 0, count: n)
        lse.withUnsafeMutableBufferPointer { rowLogSumExp(UnsafePointer(classLog.data), rows: n, cols: C, ld: C, into: $0.baseAddress!) }
        var scratch = [T](repeating: 0, count: V)
        for r in 0..<n {
            let row = out.row(r)
            for c in 0..<C {
                let words = members[c]
                var m = -T.infinity
                for w in words { m = max(m, row[Int(w)]) }
                var s: T = 0
                for w in words { s += T.exp(row[Int(w)] - m) }
                let logClass = classLog.matrix[r, c] - lse[r]
                let norm = m + T.log(s)
                for w in words { scratch[Int(w)] = logClass + row[Int(w)] - norm }
            }
            for j in 0..<V { row[j] = scratch[j] }
        }
    }
}
