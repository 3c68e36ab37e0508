// TrainedModelTests: a run folder's best weights, loaded back for `rnnlab eval` and `generate`,
// must be the model the run evaluated, for every output layer.

import Foundation
import RNNTestSupport
import XCTest
@testable import RNNExperiments

final class TrainedModelTests: XCTestCase {
    func testLoadedModelScoresTheTestSplitAsTheRunDid() throws {
        // The class softmax rebuilds its word classes from the vocabulary's counts: a model loaded
        // without them put words in the wrong classes and scored PTB at perplexity 2·10⁵.
        for output in ["softmax", "class_softmax", "hierarchical_softmax", "{name: nce, k: 5}"] {
            let scratch = ScratchFolder("trained")
            defer { scratch.remove() }
            // One evaluation stream, as `TrainedModel.score` reads a text.
            let text = tinyExperiment(modelExtras: ", output: \(output)")
                .replacingOccurrences(of: "eval_batch_size: 4", with: "eval_batch_size: 1")
            let outcome = try runExperiment(text, root: scratch.path, run: "r")
            let trained = try TrainedModel.load(runDirectory: outcome.directory, registry: .builtin)
            let config = try ExperimentLoader(registry: .builtin).load(text: text, name: scratch.path + "/experiment.yaml").config
            let test = try ExperimentRunner(registry: .builtin).loadCorpus(config, dataRoot: nil).test
            let runPPL = try XCTUnwrap(outcome.summary.testPPL)
            XCTAssertEqual(trained.score(test).perplexity, runPPL, accuracy: runPPL * 1e-4, output)
        }
    }
}
