// ComponentSlot: the keys of an experiment file whose value names a component, with the kind of
// component and the default. The one list of them: the decoder reads each slot, the loader
// rewrites a bare name (`optimizer: sgd`) into a mapping so overrides and sweeps can address its
// parameters, and `rnnlab components` says which key chooses each kind.

/// A key that chooses a component by name (a bare name, or a mapping with `name` and parameters).
enum ComponentSlot: CaseIterable {
    case cell, activation, output
    case initEmbedding, initInput, initRecurrent, initOutput, initBias
    case optimizer, schedule

    /// The key path, e.g. `["training", "optimizer"]`.
    var path: [String] {
        switch self {
        case .cell: return ["model", "cell"]
        case .activation: return ["model", "activation"]
        case .output: return ["model", "output"]
        case .initEmbedding: return ["model", "init", "embedding"]
        case .initInput: return ["model", "init", "input"]
        case .initRecurrent: return ["model", "init", "recurrent"]
        case .initOutput: return ["model", "init", "output"]
        case .initBias: return ["model", "init", "bias"]
        case .optimizer: return ["training", "optimizer"]
        case .schedule: return ["training", "schedule"]
        }
    }

    var key: String { path.last! }

    var kind: ComponentKind {
        switch self {
        case .cell: return .cell
        case .activation: return .activation
        case .output: return .output
        case .initEmbedding, .initInput, .initRecurrent, .initOutput, .initBias: return .initializer
        case .optimizer: return .optimizer
        case .schedule: return .schedule
        }
    }

    /// The component used when the key is absent, and parameter values that differ from its
    /// factory's defaults in this slot (the embedding and output tables start uniform in ±0.1).
    var defaultChoice: (name: String, arguments: [String: ConfigValue]) {
        switch self {
        case .cell: return ("elman", [:])
        case .activation: return ("tanh", [:])
        case .output: return ("softmax", [:])
        case .initEmbedding, .initOutput: return ("uniform", ["range": .double(0.1)])
        case .initInput, .initRecurrent: return ("pytorch_rnn", [:])
        case .initBias: return ("zeros", [:])
        case .optimizer: return ("sgd", [:])
        case .schedule: return ("constant", [:])
        }
    }
}

extension ComponentKind {
    /// The experiment-file key that names a component of this kind (`model.init.*` for the
    /// initializers, which several keys choose).
    public var configKey: String {
        if self == .dataset { return "data.type" }
        let paths = ComponentSlot.allCases.filter { $0.kind == self }.map(\.path)
        guard let first = paths.first else { return "-" }
        if paths.count == 1 { return first.joined(separator: ".") }
        return first.dropLast().joined(separator: ".") + ".*"
    }
}
