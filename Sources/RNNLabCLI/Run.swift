// `rnnlab run` and `rnnlab validate`.

import ArgumentParser
import Foundation
import RNNExperiments

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the experiment in FILE and write its results tree.",
        discussion: """
        The run goes to <results>/<experiment name>/<run name>/ with config.yaml, metrics.csv, evals.csv,
        summary.json, curves.svg, checkpoint/ and log.txt; the folder is printed at the end.
        The first Ctrl-C (or SIGTERM) finishes the current step, saves a checkpoint and exits with 130 (143);
        a second Ctrl-C exits at once.
        """)

    @OptionGroup var experiment: ExperimentFileOptions

    @Option(help: "Results root folder.")
    var results = "results"

    @Option(help: "Run folder name (default: a timestamp).")
    var name: String?

    @Flag(help: "Print only the run folder, for scripts (log.txt still gets everything).")
    var quiet = false

    func validate() throws {
        if let name, let problem = Self.runNameProblem(name) {
            throw ValidationError("--name: \(problem)")
        }
    }

    /// Why `name` cannot name a run folder (nil when it can): one folder name, not a path.
    /// Sweeps name their runs after their overrides (`hidden_size=200,tied=true`), so `=`, `,`
    /// and other punctuation are fine; `/`, control characters and a leading `-` are not.
    static func runNameProblem(_ name: String) -> String? {
        let valid = "use a single folder name: no '/', no control characters, not starting with '-', and not '.' or '..'"
        if name.isEmpty { return "the run name is empty; \(valid)" }
        if name == "." || name == ".." || name.hasPrefix("-") || name.utf8.count > 255
            || name.unicodeScalars.contains(where: { $0 == "/" || $0.properties.generalCategory == .control }) {
            return "\"\(name)\" is not a valid run name; \(valid)"
        }
        return nil
    }

    func run() throws {
        let registry = RNNLab.registry
        let loaded: LoadedExperiment
        do {
            loaded = try ExperimentLoader(registry: registry).load(path: experiment.file, overrides: experiment.overrides)
        } catch { throw fail(error) }
        let stop = StopSignal.install()
        let outcome: RunOutcome
        do {
            outcome = try ExperimentRunner(registry: registry).run(
                loaded.config, resolvedYAML: loaded.resolvedYAML,
                options: RunOptions(resultsRoot: results, runName: name, dataRoot: experiment.resolvedDataRoot, quiet: quiet,
                                    stopRequested: { stop.requested }))
        } catch { throw fail(error) }
        if quiet { print(outcome.directory) }
        switch outcome.summary.status {
        case "completed": return
        case "interrupted": throw ExitCode(stop.signal == SIGTERM ? 143 : 130)
        default: throw ExitCode(3)
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an experiment file (keys, types, ranges, components, data) without training.")

    @OptionGroup var experiment: ExperimentFileOptions

    @Flag(help: "Also load the data and build the model (checks sizes against the corpus).")
    var build = false

    func run() throws {
        let registry = RNNLab.registry
        do {
            let loaded = try ExperimentLoader(registry: registry).load(path: experiment.file, overrides: experiment.overrides)
            if build {
                let prepared = try ExperimentRunner(registry: registry).prepare(loaded.config, dataRoot: experiment.resolvedDataRoot)
                print("\(experiment.file): valid; \(prepared.corpus.vocabulary.count) tokens in the vocabulary, \(prepared.built.model.parameterCount) parameters")
            } else {
                print("\(experiment.file): valid")
            }
        } catch { throw fail(error) }
    }
}
