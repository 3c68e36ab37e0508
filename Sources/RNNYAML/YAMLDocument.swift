// YAMLDocument: the entry point that turns a YAML file, bytes or string into one YAMLNode.
//
// Checks the size cap and UTF-8 before libyaml sees the bytes, then builds the tree from libyaml's
// event API (YAMLEventParser). It accepts exactly one document; it does not interpret configs.
import Foundation

/// Reads one YAML document into a `YAMLNode`.
///
/// Every failure is a `YAMLError` with the source's display name, line and column:
/// syntax errors (in plain English where libyaml's wording is cryptic, e.g. tabs used for
/// indentation), bytes that are not UTF-8 (with their position), a second document, unknown
/// aliases, duplicate keys, bad merge keys, unsupported tags, and input that exceeds `Limits`.
/// An empty (or comment-only) source is not an error: it yields a `.null` node at line 1, column 1,
/// and the caller decides what that means. No input makes it crash.
public enum YAMLDocument {
    /// Caps that keep hostile input from using unbounded time or memory.
    public struct Limits: Sendable, Equatable {
        /// Largest accepted source, in bytes.
        public var maxBytes: Int
        /// Deepest accepted nesting of sequences and mappings.
        public var maxDepth: Int
        /// Most nodes that aliases may expand to in total (each use of an alias counts the nodes
        /// of the anchored value), which stops "billion laughs" documents.
        public var maxAliasExpansion: Int

        public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxAliasExpansion: Int = 100_000) {
            precondition(maxBytes >= 0 && maxDepth >= 1 && maxAliasExpansion >= 0, "YAMLDocument.Limits: invalid limits")
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxAliasExpansion = maxAliasExpansion
        }

        /// 1 MiB, 64 levels, 100 000 alias-expanded nodes.
        public static let `default` = Limits()
    }

    /// Parses UTF-8 bytes.
    /// - Parameter file: the display name used in marks and errors (e.g. the path as given).
    public static func parse(_ bytes: [UInt8], file: String, limits: Limits = .default) throws(YAMLError) -> YAMLNode {
        try parse(bytes, file: file, limits: limits, firstLineColumnOffset: 0)
    }

    /// Parses UTF-8 data.
    public static func parse(_ data: Data, file: String, limits: Limits = .default) throws(YAMLError) -> YAMLNode {
        try parse([UInt8](data), file: file, limits: limits)
    }

    /// Parses a string (its UTF-8 encoding).
    public static func parse(_ text: String, file: String, limits: Limits = .default) throws(YAMLError) -> YAMLNode {
        try parse(Array(text.utf8), file: file, limits: limits)
    }

    /// Reads and parses the file at `path`.
    /// - Parameter displayName: the name used in marks and errors; defaults to `path` as given.
    public static func load(path: String, displayName: String? = nil, limits: Limits = .default) throws(YAMLError) -> YAMLNode {
        let name = displayName ?? path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw YAMLError(mark: .wholeFile(name), message: "the file does not exist.")
        }
        if isDirectory.boolValue {
            throw YAMLError(mark: .wholeFile(name), message: "this is a directory, not a YAML file.")
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limits.maxBytes {
            throw tooLarge(size, file: name, limits: limits)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw YAMLError(mark: .wholeFile(name), message: "the file cannot be opened for reading.")
        }
        defer { try? handle.close() }
        // Read at most one byte past the cap, so a file that grew after the size check still fails cleanly.
        let data: Data
        do {
            data = try handle.read(upToCount: limits.maxBytes + 1) ?? Data()
        } catch {
            throw YAMLError(mark: .wholeFile(name), message: "the file cannot be read (\(error.localizedDescription)).")
        }
        return try parse([UInt8](data), file: name, limits: limits)
    }

    static func parse(_ bytes: [UInt8], file: String, limits: Limits, firstLineColumnOffset: Int) throws(YAMLError) -> YAMLNode {
        if bytes.count > limits.maxBytes { throw tooLarge(bytes.count, file: file, limits: limits) }
        let source = SourceText(bytes: bytes)
        if let bad = source.firstInvalidUTF8Offset() {
            let p = source.position(ofByte: bad)
            let hex = String(bytes[bad], radix: 16, uppercase: true)
            throw YAMLError(
                mark: SourceMark(file: file, line: p.line, column: p.column + (p.line == 1 ? firstLineColumnOffset : 0)),
                message: "the text is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex) does not start a valid character here); save the file as UTF-8.")
        }
        var parser = YAMLEventParser(file: file, limits: limits, firstLineColumnOffset: firstLineColumnOffset, source: source)
        return try parser.run()
    }

    private static func tooLarge(_ size: Int, file: String, limits: Limits) -> YAMLError {
        YAMLError(mark: .wholeFile(file),
                  message: "the file is larger than the \(describeBytes(limits.maxBytes)) limit for YAML configs (\(size) bytes).")
    }

    private static func describeBytes(_ n: Int) -> String {
        if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n)-byte"
    }
}
