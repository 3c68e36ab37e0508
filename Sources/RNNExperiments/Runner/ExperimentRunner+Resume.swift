// ExperimentRunner+Resume: continue a stopped run from its checkpoint/last.ckpt, in the same
// folder, so that it ends exactly as it would have without the stop.
//
// Before anything is written it checks that the folder is a run that can go on (not completed,
// not diverged, not in use by another process), that the checkpoint is readable and belongs to
// this run (its experiment equals config.yaml), and that the data are the ones the run started
// with (SHA-256 and token counts against summary.json). Each refusal is one sentence. It will
// not resume with a changed experiment: a different experiment is a new run.

import Foundation
import RNNData
import RNNModel
import RNNTensor
import RNNTraining

extension ExperimentRunner {
    /// Continues the run in `runDirectory` from its `checkpoint/last.ckpt`.
    ///
    /// Data paths resolve against `options.dataRoot` when given, else against the folder the
    /// run's data resolved against when it started. `options.resultsRoot` and `options.runName`
    /// are ignored: the run stays in its folder. The rows of metrics.csv and evals.csv written
    /// after the checkpoint are dropped (they are written again), as are temporaries of writes
    /// cut short by a kill.
    ///
    /// - Throws: `ExperimentError` when the folder is not a run, is in use, has completed or
    ///   diverged, has no usable checkpoint, or its data changed; `CheckpointError` when the
    ///   checkpoint is damaged; `ExperimentError.stoppedBeforeTraining` when a stop is asked
    ///   for while the data load.
    public func resume(runDirectory: String, options: RunOptions) throws -> RunOutcome {
        var dir = runDirectory
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ExperimentError("\(dir) is not a run folder (it does not exist); give a folder such as results/<experiment>/<run>")
        }
        let lock = try RunFolderLock(directory: dir)
        defer { lock.release() }

        let summaryPath = dir + "/summary.json"
        guard FileManager.default.fileExists(atPath: summaryPath) else {
            throw ExperimentError("\(dir) has no summary.json, so it is not a run folder or its run never started; give a folder such as results/<experiment>/<run>")
        }
        let summary: RunSummary
        do { summary = try RunSummary.read(path: summaryPath) }
        catch { throw ExperimentError("\(summaryPath) is not a readable run summary (\(describe(error))); the folder cannot be resumed") }
        let rerun = "start a new run with rnnlab run \(dir)/config.yaml"
        if summary.model.hasPrefix(ModelKind.kneserNeyType) || FileManager.default.fileExists(atPath: dir + "/checkpoint/" + NGramRunFiles.model) {
            throw ExperimentError("\(dir) is a kneser_ney run, which counts its n-grams in one go and cannot be resumed; to run it again, \(rerun)")
        }
        switch summary.status {
        case .completed:
            throw ExperimentError("\(dir) has completed (\(summary.stopReason)), so there is nothing to resume; to train longer, \(rerun) and a larger limit (--set training.epochs=N)")
        case .diverged:
            throw ExperimentError("\(dir) diverged at step \(summary.divergedAtStep ?? summary.steps), and resuming would diverge again at the same step; \(rerun) and a lower learning rate")
        default:
            break
        }

        let checkpointPath = dir + "/checkpoint/last.ckpt"
        guard FileManager.default.fileExists(atPath: checkpointPath) else {
            throw ExperimentError("\(dir) has no checkpoint/last.ckpt (it stopped before its first checkpoint), so it cannot be resumed; \(rerun)")
        }
        let checkpoint = try Checkpoint.read(path: checkpointPath)
        guard checkpoint.header.kind == "last", checkpoint.tensors["state/hidden"] != nil else {
            throw ExperimentError("\(checkpointPath) holds weights only (kind \(checkpoint.header.kind)), not a training state to resume from")
        }
        let loader = ExperimentLoader(registry: registry)
        let configName = dir + "/config.yaml"
        let loaded: LoadedExperiment
        do { loaded = try loader.load(text: checkpoint.header.config, name: checkpointPath + " (its experiment)") }
        catch { throw ExperimentError("\(checkpointPath) holds an experiment this rnnlab cannot load: \(error)") }
        var config = loaded.config
        config.sourcePath = configName
        if let data = FileManager.default.contents(atPath: configName) {
            let saved: LoadedExperiment
            do { saved = try loader.load(text: String(decoding: data, as: UTF8.self), name: configName) }
            catch { throw ExperimentError("\(configName) no longer loads, so the run cannot be checked against its checkpoint: \(error)") }
            try Self.requireSameExperiment(checkpointYAML: checkpoint.header.config, saved: saved, loader: loader,
                                           checkpointPath: checkpointPath, configPath: configName)
        }
        guard config.name == summary.experiment else {
            throw ExperimentError("\(checkpointPath) is from the experiment \(config.name), and summary.json is from \(summary.experiment); the checkpoint does not belong to this run")
        }

