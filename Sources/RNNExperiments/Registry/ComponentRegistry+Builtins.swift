// The standard components: datasets (text, chars, synthetic), the Elman cell, tanh/relu/sigmoid,
// the full softmax (tied or untied), initializers, SGD/Adagrad/Adam, and the constant, plateau
// and step schedules.

import Foundation
import RNNData
import RNNModel
import RNNTensor
import RNNTraining

/// Reads a whole file for a dataset, turning I/O problems into one-sentence errors.
func readCorpusFile(_ path: String, keyPath: String) throws -> [UInt8] {
    var info = stat()
    guard stat(path, &info) == 0 else {
        throw ExperimentError("the file \(path) does not exist", keyPath: keyPath)
    }
    guard info.st_mode & S_IFMT != S_IFDIR else { throw ExperimentError("\(path) is a folder, not a text file", keyPath: keyPath) }
    // A device or a pipe may never end (/dev/zero); a corpus is a regular file.
    guard info.st_mode & S_IFMT == S_IFREG else {
        throw ExperimentError("\(path) is not a regular file (a device or a pipe?); give a text file", keyPath: keyPath)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ExperimentError("the file \(path) cannot be read (permission denied?)", keyPath: keyPath)
    }
    return Array(data)
}

/// Runs `body`, turning a `CorpusError` about one of `files` (path → key path) into an error
/// that names the key path, e.g. `data.valid: ./valid.txt is empty; a corpus needs text`.
private func keyedCorpusErrors<T>(_ files: [(path: String, keyPath: String)], _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as CorpusError {
        let name: String?
        switch error {
        case let .empty(n), let .blank(n), let .binary(n, _), let .notUTF8(n, _, _), let .unknownToken(n, _, _): name = n
        case .tooShort, .badFractions: name = nil
        }
        let keyPath = files.first { $0.path == name }?.keyPath ?? "data"
        throw ExperimentError("\(error)", keyPath: keyPath)
    }
}

private let vocabularyParameters: [ParameterSpec] = [
    ParameterSpec("max_vocab", .int(min: 2), default: nil, optional: true, "keep at most this many tokens (most frequent), counting the unknown token; absent keeps all"),
    ParameterSpec("min_count", .int(min: 1), default: .int(1), "drop tokens seen fewer times in training (they become the unknown token)"),
    ParameterSpec("unk", .string(), default: .string("<unk>"), "the unknown token"),
]

private func vocabularyOptions(_ a: ComponentArguments) -> VocabularyOptions {
    VocabularyOptions(maxSize: a["max_vocab"].flatMap { if case let .int(v) = $0 { return v }; return nil },
                      minCount: a.int("min_count"), unknownToken: a.string("unk"))
}

private func textDataset(level: TokenLevel) -> ComponentFactory<DatasetContext, Corpus> {
    let what = level == .word ? "word-level text, one sentence per line, <eos> after each line (PTB, WikiText)"
                              : "character-level text, every character a token (char-rnn)"
    return ComponentFactory(level == .word ? "text" : "chars", what, parameters: [
        ParameterSpec("train", .string(), default: nil, "training file; with valid and test absent, the one file split by valid_fraction and test_fraction"),
        ParameterSpec("valid", .string(), default: .string(""), "validation file (empty: split from train)"),
        ParameterSpec("test", .string(), default: .string(""), "test file (empty: split from train)"),
        ParameterSpec("valid_fraction", .double(min: 0, max: 0.5, exclusiveMin: true), default: .double(0.05), "share of a single file used for validation"),
        ParameterSpec("test_fraction", .double(min: 0, max: 0.5, exclusiveMin: true), default: .double(0.05), "share of a single file used for test"),
    ] + vocabularyParameters) { a, context in
        let trainPath = try context.resolvePath(a.string("train"), "data.train")
        let train = try readCorpusFile(trainPath, keyPath: "data.train")
        let validName = a.string("valid"), testName = a.string("test")
        if validName.isEmpty != testName.isEmpty {
            throw ExperimentError("give both valid and test files, or neither (to split train by fractions)", keyPath: "data")
        }
        if validName.isEmpty {
            return try keyedCorpusErrors([(trainPath, "data.train")]) {
                try CorpusBuilder.fromSingleText(train, name: trainPath, level: level,
                                                 validFraction: a.double("valid_fraction"), testFraction: a.double("test_fraction"),
                                                 options: vocabularyOptions(a))
            }
        }
        let validPath = try context.resolvePath(validName, "data.valid")
        let testPath = try context.resolvePath(testName, "data.test")
        let valid = try readCorpusFile(validPath, keyPath: "data.valid"), test = try readCorpusFile(testPath, keyPath: "data.test")
        return try keyedCorpusErrors([(trainPath, "data.train"), (validPath, "data.valid"), (testPath, "data.test")]) {
            try CorpusBuilder.fromSplits(train: (train, trainPath), valid: (valid, validPath), test: (test, testPath),
                                         level: level, options: vocabularyOptions(a))
        }
    }
}

