// What a report reads from a run folder, read the way a report would: after a kill, every file
// that is there must be whole.

import Foundation
import RNNRendering
import XCTest
import RNNExperiments
import RNNTensorBoard

/// Asserts that every file in a run folder is whole: summary.json decodes, the CSVs parse with
/// their headers (an unfinished last line is allowed), config.yaml loads, checkpoints decode,
/// curves.svg is complete. Temporaries of interrupted atomic writes are ignored. Files may be
/// absent (a run killed early has few). Returns the summary when there is one.
@discardableResult
public func assertReadableRunTree(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> RunSummary? {
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
