// A SoftmaxWorkspace changes where the kernels' scratch memory and threads come from, never the
// numbers: with one, softmaxCrossEntropyInPlace and softmaxNLL give bit for bit what they give
// without one (DispatchQueue.concurrentPerform and fresh buffers), at every thread count, and a
// workspace reused across calls, shapes and thread counts carries nothing over. Its worker
// threads end with it.

import Foundation
import RNNTensor
import XCTest

final class SoftmaxWorkspaceTests: XCTestCase {
    /// (loss, gradient rows, bias gradient, NLL) of one call, with or without `workspace`.
    private func run<T: SoftmaxScalar>(_: T.Type, rows: Int, cols: Int, threads: Int, seed: UInt64,
                                       workspace: SoftmaxWorkspace<T>?) -> (Double, [T], [T], Double) {
        var rng = Xoshiro256(seed: seed)
        let logits = (0..<(rows * cols)).map { _ in T(Double.random(in: -8...8, using: &rng)) }
        let targets = (0..<rows).map { _ in Int32(Int.random(in: 0..<cols, using: &rng)) }
        let bias = (0..<cols).map { _ in T(Double.random(in: -1...1, using: &rng)) }
        var grad = logits
        var biasGrad = (0..<cols).map { _ in T(Double.random(in: -1...1, using: &rng)) }   // added into
        let loss = grad.withUnsafeMutableBufferPointer { g in
            biasGrad.withUnsafeMutableBufferPointer { bg in
                softmaxCrossEntropyInPlace(g.baseAddress!, rows: rows, cols: cols, ld: cols, targets: targets, gradScale: T(0.5),
                                           bias: bias, biasGradient: bg.baseAddress!, threads: threads, workspace: workspace)
            }
        }
        let nll = softmaxNLL(logits, rows: rows, cols: cols, ld: cols, targets: targets, bias: bias, threads: threads,
                             workspace: workspace)
        return (loss, grad, biasGrad, nll)
    }

    private func checkSameWithAndWithoutWorkspace<T: SoftmaxScalar>(_: T.Type) {
        let workspace = SoftmaxWorkspace<T>()
        // 64 × 2048 splits into up to 4 blocks of rows (32 768 elements a block at least); thread
        // counts go up and down, so the workspace's buffers and team are grown and then reused.
        for (threads, rows, seed) in [(1, 64, 1), (2, 64, 2), (4, 64, 3), (3, 64, 4), (2, 17, 5), (4, 64, 6), (1, 3, 7)] as [(Int, Int, UInt64)] {
            let label = "\(T.self) threads \(threads) rows \(rows)"
            let without = run(T.self, rows: rows, cols: 2048, threads: threads, seed: seed, workspace: nil)
            let with = run(T.self, rows: rows, cols: 2048, threads: threads, seed: seed, workspace: workspace)
            XCTAssertEqual(with.0, without.0, "\(label): loss")
            XCTAssertEqual(with.1, without.1, "\(label): gradient")
            XCTAssertEqual(with.2, without.2, "\(label): bias gradient")
            XCTAssertEqual(with.3, without.3, "\(label): NLL")
        }
    }

    func testWorkspaceGivesTheSameNumbersAsNoWorkspace() {
        checkSameWithAndWithoutWorkspace(Float.self)
        checkSameWithAndWithoutWorkspace(Double.self)
    }

    /// Threads of this process, from /proc/self/status.
    private func threadCount() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") }),
              let n = Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: "/proc/self/status"])
        }
        return n
    }

    func testAWorkspacesThreadsEndWithIt() throws {
        let before = try threadCount()
        for k in 0..<10 {
            let workspace = SoftmaxWorkspace<Float>()
            _ = run(Float.self, rows: 64, cols: 2048, threads: 4, seed: UInt64(k), workspace: workspace)
        }
        // 10 workspaces × 3 worker threads would be 30 more if they outlived their workspace.
        XCTAssertLessThan(try threadCount(), before + 8)
    }
}
