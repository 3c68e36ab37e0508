// Tests of NT-ASGD: the non-monotone trigger on scripted validation losses (against hand-worked
// decisions and against Merity's rule written out literally), the running average against the
// hand-computed mean of the iterates, plain SGD before the trigger, state round trips, and, in
// the real Trainer, that validation scores the average while training goes on from the iterate.

import RNNModel
import RNNTensor
import RNNTraining
import XCTest

final class AveragedSGDTests: XCTestCase {
    // MARK: The trigger

    /// Merity's rule as awd-lstm writes it: fires at the first loss with len(logs) > n and
    /// loss > min(logs[:-n]), `logs` the earlier losses. Returns the index that fires, if any.
    private func literalRule(_ losses: [Double], nonmono n: Int) -> Int? {
        var logs: [Double] = []
        for (i, v) in losses.enumerated() {
            if logs.count > n, v > logs[..<(logs.count - n)].min()! { return i }
            logs.append(v)
        }
        return nil
    }

    private func firstFiring(_ losses: [Double], nonmono: Int) -> Int? {
        var trigger = NonMonotoneTrigger(nonmono: nonmono)
        for (i, v) in losses.enumerated() where trigger.observe(v) { return i }
        return nil
    }

    func testTriggerFiresOnTheFirstLossWorseThanTheBestMoreThanNBack() {
        // n = 2. Evaluation k (0-based) compares with min(losses[0 ..< k − 2]) once k > 2.
        //   k=3: 4.0 vs min(5.0)           = 5.0  → no
        //   k=4: 4.2 vs min(5.0, 4.5)      = 4.5  → no
        //   k=5: 4.1 vs min(5.0, 4.5, 4.1) = 4.1  → no (not strictly worse)
        //   k=6: 4.15 vs min(…, 4.0)       = 4.0  → fires
        let losses = [5.0, 4.5, 4.1, 4.0, 4.2, 4.1, 4.15, 3.0]
        XCTAssertEqual(firstFiring(losses, nonmono: 2), 6)
        XCTAssertEqual(literalRule(losses, nonmono: 2), 6)
        // n = 0: the first loss worse than every earlier one's best: 4.2 at k = 4.
        XCTAssertEqual(firstFiring(losses, nonmono: 0), 4)
        // n = 5: needs t > 5 and a loss above min(losses[0 ..< t − 5]): at k = 6, 4.15 < 5.0; at
        // k = 7, 3.0 < min(5.0, 4.5): never.
        XCTAssertNil(firstFiring(losses, nonmono: 5))
        // Monotone improvement never fires, however long.
        XCTAssertNil(firstFiring((0..<50).map { 10 - Double($0) * 0.1 }, nonmono: 1))
    }

    func testTriggerAgreesWithTheLiteralRuleOnRandomSequences() {
        var rng = Xoshiro256(seed: 11)
        var fired = 0
        for trial in 0..<500 {
            let n = trial % 7
            var loss = 6.0
            let losses = (0..<30).map { _ -> Double in
                loss -= 0.1 * (Double(rng.next() % 1000) / 1000 - 0.3)
                return loss
            }
            let expected = literalRule(losses, nonmono: n)
            XCTAssertEqual(firstFiring(losses, nonmono: n), expected, "trial \(trial), n \(n), losses \(losses)")
            if expected != nil { fired += 1 }
        }
        XCTAssertGreaterThan(fired, 50, "the random walks rarely fire the trigger, so this checks little")
        XCTAssertLessThan(fired, 450, "the random walks almost always fire the trigger, so this checks little")
    }

    func testTriggerStateRoundTripsThroughItsValues() throws {
        let losses = [5.0, 4.5, 4.1, 4.0, 4.2, 4.1, 4.15, 3.0]
        for cut in 0...6 {
            var a = NonMonotoneTrigger(nonmono: 2)
            for v in losses[..<cut] { XCTAssertFalse(a.observe(v)) }
            var b = try XCTUnwrap(NonMonotoneTrigger(nonmono: 2, values: a.values(prefix: "t."), prefix: "t."))
            XCTAssertEqual(a, b, "cut \(cut)")
            for v in losses[cut...] { XCTAssertEqual(a.observe(v), b.observe(v), "cut \(cut), loss \(v)") }
        }
        XCTAssertNil(NonMonotoneTrigger(nonmono: 2, values: ["t.evaluations": 3, "t.recent.0": 1], prefix: "t."),
                     "a state missing a recent loss must not restore")
    }

