// Adam, Adagrad and SGD against torch.optim, from the PyTorch float64 fixtures in
// ../shared/fixtures/cells (RNNLAB_CELL_FIXTURES may name another folder).
//
// Each fixture trains a small model for a few chunks; for every chunk it records the gradients,
// the clipping factor and the parameters after one optimizer step. The optimizers here are
// element-wise, so the model itself is not needed: every fixture parameter becomes a
// Parameter<Double> with the initial values, each chunk's gradients are put in its gradient and
// the optimizer (one instance, its state carried chunk to chunk) is given the chunk's
// `clip_scale`; the parameters must then equal `params_after` to about 1e-9 relative.

import Foundation
import RNNModel
import RNNTensor
import RNNTraining
import XCTest

final class OptimizerFixtureTests: XCTestCase {
    /// One fixture's optimizer trajectory.
    struct Trajectory {
        var name: String
        var optimizer: [String: Any]
        var learningRate: Double
        /// Initial values of each parameter, flattened row-major.
        var initial: [String: [Double]]
        /// Per chunk: the gradients, the clipping factor, and the parameters after the step.
        var chunks: [(grads: [String: [Double]], clipScale: Double, after: [String: [Double]])]
    }

    static var folder: String {
        if let env = ProcessInfo.processInfo.environment["RNNLAB_CELL_FIXTURES"], !env.isEmpty { return env }
        // Tests/RNNTrainingTests/<this file> → the project root → ../shared/fixtures/cells.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/fixtures/cells").path
    }

