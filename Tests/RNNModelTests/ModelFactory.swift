// Helpers that build small language models (Elman, LSTM, GRU; one layer or a stack) for the tests.

import RNNModel
import RNNTensor

enum TestModels {
    static func activation(_ name: String) -> any Activation {
        switch name {
        case "tanh": return Tanh()
        case "relu": return ReLU()
        case "sigmoid": return Sigmoid()
        default: preconditionFailure("unknown activation \(name)")
        }
    }

    /// An Elman LM; tied models share the embedding table with the output layer.
    static func elman<T: BLASScalar>(_: T.Type, vocabulary V: Int, embedding E: Int, hidden H: Int,
                                     activation: String, tied: Bool, bias: Bool) throws -> LanguageModel<T> {
        let embedding = Embedding<T>(vocabularySize: V, embeddingSize: E)
        let cell = ElmanCell<T>(inputSize: E, hiddenSize: H, activation: Self.activation(activation), bias: bias)
        if tied && E != H { throw ModelError.tiedSizeMismatch(embeddingSize: E, hiddenSize: H) }
        let output = tied
            ? SoftmaxOutput<T>(weight: embedding.table, tied: true, bias: bias)
            : SoftmaxOutput<T>(vocabularySize: V, hiddenSize: H, bias: bias)
        return try LanguageModel(embedding: embedding, cell: cell, output: output)
    }

    /// One layer of `cell` (`elman`, `elman-direct`: no input matrix, E = H; `lstm` or `gru`).
    static func cell<T: BLASScalar>(_ cell: String, _: T.Type, input E: Int, hidden H: Int, activation: String,
                                    bias: CellBias, namePrefix: String) -> any RecurrentCell<T> {
        switch cell {
        case "elman": return ElmanCell<T>(inputSize: E, hiddenSize: H, activation: Self.activation(activation), bias: bias, namePrefix: namePrefix)
        case "elman-direct":
            return ElmanCell<T>(inputSize: E, hiddenSize: H, activation: Self.activation(activation), bias: bias, direct: true, namePrefix: namePrefix)
        case "lstm": return LSTMCell<T>(inputSize: E, hiddenSize: H, bias: bias, namePrefix: namePrefix)
        case "gru": return GRUCell<T>(inputSize: E, hiddenSize: H, bias: bias, namePrefix: namePrefix)
        default: preconditionFailure("unknown cell \(cell)")
        }
    }

    /// A language model with `layers` layers of `cell` (a plain cell for one layer, else a
    /// `StackedCell` with `dropout` between layers); tied models share the embedding table.
    static func model<T: BLASScalar>(_: T.Type, cell: String, layers: Int, vocabulary V: Int, embedding E: Int, hidden H: Int,
                                     activation: String = "tanh", tied: Bool, bias: CellBias, dropout: Double = 0) throws -> LanguageModel<T> {
        let embedding = Embedding<T>(vocabularySize: V, embeddingSize: E)
        let recurrent: any RecurrentCell<T> = layers == 1
            ? Self.cell(cell, T.self, input: E, hidden: H, activation: activation, bias: bias, namePrefix: "cell.")
            : StackedCell<T>(count: layers, inputSize: E, dropout: dropout) { input, prefix in
                Self.cell(cell, T.self, input: input, hidden: H, activation: activation, bias: bias, namePrefix: prefix)
            }
        if tied && E != H { throw ModelError.tiedSizeMismatch(embeddingSize: E, hiddenSize: H) }
        let output = tied
            ? SoftmaxOutput<T>(weight: embedding.table, tied: true, bias: bias != .none)
            : SoftmaxOutput<T>(vocabularySize: V, hiddenSize: H, bias: bias != .none)
        return try LanguageModel(embedding: embedding, cell: recurrent, output: output)
    }

    /// Fills every parameter uniformly in ±range.
    static func randomize<T: BLASScalar>(_ model: LanguageModel<T>, seed: UInt64, range: Double) {
        var rng = Xoshiro256(seed: seed)
        for p in model.parameters { Initializer.uniform(range: range).fill(p.value, using: &rng) }
    }

    /// Random token ids in 0..<V.
    static func tokens(_ n: Int, vocabulary V: Int, seed: UInt64) -> [Int32] {
        var rng = Xoshiro256(seed: seed)
        return (0..<n).map { _ in Int32(rng.next() % UInt64(V)) }
    }
}
