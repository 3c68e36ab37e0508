// A kneser_ney experiment run in-process: the results tree it writes, its summary and evals,
// the checkpoint that eval and generate load (scoring the test split as the run did), the
// refusals (bad input leaves nothing behind; --resume), and the per-token probabilities that
// mixtures align across an n-gram run and an RNN run.

import Foundation
import RNNNGram
import RNNTensor
import RNNTestSupport
import RNNRendering
import XCTest
@testable import RNNExperiments

final class KneserNeyRunTests: XCTestCase {
    private func experiment(order: Int = 3, sentences: String = "across",
                            data: String = "{type: synthetic, train_tokens: 3000, valid_tokens: 400, test_tokens: 400}") -> String {
        """
        name: kn
        seed: 4
        data: \(data)
        model: {type: kneser_ney, order: \(order), sentences: \(sentences)}

        """
    }

    func testRunWritesTheResultsTreeAndItsCheckpointScoresTestAsTheRunDid() throws {
        let scratch = ScratchFolder("kn-run")
        defer { scratch.remove() }
        let text = experiment()
        let outcome = try runExperiment(text, root: scratch.path, run: "r")
        let dir = outcome.directory
        XCTAssertEqual(dir, scratch.path + "/kn/r")
        for name in ["config.yaml", "log.txt", "metrics.csv", "evals.csv", "summary.json", "checkpoint/model.kn", "checkpoint/vocabulary.ckpt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + name), name)
        }
        XCTAssertEqual(fileText(dir + "/metrics.csv"), ResultsColumns.metrics + "\n", "no training steps: the header alone")
        XCTAssertTrue(fileText(dir + "/config.yaml").contains("model:\n  type: kneser_ney\n  order: 3\n  sentences: across\n"))
        XCTAssertTrue(fileText(dir + "/log.txt").contains("  counting 3-grams in 3000 training tokens\n  counted in "))

        let summary = try RunSummary.read(path: dir + "/summary.json")
        XCTAssertEqual(summary, outcome.summary)
        XCTAssertEqual(summary.status, .completed)
        XCTAssertEqual(summary.model, "kneser_ney(order 3, across sentences)")
        XCTAssertEqual(summary.tokensTrained, 3000)
        XCTAssertEqual(summary.steps, 0)
        XCTAssertNotNil(summary.floorPPL, "the synthetic language has an entropy rate")
        let valid = try XCTUnwrap(summary.validPPL), test = try XCTUnwrap(summary.testPPL)
        XCTAssertEqual(summary.bestValidPPL, valid)
        XCTAssertGreaterThan(valid, try XCTUnwrap(summary.floorPPL))

        let evals = try CSVReader.parse(fileText(dir + "/evals.csv"), source: "evals.csv")
        XCTAssertEqual(evals.header.joined(separator: ","), ResultsColumns.evals)
        XCTAssertEqual(evals.rows.map { $0[3] }, ["valid", "test"])
        XCTAssertEqual(evals.rows.map { Array($0[0...2]) }, [["0", "1", "3000"], ["0", "1", "3000"]])
        XCTAssertEqual(try XCTUnwrap(Double(evals.rows[1][4])), log(test), accuracy: 1e-6, "loss is the cross-entropy in nats/token")

        let trained = try TrainedModel.load(runDirectory: dir, registry: .builtin)
        guard case let .kneserNey(ngram) = trained.scorer else { return XCTFail("a kneser_ney run loads as an n-gram model") }
        XCTAssertEqual(ngram.order, 3)
        XCTAssertEqual(summary.params, ngram.ngramCounts.reduce(0, +), "params counts the stored n-grams")
        let config = try ExperimentLoader(registry: .builtin).load(text: text, name: scratch.path + "/experiment.yaml").config
        let corpus = try ExperimentRunner(registry: .builtin).loadCorpus(config, dataRoot: nil)
        XCTAssertEqual(trained.score(corpus.test).perplexity, test, accuracy: test * 1e-12)
        XCTAssertEqual(trained.score(corpus.valid).tokens, 400, "every token predicted")
        var rng = Xoshiro256(seed: 1)
        XCTAssertEqual(trained.sample(count: 12, prime: [], temperature: 1, using: &rng).count, 12)
    }

