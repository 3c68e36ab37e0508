// `rnnlab eval`: the perplexity of a text file under one trained run, or under a linear mixture
// of several (an RNN and an n-gram model, as Mikolov's RNNLM toolkit mixes them with
// `-lm-prob`/`-lambda`), with given weights or weights fitted by EM on another file.
//
// With two or more runs every run scores the same token stream, with every token but the first
// predicted (an RNN cannot predict the first; the n-gram model's first probability is dropped),
// so the runs alone and the mixture are measured on the same tokens.

import ArgumentParser
import Foundation
import RNNExperiments
import RNNNGram

struct Evaluate: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Perplexity of a text file under a trained run, or under a mixture of runs.",
        discussion: """
        With one run: its perplexity on --data. With two or more runs (which must share one vocabulary): \
        each run alone and their linear mixture Σ λ_k p_k, with the weights of --weights, the weights \
        fitted by EM on the file of --fit (e.g. the validation split), or equal weights.
        """)

    @Argument(help: "The run folders (results/<experiment>/<run>); two or more to mix them.")
    var runDirectories: [String] = []

    @Option(help: "The text file to score.")
    var data: String

    @Option(help: ArgumentHelp("Mixture weights, one per run, in [0, 1] and summing to 1: 0.6,0.4.", valueName: "weights"))
    var weights: String?

    @Option(help: ArgumentHelp("Fit the mixture weights by EM on this text file (e.g. ptb.valid.txt).", valueName: "file"))
    var fit: String?

    @Option(help: ArgumentHelp(
        "Sentence boundaries: run (each run as its own evaluations: an RNN run's training.independent_sentences.eval, "
            + "an n-gram run's model.sentences), across (an RNN's state runs on across <eos>), "
            + "or independent (an RNN's state is reset at every <eos>).", valueName: "convention"))
    var sentences: Sentences = .run

    func validate() throws {
        guard !runDirectories.isEmpty else { throw ValidationError("give a run folder to evaluate, or two or more to mix") }
        if weights != nil && fit != nil {
            throw ValidationError("give either --weights or --fit, not both: --fit finds the weights on its file")
        }
        if runDirectories.count == 1 && (weights != nil || fit != nil) {
            throw ValidationError("--weights and --fit mix two or more runs, and one run folder was given")
        }
        if let weights {
            let parsed = try Self.parseWeights(weights)
            guard parsed.count == runDirectories.count else {
                throw ValidationError("--weights: \(parsed.count) weight\(parsed.count == 1 ? " was" : "s were") given for \(runDirectories.count) runs; give one weight per run")
            }
            // Each weight in [0, 1], summing to 1: the mixture library's own sentences.
            do { try Mixture.validate(weights: parsed, models: runDirectories.count) } catch {
                throw ValidationError("--weights: \(error)")
            }
        }
    }

    /// `0.6,0.4` → [0.6, 0.4].
    static func parseWeights(_ text: String) throws -> [Double] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let w = Double(trimmed) else {
                throw ValidationError("--weights: \"\(trimmed)\" is not a number; give one weight per run, separated by commas, such as 0.6,0.4")
            }
            return w
        }
    }

    func run(registry: ComponentRegistry) throws {
        do {
            let runs = try applySentences(try runDirectories.map { try TrainedModel.load(runDirectory: $0, registry: registry) })
            if runs.count == 1 { return try scoreOne(runs[0]) }
            try requireSameVocabulary(runs)
            let tokens = try Self.tokens(of: data, option: "--data", with: runs[0])
            let probabilities = runs.map { $0.tokenProbabilities(tokens) }
            let mixWeights: [Double]
            if let fit {
                let fitTokens = try Self.tokens(of: fit, option: "--fit", with: runs[0])
                let fitted = try Mixture.fitWeights(probabilities: runs.map { $0.tokenProbabilities(fitTokens) })
                mixWeights = fitted.weights
                print(String(format: "weights fitted by EM on %@ (%d tokens, %d iterations%@): %@, mixture perplexity there %.3f",
                             fit, fitted.score.count, fitted.iterations, fitted.converged ? "" : ", not converged",
                             Self.list(mixWeights), fitted.score.perplexity))
            } else if let weights {
                mixWeights = try Self.parseWeights(weights)
            } else {
                mixWeights = [Double](repeating: 1 / Double(runs.count), count: runs.count)
            }
            print("\(data): \(tokens.count - 1) tokens predicted (every token but the first)")
            for (dir, p) in zip(runDirectories, probabilities) {
                let alone = try Mixture.score(probabilities: [p], weights: [1])
                print(String(format: "  %@: loss %.4f nats/token, perplexity %.3f", dir, alone.crossEntropy, alone.perplexity))
            }
            let mixed = try Mixture.score(probabilities: probabilities, weights: mixWeights)
            let how = fit != nil ? "fitted" : weights != nil ? "given" : "equal; choose them with --weights or --fit"
            print(String(format: "  mixture (weights %@, %@): loss %.4f nats/token, perplexity %.3f",
                         Self.list(mixWeights), how, mixed.crossEntropy, mixed.perplexity))
        } catch { throw fail(error) }
    }

    private func scoreOne(_ trained: TrainedModel) throws {
        let bytes = try readTextFile(data, option: "--data")
        let tokens = try trained.encode(Array(bytes), name: data)
        guard tokens.count >= 2 else { throw UserFailure(message: "--data: \(data) has \(tokens.count) token(s); scoring needs at least 2") }
        let result = trained.score(tokens)
        print(String(format: "%@: %d tokens, loss %.4f nats/token, perplexity %.3f", data, result.tokens, result.loss, result.perplexity))
    }

    /// The token ids of `path` in `run`'s vocabulary; at least 2, so that one is predicted.
    static func tokens(of path: String, option: String, with run: TrainedModel) throws -> [Int32] {
        let tokens = try run.encode(try readTextFile(path, option: option), name: path)
        guard tokens.count >= 2 else { throw UserFailure(message: "\(option): \(path) has \(tokens.count) token(s); scoring needs at least 2") }
        return tokens
    }

    /// Throws unless every run reads text into the same token ids as the first.
    private func requireSameVocabulary(_ runs: [TrainedModel]) throws {
        let first = runs[0]
        for (dir, run) in zip(runDirectories, runs).dropFirst() {
            let a = first.vocabulary.tokens, b = run.vocabulary.tokens
            var difference: String?
            if run.level != first.level {
                difference = "it reads \(run.level == .chars ? "characters" : "words") and \(runDirectories[0]) \(first.level == .chars ? "characters" : "words")"
            } else if a.count != b.count {
                difference = "it has \(b.count) tokens and \(runDirectories[0]) has \(a.count)"
            } else if let i = a.indices.first(where: { a[$0] != b[$0] }) {
                difference = "its token \(i) is \"\(b[i])\" and in \(runDirectories[0]) \"\(a[i])\""
            } else if run.vocabulary.unknownID != first.vocabulary.unknownID {
                difference = "its unknown token differs from that of \(runDirectories[0])"
            }
            if let difference {
                throw UserFailure(message: "\(dir) has another vocabulary than \(runDirectories[0]) (\(difference)); a mixture needs runs trained on the same vocabulary")
            }
        }
    }

    private static func list(_ weights: [Double]) -> String {
        weights.map { String(format: "%.4f", $0) }.joined(separator: ", ")
    }
}