    // MARK: The average

    /// One parameter of three values, with the gradient set by hand before each update.
    private func tinyParameter<S: BLASScalar>(_ values: [S]) -> Parameter<S> {
        Parameter(name: "w", value: Tensor(shape: [3], values: values))
    }

    private func step<S: BLASScalar>(_ optimizer: some Optimizer<S>, _ p: Parameter<S>, gradient: [S], lr: Double) {
        for i in 0..<3 { p.grad.data[i] = gradient[i] }
        optimizer.update([p], learningRate: lr, gradientScale: 1)
    }

    func testTheAverageIsTheMeanOfTheIteratesFromTheTrigger() throws {
        // w₀ = (1, −2, 0.5); g_k = (k, 1, −k) for k = 1…6; lr 0.5. The trigger fires at step 2
        // (losses 1 then 2 with n = 0), so the average is of w₂ … w_k.
        let optimizer = AveragedSGD<Double>(nonmono: 0)
        let p = tinyParameter([1.0, -2.0, 0.5])
        var iterates: [[Double]] = [p.value.array]
        var w = [1.0, -2.0, 0.5]
        for k in 1...6 {
            if k == 3 {
                XCTAssertFalse(optimizer.didValidate(loss: 1, parameters: [p], step: 2))
                XCTAssertNil(optimizer.average(of: [p]), "no average before the trigger")
                XCTAssertTrue(optimizer.didValidate(loss: 2, parameters: [p], step: 2))
                XCTAssertEqual(optimizer.averagingStart, 2)
                XCTAssertFalse(optimizer.didValidate(loss: 9, parameters: [p], step: 2), "the trigger fires once")
            }
            let g = [Double(k), 1, -Double(k)]
            step(optimizer, p, gradient: g, lr: 0.5)
            for i in 0..<3 { w[i] -= 0.5 * g[i] }
            iterates.append(w)
            XCTAssertEqual(p.value.array, w, "step \(k): the iterate is plain SGD's")
        }
        // By hand: w₂ = (−0.5, −3, 2), w₃ = (−2, −3.5, 3.5), w₄ = (−4, −4, 5.5), w₅ = (−6.5, −4.5, 8),
        // w₆ = (−9.5, −5, 11); their mean is (−4.5, −4, 6).
        XCTAssertEqual(iterates[2], [-0.5, -3, 2])
        XCTAssertEqual(iterates[6], [-9.5, -5, 11])
        let average = try XCTUnwrap(optimizer.average(of: [p]))[0].array
        for (a, e) in zip(average, [-4.5, -4.0, 6.0]) { XCTAssertEqual(a, e, accuracy: 1e-12) }
        XCTAssertEqual(optimizer.averagedIterates, 5)
        let state = optimizer.state
        XCTAssertEqual(state.values["average.start_step"], 2)
        XCTAssertEqual(state.values["average.count"], 5)
        XCTAssertEqual(state.slots.map(\.name), ["avg.w"])
    }

    func testFloatAverageMatchesTheMeanWithinRounding() throws {
        var rng = Xoshiro256(seed: 4)
        func uniform() -> Float { Float(rng.next() % 2001) / 1000 - 1 }
        let optimizer = AveragedSGD<Float>(nonmono: 0)
        let p = tinyParameter([uniform(), uniform(), uniform()])
        _ = optimizer.didValidate(loss: 1, parameters: [p], step: 0)
        XCTAssertTrue(optimizer.didValidate(loss: 1.5, parameters: [p], step: 0))
        var sum = p.value.array.map(Double.init)
        for _ in 1...200 {
            step(optimizer, p, gradient: [uniform(), uniform(), uniform()], lr: 0.1)
            for i in 0..<3 { sum[i] += Double(p.value.data[i]) }
        }
        let average = try XCTUnwrap(optimizer.average(of: [p]))[0].array
        for i in 0..<3 { XCTAssertEqual(Double(average[i]), sum[i] / 201, accuracy: 1e-5) }
    }

