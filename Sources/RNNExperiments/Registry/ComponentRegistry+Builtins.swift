// The standard components: datasets (text, chars, synthetic), the Elman cell, tanh/relu/sigmoid,
// the full softmax (tied or untied), the class softmax, the hierarchical softmax and NCE
// (FastOutputLayers.swift), initializers, SGD/Adagrad/Adam, and the constant, plateau and step
// schedules; averaged SGD (`asgd`) and the `budget` schedule come from
// ComponentRegistry+Annealing.swift.

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

/// The `text` and `chars` datasets' parameters.
struct TextDatasetParameters: ComponentParameters {
    var train = ""
    var valid = "", test = ""
    var validFraction = 0.05, testFraction = 0.05
    var maxVocab: Int?
    var minCount = 1
    var unk = "<unk>"

    static let declaration = ParameterDeclaration<Self>()
        .string("train", \.train, required: true, "training file; with valid and test absent, the one file split by valid_fraction and test_fraction")
        .string("valid", \.valid, "validation file (empty: split from train)")
        .string("test", \.test, "test file (empty: split from train)")
        .number("valid_fraction", \.validFraction, .double(min: 0, max: 0.5, exclusiveMin: true), "share of a single file used for validation")
        .number("test_fraction", \.testFraction, .double(min: 0, max: 0.5, exclusiveMin: true), "share of a single file used for test")
        .optionalInt("max_vocab", \.maxVocab, .int(min: 2), "keep at most this many tokens (most frequent), counting the unknown token; absent keeps all")
        .int("min_count", \.minCount, .int(min: 1), "drop tokens seen fewer times in training (they become the unknown token)")
        .string("unk", \.unk, "the unknown token")

    var vocabularyOptions: VocabularyOptions {
        VocabularyOptions(maxSize: maxVocab, minCount: minCount, unknownToken: unk)
    }
}

private func textDataset(level: TokenLevel) -> ComponentFactory<DatasetContext, Corpus> {
    let what = level == .word ? "word-level text, one sentence per line, <eos> after each line (PTB, WikiText)"
                              : "character-level text, every character a token (char-rnn)"
    return ComponentFactory(level == .word ? "text" : "chars", what, parameters: TextDatasetParameters.self) { a, context in
        let trainPath = try context.resolvePath(a.train, "data.train")
        let train = try readCorpusFile(trainPath, keyPath: "data.train")
        if a.valid.isEmpty != a.test.isEmpty {
            throw ExperimentError("give both valid and test files, or neither (to split train by fractions)", keyPath: "data")
        }
        if a.valid.isEmpty {
            return try keyedCorpusErrors([(trainPath, "data.train")]) {
                try CorpusBuilder.fromSingleText(train, name: trainPath, level: level,
                                                 validFraction: a.validFraction, testFraction: a.testFraction,
                                                 options: a.vocabularyOptions)
            }
        }
        let validPath = try context.resolvePath(a.valid, "data.valid")
        let testPath = try context.resolvePath(a.test, "data.test")
        let valid = try readCorpusFile(validPath, keyPath: "data.valid"), test = try readCorpusFile(testPath, keyPath: "data.test")
        return try keyedCorpusErrors([(trainPath, "data.train"), (validPath, "data.valid"), (testPath, "data.test")]) {
            try CorpusBuilder.fromSplits(train: (train, trainPath), valid: (valid, validPath), test: (test, testPath),
                                         level: level, options: a.vocabularyOptions)
        }
    }
}

/// Split sizes of a generated dataset: at most 100 million tokens a split (400 MB as token ids);
/// larger is a typo, not an experiment.
let splitTokens = ParameterKind.int(min: 100, max: 100_000_000)

/// The `synthetic` dataset's parameters.
struct SyntheticDatasetParameters: ComponentParameters {
    var trainTokens = 1_000_000, validTokens = 100_000, testTokens = 100_000
    var openers = 8, fillers = 16, successors = 4, minLength = 4, maxLength = 8

    static let declaration = ParameterDeclaration<Self>()
        .int("train_tokens", \.trainTokens, splitTokens, "training tokens to generate")
        .int("valid_tokens", \.validTokens, splitTokens, "validation tokens")
        .int("test_tokens", \.testTokens, splitTokens, "test tokens")
        .int("openers", \.openers, .int(min: 1, max: 1000), "bracket kinds K (the closer must match the opener)")
        .int("fillers", \.fillers, .int(min: 1, max: 10000), "filler tokens F")
        .int("successors", \.successors, .int(min: 1, max: 10000), "fillers that may follow each filler")
        .int("min_length", \.minLength, .int(min: 1, max: 1000), "shortest filler run between opener and closer")
        .int("max_length", \.maxLength, .int(min: 1, max: 1000), "longest filler run")
}

