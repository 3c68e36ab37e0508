// The `zipf` dataset: a generated class-bigram language over a large Zipf-distributed
// vocabulary (RNNData's ZipfLanguage), with its exact entropy floor. Registered in
// ComponentRegistry+Builtins.swift; it reads no file.

import RNNData
import RNNTensor

/// The `zipf` dataset's parameters.
struct ZipfDatasetParameters: ComponentParameters {
    var trainTokens = 200_000, validTokens = 20_000, testTokens = 20_000
    var words = 4000, classes = 40, successors = 4
    var exponent = 1.0

    static let declaration = ParameterDeclaration<Self>()
        .int("train_tokens", \.trainTokens, splitTokens, "training tokens to generate")
        .int("valid_tokens", \.validTokens, splitTokens, "validation tokens")
        .int("test_tokens", \.testTokens, splitTokens, "test tokens")
        .int("words", \.words, .int(min: 1, max: 1_000_000), "vocabulary size V (words numbered by Zipf rank)")
        .int("classes", \.classes, .int(min: 1, max: 10_000), "word classes C; the next word's class depends on the current word's class")
        .int("successors", \.successors, .int(min: 1, max: 10_000), "classes that may follow each class")
        .number("exponent", \.exponent, .double(min: 0, max: 10), "Zipf exponent s: a word of rank r has weight r^-s within its class")
}

let zipfDataset = ComponentFactory<DatasetContext, Corpus>(
    "zipf", "a generated class-bigram language over a large Zipf-distributed vocabulary, with a known entropy rate (needs no download)",
    parameters: ZipfDatasetParameters.self) { a, context in
    let p = ZipfLanguage.Parameters(words: a.words, classes: a.classes, successors: a.successors, exponent: a.exponent)
    // The declared ranges hold each size; these are the sizes that must agree with each other.
    if p.words < p.classes {
        throw ExperimentError("\(p.words) is less than classes (\(p.classes)); expected at least classes", keyPath: "data.words", value: "\(p.words)")
    }
    if p.successors > p.classes {
        throw ExperimentError("\(p.successors) is more than classes (\(p.classes)); expected from 1 to classes", keyPath: "data.successors", value: "\(p.successors)")
    }
    var grammarRNG = Xoshiro256(seed: context.seed, stream: 201)
    let language = ZipfLanguage(p, grammar: &grammarRNG)
    var rng = Xoshiro256(seed: context.seed, stream: 202)
    let train = language.generate(tokens: a.trainTokens, using: &rng)
    let valid = language.generate(tokens: a.validTokens, using: &rng)
    let test = language.generate(tokens: a.testTokens, using: &rng)
    var counts = [Int](repeating: 0, count: p.words)
    for t in train { counts[Int(t)] += 1 }
    let vocabulary = Vocabulary(tokens: language.vocabulary.tokens, counts: counts)
    let identity = "zipf(seed \(context.seed), V \(p.words), C \(p.classes), S \(p.successors), s \(p.exponent))"
    return Corpus(vocabulary: vocabulary, train: train, valid: valid, test: test,
                  sources: [(identity, SHA256.hex(of: Array(identity.utf8)))], entropyRate: language.entropyRate, tokenLevel: .word)
}