    func testBeforeTheTriggerItIsSGDBitForBit() {
        let asgd = AveragedSGD<Float>(nonmono: 3), sgd = SGD<Float>()
        let a = tinyParameter([0.3, -0.1, 0.7] as [Float]), b = tinyParameter([0.3, -0.1, 0.7] as [Float])
        for k in 1...20 {
            let g: [Float] = [Float(k) * 0.01, -0.02, 0.03]
            step(asgd, a, gradient: g, lr: 0.7)
            step(sgd, b, gradient: g, lr: 0.7)
            XCTAssertFalse(asgd.didValidate(loss: 10 - Double(k), parameters: [a], step: k))
        }
        XCTAssertEqual(a.value.array.map(\.bitPattern), b.value.array.map(\.bitPattern))
        XCTAssertNil(asgd.averagingStart)
        XCTAssertTrue(asgd.state.slots.isEmpty)
    }

    func testStateRestoresMidAveragingBitForBit() throws {
        let a = AveragedSGD<Float>(nonmono: 1)
        let p = tinyParameter([0.2, 0.4, -0.6] as [Float])
        for (k, loss) in [3.0, 2.0, 3.5].enumerated() {
            step(a, p, gradient: [0.1, -0.2, Float(k) * 0.05], lr: 0.3)
            _ = a.didValidate(loss: loss, parameters: [p], step: k + 1)
        }
        XCTAssertEqual(a.averagingStart, 3, "3.5 > min(3.0), the loss two evaluations back")
        for _ in 0..<4 { step(a, p, gradient: [0.05, 0.05, -0.1], lr: 0.3) }
        // A second optimizer and parameter restored from copies of the state, as a resume does.
        let b = AveragedSGD<Float>(nonmono: 1)
        let q = tinyParameter(p.value.array)
        let saved = a.state
        b.state = OptimizerState(step: saved.step, slots: saved.slots.map { ($0.name, $0.values.copy()) }, values: saved.values)
        XCTAssertEqual(b.averagingStart, 3)
        for k in 0..<5 {
            let g: [Float] = [Float(k) * 0.01, 0.02, -0.03]
            step(a, p, gradient: g, lr: 0.3)
            step(b, q, gradient: g, lr: 0.3)
        }
        let x = try XCTUnwrap(a.average(of: [p])), y = try XCTUnwrap(b.average(of: [q]))
        XCTAssertEqual(x[0].array.map(\.bitPattern), y[0].array.map(\.bitPattern))
        XCTAssertEqual(a.state.values, b.state.values)
        XCTAssertEqual(a.state.step, b.state.step)
    }

    // MARK: In the trainer

    /// Records every event's moment: the model's weights at each validation and at each logged step.
    final class Recorder: TrainingObserver {
        let model: LanguageModel<Float>
        let valid: TokenBatches
        var evaluations: [(step: Int, loss: Double, recomputed: Double, weights: [[Float]])] = []
        var logged: [(step: Int, weights: [[Float]])] = []
        var averagingStarted: [Int] = []

        init(model: LanguageModel<Float>, valid: TokenBatches) {
            self.model = model
            self.valid = valid
        }

        func handle(_ event: TrainingEvent) -> TrainingControl {
            switch event {
            case let .evaluated(e):
                evaluations.append((e.step, e.loss, evaluate(model, on: valid).loss, model.parameters.map(\.value.array)))
            case let .logged(r):
                logged.append((r.step, model.parameters.map(\.value.array)))
            case let .averagingStarted(step):
                averagingStarted.append(step)
            default:
                break
            }
            return .proceed
        }
    }

    private func makeTrainer(optimizer: any Optimizer<Float>) throws -> (Trainer<Float>, Recorder) {
        let trainer = try tinyTrainer(optimizer: optimizer, schedule: ConstantSchedule(learningRate: 1.5))
        return (trainer, Recorder(model: trainer.model, valid: trainer.valid))
    }

