// Mixtures: the perplexity for given weights, EM against an analytic optimum and a grid
// search, and the weight checks' errors.

import RNNNGram
import RNNTensor
import XCTest

final class MixtureTests: XCTestCase {
    func testScoreIsTheLogOfTheWeightedSum() throws {
        let a = [0.5, 0.2, 0.1], b = [0.1, 0.4, 0.3]
        let s = try Mixture.score(probabilities: [a, b], weights: [0.25, 0.75])
        let want = log(0.25 * 0.5 + 0.75 * 0.1) + log(0.25 * 0.2 + 0.75 * 0.4) + log(0.25 * 0.1 + 0.75 * 0.3)
        XCTAssertEqual(s.logLikelihood, want, accuracy: 1e-14)
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s.perplexity, exp(-want / 3), accuracy: 1e-12)
        // All weight on one model: that model's own perplexity.
        XCTAssertEqual(try Mixture.score(probabilities: [a, b], weights: [1, 0]).logLikelihood, a.map { log($0) }.reduce(0, +), accuracy: 1e-14)
    }

    func testEMFindsTheAnalyticOptimum() throws {
        // Three tokens where model A gives 0.5 and B 0.1, one where A gives 0.1 and B 0.5. With
        // λ on A, the log-likelihood 3 log(0.4λ + 0.1) + log(0.5 − 0.4λ) has derivative
        //   3·0.4/(0.4λ + 0.1) − 0.4/(0.5 − 0.4λ) = 0  ⇔  3(0.5 − 0.4λ) = 0.4λ + 0.1  ⇔  λ = 1.4/1.6 = 0.875.
        let a = [0.5, 0.5, 0.5, 0.1], b = [0.1, 0.1, 0.1, 0.5]
        let fit = try Mixture.fitWeights(probabilities: [a, b], tolerance: 1e-12, maxIterations: 100_000)
        XCTAssertTrue(fit.converged)
        XCTAssertEqual(fit.weights[0], 0.875, accuracy: 1e-9)
        XCTAssertEqual(fit.weights[1], 0.125, accuracy: 1e-9)
        XCTAssertEqual(fit.weights.reduce(0, +), 1, accuracy: 1e-15)
        XCTAssertEqual(fit.score, try Mixture.score(probabilities: [a, b], weights: fit.weights))
    }

    func testEMMatchesAGridSearch() throws {
        // Two models of random quality on 500 tokens; the best λ on a grid of step 1e-4.
        var rng = Xoshiro256(seed: 21)
        let a = (0..<500).map { i in i % 3 == 0 ? 0.02 * rng.nextUnit() + 0.001 : 0.5 * rng.nextUnit() + 0.01 }
        let b = (0..<500).map { i in i % 3 == 0 ? 0.6 * rng.nextUnit() + 0.01 : 0.05 * rng.nextUnit() + 0.001 }
        var best = (lambda: 0.0, ll: -Double.infinity)
        for i in 0...10_000 {
            let l = Double(i) / 10_000
            let ll = try Mixture.score(probabilities: [a, b], weights: [l, 1 - l]).logLikelihood
            if ll > best.ll { best = (l, ll) }
        }
        XCTAssertGreaterThan(best.lambda, 0.05)
        XCTAssertLessThan(best.lambda, 0.95, "the optimum is inside, so the test means something")
        let fit = try Mixture.fitWeights(probabilities: [a, b], tolerance: 1e-10)
        XCTAssertTrue(fit.converged)
        XCTAssertEqual(fit.weights[0], best.lambda, accuracy: 1e-4)
        XCTAssertGreaterThanOrEqual(fit.score.logLikelihood, best.ll - 1e-9)
        // An iteration limit stops EM early and says so.
        let short = try Mixture.fitWeights(probabilities: [a, b], tolerance: 1e-15, maxIterations: 2)
        XCTAssertFalse(short.converged)
        XCTAssertEqual(short.iterations, 2)
    }

    func testEMNeverLowersTheLikelihoodWithThreeModels() throws {
        var rng = Xoshiro256(seed: 4)
        let p = (0..<3).map { _ in (0..<200).map { _ in 0.001 + 0.3 * rng.nextUnit() } }
        var previous = -Double.infinity
        var weights = [0.6, 0.3, 0.1]
        for _ in 0..<20 {
            let fit = try Mixture.fitWeights(probabilities: p, initialWeights: weights, maxIterations: 1)
            XCTAssertGreaterThanOrEqual(fit.score.logLikelihood, previous - 1e-12)
            previous = fit.score.logLikelihood
            weights = fit.weights
        }
    }

    func expect(_ error: MixtureError, _ text: String, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { thrown in
            XCTAssertEqual(thrown as? MixtureError, error, file: file, line: line)
            XCTAssertEqual((thrown as? MixtureError)?.description, text, file: file, line: line)
        }
    }

    func testBadWeightsAndStreamsAreTypedErrors() throws {
        let p = [[0.5, 0.2], [0.1, 0.4]]
        expect(.weightOutOfRange(index: 1, value: 1.5), "mixture weight 2 is 1.5, outside [0, 1]; each weight must be between 0 and 1") {
            _ = try Mixture.score(probabilities: p, weights: [0.5, 1.5])
        }
        // Summing to 1 is not enough.
        expect(.weightOutOfRange(index: 0, value: -0.5), "mixture weight 1 is -0.5, outside [0, 1]; each weight must be between 0 and 1") {
            _ = try Mixture.score(probabilities: p, weights: [-0.5, 1.5])
        }
        expect(.weightsDoNotSumToOne(sum: 0.9), "the mixture weights sum to 0.9, not 1; they must sum to 1 (within 1e-09)") {
            _ = try Mixture.score(probabilities: p, weights: [0.4, 0.5])
        }
        expect(.weightCount(count: 1, models: 2), "1 mixture weight was given for 2 models; give one weight per model") {
            _ = try Mixture.score(probabilities: p, weights: [1])
        }
        XCTAssertThrowsError(try Mixture.score(probabilities: p, weights: [.nan, 0.5]))
        // Within 1e-9 of 1 is accepted; beyond is not.
        XCTAssertNoThrow(try Mixture.score(probabilities: p, weights: [0.3, 0.7 + 5e-10]))
        XCTAssertThrowsError(try Mixture.score(probabilities: p, weights: [0.3, 0.7 + 2e-9]))
        expect(.lengthMismatch(model: 1, count: 1, expected: 2),
               "model 2 has probabilities for 1 tokens but model 1 has 2; the models must score the same token stream") {
            _ = try Mixture.score(probabilities: [[0.5, 0.2], [0.1]], weights: [0.5, 0.5])
        }
        expect(.notAProbability(model: 0, position: 1, value: 1.2), "model 1 gives 1.2 for token 2, which is not a probability in [0, 1]") {
            _ = try Mixture.score(probabilities: [[0.5, 1.2], [0.1, 0.1]], weights: [0.5, 0.5])
        }
        expect(.noModels, "a mixture needs at least one model, and none was given") { _ = try Mixture.fitWeights(probabilities: []) }
        expect(.emptyStream, "a mixture needs at least one token, and the models' probabilities are empty") {
            _ = try Mixture.fitWeights(probabilities: [[], []])
        }
        expect(.zeroProbability(position: 0),
               "every model with a non-zero weight gives token 1 probability 0, so the mixture's perplexity is infinite") {
            _ = try Mixture.score(probabilities: [[0, 0.2], [0.5, 0.4]], weights: [1, 0])
        }
        expect(.badTolerance(0), "the EM tolerance is 0.0; it must be a finite number > 0") {
            _ = try Mixture.fitWeights(probabilities: p, tolerance: 0)
        }
        expect(.badIterationLimit(0), "the EM iteration limit is 0; it must be at least 1") {
            _ = try Mixture.fitWeights(probabilities: p, maxIterations: 0)
        }
    }

    func testMixingTwoKneserNeyOrders() throws {
        // End to end on model output: KN1 and KN3 on one stream; the fitted mixture is at least
        // as good on the fitting stream as either alone.
        let train = KneserNeyModelTests.stream(3_000, V: 15, seed: 8)
        let valid = KneserNeyModelTests.stream(800, V: 15, seed: 9)
        let models = [1, 3].map { KneserNeyModel.train(tokens: train, vocabularySize: 15, order: $0) }
        let p = models.map { $0.tokenProbabilities(of: valid) }
        let fit = try Mixture.fitWeights(probabilities: p)
        for m in models { XCTAssertGreaterThanOrEqual(fit.score.logLikelihood, m.evaluate(tokens: valid).logLikelihood - 1e-9) }
    }
}
