// The Penn Treebank anchor: rnnlab's KN5 must land within ±2 of SRILM's published 141.2 test
// perplexity (Mikolov et al. 2011), over the RNN runs' vocabulary. Needs ../shared/data/ptb
// (skipped, saying so, without it). Timings and memory are ngram-anchor's business (docs/ngram.md).

import Foundation
import RNNData
import RNNNGram
import XCTest

final class PTBAnchorTests: XCTestCase {
    func testKN5OnPTBIsWithinTwoOfSRILM() throws {
        // Tests/RNNNGramTests/ → the worktree → ../shared/data/ptb
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.deletingLastPathComponent().appendingPathComponent("shared/data/ptb")
        func read(_ name: String) throws -> (bytes: [UInt8], name: String) {
            let path = folder.appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path) else {
                throw XCTSkip("the PTB anchor needs \(path), which is not there")
            }
            return (Array(data), path)
        }
        let corpus = try CorpusBuilder.fromSplits(train: read("ptb.train.txt"), valid: read("ptb.valid.txt"),
                                                  test: read("ptb.test.txt"), level: .word)
        XCTAssertEqual(corpus.vocabulary.count, 10_000)
        XCTAssertEqual(corpus.test.count, 82_430)
        let independent = try XCTUnwrap(SentenceContext.independent(in: corpus.vocabulary))
        for context in [SentenceContext.acrossSentences, independent] {
            let model = KneserNeyModel.train(corpus: corpus, order: 5, sentenceContext: context)
            let test = model.evaluate(tokens: corpus.test)
            XCTAssertEqual(test.count, 82_430)
            XCTAssertEqual(test.perplexity, 141.2, accuracy: 2, "KN5 \(context) on PTB test")
        }
    }
}
