// RowSparseGradientTests: zeroing, clipping and SGD over the touched rows only (TouchedRows,
// RowSparseGradients.swift) give bit for bit the weights of the dense path, which visits every
// row; the touched rows are exactly the rows a step writes, and the set starts empty each step.
//
// Each equality test trains the same small Elman model twice with the real Trainer — once with
// `rowSparseGradients` (the default), once with it off — for 300 steps (SGD, or Adam, or averaged
// SGD) with a clip that fires on every step, and requires every weight of the two runs to have
// the same bits; one adds the gradient-through-time probe between steps. The
// vocabulary (300 words, skewed) is large against a chunk (4 × 5 tokens), so a step touches a
// small share of the rows; H = 20 is not a multiple of BLAS's vector width, so a row's AXPY and
// dot end in the kernels' scalar tails (the case where a whole-tensor call would round
// differently from a per-row one).

import RNNModel
import RNNTensor
import RNNTraining
import XCTest

final class RowSparseGradientTests: XCTestCase {
    enum OutputKind: String { case full, classes, hierarchical, nce }
    enum OptimizerKind: String { case sgd, adam, asgd }

    static let V = 300, E = 20, H = 20, B = 4, bptt = 5

    /// A skewed stream over V words (a word's frequency falls with its id), from a fixed seed.
    static func stream(count: Int, seed: UInt64) -> [Int32] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in
            Int32(min(rng.next() % UInt64(V), rng.next() % UInt64(V), rng.next() % UInt64(V)))
        }
    }

    static func counts(_ tokens: [Int32]) -> [Int] {
        var counts = [Int](repeating: 0, count: V)
        for t in tokens { counts[Int(t)] += 1 }
        return counts
    }

    /// An Elman model with the given output layer, its parameters drawn from a fixed seed.
    static func makeModel(_ output: OutputKind, tied: Bool, tokens: [Int32]) throws -> LanguageModel<Float> {
        let embedding = Embedding<Float>(vocabularySize: V, embeddingSize: E)
        let cell = ElmanCell<Float>(inputSize: E, hiddenSize: H, activation: Tanh(), bias: true)
        let layer: any OutputLayer<Float>
        switch output {
        case .full:
            layer = tied ? SoftmaxOutput<Float>(weight: embedding.table, tied: true, bias: true)
                         : SoftmaxOutput<Float>(vocabularySize: V, hiddenSize: H, bias: true)
        case .classes:
            let classOf = ClassSoftmaxOutput<Float>.frequencyClasses(counts: counts(tokens), classes: 17)
            layer = tied ? ClassSoftmaxOutput<Float>(wordWeight: embedding.table, tied: true, classOf: classOf, bias: true)
                         : ClassSoftmaxOutput<Float>(vocabularySize: V, hiddenSize: H, classOf: classOf, bias: true)
        case .hierarchical:
            layer = HierarchicalSoftmaxOutput<Float>(counts: counts(tokens), hiddenSize: H, bias: true)
        case .nce:
            let softmax = tied ? SoftmaxOutput<Float>(weight: embedding.table, tied: true, bias: true)
                               : SoftmaxOutput<Float>(vocabularySize: V, hiddenSize: H, bias: true)
            layer = NCEOutput<Float>(softmax: softmax, counts: counts(tokens), noiseCount: 5, power: 0.75,
                                     generator: Xoshiro256(seed: 5))
        }
        let model = try LanguageModel(embedding: embedding, cell: cell, output: layer)
        var rng = Xoshiro256(seed: 17)
        for p in model.parameters { Initializer.uniform(range: 0.3).fill(p.value, using: &rng) }
        return model
    }

    /// Records, at every logged step, the gradient norm and the touched-row sets of the model's
    /// row-tracked parameters (still those of the step just taken: they are reset when the next
    /// step zeroes its gradients).
    final class Recorder: TrainingObserver {
        let model: LanguageModel<Float>
        var norms: [Double] = []
        /// After each probe (before the step it precedes zeroes them): the same, per tracked parameter.
        var probes: [[(name: String, dense: Bool, count: Int)]] = []
        /// Per step: (parameter name, dense, rows touched).
        var touched: [[(name: String, dense: Bool, count: Int)]] = []

        init(model: LanguageModel<Float>) { self.model = model }

        func handle(_ event: TrainingEvent) -> TrainingControl {
            guard case let .logged(report) = event else { return .proceed }
            norms.append(report.gradNorm)
            touched.append(model.parameters.compactMap { p in
                p.touchedRows.map { (p.name, $0.isDense, $0.count) }
            })
            return .proceed
        }
    }

    static let clip = 0.05

    /// Trains `steps` steps and returns the final weights (in `model.parameters` order) and what was recorded.
    static func train(_ output: OutputKind, tied: Bool, optimizer kind: OptimizerKind, sparse: Bool, steps: Int = 300,
                      probeEvery: Int? = nil) throws -> (weights: [[UInt32]], names: [String], initial: [[UInt32]], recorder: Recorder) {
        let chunks = 12
        let trainTokens = stream(count: B * (bptt * chunks + 1), seed: 3)
        let validTokens = stream(count: 2 * (3 * bptt + 1), seed: 4)
        let model = try makeModel(output, tied: tied, tokens: trainTokens)
        model.rowSparseGradients = sparse
        let initial = model.parameters.map { p in (0..<p.count).map { p.value.data[$0].bitPattern } }
        let optimizer: any Optimizer<Float>
        switch kind {
        case .sgd: optimizer = SGD<Float>()
        case .adam: optimizer = Adam<Float>()
        case .asgd:
            // Two scripted validations fire the trigger (n = 0): every step averages.
            let asgd = AveragedSGD<Float>(nonmono: 0)
            _ = asgd.didValidate(loss: 1, parameters: model.parameters, step: 0)
            _ = asgd.didValidate(loss: 2, parameters: model.parameters, step: 0)
            optimizer = asgd
        }
        let trainer = Trainer(model: model, optimizer: optimizer,
                              schedule: ConstantSchedule(learningRate: kind == .adam ? 0.01 : 0.5),
                              train: TokenBatches(stream: trainTokens, batchSize: B),
                              valid: TokenBatches(stream: validTokens, batchSize: 2),
                              options: TrainingOptions(bptt: bptt, clip: clip, maxSteps: steps, logEvery: 1,
                                                       divergenceFactor: 100))
        let recorder = Recorder(model: model)
        if let probeEvery {
            // The gradient-through-time diagnostic writes gradients (and marks rows, or all rows)
            // between steps and puts the old gradients back: the sets only grow, which is safe.
            let probe = try GradientThroughTimeProbe(model: model)
            trainer.chunkProbe = (every: probeEvery, body: { view in
                _ = probe.measure(inputs: view.inputs, targets: view.targets, steps: view.steps, batch: view.batch, state: view.state)
                recorder.probes.append(model.parameters.compactMap { p in p.touchedRows.map { (p.name, $0.isDense, $0.count) } })
            })
        }
        let outcome = trainer.run(observers: [recorder])
        XCTAssertEqual(outcome.status, .completed)
        XCTAssertEqual(outcome.progress.step, steps)
        let weights = model.parameters.map { p in (0..<p.count).map { p.value.data[$0].bitPattern } }
        return (weights, model.parameters.map(\.name), initial, recorder)
    }

    /// The sparse and the dense run end with the same bits in every weight; clipping fired on
    /// every step; the sparse run really touched few rows of its tracked parameters.
    func assertSparseEqualsDense(_ output: OutputKind, tied: Bool = false, optimizer: OptimizerKind = .sgd,
                                 expectSparse: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let label = "\(output.rawValue)\(tied ? " tied" : ""), \(optimizer.rawValue)"
        let sparse = try Self.train(output, tied: tied, optimizer: optimizer, sparse: true)
        let dense = try Self.train(output, tied: tied, optimizer: optimizer, sparse: false)
        XCTAssertEqual(sparse.names, dense.names, file: file, line: line)
        for (i, name) in sparse.names.enumerated() {
            let differing = zip(sparse.weights[i], dense.weights[i]).filter { $0 != $1 }.count
            XCTAssertEqual(differing, 0, "\(label): \(name): \(differing) of \(sparse.weights[i].count) weights differ between the sparse and the dense path",
                           file: file, line: line)
            let moved = zip(sparse.weights[i], sparse.initial[i]).filter { $0 != $1 }.count
            XCTAssertGreaterThan(moved, 0, "\(label): \(name) never changed: the comparison would prove nothing", file: file, line: line)
        }
        // The clip fired on every step of both runs (the norms are the same numbers in both).
        XCTAssertEqual(sparse.recorder.norms.count, 300, file: file, line: line)
        XCTAssertEqual(sparse.recorder.norms, dense.recorder.norms, "\(label): gradient norms differ", file: file, line: line)
        let unclipped = sparse.recorder.norms.filter { $0 <= Self.clip }.count
        XCTAssertEqual(unclipped, 0, "\(label): \(unclipped) steps were not clipped", file: file, line: line)
        // The dense run visited every row; the sparse one, on every step, a strict subset for the
        // parameters expected to be sparse, and every row for the others.
        for step in dense.recorder.touched { for p in step { XCTAssertTrue(p.dense, "\(label): dense run, \(p.name)", file: file, line: line) } }
        var seen = Set<String>(), unexpected: [String] = []
        for (step, sets) in sparse.recorder.touched.enumerated() {
            for p in sets {
                seen.insert(p.name)
                let ok = expectSparse.contains(p.name) ? !p.dense && p.count > 0 && p.count < Self.V / 2 : p.dense
                if !ok { unexpected.append("step \(step + 1): \(p.name) \(p.dense ? "dense" : "\(p.count) rows")") }
            }
        }
        XCTAssertEqual(unexpected.count, 0, "\(label): expected \(expectSparse) sparse (a few rows) and the rest dense, got "
                       + unexpected.prefix(3).joined(separator: "; "), file: file, line: line)
        XCTAssertTrue(Set(expectSparse).isSubset(of: seen), "\(label): tracked \(seen), expected \(expectSparse)", file: file, line: line)
    }

    func testFullSoftmaxUntiedSparseEmbeddingMatchesDense() throws {
        try assertSparseEqualsDense(.full, expectSparse: ["embedding"])
    }

    func testFullSoftmaxTiedStaysDenseAndMatches() throws {
        // The tied table is written whole by the softmax every step: dense, however the input rows were marked.
        try assertSparseEqualsDense(.full, tied: true, expectSparse: [])
    }

    func testHierarchicalSoftmaxSparseMatchesDense() throws {
        try assertSparseEqualsDense(.hierarchical, expectSparse: ["embedding", "output.node_weight"])
    }

    func testHierarchicalSoftmaxWithAdamMatchesDense() throws {
        // Adam reads every row (its moments decay everywhere); only zeroing and the norm are sparse.
        try assertSparseEqualsDense(.hierarchical, optimizer: .adam, expectSparse: ["embedding", "output.node_weight"])
    }

    func testHierarchicalSoftmaxWithAveragedSGDMatchesDense() throws {
        try assertSparseEqualsDense(.hierarchical, optimizer: .asgd, expectSparse: ["embedding", "output.node_weight"])
    }

    func testNCEUntiedSparseMatchesDense() throws {
        try assertSparseEqualsDense(.nce, expectSparse: ["embedding", "output.weight"])
    }

    func testNCETiedSparseMatchesDense() throws {
        try assertSparseEqualsDense(.nce, tied: true, expectSparse: ["embedding"])
    }

    func testClassSoftmaxUntiedSparseEmbeddingMatchesDense() throws {
        // The untied word weights are not tracked (a chunk meets nearly every class); the table is.
        try assertSparseEqualsDense(.classes, expectSparse: ["embedding"])
    }

    func testClassSoftmaxTiedMatchesDense() throws {
        // The tied table is written at the inputs' rows and at the words of the classes present.
        // With 17 classes over 300 words and 20 targets a chunk, some classes are absent.
        let sparse = try Self.train(.classes, tied: true, optimizer: .sgd, sparse: true)
        let dense = try Self.train(.classes, tied: true, optimizer: .sgd, sparse: false)
        for (i, name) in sparse.names.enumerated() {
            XCTAssertEqual(zip(sparse.weights[i], dense.weights[i]).filter { $0 != $1 }.count, 0, "class tied: \(name) differs")
        }
        XCTAssertEqual(sparse.recorder.norms, dense.recorder.norms)
        let tableCounts = sparse.recorder.touched.compactMap { $0.first { $0.name == "embedding" } }
        XCTAssertEqual(tableCounts.count, 300)
        XCTAssertTrue(tableCounts.allSatisfy { !$0.dense && $0.count < Self.V }, "the tied table should stay sparse")
    }

    /// With the gradient-through-time probe between steps (it writes gradients, marking rows or,
    /// through NCE's full softmax, every row, then restores them), training is still the same bits,
    /// sparse or dense, probed or not.
    func testTheGradientProbeBetweenStepsChangesNothing() throws {
        for output in [OutputKind.nce, .hierarchical] {
            let plain = try Self.train(output, tied: false, optimizer: .sgd, sparse: true, steps: 60)
            let probedSparse = try Self.train(output, tied: false, optimizer: .sgd, sparse: true, steps: 60, probeEvery: 3)
            let probedDense = try Self.train(output, tied: false, optimizer: .sgd, sparse: false, steps: 60, probeEvery: 3)
            for (i, name) in plain.names.enumerated() {
                XCTAssertEqual(zip(plain.weights[i], probedSparse.weights[i]).filter { $0 != $1 }.count, 0, "\(output): \(name), probed sparse")
                XCTAssertEqual(zip(plain.weights[i], probedDense.weights[i]).filter { $0 != $1 }.count, 0, "\(output): \(name), probed dense")
            }
            // Each probe left the output weights' set dense (NCE: its full softmax marked them all)
            // or grown (HS: the last targets' paths added to the previous step's rows).
            XCTAssertEqual(probedSparse.recorder.probes.count, 60 / 3)
            for (k, sets) in probedSparse.recorder.probes.enumerated() {
                let weight = sets.first { $0.name.hasPrefix("output.") }!
                let before = probedSparse.recorder.touched[(k + 1) * 3 - 2].first { $0.name == weight.name }!
                if output == .nce {
                    XCTAssertTrue(weight.dense, "probe \(k + 1): NCE's weights should be marked dense")
                } else {
                    XCTAssertTrue(!weight.dense && weight.count >= before.count, "probe \(k + 1): \(weight.count) rows after, \(before.count) before")
                }
            }
        }
    }

    // MARK: - The bookkeeping

    /// After a chunk, the touched rows are exactly the rows written (inputs for the table; the
    /// targets' paths for the tree; targets and noise words for NCE); zeroing clears them and the
    /// next chunk's set holds that chunk's rows only.
    func testTouchedRowsAreTheRowsWrittenAndResetEachStep() throws {
        let tokens = Self.stream(count: 400, seed: 9)
        for output in [OutputKind.hierarchical, .nce] {
            let model = try Self.makeModel(output, tied: false, tokens: tokens)
            let table = model.embedding.table
            let outputWeight = model.parameters.first { $0.name != "embedding" && $0.touchedRows != nil }!
            let state = model.zeroState(batch: Self.B)
            model.zeroGradients()   // the first reset: from "unknown" (dense) to empty
            for chunk in 0..<3 {
                let start = chunk * Self.B * Self.bptt
                let inputs = Array(tokens[start..<(start + Self.B * Self.bptt)])
                let targets = Array(tokens[(start + Self.B)..<(start + Self.B * (Self.bptt + 1))])
                XCTAssertEqual(table.touchedRows!.count, 0)
                XCTAssertFalse(table.touchedRows!.isDense)
                _ = model.forwardBackward(inputs: inputs, targets: targets, steps: Self.bptt, batch: Self.B, state: state)
                XCTAssertEqual(Set(rows(table)), Set(inputs.map(Int.init)), "\(output): embedding rows, chunk \(chunk)")
                var expected = Set<Int>()
                switch output {
                case .hierarchical:
                    let tree = (model.output as! HierarchicalSoftmaxOutput<Float>).tree
                    for t in targets { for i in Int(tree.pathStart[Int(t)])..<Int(tree.pathStart[Int(t) + 1]) { expected.insert(Int(tree.pathNodes[i])) } }
                case .nce:
                    let nce = model.output as! NCEOutput<Float>
                    for (r, t) in targets.enumerated() { expected.insert(Int(t)); for w in nce.noiseWords(row: r) { expected.insert(Int(w)) } }
                default: break
                }
                XCTAssertEqual(Set(rows(outputWeight)), expected, "\(output): \(outputWeight.name) rows, chunk \(chunk)")
                // Rows outside the set hold exactly zero; the ascending order is sorted.
                for p in [table, outputWeight] {
                    let C = p.shape[1], set = Set(rows(p))
                    let stray = (0..<p.shape[0]).filter { r in !set.contains(r) && (0..<C).contains { p.grad.data[r * C + $0] != 0 } }
                    XCTAssertEqual(stray, [], "\(output): \(p.name) has gradient outside its touched rows")
                    let ascending = Array(p.touchedRows!.ascendingRows()).map(Int.init)
                    XCTAssertEqual(ascending, ascending.sorted())
                }
                model.zeroGradients()
                for p in [table, outputWeight] {
                    XCTAssertEqual(p.touchedRows!.count, 0, "\(output): \(p.name) not reset")
                    XCTAssertTrue((0..<p.count).allSatisfy { p.grad.data[$0] == 0 }, "\(output): \(p.name) not zeroed")
                }
            }
        }
    }

    private func rows(_ p: Parameter<Float>) -> [Int] { Array(p.touchedRows!.rows).map(Int.init) }

    func testTouchedRowsSetOperations() {
        let t = TouchedRows(rowCount: 130)
        XCTAssertTrue(t.isDense, "a new set is dense until its first reset")
        t.mark(5)
        XCTAssertEqual(t.count, 0, "marks while dense are not listed")
        t.reset()
        XCTAssertFalse(t.isDense)
        for r in [129, 5, 64, 5, 0, 63, 129] { t.mark(r) }
        XCTAssertEqual(Array(t.rows), [129, 5, 64, 0, 63], "each row once, in the order first marked")
        XCTAssertEqual(Array(t.ascendingRows()), [0, 5, 63, 64, 129])
        XCTAssertTrue(t.contains(64) && !t.contains(65))
        t.reset()
        XCTAssertEqual(t.count, 0)
        XCTAssertFalse((0..<130).contains { t.contains($0) }, "a reset clears every bit")
        t.mark(7)
        t.markAll()
        XCTAssertTrue(t.isDense && t.contains(99))
        XCTAssertEqual(t.rows.count, 0)
        t.reset()
        XCTAssertEqual(Array(t.ascendingRows()), [], "a dense step's listed rows are cleared too")
        t.forceDense = true
        t.reset()
        XCTAssertTrue(t.isDense)
    }

    /// The clip norm sums a tracked parameter's rows in ascending order, as the dense path does,
    /// whatever order they were marked in: here the order changes the result (2^54 + 2 + … + 2
    /// rounds back to 2^54 at each of the eight additions, 2 + … + 2 + 2^54 is exact).
    func testClipNormSumsTouchedRowsInAscendingOrder() {
        let p = Parameter<Float>(name: "table", shape: [10, 4], role: .embedding)
        p.trackTouchedRows()
        p.zeroGradient()
        let C = 4
        p.grad.data[9 * C] = Float(1 << 27)                                       // row 9: 2^54
        for r in 0..<8 { p.grad.data[r * C] = 1; p.grad.data[r * C + 1] = 1 }      // rows 0…7: 2 each
        for r in [9, 0, 1, 2, 3, 4, 5, 6, 7] { p.touchedRows!.mark(r) }
        let sparse = clipScale([p], maxNorm: 1)
        p.touchedRows!.markAll()
        let dense = clipScale([p], maxNorm: 1)
        let exact = (Double(1 << 54) + 16).squareRoot()
        XCTAssertEqual(dense.norm, exact)
        XCTAssertEqual(sparse.norm.bitPattern, dense.norm.bitPattern, "sparse \(sparse.norm), dense \(dense.norm)")
        XCTAssertEqual(sparse.scale.bitPattern, dense.scale.bitPattern)
        let markedOrder = (0..<8).reduce(Double(1 << 54)) { sum, _ in sum + 2 }
        XCTAssertNotEqual(markedOrder.squareRoot(), exact, "the example must depend on the order")
    }

    /// A layer that does not mark what it writes: a table it shares is zeroed and stepped whole.
    func testALayerThatDoesNotMarkStopsTheTrackingOfWhatItShares() throws {
        final class UnmarkedTied: OutputLayer {
            let inner: SoftmaxOutput<Float>
            init(_ inner: SoftmaxOutput<Float>) { self.inner = inner }
            var inputSize: Int { inner.inputSize }
            var vocabularySize: Int { inner.vocabularySize }
            var parameters: [Parameter<Float>] { inner.parameters }
            var summary: String { "unmarked" }
            func lossAndGradient(hidden: MatrixRef<Float>, targets: UnsafePointer<Int32>, gradScale: Float,
                                 hiddenGradient: MatrixRef<Float>) -> Double {
                inner.lossAndGradient(hidden: hidden, targets: targets, gradScale: gradScale, hiddenGradient: hiddenGradient)
            }
            func loss(hidden: MatrixRef<Float>, targets: UnsafePointer<Int32>) -> Double { inner.loss(hidden: hidden, targets: targets) }
            func logProbabilities(hidden: MatrixRef<Float>, into out: MatrixRef<Float>) { inner.logProbabilities(hidden: hidden, into: out) }
        }
        let embedding = Embedding<Float>(vocabularySize: 10, embeddingSize: 4)
        XCTAssertNotNil(embedding.table.touchedRows)
        let cell = ElmanCell<Float>(inputSize: 4, hiddenSize: 4, activation: Tanh(), bias: true)
        _ = try LanguageModel(embedding: embedding, cell: cell,
                              output: UnmarkedTied(SoftmaxOutput(weight: embedding.table, tied: true, bias: false)))
        XCTAssertNil(embedding.table.touchedRows)
        let untied = Embedding<Float>(vocabularySize: 10, embeddingSize: 4)
        _ = try LanguageModel(embedding: untied, cell: ElmanCell<Float>(inputSize: 4, hiddenSize: 4, activation: Tanh(), bias: true),
                              output: UnmarkedTied(SoftmaxOutput(vocabularySize: 10, hiddenSize: 4, bias: false)))
        XCTAssertNotNil(untied.table.touchedRows, "an embedding not shared with the unmarked layer keeps its tracking")
    }
}
