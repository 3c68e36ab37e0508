// The oracle test for gated and stacked cells: every PyTorch float64 fixture in the cells
// fixtures folder, chunk by chunk, with the optimizer the fixture names.
//
// For each `*.json` in $RNNLAB_CELL_FIXTURES (else ../shared/fixtures/cells beside the
// package): rebuild the model (cell, layers, tied, PyTorch's two biases) from `params`, run every
// chunk (forward, BPTT, clipping, SGD / Adam / Adagrad step, optimizer state carried) and
// compare h0/c0, loss, h_final/c_final, every gradient, grad_norm, clip_scale and params_after
// to ≤ 1e-9 relative (norm-wise per tensor). Fails when $RNNLAB_CELL_FIXTURES is set but holds
// no fixture; skips only when the default folder is absent.

import Foundation
import RNNModel
import RNNTensor
import RNNTraining
import XCTest

final class CellOracleTests: XCTestCase {
    static let tolerance = 1e-9

    func fixtureFiles() throws -> [URL] {
        try Fixtures.files(environmentVariable: "RNNLAB_CELL_FIXTURES", defaultPath: "shared/fixtures/cells")
    }

    /// Fixture name for each of our parameter names, for a model of `layers` layers.
    static func fixtureNames(layers: Int) -> [String: String] {
        var names = ["embedding": "embedding", "output.weight": "V", "output.bias": "c"]
        for l in 0..<layers {
            let prefix = StackedCell<Double>.layerPrefix(l, of: layers)
            names[prefix + "W"] = "weight_ih_l\(l)"
            names[prefix + "U"] = "weight_hh_l\(l)"
            names[prefix + "b_ih"] = "bias_ih_l\(l)"
            names[prefix + "b_hh"] = "bias_hh_l\(l)"
        }
        return names
    }

    /// Our state (B, S) rearranged as the fixture's (L, B, H) h and, for an LSTM, c.
    /// Layer l's state starts at column l·(H or 2H); an LSTM layer's is [h | c].
    static func fixtureStates<S: BLASScalar>(_ state: Tensor<S>, layers L: Int, batch B: Int, hidden H: Int, lstm: Bool) -> (h: [Double], c: [Double]) {
        let S = state.shape[1], width = lstm ? 2 * H : H
        var h: [Double] = [], c: [Double] = []
        for l in 0..<L { for b in 0..<B { for j in 0..<H {
            h.append(Double(state[b * S + l * width + j]))
            if lstm { c.append(Double(state[b * S + l * width + H + j])) }
        } } }
        return (h, c)
    }

    static func optimizer<S: BLASScalar>(_ json: [String: Any], _: S.Type) throws -> any Optimizer<S> {
        let spec = try XCTUnwrap(json["optimizer"] as? [String: Any], "fixture has no optimizer")
        switch try XCTUnwrap(spec["name"] as? String) {
        case "sgd": return SGD<S>()
        case "adam":
            let betas = flatten(spec["betas"])
            return Adam<S>(beta1: betas[0], beta2: betas[1], epsilon: try Fixtures.number(spec, "eps"))
        case "adagrad": return Adagrad<S>(epsilon: try Fixtures.number(spec, "eps"))
        case let other: throw XCTSkip("unknown optimizer \(other)")
        }
    }

    func testEveryCellFixtureMatchesPyTorch() throws {
        for file in try fixtureFiles() {
            let worst = try runFixture(file, Double.self, tolerance: Self.tolerance)
            print("cell oracle: \(file.lastPathComponent): largest relative error \(String(format: "%.3e", worst))")
            XCTAssertLessThanOrEqual(worst, Self.tolerance, file.lastPathComponent)
        }
    }

    /// The Float path (SIMD gate kernels, training precision) agrees to the README's 1e-4.
    func testEveryCellFixtureMatchesPyTorchInFloat() throws {
        for file in try fixtureFiles() {
            let worst = try runFixture(file, Float.self, tolerance: 1e-4)
            print("cell oracle (Float): \(file.lastPathComponent): largest relative error \(String(format: "%.3e", worst))")
        }
    }

