// TokenBatches: a token stream laid out as B parallel streams, time-major, the way the trainer
// and the evaluator read it (PyTorch word-language-model `batchify`).

/// A token stream cut into `batchSize` equal streams, stored time-major: row `t` holds the
/// token at time `t` of every stream, so `tokens[t·B + b]` is step `t` of stream `b`.
public struct TokenBatches: Sendable {
    public let batchSize: Int
    /// Time steps per stream (rows).
    public let length: Int
    /// (length, B) token ids, time-major.
    public let tokens: [Int32]

    /// Drops the tail that does not fill a row, splits the rest into `batchSize` contiguous
    /// streams, and transposes to time-major, exactly as PyTorch's `batchify`.
    public init(stream: [Int32], batchSize: Int) {
        precondition(batchSize >= 1, "TokenBatches: batch size must be ≥ 1")
        let length = stream.count / batchSize
        var tokens = [Int32](repeating: 0, count: length * batchSize)
        for b in 0..<batchSize {
            for t in 0..<length { tokens[t * batchSize + b] = stream[b * length + t] }
        }
        self.batchSize = batchSize
        self.length = length
        self.tokens = tokens
    }

    /// Chunks of at most `bptt` steps, each with its targets one step ahead: the chunk at row
    /// `i` covers inputs `i..<i+n` and targets `i+1..<i+1+n`, with `n = min(bptt, length−1−i)`.
    public func chunkStarts(bptt: Int) -> [Int] {
        precondition(bptt >= 1, "TokenBatches: bptt must be ≥ 1")
        guard length >= 2 else { return [] }
        return Array(stride(from: 0, to: length - 1, by: bptt))
    }

    /// Steps in the chunk that starts at row `start`.
    public func chunkLength(at start: Int, bptt: Int) -> Int {
        min(bptt, length - 1 - start)
    }

    /// Target tokens in one pass over all chunks.
    public var targetCount: Int { max(0, length - 1) * batchSize }
}
