// YAMLNode: one parsed (or built) YAML value with the source mark of every node and mapping key.
//
// A value type: mappings keep their keys in document order, aliases are already expanded and merge
// keys already applied, so consumers never see anchors. It does not parse (YAMLDocument), emit
// (YAMLNode+Emit) or decode configs (the experiments layer does, tracking keys with MappingReader).

/// How a scalar was written: plain scalars are resolved by the core schema, all others are strings.
public enum YAMLScalarStyle: Sendable, Hashable {
    /// Unquoted.
    case plain
    /// Any other style: single- or double-quoted, literal (`|`) or folded (`>`) block scalar, or
    /// tagged `!!str` / `!`.
    case quoted
}

/// A YAML value: null, scalar, sequence or mapping, with where it came from.
///
/// Equality (`==`) is structural and ignores marks and scalar spelling: two scalars are equal when
/// they resolve to the same `YAMLScalarValue` (so plain `abc` equals quoted `"abc"`, and `0x10`
/// equals `16`, but `"1"` does not equal `1`); a `.null` node equals a plain `~`. Mappings compare
/// entries in order.
public struct YAMLNode: Sendable, Equatable, CustomStringConvertible {
    /// One key/value pair of a mapping. Keys are strings: a non-string scalar key is kept as its text.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: YAMLNode
        /// Where the key was written (for "unknown key" errors).
        public var keyMark: SourceMark

        public init(key: String, value: YAMLNode, keyMark: SourceMark) {
            self.key = key
            self.value = value
            self.keyMark = keyMark
        }

        /// Entries are equal when keys and values are; marks are ignored.
        public static func == (a: Entry, b: Entry) -> Bool { a.key == b.key && a.value == b.value }
    }

    /// The shape of a node.
    public enum Kind: Sendable {
        /// An explicit or empty null. The parser turns plain `~`, `null` and empty scalars into this.
        case null
        /// A scalar's text as written (after quote and escape processing) and its style.
        case scalar(String, YAMLScalarStyle)
        case sequence([YAMLNode])
        /// Entries in document order; keys are unique.
        case mapping([Entry])
    }

    public var kind: Kind
    /// Where the node starts in its source.
    public var mark: SourceMark

    public init(kind: Kind, mark: SourceMark) {
        self.kind = kind
        self.mark = mark
    }

    // MARK: - Structure

    /// True for `.null` and for plain scalars that resolve to null.
    public var isNull: Bool {
        if case .null = resolvedScalar { return true }
        return false
    }

    /// The text of a scalar as written; nil for null, sequences and mappings.
    public var scalarText: String? {
        if case let .scalar(text, _) = kind { return text }
        return nil
    }

    /// The items of a sequence; nil for anything else.
    public var sequence: [YAMLNode]? {
        if case let .sequence(items) = kind { return items }
        return nil
    }

    /// The entries of a mapping; nil for anything else.
    public var mapping: [Entry]? {
        if case let .mapping(entries) = kind { return entries }
        return nil
    }

    /// The value under `key` of a mapping; nil when absent or when this is not a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first(where: { $0.key == key })?.value
    }

    // MARK: - Scalar values

    /// What a null or scalar node means under the core schema; nil for sequences and mappings.
    public var resolvedScalar: YAMLScalarValue? {
        switch kind {
        case .null: return .null
        case let .scalar(text, style): return YAMLScalarValue.resolve(text, plain: style == .plain)
        case .sequence, .mapping: return nil
        }
    }

    /// The boolean of a plain `true`/`false` (any case); nil otherwise.
    public var bool: Bool? {
        if case let .bool(b)? = resolvedScalar { return b }
        return nil
    }

    /// The integer of a plain integer literal; nil otherwise, including literals too large for `Int`
    /// (config decoding reports those as out of range).
    public var int: Int? {
        if case let .int(i)? = resolvedScalar { return i }
        return nil
    }

    /// The number of a plain float or integer literal (integers convert, also when too large for
    /// `Int`); nil otherwise.
    public var double: Double? {
        switch resolvedScalar {
        case let .double(d)?: return d
        case let .int(i)?: return Double(i)
        case let .oversizedInt(text)?: return YAMLScalarValue.integerAsDouble(text)
        default: return nil
        }
    }

    /// The text of a scalar that resolves to a string (any quoted scalar, or a plain one that is not
    /// null, bool or a number); nil otherwise.
    public var string: String? {
        if case let .string(s)? = resolvedScalar { return s }
        return nil
    }

    // MARK: - Messages

    /// How the value reads in an error message: strings in double quotes (`"fast"`), other scalars
    /// as written (`0`, `1e-3`, `true`, `null`), collections as `a sequence` / `a mapping`.
    public var valueDescription: String {
        switch kind {
        case .null: return "null"
        case let .scalar(text, style):
            switch YAMLScalarValue.resolve(text, plain: style == .plain) {
            case .null: return "null"
            case let .string(s): return "\"" + s + "\""
            default: return text
            }
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        }
    }

    /// The node as block YAML (same as `emit()`).
    public var description: String { emit() }

    public static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        switch (a.kind, b.kind) {
        case let (.sequence(x), .sequence(y)): return x == y
        case let (.mapping(x), .mapping(y)): return x == y
        case (.sequence, _), (.mapping, _), (_, .sequence), (_, .mapping): return false
        default: return a.resolvedScalar == b.resolvedScalar
        }
    }
}
