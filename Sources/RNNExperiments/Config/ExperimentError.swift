// ExperimentError: the one error value for everything a user can fix — a bad key or value, a
// missing file, an unusable corpus, a run folder that cannot be resumed — rendered in one place.
//
// It carries where the problem is (a file, with line:column when known), the key path, the bad
// value and the sentence saying what is wrong and what is valid, as separate fields: nothing
// downstream inspects or re-assembles its text. Lower layers throw their own typed errors
// (CorpusError, ModelError, ConfigError…); the experiments layer turns them into this value at
// the point where it knows the file and key path.

import RNNYAML

/// A problem with an experiment, its data or its run folder that the user can fix.
///
/// `description` is one sentence, `<where>: <key path>: <message>`, where `<where>` is
/// `file:line:column`, just `file`, or absent, and `<key path>` is absent when the problem is not
/// about one key. Examples:
///
///     exp.yaml:7:16: model.hidden_size: 0 is out of range; expected an integer ≥ 1
///     exp.yaml: data.train: the file ptb.train.txt does not exist
///     results/x/run1 is in use by another rnnlab process; wait for it to end or stop it first
public struct ExperimentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the command stopped: an input to fix, or a stop asked for before anything was written.
    public enum Kind: Sendable, Equatable {
        case input
        case stoppedBeforeTraining
    }

    public var kind: Kind
    /// The file (and position, when known) the problem is in; nil when the message names its subject.
    public var mark: SourceMark?
    /// The dotted key path, e.g. `model.hidden_size`; nil when the problem is not about one key.
    public var keyPath: String?
    /// The offending value as written, when there is one (for tests and tools; the message shows it too).
    public var value: String?
    /// What is wrong and what would be valid.
    public var message: String

    public init(_ message: String, mark: SourceMark? = nil, keyPath: String? = nil, value: String? = nil) {
        self.kind = .input
        self.mark = mark
        self.keyPath = keyPath
        self.value = value
        self.message = message
    }

    /// A problem about the whole of `file` (no line or column), optionally at `keyPath`.
    public init(_ message: String, file: String, keyPath: String? = nil, value: String? = nil) {
        self.init(message, mark: .wholeFile(file), keyPath: keyPath, value: value)
    }

    /// A config error found while decoding YAML: same position, key path and value.
    public init(_ error: ConfigError) {
        self.init(error.message, mark: error.mark, keyPath: error.keyPath.isEmpty ? nil : error.keyPath, value: error.value)
    }

    /// A stop (a signal) was asked for while the data loaded; nothing was written.
    public static let stoppedBeforeTraining: ExperimentError = {
        var e = ExperimentError("stopped before training started; nothing was written")
        e.kind = .stoppedBeforeTraining
        return e
    }()

    /// The same error, placed in `file` when it has no place yet (factories know the key path
    /// they check, not the file it came from): at its key path's line and column when `marks`
    /// knows them.
    public func located(in file: String, marks: SourceMarks = SourceMarks()) -> ExperimentError {
        var e = self
        let wholeFile = mark.map { $0.line == 0 && $0.file == file } ?? true
        guard wholeFile else { return self }
        e.mark = keyPath.flatMap(marks.mark(for:)) ?? mark ?? .wholeFile(file)
        return e
    }

    /// The same error under `keyPath` when it names none yet.
    public func at(_ keyPath: String) -> ExperimentError {
        guard self.keyPath == nil else { return self }
        var e = self
        e.keyPath = keyPath
        return e
    }

    public var description: String {
        var parts: [String] = []
        if let mark { parts.append(mark.description) }
        if let keyPath, !keyPath.isEmpty { parts.append(keyPath) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

extension ExperimentError {
    /// Any error as an ExperimentError: a ConfigError keeps its fields, another error becomes its message.
    public init(wrapping error: any Error) {
        switch error {
        case let e as ExperimentError: self = e
        case let e as ConfigError: self.init(e)
        default: self.init("\(error)")
        }
    }

    /// `unknown <kind> "<name>"; did you mean x? (valid: a, b)`: the one wording of an unknown
    /// name among registered or valid ones.
    public static func unknownName(_ name: String, kind: String, valid: [String], mark: SourceMark? = nil, keyPath: String? = nil) -> ExperimentError {
        ExperimentError("unknown \(kind) \"\(name)\"" + ConfigError.suggestionTail(name, valid: valid, none: "; none is registered"),
                        mark: mark, keyPath: keyPath, value: name)
    }
}