private let syntheticDataset = ComponentFactory<DatasetContext, Corpus>(
    "synthetic", "a generated bracket language with a known entropy rate (needs no download)",
    parameters: [
        // At most 100 million tokens a split (400 MB as token ids): larger is a typo, not an experiment.
        ParameterSpec("train_tokens", .int(min: 100, max: 100_000_000), default: .int(1_000_000), "training tokens to generate"),
        ParameterSpec("valid_tokens", .int(min: 100, max: 100_000_000), default: .int(100_000), "validation tokens"),
        ParameterSpec("test_tokens", .int(min: 100, max: 100_000_000), default: .int(100_000), "test tokens"),
        ParameterSpec("openers", .int(min: 1, max: 1000), default: .int(8), "bracket kinds K (the closer must match the opener)"),
        ParameterSpec("fillers", .int(min: 1, max: 10000), default: .int(16), "filler tokens F"),
        ParameterSpec("successors", .int(min: 1, max: 10000), default: .int(4), "fillers that may follow each filler"),
        ParameterSpec("min_length", .int(min: 1, max: 1000), default: .int(4), "shortest filler run between opener and closer"),
        ParameterSpec("max_length", .int(min: 1, max: 1000), default: .int(8), "longest filler run"),
    ]) { a, context in
    let p = SyntheticLanguage.Parameters(openers: a.int("openers"), fillers: a.int("fillers"), successors: a.int("successors"),
                                         minLength: a.int("min_length"), maxLength: a.int("max_length"))
    switch p.problem {
    case nil: break
    case let .successors(n, fillers)?:
        throw ExperimentError("\(n) is more than fillers (\(fillers)); expected from 1 to fillers", keyPath: "data.successors", value: "\(n)")
    case let .maxLength(n, minLength)?:
        throw ExperimentError("\(n) is less than min_length (\(minLength)); expected at least min_length", keyPath: "data.max_length", value: "\(n)")
    case let problem?:  // the declared ranges rule the others out
        throw ExperimentError("\(problem)", keyPath: "data")
    }
    var grammarRNG = Xoshiro256(seed: context.seed, stream: 101)
    let language = SyntheticLanguage(p, grammar: &grammarRNG)
    var rng = Xoshiro256(seed: context.seed, stream: 102)
    let train = language.generate(tokens: a.int("train_tokens"), using: &rng)
    let valid = language.generate(tokens: a.int("valid_tokens"), using: &rng)
    let test = language.generate(tokens: a.int("test_tokens"), using: &rng)
    var vocabulary = Vocabulary()
    var counts = [Int](repeating: 0, count: language.vocabulary.count)
    for t in train { counts[Int(t)] += 1 }
    vocabulary = Vocabulary(tokens: language.vocabulary.tokens, counts: counts)
    let identity = "synthetic(seed \(context.seed), K \(p.openers), F \(p.fillers), S \(p.successors), L \(p.minLength)…\(p.maxLength))"
    return Corpus(vocabulary: vocabulary, train: train, valid: valid, test: test,
                  sources: [(identity, SHA256.hex(of: Array(identity.utf8)))], entropyRate: language.entropyRate, tokenLevel: .word)
}

private func simpleActivation(_ name: String, _ summary: String, _ make: @escaping @Sendable () -> any Activation) -> ComponentFactory<Void, any Activation> {
    ComponentFactory(name, summary) { _, _ in make() }
}

