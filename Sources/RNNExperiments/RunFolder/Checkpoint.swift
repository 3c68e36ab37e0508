// Checkpoint: rnnlab's versioned, self-describing file for a model and everything needed to
// continue training it exactly.
//
// Layout (all integers little-endian):
//   bytes 0..<8    magic "RNNLABCK"
//   bytes 8..<12   format version (UInt32), currently 3
//   bytes 12..<20  header length N (UInt64)
//   next N bytes   header: UTF-8 JSON (`Checkpoint.Header`): config, vocabulary and its counts, model summary,
//                  training progress, optimizer and schedule state, random generator state,
//                  and an index of the tensors (name, shape, offset, count)
//   padding        zeros up to a multiple of 64 bytes
//   payload        the tensors' Float32 values, back to back, in index order
//   last 8 bytes   FNV-1a 64 checksum of every byte before it (UInt64)
// A reader checks the magic, the version, the sizes and the checksum before trusting anything,
// and every size and offset in the header against the file's length (a hostile or damaged file
// gives a `CheckpointError`, never a trap).
//
// Version history: 1 summed the payload only (a flipped bit in the header went unnoticed);
// 2 sums the whole file; 3 adds the vocabulary's training counts, without which a class softmax
// cannot rebuild its word classes. This reader reads version 3 only.

import Foundation
import RNNData
import RNNModel
import RNNTensor
import RNNTraining

/// A saved model with its training state.
public struct Checkpoint: Sendable {
    public static let magic = Array("RNNLABCK".utf8)
    public static let formatVersion: UInt32 = 3

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
        /// Training-split count of each token, by id: components built from frequencies (the
        /// class softmax's word classes) are rebuilt from these when the model is loaded.
        public var vocabularyCounts: [Int]
        /// The unknown token, when the vocabulary has one (absent in files before 0.2: `<unk>`).
        public var vocabularyUnknown: String?
        /// How the run's dataset tokenises text (absent in files before 0.2).
        public var tokenLevel: TokenLevel?
        /// Model summary: sizes, cell, output layer (for compatibility checks and messages).
        public var model: [String: String]
        public var progress: TrainingProgress
        public var optimizerStep: Int
        /// The optimizer's named numbers besides its slots (averaged SGD's trigger and average
        /// counts); absent when it has none.
        public var optimizerValues: [String: Double]?
        public var schedule: [String: Double]
        /// The state of the generator that draws dropout masks, so that a resumed run draws the
        /// same masks as one left alone.
        public var rng: [UInt64]
        /// The state of the output layer's generator (NCE's noise samples), for layers that draw
        /// (absent for the others, and in files written before NCE).
        public var outputRng: [UInt64]?
        public var tensors: [TensorEntry]
        /// The absolute folder that the experiment's relative data paths resolved against, so
        /// that `--resume` finds the data from any working directory (nil in `best` files).
        public var dataRoot: String?
        /// Data rows of the run's CSV files (`metrics.csv`, `evals.csv`) when this state was
        /// saved: a resumed run drops the rows written after it (nil in `best` files).
        public var csvRows: [String: Int]?

        public init(kind: String, rnnlabVersion: String, config: String, vocabulary: Vocabulary, tokenLevel: TokenLevel, model: [String: String],
                    progress: TrainingProgress, optimizerStep: Int, schedule: [String: Double], rng: [UInt64],
                    outputRng: [UInt64]? = nil, tensors: [TensorEntry], dataRoot: String? = nil, csvRows: [String: Int]? = nil) {
            self.kind = kind
            self.rnnlabVersion = rnnlabVersion
            self.config = config
            self.vocabulary = vocabulary.tokens
            self.vocabularyCounts = vocabulary.counts
            self.vocabularyUnknown = vocabulary.unknownID.map { vocabulary.tokens[Int($0)] }
            self.tokenLevel = tokenLevel
            self.model = model
            self.progress = progress
            self.optimizerStep = optimizerStep
            self.schedule = schedule
            self.rng = rng
            self.outputRng = outputRng
            self.tensors = tensors
            self.dataRoot = dataRoot
            self.csvRows = csvRows
        }
    }

    public var header: Header

    /// The run's vocabulary: tokens, counts and unknown token, as the run built it.
    public var vocabulary: Vocabulary {
        Vocabulary(tokens: header.vocabulary, counts: header.vocabularyCounts, unknown: header.vocabularyUnknown ?? "<unk>")
    }
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

