// ExperimentRunner: one experiment from typed config to a complete results tree.
//
// Everything that can fail because of the user's input (data, sizes, components) is checked
// before the run folder is created, so a bad experiment leaves nothing behind. Once the folder
// exists, every file in it is written atomically or appended line by line, and summary.json
// always ends with the run's status.

import Foundation
import RNNYAML
import RNNData
import RNNModel
import RNNTensor
import RNNTraining
import RNNRendering

/// How to run (not what: that is the config).
public struct RunOptions: Sendable {
    /// The results root; the run goes to `<root>/<experiment name>/<run name>/`.
    public var resultsRoot: String
    /// The run folder's name; nil picks a readable unique one (a timestamp).
    public var runName: String?
    /// Folder that relative data paths resolve against (else the experiment file's folder).
    public var dataRoot: String?
    /// Print nothing to the terminal (log.txt is still written).
    public var quiet: Bool
    /// Polled after every step; true stops the run as `interrupted`.
    public var stopRequested: @Sendable () -> Bool

    public init(resultsRoot: String = "results", runName: String? = nil, dataRoot: String? = nil, quiet: Bool = false,
                stopRequested: @escaping @Sendable () -> Bool = { false }) {
        self.resultsRoot = resultsRoot
        self.runName = runName
        self.dataRoot = dataRoot
        self.quiet = quiet
        self.stopRequested = stopRequested
    }
}

/// A finished (or stopped) run.
public struct RunOutcome: Sendable {
    public var directory: String
    public var summary: RunSummary
}

/// Builds, trains and evaluates experiments from a registry.
public struct ExperimentRunner {
    public let registry: ComponentRegistry

    public init(registry: ComponentRegistry) {
        self.registry = registry
    }

