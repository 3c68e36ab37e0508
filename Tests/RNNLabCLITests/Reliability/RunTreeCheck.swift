// What a report reads from a run folder, read the way a report would, and a comparison of two
// finished run folders that ignores only what measures time.

import Foundation
import XCTest
import RNNExperiments
import RNNTensorBoard
import RNNRendering

/// Asserts that every file in a run folder is whole: summary.json decodes, the CSVs parse with
/// their headers (an unfinished last line is allowed), config.yaml loads, checkpoints decode,
/// curves.svg is complete. Temporaries of interrupted atomic writes are ignored. Files may be
/// absent (a run killed early has few). Returns the summary when there is one.
@discardableResult
func assertReadableRunTree(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> RunSummary? {
    let fm = FileManager.default
    var summary: RunSummary?
    let names = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { !isAtomicWriteTemporary($0) }
    for name in names {
        let path = dir + "/" + name
        switch name {
        case "summary.json":
            do { summary = try RunSummary.read(path: path) }
            catch { XCTFail("\(path): \(error)", file: file, line: line) }
        case "metrics.csv", "evals.csv":
            do {
                let table = try CSVReader.read(contentsOf: URL(fileURLWithPath: path))
                let expected = name == "metrics.csv" ? ResultsColumns.metrics : ResultsColumns.evals
                XCTAssertEqual(table.header.joined(separator: ","), expected, path, file: file, line: line)
            } catch { XCTFail("\(path): \(error)", file: file, line: line) }
        case "config.yaml":
            XCTAssertNoThrow(try ExperimentLoader(registry: .builtin).load(path: path), path, file: file, line: line)
        case "curves.svg":
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            XCTAssertTrue(text.hasSuffix("</svg>\n"), "\(path) is incomplete", file: file, line: line)
        case "checkpoint":
            for c in ((try? fm.contentsOfDirectory(atPath: path)) ?? []) where !isAtomicWriteTemporary(c) {
                XCTAssertNoThrow(try Checkpoint.read(path: path + "/" + c), "\(path)/\(c)", file: file, line: line)
            }
        case "log.txt":
            break
        case "tensorboard":
            // Whole records, each a decodable event, except perhaps a last one cut by a kill.
            for name in ((try? fm.contentsOfDirectory(atPath: path)) ?? []) where !isAtomicWriteTemporary(name) {
                XCTAssertTrue(EventFileWriter.isEventFile(name), "unexpected file \(path)/\(name)", file: file, line: line)
                let bytes = [UInt8](fm.contents(atPath: path + "/" + name) ?? Data())
                let (records, valid, _) = TFRecord.records(in: bytes)
                // A cut record is shorter than a whole one; the longest is the config text (< 64 KiB).
                XCTAssertLessThan(bytes.count - valid, 65536, "\(path)/\(name): more than a last record is damaged", file: file, line: line)
                for record in records { XCTAssertNotNil(Event.stepAndTags(of: record), "\(path)/\(name)", file: file, line: line) }
            }
        default:
            XCTFail("unexpected file \(path)", file: file, line: line)
        }
    }
    return summary
}

/// metrics.csv without its timing columns.
func metricsWithoutTiming(_ dir: String) throws -> [[String]] {
    let table = try CSVReader.read(contentsOf: URL(fileURLWithPath: dir + "/metrics.csv"))
    let keep = table.header.indices.filter { !ResultsColumns.timing.contains(table.header[$0]) }
    return [keep.map { table.header[$0] }] + table.rows.map { row in keep.map { row[$0] } }
}

/// Asserts that two finished run folders hold the same results: CSVs equal but for timing
/// columns, summary.json equal but for timing and the run name, checkpoint tensors equal bit
/// for bit at the same step.
func assertSameResults(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(try metricsWithoutTiming(a), try metricsWithoutTiming(b), "metrics.csv", file: file, line: line)
    XCTAssertEqual(eventTags(a), eventTags(b), "TensorBoard events (tag@step, each once)", file: file, line: line)
    XCTAssertEqual(try String(contentsOfFile: a + "/evals.csv", encoding: .utf8),
                   try String(contentsOfFile: b + "/evals.csv", encoding: .utf8), "evals.csv", file: file, line: line)
    func timeless(_ s: RunSummary) -> RunSummary {
        var s = s
        s.wallSeconds = 0
        s.trainTokensPerSec = 0
        s.run = ""
        return s
    }
    XCTAssertEqual(timeless(try RunSummary.read(path: a + "/summary.json")), timeless(try RunSummary.read(path: b + "/summary.json")),
                   "summary.json", file: file, line: line)
    for name in ["best.ckpt", "last.ckpt"] {
        let x = try Checkpoint.read(path: a + "/checkpoint/" + name), y = try Checkpoint.read(path: b + "/checkpoint/" + name)
        XCTAssertEqual(x.tensors.mapValues { $0.map(\.bitPattern) }, y.tensors.mapValues { $0.map(\.bitPattern) },
                       "\(name) tensors", file: file, line: line)
        XCTAssertEqual(x.header.progress.step, y.header.progress.step, "\(name) step", file: file, line: line)
    }
}

/// Rewrites a run's summary.json with another status (to make a finished run look stopped).
func setStatus(_ status: RunStatus, of dir: String) throws {
    var summary = try RunSummary.read(path: dir + "/summary.json")
    summary.status = status
    try writeAtomically(try summary.encoded(), to: dir + "/summary.json")
}

/// "tag@step" of every summary value in a run's event files, sorted (a step written twice
/// appears twice).
func eventTags(_ dir: String) -> [String] {
    let folder = dir + "/tensorboard"
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
