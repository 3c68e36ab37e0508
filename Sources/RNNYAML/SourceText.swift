// SourceText: the raw bytes of a YAML source and the position arithmetic error messages need —
// UTF-8 validation with the offending position, byte offset → line/column, and the character at a
// libyaml mark.
//
// Positions follow libyaml's rules (line breaks are LF, CR LF, CR, NEL, LS and PS; a leading BOM is
// not a column; columns count Unicode scalars), so marks from libyaml and from here agree.
// This file does not parse YAML.

struct SourceText {
    let bytes: [UInt8]

    /// Byte offset of the first byte that is not part of valid UTF-8 (RFC 3629: no overlong forms,
    /// no surrogates, nothing above U+10FFFF), or nil when all of `bytes` is valid.
    func firstInvalidUTF8Offset() -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            guard bytes[i + 1] >= low, bytes[i + 1] <= high else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// 1-based line and column of `offset`, valid when the bytes before `offset` are valid UTF-8.
    func position(ofByte offset: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1
        var i = hasBOM ? 3 : 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == 0x0A {
                line += 1; column = 1; i += 1
            } else if b == 0x0D {
                i += (i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
                line += 1; column = 1
            } else if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0x85 {
                line += 1; column = 1; i += 2
            } else if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                line += 1; column = 1; i += 3
            } else {
                column += 1
                i += scalarLength(b)
            }
        }
        return (line, column)
    }

    /// The Unicode scalar at a 1-based line and column, or nil past the end of that line.
    func scalar(line: Int, column: Int) -> Unicode.Scalar? {
        var current = 1, col = 1
        var it = String(decoding: hasBOM ? Array(bytes.dropFirst(3)) : bytes, as: UTF8.self).unicodeScalars.makeIterator()
        var pendingCR = false
        while let s = it.next() {
            if pendingCR {
                pendingCR = false
                if s == "\n" { continue }
            }
            if current == line && col == column { return isBreak(s) ? nil : s }
            if isBreak(s) {
                if current == line { return nil }
                current += 1; col = 1
                pendingCR = s == "\r"
            } else {
                col += 1
            }
        }
        return nil
    }

    private var hasBOM: Bool { bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF }

    private func isBreak(_ s: Unicode.Scalar) -> Bool {
        s == "\n" || s == "\r" || s == "\u{85}" || s == "\u{2028}" || s == "\u{2029}"
    }

    private func scalarLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: return 4
        case 0xE0...: return 3
        case 0xC0...: return 2
        default: return 1
        }
    }
}
