// TokenBatches against PyTorch's word-language-model `batchify` and `get_batch`:
//
//     nbatch = data.size(0) // bsz
//     data = data.narrow(0, 0, nbatch * bsz).view(bsz, -1).t()        # (nbatch, bsz)
//     for i in range(0, data.size(0) - 1, bptt):
//         seq_len = min(bptt, len(data) - 1 - i)
//         inputs, targets = data[i:i+seq_len], data[i+1:i+1+seq_len]
//
// The expectations below are worked out by hand from those lines.

import RNNTraining
import XCTest

final class TokenBatchesTests: XCTestCase {
    /// Rows `start..<start+count` of the time-major layout, as PyTorch's `data[start:start+count]`
    /// flattened.
    private func rows(_ b: TokenBatches, _ start: Int, _ count: Int) -> [Int32] {
        Array(b.tokens[(start * b.batchSize)..<((start + count) * b.batchSize)])
    }

    func testTenTokensInThreeStreams() {
        // 10 // 3 = 3 per stream; narrow drops token 9; view(3, 3) = [[0,1,2],[3,4,5],[6,7,8]];
        // .t() = [[0,3,6],[1,4,7],[2,5,8]].
        let b = TokenBatches(stream: Array(0..<10), batchSize: 3)
        XCTAssertEqual(b.length, 3)
        XCTAssertEqual(b.tokens, [0, 3, 6, 1, 4, 7, 2, 5, 8])
        // range(0, 2, 2) = [0]; seq_len = min(2, 3 − 1 − 0) = 2.
        XCTAssertEqual(b.chunkStarts(bptt: 2), [0])
        XCTAssertEqual(b.chunkLength(at: 0, bptt: 2), 2)
        XCTAssertEqual(rows(b, 0, 2), [0, 3, 6, 1, 4, 7], "inputs data[0:2]")
        XCTAssertEqual(rows(b, 1, 2), [1, 4, 7, 2, 5, 8], "targets data[1:3]")
        XCTAssertEqual(b.targetCount, 6)
    }

    func testElevenTokensInTwoStreamsWithAShortLastChunk() {
        // 11 // 2 = 5; view(2, 5) = [[0..4],[5..9]]; .t() = [[0,5],[1,6],[2,7],[3,8],[4,9]].
        let b = TokenBatches(stream: (0..<11).map { Int32(100 + $0) }, batchSize: 2)
        XCTAssertEqual(b.length, 5)
        XCTAssertEqual(b.tokens, [100, 105, 101, 106, 102, 107, 103, 108, 104, 109])
        // range(0, 4, 3) = [0, 3]; seq_len = min(3, 4) = 3, then min(3, 5 − 1 − 3) = 1.
        XCTAssertEqual(b.chunkStarts(bptt: 3), [0, 3])
        XCTAssertEqual(b.chunkLength(at: 0, bptt: 3), 3)
        XCTAssertEqual(b.chunkLength(at: 3, bptt: 3), 1)
        XCTAssertEqual(rows(b, 3, 1), [103, 108], "inputs data[3:4]")
        XCTAssertEqual(rows(b, 4, 1), [104, 109], "targets data[4:5]")
        XCTAssertEqual(b.targetCount, 8)
    }

    func testOneStreamIsTheStreamItself() {
        let b = TokenBatches(stream: [7, 8, 9, 10], batchSize: 1)
        XCTAssertEqual(b.tokens, [7, 8, 9, 10])
        // range(0, 3, 2) = [0, 2]; seq_len 2, then min(2, 4 − 1 − 2) = 1.
        XCTAssertEqual(b.chunkStarts(bptt: 2), [0, 2])
        XCTAssertEqual(b.chunkLength(at: 2, bptt: 2), 1)
    }

    func testBpttLongerThanTheStreamsGivesOneChunk() {
        let b = TokenBatches(stream: Array(0..<6), batchSize: 2)   // [[0,3],[1,4],[2,5]]
        XCTAssertEqual(b.tokens, [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(b.chunkStarts(bptt: 10), [0])
        XCTAssertEqual(b.chunkLength(at: 0, bptt: 10), 2)
    }

    func testChunksCoverEveryTargetOnce() {
        // Σ seq_len over the chunks is len(data) − 1, whatever bptt.
        let b = TokenBatches(stream: Array(0..<103), batchSize: 4)   // 25 steps
        for bptt in 1...30 {
            let covered = b.chunkStarts(bptt: bptt).map { b.chunkLength(at: $0, bptt: bptt) }.reduce(0, +)
            XCTAssertEqual(covered, b.length - 1, "bptt \(bptt)")
        }
        XCTAssertEqual(b.targetCount, 24 * 4)
    }

    func testStreamsTooShortForATargetGiveNoChunks() {
        // One step per stream: range(0, 0, bptt) is empty.
        let one = TokenBatches(stream: [1, 2, 3], batchSize: 3)
        XCTAssertEqual(one.length, 1)
        XCTAssertEqual(one.chunkStarts(bptt: 5), [])
        XCTAssertEqual(one.targetCount, 0)
        // Fewer tokens than streams: nbatch = 0, nothing is kept.
        let none = TokenBatches(stream: [1, 2], batchSize: 3)
        XCTAssertEqual(none.length, 0)
        XCTAssertEqual(none.tokens, [])
        XCTAssertEqual(none.chunkStarts(bptt: 5), [])
        XCTAssertEqual(none.targetCount, 0)
    }
}