private let syntheticDataset = ComponentFactory<DatasetContext, Corpus>(
    "synthetic", "a generated bracket language with a known entropy rate (needs no download)",
    parameters: SyntheticDatasetParameters.self) { a, context in
    let p = SyntheticLanguage.Parameters(openers: a.openers, fillers: a.fillers, successors: a.successors,
                                         minLength: a.minLength, maxLength: a.maxLength)
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
    let train = language.generate(tokens: a.trainTokens, using: &rng)
    let valid = language.generate(tokens: a.validTokens, using: &rng)
    let test = language.generate(tokens: a.testTokens, using: &rng)
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

            try r.register(cell: ComponentFactory("elman", "Elman cell: h_t = g(U h_{t-1} + W e_t + b), or g(U h_{t-1} + e_t + b) with direct_input",
                parameters: ElmanParameters.self) { a, c in
                if a.directInput && c.inputSize != c.hiddenSize {
                    throw ExperimentError("true needs embedding_size = hidden_size (the input enters the recurrence as it is), and they are \(c.inputSize) and \(c.hiddenSize); set them equal or drop direct_input",
                                          keyPath: "model.cell.direct_input", value: "true")
                }
                return ElmanCell<Float>(inputSize: c.inputSize, hiddenSize: c.hiddenSize, activation: c.activation, bias: CellBias(c.bias),
                                        direct: a.directInput, namePrefix: c.namePrefix)
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
                parameters: ClassSoftmaxParameters.self) { a, c in
                let requested = a.classes
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

            try r.register(output: hierarchicalSoftmaxOutput)
            try r.register(output: nceOutput)

            try r.register(initializer: ComponentFactory("uniform", "uniform in [-range, range]",
                parameters: UniformParameters.self) { a, _ in .uniform(range: a.range) })
            try r.register(initializer: ComponentFactory("normal", "normal with mean 0",
                parameters: NormalParameters.self) { a, _ in .normal(std: a.std) })
            try r.register(initializer: ComponentFactory("xavier", "Glorot/Xavier uniform, ±gain·√(6/(fan_in+fan_out))",
                parameters: GainParameters.self) { a, _ in .xavierUniform(gain: a.gain) })
            try r.register(initializer: ComponentFactory("orthogonal", "random orthogonal matrix times gain (Saxe et al.)",
                parameters: GainParameters.self) { a, _ in .orthogonal(gain: a.gain) })
            try r.register(initializer: ComponentFactory("zeros", "all zeros") { _, _ in .zeros })
            try r.register(initializer: ComponentFactory("pytorch_rnn", "PyTorch's nn.RNN default: uniform in ±gain/√hidden_size",
                parameters: GainParameters.self) { a, c in .uniform(range: a.gain / Double(c.hiddenSize).squareRoot()) })

            try r.register(optimizer: ComponentFactory("sgd", "plain SGD, p -= lr · g (Mikolov's RNNLM, PyTorch's example)",
                parameters: SGDParameters.self) { a, _ in
                OptimizerSetup(optimizer: SGD<Float>(), learningRate: a.lr)
            })
            try r.register(optimizer: ComponentFactory("adagrad", "Adagrad: p -= lr · g / (√Σg² + eps)",
                parameters: AdagradParameters.self) { a, _ in
                OptimizerSetup(optimizer: Adagrad<Float>(epsilon: a.eps, initialAccumulator: a.initialAccumulator), learningRate: a.lr)
            })
            try r.register(optimizer: ComponentFactory("adam", "Adam with bias correction (Kingma & Ba)",
                parameters: AdamParameters.self) { a, _ in
                OptimizerSetup(optimizer: Adam<Float>(beta1: a.beta1, beta2: a.beta2, epsilon: a.eps), learningRate: a.lr)
            })
            try r.register(optimizer: averagedSGDOptimizer)

            try r.register(schedule: ComponentFactory("constant", "the same learning rate throughout") { _, c in
                ConstantSchedule(learningRate: c.learningRate)
            })
            try r.register(schedule: ComponentFactory("plateau",
                "divide the learning rate when validation stops improving (PyTorch example: factor 4; Mikolov: factor 2, restore_best)",
                parameters: PlateauParameters.self) { a, c in
                PlateauSchedule(learningRate: c.learningRate, factor: a.factor, minImprovement: a.minImprovement,
                                patience: a.patience, restoreBest: a.restoreBest, maxDecays: a.maxDecays, minLearningRate: a.minLR)
            })
            try r.register(schedule: ComponentFactory("step", "multiply the learning rate by gamma every `every` epochs after `start`",
                parameters: StepDecayParameters.self) { a, c in
                StepDecaySchedule(learningRate: c.learningRate, gamma: a.gamma, everyEpochs: a.every, startEpoch: a.start)
            })
            try r.register(schedule: budgetSchedule)
        } catch {
            preconditionFailure("builtin registry: \(error)")
        }
        return r
    }
}

