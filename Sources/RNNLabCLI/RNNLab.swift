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
        version: rnnlabVersion,
        subcommands: [Run.self, Validate.self, Sweep.self, Report.self, Components.self, Generate.self, Evaluate.self, Bench.self])

    /// The registry the subcommands build from; set by `main(registry:)` for the duration of the run.
    @TaskLocal public static var registry = ComponentRegistry.builtin

    public init() {}

    /// Starts the CLI with `registry` (the built-in components plus a plugin's own).
    public static func main(registry: ComponentRegistry, arguments: [String]? = nil) {
        BLASSetup.ensureFastKernels()
        $registry.withValue(registry) {
            Self.main(arguments)
        }
    }
}

/// Options shared by the commands that read experiment files.
struct ExperimentFileOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Option(name: .customLong("data-root"), help: "Folder that relative data paths resolve against (default: $RNNLAB_DATA, else the experiment file's folder).")
    var dataRoot: String?

    @Option(name: .customLong("set"), parsing: .singleValue, help: "Override a key: --set training.lr=0.5 (repeatable).")
    var overrides: [String] = []

    var resolvedDataRoot: String? {
        dataRoot ?? ProcessInfo.processInfo.environment["RNNLAB_DATA"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Prints a user error as one line on stderr and exits non-zero.
struct UserFailure: Error, CustomStringConvertible {
    var message: String
    var code: Int32 = 1
    var description: String { message }
}

func fail(_ error: Error) -> Error {
    if let e = error as? UserFailure { return e }
    if error is ExitCode || error is CleanExit { return error }
    return UserFailure(message: "\(error)")
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("rnnlab: error: " + message + "\n").utf8))
}
