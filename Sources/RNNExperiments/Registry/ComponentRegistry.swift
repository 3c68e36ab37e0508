// ComponentRegistry: the value that maps component names to factories, per kind (cell,
// activation, output layer, optimizer, schedule, dataset, initializer). The runner builds every
// part of an experiment through it; a plugin registers its own factories into a copy of
// `ComponentRegistry.builtin` and starts the CLI with it.
//
// There is no global registry: a registry is an ordinary value, passed in.

import RNNData
import RNNModel
import RNNTensor
import RNNTraining
import RNNYAML

/// The kinds of components an experiment is assembled from.
public enum ComponentKind: String, CaseIterable, Sendable {
    case dataset
    case cell
    case activation
    case output
    case initializer
    case optimizer
    case schedule

    /// "a cell", "an optimizer": the kind in running text.
    var withArticle: String {
        ("aeiou".contains(rawValue.first!) ? "an " : "a ") + rawValue
    }
}

/// A named, documented way to build one kind of product from typed arguments and a context.
public struct ComponentFactory<Context, Product>: Sendable {
    public let name: String
    /// One line: what it is.
    public let summary: String
    /// The parameters, from the factory's parameter type's declaration (what the experiment
    /// decoder checks against and `rnnlab components` prints).
    public let parameters: [ParameterSpec]
    /// Builds from arguments the decoder validated against `parameters`.
    let build: @Sendable (ComponentArguments, Context) throws -> Product

    /// A factory whose parameters are the typed value `P`: declared once, in `P.declaration`,
    /// and handed to `build` decoded, defaults filled in.
    public init<P: ComponentParameters>(_ name: String, _ summary: String, parameters: P.Type,
                                        build: @escaping @Sendable (P, Context) throws -> Product) {
        self.name = name
        self.summary = summary
        self.parameters = P.declaration.specs
        self.build = { arguments, context in try build(P.declaration.decode(arguments), context) }
    }

    /// A factory without parameters.
    public init(_ name: String, _ summary: String, build: @escaping @Sendable (NoParameters, Context) throws -> Product) {
        self.init(name, summary, parameters: NoParameters.self, build: build)
    }
}

/// What a cell factory is given besides its own parameters.
public struct CellContext {
    /// The layer's input size: the embedding size for the first layer, H above it.
    public var inputSize: Int
    public var hiddenSize: Int
    public var activation: any Activation
    public var bias: Bool
    /// The prefix of the layer's parameter names (`cell.` for one layer, `cell.l1.` for the second
    /// of a stack): names must be unique, they key the weights in checkpoints.
    public var namePrefix: String
}

/// What an output-layer factory is given besides its own parameters.
public struct OutputContext {
    public var embedding: Embedding<Float>
    public var hiddenSize: Int
    public var vocabularySize: Int
    public var tied: Bool
    public var bias: Bool
    /// Training-split count of each token id (for frequency-based class assignment).
    public var tokenCounts: [Int]
    /// Threads available to the layer's own loops.
    public var threads: Int
}

/// An optimizer and the learning rate it starts from (the schedule takes it from there).
public struct OptimizerSetup {
    public var optimizer: any Optimizer<Float>
    public var learningRate: Double
}

/// What an initializer factory is given besides its own parameters.
public struct InitializerContext {
    /// H, for schemes scaled by the hidden size (PyTorch's RNN default: U(±1/√H)).
    public var hiddenSize: Int
}

/// What a schedule factory is given besides its own parameters.
public struct ScheduleContext {
    public var learningRate: Double
}

/// What a dataset factory is given besides its own parameters.
public struct DatasetContext {
    /// Turns a path from the experiment file into a readable absolute path (resolving it
    /// against --data-root, RNNLAB_DATA or the experiment file's folder).
    public var resolvePath: (_ path: String, _ keyPath: String) throws -> String
    /// A generator for datasets that are generated (seeded from the experiment's seed).
    public var seed: UInt64
}

/// A name registered twice (a plugin's mistake, found when it starts).
public enum RegistryError: Error, Equatable, CustomStringConvertible {
    case duplicate(kind: ComponentKind, name: String)

    public var description: String {
        switch self {
        case let .duplicate(kind, name):
            return "\(kind.withArticle) named \(name) is already registered; register yours under another name"
        }
    }
}

