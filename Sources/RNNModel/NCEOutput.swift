// NCEOutput: noise-contrastive estimation (Gutmann & Hyvärinen 2010; Mnih & Teh 2012), as in
// faster-rnnlm's NCE. The parameters are a full softmax's — a (V, H) matrix W (the embedding
// table when tied) and a bias c — but training never normalises over V: each row's target t and
// k noise words n_1 … n_k, drawn from q (NoiseDistribution), are told apart by logistic units on
//
//     Δ(w) = s(w) − log(k · q(w)),   s(w) = W_w · h + c_w − log Z    (log Z a fixed constant)
//
// and the training loss (per row) is the NCE objective
//
//     J = −log σ(Δ(t)) − Σ_j log σ(−Δ(n_j)),  with ∂J/∂s(t) = σ(Δ(t)) − 1,  ∂J/∂s(n_j) = σ(Δ(n_j)).
//
// J is not a cross-entropy (its exp is no perplexity): `trainingLoss` says `.surrogate("nce")`.
// Evaluation (`loss`, `logProbabilities`) is the exactly normalised softmax of the same W and c
// (log Z cancels), through an inner SoftmaxOutput that shares the parameters: validation and
// test perplexities are true perplexities (faster-rnnlm's unnormalised figures misled a user,
// yandex/faster-rnnlm#35).
//
// Noise: k words per row, drawn row by row (row 0's k words first) from `generator`, one 64-bit
// draw per word; the generator is training state (`randomGenerator`: checkpoints save it).
// Duplicates (a noise word equal to the target, or repeated) are kept, as the estimator says.
// Per row: the k + 1 rows of W gathered into a block (k + 1, H), one GEMV for the scores, one
// for the gradient with respect to h, an AXPY per word into W's gradient. Workspaces grow to
// the largest chunk and are reused: a step allocates nothing. One thread.
//
// Shapes: N = rows (T·B), H = hidden size, V = vocabulary size, k = noise words per row.

import RNNTensor
import RealModule

/// Noise-contrastive estimation for training; the normalised softmax for evaluation.
public final class NCEOutput<Scalar: BLASScalar>: OutputLayer {
    /// The full softmax on the same parameters: what evaluation uses.
    public let softmax: SoftmaxOutput<Scalar>
    /// k: noise words per row.
    public let noiseCount: Int
    /// q: the noise distribution.
    public let noise: NoiseDistribution
    /// log Z: the fixed log-normaliser subtracted from every score while training.
    public let logZ: Double
    /// Draws the noise words; part of the training state.
    public var generator: Xoshiro256

    /// (V, H): the output weights (the embedding table when tied).
    public var weight: Parameter<Scalar> { softmax.weight }
    /// (V): the output bias, or nil.
    public var bias: Parameter<Scalar>? { softmax.bias }
    public var isTied: Bool { softmax.isTied }

    public var inputSize: Int { softmax.inputSize }
    public var vocabularySize: Int { softmax.vocabularySize }
    public var parameters: [Parameter<Scalar>] { softmax.parameters }
    public var summary: String { "nce(k \(noiseCount), α \(noise.power)\(isTied ? ", tied" : ""))" }
    public var trainingLoss: TrainingLoss { .surrogate("nce") }
    /// It marks the target and noise rows whose gradients it writes (the inner softmax marks all).
    public var recordsTouchedRows: Bool { true }
    public var randomGenerator: Xoshiro256? {
        get { generator }
        set { if let newValue { generator = newValue } }
    }

    /// (V): log(k · q(w)) + log Z, subtracted from W_w · h + c_w to give Δ(w).
    private let offset: [Double]
    /// (k + 1, H): the weights of one row's target and noise words, gathered.
    private let gathered: Tensor<Scalar>
    /// (k + 1): their scores, then the gradient with respect to them.
    private let scores: Tensor<Scalar>
    /// (N·k) used: the noise words of the last chunk, row by row.
    private let noiseWords = Scratch<Int32>()
    /// Rows of noise words drawn by the last `drawNoise`.
    public private(set) var drawnRows = 0

    /// - Parameters:
    ///   - softmax: the parameters (untied or tied) and the evaluation path.
    ///   - counts: training counts per word id, for q.
    ///   - noiseCount: k ≥ 1.
    ///   - power: α ≥ 0, q(w) ∝ max(c(w), 1)^α.
    ///   - logZ: log Z; nil takes log V (a uniform model's normaliser, so that the scores start near the right scale).
    public init(softmax: SoftmaxOutput<Scalar>, counts: [Int], noiseCount: Int, power: Double, logZ: Double? = nil,
                generator: Xoshiro256 = Xoshiro256(seed: 0)) {
        precondition(counts.count == softmax.vocabularySize, "NCEOutput: \(counts.count) counts for \(softmax.vocabularySize) words")
        precondition(noiseCount >= 1, "NCEOutput: k must be ≥ 1, got \(noiseCount)")
        self.softmax = softmax
        self.noiseCount = noiseCount
        self.noise = NoiseDistribution(counts: counts, power: power)
        self.logZ = logZ ?? Double.log(Double(softmax.vocabularySize))
        self.generator = generator
        let shift = Double.log(Double(noiseCount)) + self.logZ
        offset = noise.logProbabilities.map { $0 + shift }
        gathered = Tensor(zeros: [noiseCount + 1, softmax.inputSize])
        scores = Tensor(zeros: [noiseCount + 1])
        softmax.weight.trackTouchedRows()   // a chunk writes only its targets' and noise words' rows
    }

