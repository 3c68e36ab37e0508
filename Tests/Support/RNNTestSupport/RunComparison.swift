// A comparison of two finished run folders that ignores only what measures time (and the run's
// own name): what "the same results" means for every resume test, in-process or after kill -9.

import Foundation
import RNNRendering
import XCTest
import RNNExperiments
import RNNTensorBoard
import RNNTraining

/// The text of the file at `path` ("" when it cannot be read).
public func fileText(_ path: String) -> String {
    String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
}

/// metrics.csv without the timing columns.
public func metricsWithoutTiming(_ directory: String) throws -> [[String]] {
    let table = try CSVReader.parse(fileText(directory + "/metrics.csv"), source: directory + "/metrics.csv")
    let keep = table.header.indices.filter { !ResultsColumns.timing.contains(table.header[$0]) }
    return [keep.map { table.header[$0] }] + table.rows.map { row in keep.map { row[$0] } }
}

/// The float bit patterns of every tensor in a checkpoint, by name.
public func tensorBits(_ checkpoint: Checkpoint) -> [String: [UInt32]] {
    checkpoint.tensors.mapValues { $0.map(\.bitPattern) }
}

/// A summary with the fields that measure time (or name the folder) cleared.
public func timeless(_ s: RunSummary) -> RunSummary {
    var s = s
    s.wallSeconds = 0
    s.trainTokensPerSec = 0
    s.run = ""
    return s
}

/// "tag@step" of every summary value in a run's TensorBoard event files, sorted (a step written
/// twice appears twice); none when the run wrote no event files.
public func eventTags(_ directory: String) -> [String] {
    let folder = directory + "/tensorboard"
    var out: [String] = []
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []) where EventFileWriter.isEventFile(name) {
        let bytes = [UInt8](FileManager.default.contents(atPath: folder + "/" + name) ?? Data())
        for record in TFRecord.records(in: bytes).records {
            guard let (step, tags) = Event.stepAndTags(of: record) else { continue }
            out += tags.map { "\($0)@\(step)" }
        }
    }
    return out.sorted()
}

/// Asserts that two finished run folders hold the same results: metrics.csv equal but for its
/// timing columns; TensorBoard events the same tags at the same steps, each once;
/// evals.csv, curves.svg and config.yaml equal byte for byte; summary.json equal
/// but for timing and the run name; every tensor of best.ckpt and last.ckpt equal bit for bit,
/// with the same progress, optimizer step, schedule state, CSV row counts and config.
public func assertSameResults(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(try metricsWithoutTiming(a), try metricsWithoutTiming(b), "metrics.csv", file: file, line: line)
    XCTAssertEqual(eventTags(a), eventTags(b), "TensorBoard events (tag@step, each once)", file: file, line: line)
    for name in ["evals.csv", "curves.svg", "config.yaml"] {
        XCTAssertEqual(fileText(a + "/" + name), fileText(b + "/" + name), name, file: file, line: line)
    }
    XCTAssertEqual(timeless(try RunSummary.read(path: a + "/summary.json")), timeless(try RunSummary.read(path: b + "/summary.json")),
                   "summary.json", file: file, line: line)
    for name in ["best.ckpt", "last.ckpt"] {
        let x = try Checkpoint.read(path: a + "/checkpoint/" + name), y = try Checkpoint.read(path: b + "/checkpoint/" + name)
        XCTAssertEqual(tensorBits(x), tensorBits(y), "\(name) tensors", file: file, line: line)
        XCTAssertEqual(TrainingProgressView(x.header.progress), TrainingProgressView(y.header.progress), "\(name) progress", file: file, line: line)
        XCTAssertEqual(x.header.optimizerStep, y.header.optimizerStep, "\(name) optimizer step", file: file, line: line)
        XCTAssertEqual(x.header.optimizerValues, y.header.optimizerValues, "\(name) optimizer values", file: file, line: line)
        XCTAssertEqual(x.header.schedule, y.header.schedule, "\(name) schedule", file: file, line: line)
        XCTAssertEqual(x.header.outputRng, y.header.outputRng, "\(name) output layer's generator", file: file, line: line)
        XCTAssertEqual(x.header.csvRows, y.header.csvRows, "\(name) CSV rows", file: file, line: line)
        XCTAssertEqual(x.header.config, y.header.config, "\(name) config", file: file, line: line)
    }
}

/// The parts of `TrainingProgress` that do not measure time, compared exactly (Double by bits).
public struct TrainingProgressView: Equatable {
    public var epoch, nextChunk, step, tokens, intervalSteps, intervalTokens: Int
    public var bestStep, lastEvaluationStep: Int?
    public var bits: [UInt64?]

    public init(_ p: TrainingProgress) {
        epoch = p.epoch; nextChunk = p.nextChunk; step = p.step; tokens = p.tokens
        intervalSteps = p.intervalSteps; intervalTokens = p.intervalTokens
        bestStep = p.bestStep; lastEvaluationStep = p.lastEvaluationStep
        bits = [p.bestValidLoss?.bitPattern, p.initialLoss?.bitPattern, p.intervalLoss.bitPattern, p.intervalMaxGradNorm.bitPattern]
    }
}
