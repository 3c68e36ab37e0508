// step-parts: where one training step's time goes, part by part, for a PTB Elman model (E=H=200,
// B=20, T=35, untied, bias) with the hierarchical softmax or NCE (k 20, α 1), on one BLAS thread.
//
// It makes the calls `LanguageModel.forwardBackward`, `clipScale` and `SGD.update` make, in the
// same order, and times each with a monotonic clock: zeroing, embedding forward, cell forward,
// output layer (loss and gradients), cell backward, embedding backward, clip norm, SGD. 20 warm-up
// steps, then the timed ones; the model runs row-sparse (rnnlab's default) and dense
// (`rowSparseGradients = false`: every row zeroed, summed and stepped, as before row tracking),
// alternating, twice each. The vocabulary is built here (words split at spaces, `<eos>` per line,
// as rnnlab does for PTB); only counts matter to the Huffman tree and the noise distribution.
//
//   cd bench/step-parts && swift build -c release
//   .build/release/step-parts ../../../shared/data/ptb/ptb.train.txt [steps=200] [hs|nce]
//
// A measurement, not a test; it prints a table per run. Shapes: V = vocabulary, E = H = 200,
// B = 20 streams, T = 35 steps, N = T·B = 700 rows a step.

import Foundation
import RNNModel
import RNNTensor
import RNNTraining

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: step-parts PTB_TRAIN_FILE [steps] [hs|nce]")
    exit(2)
}
let steps = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200
let useNCE = arguments.count > 3 && arguments[3] == "nce"
BLASRuntime.setThreads(1)

guard let text = try? String(contentsOfFile: arguments[1], encoding: .utf8) else {
    print("step-parts: cannot read \(arguments[1])")
    exit(1)
}
var ids: [String: Int32] = [:]
var corpus: [Int32] = []
for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
    for word in line.split(separator: " ").map(String.init) + ["<eos>"] {
        if let id = ids[word] { corpus.append(id) } else { let id = Int32(ids.count); ids[word] = id; corpus.append(id) }
    }
}
let V = ids.count, E = 200, H = 200, B = 20, T = 35, N = T * B, warmUp = 20
var counts = [Int](repeating: 0, count: V)
for t in corpus { counts[Int(t)] += 1 }
/// (L, B): the corpus cut into B streams, time-major (PyTorch's `batchify`).
let L = corpus.count / B
var batched = [Int32](repeating: 0, count: L * B)
for b in 0..<B { for t in 0..<L { batched[t * B + b] = corpus[b * L + t] } }
let info = BLASRuntime.info()
print("PTB train: V \(V), \(corpus.count) tokens; OpenBLAS \(info.kernel) kernels, \(info.threads) thread; \(steps) timed steps")

let partNames = ["zero gradients", "embedding forward", "cell forward", useNCE ? "NCE loss + gradients" : "HS loss + gradients",
                 "cell backward", "embedding backward", "clip norm", "SGD update"]

@MainActor func measure(sparse: Bool) {
    let embedding = Embedding<Float>(vocabularySize: V, embeddingSize: E)
    let cell = ElmanCell<Float>(inputSize: E, hiddenSize: H, activation: Tanh(), bias: true)
    let output: any OutputLayer<Float> = useNCE
        ? NCEOutput<Float>(softmax: SoftmaxOutput<Float>(vocabularySize: V, hiddenSize: H, bias: true), counts: counts,
                           noiseCount: 20, power: 1)
        : HierarchicalSoftmaxOutput<Float>(counts: counts, hiddenSize: H, bias: true)
    let model = try! LanguageModel(embedding: embedding, cell: cell, output: output)
    model.rowSparseGradients = sparse
    var rng = Xoshiro256(seed: 1)
    for p in model.parameters { Initializer.uniform(range: 0.1).fill(p.value, using: &rng) }
    let outputWeight = model.parameters.first { $0.name.hasPrefix("output.") && $0.touchedRows != nil }!
    let sgd = SGD<Float>()
    let X = Tensor<Float>(zeros: [N, E])      /// (N, E) embedded inputs
    let dX = Tensor<Float>(zeros: [N, E])     /// (N, E) their gradient
    let dH = Tensor<Float>(zeros: [N, H])     /// (N, H) gradient with respect to the cell's outputs
    let state = model.zeroState(batch: B)     /// (B, H)
    var seconds = [Double](repeating: 0, count: partNames.count)
    var total = 0.0, touchedTable = 0, touchedOutput = 0
    let clock = ContinuousClock()
    batched.withUnsafeBufferPointer { tokens in
        for step in 0..<(warmUp + steps) {
            let inputs = tokens.baseAddress! + ((step * T) % (L - T - 1)) * B, targets = inputs + B
            let timed = step >= warmUp
            let start = clock.now
            var mark = start
            func lap(_ part: Int) {
                let now = clock.now
                if timed { seconds[part] += (now - mark).inSeconds }
                mark = now
            }
            model.zeroGradients(); lap(0)
            embedding.forward(tokens: inputs, count: N, into: X.matrix); lap(1)
            let hidden = cell.forward(inputs: X.matrix, steps: T, batch: B, state: state.matrix); lap(2)
            _ = output.lossAndGradient(hidden: hidden, targets: targets, gradScale: 1 / Float(N), hiddenGradient: dH.matrix); lap(3)
            cell.backward(inputs: X.matrix, outputGradient: dH.matrix, inputGradient: dX.matrix); lap(4)
            embedding.backward(tokens: inputs, count: N, gradient: dX.matrix); lap(5)
            let clip = clipScale(model.parameters, maxNorm: 0.25); lap(6)
            sgd.update(model.parameters, learningRate: 1, gradientScale: clip.scale); lap(7)
            if timed {
                total += (clock.now - start).inSeconds
                touchedTable += embedding.table.touchedRows!.count
                touchedOutput += outputWeight.touchedRows!.count
            }
        }
    }
    if sparse {
        print("row-sparse: rows touched a step: embedding \(touchedTable / steps) of \(V), \(outputWeight.name) \(touchedOutput / steps) of \(outputWeight.shape[0])")
    } else {
        print("dense (every row):")
    }
    for (i, name) in partNames.enumerated() {
        print(String(format: "  %@ %7.3f ms  %5.1f %%", name.padding(toLength: 22, withPad: " ", startingAt: 0),
                     1000 * seconds[i] / Double(steps), 100 * seconds[i] / total))
    }
    print(String(format: "  %@ %7.3f ms  → %.0f tokens/s", "step".padding(toLength: 22, withPad: " ", startingAt: 0),
                 1000 * total / Double(steps), Double(steps * N) / total))
}

for sparse in [false, true, false, true] { measure(sparse: sparse) }
