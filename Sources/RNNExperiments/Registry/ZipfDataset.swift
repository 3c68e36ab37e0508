// The `zipf` dataset: a generated class-bigram language over a large Zipf-distributed
// vocabulary (RNNData's ZipfLanguage), with its exact entropy floor. Registered in
// ComponentRegistry+Builtins.swift; it reads no file.

import RNNData
import RNNTensor

let zipfDataset = ComponentFactory<DatasetContext, Corpus>(
    "zipf", "a generated class-bigram language over a large Zipf-distributed vocabulary, with a known entropy rate (needs no download)",
    parameters: [
        // At most 100 million tokens a split (400 MB as token ids): larger is a typo, not an experiment.
        ParameterSpec("train_tokens", .int(min: 100, max: 100_000_000), default: .int(200_000), "training tokens to generate"),
        ParameterSpec("valid_tokens", .int(min: 100, max: 100_000_000), default: .int(20_000), "validation tokens"),
        ParameterSpec("test_tokens", .int(min: 100, max: 100_000_000), default: .int(20_000), "test tokens"),
        ParameterSpec("words", .int(min: 1, max: 1_000_000), default: .int(4000), "vocabulary size V (words numbered by Zipf rank)"),
        ParameterSpec("classes", .int(min: 1, max: 10_000), default: .int(40), "word classes C; the next word's class depends on the current word's class"),
        ParameterSpec("successors", .int(min: 1, max: 10_000), default: .int(4), "classes that may follow each class"),
        ParameterSpec("exponent", .double(min: 0, max: 10), default: .double(1.0), "Zipf exponent s: a word of rank r has weight r^-s within its class"),
    ]) { a, context in
    let p = ZipfLanguage.Parameters(words: a.int("words"), classes: a.int("classes"), successors: a.int("successors"),
                                    exponent: a.double("exponent"))
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
    let train = language.generate(tokens: a.int("train_tokens"), using: &rng)
    let valid = language.generate(tokens: a.int("valid_tokens"), using: &rng)
    let test = language.generate(tokens: a.int("test_tokens"), using: &rng)
    var counts = [Int](repeating: 0, count: p.words)
    for t in train { counts[Int(t)] += 1 }
    let vocabulary = Vocabulary(tokens: language.vocabulary.tokens, counts: counts)
    let identity = "zipf(seed \(context.seed), V \(p.words), C \(p.classes), S \(p.successors), s \(p.exponent))"
    return Corpus(vocabulary: vocabulary, train: train, valid: valid, test: test,
                  sources: [(identity, SHA256.hex(of: Array(identity.utf8)))], entropyRate: language.entropyRate, tokenLevel: .word)
}
