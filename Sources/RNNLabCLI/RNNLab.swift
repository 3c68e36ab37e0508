// The `rnnlab` command: subcommands for running, checking, sampling from and comparing
// experiments. A plugin starts the same command with its own registry:
//
//     var registry = ComponentRegistry.builtin
//     try registry.register(activation: ...)
//     RNNLab.main(registry: registry)

import ArgumentParser
import Foundation
import RNNExperiments
import RNNTensor

/// The top-level command.
public struct RNNLab: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rnnlab",
        abstract: "Recurrent-neural-network language-model experiments from YAML files.",
        version: rnnlabVersion + (rnnlabGitCommit().map { " (commit \($0))" } ?? ""),
        subcommands: [Run.self, Validate.self, Sweep.self, Report.self, Components.self, Generate.self, Evaluate.self, Bench.self])

    public init() {}

    /// Starts the CLI with `registry` (the built-in components plus a plugin's own).
    ///
    /// Every error ends the process with one line on stderr, `rnnlab: error: <sentence>`, and a
    /// non-zero status: 1 for a problem with the user's files or data, 64 for a command line
    /// that does not parse (with a pointer to `--help` instead of the usage dump).
    /// `--help` and `--version` print to stdout and exit 0.
    public static func main(registry: ComponentRegistry, arguments: [String]? = nil) {
        BLASSetup.ensureFastKernels()
        let arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        var command: ParsableCommand
        do { command = try parseAsRoot(arguments) } catch { exit(reporting: error, commandLine: arguments) }
        do { try BLASSetup.checkEnvironment() } catch { exit(reporting: error, commandLine: nil) }
        do {
            if let command = command as? RegistryCommand { try command.run(registry: registry) } else { try command.run() }
        } catch { exit(reporting: error, commandLine: nil) }
    }

    /// Prints `error` the rnnlab way and exits; `commandLine` is given for errors found while
    /// parsing it, which get a pointer to the subcommand's `--help`.
    static func exit(reporting error: Error, commandLine: [String]?) -> Never {
        if let failure = error as? UserFailure {
            printError(failure.message)
            Foundation.exit(failure.code)
        }
        let code = exitCode(for: error)
        // Help, --version and explicit exit codes (an interrupted run) keep ArgumentParser's handling.
        if code == .success || error is ExitCode { Self.exit(withError: error) }
        // ArgumentParser's own messages start with a capital ("Unknown option"); ours do not.
        var message = Self.message(for: error)
        if let first = message.first, first.isUppercase, message.dropFirst().first?.isLowercase == true {
            message = first.lowercased() + message.dropFirst()
        }
        if let commandLine, code == .validationFailure {
            let names = configuration.subcommands.map { $0._commandName }
            let command = commandLine.first(where: names.contains).map { "rnnlab \($0)" } ?? "rnnlab"
            message = sentence(message, final: "") + "; see '\(command) --help'"
        }
        printError(message)
        Foundation.exit(code.rawValue)
    }
}

/// A subcommand that builds components: `main(registry:)` runs it with the registry it was given
/// (the built-in components plus a plugin's own), passed in rather than held in a global.
protocol RegistryCommand: ParsableCommand {
    func run(registry: ComponentRegistry) throws
}

extension RegistryCommand {
    func run() throws {
        preconditionFailure("\(Self.self) builds components; start it with RNNLab.main(registry:), which passes the registry")
    }
}

/// Options shared by the commands that read experiment files.
struct ExperimentFileOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Option(name: .customLong("data-root"), help: "Folder that relative data paths resolve against (default: $RNNLAB_DATA, else the experiment file's folder).")
    var dataRoot: String?

    @Option(name: .customLong("set"), parsing: .singleValue, help: "Override a key: --set training.lr=0.5 (repeatable).")
    var overrides: [String] = []

    var resolvedDataRoot: String? {
        dataRoot ?? ProcessInfo.processInfo.environment["RNNLAB_DATA"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A user error: printed as `rnnlab: error: <message>` on stderr, then exit with `code`.
struct UserFailure: Error, CustomStringConvertible {
    var message: String
    var code: Int32 = 1
    var description: String { message }
}

/// `error` as a `UserFailure` (its description is the message), leaving exit requests alone.
func fail(_ error: Error) -> Error {
    if let e = error as? UserFailure { return e }
    if error is ExitCode || error is CleanExit { return error }
    return UserFailure(message: "\(error)")
}

/// `message` as one sentence on one line: line breaks become spaces, surrounding space goes, and
/// `final` ends it unless it already ends with '.', '?', '!' or a closing parenthesis (the
/// "(valid: …)" lists of config errors). With an empty `final`, trailing periods are dropped.
func sentence(_ message: String, final: String = ".") -> String {
    var text = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }.joined(separator: " ")
    if text.isEmpty { text = "unknown error" }
    while let last = text.last, final.isEmpty, last == "." { text.removeLast() }
    if let last = text.last, !".?!)".contains(last) { text += final }
    return text
}

/// Writes `rnnlab: error: <sentence>` and a line break to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("rnnlab: error: " + sentence(message) + "\n").utf8))
}
