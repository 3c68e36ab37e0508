// Benchmark: rnnlab's throughput on fixed configurations, measured the way the PyTorch
// reference measures it (bench/torch_lm.py: warm-up steps, then timed steps, then a timed
// evaluation pass), next to the sgemm peak measured in the same process; and the softmax kernels
// alone. Not a test. It carries no PyTorch figures: a ratio against PyTorch is only made from
// figures measured side by side, in one invocation (`rnnlab bench --against pytorch`).

import Foundation
import RNNData
import RNNModel
import RNNTensor
import RNNTraining
#if canImport(Glibc)
import Glibc
#endif

/// The recurrent cell of a benchmark configuration.
public enum BenchmarkCell: String, Codable, Sendable {
    case elman, lstm, gru

    /// Gate blocks per layer: rows of W and U in units of H.
    var gates: Int {
        switch self {
        case .elman: 1
        case .lstm: 4
        case .gru: 3
        }
    }

    /// The cell's name for bench/torch_lm.py's `--cell`.
    var torchName: String { self == .elman ? "tanh" : rawValue }
}

/// One configuration to measure.
public struct BenchmarkConfiguration: Sendable {
    public var name: String
    public var level: TokenLevel
    public var cell: BenchmarkCell = .elman
    public var layers = 1
    public var embedding: Int
    public var hidden: Int
    public var batch: Int
    public var bptt: Int
    public var evalBatch: Int
    public var tied: Bool

    /// The Elman configurations of the PyTorch reference table (../shared/bench/README.md), and
    /// issue 13's gated ones (PTB, E=H=200, 2 layers, untied as Zaremba et al.'s small model).
    public static let standard: [BenchmarkConfiguration] = [
        .init(name: "ptb-200-tied", level: .word, embedding: 200, hidden: 200, batch: 20, bptt: 35, evalBatch: 10, tied: true),
        .init(name: "ptb-200-untied", level: .word, embedding: 200, hidden: 200, batch: 20, bptt: 35, evalBatch: 10, tied: false),
        .init(name: "ptb-650-tied", level: .word, embedding: 650, hidden: 650, batch: 20, bptt: 35, evalBatch: 10, tied: true),
        .init(name: "shakespeare-chars-256", level: .chars, embedding: 256, hidden: 256, batch: 32, bptt: 100, evalBatch: 10, tied: false),
        .init(name: "ptb-lstm-2x200", level: .word, cell: .lstm, layers: 2, embedding: 200, hidden: 200, batch: 20, bptt: 35,
              evalBatch: 10, tied: false),
        .init(name: "ptb-gru-2x200", level: .word, cell: .gru, layers: 2, embedding: 200, hidden: 200, batch: 20, bptt: 35,
              evalBatch: 10, tied: false),
    ]

    /// Model FLOPs per trained token with a vocabulary of `V`: forward and backward (×3) of the
    /// input and recurrent products of every layer and of the output layer, 2 FLOPs each.
    public func flopsPerTrainedToken(vocabulary V: Int) -> Double {
        var macs = Double(hidden * V)
        for l in 0..<layers {
            let input = l == 0 ? embedding : hidden
            macs += Double(cell.gates * (input * hidden + hidden * hidden))
        }
        return 6 * macs
    }
}

/// What one configuration measured.
public struct BenchmarkResult: Codable, Sendable {
    public var config: String
    public var vocabularySize: Int
    public var trainTokensPerSec: Double
    public var evalTokensPerSec: Double
    /// Model FLOP rate while training (`BenchmarkConfiguration.flopsPerTrainedToken`).
    public var gflops: Double
    public var sgemmPeakGflops: Double
    public var percentOfPeak: Double
    public var peakRSSMB: Double
    public var blas: String
    public var data: String

