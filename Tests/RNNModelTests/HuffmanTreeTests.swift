// The Huffman tree of the hierarchical softmax: a hand-checked example, the tie-breaking rule,
// the prefix property, the expected code length against the entropy, and the tree's shape
// (every inner node has a parent, parents are numbered above their children).

import Foundation
import RNNModel
import RNNTensor
import XCTest

final class HuffmanTreeTests: XCTestCase {
    func codeString(_ tree: HuffmanTree, _ w: Int) -> String {
        tree.code(of: w).map(String.init).joined()
    }

    func testTheTextbookExampleGivesTheTextbookCodes() {
        // CLRS's example (a:5 b:9 c:12 d:13 e:16 f:45), by hand with this file's rules:
        // a+b → n0 (14); c+d → n1 (25); n0 (14) before e (16) → n2 (30); n1+n2 → n3 (55);
        // f (45) before n3 → n4, the root. Left is 0.
        let tree = HuffmanTree(counts: [5, 9, 12, 13, 16, 45])
        XCTAssertEqual((0..<6).map { codeString(tree, $0) }, ["1100", "1101", "100", "101", "111", "0"])
        XCTAssertEqual(tree.path(of: 0), [4, 3, 2, 0], "a's path, root first")
        XCTAssertEqual(tree.maxDepth, 4)
        XCTAssertEqual(tree.root, 4)
    }

    func testTiesAreBrokenByCountThenIdWithWordsBeforeInnerNodes() {
        // Four equal counts: 0+1 → n0 (2); words 2 and 3 (weight 1) go before n0 → n1; n0+n1 → root.
        let tree = HuffmanTree(counts: [1, 1, 1, 1])
        XCTAssertEqual((0..<4).map { codeString(tree, $0) }, ["00", "01", "10", "11"])
        // Equal weights between a word and an inner node: the word is taken first.
        // Counts [2, 1, 1]: 1+2 (ids) → n0 (2); then word 0 (2) before n0 (2) → root, word 0 on the left.
        let mixed = HuffmanTree(counts: [2, 1, 1])
        XCTAssertEqual((0..<3).map { codeString(mixed, $0) }, ["0", "10", "11"])
        // The same counts in another id order give the mirrored assignment, by id.
        let permuted = HuffmanTree(counts: [1, 2, 1])
        XCTAssertEqual((0..<3).map { codeString(permuted, $0) }, ["10", "0", "11"])
        // Rebuilding from the same counts gives the same tree (a resume relies on it).
        XCTAssertEqual(HuffmanTree(counts: [7, 3, 3, 9, 0, 1, 1, 12]), HuffmanTree(counts: [7, 3, 3, 9, 0, 1, 1, 12]))
    }

    func testRandomCountsGiveAPrefixCodeWithinOneBitOfTheEntropy() {
        var rng = Xoshiro256(seed: 9)
        for trial in 0..<20 {
            let V = 2 + Int(rng.next() % 300)
            // Zipf-like counts with ties and zeros.
            let counts = (0..<V).map { i in Int(rng.next() % 4 == 0 ? 0 : 1000 / (i + 1)) + Int(rng.next() % 3) }
            let tree = HuffmanTree(counts: counts)
            let codes = (0..<V).map { codeString(tree, $0) }
            // Prefix property: sorted, a code that prefixes another sits right before one it prefixes.
            let sorted = codes.sorted()
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                XCTAssertFalse(b.hasPrefix(a), "trial \(trial): \(a) is a prefix of \(b)")
            }
            XCTAssertEqual(Set(codes).count, V)
            // Kraft equality: a full binary tree's codes satisfy Σ 2^−len = 1.
            let kraft = codes.reduce(0.0) { $0 + pow(2, -Double($1.count)) }
            XCTAssertEqual(kraft, 1, accuracy: 1e-12, "trial \(trial)")
            // Shannon: H ≤ expected length < H + 1 for the count frequencies.
            let total = Double(counts.reduce(0, +))
            guard total > 0 else { continue }
            var entropy = 0.0, expected = 0.0
            for w in 0..<V where counts[w] > 0 {
                let p = Double(counts[w]) / total
                entropy -= p * log2(p)
                expected += p * Double(codes[w].count)
            }
            XCTAssertGreaterThanOrEqual(expected, entropy - 1e-12, "trial \(trial)")
            XCTAssertLessThan(expected, entropy + 1, "trial \(trial)")
            // Paths agree with the child tables, and children are numbered below their parents.
            for w in 0..<V {
                let path = tree.path(of: w), code = tree.code(of: w)
                XCTAssertEqual(path.first, tree.root)
                for i in path.indices {
                    let child = code[i] == 0 ? tree.left[path[i]] : tree.right[path[i]]
                    let expectedChild = i + 1 < path.count ? Int32(path[i + 1]) : Int32(-(w + 1))
                    XCTAssertEqual(child, expectedChild, "trial \(trial), word \(w), step \(i)")
                    if i + 1 < path.count { XCTAssertLessThan(path[i + 1], path[i]) }
                }
            }
        }
    }

    func testHuffmanIsOptimalOnSmallCases() {
        // Against every full binary code on 4 words (length vectors [1,2,3,3] or [2,2,2,2]), the
        // tree's expected length is the smaller for the counts.
        for counts in [[10, 1, 1, 1], [4, 3, 2, 1], [1, 1, 1, 1], [5, 5, 1, 1], [100, 50, 25, 1]] {
            let tree = HuffmanTree(counts: counts)
            let length = (0..<4).reduce(0) { $0 + counts[$1] * tree.code(of: $1).count }
            let byRank = counts.sorted(by: >)
            let skewed = byRank[0] * 1 + byRank[1] * 2 + byRank[2] * 3 + byRank[3] * 3
            let balanced = counts.reduce(0, +) * 2
            XCTAssertEqual(length, min(skewed, balanced), "counts \(counts)")
        }
    }
}
