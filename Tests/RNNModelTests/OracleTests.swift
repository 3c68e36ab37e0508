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
        try Fixtures.files(environmentVariable: "RNNLAB_FIXTURES", defaultPath: "shared/fixtures")
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
        let json = try Fixtures.load(url)
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
            let (inputs, targets, T) = try Fixtures.timeMajorTokens(chunk, batch: B)
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
