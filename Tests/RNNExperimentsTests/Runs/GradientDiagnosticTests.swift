// GradientDiagnosticTests: `diagnostics.gradient_through_time` writes gradients.csv with a row per
// distance at every N-th step, leaves training untouched, and resumes exactly.

import Foundation
import RNNTestSupport
import XCTest
@testable import RNNExperiments

final class GradientDiagnosticTests: XCTestCase {
    private let every = 10

    private func experiment(_ cell: String = "elman") -> String {
        tinyExperiment(modelExtras: ", cell: \(cell)") + "diagnostics: {gradient_through_time: {every: \(every)}}\n"
    }

    func testRowsPerRecordedStepCoverEveryDistanceOfItsChunk() throws {
        for cell in ["elman", "lstm"] {
            let scratch = ScratchFolder("gtt-rows")
            defer { scratch.remove() }
            let outcome = try runExperiment(experiment(cell), root: scratch.path, run: "r")
            let curves = MetricsRecorder.gradientCurves(directory: outcome.directory)
            // 2 epochs of 50 steps (bptt 10; each epoch's last chunk has 9 steps).
            XCTAssertEqual(curves.map(\.step), Array(stride(from: every, through: 100, by: every)), cell)
            for curve in curves {
                let steps = curve.step % 50 == 0 ? 9 : 10
                XCTAssertEqual(curve.points.map(\.0), (0...steps).map(Double.init), "\(cell) step \(curve.step)")
                XCTAssertTrue(curve.points.allSatisfy { $0.1.isFinite && $0.1 > 0 }, "\(cell) step \(curve.step)")
            }
            let memory = try String(contentsOfFile: outcome.directory + "/gradients.csv", encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[3] }
            XCTAssertEqual(memory.allSatisfy(\.isEmpty), cell == "elman", "only the LSTM has a memory column")
            XCTAssertTrue(FileManager.default.fileExists(atPath: outcome.directory + "/gradients.svg"))
        }
    }

    func testTheDiagnosticChangesNoWeightAndResumesExactly() throws {
        let scratch = ScratchFolder("gtt-resume")
        defer { scratch.remove() }
        let plain = try runExperiment(tinyExperiment(), root: scratch.path + "/plain", run: "r")
        let probed = try runExperiment(experiment(), root: scratch.path + "/probed", run: "r")
        XCTAssertEqual(try tensorBits(Checkpoint.read(path: plain.directory + "/checkpoint/last.ckpt")).filter { $0.key.hasPrefix("param/") },
                       try tensorBits(Checkpoint.read(path: probed.directory + "/checkpoint/last.ckpt")).filter { $0.key.hasPrefix("param/") },
                       "measuring the gradient through time must not move a weight")
        let stopped = try runExperiment(experiment(), root: scratch.path + "/stopped", run: "r", stopAfter: 37)
        XCTAssertEqual(stopped.summary.status, .interrupted)
        _ = try resumeRun(stopped.directory)
        XCTAssertEqual(fileText(stopped.directory + "/gradients.csv"), fileText(probed.directory + "/gradients.csv"))
    }

    func testBadDiagnosticsAreOneSentenceWithTheirKeyPath() {
        let loader = ExperimentLoader(registry: .builtin)
        func message(_ diagnostics: String) -> String? {
            do { _ = try loader.load(text: tinyExperiment() + "diagnostics: \(diagnostics)\n", name: "e.yaml"); return nil }
            catch { return "\(error)" }
        }
        XCTAssertEqual(message("{gradient_through_time: {every: 0}}"),
                       "e.yaml:18:46: diagnostics.gradient_through_time.every: 0 is out of range; expected an integer ≥ 1")
        XCTAssertEqual(message("{gradient_through_time: {}}"),
                       "e.yaml:18:38: diagnostics.gradient_through_time.every: missing; expected an integer ≥ 1")
        XCTAssertEqual(message("{gradients: {every: 5}}"),
                       "e.yaml:18:15: diagnostics.gradients: unknown key (valid: gradient_through_time)")
    }
}
