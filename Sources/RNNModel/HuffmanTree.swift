// HuffmanTree: the binary Huffman code over the vocabulary that the hierarchical softmax walks
// (as word2vec and faster-rnnlm build it): frequent words get short paths, so the expected path
// length is within one bit of the entropy of the word frequencies.
//
// Construction (deterministic, integer weights, so the same counts always give the same tree and
// a resumed run rebuilds exactly the tree it trained): the two-queue method. Words wait in a
// queue sorted by (count, id) ascending; inner nodes join a second queue in the order they are
// made (their weights never decrease). V − 1 times, the two lightest nodes are taken and made the
// children of a new inner node, the first taken on the left (bit 0), the second on the right
// (bit 1). Ties: a word before an inner node of the same weight; words by (count, id); inner nodes
// by creation. Negative counts count as 0.
//
// Numbering: inner node n = 0 ..< V − 1 in creation order, so a node's children have smaller
// numbers than it and the root is V − 2; walking n downwards visits every parent before its
// children. A word's path lists (node, bit) from the root down.
//
// Shapes: V = words (leaves), V − 1 inner nodes, D = the longest path.

/// A binary Huffman code over V ≥ 2 words.
public struct HuffmanTree: Sendable, Equatable {
    /// V: the number of words (leaves).
    public let wordCount: Int
    /// (V − 1): the left child (bit 0) of each inner node: an inner node n ≥ 0, or a word w as −(w + 1).
    public let left: [Int32]
    /// (V − 1): the right child (bit 1), encoded as `left`.
    public let right: [Int32]
    /// (V + 1): word w's path is entries pathStart[w] ..< pathStart[w + 1] of `pathNodes` and `pathBits`.
    public let pathStart: [Int32]
    /// The inner nodes on each word's path, root first.
    public let pathNodes: [Int32]
    /// The branch taken at each of those nodes: 0 (left) or 1 (right).
    public let pathBits: [UInt8]
    /// D: the length of the longest path.
    public let maxDepth: Int

    /// The inner nodes (V − 1).
    public var innerNodeCount: Int { wordCount - 1 }
    /// The root's number (V − 2).
    public var root: Int { wordCount - 2 }

    /// The Huffman tree of `counts` (one per word id, V ≥ 2); see the file header for the rules.
    public init(counts: [Int]) {
        let V = counts.count
        precondition(V >= 2, "HuffmanTree: needs at least two words, got \(V)")
        let weightOf = counts.map { max($0, 0) }
        let words = (0..<V).sorted { weightOf[$0] < weightOf[$1] || (weightOf[$0] == weightOf[$1] && $0 < $1) }
        var left = [Int32](repeating: 0, count: V - 1), right = [Int32](repeating: 0, count: V - 1)
        var innerWeight = [Int](repeating: 0, count: V - 1)
        var nextWord = 0, nextInner = 0, made = 0
        /// Takes the lightest waiting node: (encoded child, weight).
        func take() -> (Int32, Int) {
            if nextWord < V && (nextInner == made || weightOf[words[nextWord]] <= innerWeight[nextInner]) {
                let w = words[nextWord]
                nextWord += 1
                return (Int32(-(w + 1)), weightOf[w])
            }
            let n = nextInner
            nextInner += 1
            return (Int32(n), innerWeight[n])
        }
        while made < V - 1 {
            let a = take(), b = take()
            left[made] = a.0
            right[made] = b.0
            innerWeight[made] = a.1 + b.1
            made += 1
        }
        self.wordCount = V
        self.left = left
        self.right = right

        // Paths, root first: walk down from the root, extending the path at each branch.
        var paths = [[(Int32, UInt8)]](repeating: [], count: V)
        var stack: [(node: Int, path: [(Int32, UInt8)])] = [(V - 2, [])]
        while let (n, path) = stack.popLast() {
            for (child, bit) in [(left[n], UInt8(0)), (right[n], UInt8(1))] {
                let extended = path + [(Int32(n), bit)]
                if child < 0 { paths[Int(-child) - 1] = extended } else { stack.append((Int(child), extended)) }
            }
        }
        var start = [Int32](repeating: 0, count: V + 1)
        var nodes: [Int32] = [], bits: [UInt8] = []
        for w in 0..<V {
            start[w] = Int32(nodes.count)
            for (n, bit) in paths[w] {
                nodes.append(n)
                bits.append(bit)
            }
        }
        start[V] = Int32(nodes.count)
        self.pathStart = start
        self.pathNodes = nodes
        self.pathBits = bits
        self.maxDepth = paths.map(\.count).max() ?? 0
    }

    /// The code of word `w`: its path's bits, root first.
    public func code(of w: Int) -> [UInt8] {
        Array(pathBits[Int(pathStart[w])..<Int(pathStart[w + 1])])
    }

    /// The inner nodes on word `w`'s path, root first.
    public func path(of w: Int) -> [Int] {
        pathNodes[Int(pathStart[w])..<Int(pathStart[w + 1])].map(Int.init)
    }
}
