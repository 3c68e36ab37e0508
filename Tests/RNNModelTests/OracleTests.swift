// The oracle test: every PyTorch float64 fixture in the fixtures folder, chunk by chunk.
//
// For each `*.json` in $RNNLAB_FIXTURES (else ../shared/fixtures beside the package): rebuild
// the model from `params`, run every chunk (forward, BPTT, clipping, SGD) and compare loss,
// h_final, grads, grad_norm, clip_scale and params_after to ≤ 1e-9 relative (norm-wise per
// tensor). Fails when $RNNLAB_FIXTURES is set but holds no fixture; skips only when no
// fixtures folder exists at all.

import Foundation
import RNNModel
import RNNTensor
import RNNTraining
import XCTest

final class OracleTests: XCTestCase {
    static let tolerance = 1e-9

    /// Fixture name for each of our parameter names.
    static let fixtureNames = [
        "embedding": "embedding", "cell.W": "W", "cell.U": "U", "cell.b": "b",
        "output.weight": "V", "output.bias": "c",
    ]

    func fixtureFiles() throws -> [URL] {
        let fm = FileManager.default
        let folder: URL
        if let env = ProcessInfo.processInfo.environment["RNNLAB_FIXTURES"], !env.isEmpty {
            folder = URL(fileURLWithPath: env)
            let files = (try? fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            let fixtures = files.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
            if fixtures.isEmpty { XCTFail("RNNLAB_FIXTURES=\(env) holds no *.json fixture") }
            return fixtures
        }
        folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures")
        guard fm.fileExists(atPath: folder.path) else {
            throw XCTSkip("no fixtures folder at \(folder.path) and RNNLAB_FIXTURES is not set")
        }
        let files = try fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        let fixtures = files.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        XCTAssertFalse(fixtures.isEmpty, "the fixtures folder \(folder.path) holds no *.json fixture")
        return fixtures
    }

    func testEveryFixtureMatchesPyTorch() throws {
        let files = try fixtureFiles()
        for file in files {
            let worst = try runFixture(file, Double.self, tolerance: Self.tolerance)
            print("oracle: \(file.lastPathComponent): largest relative error \(String(format: "%.3e", worst))")
            XCTAssertLessThanOrEqual(worst, Self.tolerance, "\(file.lastPathComponent)")
        }
    }

    /// The Float path (vectorised kernels, training precision) agrees to the README's 1e-4.
    func testEveryFixtureMatchesPyTorchInFloat() throws {
        for file in try fixtureFiles() {
            let worst = try runFixture(file, Float.self, tolerance: 1e-4)
            print("oracle (Float): \(file.lastPathComponent): largest relative error \(String(format: "%.3e", worst))")
        }
    }

    /// Runs one fixture in `T` and returns the largest relative error seen; records failures with context.
    func runFixture<T: BLASScalar>(_ url: URL, _: T.Type, tolerance: Double) throws -> Double {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let name = url.lastPathComponent
        let V = try XCTUnwrap(json["vocab_size"] as? Int), E = try XCTUnwrap(json["embedding_size"] as? Int)
        let H = try XCTUnwrap(json["hidden_size"] as? Int), B = try XCTUnwrap(json["batch_size"] as? Int)
        let tied = try XCTUnwrap(json["tied"] as? Bool), bias = try XCTUnwrap(json["bias"] as? Bool)
        let activation = try XCTUnwrap(json["activation"] as? String)
        let lr = try XCTUnwrap((json["lr"] as? NSNumber)?.doubleValue)
        let clip = (json["clip"] as? NSNumber)?.doubleValue
        let model = try TestModels.elman(T.self, vocabulary: V, embedding: E, hidden: H,
                                         activation: activation, tied: tied, bias: bias)
        let params = try XCTUnwrap(json["params"] as? [String: Any])
        XCTAssertEqual(Set(params.keys), Set(model.parameters.map { Self.fixtureNames[$0.name]! }), "\(name): parameter set")
        for p in model.parameters {
            let values = flatten(params[Self.fixtureNames[p.name]!])
            XCTAssertEqual(values.count, p.count, "\(name): \(p.name) size")
            for i in 0..<p.count { p.value[i] = T(values[i]) }
        }

        var worst = 0.0
        func check(_ what: String, _ ours: [Double], _ theirs: [Double]) {
            XCTAssertEqual(ours.count, theirs.count, "\(name): \(what) size")
            let err = relativeError(ours, theirs)
            worst = max(worst, err)
            XCTAssertLessThanOrEqual(err, tolerance, "\(name): \(what)")
        }

        let chunks = try XCTUnwrap(json["chunks"] as? [[String: Any]])
        let state = model.zeroState(batch: B)
        let sgd = SGD<T>()
        for (k, chunk) in chunks.enumerated() {
            let inputsBT = try XCTUnwrap(chunk["inputs"] as? [[Int]])
            let targetsBT = try XCTUnwrap(chunk["targets"] as? [[Int]])
            let T = inputsBT[0].count
            // Fixtures are (B, T); the model reads time-major (T, B).
            var inputs = [Int32](repeating: 0, count: T * B), targets = inputs
            for b in 0..<B { for t in 0..<T {
                inputs[t * B + b] = Int32(inputsBT[b][t])
                targets[t * B + b] = Int32(targetsBT[b][t])
            } }
            check("chunk \(k) h0", state.array.map(Double.init), flatten(chunk["h0"]))
            model.zeroGradients()
            let loss = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: state)
            check("chunk \(k) loss", [loss], [try XCTUnwrap((chunk["loss"] as? NSNumber)?.doubleValue)])
            check("chunk \(k) h_final", state.array.map(Double.init), flatten(chunk["h_final"]))
            let grads = try XCTUnwrap(chunk["grads"] as? [String: Any])
            for p in model.parameters {
                check("chunk \(k) grad \(p.name)", p.grad.array.map(Double.init), flatten(grads[Self.fixtureNames[p.name]!]))
            }
            let clipped = clipScale(model.parameters, maxNorm: clip)
            check("chunk \(k) grad_norm", [clipped.norm], [try XCTUnwrap((chunk["grad_norm"] as? NSNumber)?.doubleValue)])
            check("chunk \(k) clip_scale", [clipped.scale], [try XCTUnwrap((chunk["clip_scale"] as? NSNumber)?.doubleValue)])
            sgd.update(model.parameters, learningRate: lr, gradientScale: clipped.scale)
            let after = try XCTUnwrap(chunk["params_after"] as? [String: Any])
            for p in model.parameters {
                check("chunk \(k) params_after \(p.name)", p.value.array.map(Double.init), flatten(after[Self.fixtureNames[p.name]!]))
            }
        }
        return worst
    }
}

/// Nested JSON arrays of numbers, flattened in row-major order.
func flatten(_ value: Any?) -> [Double] {
    if let n = value as? NSNumber { return [n.doubleValue] }
    if let a = value as? [Any] { return a.flatMap { flatten($0) } }
    return []
}

/// max |a − b| / max |b| (norm-wise relative error; absolute when b is all zeros).
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count, !a.isEmpty else { return a.count == b.count ? 0 : .infinity }
    var diff = 0.0, scale = 0.0
    for i in 0..<a.count {
        diff = max(diff, abs(a[i] - b[i]))
        scale = max(scale, abs(b[i]))
    }
    if diff.isNaN { return .infinity }
    return scale > 0 ? diff / scale : diff
}
