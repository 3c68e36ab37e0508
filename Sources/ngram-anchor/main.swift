// ngram-anchor: trains Kneser-Ney models on a PTB-style folder (ptb.train/valid/test.txt) with
// the RNN runs' vocabulary and prints, per order and sentence convention, the counting time,
// the n-gram counts, the discounts and the valid and test perplexities. A benchmark, not a test:
// build it in release and run it under `/usr/bin/time -v` for the peak memory.
//
//     swift build -c release --product ngram-anchor
//     /usr/bin/time -v .build/release/ngram-anchor ../shared/data/ptb 5 across
//
// Arguments: FOLDER [ORDER ...] [across|independent|both] (default: 3 5, both).

import Foundation
import RNNData
import RNNNGram

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ngram-anchor: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let folder = arguments.first else { fail("usage: ngram-anchor FOLDER [ORDER ...] [across|independent|both]") }
arguments.removeFirst()
var conventions = ["across", "independent"]
if let last = arguments.last, ["across", "independent", "both"].contains(last) {
    conventions = last == "both" ? conventions : [last]
    arguments.removeLast()
}
let orders = arguments.isEmpty ? [3, 5] : arguments.map { (text: String) -> Int in
    guard let order = Int(text) else { fail("\(text) is not an order") }
    return order
}
for o in orders where !(1...10).contains(o) { fail("order \(o) is outside 1…10") }

func read(_ name: String) -> (bytes: [UInt8], name: String) {
    let path = (folder as NSString).appendingPathComponent(name)
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    return (Array(data), path)
}

let corpus: Corpus
do {
    corpus = try CorpusBuilder.fromSplits(train: read("ptb.train.txt"), valid: read("ptb.valid.txt"),
                                          test: read("ptb.test.txt"), level: .word)
} catch {
    fail(error.description)
}
print("vocabulary \(corpus.vocabulary.count), tokens train \(corpus.train.count) valid \(corpus.valid.count) test \(corpus.test.count)")

func format(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

for convention in conventions {
    let context: SentenceContext
    if convention == "across" {
        context = .acrossSentences
    } else {
        guard let c = SentenceContext.independent(in: corpus.vocabulary) else { fail("the vocabulary has no <eos>") }
        context = c
    }
    for order in orders {
        let start = Date()
        let cpuStart = clock()
        let model = KneserNeyModel.train(corpus: corpus, order: order, sentenceContext: context)
        let trainSeconds = Date().timeIntervalSince(start)
        // CPU time as well as wall time: on a shared machine the wall time mostly measures the neighbours.
        let trainCPU = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        let evalStart = Date()
        let valid = model.evaluate(tokens: corpus.valid)
        let test = model.evaluate(tokens: corpus.test)
        let evalSeconds = Date().timeIntervalSince(evalStart)
        let bytes = model.encoded()
        let readStart = Date()
        let back: KneserNeyModel
        do { back = try KneserNeyModel.decode(bytes) } catch { fail("the model's own bytes do not read back: \(error)") }
        let readSeconds = Date().timeIntervalSince(readStart)
        guard back.evaluate(tokens: corpus.test) == test else { fail("the model read back scores test differently") }
        print("KN\(order) \(convention): train \(format(trainSeconds, 2)) s (CPU \(format(trainCPU, 2)) s), eval \(format(evalSeconds, 2)) s, "
              + "valid \(format(valid.perplexity, 2)) (\(valid.count) tokens), test \(format(test.perplexity, 2)) (\(test.count) tokens), "
              + "serialised \(bytes.count) bytes, read back in \(format(readSeconds, 2)) s")
        print("  n-grams by order: \(model.ngramCounts.map(String.init).joined(separator: " "))")
        for (k, d) in model.discounts.enumerated() {
            print("  order \(k + 1): D1 \(format(d.one, 4)) D2 \(format(d.two, 4)) D3+ \(format(d.threePlus, 4))"
                  + " n1..n4 \(d.countOfCounts.map(String.init).joined(separator: " "))\(d.isFallback ? " (fallback)" : "")")
        }
    }
}