    func testValidationScoresTheAverageAndTrainingContinuesFromTheIterate() throws {
        // The same model trained with plain SGD and with NT-ASGD (n = 0): the iterates must agree
        // bit for bit at every logged step (a validation of the average must not leak into
        // training), and after the trigger each validation must score the average.
        let (sgdTrainer, sgdRecorder) = try makeTrainer(optimizer: SGD<Float>())
        let asgd = AveragedSGD<Float>(nonmono: 0)
        let (asgdTrainer, asgdRecorder) = try makeTrainer(optimizer: asgd)
        XCTAssertEqual(sgdTrainer.run(observers: [sgdRecorder]).status, .completed)
        XCTAssertEqual(asgdTrainer.run(observers: [asgdRecorder]).status, .completed)

        XCTAssertEqual(asgdRecorder.averagingStarted.count, 1, "the trigger should fire once in this run")
        let start = try XCTUnwrap(asgd.averagingStart)
        XCTAssertEqual(asgdRecorder.averagingStarted, [start])
        XCTAssertEqual(asgdTrainer.averagingStart, start)
        XCTAssertLessThan(start, 24, "the trigger should fire early enough to average over several validations")

        XCTAssertEqual(sgdRecorder.logged.count, asgdRecorder.logged.count)
        for (a, b) in zip(sgdRecorder.logged, asgdRecorder.logged) {
            XCTAssertEqual(a.weights.map { $0.map(\.bitPattern) }, b.weights.map { $0.map(\.bitPattern) }, "the iterate at step \(a.step)")
        }
        var averaged = 0
        for (plain, e) in zip(sgdRecorder.evaluations, asgdRecorder.evaluations) {
            XCTAssertEqual(e.loss, e.recomputed, "step \(e.step): the reported loss is of the weights in the model")
            if e.step <= start {
                XCTAssertEqual(e.weights, plain.weights, "step \(e.step): before the trigger the iterate is validated")
            } else {
                XCTAssertNotEqual(e.weights, plain.weights, "step \(e.step): after the trigger the average is validated")
                averaged += 1
            }
        }
        XCTAssertGreaterThan(averaged, 3)
        // A completed run ends with the average in the model, and it is the average the optimizer holds.
        let average = try XCTUnwrap(asgd.average(of: asgdTrainer.model.parameters))
        XCTAssertEqual(asgdTrainer.model.parameters.map(\.value.array), average.map(\.array))
        XCTAssertEqual(asgdRecorder.evaluations.last?.weights, average.map(\.array), "the final validation scores the average")
        XCTAssertNotEqual(sgdTrainer.model.parameters.map(\.value.array), average.map(\.array))
    }
}

/// A trainer of a tiny Elman model (V = 12, E = H = 6) on a patterned stream: 3 streams of 121
/// tokens, bptt 10, so 12 steps an epoch; 3 epochs, a validation every 2 steps, a row every step.
func tinyTrainer(optimizer: any Optimizer<Float>, schedule: any LearningRateSchedule, timeBudget: Double? = nil) throws -> Trainer<Float> {
    let V = 12, E = 6, H = 6, B = 3
    var rng = Xoshiro256(seed: 21)
    let stream = (0..<(B * 121)).map { i in Int32((i * 5 + Int(rng.next() % 3)) % V) }
    let validStream = (0..<40).map { i in Int32((i * 5 + Int(rng.next() % 4)) % V) }
    let embedding = Embedding<Float>(vocabularySize: V, embeddingSize: E)
    let cell = ElmanCell<Float>(inputSize: E, hiddenSize: H, activation: Tanh(), bias: true)
    let model = try LanguageModel(embedding: embedding, cell: cell,
                                  output: SoftmaxOutput<Float>(vocabularySize: V, hiddenSize: H, bias: true, threads: 1))
    var init_ = Xoshiro256(seed: 8)
    for p in model.parameters { Initializer.uniform(range: 0.3).fill(p.value, using: &init_) }
    return Trainer(model: model, optimizer: optimizer, schedule: schedule,
                   train: TokenBatches(stream: stream, batchSize: B), valid: TokenBatches(stream: validStream, batchSize: 2),
                   options: TrainingOptions(bptt: 10, clip: 1, epochs: 3, timeBudget: timeBudget, evalEvery: 2, logEvery: 1,
                                            divergenceFactor: 100))
}