    enum CodingKeys: String, CodingKey {
        case config, vocabularySize = "vocabulary_size", trainTokensPerSec = "train_tokens_per_sec"
        case evalTokensPerSec = "eval_tokens_per_sec", gflops, sgemmPeakGflops = "sgemm_peak_gflops"
        case percentOfPeak = "percent_of_peak", peakRSSMB = "peak_rss_mb", blas, data
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
    let s = (clock.now - start).inSeconds
    return 2.0 * Double(rows * vocabulary * hidden * repeats) / s / 1e9
}

/// Runs benchmark configurations.
public struct Benchmark {
    public var warmupSteps = 20
    public var timedSteps = 200
    /// Evaluation tokens to score (a prefix of the validation split).
    public var evalTokens = 200_000
    /// Evaluation chunk length (`evaluate`'s default; the PyTorch reference is given the same).
    public static let evalChunk = 128
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
        let H = config.hidden
        func layer(inputSize: Int, prefix: String) -> any RecurrentCell<Float> {
            switch config.cell {
            case .elman: ElmanCell<Float>(inputSize: inputSize, hiddenSize: H, activation: Tanh(), bias: true, namePrefix: prefix)
            case .lstm: LSTMCell<Float>(inputSize: inputSize, hiddenSize: H, bias: .split, namePrefix: prefix)
            case .gru: GRUCell<Float>(inputSize: inputSize, hiddenSize: H, bias: true, namePrefix: prefix)
            }
        }
        let cell = config.layers == 1
            ? layer(inputSize: config.embedding, prefix: "cell.")
            : StackedCell<Float>(count: config.layers, inputSize: config.embedding) { layer(inputSize: $0, prefix: $1) }
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
                    timed += (clock.now - t0).inSeconds
                    tokens += n * config.batch
                }
            }
        }
        let trainRate = Double(tokens) / timed
        let evalData = TokenBatches(stream: valid, batchSize: config.evalBatch)
        let e0 = clock.now
        let result = evaluate(model, on: evalData, chunkLength: Self.evalChunk)
        let evalRate = Double(result.tokens) / (clock.now - e0).inSeconds
        let gflops = trainRate * config.flopsPerTrainedToken(vocabulary: V) / 1e9
        return BenchmarkResult(
            config: config.name, vocabularySize: V, trainTokensPerSec: trainRate, evalTokensPerSec: evalRate, gflops: gflops,
            sgemmPeakGflops: sgemmPeak, percentOfPeak: 100 * gflops / sgemmPeak, peakRSSMB: peakResidentMB(),
            blas: BLASRuntime.info().description, data: corpus == nil ? "random tokens" : "corpus")
    }
}

// MARK: - Softmax kernels

/// One kernel's timing from `measureSoftmaxKernels`.
public struct KernelTiming: Codable, Sendable {
    public var kernel: String
    public var bestMilliseconds: Double
    public var meanMilliseconds: Double
    /// Bytes the kernel must move (read, and write where it writes) per second, at the best time.
    public var gigabytesPerSecond: Double
    public var nanosecondsPerElement: Double

    enum CodingKeys: String, CodingKey {
        case kernel, bestMilliseconds = "best_ms", meanMilliseconds = "mean_ms"
        case gigabytesPerSecond = "gb_per_sec", nanosecondsPerElement = "ns_per_element"
    }
}

/// Times the softmax kernels on (rows, cols) Float logits, by default 700 × 10 000 (one PTB
/// chunk's output layer): the fused softmax cross-entropy and the forward-only NLL on 1 thread
/// and on `threads`, the row log-sum-exp, and the SIMD `exp` against a scalar Foundation `exp`
/// loop. Each runs `repeats` times on a fresh copy of the same random logits.
public func measureSoftmaxKernels(rows: Int = 700, cols: Int = 10_000, threads: Int, repeats: Int = 15) -> [KernelTiming] {
    let n = rows * cols
    var rng = Xoshiro256(seed: 1)
    let input = (0..<n).map { _ in Float(rng.uniform(-10, 10)) }
    let targets = (0..<rows).map { _ in Int32(rng.next() % UInt64(cols)) }
    var work = input
    let bytes = Double(n * MemoryLayout<Float>.size)
    let clock = ContinuousClock()
    var timings: [KernelTiming] = []
    func time(_ name: String, bytesMoved: Double, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        var best = Double.infinity, total = 0.0
        for _ in 0..<repeats {
            work.withUnsafeMutableBufferPointer { w in
                input.withUnsafeBufferPointer { w.baseAddress!.update(from: $0.baseAddress!, count: n) }
                let start = clock.now
                body(w.baseAddress!)
                let s = (clock.now - start).inSeconds
                best = min(best, s)
                total += s
            }
        }
        timings.append(KernelTiming(kernel: name, bestMilliseconds: best * 1e3, meanMilliseconds: total / Double(repeats) * 1e3,
                                    gigabytesPerSecond: bytesMoved / best * 1e-9, nanosecondsPerElement: best * 1e9 / Double(n)))
    }
    targets.withUnsafeBufferPointer { t in
        for k in Set([1, threads]).sorted() {
            time("softmaxCrossEntropyInPlace t=\(k)", bytesMoved: 2 * bytes) {
                _ = softmaxCrossEntropyInPlace($0, rows: rows, cols: cols, ld: cols, targets: t.baseAddress!,
                                                   gradScale: 1 / Float(rows), threads: k)
            }
            time("softmaxNLL t=\(k)", bytesMoved: bytes) {
                _ = softmaxNLL($0, rows: rows, cols: cols, ld: cols, targets: t.baseAddress!, threads: k)
            }
        }
    }
    var lse = [Float](repeating: 0, count: rows)
    time("rowLogSumExp", bytesMoved: bytes) { x in
        lse.withUnsafeMutableBufferPointer { rowLogSumExp(x, rows: rows, cols: cols, ld: cols, into: $0.baseAddress!) }
    }
    time("expInPlace (Float SIMD)", bytesMoved: 2 * bytes) { expInPlace($0, count: n) }
    time("scalar Foundation.exp loop (Float)", bytesMoved: 2 * bytes) { x in
        for i in 0..<n { x[i] = Foundation.exp(x[i]) }
    }
    return timings
}
