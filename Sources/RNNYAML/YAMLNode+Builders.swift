// Building YAMLNode values from Swift values and literals, e.g. for the resolved config that a
// run writes back out. Built nodes carry `SourceMark.built` unless a mark is given.
//
// Not a Codable encoder: only the scalar types configs use, sequences and ordered mappings.

extension YAMLNode {
    /// The null node.
    public static func null(mark: SourceMark = .built) -> YAMLNode { YAMLNode(kind: .null, mark: mark) }

    /// A plain integer scalar.
    public init(_ value: Int, mark: SourceMark = .built) {
        self.init(kind: .scalar(String(value), .plain), mark: mark)
    }

    /// A plain float scalar written so that it parses back to the same Double (shortest digits,
    /// `.inf`, `-.inf`, `.nan`; whole numbers keep `.0` so they stay floats).
    public init(_ value: Double, mark: SourceMark = .built) {
        self.init(kind: .scalar(YAMLScalarValue.canonicalText(value), .plain), mark: mark)
    }

    /// A plain `true` or `false`.
    public init(_ value: Bool, mark: SourceMark = .built) {
        self.init(kind: .scalar(value ? "true" : "false", .plain), mark: mark)
    }

    /// A string scalar; it stays a string whatever its text (the emitter quotes it when needed).
    public init(_ value: String, mark: SourceMark = .built) {
        self.init(kind: .scalar(value, .quoted), mark: mark)
    }

    /// A sequence.
    public init(_ items: [YAMLNode], mark: SourceMark = .built) {
        self.init(kind: .sequence(items), mark: mark)
    }

    /// A mapping in the order written: `YAMLNode(["a": 1, "b": [2, 3]])`.
    /// - Precondition: keys are unique.
    public init(_ pairs: KeyValuePairs<String, YAMLNode>, mark: SourceMark = .built) {
        self.init(pairs: pairs.map { ($0.key, $0.value) }, mark: mark)
    }

    /// A mapping from ordered pairs; every key gets the mapping's mark.
    /// - Precondition: keys are unique.
    public init(pairs: [(String, YAMLNode)], mark: SourceMark = .built) {
        var seen = Set<String>()
        for (key, _) in pairs {
            precondition(seen.insert(key).inserted, "YAMLNode(pairs:): duplicate key \"\(key)\"")
        }
        self.init(kind: .mapping(pairs.map { Entry(key: $0.0, value: $0.1, keyMark: mark) }), mark: mark)
    }
}

extension YAMLNode: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self.init(kind: .null, mark: .built) }
}

extension YAMLNode: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self.init(value) }
}

extension YAMLNode: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension YAMLNode: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self.init(value) }
}

extension YAMLNode: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}

extension YAMLNode: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: YAMLNode...) { self.init(elements) }
}

extension YAMLNode: ExpressibleByDictionaryLiteral {
    /// An ordered mapping literal. - Precondition: keys are unique.
    public init(dictionaryLiteral elements: (String, YAMLNode)...) { self.init(pairs: elements) }
}
