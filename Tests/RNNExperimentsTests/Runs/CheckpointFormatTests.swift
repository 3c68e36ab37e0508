// Hostile checkpoint files at the format level: every truncation, every single-bit flip, other
// format versions, and headers that lie about their tensors (with a valid checksum, so that the
// checks behind it are reached). Each must give a CheckpointError with a reason, never a trap.

import Foundation
import RNNTraining
import RNNData
import XCTest
@testable import RNNExperiments

final class CheckpointFormatTests: XCTestCase {
    /// A small checkpoint: two tensors, a short config.
    func sample() -> Checkpoint {
        let entries = [Checkpoint.TensorEntry(name: "param/a", shape: [2, 3], offset: 0, count: 6),
                       Checkpoint.TensorEntry(name: "param/b", shape: [4], offset: 6, count: 4)]
        let header = Checkpoint.Header(kind: "last", rnnlabVersion: rnnlabVersion, config: "name: x\n", vocabulary: Vocabulary(tokens: ["a", "b"], counts: [3, 1]), tokenLevel: .word,
                                       model: ["hidden_size": "3"], progress: TrainingProgress(), optimizerStep: 0,
                                       schedule: ["lr": 0.5], rng: [], tensors: entries, dataRoot: "/data", csvRows: ["metrics.csv": 2])
        return Checkpoint(header: header, tensors: ["param/a": [1, 2, 3, 4, 5, 6], "param/b": [-1, 0.5, .pi, 1e-30]])
    }

    func reason(_ bytes: [UInt8]) -> String? {
        do { _ = try Checkpoint.decode(bytes, path: "x.ckpt"); return nil }
        catch { return error.reason }
    }

    /// `header` as a version-2 file over `payload`, with a correct checksum.
    func file(header: String, payload: [Float]) -> [UInt8] {
        var out = Checkpoint.magic
        withUnsafeBytes(of: Checkpoint.formatVersion.littleEndian) { out += $0 }
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out += $0 }
        out += Array(header.utf8)
        while out.count % 64 != 0 { out.append(0) }
        payload.withUnsafeBytes { out += $0 }
        let sum = out.withUnsafeBytes { fnv1a($0) }
        withUnsafeBytes(of: sum.littleEndian) { out += $0 }
        return out
    }

    func testRoundTripKeepsEveryBitAndField() throws {
        let c = sample()
        let back = try Checkpoint.decode(try c.encoded(), path: "x.ckpt")
        XCTAssertEqual(back.tensors["param/b"]!.map(\.bitPattern), c.tensors["param/b"]!.map(\.bitPattern))
        XCTAssertEqual(back.tensors["param/a"], c.tensors["param/a"])
        XCTAssertEqual(back.header.tensors, c.header.tensors)
        XCTAssertEqual(back.header.dataRoot, "/data")
        XCTAssertEqual(back.header.csvRows, ["metrics.csv": 2])
        XCTAssertEqual(back.header.schedule, ["lr": 0.5])
    }

    func testEveryTruncationIsRefused() throws {
        let bytes = try sample().encoded()
        for length in 0..<bytes.count {
            let r = try XCTUnwrap(reason(Array(bytes[0..<length])), "a file cut to \(length) of \(bytes.count) bytes was accepted")
            XCTAssertTrue(r.contains("truncated") || r.contains("incomplete") || r.contains("empty") || r.contains("signature"),
                          "cut to \(length): \(r)")
        }
        XCTAssertEqual(reason([]), "the file is empty")
        XCTAssertEqual(reason(Array(bytes[0..<15])), "it is truncated (15 bytes, too short for a header)")
    }

    func testEverySingleBitFlipIsRefused() throws {
        let bytes = try sample().encoded()
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= UInt8(1) << UInt8(i % 8)
            XCTAssertNotNil(reason(damaged), "flipping bit \(i % 8) of byte \(i) went unnoticed")
        }
    }

    func testVocabularyCountsMustMatchTheVocabulary() throws {
        for counts in [[1], [3, 1, 1], [3, -1]] {
            var c = sample()
            c.header.vocabularyCounts = counts
            XCTAssertEqual(reason(try c.encoded()), "its vocabulary has 2 tokens but \(counts.count) counts, or a negative count", "\(counts)")
        }
    }

    func testOtherFormatVersionsAreNamed() throws {
        var bytes = try sample().encoded()
        for version: UInt32 in [1, 2, 4, 0xFFFF_FFFF] {
            withUnsafeBytes(of: version.littleEndian) { for k in 0..<4 { bytes[8 + k] = $0[k] } }
            XCTAssertEqual(reason(bytes), "it has format version \(version), and this rnnlab reads version 3 only")
        }
        XCTAssertEqual(CheckpointError(path: "run/checkpoint/last.ckpt", reason: "it is truncated").description,
                       "run/checkpoint/last.ckpt is not a usable rnnlab checkpoint: it is truncated")
    }

    func testOtherFilesAreNotCheckpoints() {
        XCTAssertEqual(reason(Array("name: not a checkpoint\n".utf8)), "it does not start with the rnnlab checkpoint signature")
        XCTAssertEqual(reason(Array("RNNLABCK".utf8)), "it is truncated (8 bytes, too short for a header)")
    }

    func testHeadersThatLieAboutTheirTensorsAreRefused() throws {
        let good = String(decoding: try JSONEncoder().encode(sample().header), as: UTF8.self)
        XCTAssertNoThrow(try Checkpoint.decode(file(header: good, payload: [1, 2, 3, 4, 5, 6, -1, 0.5, 3, 0]), path: "x"))
        func lying(_ entries: String, payload: [Float] = [1, 2, 3, 4]) -> String? {
            var header = sample().header
            header.tensors = []
            var json = String(decoding: try! JSONEncoder().encode(header), as: UTF8.self)
            json = json.replacingOccurrences(of: "\"tensors\":[]", with: "\"tensors\":[\(entries)]")
            return reason(file(header: json, payload: payload))
        }
        let cases: [(String, String)] = [
            (#"{"name":"t","shape":[4],"offset":9223372036854775807,"count":4}"#, "does not fit"),
            (#"{"name":"t","shape":[4],"offset":-8,"count":4}"#, "does not fit"),
            (#"{"name":"t","shape":[-2,-2],"offset":0,"count":4}"#, "impossible shape"),
            (#"{"name":"t","shape":[4294967296,4294967296,4],"offset":0,"count":0}"#, "impossible shape"),
            (#"{"name":"t","shape":[8],"offset":0,"count":8}"#, "does not fit"),
            (#"{"name":"t","shape":[3],"offset":0,"count":4}"#, "does not fit"),
            (#"{"name":"t","shape":[2],"offset":0,"count":2},{"name":"t","shape":[2],"offset":2,"count":2}"#, "twice"),
            (#"{"name":"t","shape":[2],"offset":0,"count":2}"#, "no tensor claims"),
        ]
        for (entries, expected) in cases {
            let r = try XCTUnwrap(lying(entries), "accepted: \(entries)")
            XCTAssertTrue(r.contains(expected), "\(entries): \(r)")
        }
        XCTAssertEqual(reason(file(header: "{not json", payload: [])), "its header is damaged")
        var huge = file(header: "{}", payload: [])
        withUnsafeBytes(of: UInt64.max.littleEndian) { for k in 0..<8 { huge[12 + k] = $0[k] } }
        XCTAssertEqual(reason(huge)?.hasPrefix("it is truncated"), true)
    }
}
