// Benchmark: rnnlab's throughput on fixed configurations, measured the way the PyTorch
// reference figures were (../shared/bench: warm-up steps, then timed steps, then a timed
// evaluation pass), next to the sgemm peak measured in the same process. Not a test.

import Foundation
import RNNData
import RNNModel
import RNNTensor
import RNNTraining
#if canImport(Glibc)
import Glibc
#endif

/// One configuration to measure.
public struct BenchmarkConfiguration: Sendable {
    public var name: String
    public var level: TokenLevel
    public var embedding: Int
    public var hidden: Int
    public var batch: Int
    public var bptt: Int
    public var evalBatch: Int
    public var tied: Bool
    /// PyTorch 2.15 figures on this kind of machine (../shared/bench/README.md), tokens/s.
    public var pytorchTrain: Double?
    public var pytorchEval: Double?

    /// The configurations of the PyTorch reference table.
    public static let standard: [BenchmarkConfiguration] = [
        .init(name: "ptb-200-tied", level: .word, embedding: 200, hidden: 200, batch: 20, bptt: 35, evalBatch: 10, tied: true,
              pytorchTrain: 9138, pytorchEval: 31457),
        .init(name: "ptb-200-untied", level: .word, embedding: 200, hidden: 200, batch: 20, bptt: 35, evalBatch: 10, tied: false,
              pytorchTrain: 9972, pytorchEval: 29984),
        .init(name: "ptb-650-tied", level: .word, embedding: 650, hidden: 650, batch: 20, bptt: 35, evalBatch: 10, tied: true,
              pytorchTrain: 3751, pytorchEval: 10226),
        .init(name: "shakespeare-chars-256", level: .chars, embedding: 256, hidden: 256, batch: 32, bptt: 100, evalBatch: 10, tied: false,
              pytorchTrain: 114_670, pytorchEval: 254_677),
    ]
}

/// What one configuration measured.
public struct BenchmarkResult: Codable, Sendable {
    public var config: String
    public var vocabularySize: Int
    public var trainTokensPerSec: Double
    public var evalTokensPerSec: Double
    /// Model FLOP rate while training, counting 6·(E·H + H·H + H·V) per token.
    public var gflops: Double
    public var sgemmPeakGflops: Double
    public var percentOfPeak: Double
    public var peakRSSMB: Double
    public var blas: String
    public var pytorchTrainTokensPerSec: Double?
    public var pytorchEvalTokensPerSec: Double?
    public var data: String

    enum CodingKeys: String, CodingKey {
        case config, vocabularySize = "vocabulary_size", trainTokensPerSec = "train_tokens_per_sec"
        case evalTokensPerSec = "eval_tokens_per_sec", gflops, sgemmPeakGflops = "sgemm_peak_gflops"
        case percentOfPeak = "percent_of_peak", peakRSSMB = "peak_rss_mb", blas
        case pytorchTrainTokensPerSec = "pytorch_train_tokens_per_sec", pytorchEvalTokensPerSec = "pytorch_eval_tokens_per_sec", data
    }
}

/// Peak resident set size of this process so far, in MB.
public func peakResidentMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Measures sgemm GFLOP/s on the output-layer shape: (N×H)·(V×H)ᵀ with N = rows.
public func measureSgemmPeak(rows: Int = 700, vocabulary: Int = 10000, hidden: Int = 200, repeats: Int = 20) -> Double {
    let a = Tensor<Float>(zeros: [rows, hidden]), b = Tensor<Float>(zeros: [vocabulary, hidden]), c = Tensor<Float>(zeros: [rows, vocabulary])
    var rng = Xoshiro256(seed: 9)
    for i in 0..<a.count { a[i] = Float(rng.uniform(-1, 1)) }
    for i in 0..<b.count { b[i] = Float(rng.uniform(-1, 1)) }
    gemm(a.matrix, b.matrix, transposeB: true, into: c.matrix)
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<repeats { gemm(a.matrix, b.matrix, transposeB: true, into: c.matrix) }
    let s = seconds(clock.now - start)
    return 2.0 * Double(rows * vocabulary * hidden * repeats) / s / 1e9
}

