// CRC32C: the Castagnoli CRC-32 (polynomial 0x1EDC6F41, reflected 0x82F63B78) that TFRecord
// framing uses, and TensorFlow's "mask" of it. Table-driven, one byte at a time: event files
// are small, so speed does not matter here. It will not: use the CPU's crc32 instruction.

/// CRC-32C of byte sequences, as TFRecord files check them.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// The CRC-32C of `bytes` (crc32c("123456789") = 0xE3069283).
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TensorFlow's masked CRC: rotate right by 15 bits and add a constant, so that a CRC
    /// stored inside checksummed data does not make the outer checksum trivial.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
