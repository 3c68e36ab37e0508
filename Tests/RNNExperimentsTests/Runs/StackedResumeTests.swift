// A two-layer LSTM with dropout between its layers, stopped at random steps and resumed, ends
// with the same weights, metrics and summary as the run left alone: its state carries h and c
// of both layers, and its dropout masks come from the checkpointed generator.

import Foundation
import RNNTensor
import RNNTestSupport
import XCTest
@testable import RNNExperiments

final class StackedResumeTests: XCTestCase {
    func testTwoLayerLSTMResumesBitForBitFromRandomStops() throws {
        let text = tinyExperiment(modelExtras: ", cell: lstm, layers: 2, dropout: 0.2")
        let scratch = ScratchFolder("stacked-resume")
        defer { scratch.remove() }
        let whole = try runExperiment(text, root: scratch.path, run: "whole")
        XCTAssertEqual(whole.summary.status, .completed)
        // Stops drawn from a seeded generator (printed, so a failure can be replayed): 100
        // steps in all, polls 1…101 fall after steps or at epoch 1's end.
        var rng = Xoshiro256(seed: UInt64(Date().timeIntervalSince1970))
        for trial in 0..<3 {
            let stop = 1 + Int(rng.next() % 100)
            let stopped = try runExperiment(text, root: scratch.path, run: "stopped-\(trial)", stopAfter: stop)
            XCTAssertEqual(stopped.summary.status, .interrupted, "stop after poll \(stop)")
            let resumed = try resumeRun(stopped.directory)
            XCTAssertEqual(resumed.summary.status, .completed, "stop after poll \(stop)")
            try assertSameResults(whole.directory, resumed.directory)
        }
    }
}
