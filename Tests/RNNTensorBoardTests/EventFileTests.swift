// Tests of the TensorBoard event-file format: CRC-32C against its published check value, the
// masked CRC, TFRecord framing byte by byte, the Event encoding of a scalar against bytes worked
// out by hand from the .proto field numbers, and reading back what the writer wrote (a cut last
// record included). TensorBoard's own reader checks the files of real runs in Tests/python.

import Foundation
import RNNTensorBoard
import XCTest

final class EventFileTests: XCTestCase {
    func testCRC32CKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, and of 0xFF.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
    }

    func testMaskRotatesAndAdds() {
        XCTAssertEqual(CRC32C.masked(0), 0xA282_EAD8)
        XCTAssertEqual(CRC32C.masked(1), (1 << 17) &+ 0xA282_EAD8)
        XCTAssertEqual(CRC32C.masked(0x8000), 1 &+ 0xA282_EAD8)
    }

    func testFramingLayout() {
        let data = Array("abc".utf8)
        let framed = TFRecord.frame(data)
        XCTAssertEqual(framed.count, 8 + 4 + 3 + 4)
        XCTAssertEqual(Array(framed[0..<8]), [3, 0, 0, 0, 0, 0, 0, 0])
        let lengthCRC = CRC32C.masked(CRC32C.checksum(framed[0..<8]))
        XCTAssertEqual(Array(framed[8..<12]), (0..<4).map { UInt8(truncatingIfNeeded: lengthCRC >> (8 * $0)) })
        XCTAssertEqual(Array(framed[12..<15]), data)
        let dataCRC = CRC32C.masked(CRC32C.checksum(data))
        XCTAssertEqual(Array(framed[15..<19]), (0..<4).map { UInt8(truncatingIfNeeded: dataCRC >> (8 * $0)) })
    }

    func testRecordsStopAtACutOrCorruptRecord() {
        let a = TFRecord.frame([1, 2, 3]), b = TFRecord.frame(Array(repeating: 7, count: 300))
        let whole = TFRecord.records(in: a + b)
        XCTAssertEqual(whole.records, [[1, 2, 3], Array(repeating: 7, count: 300)])
        XCTAssertFalse(whole.damaged)
        let cut = TFRecord.records(in: a + b.dropLast(5))
        XCTAssertEqual(cut.records, [[1, 2, 3]])
        XCTAssertEqual(cut.validLength, a.count)
        XCTAssertTrue(cut.damaged)
        var flipped = a + b
        flipped[a.count + 20] ^= 1
        XCTAssertEqual(TFRecord.records(in: flipped).records.count, 1)
    }

    func testScalarEventEncoding() {
        let event = Event(wallTime: 1.5, step: 300, values: [("loss", .scalar(2.0))])
        // Summary.Value: tag (field 1, "loss") and simple_value (field 2, fixed32 2.0f = 0x40000000).
        let value: [UInt8] = [0x0A, 4] + Array("loss".utf8) + [0x15, 0, 0, 0, 0x40]
        let summary: [UInt8] = [0x0A, UInt8(value.count)] + value
        let expected: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F]    // wall_time, double 1.5
            + [0x10, 0xAC, 0x02]                                          // step 300 as a varint
            + [0x2A, UInt8(summary.count)] + summary                      // summary (field 5)
        XCTAssertEqual(event.encoded(), expected)
        let decoded = Event.stepAndTags(of: expected)
        XCTAssertEqual(decoded?.step, 300)
        XCTAssertEqual(decoded?.tags, ["loss"])
    }

    func testFileVersionAndTextEncoding() {
        let version = Event(wallTime: 0, step: 0, fileVersion: "brain.Event:2").encoded()
        XCTAssertEqual(version, [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x1A, 13] + Array("brain.Event:2".utf8))
        let text = Event(wallTime: 0, step: 0, values: [("config", .text("a: 1"))]).encoded()
        // The tensor (DT_STRING = 7, empty shape, string_val "a: 1") and the text plugin's name.
        let tensor: [UInt8] = [0x08, 7, 0x12, 0, 0x42, 4] + Array("a: 1".utf8)
        let plugin: [UInt8] = [0x0A, 4] + Array("text".utf8)
        let metadata: [UInt8] = [0x0A, UInt8(plugin.count)] + plugin + [0x20, 2]
        let value: [UInt8] = [0x0A, 6] + Array("config".utf8) + [0x42, UInt8(tensor.count)] + tensor + [0x4A, UInt8(metadata.count)] + metadata
        XCTAssertEqual(text, [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x2A, UInt8(value.count + 2), 0x0A, UInt8(value.count)] + value)
        XCTAssertEqual(Event.stepAndTags(of: text)?.tags, ["config"])
    }

    func testWriterWritesVersionThenEventsAsWholeRecords() throws {
        let folder = NSTemporaryDirectory() + "tb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try EventFileWriter(folder: folder, wallTime: 1_700_000_000)
        let second = try EventFileWriter(folder: folder, wallTime: 1_700_000_000)
        XCTAssertNotEqual(first.path, second.path, "two writers in one folder get two files")
        XCTAssertTrue((first.path as NSString).lastPathComponent.hasPrefix("events.out.tfevents.1700000000."))
        for step in 1...3 { try first.write(Event(wallTime: 1, step: Int64(step), values: [("x", .scalar(Float(step)))])) }
        first.sync()
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: first.path))
        let read = TFRecord.records(in: Array(bytes))
        XCTAssertFalse(read.damaged)
        XCTAssertEqual(read.records.count, 4)
        XCTAssertEqual(read.records.compactMap { Event.stepAndTags(of: $0)?.step }, [0, 1, 2, 3])
        XCTAssertEqual(read.records[0], Event(wallTime: 1_700_000_000, step: 0, fileVersion: "brain.Event:2").encoded())
    }

    func testWriterNamesAMissingFolder() {
        XCTAssertThrowsError(try EventFileWriter(folder: "/nonexistent-\(UUID().uuidString)")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write the TensorBoard event file /nonexistent-"), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix(": No such file or directory"), "\(error)")
        }
    }
}