    /// Resolves a data path from the experiment file: absolute as is; relative against the
    /// data root when given, else against the experiment file's folder.
    public static func resolveDataPath(_ path: String, keyPath: String, config: ExperimentConfig, dataRoot: String?) throws -> String {
        guard !path.isEmpty else { throw ExperimentError("the path is empty; name a text file", file: config.sourcePath, keyPath: keyPath) }
        if path.hasPrefix("/") { return path }
        let base = dataRoot ?? (config.sourcePath as NSString).deletingLastPathComponent
        let joined = ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: joined) else {
            let whence = dataRoot != nil ? "the data root \(base)" : "\(base.isEmpty ? "." : base), the experiment file's folder"
            throw ExperimentError("\"\(path)\" does not exist in \(whence); give an existing file, or set --data-root or RNNLAB_DATA to look elsewhere", file: config.sourcePath, keyPath: keyPath)
        }
        return joined
    }

    /// Loads the experiment's corpus through its dataset factory.
    public func loadCorpus(_ config: ExperimentConfig, dataRoot: String?) throws -> Corpus {
        let factory = try Self.namingFile(config) { try registry.factory(registry.datasets, .dataset, config.data) }
        let context = DatasetContext(resolvePath: { path, keyPath in
            try Self.resolveDataPath(path, keyPath: keyPath, config: config, dataRoot: dataRoot)
        }, seed: config.seed)
        return try Self.namingFile(config) {
            do { return try factory.build(config.data.arguments, context) }
            catch let e as CorpusError { throw ExperimentError("\(e)", keyPath: "data") }
        }
    }

    /// Runs a component factory, placing the errors it throws in the experiment file (factories
    /// know the key path they check, not the file it came from).
    static func namingFile<R>(_ config: ExperimentConfig, _ body: () throws -> R) throws(ExperimentError) -> R {
        do { return try body() } catch {
            throw ExperimentError(wrapping: error).located(in: config.sourcePath, marks: config.marks)
        }
    }

    /// Everything checked and built, before anything is written.
    public struct Prepared {
        public var config: ExperimentConfig
        public var corpus: Corpus
        public var built: BuiltModel
        public var train: TokenBatches
        public var valid: TokenBatches
        public var test: TokenBatches
        public var bptt: Int
        public var threads: Int
        /// The gradient-through-time probe, when `diagnostics.gradient_through_time` asks for it.
        public var gradientProbe: GradientThroughTimeProbe<Float>?
        /// The `<eos>` id where `training.independent_sentences` resets the state, for training
        /// and for evaluation; nil where the state runs across sentences.
        public var resetTokens: (train: Int32?, eval: Int32?) = (nil, nil)
    }

    /// Loads the data and builds the model, checking every size against the data (RNN
    /// experiments; a kneser_ney one has no model to build before it counts).
    public func prepare(_ config: ExperimentConfig, dataRoot: String?) throws -> Prepared {
        let corpus = try loadCorpus(config, dataRoot: dataRoot)
        let t = config.training
        let file = config.sourcePath
        let trainRows = corpus.train.count / t.batchSize
        let bptt = t.bptt ?? max(1, trainRows - 1)
        do {
            try CorpusBuilder.requireLength(corpus.train.count, name: "the training split", batchSize: t.batchSize, bptt: t.bptt ?? 1)
            try CorpusBuilder.requireLength(corpus.valid.count, name: "the validation split", batchSize: t.evalBatchSize, bptt: 1)
            try CorpusBuilder.requireLength(corpus.test.count, name: "the test split", batchSize: t.evalBatchSize, bptt: 1)
        } catch let CorpusError.tooShort(name, tokens, needed, batchSize, bptt) {
            throw ExperimentError("\(name) has \(tokens) token\(tokens == 1 ? "" : "s"), fewer than the \(needed) that batch_size \(batchSize) × (bptt \(bptt) + 1) needs; use a longer corpus or a smaller batch_size or bptt",
                                  file: file, keyPath: "data")
        } catch {
            throw ExperimentError("\(error)", file: file, keyPath: "data")
        }
        try Self.checkMemory(config, vocabularySize: corpus.vocabulary.count, bptt: bptt)
        let threads = t.threads ?? BLASRuntime.availableCores
        let built = try Self.namingFile(config) { try registry.buildModel(config, corpus: corpus, threads: threads) }
        let resetTokens = try Self.namingFile(config) { try Self.resetTokens(config, corpus: corpus, cell: built.model.cell) }
        var gradientProbe: GradientThroughTimeProbe<Float>?
        if config.diagnostics.gradientThroughTimeEvery != nil {
            do { gradientProbe = try GradientThroughTimeProbe(model: built.model) } catch {
                throw ExperimentError("\(error)", file: file, keyPath: "diagnostics.gradient_through_time")
            }
        }
        var prepared = Prepared(config: config, corpus: corpus, built: built,
                                train: TokenBatches(stream: corpus.train, batchSize: t.batchSize),
                                valid: TokenBatches(stream: corpus.valid, batchSize: t.evalBatchSize),
                                test: TokenBatches(stream: corpus.test, batchSize: t.evalBatchSize),
                                bptt: bptt, threads: threads, gradientProbe: gradientProbe)
        prepared.resetTokens = resetTokens
        return prepared
    }

    /// Refuses a model whose weights and training activations clearly cannot fit in memory, so
    /// that absurd sizes (hidden_size: 1000000000) are an error rather than a crash.
    ///
    /// The estimate is rough on purpose (float32 weights three times over — values, gradients,
    /// optimizer state — plus bptt × batch_size rows of logits and hidden states); it only has to
    /// catch sizes that are off by orders of magnitude. Computed in Double, so it cannot overflow.
    static func checkMemory(_ config: ExperimentConfig, vocabularySize: Int, bptt: Int) throws {
        let m = config.model, t = config.training
        let V = Double(vocabularySize), E = Double(m.embeddingSize), H = Double(m.hiddenSize)
        let params = V * E + E * H + H * H + H + V + (m.tied ? 0 : H * V)
        let rows = Double(bptt) * Double(max(t.batchSize, t.evalBatchSize))
        let bytes = 4 * (3 * params + rows * (V + 2 * H + E))
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        guard available > 0, bytes > available else { return }
        func gb(_ b: Double) -> String { b >= 1e12 ? String(format: "%.3g", b / 1e9) : String(format: "%.1f", b / 1e9) }
        throw ExperimentError("embedding_size \(m.embeddingSize), hidden_size \(m.hiddenSize), a vocabulary of \(vocabularySize) tokens, batch_size \(max(t.batchSize, t.evalBatchSize)) and bptt \(bptt) need about \(gb(bytes)) GB of memory, more than the \(gb(available)) GB this machine has; use smaller sizes", file: config.sourcePath, keyPath: "model")
    }

    /// Creates `path` and its missing parents, naming the part that stands in the way.
    static func makeFolders(_ path: String, what: String) throws {
        let absolute = path.hasPrefix("/")
        var current = absolute ? "/" : ""
        for part in path.split(separator: "/") {
            current = current.isEmpty ? String(part) : (current as NSString).appendingPathComponent(String(part))
            var info = stat()
            if stat(current, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw ExperimentError("cannot create the \(what) \(path): \(current) is a file, not a folder; choose another with --results")
                }
                continue
            }
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ExperimentError("cannot create the \(what) \(path): \(String(cString: strerror(errno)).lowercased()) at \(current); choose another with --results")
            }
        }
    }

    /// Creates `<root>/<experiment>/<name>` (or a fresh timestamped name), never reusing a folder.
    static func createRunFolder(root: String, experiment: String, name: String?) throws -> (path: String, name: String) {
        let parent = (root as NSString).appendingPathComponent(experiment)
        if let name, name.isEmpty || name == "." || name == ".." || name.contains("/") {
            throw ExperimentError("\"\(name)\" is not a valid run name; use a single folder name (not . or ..)")
        }
        try makeFolders(parent, what: "results folder")
        guard access(parent, W_OK) == 0 else {
            throw ExperimentError("cannot write into the results folder \(parent): permission denied; choose another with --results")
        }
        let base: String
        if let name { base = name } else {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = "yyyyMMdd-HHmmss"
            base = f.string(from: Date())
        }
        for attempt in 1...1000 {
            let candidate = attempt == 1 ? base : "\(base)-\(attempt)"
            let path = (parent as NSString).appendingPathComponent(candidate)
            if mkdir(path, 0o755) == 0 { return (path, candidate) }
            if errno != EEXIST { throw ExperimentError("cannot create the run folder \(path): \(String(cString: strerror(errno)).lowercased()); choose another with --results") }
            if name != nil {
                throw ExperimentError("the run folder \(path) already exists; choose another --name or remove it")
            }
        }
        throw ExperimentError("cannot find a free run folder name under \(parent)")
    }

    /// Runs `config` and writes its results tree.
    ///
    /// - Parameter resolvedYAML: the fully resolved experiment file, written as config.yaml.
    /// - Throws: `ExperimentError.stoppedBeforeTraining` when `options.stopRequested` turns true
    ///   while the data loads (nothing is written then).
    public func run(_ config: ExperimentConfig, resolvedYAML: String, options: RunOptions) throws -> RunOutcome {
        if case let .kneserNey(kn) = config.kind {
            return try runKneserNey(config, kn, resolvedYAML: resolvedYAML, options: options)
        }
        let prepared = try prepare(config, dataRoot: options.dataRoot)
        if options.stopRequested() { throw ExperimentError.stoppedBeforeTraining }
        let (directory, runName) = try Self.createRunFolder(root: options.resultsRoot, experiment: config.name, name: options.runName)
        let lock = try RunFolderLock(directory: directory)
        defer { lock.release() }
        do { try writeAtomically(resolvedYAML, to: directory + "/config.yaml") } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return try execute(prepared, directory: directory, runName: runName, resolvedYAML: resolvedYAML, options: options, resumeFrom: nil)
    }

    /// The identity of the data a run trains on, as summary.json records it.
    static func datasetIdentity(_ config: ExperimentConfig, _ corpus: Corpus) -> DatasetIdentity {
        DatasetIdentity(
            type: config.data.name, sources: corpus.sources.map { .init(name: $0.name, sha256: $0.sha256) },
            trainTokens: corpus.train.count, validTokens: corpus.valid.count, testTokens: corpus.test.count,
            vocabularySize: corpus.vocabulary.count)
    }

    /// The absolute folder that the relative data paths of `config` resolve against.
    static func absoluteDataRoot(_ config: ExperimentConfig, dataRoot: String?) -> String {
        var base = dataRoot ?? (config.sourcePath as NSString).deletingLastPathComponent
        if base.isEmpty { base = "." }
        if !base.hasPrefix("/") { base = FileManager.default.currentDirectoryPath + "/" + base }
        return (base as NSString).standardizingPath
    }

    /// Trains a prepared experiment in `directory`, from scratch or from a `last` checkpoint.
    ///
    /// When a fresh run fails before its first step (its log, summary or metrics files cannot
    /// be written), the run folder is removed again: no half-written run is left behind.
    /// The caller holds the folder's `RunFolderLock`.
    func execute(_ prepared: Prepared, directory: String, runName: String, resolvedYAML: String, options: RunOptions,
                 resumeFrom checkpoint: Checkpoint?) throws -> RunOutcome {
        var trainingStarted = false
        do {
            return try execute(prepared, directory: directory, runName: runName, resolvedYAML: resolvedYAML, options: options,
                               resumeFrom: checkpoint, trainingStarted: &trainingStarted)
        } catch {
            if !trainingStarted, checkpoint == nil { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
    }

    private func execute(_ prepared: Prepared, directory: String, runName: String, resolvedYAML: String, options: RunOptions,
                         resumeFrom checkpoint: Checkpoint?, trainingStarted: inout Bool) throws -> RunOutcome {
        let started = ContinuousClock.now
        let log = RunLog(quiet: options.quiet)
        let config = prepared.config
        BLASRuntime.setThreads(prepared.threads)
        let t = config.training
        let built = prepared.built
        let model = built.model
        var trainingOptions = TrainingOptions(
            bptt: prepared.bptt, clip: t.clip, epochs: t.epochs, maxSteps: t.maxSteps, timeBudget: t.timeBudget,
            evalEvery: t.evalEvery, logEvery: t.logEvery, checkpointEvery: t.checkpointEvery)
        (trainingOptions.trainResetToken, trainingOptions.evalResetToken) = prepared.resetTokens
        let trainer = Trainer(model: model, optimizer: built.optimizer, schedule: built.schedule,
                              train: prepared.train, valid: prepared.valid, options: trainingOptions)
        // Restored before anything is written, so that a checkpoint that does not fit leaves the folder as it was.
        if let checkpoint { try restoreTrainingState(trainer, from: checkpoint, path: directory + "/checkpoint/last.ckpt") }
        try log.attach(path: directory + "/log.txt")

        let blas = BLASRuntime.info()
        let corpus = prepared.corpus
        let dataset = Self.datasetIdentity(config, corpus)
        let modelText = "\(model.cell.summary), E=\(config.model.embeddingSize), H=\(config.model.hiddenSize), V=\(model.vocabularySize), \(model.output.summary)"
        var summary = RunSummary(
            status: .running, experiment: config.name, run: runName, params: model.parameterCount, trainTokensPerSec: 0,
            wallSeconds: 0, seed: config.seed, steps: 0, epochs: 0, tokensTrained: 0, stopReason: "",
            dataset: dataset, rnnlabVersion: rnnlabVersion, gitCommit: rnnlabGitCommit(), blas: blas.description, model: modelText)
        summary.floorPPL = corpus.entropyRate.map { exp($0) }
        summary.trainingLoss = model.output.trainingLoss.description
        try writeAtomically(try summary.encoded(), to: directory + "/summary.json")
        let reserve = SpaceReserve(directory: directory)
        defer { reserve.release() }

        log.say("rnnlab \(rnnlabVersion): \(config.name) → \(directory)")
        log.say("  data: \(config.data.name), \(corpus.vocabulary.count) tokens in the vocabulary; train \(corpus.train.count), valid \(corpus.valid.count), test \(corpus.test.count) tokens")
        log.say("  model: \(modelText), \(model.parameterCount) parameters" + (model.dropout == DropoutRates() ? "" : ", dropout \(NumberFormat.plain(model.dropout.embedding))/\(NumberFormat.plain(model.dropout.output))"))
        log.say("  training: bptt \(prepared.bptt), batch \(t.batchSize), \(built.optimizer.summary) lr \(NumberFormat.plain(built.learningRate)), \(built.schedule.summary), clip \(t.clip.map(NumberFormat.plain) ?? "none")"
                + (t.independentSentences.isEnabled ? ", \(t.independentSentences.summary)" : ""))
        log.say("  BLAS: \(blas)")
        if let floor = summary.floorPPL { log.say(String(format: "  entropy floor: perplexity %.3f", floor)) }

        var elapsedBefore = 0.0
        if let checkpoint {
            elapsedBefore = checkpoint.header.progress.elapsedSeconds
            try MetricsRecorder.truncate(directory: directory, keepingRows: checkpoint.header.csvRows,
                                         afterStep: checkpoint.header.progress.step)
            log.say("  resuming at step \(trainer.progress.step) (epoch \(trainer.progress.epoch))")
        }
        let gradientEvery = config.diagnostics.gradientThroughTimeEvery
        let recorder = try MetricsRecorder(directory: directory, gradients: gradientEvery != nil)
        if let gradientEvery {
            let probe = prepared.gradientProbe!
            trainer.chunkProbe = (gradientEvery, { [unowned recorder] chunk in
                let norms = probe.measure(inputs: chunk.inputs, targets: chunk.targets, steps: chunk.steps, batch: chunk.batch,
                                          state: chunk.state)
                recorder.record(gradients: norms, step: chunk.step)
            })
        }
        let tensorboard = try TensorBoardRecorder(runDirectory: directory, configYAML: resolvedYAML, resumingAfter: checkpoint?.header.progress.step)
        let trainingLoss = model.output.trainingLoss
        recorder.trainingLoss = trainingLoss
        tensorboard.trainingLoss = trainingLoss
        let checkpointer = try Checkpointer(directory: directory + "/checkpoint", trainer: trainer, config: resolvedYAML,
                                            vocabulary: corpus.vocabulary, tokenLevel: corpus.tokenLevel, modelSummary: [
                                                "cell": config.model.cell.name, "activation": config.model.activation.name,
                                                "output": config.model.output.name, "tied": String(config.model.tied),
                                                "bias": String(config.model.bias), "embedding_size": String(config.model.embeddingSize),
                                                "hidden_size": String(config.model.hiddenSize), "layers": String(config.model.layers), "vocabulary_size": String(model.vocabularySize),
                                            ])
        checkpointer.dataRoot = Self.absoluteDataRoot(config, dataRoot: options.dataRoot)
        checkpointer.csvRows = { [unowned recorder] in recorder.rowCounts }
        let console = ConsoleReporter(log: log, epochs: t.epochs, chunksPerEpoch: trainer.chunksPerEpoch,
                                      timeBudget: t.timeBudget)
        console.trainingLoss = trainingLoss
        if !trainingLoss.isCrossEntropy {
            log.say("  training loss: the \(trainingLoss) objective, not a cross-entropy (no training perplexity); validation and test are normalised")
        }
        trainingStarted = true
        let outcome = trainer.run(observers: [recorder, checkpointer, console, tensorboard], stopRequested: options.stopRequested)

        summary.status = RunStatus(outcome.status)
        summary.stopReason = outcome.reason
        summary.divergedAtStep = outcome.divergedAtStep
        let p = outcome.progress
        summary.steps = p.step
        summary.epochs = Double(p.epoch - 1) + Double(p.nextChunk) / Double(trainer.chunksPerEpoch)
        summary.tokensTrained = p.tokens
        summary.trainTokensPerSec = p.trainSeconds > 0 ? Double(p.tokens) / p.trainSeconds : 0
        summary.trainPPL = trainingLoss.isCrossEntropy ? recorder.lastTrainLoss.map { exp(min($0, 700)) } : nil
        summary.validPPL = recorder.lastValidLoss.map { exp(min($0, 700)) }
        summary.bestValidPPL = p.bestValidLoss.map { exp(min($0, 700)) }
        summary.bestStep = p.bestStep
        summary.averagingFromStep = trainer.averagingStart

        if outcome.status == .completed {
            // Test once, with the best weights on validation.
            trainer.restoreBestParameters()
            let test = evaluate(model, on: prepared.test, chunkLength: trainingOptions.evalChunkLength,
                                resetBefore: trainingOptions.evalResetToken)
            summary.testPPL = test.perplexity
            let report = EvaluationReport(step: p.step, epoch: p.epoch, tokens: p.tokens, split: "test", loss: test.loss, isBest: false)
            recorder.record(evaluation: report)
            tensorboard.record(evaluation: report)
            let averaged = trainer.averagingStart.flatMap { start in (p.bestStep ?? p.step) >= start ? start : nil }
                .map { ", the average of the iterates since step \($0)" } ?? ""
            log.say(String(format: "  test (best-on-valid weights from step %d%@): loss %.4f ppl %.2f", p.bestStep ?? p.step, averaged, test.loss, test.perplexity))
        } else if outcome.status == .diverged {
            log.say("  diverged at step \(outcome.divergedAtStep ?? p.step): \(outcome.reason)")
        } else {
            log.say("  interrupted at step \(p.step): \(outcome.reason); resume with: rnnlab run --resume \(directory)")
        }
        recorder.sync()
        tensorboard.sync()
        summary.wallSeconds = elapsedBefore + (ContinuousClock.now - started).inSeconds
        var failure = recorder.writeError.map { "\($0)" } ?? checkpointer.writeError.map { "\($0)" } ?? tensorboard.writeError.map { "\($0)" }
        do {
            try writeCurves(directory: directory, recorder: recorder, floor: summary.floorPPL, title: config.name, trainingLoss: trainingLoss)
            if gradientEvery != nil { try writeGradientCurves(directory: directory, title: config.name) }
        }
        catch { failure = failure ?? "\(error)" }
        if let failure {
            // The results are incomplete: say so in the summary rather than claim the status.
            summary.status = .failed
            summary.stopReason = failure
        }
        do { try writeAtomically(try summary.encoded(), to: directory + "/summary.json") } catch {
            // A full disk: use the space set aside at the start, then try once more.
            reserve.release()
            do { try writeAtomically(try summary.encoded(), to: directory + "/summary.json") } catch {
                guard let failure else { throw error }
                throw ExperimentError("\(failure), and summary.json still says running")
            }
        }
        if let failure { throw ExperimentError(failure) }
        log.say(String(format: "  %@ in %.1f s: best valid ppl %@, test ppl %@, %.0f train tokens/s",
                       summary.status.rawValue, summary.wallSeconds,
                       summary.bestValidPPL.map { String(format: "%.3f", $0) } ?? "-",
                       summary.testPPL.map { String(format: "%.3f", $0) } ?? "-", summary.trainTokensPerSec))
        log.say(directory)
        return RunOutcome(directory: directory, summary: summary)
    }

        /// Writes gradients.svg: log ‖∂L_T/∂h_{T−d}‖ against the distance d, one line per recorded
    /// step (at most eight, evenly spread, the last always among them).
    func writeGradientCurves(directory: String, title: String) throws {
        let curves = MetricsRecorder.gradientCurves(directory: directory)
        guard !curves.isEmpty else { return }
        let shown = curves.count <= 8 ? Array(curves.indices) : (0..<8).map { $0 * (curves.count - 1) / 7 }
        let series = shown.map { i in
            ChartSeries(name: "step \(curves[i].step)", xy: curves[i].points.filter { $0.1 > 0 })
        }
        let chart = LineChart(title: "\(title): gradient through time", xLabel: "distance T − k (steps)",
                              yLabel: "mean ‖∂L_T/∂h_k‖", series: series, yScale: .logarithmic)
        try writeAtomically(SVGFigure(panels: [chart], columns: 1).svg(), to: directory + "/gradients.svg")
    }

    /// Writes curves.svg: training loss and validation perplexity against tokens seen.
    func writeCurves(directory: String, recorder: MetricsRecorder, floor: Double?, title: String,
                     trainingLoss: TrainingLoss = .crossEntropy) throws {
        let yLabel = trainingLoss.isCrossEntropy ? "cross-entropy (nats/token)" : "\(trainingLoss) objective (nats/token)"
        let loss = LineChart(title: "\(title): training loss", xLabel: "tokens seen", yLabel: yLabel,
                             series: [ChartSeries(name: "train", xy: recorder.trainCurve)])
        let ppl = LineChart(title: "\(title): validation perplexity", xLabel: "tokens seen", yLabel: "perplexity",
                            series: [ChartSeries(name: "valid", xy: recorder.validCurve, markers: true)],
                            yScale: .logarithmic, referenceLine: floor.map { ReferenceLine(y: $0, label: String(format: "entropy floor %.2f", $0)) })
        try writeAtomically(SVGFigure(panels: [loss, ppl], columns: 2).svg(), to: directory + "/curves.svg")
    }
}

func describe(_ error: Error) -> String {
    (error as NSError).localizedDescription
}

