// Event: the part of TensorFlow's `Event` protocol buffer (tensorflow/core/util/event.proto and
// framework/summary.proto) that scalar and text summaries need, encoded by hand.
//
// Why by hand and not with swift-protobuf: the messages used are five (Event, Summary,
// Summary.Value, SummaryMetadata with its PluginData, TensorProto with an empty shape) and about
// a dozen fields; their encoding, and the decoding of step and tags that a resumed run needs,
// take the ~160 lines of this file (the whole target, CRC and framing included, under 300).
// swift-protobuf would add a package dependency, generated code for event.proto, summary.proto,
// tensor.proto and their imports (thousands of lines, committed) and, to regenerate it, a protoc
// plugin build of about 9 minutes here. What is written is checked by TensorBoard's own reader
// (Tests/python) and byte for byte against hand-worked encodings (Tests/RNNTensorBoardTests).
// It will not: encode histograms, images, graphs, or any field not listed here.
//
// Field numbers (proto3):
//   Event:            wall_time = 1 (double), step = 2 (int64), file_version = 3 (string), summary = 5
//   Summary:          value = 1 (repeated Value)
//   Summary.Value:    tag = 1, simple_value = 2 (float), tensor = 8, metadata = 9
//   SummaryMetadata:  plugin_data = 1 (PluginData: plugin_name = 1, content = 2), data_class = 4
//   TensorProto:      dtype = 1 (DT_STRING = 7), tensor_shape = 2 (empty: a scalar), string_val = 8

/// One TensorBoard event: a file-version marker or a summary of values at a step.
public struct Event: Equatable, Sendable {
    /// What one summary value holds.
    public enum Value: Equatable, Sendable {
        /// A scalar (TensorBoard's Scalars dashboard).
        case scalar(Float)
        /// A string shown by the Text dashboard (rendered as Markdown).
        case text(String)
    }

    public var wallTime: Double
    public var step: Int64
    public var fileVersion: String?
    /// (tag, value) pairs.
    public var values: [(tag: String, value: Value)]

    public init(wallTime: Double, step: Int64, fileVersion: String? = nil, values: [(tag: String, value: Value)] = []) {
        self.wallTime = wallTime
        self.step = step
        self.fileVersion = fileVersion
        self.values = values
    }

    public static func == (a: Event, b: Event) -> Bool {
        a.wallTime == b.wallTime && a.step == b.step && a.fileVersion == b.fileVersion
            && a.values.map(\.tag) == b.values.map(\.tag) && a.values.map(\.value) == b.values.map(\.value)
    }

    /// The protocol-buffer encoding.
    public func encoded() -> [UInt8] {
        var out = ProtoWriter()
        out.double(1, wallTime)
        if step != 0 { out.varint(2, UInt64(bitPattern: step)) }
        if let fileVersion { out.bytes(3, Array(fileVersion.utf8)) }
        if !values.isEmpty {
            var summary = ProtoWriter()
            for (tag, value) in values {
                var v = ProtoWriter()
                v.bytes(1, Array(tag.utf8))
                switch value {
                case let .scalar(x):
                    v.float(2, x)
                case let .text(s):
                    var tensor = ProtoWriter()
                    tensor.varint(1, 7)                  // DT_STRING
                    tensor.bytes(2, [])                  // shape with no dimensions: a scalar
                    tensor.bytes(8, Array(s.utf8))
                    v.bytes(8, tensor.buffer)
                    var plugin = ProtoWriter()
                    plugin.bytes(1, Array("text".utf8))
                    var metadata = ProtoWriter()
                    metadata.bytes(1, plugin.buffer)
                    metadata.varint(4, 2)                // DATA_CLASS_TENSOR
                    v.bytes(9, metadata.buffer)
                }
                summary.bytes(1, v.buffer)
            }
            out.bytes(5, summary.buffer)
        }
        return out.buffer
    }

    /// The step and the summary tags of an encoded event (what a resumed run needs to know of
    /// the events a previous process wrote); nil when the bytes are not a well-formed message.
    public static func stepAndTags(of bytes: [UInt8]) -> (step: Int64, tags: [String])? {
        var step: Int64 = 0
        var tags: [String] = []
        var reader = ProtoReader(bytes[...])
        while let field = reader.next() {
            switch field {
            case let (2, .varint(v)): step = Int64(bitPattern: v)
            case let (5, .bytes(summary)):
                var s = ProtoReader(summary)
                while let value = s.next() {
                    guard case let (1, .bytes(v)) = value else { continue }
                    var r = ProtoReader(v)
                    while let f = r.next() { if case let (1, .bytes(tag)) = f { tags.append(String(decoding: tag, as: UTF8.self)) } }
                    if r.failed { return nil }
                }
                if s.failed { return nil }
            default: break
            }
        }
        return reader.failed ? nil : (step, tags)
    }
}

/// Protocol-buffer wire encoding of the few field kinds `Event` uses.
struct ProtoWriter {
    var buffer: [UInt8] = []

    mutating func rawVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { buffer.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        buffer.append(UInt8(v))
    }
    private mutating func key(_ field: Int, _ wireType: UInt64) { rawVarint(UInt64(field) << 3 | wireType) }
    mutating func varint(_ field: Int, _ v: UInt64) { key(field, 0); rawVarint(v) }
    mutating func double(_ field: Int, _ v: Double) { key(field, 1); buffer += TFRecord.littleEndian(v.bitPattern) }
    mutating func float(_ field: Int, _ v: Float) { key(field, 5); buffer += TFRecord.littleEndian(v.bitPattern) }
    mutating func bytes(_ field: Int, _ b: [UInt8]) { key(field, 2); rawVarint(UInt64(b.count)); buffer += b }
}

/// Protocol-buffer wire decoding: fields in order, with varint and length-delimited payloads
/// (fixed-width ones are skipped over). Stops, setting `failed`, at malformed input.
struct ProtoReader {
    enum Payload { case varint(UInt64), bytes(ArraySlice<UInt8>), fixed }
    private var rest: ArraySlice<UInt8>
    private(set) var failed = false

    init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

    private mutating func rawVarint() -> UInt64? {
        var v: UInt64 = 0, shift: UInt64 = 0
        while let b = rest.popFirst() {
            guard shift < 64 else { return nil }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
        return nil
    }

    mutating func next() -> (Int, Payload)? {
        guard !rest.isEmpty, !failed else { return nil }
        guard let key = rawVarint() else { failed = true; return nil }
        let field = Int(key >> 3)
        switch key & 7 {
        case 0:
            guard let v = rawVarint() else { failed = true; return nil }
            return (field, .varint(v))
        case 1, 5:
            let n = key & 7 == 1 ? 8 : 4
            guard rest.count >= n else { failed = true; return nil }
            rest = rest.dropFirst(n)
            return (field, .fixed)
        case 2:
            guard let n = rawVarint(), n <= UInt64(rest.count) else { failed = true; return nil }
            let payload = rest.prefix(Int(n))
            rest = rest.dropFirst(Int(n))
            return (field, .bytes(payload))
        default:
            failed = true
            return nil
        }
    }
}