    /// Flattens nested JSON arrays of numbers, row-major.
    static func flatten(_ value: Any, path: String) throws -> [Double] {
        if let n = value as? NSNumber { return [n.doubleValue] }
        if let list = value as? [Any] { return try list.flatMap { try flatten($0, path: path) } }
        throw FixtureError("\(path): expected numbers or nested lists of numbers")
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Every fixture in `folder` whose optimizer is `kind` (no optimizer key means SGD).
    static func trajectories(kind: String) throws -> [Trajectory] {
        // Without RNNLAB_CELL_FIXTURES, a checkout without ../shared skips, saying so; a folder the
        // variable names must hold fixtures (the replay below fails when it finds none of a kind).
        let named = !(ProcessInfo.processInfo.environment["RNNLAB_CELL_FIXTURES"] ?? "").isEmpty
        if !named, !FileManager.default.fileExists(atPath: folder) {
            print("skipping: no fixtures folder at \(folder) and RNNLAB_CELL_FIXTURES is not set")
            throw XCTSkip("no fixtures folder at \(folder) and RNNLAB_CELL_FIXTURES is not set")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        return try files.compactMap { file -> Trajectory? in
            let path = folder + "/" + file
            guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] else {
                throw FixtureError("\(path): not a JSON object")
            }
            let optimizer = json["optimizer"] as? [String: Any] ?? ["name": "sgd"]
            guard optimizer["name"] as? String == kind else { return nil }
            guard let lr = (json["lr"] as? NSNumber)?.doubleValue, let params = json["params"] as? [String: Any],
                  let chunks = json["chunks"] as? [[String: Any]], !chunks.isEmpty else {
                throw FixtureError("\(path): lr, params or chunks missing")
            }
            func tensors(_ object: Any?, _ key: String) throws -> [String: [Double]] {
                guard let dict = object as? [String: Any] else { throw FixtureError("\(path): \(key) missing") }
                return try dict.mapValues { try flatten($0, path: "\(path): \(key)") }
            }
            let steps = try chunks.enumerated().map { k, chunk in
                guard let scale = (chunk["clip_scale"] as? NSNumber)?.doubleValue else {
                    throw FixtureError("\(path): chunks[\(k)].clip_scale missing")
                }
                return (grads: try tensors(chunk["grads"], "chunks[\(k)].grads"), clipScale: scale,
                        after: try tensors(chunk["params_after"], "chunks[\(k)].params_after"))
            }
            return Trajectory(name: file, optimizer: optimizer, learningRate: lr, initial: try tensors(params, "params"), chunks: steps)
        }
    }

    /// Replays every `kind` fixture through `make(fixture's optimizer settings)`.
    private func replay(kind: String, file: StaticString = #filePath, line: UInt = #line,
                        _ make: ([String: Any]) throws -> any Optimizer<Double>) throws {
        let all = try Self.trajectories(kind: kind)
        XCTAssertFalse(all.isEmpty, "no \(kind) fixture in \(Self.folder)", file: file, line: line)
        for t in all {
            let names = t.initial.keys.sorted()
            let parameters = names.map { Parameter<Double>(name: $0, value: Tensor(shape: [t.initial[$0]!.count], values: t.initial[$0]!)) }
            let optimizer = try make(t.optimizer)
            var worst = 0.0
            for (k, chunk) in t.chunks.enumerated() {
                XCTAssertEqual(Set(chunk.grads.keys), Set(names), "\(t.name) chunk \(k): gradients", file: file, line: line)
                for p in parameters {
                    let g = chunk.grads[p.name] ?? []
                    XCTAssertEqual(g.count, p.count, "\(t.name) chunk \(k): gradient of \(p.name)", file: file, line: line)
                    for i in 0..<min(g.count, p.count) { p.grad[i] = g[i] }
                }
                optimizer.update(parameters, learningRate: t.learningRate, gradientScale: chunk.clipScale)
                for p in parameters {
                    guard let expected = chunk.after[p.name], expected.count == p.count else {
                        XCTFail("\(t.name) chunk \(k): params_after lacks \(p.name)", file: file, line: line)
                        continue
                    }
                    // Relative to the tensor's largest value, so that entries near zero are not
                    // held to an impossible standard.
                    let scale = max(expected.map(abs).max() ?? 0, 1e-12)
                    for i in 0..<p.count {
                        let error = abs(p.value[i] - expected[i]) / scale
                        worst = max(worst, error)
                        if error > 1e-9 {
                            XCTFail("\(t.name) chunk \(k): \(p.name)[\(i)] = \(p.value[i]), PyTorch \(expected[i]) "
                                    + "(relative error \(error))", file: file, line: line)
                            return
                        }
                    }
                }
            }
            XCTAssertEqual(optimizer.state.step, t.chunks.count, "\(t.name): update count", file: file, line: line)
            print("\(t.name): \(kind) agrees with torch.optim over \(t.chunks.count) chunks, worst relative error \(worst)")
        }
    }

    private static func number(_ settings: [String: Any], _ key: String) throws -> Double {
        guard let n = (settings[key] as? NSNumber)?.doubleValue else { throw FixtureError("optimizer.\(key) missing") }
        return n
    }

    func testAdamMatchesTorchOptimAdam() throws {
        try replay(kind: "adam") { settings in
            guard let betas = settings["betas"] as? [NSNumber], betas.count == 2 else { throw FixtureError("optimizer.betas missing") }
            return Adam<Double>(beta1: betas[0].doubleValue, beta2: betas[1].doubleValue, epsilon: try Self.number(settings, "eps"))
        }
    }

    func testAdagradMatchesTorchOptimAdagrad() throws {
        try replay(kind: "adagrad") { settings in Adagrad<Double>(epsilon: try Self.number(settings, "eps")) }
    }

    func testSGDMatchesTorchOptimSGD() throws {
        try replay(kind: "sgd") { _ in SGD<Double>() }
    }

    /// A resumed optimizer (state saved after some updates and put into a fresh one) continues
    /// exactly as the uninterrupted one: the slots it looked up at its first update are dropped
    /// when its state is replaced.
    func testAdaptiveOptimizersResumeBitExactlyFromTheirState() {
        for make in [{ Adam<Double>() as any Optimizer<Double> }, { Adagrad<Double>() as any Optimizer<Double> }] {
            func parameters() -> [Parameter<Double>] {
                [Parameter(name: "a", value: Tensor(shape: [3], values: [0.5, -0.25, 1])),
                 Parameter(name: "b", value: Tensor(shape: [2], values: [2, -3]))]
            }
            func setGradients(_ ps: [Parameter<Double>], step: Int) {
                for p in ps { for i in 0..<p.count { p.grad[i] = sin(Double(step * 7 + i)) * 0.1 } }
            }
            let whole = make(), ps = parameters()
            for step in 0..<6 { setGradients(ps, step: step); whole.update(ps, learningRate: 0.01, gradientScale: 0.5) }

            let first = make(), qs = parameters()
            for step in 0..<3 { setGradients(qs, step: step); first.update(qs, learningRate: 0.01, gradientScale: 0.5) }
            let saved = first.state
            let resumed = make(), rs = parameters()
            for (r, q) in zip(rs, qs) { r.value.copy(from: q.value) }
            // An update at learning rate 0 leaves the weights alone but fills slots for `rs` that
            // the restored state must replace (a checkpoint holds copies of the saved slots).
            setGradients(rs, step: 9)
            resumed.update(rs, learningRate: 0, gradientScale: 1)
            resumed.state = OptimizerState(step: saved.step, slots: saved.slots.map { ($0.name, $0.values.copy()) })
            for step in 3..<6 { setGradients(rs, step: step); resumed.update(rs, learningRate: 0.01, gradientScale: 0.5) }
            XCTAssertEqual(ps.map(\.value.array), rs.map(\.value.array), whole.summary)
        }
    }
}