    /// Builds the fixture's model with its initial parameters.
    func model<S: BLASScalar>(_ json: [String: Any], _: S.Type, bias: CellBias? = nil) throws -> (LanguageModel<S>, names: [String: String]) {
        let V = try XCTUnwrap(json["vocab_size"] as? Int), E = try XCTUnwrap(json["embedding_size"] as? Int)
        let H = try XCTUnwrap(json["hidden_size"] as? Int), L = try XCTUnwrap(json["layers"] as? Int)
        let tied = try XCTUnwrap(json["tied"] as? Bool), hasBias = try XCTUnwrap(json["bias"] as? Bool)
        let cell = try XCTUnwrap(json["cell"] as? String), activation = try XCTUnwrap(json["activation"] as? String)
        let model = try TestModels.model(S.self, cell: cell, layers: L, vocabulary: V, embedding: E, hidden: H,
                                         activation: activation, tied: tied, bias: bias ?? (hasBias ? .split : .none))
        let names = Self.fixtureNames(layers: L)
        return (model, names)
    }

    /// Runs one fixture and returns the largest relative error seen; records failures with context.
    func runFixture<S: BLASScalar>(_ url: URL, _: S.Type, tolerance: Double) throws -> Double {
        let json = try Fixtures.load(url)
        let name = url.lastPathComponent
        let (model, names) = try model(json, S.self)
        let B = try XCTUnwrap(json["batch_size"] as? Int), H = try XCTUnwrap(json["hidden_size"] as? Int)
        let L = try XCTUnwrap(json["layers"] as? Int), lstm = json["cell"] as? String == "lstm"
        let lr = try Fixtures.number(json, "lr"), clip = (json["clip"] as? NSNumber)?.doubleValue
        let params = try XCTUnwrap(json["params"] as? [String: Any])
        XCTAssertEqual(Set(params.keys), Set(model.parameters.compactMap { names[$0.name] }), "\(name): parameter set")
        XCTAssertEqual(model.parameters.count, params.count, "\(name): parameter count")
        for p in model.parameters {
            let values = flatten(params[try XCTUnwrap(names[p.name], "\(name): no fixture name for \(p.name)")])
            XCTAssertEqual(values.count, p.count, "\(name): \(p.name) size")
            for i in 0..<min(p.count, values.count) { p.value[i] = S(values[i]) }
        }

        var worst = 0.0
        func check(_ what: String, _ ours: [Double], _ theirs: [Double]) {
            XCTAssertEqual(ours.count, theirs.count, "\(name): \(what) size")
            let err = relativeError(ours, theirs)
            worst = max(worst, err)
            XCTAssertLessThanOrEqual(err, tolerance, "\(name): \(what)")
        }
        func checkState(_ what: String, _ state: Tensor<S>, _ chunk: [String: Any], h: String, c: String) {
            let ours = Self.fixtureStates(state, layers: L, batch: B, hidden: H, lstm: lstm)
            check("\(what) \(h)", ours.h, flatten(chunk[h]))
            if lstm { check("\(what) \(c)", ours.c, flatten(chunk[c])) }
        }

        let chunks = try XCTUnwrap(json["chunks"] as? [[String: Any]])
        let state = model.zeroState(batch: B)
        let optimizer = try Self.optimizer(json, S.self)
        for (k, chunk) in chunks.enumerated() {
            let (inputs, targets, T) = try Fixtures.timeMajorTokens(chunk, batch: B)
            checkState("chunk \(k)", state, chunk, h: "h0", c: "c0")
            model.zeroGradients()
            let loss = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: state)
            check("chunk \(k) loss", [loss], [try Fixtures.number(chunk, "loss")])
            checkState("chunk \(k)", state, chunk, h: "h_final", c: "c_final")
            let grads = try XCTUnwrap(chunk["grads"] as? [String: Any])
            for p in model.parameters {
                check("chunk \(k) grad \(p.name)", p.grad.array.map(Double.init), flatten(grads[names[p.name] ?? ""]))
            }
            let clipped = clipScale(model.parameters, maxNorm: clip)
            check("chunk \(k) grad_norm", [clipped.norm], [try Fixtures.number(chunk, "grad_norm")])
            check("chunk \(k) clip_scale", [clipped.scale], [try Fixtures.number(chunk, "clip_scale")])
            optimizer.update(model.parameters, learningRate: lr, gradientScale: clipped.scale)
            let after = try XCTUnwrap(chunk["params_after"] as? [String: Any])
            for p in model.parameters {
                check("chunk \(k) params_after \(p.name)", p.value.array.map(Double.init), flatten(after[names[p.name] ?? ""]))
            }
        }
        return worst
    }

    /// One bias per gate block (`.single`, b = b_ih + b_hh) computes PyTorch's function: on the
    /// first chunk of every Elman and LSTM fixture with biases, the loss, final state and every
    /// gradient agree, the single bias's gradient being each PyTorch bias's gradient. (The grad
    /// norm, hence clipping, and the update differ: PyTorch counts that gradient twice.)
    func testOneBiasPerGateBlockComputesPyTorchsFunction() throws {
        var ran = 0
        for url in try fixtureFiles() {
            let json = try Fixtures.load(url)
            guard json["bias"] as? Bool == true, json["cell"] as? String != "gru" else { continue }
            let name = url.lastPathComponent
            let (model, names) = try model(json, Double.self, bias: .single)
            let B = try XCTUnwrap(json["batch_size"] as? Int), H = try XCTUnwrap(json["hidden_size"] as? Int)
            let L = try XCTUnwrap(json["layers"] as? Int), lstm = json["cell"] as? String == "lstm"
            let params = try XCTUnwrap(json["params"] as? [String: Any])
            /// The fixture tensor behind one of our names; a single bias `…b` is b_ih + b_hh.
            func fixtureValues(_ table: [String: Any], _ p: Parameter<Double>, sumBiases: Bool) -> [Double] {
                if let fixtureName = names[p.name] { return flatten(table[fixtureName]) }
                let prefix = String(p.name.dropLast(1))
                let ih = flatten(table[names[prefix + "b_ih"] ?? ""]), hh = flatten(table[names[prefix + "b_hh"] ?? ""])
                return sumBiases ? zip(ih, hh).map { $0 + $1 } : ih
            }
            for p in model.parameters {
                let values = fixtureValues(params, p, sumBiases: true)
                XCTAssertEqual(values.count, p.count, "\(name): \(p.name) size")
                for i in 0..<min(p.count, values.count) { p.value[i] = values[i] }
            }
            let chunk = try XCTUnwrap((json["chunks"] as? [[String: Any]])?.first)
            let (inputs, targets, T) = try Fixtures.timeMajorTokens(chunk, batch: B)
            let state = model.zeroState(batch: B)
            model.zeroGradients()
            let loss = model.forwardBackward(inputs: inputs, targets: targets, steps: T, batch: B, state: state)
            var worst = relativeError([loss], [try Fixtures.number(chunk, "loss")])
            let ours = Self.fixtureStates(state, layers: L, batch: B, hidden: H, lstm: lstm)
            worst = max(worst, relativeError(ours.h, flatten(chunk["h_final"])))
            if lstm { worst = max(worst, relativeError(ours.c, flatten(chunk["c_final"]))) }
            let grads = try XCTUnwrap(chunk["grads"] as? [String: Any])
            for p in model.parameters {
                let err = relativeError(p.grad.array, fixtureValues(grads, p, sumBiases: false))
                XCTAssertLessThanOrEqual(err, Self.tolerance, "\(name): grad \(p.name)")
                worst = max(worst, err)
            }
            print("cell oracle, one bias per gate block: \(name) chunk 0: largest relative error \(String(format: "%.3e", worst))")
            XCTAssertLessThanOrEqual(worst, Self.tolerance, name)
            ran += 1
        }
        XCTAssertGreaterThan(ran, 0, "no Elman or LSTM fixture with biases")
    }
}
