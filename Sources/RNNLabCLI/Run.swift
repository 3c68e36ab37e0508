// `rnnlab run` and `rnnlab validate`.

import ArgumentParser
import Foundation
import RNNExperiments

struct Run: RegistryCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the experiment in FILE and write its results tree, or continue a stopped run with --resume.",
        discussion: """
        The run goes to <results>/<experiment name>/<run name>/ with config.yaml, metrics.csv, evals.csv, \
        summary.json, curves.svg, checkpoint/ and log.txt; the folder is printed at the end.

        The first Ctrl-C (or SIGTERM) finishes the current step, saves a checkpoint and exits with 130 \
        (143); a second Ctrl-C exits at once. `rnnlab run --resume RUN_DIR` continues an interrupted or \
        killed run from its last checkpoint and ends with the same weights and metrics as an \
        uninterrupted run.

        Exit status: 0 completed, 1 error, 3 diverged, 64 bad arguments, 130 stopped by SIGINT, 143 by SIGTERM.
        """)

    @Argument(help: "The experiment file (YAML); omit it with --resume.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String?

    @Option(help: ArgumentHelp("Continue the run in this folder from its checkpoint/last.ckpt.", valueName: "run-dir"), completion: .directory)
    var resume: String?

    @Option(name: .customLong("data-root"), help: "Folder that relative data paths resolve against (default: $RNNLAB_DATA, else the experiment file's folder; with --resume, where the run found its data).")
    var dataRoot: String?

    @Option(name: .customLong("set"), parsing: .singleValue, help: "Override a key: --set training.lr=0.5 (repeatable; not with --resume).")
    var overrides: [String] = []

    @Option(help: "Results root folder (default: results).")
    var results: String?

    @Option(help: "Run folder name (default: a timestamp).")
    var name: String?

    @Flag(help: "Print only the run folder, for scripts (log.txt still gets everything).")
    var quiet = false

    func validate() throws {
        if let name, let problem = Self.runNameProblem(name) {
            throw ValidationError("--name: \(problem)")
        }
        switch (file, resume) {
        case (nil, nil):
            throw ValidationError("give an experiment FILE to run, or --resume RUN_DIR to continue a stopped run")
        case (_?, _?):
            throw ValidationError("give either an experiment FILE or --resume RUN_DIR, not both: a resumed run continues with the experiment saved in RUN_DIR/config.yaml")
        case (nil, _?):
            if !overrides.isEmpty {
                throw ValidationError("--set cannot change a resumed run, which continues exactly as it started; to change the experiment, start a new run with rnnlab run RUN_DIR/config.yaml --set …")
            }
            if name != nil || results != nil {
                throw ValidationError("--name and --results choose a new run's folder; a resumed run stays in RUN_DIR")
            }
        default:
            break
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

    var resolvedDataRoot: String? {
        dataRoot ?? ProcessInfo.processInfo.environment["RNNLAB_DATA"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func run(registry: ComponentRegistry) throws {
        let runner = ExperimentRunner(registry: registry)
        let stop = StopSignal.install()
        let outcome: RunOutcome
        do {
            if let resume {
                // With --resume, RNNLAB_DATA does not override where the run found its data; --data-root does.
                outcome = try runner.resume(runDirectory: resume, options: RunOptions(
                    dataRoot: dataRoot, quiet: quiet, stopRequested: { stop.requested }))
            } else {
                let loaded = try ExperimentLoader(registry: registry).load(path: file!, overrides: overrides)
                outcome = try runner.run(
                    loaded.config, resolvedYAML: loaded.resolvedYAML,
                    options: RunOptions(resultsRoot: results ?? "results", runName: name, dataRoot: resolvedDataRoot, quiet: quiet,
                                        stopRequested: { stop.requested }))
            }
        } catch let error as ExperimentError where error.kind == .stoppedBeforeTraining {
            printError(error.description)
            throw ExitCode(stop.signal == SIGTERM ? 143 : 130)
        } catch { throw fail(error) }
        if quiet { print(outcome.directory) }
        switch outcome.summary.status {
        case .completed: return
        case .interrupted: throw ExitCode(stop.signal == SIGTERM ? 143 : 130)
        default: throw ExitCode(3)
        }
    }
}

struct Validate: RegistryCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an experiment file (keys, types, ranges, components, data) without training.")

    @OptionGroup var experiment: ExperimentFileOptions

    @Flag(help: "Also load the data and build the model (checks sizes against the corpus).")
    var build = false

    func run(registry: ComponentRegistry) throws {
        do {
            // A sweep file (base, name, set, sweep) is not an experiment: check it as `rnnlab
            // sweep` reads it, which checks its base experiment with the sweep's overrides.
            if SweepFile.namesBase(path: experiment.file) {
                let sweep = try SweepFile.load(path: experiment.file, overrides: experiment.overrides, registry: registry)
                print("\(experiment.file): valid sweep file over \(sweep.experimentPath), \(sweep.runs.count) runs")
                return
            }
            let loaded = try ExperimentLoader(registry: registry).load(path: experiment.file, overrides: experiment.overrides)
            if build, let kn = loaded.config.kneserNey {
                let (corpus, _) = try ExperimentRunner(registry: registry).prepareKneserNey(loaded.config, kn, dataRoot: experiment.resolvedDataRoot)
                print("\(experiment.file): valid; \(corpus.vocabulary.count) tokens in the vocabulary, \(kn.summary)")
            } else if build {
                let prepared = try ExperimentRunner(registry: registry).prepare(loaded.config, dataRoot: experiment.resolvedDataRoot)
                print("\(experiment.file): valid; \(prepared.corpus.vocabulary.count) tokens in the vocabulary, \(prepared.built.model.parameterCount) parameters")
            } else {
                print("\(experiment.file): valid")
            }
        } catch { throw fail(error) }
    }
}