extension ComponentRegistry {
    /// The standard components every experiment can use.
    public static var builtin: ComponentRegistry {
        var r = ComponentRegistry()
        // Names are distinct by construction; a duplicate here is a programmer error.
        do {
            try r.register(dataset: textDataset(level: .word))
            try r.register(dataset: textDataset(level: .chars))
            try r.register(dataset: syntheticDataset)
            try r.register(dataset: zipfDataset)

            try r.register(activation: simpleActivation("tanh", "hyperbolic tangent") { Tanh() })
            try r.register(activation: simpleActivation("relu", "rectified linear unit, max(0, x)") { ReLU() })
            try r.register(activation: simpleActivation("sigmoid", "logistic sigmoid, 1 / (1 + e^-x)") { Sigmoid() })

            try r.register(cell: ComponentFactory("elman", "Elman cell: h_t = g(U h_{t-1} + W e_t + b)") { _, c in
                ElmanCell<Float>(inputSize: c.inputSize, hiddenSize: c.hiddenSize, activation: c.activation, bias: c.bias,
                                 namePrefix: c.namePrefix)
            })
            try r.register(cell: ComponentFactory("lstm",
                "LSTM (PyTorch's nn.LSTM: gates i, f, g, o; biases b_ih and b_hh); state h and c; ignores model.activation") { _, c in
                LSTMCell<Float>(inputSize: c.inputSize, hiddenSize: c.hiddenSize, bias: c.bias ? .split : .none, namePrefix: c.namePrefix)
            })
            try r.register(cell: ComponentFactory("gru",
                "GRU (PyTorch's nn.GRU: gates r, z, n; the reset gate multiplies W_hn h + b_hn); ignores model.activation") { _, c in
                GRUCell<Float>(inputSize: c.inputSize, hiddenSize: c.hiddenSize, bias: c.bias, namePrefix: c.namePrefix)
            })

            try r.register(output: ComponentFactory("softmax", "full softmax over the vocabulary: V h + c, or E h + c when tied") { _, c in
                if c.tied {
                    return SoftmaxOutput<Float>(weight: c.embedding.table, tied: true, bias: c.bias, threads: c.threads)
                }
                return SoftmaxOutput<Float>(vocabularySize: c.vocabularySize, hiddenSize: c.hiddenSize, bias: c.bias, threads: c.threads)
            })

            try r.register(output: ComponentFactory("class_softmax",
                "Mikolov's class-based softmax: P(w|h) = P(class|h)·P(w|class,h), classes by frequency; O(C + V/C) per token",
                parameters: [ParameterSpec("classes", .int(min: 0), default: .int(0), "number of classes C; 0 picks round(√V)")]) { a, c in
                let requested = a.int("classes")
                let C = requested == 0 ? max(1, Int(Double(c.vocabularySize).squareRoot().rounded())) : requested
                guard C <= c.vocabularySize else {
                    throw ExperimentError("\(C) classes for \(c.vocabularySize) words; expected at most the vocabulary size", keyPath: "model.output.classes")
                }
                let classOf = ClassSoftmaxOutput<Float>.frequencyClasses(counts: c.tokenCounts, classes: C)
                if c.tied {
                    return ClassSoftmaxOutput<Float>(wordWeight: c.embedding.table, tied: true, classOf: classOf, bias: c.bias)
                }
                return ClassSoftmaxOutput<Float>(vocabularySize: c.vocabularySize, hiddenSize: c.hiddenSize, classOf: classOf, bias: c.bias)
            })

            try r.register(initializer: ComponentFactory("uniform", "uniform in [-range, range]",
                parameters: [ParameterSpec("range", .double(min: 0), default: .double(0.1), "half-width of the interval")]) { a, _ in
                .uniform(range: a.double("range"))
            })
            try r.register(initializer: ComponentFactory("normal", "normal with mean 0",
                parameters: [ParameterSpec("std", .double(min: 0), default: .double(0.01), "standard deviation")]) { a, _ in
                .normal(std: a.double("std"))
            })
            try r.register(initializer: ComponentFactory("xavier", "Glorot/Xavier uniform, ±gain·√(6/(fan_in+fan_out))",
                parameters: [ParameterSpec("gain", .double(min: 0), default: .double(1), "scale factor")]) { a, _ in
                .xavierUniform(gain: a.double("gain"))
            })
            try r.register(initializer: ComponentFactory("orthogonal", "random orthogonal matrix times gain (Saxe et al.)",
                parameters: [ParameterSpec("gain", .double(min: 0), default: .double(1), "scale factor")]) { a, _ in
                .orthogonal(gain: a.double("gain"))
            })
            try r.register(initializer: ComponentFactory("zeros", "all zeros") { _, _ in .zeros })
            try r.register(initializer: ComponentFactory("pytorch_rnn", "PyTorch's nn.RNN default: uniform in ±gain/√hidden_size",
                parameters: [ParameterSpec("gain", .double(min: 0), default: .double(1), "scale factor")]) { a, c in
                .uniform(range: a.double("gain") / Double(c.hiddenSize).squareRoot())
            })

            let lr = { (value: Double) in ParameterSpec("lr", .double(min: 0, exclusiveMin: true), default: .double(value), "initial learning rate") }
            try r.register(optimizer: ComponentFactory("sgd", "plain SGD, p -= lr · g (Mikolov's RNNLM, PyTorch's example)",
                parameters: [lr(1)]) { a, _ in
                OptimizerSetup(optimizer: SGD<Float>(), learningRate: a.double("lr"))
            })
            try r.register(optimizer: ComponentFactory("adagrad", "Adagrad: p -= lr · g / (√Σg² + eps)",
                parameters: [lr(0.1), ParameterSpec("eps", .double(min: 0, exclusiveMin: true), default: .double(1e-10), "added to the denominator"),
                             ParameterSpec("initial_accumulator", .double(min: 0), default: .double(0), "starting value of Σg²")]) { a, _ in
                OptimizerSetup(optimizer: Adagrad<Float>(epsilon: a.double("eps"), initialAccumulator: a.double("initial_accumulator")),
                               learningRate: a.double("lr"))
            })
            try r.register(optimizer: ComponentFactory("adam", "Adam with bias correction (Kingma & Ba)",
                parameters: [lr(0.001),
                             ParameterSpec("beta1", .double(min: 0, max: 0.999999), default: .double(0.9), "first-moment decay"),
                             ParameterSpec("beta2", .double(min: 0, max: 0.999999), default: .double(0.999), "second-moment decay"),
                             ParameterSpec("eps", .double(min: 0, exclusiveMin: true), default: .double(1e-8), "added to the denominator")]) { a, _ in
                OptimizerSetup(optimizer: Adam<Float>(beta1: a.double("beta1"), beta2: a.double("beta2"), epsilon: a.double("eps")),
                               learningRate: a.double("lr"))
            })

            try r.register(schedule: ComponentFactory("constant", "the same learning rate throughout") { _, c in
                ConstantSchedule(learningRate: c.learningRate)
            })
            try r.register(schedule: ComponentFactory("plateau",
                "divide the learning rate when validation stops improving (PyTorch example: factor 4; Mikolov: factor 2, restore_best)",
                parameters: [
                    ParameterSpec("factor", .double(min: 1, exclusiveMin: true), default: .double(4), "divide the learning rate by this"),
                    ParameterSpec("min_improvement", .double(min: 0, max: 1), default: .double(0), "relative loss improvement that counts as progress"),
                    ParameterSpec("patience", .int(min: 0), default: .int(0), "non-improving epochs tolerated before dividing"),
                    ParameterSpec("restore_best", .bool, default: .bool(false), "go back to the best weights when dividing"),
                    ParameterSpec("max_decays", .int(min: 0), default: nil, optional: true, "stop after this many divisions when validation stalls again (absent: never)"),
                    ParameterSpec("min_lr", .double(min: 0), default: .double(0), "stop instead of going below this learning rate"),
                ]) { a, c in
                PlateauSchedule(learningRate: c.learningRate, factor: a.double("factor"), minImprovement: a.double("min_improvement"),
                                patience: a.int("patience"), restoreBest: a.bool("restore_best"),
                                maxDecays: a["max_decays"].flatMap { if case let .int(v) = $0 { return v }; return nil },
                                minLearningRate: a.double("min_lr"))
            })
            try r.register(schedule: ComponentFactory("step", "multiply the learning rate by gamma every `every` epochs after `start`",
                parameters: [
                    ParameterSpec("gamma", .double(min: 0, max: 1, exclusiveMin: true), default: .double(0.5), "factor applied at each decay"),
                    ParameterSpec("every", .int(min: 1), default: .int(1), "epochs between decays"),
                    ParameterSpec("start", .int(min: 0), default: .int(0), "epochs before the first decay"),
                ]) { a, c in
                StepDecaySchedule(learningRate: c.learningRate, gamma: a.double("gamma"), everyEpochs: a.int("every"), startEpoch: a.int("start"))
            })
        } catch {
            preconditionFailure("builtin registry: \(error)")
        }
        return r
    }
}
