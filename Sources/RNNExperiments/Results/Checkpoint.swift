// Checkpoint: rnnlab's versioned, self-describing file for a model and everything needed to
// continue training it exactly.
//
// Layout (all integers little-endian):
//   bytes 0..<8    magic "RNNLABCK"
//   bytes 8..<12   format version (UInt32), currently 1
//   bytes 12..<20  header length N (UInt64)
//   next N bytes   header: UTF-8 JSON (`Checkpoint.Header`): config, vocabulary, model summary,
//                  training progress, optimizer and schedule state, random generator state,
//                  and an index of the tensors (name, shape, offset, count)
//   padding        zeros up to a multiple of 64 bytes
//   payload        the tensors' Float32 values, back to back, in index order
//   last 8 bytes   FNV-1a 64 checksum of the payload (UInt64)
// A reader checks the magic, the version, the sizes and the checksum before trusting anything.

import Foundation
import RNNModel
import RNNTensor
import RNNTraining

/// A saved model with its training state.
public struct Checkpoint: Sendable {
    public static let magic = Array("RNNLABCK".utf8)
    public static let formatVersion: UInt32 = 1

    /// One tensor in the payload.
    public struct TensorEntry: Codable, Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        /// Offset in elements from the start of the payload.
        public var offset: Int
        public var count: Int
    }

    /// Everything but the numbers.
    public struct Header: Codable, Sendable {
        public var format = "rnnlab-checkpoint"
        public var version = Int(Checkpoint.formatVersion)
        /// "best" (best on validation) or "last" (latest state, for resuming).
        public var kind: String
        public var rnnlabVersion: String
        /// The fully resolved experiment file, as YAML text.
        public var config: String
        /// Token strings by id.
        public var vocabulary: [String]
        /// Model summary: sizes, cell, output layer (for compatibility checks and messages).
        public var model: [String: String]
        public var progress: TrainingProgress
        public var optimizerStep: Int
        public var schedule: [String: Double]
        public var rng: [UInt64]
        public var tensors: [TensorEntry]
    }

    public var header: Header
    /// Values by tensor name.
    public var tensors: [String: [Float]]

    public init(header: Header, tensors: [String: [Float]]) {
        self.header = header
        self.tensors = tensors
    }
}


/// Why a checkpoint could not be read.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "\(path) is not a usable rnnlab checkpoint: \(reason)" }
}

private func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

private func appendLE<I: FixedWidthInteger>(_ v: I, to out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
}

private func readLE<I: FixedWidthInteger>(_ type: I.Type, _ bytes: [UInt8], at offset: Int) -> I {
    var v: I = 0
    withUnsafeMutableBytes(of: &v) { dst in
        for i in 0..<MemoryLayout<I>.size { dst[i] = bytes[offset + i] }
    }
    return I(littleEndian: v)
}

extension Checkpoint {
    /// The file's bytes. Tensor order follows `header.tensors` when it lists them, else name order.
    public func encoded() throws -> [UInt8] {
        var header = self.header
        var offset = 0
        var entries: [TensorEntry] = []
        let order = header.tensors.isEmpty ? tensors.keys.sorted() : header.tensors.map(\.name)
        for name in order {
            guard let values = tensors[name] else { continue }
            let shape = header.tensors.first { $0.name == name }?.shape ?? [values.count]
            entries.append(TensorEntry(name: name, shape: shape, offset: offset, count: values.count))
            offset += values.count
        }
        header.tensors = entries
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try Array(encoder.encode(header))
        var out = Checkpoint.magic
        appendLE(Checkpoint.formatVersion, to: &out)
        appendLE(UInt64(json.count), to: &out)
        out += json
        while out.count % 64 != 0 { out.append(0) }
        let payloadStart = out.count
        out.reserveCapacity(out.count + offset * 4 + 8)
        for e in entries {
            tensors[e.name]!.withUnsafeBytes { raw in
                // Float32 little-endian: the in-memory layout on every platform rnnlab supports.
                out.append(contentsOf: raw)
            }
        }
        let sum = out.withUnsafeBytes { fnv1a(UnsafeRawBufferPointer(rebasing: $0[payloadStart...])) }
        appendLE(sum, to: &out)
        return out
    }

    /// Reads and verifies a checkpoint file.
    public static func read(path: String) throws(CheckpointError) -> Checkpoint {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError(path: path, reason: "the file cannot be read")
        }
        return try decode(Array(data), path: path)
    }

    /// Decodes and verifies checkpoint bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(CheckpointError) -> Checkpoint {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason) }
        guard bytes.count >= 20, Array(bytes[0..<8]) == magic else {
            throw fail("it does not start with the rnnlab checkpoint signature")
        }
        let version = readLE(UInt32.self, bytes, at: 8)
        guard version == formatVersion else {
            throw fail("it has format version \(version), and this rnnlab reads version \(formatVersion)")
        }
        let headerLength = readLE(UInt64.self, bytes, at: 12)
        guard headerLength < UInt64(bytes.count), 20 + Int(headerLength) <= bytes.count else {
            throw fail("it is truncated (header incomplete)")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[20..<(20 + Int(headerLength))]))
        } catch {
            throw fail("its header is damaged")
        }
        var payloadStart = 20 + Int(headerLength)
        while payloadStart % 64 != 0 { payloadStart += 1 }
        let elements = header.tensors.reduce(0) { max($0, $1.offset + $1.count) }
        guard payloadStart + elements * 4 + 8 == bytes.count else {
            throw fail(payloadStart + elements * 4 + 8 > bytes.count ? "it is truncated (\(bytes.count) bytes, \(payloadStart + elements * 4 + 8) expected)"
                                                                     : "it has trailing bytes")
        }
        let sum = bytes.withUnsafeBytes { fnv1a(UnsafeRawBufferPointer(rebasing: $0[payloadStart..<(payloadStart + elements * 4)])) }
        guard sum == readLE(UInt64.self, bytes, at: payloadStart + elements * 4) else {
            throw fail("its checksum does not match (the file is damaged)")
        }
        var tensors: [String: [Float]] = [:]
        for e in header.tensors {
            guard e.count == e.shape.reduce(1, *), e.offset >= 0 else { throw fail("tensor \(e.name) has an inconsistent shape") }
            var values = [Float](repeating: 0, count: e.count)
            values.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[(payloadStart + e.offset * 4)..<(payloadStart + (e.offset + e.count) * 4)]))
                }
            }
            tensors[e.name] = values
        }
        return Checkpoint(header: header, tensors: tensors)
    }
}

extension Checkpoint {
    /// Copies the tensors `prefix + name` of `checkpoint` into the model's parameters.
    public func copyParameters(into model: LanguageModel<Float>, prefix: String, path: String) throws {
        for p in model.parameters {
            guard let values = tensors[prefix + p.name] else {
                throw ExperimentError.plain("\(path) does not match this model: it has no \(p.name)")
            }
            let shape = header.tensors.first { $0.name == prefix + p.name }?.shape ?? []
            guard values.count == p.count, shape == p.shape else {
                throw ExperimentError.plain("\(path) does not match this model: \(p.name) is \(shape) there and \(p.shape) here")
            }
            values.withUnsafeBufferPointer { copyElements(from: $0.baseAddress!, to: p.value.data, count: p.count) }
        }
    }

}
