// ExperimentDecoder: an experiment file's YAML tree (after overrides) → typed `ExperimentConfig`
// and the resolved file, in one pass through `ConfigSection`s. Every key of an experiment file is
// spelled here and nowhere else; each component's parameters are decoded against the
// declaration its factory carries in the registry.
//
// Errors are ConfigErrors (file:line:column, key path, value, what is valid); the loader turns
// them into ExperimentErrors.

import RNNNGram
import RNNYAML

struct ExperimentDecoder {
    let registry: ComponentRegistry

    func decode(_ root: YAMLNode, file: String) throws -> (config: ExperimentConfig, resolved: YAMLNode) {
        var top = try ConfigSection(root, keyPath: "")
        var name = "unnamed"
        if let nameNode = top.node("name") {
            guard let text = nameNode.scalarText,
                  !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }),
                  text != ".", text != ".." else {
                throw ConfigError(mark: nameNode.mark, keyPath: "name", value: nameNode.valueDescription,
                                  message: "\(nameNode.valueDescription) is not a valid name; use letters, digits, '.', '_' or '-'")
            }
            name = text
        } else {
            top.missing("name", "missing; give the experiment a name (letters, digits, '.', '_' or '-')")
        }
        top.resolve("name", YAMLNode(name))
        let description = top.node("description")?.scalarText ?? ""
        top.resolve("description", YAMLNode(description))
        var seed: UInt64 = 1
        if let s = top.node("seed") {
            guard let v = s.int, v >= 0 else {
                throw ConfigError(mark: s.mark, keyPath: "seed", value: s.valueDescription,
                                  message: "\(s.valueDescription) is not a valid seed; expected an integer ≥ 0")
            }
            seed = UInt64(v)
        }
        top.resolve("seed", YAMLNode(Int(seed)))
        _ = top.node("sweep")  // a sweep section is SweepFile's; one run's resolved file has none

        var dataSection = try top.section("data", required: true)
        let data = dataSection.isAbsent ? ComponentChoice("-") : try dataset(&dataSection)
        try top.close(dataSection, as: "data")
        var modelSection = try top.section("model", required: true)
        let kind: ModelKind
        var diagnostics = DiagnosticsConfig()
        if try modelType(&modelSection) == ModelKind.kneserNeyType {
            let ngram = try kneserNey(&modelSection)
            try top.close(modelSection, as: "model")
            try kneserNeyTraining(&top)
            kind = .kneserNey(ngram)
        } else {
            let model = try self.model(&modelSection)
            try top.close(modelSection, as: "model")
            var trainingSection = try top.section("training", required: true)
            let training = try self.training(&trainingSection)
            try top.close(trainingSection, as: "training")
            kind = .recurrent(model, training)
            // Diagnostics measure training; an n-gram model has none (the key is unknown there).
            var diagnosticsSection = try top.section("diagnostics")
            diagnostics = try self.diagnostics(&diagnosticsSection)
            try top.close(diagnosticsSection, as: "diagnostics")
        }

        var config = ExperimentConfig(name: name, description: description, seed: seed, data: data, kind: kind, sourcePath: file)
        config.diagnostics = diagnostics
        config.marks = SourceMarks(root)
        return (config, try top.finish())
    }

    // MARK: - Sections

    private func dataset(_ data: inout ConfigSection) throws -> ComponentChoice {
        guard let typeNode = data.node("type"), let type = typeNode.scalarText else {
            throw ConfigError(mark: data.mark, keyPath: "data.type", value: nil,
                              message: "missing; name a dataset: \(registry.catalogue(.dataset).map(\.name).joined(separator: ", "))")
        }
        data.resolve("type", YAMLNode(type))
        return try arguments(.dataset, type, nameKey: "type", nameMark: typeNode.mark, nameKeyPath: "data.type", in: &data, defaults: [:])
    }

    /// `model.type`: `rnn` (the default) or `kneser_ney`; recorded first in the resolved model section.
    private func modelType(_ model: inout ConfigSection) throws -> String {
        let kinds = [ModelKind.recurrentType, ModelKind.kneserNeyType]
        return try model.value("type", .string(choices: kinds), default: .string(ModelKind.recurrentType))?.stringValue
            ?? ModelKind.recurrentType
    }

    /// The keys of a `kneser_ney` model: `order` (1…10, default 5) and `sentences` (default
    /// `across`). Any other key is left unread, so it is an unknown key.
    private func kneserNey(_ model: inout ConfigSection) throws -> KneserNeyConfig {
        let orders = KneserNeyModel.supportedOrders
        let order = try model.int("order", min: orders.lowerBound, max: orders.upperBound, default: 5)
        let boundaries = SentenceBoundary.allCases.map(\.rawValue)
        let sentences = try model.value("sentences", .string(choices: boundaries), default: .string(SentenceBoundary.across.rawValue))?
            .stringValue.flatMap(SentenceBoundary.init(rawValue:)) ?? .across
        return KneserNeyConfig(order: order, sentences: sentences)
    }

    /// A `kneser_ney` model is counted, not trained: its training section is optional and may
    /// hold `threads` alone, because `rnnlab sweep` sets `training.threads` on every run it
    /// starts (the count runs on one thread whatever it says).
    private func kneserNeyTraining(_ top: inout ConfigSection) throws {
        guard let node = top.node("training") else { return }
        var training = try ConfigSection(node, keyPath: "training")
        for key in training.presentKeys where key != "threads" {
            throw ConfigError(mark: training.keyMark(key) ?? training.mark, keyPath: training.path(key), value: key,
                              message: "a kneser_ney model is counted, not trained, so its training section takes only threads; remove \(key)")
        }
        _ = try training.int("threads", min: 1, default: nil)
        try top.close(training, as: "training")
    }

    private func model(_ model: inout ConfigSection) throws -> ModelConfig {
        let cell = try component(.cell, in: &model)
        let layers = try model.int("layers", min: 1, default: 1)!
        guard case let .int(E) = try model.required("embedding_size", .int(min: 1), placeholder: .int(1)),
              case let .int(H) = try model.required("hidden_size", .int(min: 1), placeholder: .int(1)) else {
            preconditionFailure("integers decode as integers")
        }
        let activation = try component(.activation, in: &model)
        let tied = try model.bool("tied", default: false)
        let bias = try model.bool("bias", default: true)
        if tied && E != H && model.isComplete {
            let mark = model.node("tied")?.mark ?? model.mark
            throw ConfigError(mark: mark, keyPath: "model.tied", value: "true",
                              message: "a tied model needs embedding_size equal to hidden_size, got embedding_size \(E) and hidden_size \(H); set them equal or tied: false")
        }
        let output = try component(.output, in: &model)

        var initSection = try model.section("init")
        let initialization = InitializationConfig(
            embedding: try component(.initEmbedding, in: &initSection), input: try component(.initInput, in: &initSection),
            recurrent: try component(.initRecurrent, in: &initSection), output: try component(.initOutput, in: &initSection),
            bias: try component(.initBias, in: &initSection),
            forgetGateBias: try initSection.value("forget_gate_bias", .double(), default: nil)?.doubleValue)
        try model.close(initSection, as: "init")

        // dropout: one rate for every non-recurrent connection, or a mapping with each.
        let rate = ParameterKind.double(min: 0, max: 0.95)
        var dropoutEmbedding = 0.0, dropoutOutput = 0.0, dropoutBetweenLayers = 0.0
        if let d = model.node("dropout"), d.mapping == nil {
            let v = try rate.decode(d, keyPath: "model.dropout").doubleValue ?? 0
            (dropoutEmbedding, dropoutOutput, dropoutBetweenLayers) = (v, v, v)
            model.resolve("dropout", YAMLNode(pairs: [("embedding", YAMLNode(v)), ("output", YAMLNode(v)), ("between_layers", YAMLNode(v))]))
        } else {
            var d = try model.section("dropout")
            dropoutEmbedding = try d.value("embedding", rate, default: .double(0))?.doubleValue ?? 0
            dropoutOutput = try d.value("output", rate, default: .double(0))?.doubleValue ?? 0
            dropoutBetweenLayers = try d.value("between_layers", rate, default: .double(0))?.doubleValue ?? 0
            try model.close(d, as: "dropout")
        }

        var config = ModelConfig(cell: cell, embeddingSize: E, hiddenSize: H, activation: activation, tied: tied, bias: bias,
                                 output: output, initialization: initialization)
        config.dropoutEmbedding = dropoutEmbedding
        config.dropoutOutput = dropoutOutput
        config.dropoutBetweenLayers = dropoutBetweenLayers
        config.layers = layers
        return config
    }

    private func training(_ training: inout ConfigSection) throws -> TrainingConfig {
        var bptt: Int? = 35
        if let b = training.node("bptt") {
            if b.string == "full" { bptt = nil }
            else if let v = b.int, v >= 1 { bptt = v }
            else {
                throw ConfigError(mark: b.mark, keyPath: "training.bptt", value: b.valueDescription,
                                  message: "\(b.valueDescription) is not valid; expected an integer ≥ 1 or full")
            }
        }
        training.resolve("bptt", bptt.map { YAMLNode($0) } ?? YAMLNode("full"))
        let batchSize = try training.int("batch_size", min: 1, default: 20)!
        let evalBatchSize = try training.int("eval_batch_size", min: 1, default: 10)!
        // The stopping rules: one epoch when none is given.
        let maxStepsNode = training.node("max_steps"), budgetNode = training.node("time_budget")
        let epochs = try training.int("epochs", min: 1, default: (maxStepsNode == nil && budgetNode == nil) ? 1 : nil)
        let maxSteps = try training.int("max_steps", min: 1, default: nil)
        var timeBudget: Double?
        if let t = budgetNode {
            guard let s = Self.seconds(t), s > 0, s.isFinite else {
                throw ConfigError(mark: t.mark, keyPath: "training.time_budget", value: t.valueDescription,
                                  message: "\(t.valueDescription) is not a duration; expected a finite number of seconds > 0 or text like 90s, 15m, 1h30m")
            }
            timeBudget = s
        }
        training.resolve("time_budget", timeBudget.map { YAMLNode($0) } ?? .null())
        let optimizer = try component(.optimizer, in: &training)
        let schedule = try component(.schedule, in: &training)
        var clip: Double? = 0.25
        if let c = training.node("clip") {
            clip = c.string == "none" ? nil : try ParameterKind.double(min: 0, exclusiveMin: true).decode(c, keyPath: "training.clip").doubleValue
        } else if training.isExplicitNull("clip") {
            clip = nil
        }
        training.resolve("clip", clip.map { YAMLNode($0) } ?? .null())
        let evalEvery = try training.int("eval_every", min: 1, default: nil)
        let logEvery = try training.int("log_every", min: 1, default: 100)!
        let checkpointEvery = try training.int("checkpoint_every", min: 1, default: 1000)
        let threads = try training.int("threads", min: 1, default: nil)
        var config = TrainingConfig(bptt: bptt, batchSize: batchSize, evalBatchSize: evalBatchSize, epochs: epochs, maxSteps: maxSteps,
                                    timeBudget: timeBudget, optimizer: optimizer, schedule: schedule, clip: clip, evalEvery: evalEvery,
                                    logEvery: logEvery, checkpointEvery: checkpointEvery, threads: threads)
        config.independentSentences = try independentSentences(&training)
        return config
    }

    private func diagnostics(_ diagnostics: inout ConfigSection) throws -> DiagnosticsConfig {
        var config = DiagnosticsConfig()
        if diagnostics.node("gradient_through_time") != nil {
            var gtt = try diagnostics.section("gradient_through_time")
            config.gradientThroughTimeEvery = try gtt.required("every", .int(min: 1), placeholder: .int(1)).intValue
            try diagnostics.close(gtt, as: "gradient_through_time")
        } else {
            diagnostics.resolve("gradient_through_time", .null())
        }
        return config
    }

    /// Seconds from a number or text such as `90s`, `15m`, `1h`, `1h30m`.
    static func seconds(_ node: YAMLNode) -> Double? {
        if let d = node.double { return d }
        guard let text = node.string?.lowercased().replacingOccurrences(of: " ", with: ""), !text.isEmpty else { return nil }
        var total = 0.0, number = ""
        for c in text {
            if c.isNumber || c == "." { number.append(c); continue }
            guard let v = Double(number) else { return nil }
            switch c {
            case "h": total += v * 3600
            case "m": total += v * 60
            case "s": total += v
            default: return nil
            }
            number = ""
        }
        if !number.isEmpty { return nil }
        return total
    }

    // MARK: - Components

    /// The component in `slot`: a bare name (normalised by the loader into `{name: …}`) or a
    /// mapping with `name` and parameters; without `name`, the slot's default component with the
    /// parameters given (so `--set training.optimizer.lr=2` works on a file that names none).
    private func component(_ slot: ComponentSlot, in section: inout ConfigSection) throws -> ComponentChoice {
        let keyPath = section.path(slot.key)
        let (defaultName, defaultArguments) = slot.defaultChoice
        guard let node = section.node(slot.key) else {
            var empty = try ConfigSection(YAMLNode(kind: .mapping([]), mark: section.mark), keyPath: keyPath)
            empty.resolve("name", YAMLNode(defaultName))
            let choice = try arguments(slot.kind, defaultName, nameKey: "name", nameMark: section.mark, nameKeyPath: keyPath, in: &empty,
                                       defaults: defaultArguments)
            try section.close(empty, as: slot.key)
            return choice
        }
        guard node.mapping != nil else {
            throw ConfigError(mark: node.mark, keyPath: keyPath, value: node.valueDescription,
                              message: "expected \(slot.kind.withArticle) name or a mapping with name, got \(node.valueDescription)")
        }
        var mapping = try ConfigSection(node, keyPath: keyPath)
        let chosen: String, nameMark: SourceMark, nameKeyPath: String
        if let nameNode = mapping.node("name") {
            guard let text = nameNode.scalarText else {
                throw ConfigError(mark: nameNode.mark, keyPath: keyPath + ".name", value: nameNode.valueDescription,
                                  message: "expected \(slot.kind.withArticle) name, got \(nameNode.valueDescription)")
            }
            // A bare name (`cell: elman`) was normalised into a mapping that shares its mark:
            // the user wrote `model.cell`, so an error names that path.
            (chosen, nameMark) = (text, nameNode.mark)
            nameKeyPath = nameNode.mark == node.mark ? keyPath : keyPath + ".name"
        } else {
            (chosen, nameMark, nameKeyPath) = (defaultName, node.mark, keyPath + ".name")
        }
        mapping.resolve("name", YAMLNode(chosen))
        let choice = try arguments(slot.kind, chosen, nameKey: "name", nameMark: nameMark, nameKeyPath: nameKeyPath, in: &mapping,
                                   defaults: chosen == defaultName ? defaultArguments : [:])
        try section.close(mapping, as: slot.key)
        return choice
    }

    /// Decodes the parameters of component `name` from the rest of `section` against the
    /// declaration of its factory: unknown parameters, types, ranges and required ones checked
    /// here, once; defaults filled in declared order.
    private func arguments(_ kind: ComponentKind, _ name: String, nameKey: String, nameMark: SourceMark, nameKeyPath: String,
                           in section: inout ConfigSection, defaults: [String: ConfigValue]) throws -> ComponentChoice {
        let specs: [ParameterSpec]
        do { specs = try registry.parameters(kind, name) } catch {
            throw ExperimentError.unknownName(name, kind: kind.rawValue, valid: registry.catalogue(kind).map(\.name),
                                              mark: nameMark, keyPath: nameKeyPath)
        }
        let declared = Set(specs.map(\.name))
        for key in section.presentKeys where key != nameKey && !declared.contains(key) {
            throw ConfigError(mark: section.keyMark(key) ?? section.mark, keyPath: section.path(key), value: key,
                              message: "unknown parameter of \(kind.rawValue) \(name)"
                                  + ConfigError.suggestionTail(key, valid: specs.map(\.name), none: "; it takes none"))
        }
        var values: [(name: String, value: ConfigValue)] = []
        for spec in specs {
            let given = try section.value(spec.name, spec.kind, default: defaults[spec.name] ?? spec.defaultValue, omitNull: true,
                                          nullable: spec.isOptional)
            if let given {
                values.append((spec.name, given))
            } else if !spec.isOptional {
                throw ConfigError(mark: nameMark, keyPath: section.path(spec.name), value: nil,
                                  message: "missing; \(kind.rawValue) \(name) needs \(spec.kind.expectation)")
            }
        }
        return ComponentChoice(name, ComponentArguments(values))
    }
}
