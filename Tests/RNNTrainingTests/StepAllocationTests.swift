// StepAllocationTests: once its workspaces have grown, a training step allocates nothing, for
// the full softmax (with bias), the class softmax, the hierarchical softmax, NCE, and SGD, Adam,
// Adagrad and averaged SGD (with the budget schedule), averaging from the start.
//
// How it counts: the CAllocationCounter test-support target replaces malloc, calloc, realloc,
// posix_memalign and their kin in the test executable with versions that forward to glibc's
// allocator and count the calls, on every thread, while counting is on. Each test runs the real
// `Trainer` for two epochs over the same chunks; an observer switches counting on after the
// first step of epoch 2 has been logged (epoch 1 grew the workspaces to every chunk's sizes and
// created the optimizer state) and off when the epoch's last step is logged, before the
// end-of-epoch validation. The count must be exactly 0. Counting calls, rather than watching the
// heap's totals (mallinfo2), is what catches a buffer allocated and freed within one step.
// Every count is preceded by a check that the counter sees allocations made on purpose (through
// malloc and through posix_memalign, Swift's path for aligned buffers), so a counter that quietly
// saw nothing could not make these tests pass.

import CAllocationCounter
import RNNModel
import RNNTensor
import RNNTraining
import XCTest

final class StepAllocationTests: XCTestCase {
    enum OutputKind: String { case full, classes, hierarchical, nce }
    enum OptimizerKind: String { case sgd, adam, adagrad, asgd }

    /// Switches counting on at one logged step and off at a later one.
    final class CountingObserver: TrainingObserver {
        let startStep: Int
        let stopStep: Int
        private(set) var allocations: Int?
        private(set) var sizes: [Int] = []

        init(startStep: Int, stopStep: Int) {
            self.startStep = startStep
            self.stopStep = stopStep
        }

        func handle(_ event: TrainingEvent) -> TrainingControl {
            guard case let .logged(report) = event else { return .proceed }
            if report.step == startStep { rnnlab_allocation_counting_start() }
            if report.step == stopStep {
                let n = rnnlab_allocation_counting_stop()
                allocations = n
                sizes = (0..<min(n, 16)).map { rnnlab_allocation_counted_size($0) }
            }
            return .proceed
        }
    }

