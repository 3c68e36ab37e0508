// TFRecord framing: the container of TensorBoard event files. Each record is
//   uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data
// It will not: compress (TensorBoard reads uncompressed event files).

/// Frames and unframes TFRecord records.
public enum TFRecord {
    /// `data` framed as one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = littleEndian(UInt64(data.count))
        out += length
        out += littleEndian(CRC32C.masked(CRC32C.checksum(length)))
        out += data
        out += littleEndian(CRC32C.masked(CRC32C.checksum(data)))
        return out
    }

    /// The records of a file's bytes, in order, up to the first record that is incomplete or
    /// fails its checksums (a write cut short by a kill); `validLength` is the byte count of
    /// the good records, and `damaged` whether anything followed them.
    public static func records(in bytes: [UInt8]) -> (records: [[UInt8]], validLength: Int, damaged: Bool) {
        var records: [[UInt8]] = []
        var at = 0
        while at + 12 <= bytes.count {
            let lengthBytes = bytes[at..<at + 8]
            guard readUInt32(bytes, at + 8) == CRC32C.masked(CRC32C.checksum(lengthBytes)) else { break }
            let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard length <= UInt64(bytes.count - at - 16) else { break }
            let start = at + 12, end = start + Int(length)
            guard readUInt32(bytes, end) == CRC32C.masked(CRC32C.checksum(bytes[start..<end])) else { break }
            records.append(Array(bytes[start..<end]))
            at = end + 4
        }
        return (records, at, at != bytes.count)
    }

    private static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
