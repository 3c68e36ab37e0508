// YAMLEventParser: builds one YAMLNode from libyaml's event stream (yaml_parser_parse).
//
// It expands aliases, applies `<<` merge keys, rejects duplicate keys and collection keys, and
// enforces the hostile-input limits (nesting depth, alias expansion). It does not read files, check
// the size cap or validate UTF-8: YAMLDocument does that before calling it.
import CYAML

struct YAMLEventParser {
    let file: String
    let limits: YAMLDocument.Limits
    /// Added to columns on line 1 (an override's value starts after `key.path=`).
    let firstLineColumnOffset: Int
    let source: SourceText
    /// Line and column just past the last character.
    private let sourceEnd: (line: Int, column: Int)

    private struct Anchored {
        var node: YAMLNode
        /// Nodes in the subtree, charged against the alias-expansion limit on every use.
        var count: Int
    }

    private enum MappingItem {
        case entry(YAMLNode.Entry)
        /// The mappings named by a `<<` key, in priority order.
        case merge([[YAMLNode.Entry]])
    }

    private struct PendingKey {
        var text: String
        var mark: SourceMark
        var isMerge: Bool
    }

    /// An open collection. A class so that appending to its items never copies them.
    private final class Frame {
        let isSequence: Bool
        let mark: SourceMark
        let anchor: String?
        var items: [YAMLNode] = []
        var mappingItems: [MappingItem] = []
        var pending: PendingKey?
        var seen: [String: SourceMark] = [:]
        /// Nodes in the subtree so far (keys included), for anchors' expansion cost.
        var count = 1

        init(isSequence: Bool, mark: SourceMark, anchor: String?) {
            self.isSequence = isSequence
            self.mark = mark
            self.anchor = anchor
        }
    }

    private var anchors: [String: Anchored] = [:]
    private var expandedByAliases = 0
    private var stack: [Frame] = []
    private var root: YAMLNode?
    private var documents = 0

    init(file: String, limits: YAMLDocument.Limits, firstLineColumnOffset: Int, source: SourceText) {
        self.file = file
        self.limits = limits
        self.firstLineColumnOffset = firstLineColumnOffset
        self.source = source
        self.sourceEnd = source.position(ofByte: source.bytes.count)
    }