        let dataRoot = options.dataRoot ?? checkpoint.header.dataRoot
        let prepared = try prepare(config, dataRoot: dataRoot)
        if let change = Self.dataChange(from: summary.dataset, to: Self.datasetIdentity(config, prepared.corpus)) {
            throw ExperimentError("\(dir): the data changed since the run started (\(change)), so resuming would not continue the same run; put the original data back, or \(rerun)")
        }
        guard prepared.built.model.parameterCount == summary.params else {
            throw ExperimentError("\(checkpointPath) builds a model of \(prepared.built.model.parameterCount) parameters, and summary.json records \(summary.params); the checkpoint does not belong to this run")
        }
        if options.stopRequested() { throw ExperimentError.stoppedBeforeTraining }

        removeAtomicWriteTemporaries(in: dir)
        removeAtomicWriteTemporaries(in: dir + "/checkpoint")
        if !FileManager.default.fileExists(atPath: configName) {
            try writeAtomically(checkpoint.header.config, to: configName)
        }
        var resumeOptions = options
        resumeOptions.dataRoot = dataRoot
        return try execute(prepared, directory: dir, runName: summary.run, resolvedYAML: checkpoint.header.config,
                           options: resumeOptions, resumeFrom: checkpoint)
    }

    /// Throws unless the checkpoint's experiment and the run's config.yaml decode to the same
    /// experiment; the error quotes the first line where they differ.
    static func requireSameExperiment(checkpointYAML: String, saved: LoadedExperiment, loader: ExperimentLoader,
                                      checkpointPath: String, configPath: String) throws {
        let fromCheckpoint = try loader.load(text: checkpointYAML, name: configPath)
        guard saved.config != fromCheckpoint.config else { return }
        let a = keyedLines(fromCheckpoint.resolvedYAML), b = keyedLines(saved.resolvedYAML)
        var detail = "it has \(a.count) settings and config.yaml \(b.count)"
        if let (x, y) = zip(a, b).first(where: { $0 != $1 }) {
            detail = x.path == y.path ? "\(x.path) is \(x.value) there and \(y.value) in config.yaml"
                                      : "\(x.path) there, \(y.path) in config.yaml"
        }
        throw ExperimentError("\(checkpointPath) does not belong to this run: its experiment differs from \(configPath) (\(detail))")
    }

    /// The lines of a resolved experiment (block YAML, as `emit()` writes it) with the key path
    /// of each: `model.hidden_size` and `8`. A line that is not `key: value` keeps the path of
    /// the line before it.
    static func keyedLines(_ yaml: String) -> [(path: String, value: String)] {
        var parents: [(indent: Int, key: String)] = []
        var out: [(path: String, value: String)] = []
        for line in yaml.split(separator: "\n") {
            let indent = line.prefix { $0 == " " }.count
            let body = line.dropFirst(indent)
            guard !body.hasPrefix("- "), let colon = body.firstIndex(of: ":") else {
                out.append((out.last?.path ?? "", String(body)))
                continue
            }
            while let last = parents.last, last.indent >= indent { parents.removeLast() }
            let key = String(body[..<colon])
            let value = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            out.append(((parents.map(\.key) + [key]).joined(separator: "."), value))
            if value.isEmpty { parents.append((indent, key)) }
        }
        return out
    }

    /// What differs between the data a run started with and the data found now (nil: nothing).
    /// File names are not compared: the same files under another data root are the same data.
    static func dataChange(from old: DatasetIdentity, to new: DatasetIdentity) -> String? {
        if old.type != new.type { return "the dataset type was \(old.type) and is now \(new.type)" }
        if old.sources.count != new.sources.count {
            return "it had \(old.sources.count) source(s) and now has \(new.sources.count)"
        }
        for (a, b) in zip(old.sources, new.sources) where a.sha256 != b.sha256 {
            return "\(b.name) had SHA-256 \(a.sha256.prefix(12))… and now has \(b.sha256.prefix(12))…"
        }
        let counts = [("training", old.trainTokens, new.trainTokens), ("validation", old.validTokens, new.validTokens),
                      ("test", old.testTokens, new.testTokens), ("vocabulary", old.vocabularySize, new.vocabularySize)]
        for (what, a, b) in counts where a != b {
            return what == "vocabulary" ? "the vocabulary had \(a) tokens and now has \(b)" : "the \(what) split had \(a) tokens and now has \(b)"
        }
        return nil
    }

    /// Puts the weights, optimizer and schedule state, progress, hidden state and best weights of
    /// a `last` checkpoint into `trainer`, checking each against the model first.
    func restoreTrainingState(_ trainer: Trainer<Float>, from checkpoint: Checkpoint, path: String) throws {
        func mismatch(_ what: String) -> ExperimentError { ExperimentError("\(path) does not match this run: \(what)") }
        try checkpoint.copyParameters(into: trainer.model, prefix: "param/", path: path)
        guard let hidden = checkpoint.tensors["state/hidden"], hidden.count == trainer.hiddenState.count else {
            throw mismatch("its hidden state has \(checkpoint.tensors["state/hidden"]?.count ?? 0) values, and this model carries \(trainer.hiddenState.count)")
        }
        let p = checkpoint.header.progress
        guard p.epoch >= 1, p.step >= 0, p.tokens >= 0, (0...trainer.chunksPerEpoch).contains(p.nextChunk),
              checkpoint.header.optimizerStep >= 0 else {
            throw mismatch("its position (epoch \(p.epoch), chunk \(p.nextChunk) of \(trainer.chunksPerEpoch), step \(p.step)) is impossible for this data")
        }
        let parameters = Dictionary(trainer.model.parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var state = trainer.optimizer.state
        state.step = checkpoint.header.optimizerStep
        state.values = checkpoint.header.optimizerValues ?? [:]
        state.slots = try checkpoint.header.tensors.filter { $0.name.hasPrefix("optimizer/") }.map { entry in
            let name = String(entry.name.dropFirst("optimizer/".count))
            // Slots are named <kind>.<parameter>, e.g. m.cell.U.
            guard let dot = name.firstIndex(of: "."), let owner = parameters[String(name[name.index(after: dot)...])],
                  owner.shape == entry.shape, let values = checkpoint.tensors[entry.name] else {
                throw mismatch("its optimizer state \(name) (shape \(entry.shape)) fits no parameter of this model")
            }
            return (name: name, values: Tensor<Float>(shape: entry.shape, values: values))
        }
        hidden.withUnsafeBufferPointer { copyElements(from: $0.baseAddress!, to: trainer.hiddenState.data, count: hidden.count) }
        trainer.optimizer.state = state
        trainer.schedule.state = checkpoint.header.schedule
        if !checkpoint.header.rng.isEmpty {
            guard let generator = Xoshiro256(state: checkpoint.header.rng) else {
                throw ExperimentError("\(path) is damaged: its random generator state is invalid")
            }
            trainer.model.dropoutGenerator = generator
        }
        if trainer.model.output.randomGenerator != nil {
            guard let saved = checkpoint.header.outputRng, let generator = Xoshiro256(state: saved) else {
                throw ExperimentError("\(path) is damaged or from another model: its output layer's random generator state is missing or invalid")
            }
            trainer.model.output.randomGenerator = generator
        }
        trainer.progress = p
        if checkpoint.tensors.keys.contains(where: { $0.hasPrefix("best/") }) {
            let best = try trainer.model.parameters.map { p -> Tensor<Float> in
                guard let v = checkpoint.tensors["best/" + p.name], v.count == p.count else {
                    throw mismatch("its best weights lack \(p.name) or give it another size")
                }
                return Tensor(shape: p.shape, values: v)
            }
            trainer.setBestParameters(best)
        }
    }
}
