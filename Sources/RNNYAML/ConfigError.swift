// ConfigError: a YAML value that is well-formed but wrong for the config — wrong type, out of range,
// unknown or missing key, bad override — reported as one sentence with its position and key path.
//
// The factories below fix the wording so every layer phrases the same mistake the same way.
// This file does not decide what is valid; the experiments layer and the registry do.

/// A config value that does not fit what the program expects.
///
/// `description` is always one sentence of the form
///
///     <file>:<line>:<column>: <key path>: <message>
///
/// where `<message>` names the bad value (strings in double quotes, numbers as written) and what
/// would be valid, and ends with a period, or — when listing valid keys or choices after a
/// suggestion — with that parenthesised list. Examples:
///
///     exp.yaml:7:16: model.hidden_size: 0 is out of range; expected an integer ≥ 1.
///     exp.yaml:6:3: model.hiden_size: unknown key; did you mean hidden_size? (valid: activation, bias, cell, hidden_size)
///     exp.yaml:9:10: training.lr: expected a number, got "fast".
///     exp.yaml:2:3: model.hidden_size: missing required key.
///     exp.yaml:4:7: training.optimizer: "adamw" is not a valid choice; did you mean adam? (valid: adam, sgd)
///
/// The mark is the bad value's position, or the key's for unknown keys, or the enclosing
/// mapping's for missing keys. An empty key path (the document root) is left out together with
/// its colon; a whole-file mark renders as just the file name.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var mark: SourceMark
    /// Dotted path with sequence indices, e.g. `model.hidden_size` or `data.splits[1]`; "" for the root.
    public var keyPath: String
    /// The offending value as shown in the message (`0`, `"fast"`, `a mapping`), if there is one.
    public var value: String?
    /// The sentence after the key path, ending with a period (or a parenthesised list).
    public var message: String

    public init(mark: SourceMark, keyPath: String, value: String?, message: String) {
        self.mark = mark
        self.keyPath = keyPath
        self.value = value
        self.message = message
    }

    public var file: String { mark.file }
    public var line: Int { mark.line }
    public var column: Int { mark.column }

    public var description: String {
        keyPath.isEmpty ? "\(mark): \(message)" : "\(mark): \(keyPath): \(message)"
    }

    // MARK: - The standard sentences

    /// `expected <expectation>, got <value>.`
    public static func typeMismatch(_ node: YAMLNode, keyPath: String, expected: String) -> ConfigError {
        let got = node.valueDescription
        return ConfigError(mark: node.mark, keyPath: keyPath, value: got, message: "expected \(expected), got \(got).")
    }

    /// `<value> is out of range; expected <expectation>.`
    public static func outOfRange(_ node: YAMLNode, keyPath: String, expected: String) -> ConfigError {
        let got = node.valueDescription
        return ConfigError(mark: node.mark, keyPath: keyPath, value: got, message: "\(got) is out of range; expected \(expected).")
    }

    /// `missing required key.` at the mark of the mapping that should contain it.
    public static func missingKey(keyPath: String, in mapping: SourceMark) -> ConfigError {
        ConfigError(mark: mapping, keyPath: keyPath, value: nil, message: "missing required key.")
    }

    /// `unknown key; did you mean <s>? (valid: …)`, or `unknown key (valid: …)` without a
    /// suggestion, or `unknown key; this mapping takes no keys.`.
    public static func unknownKey(_ key: String, keyPath: String, at mark: SourceMark, validKeys: [String]) -> ConfigError {
        ConfigError(mark: mark, keyPath: keyPath, value: key,
                    message: "unknown key" + suggestionTail(key, valid: validKeys, none: "; this mapping takes no keys."))
    }

    /// `"<value>" is not a valid choice; did you mean <s>? (valid: …)`, or without a suggestion
    /// `"<value>" is not a valid choice (valid: …)`
    public static func invalidChoice(_ node: YAMLNode, keyPath: String, choices: [String]) -> ConfigError {
        let got = node.valueDescription
        let word = node.string ?? node.scalarText ?? ""
        return ConfigError(mark: node.mark, keyPath: keyPath, value: got,
                           message: "\(got) is not a valid choice" + suggestionTail(word, valid: choices, none: "; there are no choices."))
    }

    /// The part after "unknown key" / "is not a valid choice" / "unknown optimizer \"x\"": a
    /// suggestion and the sorted list, or `none` when nothing is valid. The one did-you-mean
    /// format of every rnnlab message: `; did you mean adam? (valid: adagrad, adam, sgd)`.
    public static func suggestionTail(_ word: String, valid: [String], none: String) -> String {
        guard !valid.isEmpty else { return none }
        let list = valid.sorted().joined(separator: ", ")
        if let suggestion = didYouMean(word, among: valid) {
            return "; did you mean \(suggestion)? (valid: \(list))"
        }
        return " (valid: \(list))"
    }
}