/// FNV-1a 64 of `bytes`: the checkpoint checksum.
func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
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
        out.reserveCapacity(out.count + offset * 4 + 8)
        for e in entries {
            tensors[e.name]!.withUnsafeBytes { raw in
                // Float32 little-endian: the in-memory layout on every platform rnnlab supports.
                out.append(contentsOf: raw)
            }
        }
        let sum = out.withUnsafeBytes { fnv1a($0) }
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
    ///
    /// Checks, in order: the signature, the format version, the length of the header, the
    /// checksum over the whole file, the header's JSON, and each tensor's shape, offset and
    /// count against the payload. Any failure is a `CheckpointError` saying what is wrong.
    public static func decode(_ bytes: [UInt8], path: String) throws(CheckpointError) -> Checkpoint {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason) }
        guard bytes.count >= 8, Array(bytes[0..<8]) == magic else {
            throw fail(bytes.isEmpty ? "the file is empty" : "it does not start with the rnnlab checkpoint signature")
        }
        guard bytes.count >= 20 else { throw fail("it is truncated (\(bytes.count) bytes, too short for a header)") }
        let version = readLE(UInt32.self, bytes, at: 8)
        guard version == formatVersion else {
            throw fail("it has format version \(version), and this rnnlab reads version \(formatVersion) only")
        }
        let headerLength = readLE(UInt64.self, bytes, at: 12)
        guard headerLength <= UInt64(bytes.count - 20) else {
            throw fail("it is truncated (\(bytes.count) bytes, shorter than its \(headerLength)-byte header)")
        }
        let headerEnd = 20 + Int(headerLength)
        let payloadStart = (headerEnd + 63) / 64 * 64
        guard payloadStart + 8 <= bytes.count else {
            throw fail("it is truncated (\(bytes.count) bytes, no room for the payload's checksum)")
        }
        let sum = bytes.withUnsafeBytes { fnv1a(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 8)])) }
        guard sum == readLE(UInt64.self, bytes, at: bytes.count - 8) else {
            throw fail("its checksum does not match (the file is damaged or incomplete)")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[20..<headerEnd]))
        } catch {
            throw fail("its header is damaged")
        }
        guard header.vocabularyCounts.count == header.vocabulary.count, header.vocabularyCounts.allSatisfy({ $0 >= 0 }) else {
            throw fail("its vocabulary has \(header.vocabulary.count) tokens but \(header.vocabularyCounts.count) counts, or a negative count")
        }
        if let unknown = header.vocabularyUnknown, !header.vocabulary.contains(unknown) {
            throw fail("its unknown token \"\(unknown)\" is not in its vocabulary")
        }
        let payloadElements = (bytes.count - 8 - payloadStart) / 4
        guard (bytes.count - 8 - payloadStart) % 4 == 0 else { throw fail("its payload is not a whole number of Float32 values") }
        var end = 0
        var tensors: [String: [Float]] = [:]
        for e in header.tensors {
            var elements = 1
            for d in e.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard d >= 0, !overflow else { throw fail("tensor \(e.name) has an impossible shape \(e.shape)") }
                elements = product
            }
            guard e.count == elements, e.offset >= 0, e.offset <= payloadElements, e.count <= payloadElements - e.offset else {
                throw fail("tensor \(e.name) (shape \(e.shape), offset \(e.offset), count \(e.count)) does not fit the \(payloadElements)-value payload")
            }
            guard tensors[e.name] == nil else { throw fail("it lists tensor \(e.name) twice") }
            end = max(end, e.offset + e.count)
            var values = [Float](repeating: 0, count: e.count)
            values.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[(payloadStart + e.offset * 4)..<(payloadStart + (e.offset + e.count) * 4)]))
                }
            }
            tensors[e.name] = values
        }
        guard end == payloadElements else { throw fail("it has \(payloadElements - end) values no tensor claims") }
        return Checkpoint(header: header, tensors: tensors)
    }
}

extension Checkpoint {
    /// Copies the tensors `prefix + name` of `checkpoint` into the model's parameters.
    public func copyParameters(into model: LanguageModel<Float>, prefix: String, path: String) throws {
        for p in model.parameters {
            guard let values = tensors[prefix + p.name] else {
                throw ExperimentError("\(path) does not match this model: it has no \(p.name)")
            }
            let shape = header.tensors.first { $0.name == prefix + p.name }?.shape ?? []
            guard values.count == p.count, shape == p.shape else {
                throw ExperimentError("\(path) does not match this model: \(p.name) is \(shape) there and \(p.shape) here")
            }
            values.withUnsafeBufferPointer { copyElements(from: $0.baseAddress!, to: p.value.data, count: p.count) }
        }
    }

}
