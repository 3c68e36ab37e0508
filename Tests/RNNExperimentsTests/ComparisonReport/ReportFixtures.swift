// ReportFixtures: hand-made run folders (summary.json, config.yaml, evals.csv) in a temporary
// folder, for testing reports without training anything.

import Foundation
import RNNTestSupport
@testable import RNNExperiments

struct ReportFixtures {
    private let scratch = ScratchFolder("report")
    var root: String { scratch.path }

    func remove() { scratch.remove() }

    /// Writes `<root>/<experiment>/<run>/` with a summary, a config and (unless nil) evals.csv.
    @discardableResult
    func run(_ name: String, experiment: String = "exp", status: RunStatus = .completed, hidden: Int, tied: Bool, seed: UInt64,
             bestValid: Double?, test: Double?, params: Int, threads: Int = 1, evals: String? = nil,
             config: Bool = true, floor: Double? = 5.0) throws -> String {
        let folder = "\(root)/\(experiment)/\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var summary = RunSummary(
            status: status, experiment: experiment, run: name, params: params, trainTokensPerSec: 1000 + Double(hidden),
            wallSeconds: 2, seed: seed, steps: 10, epochs: 1, tokensTrained: 400, stopReason: "",
            dataset: DatasetIdentity(type: "synthetic", sources: [], trainTokens: 3000, validTokens: 500, testTokens: 500, vocabularySize: 32),
            rnnlabVersion: "test", blas: "none", model: "elman")
        summary.bestValidPPL = bestValid
        summary.validPPL = bestValid
        summary.testPPL = test
        summary.floorPPL = floor
        try Data(try summary.encoded()).write(to: URL(fileURLWithPath: folder + "/summary.json"))
        if config {
            let yaml = """
                name: \(experiment)
                description: run \(name)
                seed: \(seed)
                data:
                  type: synthetic
                  train_tokens: 3000
                model:
                  embedding_size: \(hidden)
                  hidden_size: \(hidden)
                  tied: \(tied)
                  init:
                    embedding: {name: uniform, range: 0.1}
                training:
                  optimizer: {name: sgd, lr: 1.0}
                  threads: \(threads)

                """
            try yaml.write(toFile: folder + "/config.yaml", atomically: true, encoding: .utf8)
        }
        let curve = evals ?? "step,epoch,tokens,split,loss,ppl\n5,1,200,valid,3.4,\(bestValid.map { $0 + 5 } ?? 30)\n10,1,400,valid,3.3,\(bestValid ?? 30)\n10,1,400,test,3.3,\(test ?? 30)\n"
        try curve.write(toFile: folder + "/evals.csv", atomically: true, encoding: .utf8)
        return folder
    }

    /// Two sizes (100 and 20, so text order differs from numeric) × tied/untied × seeds 1, 2,
    /// with known test perplexities, plus one diverged run.
    func standardSweep() throws {
        // hidden 20: tied 100, 104 (mean 102, std √8); untied 110, 106 (mean 108, std √8);
        // per-seed differences −10, −2 (std √32).
        try run("h20-t-s1", hidden: 20, tied: true, seed: 1, bestValid: 99, test: 100, params: 500)
        try run("h20-t-s2", hidden: 20, tied: true, seed: 2, bestValid: 103, test: 104, params: 500, threads: 2)
        try run("h20-u-s1", hidden: 20, tied: false, seed: 1, bestValid: 109, test: 110, params: 900)
        try run("h20-u-s2", hidden: 20, tied: false, seed: 2, bestValid: 105, test: 106, params: 900)
        // hidden 100: tied 80, 90; untied 85 and a diverged seed 2.
        try run("h100-t-s1", hidden: 100, tied: true, seed: 1, bestValid: 79, test: 80, params: 5000)
        try run("h100-t-s2", hidden: 100, tied: true, seed: 2, bestValid: 89, test: 90, params: 5000)
        try run("h100-u-s1", hidden: 100, tied: false, seed: 1, bestValid: 84, test: 85, params: 9000)
        try run("h100-u-s2", status: .diverged, hidden: 100, tied: false, seed: 2, bestValid: nil, test: nil, params: 9000,
                evals: "step,epoch,tokens,split,loss,ppl\n5,1,200,valid,3.4,31\n10,1,400,val")
    }
}