    /// Draws k noise words for each of `rows` rows from `generator` (replacing the last ones).
    public func drawNoise(rows: Int) {
        let k = noiseCount
        let words = noiseWords.reserve(max(rows * k, 1))
        for i in 0..<(rows * k) { words[i] = noise.sample(using: &generator) }
        drawnRows = rows
    }

    /// The noise words of row `r` of the last draw (for tests and diagnostics).
    public func noiseWords(row r: Int) -> [Int32] {
        precondition(r >= 0 && r < drawnRows, "NCEOutput.noiseWords: row \(r) outside the \(drawnRows) drawn")
        let words = noiseWords.reserve(drawnRows * noiseCount)
        return (0..<noiseCount).map { words[r * noiseCount + $0] }
    }

    /// The NCE objective Σ over rows of J, with the noise words of the last `drawNoise` (which
    /// must have covered `hidden.rows` rows); with `gradScale`, adds `gradScale ·` dJ/d(params)
    /// into the gradients and writes `gradScale ·` dJ/dh into `hiddenGradient`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func objective(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar? = nil,
                          hiddenGradient: MatrixRef<Scalar>? = nil) -> Double {
        let n = hidden.rows, H = inputSize, V = vocabularySize, k = noiseCount
        precondition(hidden.cols == H, "NCEOutput: hidden size \(hidden.cols), expected \(H)")
        precondition(n <= drawnRows, "NCEOutput: \(n) rows but noise drawn for \(drawnRows)")
        let words = noiseWords.reserve(max(drawnRows * k, 1))
        let W = weight.value.data, G = gathered.data, s = scores.data
        let c = bias?.value.data
        let training = gradScale != nil
        let scale = gradScale.map { Double($0) } ?? 0
        let touched = weight.touchedRows
        var loss = 0.0
        for r in 0..<n {
            let t = Int(targets[r])
            precondition(t >= 0 && t < V, "NCEOutput: target \(t) outside the vocabulary 0..<\(V)")
            let h = hidden.row(r)
            // Row 0 of the block is the target, rows 1 … k the noise words.
            copyElements(from: W + t * H, to: G, count: H)
            for j in 0..<k { copyElements(from: W + Int(words[r * k + j]) * H, to: G + (j + 1) * H, count: H) }
            Scalar.blasGemv(trans: false, m: k + 1, n: H, alpha: 1, a: G, lda: H, x: h, beta: 0, y: s)
            for j in 0...k {
                let w = j == 0 ? t : Int(words[r * k + j - 1])
                var delta = Double(s[j]) - offset[w]
                if let c { delta += Double(c[w]) }
                // One exponential for both the loss and σ(Δ) (LogisticLoss.swift: the same bits).
                if j == 0 {
                    let (targetLoss, sigmoid) = negativeLogSigmoidAndSigmoid(delta)     // −log σ(Δ), σ(Δ)
                    loss += targetLoss
                    if training { s[j] = Scalar((sigmoid - 1) * scale) }
                } else {
                    let (noiseLoss, sigmoid) = negativeLogSigmoidAndComplement(-delta)  // −log σ(−Δ), σ(Δ)
                    loss += noiseLoss
                    if training { s[j] = Scalar(sigmoid * scale) }
                }
            }
            guard training, let dH = hiddenGradient else { continue }
            Scalar.blasGemv(trans: true, m: k + 1, n: H, alpha: 1, a: G, lda: H, x: s, beta: 0, y: dH.row(r))
            for j in 0...k {
                let w = j == 0 ? t : Int(words[r * k + j - 1])
                touched?.mark(w)
                Scalar.blasAxpy(n: H, alpha: s[j], x: h, y: weight.grad.data + w * H)
                if let b = bias { b.grad.data[w] += s[j] }
            }
        }
        return loss
    }

    /// Draws fresh noise for the chunk, then the NCE objective and its gradients.
    public func lossAndGradient(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar,
                                hiddenGradient: MatrixRef<Scalar>) -> Double {
        precondition(hiddenGradient.rows == hidden.rows && hiddenGradient.cols == inputSize,
                     "NCEOutput: hidden gradient \(hiddenGradient.rows)×\(hiddenGradient.cols)")
        drawNoise(rows: hidden.rows)
        return objective(hidden: hidden, targets: targets, gradScale: gradScale, hiddenGradient: hiddenGradient)
    }

    /// The full softmax's cross-entropy and its gradients (for diagnostics): draws nothing.
    public func crossEntropyAndGradient(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>, gradScale: Scalar,
                                        hiddenGradient: MatrixRef<Scalar>) -> Double {
        softmax.lossAndGradient(hidden: hidden, targets: targets, gradScale: gradScale, hiddenGradient: hiddenGradient)
    }

    /// The normalised cross-entropy (the full softmax's): draws nothing.
    public func loss(hidden: MatrixRef<Scalar>, targets: UnsafePointer<Int32>) -> Double {
        softmax.loss(hidden: hidden, targets: targets)
    }

    /// The normalised log-probabilities (the full softmax's).
    public func logProbabilities(hidden: MatrixRef<Scalar>, into out: MatrixRef<Scalar>) {
        softmax.logProbabilities(hidden: hidden, into: out)
    }
}