/// All factories, by kind and name.
public struct ComponentRegistry: Sendable {
    public private(set) var datasets: [String: ComponentFactory<DatasetContext, Corpus>] = [:]
    public private(set) var cells: [String: ComponentFactory<CellContext, any RecurrentCell<Float>>] = [:]
    public private(set) var activations: [String: ComponentFactory<Void, any Activation>] = [:]
    public private(set) var outputs: [String: ComponentFactory<OutputContext, any OutputLayer<Float>>] = [:]
    public private(set) var initializers: [String: ComponentFactory<InitializerContext, Initializer>] = [:]
    public private(set) var optimizers: [String: ComponentFactory<Void, OptimizerSetup>] = [:]
    public private(set) var schedules: [String: ComponentFactory<ScheduleContext, any LearningRateSchedule>] = [:]

    /// An empty registry (see `builtin` for the standard components).
    public init() {}

    private static func insert<C, P>(_ f: ComponentFactory<C, P>, into table: inout [String: ComponentFactory<C, P>],
                                     kind: ComponentKind) throws(RegistryError) {
        guard table[f.name] == nil else { throw .duplicate(kind: kind, name: f.name) }
        table[f.name] = f
    }

    public mutating func register(dataset f: ComponentFactory<DatasetContext, Corpus>) throws(RegistryError) {
        try Self.insert(f, into: &datasets, kind: .dataset)
    }
    public mutating func register(cell f: ComponentFactory<CellContext, any RecurrentCell<Float>>) throws(RegistryError) {
        try Self.insert(f, into: &cells, kind: .cell)
    }
    public mutating func register(activation f: ComponentFactory<Void, any Activation>) throws(RegistryError) {
        try Self.insert(f, into: &activations, kind: .activation)
    }
    public mutating func register(output f: ComponentFactory<OutputContext, any OutputLayer<Float>>) throws(RegistryError) {
        try Self.insert(f, into: &outputs, kind: .output)
    }
    public mutating func register(initializer f: ComponentFactory<InitializerContext, Initializer>) throws(RegistryError) {
        try Self.insert(f, into: &initializers, kind: .initializer)
    }
    public mutating func register(optimizer f: ComponentFactory<Void, OptimizerSetup>) throws(RegistryError) {
        try Self.insert(f, into: &optimizers, kind: .optimizer)
    }
    public mutating func register(schedule f: ComponentFactory<ScheduleContext, any LearningRateSchedule>) throws(RegistryError) {
        try Self.insert(f, into: &schedules, kind: .schedule)
    }

    /// Name, summary and parameters of every factory of `kind`, sorted by name.
    public func catalogue(_ kind: ComponentKind) -> [(name: String, summary: String, parameters: [ParameterSpec])] {
        func list<C, P>(_ t: [String: ComponentFactory<C, P>]) -> [(name: String, summary: String, parameters: [ParameterSpec])] {
            t.values.sorted { $0.name < $1.name }.map { ($0.name, $0.summary, $0.parameters) }
        }
        switch kind {
        case .dataset: return list(datasets)
        case .cell: return list(cells)
        case .activation: return list(activations)
        case .output: return list(outputs)
        case .initializer: return list(initializers)
        case .optimizer: return list(optimizers)
        case .schedule: return list(schedules)
        }
    }

    /// The parameters of the factory `name` of `kind`, or an error naming the registered ones.
    public func parameters(_ kind: ComponentKind, _ name: String) throws(ExperimentError) -> [ParameterSpec] {
        let entries = catalogue(kind)
        if let e = entries.first(where: { $0.name == name }) { return e.parameters }
        throw .unknownName(name, kind: kind.rawValue, valid: entries.map(\.name))
    }

    /// The factory chosen by `choice` from `table` (the registry's table of `kind`): the one
    /// lookup of a component by name; an unknown name is `unknown <kind> "x"; did you mean …`.
    func factory<C, P>(_ table: [String: ComponentFactory<C, P>], _ kind: ComponentKind,
                       _ choice: ComponentChoice, at keyPath: String? = nil) throws(ExperimentError) -> ComponentFactory<C, P> {
        if let f = table[choice.name] { return f }
        throw .unknownName(choice.name, kind: kind.rawValue, valid: Array(table.keys), keyPath: keyPath ?? kind.configKey)
    }
}
