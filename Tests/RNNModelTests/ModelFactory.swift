// Helpers that build small Elman language models for the tests.

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
