// Evaluation with independent sentences: the state reset at every <eos> across chunk boundaries
// as within chunks, so the chunk length still does not change the result; and the trainer
// passes its reset tokens to training and to validation.

import RNNModel
import RNNTensor
import RNNTraining
import XCTest

final class IndependentSentencesEvaluationTests: XCTestCase {
    /// A small Double LSTM stack over a stream whose sentences end with token 0 (<eos>).
    private func model() throws -> LanguageModel<Double> {
        let V = 8, H = 5
        let embedding = Embedding<Double>(vocabularySize: V, embeddingSize: H)
        let cell = StackedCell<Double>(count: 2, inputSize: H) { input, prefix in
            LSTMCell<Double>(inputSize: input, hiddenSize: H, bias: .split, namePrefix: prefix)
        }
        let model = try LanguageModel(embedding: embedding, cell: cell, output: SoftmaxOutput<Double>(weight: embedding.table, tied: true, bias: true))
        var rng = Xoshiro256(seed: 4)
        for p in model.parameters { Initializer.uniform(range: 0.6).fill(p.value, using: &rng) }
        return model
    }

    private func sentences(_ count: Int, seed: UInt64) -> [Int32] {
        var rng = Xoshiro256(seed: seed)
        var out: [Int32] = []
        for _ in 0..<count {
            for _ in 0..<(1 + Int(rng.next() % 6)) { out.append(Int32(1 + rng.next() % 7)) }
            out.append(0)
        }
        return out
    }

    func testChunkLengthDoesNotChangeTheScoreWithResets() throws {
        let model = try model()
        let data = TokenBatches(stream: sentences(40, seed: 1), batchSize: 3)
        let long = evaluate(model, on: data, chunkLength: 200, resetBefore: 0)
        for length in [1, 2, 3, 7] {
            let chunked = evaluate(model, on: data, chunkLength: length, resetBefore: 0)
            XCTAssertEqual(chunked.tokens, long.tokens)
            XCTAssertEqual(chunked.loss, long.loss, accuracy: 1e-12, "chunk length \(length)")
        }
        let carried = evaluate(model, on: data, chunkLength: 200)
        XCTAssertGreaterThan(abs(carried.loss - long.loss), 1e-4, "the resets should change the score")
    }

    /// One stream of sentences scores the sum of its sentences scored one by one from a zero
    /// state, each after reading its <eos> (the first sentence after nothing).
    func testOneStreamScoresItsSentencesOneByOne() throws {
        let model = try model()
        let stream = sentences(6, seed: 2)
        let whole = evaluate(model, on: TokenBatches(stream: stream, batchSize: 1), chunkLength: 4, resetBefore: 0)
        var total = 0.0, count = 0, start = 0
        for end in stream.indices where stream[end] == 0 {
            // Inputs from the previous <eos> (or the stream's start) to this sentence's last word.
            let inputs = Array(stream[start..<end]), targets = Array(stream[(start + 1)...end])
            total += model.loss(inputs: inputs, targets: targets, steps: inputs.count, batch: 1, state: model.zeroState(batch: 1))
            count += inputs.count
            start = end
        }
        XCTAssertEqual(whole.tokens, count)
        XCTAssertEqual(whole.loss, total / Double(count), accuracy: 1e-12)
    }
}
