// The output layers of the fast toolkits (word2vec, faster-rnnlm): `hierarchical_softmax` over a
// Huffman tree of the training counts, and `nce`, noise-contrastive estimation with an exactly
// normalised softmax for validation and test. Registered in ComponentRegistry+Builtins.swift.
// The equations and shapes are in docs/output-layers.md.

import RNNModel
import RNNTensor

let hierarchicalSoftmaxOutput = ComponentFactory<OutputContext, any OutputLayer<Float>>(
    "hierarchical_softmax",
    "word2vec's and faster-rnnlm's hierarchical softmax: logistic units on a Huffman tree of the training counts; O(H log V) per token, exactly normalised; cannot be tied") { _, c in
    if c.tied {
        throw ExperimentError("true cannot be used with output hierarchical_softmax: its inner nodes are not words, so they cannot share the embedding table; set tied: false, or choose output softmax, class_softmax or nce",
                              keyPath: "model.tied", value: "true")
    }
    guard c.vocabularySize >= 2 else {
        throw ExperimentError("hierarchical_softmax needs a vocabulary of at least 2 tokens, and this one has \(c.vocabularySize)",
                              keyPath: "model.output")
    }
    return HierarchicalSoftmaxOutput<Float>(counts: c.tokenCounts, hiddenSize: c.hiddenSize, bias: c.bias)
}

/// The `nce` output layer's parameters.
struct NCEParameters: ComponentParameters {
    var k = 20
    var alpha = 1.0
    var logZ: Double?

    static let declaration = ParameterDeclaration<Self>()
        .int("k", \.k, .int(min: 1, max: 10_000), "noise words drawn per target token")
        .number("alpha", \.alpha, .double(min: 0, max: 1),
                "noise distribution q(w) ∝ count(w)^alpha over the training counts (1: unigram, as Mnih & Teh and faster-rnnlm; 0.75: word2vec's; 0: uniform)")
        .optionalNumber("log_z", \.logZ, .double(min: -100, max: 100),
                        "the fixed log-normaliser subtracted from the scores while training; absent: log V")
}

let nceOutput = ComponentFactory<OutputContext, any OutputLayer<Float>>(
    "nce",
    "noise-contrastive estimation (Mnih & Teh 2012, faster-rnnlm) for training, k noise words per token; valid/test use the exactly normalised softmax of the same V h + c (tied: E h + c)",
    parameters: NCEParameters.self) { a, c in
    let softmax = c.tied ? SoftmaxOutput<Float>(weight: c.embedding.table, tied: true, bias: c.bias, threads: c.threads)
                         : SoftmaxOutput<Float>(vocabularySize: c.vocabularySize, hiddenSize: c.hiddenSize, bias: c.bias, threads: c.threads)
    // The generator is seeded from the experiment seed by the model builder (random stream 3).
    return NCEOutput<Float>(softmax: softmax, counts: c.tokenCounts, noiseCount: a.k, power: a.alpha, logZ: a.logZ)
}