/// Runs benchmark configurations.
public struct Benchmark {
    public var warmupSteps = 20
    public var timedSteps = 200
    /// Evaluation tokens to score (a prefix of the validation split).
    public var evalTokens = 200_000
    public var threads: Int

    public init(threads: Int, warmupSteps: Int = 20, timedSteps: Int = 200) {
        self.threads = threads
        self.warmupSteps = warmupSteps
        self.timedSteps = timedSteps
    }

    /// Measures `config` on `corpus` (or on random tokens of a PTB- or character-sized vocabulary
    /// when `corpus` is nil: the speed does not depend on which tokens they are).
    public func run(_ config: BenchmarkConfiguration, corpus: Corpus?, sgemmPeak: Double) throws -> BenchmarkResult {
        BLASRuntime.setThreads(threads)
        let V = corpus?.vocabulary.count ?? (config.level == .word ? 10000 : 65)
        var rng = Xoshiro256(seed: 1111)
        let needed = config.batch * (config.bptt * (warmupSteps + timedSteps) + 1)
        let train = corpus.map { Array($0.train.prefix(needed)) } ?? (0..<needed).map { _ in Int32(rng.next() % UInt64(V)) }
        let valid = corpus.map { Array($0.valid.prefix(evalTokens)) } ?? (0..<evalTokens).map { _ in Int32(rng.next() % UInt64(V)) }

        let embedding = Embedding<Float>(vocabularySize: V, embeddingSize: config.embedding)
        let cell = ElmanCell<Float>(inputSize: config.embedding, hiddenSize: config.hidden, activation: Tanh(), bias: true)
        let output: any OutputLayer<Float> = config.tied
            ? SoftmaxOutput<Float>(weight: embedding.table, tied: true, bias: true, threads: threads)
            : SoftmaxOutput<Float>(vocabularySize: V, hiddenSize: config.hidden, bias: true, threads: threads)
        let model = try LanguageModel(embedding: embedding, cell: cell, output: output)
        for p in model.parameters { Initializer.uniform(range: 0.1).fill(p.value, using: &rng) }

        let batches = TokenBatches(stream: train, batchSize: config.batch)
        let starts = batches.chunkStarts(bptt: config.bptt)
        let sgd = SGD<Float>()
        let state = model.zeroState(batch: config.batch)
        let clock = ContinuousClock()
        var timed = 0.0, tokens = 0
        batches.tokens.withUnsafeBufferPointer { tok in
            for (k, start) in starts.prefix(warmupSteps + timedSteps).enumerated() {
                let n = batches.chunkLength(at: start, bptt: config.bptt)
                let t0 = clock.now
                model.zeroGradients()
                let inputs = tok.baseAddress! + start * config.batch
                _ = model.forwardBackward(inputs: inputs, targets: inputs + config.batch, steps: n, batch: config.batch, state: state)
                sgd.update(model.parameters, learningRate: 1, gradientScale: clipScale(model.parameters, maxNorm: 0.25).scale)
                if k >= warmupSteps {
                    timed += seconds(clock.now - t0)
                    tokens += n * config.batch
                }
            }
        }
        let trainRate = Double(tokens) / timed
        let evalData = TokenBatches(stream: valid, batchSize: config.evalBatch)
        let e0 = clock.now
        let result = evaluate(model, on: evalData)
        let evalRate = Double(result.tokens) / seconds(clock.now - e0)
        let E = Double(config.embedding), H = Double(config.hidden)
        let gflops = trainRate * 6 * (E * H + H * H + H * Double(V)) / 1e9
        return BenchmarkResult(
            config: config.name, vocabularySize: V, trainTokensPerSec: trainRate, evalTokensPerSec: evalRate, gflops: gflops,
            sgemmPeakGflops: sgemmPeak, percentOfPeak: 100 * gflops / sgemmPeak, peakRSSMB: peakResidentMB(),
            blas: BLASRuntime.info().description, pytorchTrainTokensPerSec: config.pytorchTrain,
            pytorchEvalTokensPerSec: config.pytorchEval, data: corpus == nil ? "random tokens" : "corpus")
    }
}