    func testIndependentSentencesOnATextCorpus() throws {
        let scratch = ScratchFolder("kn-text")
        defer { scratch.remove() }
        let lines = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "the mat and the log"]
        for (name, count) in [("train.txt", 40), ("valid.txt", 5), ("test.txt", 5)] {
            let text = (0..<count).map { lines[$0 % lines.count] }.joined(separator: "\n") + "\n"
            FileManager.default.createFile(atPath: scratch.path + "/" + name, contents: Data(text.utf8))
        }
        let outcome = try runExperiment(experiment(order: 2, sentences: "independent",
                                                   data: "{type: text, train: train.txt, valid: valid.txt, test: test.txt}"),
                                        root: scratch.path, run: "r")
        XCTAssertEqual(outcome.summary.model, "kneser_ney(order 2, independent sentences)")
        XCTAssertNil(outcome.summary.floorPPL, "a text has no known entropy rate")
        let trained = try TrainedModel.load(runDirectory: outcome.directory, registry: .builtin)
        guard case let .kneserNey(ngram) = trained.scorer else { return XCTFail("an n-gram model") }
        XCTAssertEqual(ngram.sentenceContext, .independent(endOfSentence: try XCTUnwrap(trained.vocabulary.id("<eos>"))))
        let tokens = try trained.encode(Array("the cat sat on the log\n".utf8), name: "t")
        XCTAssertEqual(trained.score(tokens).perplexity, ngram.evaluate(tokens: tokens).perplexity)
    }

    func testBadInputLeavesNothingBehindAndResumeIsRefused() throws {
        let scratch = ScratchFolder("kn-bad")
        defer { scratch.remove() }
        XCTAssertThrowsError(try runExperiment(experiment(sentences: "independent"), root: scratch.path, run: "r")) { error in
            XCTAssertEqual("\(error)", "\(scratch.path)/experiment.yaml:4:48: model.sentences: independent sentences restart after <eos>, and this corpus has no <eos> token (a character or synthetic corpus?); use sentences: across")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/kn/r"), "no run folder for bad input")

        let outcome = try runExperiment(experiment(order: 2), root: scratch.path, run: "r")
        XCTAssertThrowsError(try resumeRun(outcome.directory)) { error in
            XCTAssertEqual("\(error)", "\(outcome.directory) is a kneser_ney run, which counts its n-grams in one go and cannot be resumed; to run it again, start a new run with rnnlab run \(outcome.directory)/config.yaml")
        }
    }

    /// The probabilities a mixture combines: one per token but the first, for both kinds, and
    /// the RNN's give the perplexity that `score` (the evaluation loop) gives.
    func testTokenProbabilitiesAlignAcrossKinds() throws {
        let scratch = ScratchFolder("kn-align")
        defer { scratch.remove() }
        let rnnText = tinyExperiment(epochs: 1).replacingOccurrences(of: "eval_batch_size: 4", with: "eval_batch_size: 1")
        let rnn = try TrainedModel.load(runDirectory: try runExperiment(rnnText, root: scratch.path, run: "rnn").directory, registry: .builtin)
        let kn = try TrainedModel.load(runDirectory: try runExperiment(experiment(), root: scratch.path, run: "kn").directory, registry: .builtin)
        let config = try ExperimentLoader(registry: .builtin).load(text: rnnText, name: scratch.path + "/experiment.yaml").config
        let test = try ExperimentRunner(registry: .builtin).loadCorpus(config, dataRoot: nil).test

        let p = rnn.tokenProbabilities(test)
        XCTAssertEqual(p.count, test.count - 1)
        let rnnPPL = exp(-p.map { log($0) }.reduce(0, +) / Double(p.count))
        XCTAssertEqual(rnnPPL, rnn.score(test).perplexity, accuracy: rnnPPL * 1e-4)

        guard case let .kneserNey(ngram) = kn.scorer else { return XCTFail("an n-gram model") }
        XCTAssertEqual(kn.tokenProbabilities(test), Array(ngram.tokenProbabilities(of: test).dropFirst()))
        XCTAssertEqual(try Mixture.score(probabilities: [p], weights: [1]).perplexity, rnnPPL, accuracy: rnnPPL * 1e-12)
    }
}