    /// Parses the whole source; `.null` at 1:1 when it holds no document.
    mutating func run() throws(YAMLError) -> YAMLNode {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            throw YAMLError(mark: position(line: 1, column: 1), message: "libyaml could not be initialised (out of memory).")
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = source.bytes
        return try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLError) -> YAMLNode in
            // libyaml only reads the buffer; an empty buffer still needs a valid pointer.
            var empty: UInt8 = 0
            if let base = buffer.baseAddress {
                yaml_parser_set_input_string(&parser, base, buffer.count)
            } else {
                yaml_parser_set_input_string(&parser, &empty, 0)
            }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) != 0 else { throw libyamlError(parser) }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try handle(event)
            }
            return root ?? YAMLNode(kind: .null, mark: position(line: 1, column: 1))
        }
    }

    // MARK: - Events

    private mutating func handle(_ event: yaml_event_t) throws(YAMLError) {
        let start = mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(mark: start, message: "a second YAML document starts here, but a config file must hold exactly one; remove the extra '---'.")
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text = string(s.value, length: s.length)
            let tag = s.tag.map { String(cString: $0) }
            let style: YAMLScalarStyle
            switch tag {
            case nil: style = s.style == YAML_PLAIN_SCALAR_STYLE ? .plain : .quoted
            case "!", "tag:yaml.org,2002:str": style = .quoted
            case let other?: throw unsupportedTag(other, at: start)
            }
            if expectingKey {
                try acceptKey(text, isMerge: style == .plain && text == "<<", at: start)
            } else {
                let isNull = style == .plain && YAMLScalarValue.isNull(text)
                let node = YAMLNode(kind: isNull ? .null : .scalar(text, style), mark: start)
                try finish(node, count: 1, anchor: s.anchor.map { String(cString: $0) })
            }
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            guard let target = anchors[name] else {
                throw YAMLError(mark: start, message: "the alias *\(name) refers to an anchor &\(name) that is not defined before it.")
            }
            expandedByAliases += target.count
            if expandedByAliases > limits.maxAliasExpansion {
                throw YAMLError(mark: start, message: "aliases expand to more than \(limits.maxAliasExpansion) nodes, which looks like an alias bomb (\"billion laughs\"); refusing to expand them.")
            }
            if expectingKey {
                switch target.node.kind {
                case .null: try acceptKey("null", isMerge: false, at: start)
                case let .scalar(text, _): try acceptKey(text, isMerge: false, at: start)
                case .sequence, .mapping: throw collectionKey(at: start)
                }
            } else {
                var node = target.node
                node.mark = start
                try finish(node, count: target.count, anchor: nil)
            }
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if expectingKey { throw collectionKey(at: start) }
            if stack.count + 1 > limits.maxDepth {
                throw YAMLError(mark: start, message: "the structure is nested more than \(limits.maxDepth) levels deep, which no config needs; flatten it.")
            }
            let isSequence = event.type == YAML_SEQUENCE_START_EVENT
            let rawTag = isSequence ? event.data.sequence_start.tag : event.data.mapping_start.tag
            let anchorPointer = isSequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
            if let tag = rawTag.map({ String(cString: $0) }), tag != "!",
               tag != (isSequence ? "tag:yaml.org,2002:seq" : "tag:yaml.org,2002:map") {
                throw unsupportedTag(tag, at: start)
            }
            let anchor = anchorPointer.map { String(cString: $0) }
            stack.append(Frame(isSequence: isSequence, mark: start, anchor: anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let kind: YAMLNode.Kind = frame.isSequence ? .sequence(frame.items) : .mapping(Self.applyMerges(frame.mappingItems))
            try finish(YAMLNode(kind: kind, mark: frame.mark), count: frame.count, anchor: frame.anchor)
        default:
            break  // stream start, document end
        }
    }

    /// True when the next node completes a key of the innermost mapping.
    private var expectingKey: Bool {
        guard let top = stack.last, !top.isSequence else { return false }
        return top.pending == nil
    }

    private mutating func acceptKey(_ text: String, isMerge: Bool, at mark: SourceMark) throws(YAMLError) {
        guard let top = stack.last, !top.isSequence else { preconditionFailure("acceptKey called outside a mapping") }
        if let first = top.seen[text] {
            throw YAMLError(mark: mark, message: "duplicate key \"\(text)\" on line \(mark.line); it is already defined on line \(first.line) of the same mapping.")
        }
        top.seen[text] = mark
        top.pending = PendingKey(text: text, mark: mark, isMerge: isMerge)
        top.count += 1
    }

    /// Records a completed node: registers its anchor, then attaches it to its parent (or as root).
    private mutating func finish(_ node: YAMLNode, count: Int, anchor: String?) throws(YAMLError) {
        if let anchor { anchors[anchor] = Anchored(node: node, count: count) }
        guard let parent = stack.last else {
            root = node
            return
        }
        parent.count += count
        if parent.isSequence {
            parent.items.append(node)
            return
        }
        guard let pending = parent.pending else { preconditionFailure("a value arrived where a key was expected") }
        parent.pending = nil
        if pending.isMerge {
            parent.mappingItems.append(.merge(try mergeSources(node)))
        } else {
            parent.mappingItems.append(.entry(YAMLNode.Entry(key: pending.text, value: node, keyMark: pending.mark)))
        }
    }

    private func mergeSources(_ value: YAMLNode) throws(YAMLError) -> [[YAMLNode.Entry]] {
        func problem(_ node: YAMLNode) -> YAMLError {
            YAMLError(mark: node.mark, message: "the value of a '<<' merge key must be a mapping or a sequence of mappings, not \(node.valueDescription).")
        }
        switch value.kind {
        case let .mapping(entries):
            return [entries]
        case let .sequence(items):
            var sources: [[YAMLNode.Entry]] = []
            for item in items {
                guard let entries = item.mapping else { throw problem(item) }
                sources.append(entries)
            }
            return sources
        default:
            throw problem(value)
        }
    }

    /// Explicit keys win over merged ones; among merged mappings the earlier one wins. Merged keys
    /// take the place of the `<<` key.
    private static func applyMerges(_ items: [MappingItem]) -> [YAMLNode.Entry] {
        var explicit = Set<String>()
        var hasMerge = false
        for item in items {
            switch item {
            case let .entry(e): explicit.insert(e.key)
            case .merge: hasMerge = true
            }
        }
        var result: [YAMLNode.Entry] = []
        result.reserveCapacity(items.count)
        guard hasMerge else {
            for case let .entry(e) in items { result.append(e) }
            return result
        }
        var present = explicit
        for item in items {
            switch item {
            case let .entry(e):
                result.append(e)
            case let .merge(sources):
                for source in sources {
                    for e in source where !present.contains(e.key) {
                        present.insert(e.key)
                        result.append(e)
                    }
                }
            }
        }
        return result
    }

    // MARK: - Errors and marks

    private func collectionKey(at mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "a mapping key must be a single value, not a sequence or mapping.")
    }

    private func unsupportedTag(_ tag: String, at mark: SourceMark) -> YAMLError {
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        return YAMLError(mark: mark, message: "the tag \(shown) is not supported; write the value without a tag (or use !!str for text).")
    }

    private func libyamlError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_READER_ERROR:
            let p = source.position(ofByte: parser.problem_offset)
            return YAMLError(mark: position(line: p.line, column: p.column),
                             message: YAMLSyntaxMessages.reader(problem: problem, value: parser.problem_value))
        case YAML_MEMORY_ERROR:
            return YAMLError(mark: position(line: 1, column: 1), message: "libyaml ran out of memory while parsing.")
        default:
            let at = parser.problem_mark
            let character = source.scalar(line: at.line + 1, column: at.column + 1)
            let context = parser.context.map { String(cString: $0) }
            let message = YAMLSyntaxMessages.syntax(problem: problem, context: context,
                                                    contextLine: parser.context_mark.line + 1, character: character)
            return YAMLError(mark: mark(at), message: message)
        }
    }

    private func mark(_ m: yaml_mark_t) -> SourceMark {
        // At the end of a source without a final line break libyaml pretends there is one and
        // reports the (nonexistent) next line; point just past the last character instead.
        if m.line + 1 > sourceEnd.line, source.bytes.last.map({ $0 != 0x0A && $0 != 0x0D }) ?? false {
            return position(line: sourceEnd.line, column: sourceEnd.column)
        }
        return position(line: m.line + 1, column: m.column + 1)
    }

    private func position(line: Int, column: Int) -> SourceMark {
        SourceMark(file: file, line: line, column: column + (line == 1 ? firstLineColumnOffset : 0))
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
