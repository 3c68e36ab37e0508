// ExperimentConfig: an experiment file decoded into typed values, defaults filled in, every
// component named and its arguments validated against its factory. Nothing past this point
// reads YAML.

/// A component chosen by name, with its validated arguments.
public struct ComponentChoice: Sendable, Equatable {
    public var name: String
    public var arguments: ComponentArguments

    public init(_ name: String, _ arguments: ComponentArguments = ComponentArguments([])) {
        self.name = name
        self.arguments = arguments
    }
}

/// How parameters start.
public struct InitializationConfig: Sendable, Equatable {
    public var embedding: ComponentChoice
    /// W (input → hidden).
    public var input: ComponentChoice
    /// U (hidden → hidden).
    public var recurrent: ComponentChoice
    /// V (untied output weights).
    public var output: ComponentChoice
    /// Every bias.
    public var bias: ComponentChoice
    /// The total bias of an LSTM's forget gate after the bias rule (nil: the bias rule alone).
    public var forgetGateBias: Double?

    public init(embedding: ComponentChoice, input: ComponentChoice, recurrent: ComponentChoice, output: ComponentChoice, bias: ComponentChoice,
                forgetGateBias: Double? = nil) {
        self.forgetGateBias = forgetGateBias
        self.embedding = embedding
        self.input = input
        self.recurrent = recurrent
        self.output = output
        self.bias = bias
    }
}

/// The model section.
public struct ModelConfig: Sendable, Equatable {
    public var cell: ComponentChoice
    /// Stacked layers of the cell (the top one feeds the output layer).
    public var layers: Int = 1
    public var embeddingSize: Int
    public var hiddenSize: Int
    public var activation: ComponentChoice
    public var tied: Bool
    public var bias: Bool
    public var output: ComponentChoice
    public var initialization: InitializationConfig
    /// Dropout on the embedded inputs and on the cell's outputs (training only).
    public var dropoutEmbedding: Double = 0
    public var dropoutOutput: Double = 0
    /// Dropout between stacked layers, on the non-recurrent connections (Zaremba et al. 2014).
    public var dropoutBetweenLayers: Double = 0

    public init(cell: ComponentChoice, embeddingSize: Int, hiddenSize: Int, activation: ComponentChoice, tied: Bool, bias: Bool, output: ComponentChoice, initialization: InitializationConfig) {
        self.cell = cell
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.activation = activation
        self.tied = tied
        self.bias = bias
        self.output = output
        self.initialization = initialization
    }
}

/// The training section.
public struct TrainingConfig: Sendable, Equatable {
    /// Truncation length; nil means full-sequence BPTT (one chunk per stream and epoch).
    public var bptt: Int?
    public var batchSize: Int
    public var evalBatchSize: Int
    public var epochs: Int?
    public var maxSteps: Int?
    /// Seconds.
    public var timeBudget: Double?
    public var optimizer: ComponentChoice
    public var schedule: ComponentChoice
    public var clip: Double?
    public var evalEvery: Int?
    public var logEvery: Int
    public var checkpointEvery: Int?
    /// BLAS and softmax threads; nil uses every core.
    public var threads: Int?
    /// Where the state is reset at every `<eos>` (Mikolov's `-independent`); off by default.
    public var independentSentences = IndependentSentences()

    public init(bptt: Int?, batchSize: Int, evalBatchSize: Int, epochs: Int?, maxSteps: Int?, timeBudget: Double?, optimizer: ComponentChoice, schedule: ComponentChoice, clip: Double?, evalEvery: Int?, logEvery: Int, checkpointEvery: Int?, threads: Int?) {
        self.bptt = bptt
        self.batchSize = batchSize
        self.evalBatchSize = evalBatchSize
        self.epochs = epochs
        self.maxSteps = maxSteps
        self.timeBudget = timeBudget
        self.optimizer = optimizer
        self.schedule = schedule
        self.clip = clip
        self.evalEvery = evalEvery
        self.logEvery = logEvery
        self.checkpointEvery = checkpointEvery
        self.threads = threads
    }
}

/// Opt-in measurements taken while training.
public struct DiagnosticsConfig: Sendable, Equatable {
    /// Record ‖∂L_T/∂h_k‖ against the distance T − k every this many steps (nil: never).
    public var gradientThroughTimeEvery: Int?

    public init(gradientThroughTimeEvery: Int? = nil) {
        self.gradientThroughTimeEvery = gradientThroughTimeEvery
    }
}

/// A whole experiment.
public struct ExperimentConfig: Sendable, Equatable {
    public var name: String
    public var description: String
    public var seed: UInt64
    public var data: ComponentChoice
    /// The model and, for a recurrent one, its training (`model` and `training` read it for RNN code).
    public var kind: ModelKind
    /// Opt-in measurements while training (recurrent models only).
    public var diagnostics = DiagnosticsConfig()
    /// The file it came from (for messages and for resolving relative data paths).
    public var sourcePath: String
    /// Where each key was written, for problems found after decoding (not part of equality).
    public var marks = SourceMarks()

    public init(name: String, description: String, seed: UInt64, data: ComponentChoice, kind: ModelKind, sourcePath: String) {
        self.name = name
        self.description = description
        self.seed = seed
        self.data = data
        self.kind = kind
        self.sourcePath = sourcePath
    }

    /// A recurrent-network experiment.
    public init(name: String, description: String, seed: UInt64, data: ComponentChoice, model: ModelConfig, training: TrainingConfig, sourcePath: String) {
        self.init(name: name, description: description, seed: seed, data: data, kind: .recurrent(model, training), sourcePath: sourcePath)
    }
}