// MARK: - The built-in components' parameters

struct ElmanParameters: ComponentParameters {
    var directInput = false
    static let declaration = ParameterDeclaration<Self>()
        .bool("direct_input", \.directInput, "no input matrix W: the embedding (E = H) enters the recurrence as it is, as in Mikolov's RNNLM and faster-rnnlm")
}

struct ClassSoftmaxParameters: ComponentParameters {
    var classes = 0
    static let declaration = ParameterDeclaration<Self>()
        .int("classes", \.classes, .int(min: 0), "number of classes C; 0 picks round(√V)")
}

struct UniformParameters: ComponentParameters {
    var range = 0.1
    static let declaration = ParameterDeclaration<Self>().number("range", \.range, .double(min: 0), "half-width of the interval")
}

struct NormalParameters: ComponentParameters {
    var std = 0.01
    static let declaration = ParameterDeclaration<Self>().number("std", \.std, .double(min: 0), "standard deviation")
}

struct GainParameters: ComponentParameters {
    var gain = 1.0
    static let declaration = ParameterDeclaration<Self>().number("gain", \.gain, .double(min: 0), "scale factor")
}

/// A learning rate: a number > 0.
private let learningRate = ParameterKind.double(min: 0, exclusiveMin: true)

struct SGDParameters: ComponentParameters {
    var lr = 1.0
    static let declaration = ParameterDeclaration<Self>().number("lr", \.lr, learningRate, "initial learning rate")
}

struct AdagradParameters: ComponentParameters {
    var lr = 0.1, eps = 1e-10, initialAccumulator = 0.0
    static let declaration = ParameterDeclaration<Self>()
        .number("lr", \.lr, learningRate, "initial learning rate")
        .number("eps", \.eps, .double(min: 0, exclusiveMin: true), "added to the denominator")
        .number("initial_accumulator", \.initialAccumulator, .double(min: 0), "starting value of Σg²")
}

struct AdamParameters: ComponentParameters {
    var lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8
    static let declaration = ParameterDeclaration<Self>()
        .number("lr", \.lr, learningRate, "initial learning rate")
        .number("beta1", \.beta1, .double(min: 0, max: 0.999999), "first-moment decay")
        .number("beta2", \.beta2, .double(min: 0, max: 0.999999), "second-moment decay")
        .number("eps", \.eps, .double(min: 0, exclusiveMin: true), "added to the denominator")
}

struct PlateauParameters: ComponentParameters {
    var factor = 4.0, minImprovement = 0.0, patience = 0, restoreBest = false, maxDecays: Int?, minLR = 0.0
    static let declaration = ParameterDeclaration<Self>()
        .number("factor", \.factor, .double(min: 1, exclusiveMin: true), "divide the learning rate by this")
        .number("min_improvement", \.minImprovement, .double(min: 0, max: 1), "relative loss improvement that counts as progress")
        .int("patience", \.patience, .int(min: 0), "non-improving epochs tolerated before dividing")
        .bool("restore_best", \.restoreBest, "go back to the best weights when dividing")
        .optionalInt("max_decays", \.maxDecays, .int(min: 0), "stop after this many divisions when validation stalls again (absent: never)")
        .number("min_lr", \.minLR, .double(min: 0), "stop instead of going below this learning rate")
}

struct StepDecayParameters: ComponentParameters {
    var gamma = 0.5, every = 1, start = 0
    static let declaration = ParameterDeclaration<Self>()
        .number("gamma", \.gamma, .double(min: 0, max: 1, exclusiveMin: true), "factor applied at each decay")
        .int("every", \.every, .int(min: 1), "epochs between decays")
        .int("start", \.start, .int(min: 0), "epochs before the first decay")
}