    /// Fails unless the counter sees a malloc and an aligned allocation made on purpose.
    private func assertCounterWorks(file: StaticString = #filePath, line: UInt = #line) throws {
        // A sanitizer's runtime owns malloc (-1): nothing to count with. Elsewhere than Linux the
        // counter has no glibc to forward to (0). On Linux without a sanitizer it must work.
        try XCTSkipIf(rnnlab_allocation_counting_available() == -1, "a sanitizer build: its runtime owns malloc")
        #if os(Linux)
        XCTAssertEqual(rnnlab_allocation_counting_available(), 1, "the allocation counter needs glibc", file: file, line: line)
        #else
        try XCTSkipUnless(rnnlab_allocation_counting_available() == 1, "the allocation counter needs glibc")
        #endif
        rnnlab_allocation_counting_start()
        let array = [Int](repeating: 7, count: 1000)
        let viaMalloc = rnnlab_allocation_counting_stop()
        rnnlab_allocation_counting_start()
        let aligned = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)
        let viaMemalign = rnnlab_allocation_counting_stop()
        aligned.deallocate()
        XCTAssertEqual(array.count, 1000)
        XCTAssertGreaterThanOrEqual(viaMalloc, 1, "the counter missed an array's allocation", file: file, line: line)
        XCTAssertGreaterThanOrEqual(viaMemalign, 1, "the counter missed an aligned allocation", file: file, line: line)
    }

    /// A small Elman model with the given output layer, its parameters drawn from a fixed seed.
    private func makeModel(_ output: OutputKind, bias: Bool, tied: Bool, vocabulary V: Int, tokens: [Int32],
                           softmaxThreads: Int, cell kind: String = "elman") throws -> LanguageModel<Float> {
        let E = 12, H = 12
        let embedding = Embedding<Float>(vocabularySize: V, embeddingSize: E)
        let cell: any RecurrentCell<Float>
        switch kind {
        case "lstm": cell = LSTMCell<Float>(inputSize: E, hiddenSize: H, bias: .split)
        case "stack": cell = StackedCell<Float>(layers: [LSTMCell<Float>(inputSize: E, hiddenSize: H, bias: .split, namePrefix: "cell.l0."),
                                                        ElmanCell<Float>(inputSize: H, hiddenSize: H, activation: Tanh(), bias: true, namePrefix: "cell.l1.")],
                                               dropout: 0.2)
        default: cell = ElmanCell<Float>(inputSize: E, hiddenSize: H, activation: Tanh(), bias: true)
        }
        let layer: any OutputLayer<Float>
        switch output {
        case .full:
            layer = tied ? SoftmaxOutput<Float>(weight: embedding.table, tied: true, bias: bias, threads: softmaxThreads)
                         : SoftmaxOutput<Float>(vocabularySize: V, hiddenSize: H, bias: bias, threads: softmaxThreads)
        case .classes:
            var counts = [Int](repeating: 0, count: V)
            for t in tokens { counts[Int(t)] += 1 }
            let classOf = ClassSoftmaxOutput<Float>.frequencyClasses(counts: counts, classes: 6)
            layer = tied ? ClassSoftmaxOutput<Float>(wordWeight: embedding.table, tied: true, classOf: classOf, bias: bias)
                         : ClassSoftmaxOutput<Float>(vocabularySize: V, hiddenSize: H, classOf: classOf, bias: bias)
        case .hierarchical:
            var counts = [Int](repeating: 0, count: V)
            for t in tokens { counts[Int(t)] += 1 }
            layer = HierarchicalSoftmaxOutput<Float>(counts: counts, hiddenSize: H, bias: bias)
        case .nce:
            var counts = [Int](repeating: 0, count: V)
            for t in tokens { counts[Int(t)] += 1 }
            let softmax = tied ? SoftmaxOutput<Float>(weight: embedding.table, tied: true, bias: bias)
                               : SoftmaxOutput<Float>(vocabularySize: V, hiddenSize: H, bias: bias)
            layer = NCEOutput<Float>(softmax: softmax, counts: counts, noiseCount: 7, power: 0.75)
        }
        let model = try LanguageModel(embedding: embedding, cell: cell, output: layer)
        var rng = Xoshiro256(seed: 17)
        for p in model.parameters { Initializer.uniform(range: 0.1).fill(p.value, using: &rng) }
        return model
    }

    /// Trains two epochs and returns what the observer counted over the second.
    private func countSecondEpoch(output: OutputKind, optimizer kind: OptimizerKind, bias: Bool = true, tied: Bool = false,
                                  dropout: DropoutRates = DropoutRates(), vocabulary V: Int = 40, softmaxThreads: Int = 1,
                                  resetToken: Int32? = nil, cell: String = "elman",
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        try assertCounterWorks(file: file, line: line)
        let B = 4, bptt = 5, chunks = 8
        var rng = Xoshiro256(seed: 3)
        // Skewed token frequencies, so that the class softmax's classes differ in size.
        let stream = (0..<(B * (bptt * chunks + 1))).map { _ in Int32(min(rng.next() % UInt64(V), rng.next() % UInt64(V))) }
        let valid = (0..<(2 * 3 * bptt)).map { _ in Int32(rng.next() % UInt64(V)) }
        let model = try makeModel(output, bias: bias, tied: tied, vocabulary: V, tokens: stream, softmaxThreads: softmaxThreads,
                                  cell: cell)
        if let resetToken { XCTAssertTrue(stream.contains(resetToken), "the stream should reset", file: file, line: line) }
        model.dropout = dropout
        let optimizer: any Optimizer<Float>
        var schedule: any LearningRateSchedule = ConstantSchedule(learningRate: 0.05)
        switch kind {
        case .sgd: optimizer = SGD<Float>()
        case .adam: optimizer = Adam<Float>()
        case .adagrad: optimizer = Adagrad<Float>()
        case .asgd:
            // Two scripted validations fire the trigger (n = 0) before training: every step averages.
            let asgd = AveragedSGD<Float>(nonmono: 0)
            _ = asgd.didValidate(loss: 1, parameters: model.parameters, step: 0)
            XCTAssertTrue(asgd.didValidate(loss: 2, parameters: model.parameters, step: 0), file: file, line: line)
            optimizer = asgd
            schedule = BudgetSchedule(learningRate: 0.05, constantFraction: 0.25, shape: .cosine)
        }
        let train = TokenBatches(stream: stream, batchSize: B)
        var options = TrainingOptions(bptt: bptt, clip: 0.5, epochs: 2, logEvery: 1, divergenceFactor: 100)
        (options.trainResetToken, options.evalResetToken) = (resetToken, resetToken)
        let trainer = Trainer(model: model, optimizer: optimizer, schedule: schedule,
                              train: train, valid: TokenBatches(stream: valid, batchSize: 2), options: options)
        let perEpoch = trainer.chunksPerEpoch
        XCTAssertEqual(perEpoch, chunks, file: file, line: line)
        let observer = CountingObserver(startStep: perEpoch + 1, stopStep: 2 * perEpoch)
        let outcome = trainer.run(observers: [observer])
        let label = "\(output.rawValue) softmax\(bias ? " with bias" : "")\(tied ? ", tied" : "")"
            + "\(dropout == DropoutRates() ? "" : ", dropout")\(softmaxThreads > 1 ? ", \(softmaxThreads) softmax threads" : ""), \(kind.rawValue)"
            + (resetToken == nil ? "" : ", independent sentences") + (cell == "elman" ? "" : ", \(cell)")
        XCTAssertEqual(outcome.status, .completed, label, file: file, line: line)
        guard let allocations = observer.allocations else {
            return XCTFail("\(label): the counting window was never closed", file: file, line: line)
        }
        XCTAssertEqual(allocations, 0, "\(label): \(allocations) allocations over \(perEpoch - 1) steps after warm-up, "
                       + "the first of sizes \(observer.sizes) bytes", file: file, line: line)
    }

    func testFullSoftmaxWithBiasAndSGDAllocateNothing() throws {
        try countSecondEpoch(output: .full, optimizer: .sgd)
    }

    func testFullSoftmaxSplitAcrossThreadsAllocatesNothing() throws {
        // 20 rows × 4000 words makes two blocks of rows for the softmax kernels (at least 32 768
        // elements a thread), run by the output layer's own worker thread. BLAS is held to one
        // thread here: OpenBLAS's threaded GEMM (Debian's 0.3.21 build) mallocs a 512 KB job
        // buffer on every call, which is the library's doing, not rnnlab's.
        let blasThreads = BLASRuntime.info().threads
        BLASRuntime.setThreads(1)
        defer { BLASRuntime.setThreads(blasThreads) }
        try countSecondEpoch(output: .full, optimizer: .adam, vocabulary: 4000, softmaxThreads: 2)
    }

    func testTiedFullSoftmaxWithAdamAllocatesNothing() throws {
        try countSecondEpoch(output: .full, optimizer: .adam, tied: true)
    }

    func testFullSoftmaxWithAdagradAndDropoutAllocatesNothing() throws {
        try countSecondEpoch(output: .full, optimizer: .adagrad, dropout: DropoutRates(embedding: 0.2, output: 0.3))
    }

    func testClassSoftmaxWithBiasAndSGDAllocatesNothing() throws {
        try countSecondEpoch(output: .classes, optimizer: .sgd)
    }

    func testClassSoftmaxWithAdamAllocatesNothing() throws {
        try countSecondEpoch(output: .classes, optimizer: .adam, bias: false)
    }

    func testAveragedSGDWithTheBudgetScheduleAllocatesNothing() throws {
        try countSecondEpoch(output: .full, optimizer: .asgd)
    }

    func testTiedClassSoftmaxWithAdagradAllocatesNothing() throws {
        try countSecondEpoch(output: .classes, optimizer: .adagrad, tied: true)
    }

    func testHierarchicalSoftmaxWithBiasAndSGDAllocatesNothing() throws {
        try countSecondEpoch(output: .hierarchical, optimizer: .sgd)
    }

    func testHierarchicalSoftmaxWithAdamAllocatesNothing() throws {
        try countSecondEpoch(output: .hierarchical, optimizer: .adam, bias: false)
    }

    func testNCEWithBiasAndSGDAllocatesNothing() throws {
        try countSecondEpoch(output: .nce, optimizer: .sgd)
    }

    func testTiedNCEWithAdamAndDropoutAllocatesNothing() throws {
        try countSecondEpoch(output: .nce, optimizer: .adam, tied: true, dropout: DropoutRates(embedding: 0.2, output: 0.3))
    }

    /// Independent sentences: the reset mask and the cells' reset workspaces grow in epoch 1.
    func testStateResetsAllocateNothing() throws {
        try countSecondEpoch(output: .full, optimizer: .sgd, resetToken: 0)
        try countSecondEpoch(output: .full, optimizer: .adam, dropout: DropoutRates(embedding: 0.1, output: 0.2), resetToken: 0, cell: "lstm")
        try countSecondEpoch(output: .classes, optimizer: .adagrad, resetToken: 0, cell: "stack")
    }

    /// A stack (an LSTM under an Elman layer, dropout between them) without resets.
    func testStackedCellsAllocateNothing() throws {
        try countSecondEpoch(output: .full, optimizer: .sgd, cell: "stack")
    }
}
