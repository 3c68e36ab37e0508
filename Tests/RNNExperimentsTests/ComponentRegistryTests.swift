// ComponentRegistry: registration, duplicates, unknown names with did-you-mean, argument checks,
// and the catalogue `rnnlab components` prints.

import RNNModel
import RNNTraining
import XCTest
@testable import RNNExperiments

final class ComponentRegistryTests: XCTestCase {
    private func softsign() -> ComponentFactory<Void, any Activation> {
        ComponentFactory("softsign", "x / (1 + |x|)") { _, _ in Tanh() }
    }

    func testRegisteringANewNameAddsIt() throws {
        var registry = ComponentRegistry.builtin
        try registry.register(activation: softsign())
        XCTAssertEqual(registry.catalogue(.activation).map(\.name), ["relu", "sigmoid", "softsign", "tanh"])
        XCTAssertEqual(try registry.parameters(.activation, "softsign"), [])
        // The built-in value is untouched: registries are values, not global state.
        XCTAssertNil(ComponentRegistry.builtin.activations["softsign"])
    }

    func testDuplicateRegistrationIsAnError() throws {
        var registry = ComponentRegistry.builtin
        XCTAssertThrowsError(try registry.register(activation: ComponentFactory("tanh", "another tanh") { _, _ in Tanh() })) { error in
            XCTAssertEqual(error as? RegistryError, .duplicate(kind: .activation, name: "tanh"))
            XCTAssertEqual("\(error)", "an activation named tanh is already registered; register yours under another name")
        }
        try registry.register(activation: softsign())
        XCTAssertThrowsError(try registry.register(activation: softsign())) { error in
            XCTAssertEqual("\(error)", "an activation named softsign is already registered; register yours under another name")
        }
        XCTAssertThrowsError(try registry.register(cell: ComponentFactory("elman", "again") { _, c in
            ElmanCell<Float>(inputSize: c.inputSize, hiddenSize: c.hiddenSize, activation: c.activation, bias: c.bias)
        })) { error in
            XCTAssertEqual("\(error)", "a cell named elman is already registered; register yours under another name")
        }
        // The same name under another kind is fine.
        try registry.register(schedule: ComponentFactory("tanh", "a schedule that happens to be called tanh") { _, c in
            ConstantSchedule(learningRate: c.learningRate)
        })
    }

    func testUnknownNameListsTheRegisteredOnesWithDidYouMean() {
        let registry = ComponentRegistry.builtin
        func message(_ kind: ComponentKind, _ name: String) -> String? {
            do { _ = try registry.parameters(kind, name); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(message(.activation, "tahn"), "unknown activation \"tahn\"; did you mean tanh? (valid: relu, sigmoid, tanh)")
        XCTAssertEqual(message(.activation, "TANH"), "unknown activation \"TANH\"; did you mean tanh? (valid: relu, sigmoid, tanh)")
        XCTAssertEqual(message(.activation, "softplus"), "unknown activation \"softplus\" (valid: relu, sigmoid, tanh)")
        XCTAssertEqual(message(.optimizer, "adamw"), "unknown optimizer \"adamw\"; did you mean adam? (valid: adagrad, adam, asgd, sgd)")
        XCTAssertEqual(message(.dataset, "txt"), "unknown dataset \"txt\"; did you mean text? (valid: chars, synthetic, text, zipf)")
        XCTAssertEqual(message(.schedule, "cosine"), "unknown schedule \"cosine\" (valid: budget, constant, plateau, step)")
        XCTAssertEqual(message(.cell, "lstn"), "unknown cell \"lstn\"; did you mean lstm? (valid: elman, gru, lstm)")
        XCTAssertEqual(message(.output, ""), "unknown output \"\" (valid: class_softmax, hierarchical_softmax, nce, softmax)")
        XCTAssertEqual(message(.initializer, "xavier_uniform"),
                       "unknown initializer \"xavier_uniform\" (valid: normal, orthogonal, pytorch_rnn, uniform, xavier, zeros)")
        // An empty registry has nothing to suggest.
        XCTAssertThrowsError(try ComponentRegistry().parameters(.cell, "elman")) { error in
            XCTAssertEqual("\(error)", "unknown cell \"elman\"; none is registered")
        }
    }

    func testArgumentsFillDefaultsAndCheckNamesRangesAndRequiredOnes() throws {
        // Component parameters are decoded once, by the experiment decoder, against the factory's declaration.
        let loader = ExperimentLoader(registry: .builtin)
        func experiment(_ training: String) -> String {
            "name: a\ndata: {type: synthetic}\nmodel: {embedding_size: 4, hidden_size: 4}\ntraining: \(training)\n"
        }
        func load(_ training: String) throws -> ExperimentConfig { try loader.load(text: experiment(training), name: "e.yaml").config }
        func message(_ training: String) -> String? {
            do { _ = try load(training); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(try load("{optimizer: {name: adam, lr: 0.01}}").training.optimizer.arguments,
                       ComponentArguments([("lr", .double(0.01)), ("beta1", .double(0.9)), ("beta2", .double(0.999)), ("eps", .double(1e-8))]))
        XCTAssertEqual(message("{optimizer: {name: sgd, momentum: 0.9}}"), "e.yaml:4:35: training.optimizer.momentum: unknown parameter of optimizer sgd (valid: lr)")
        XCTAssertEqual(message("{optimizer: {name: sgd, lr: 0}}"), "e.yaml:4:39: training.optimizer.lr: 0 is out of range; expected a number > 0")
        XCTAssertEqual(message("{optimizer: {name: sgd, lr: }}"), "e.yaml:4:39: training.optimizer.lr: expected a number > 0, got null")
        XCTAssertEqual(message("{optimizer: nadam}"), "e.yaml:4:23: training.optimizer: unknown optimizer \"nadam\"; did you mean adam? (valid: adagrad, adam, asgd, sgd)")
        // Optional parameters without a default are simply absent.
        XCTAssertNil(try load("{schedule: plateau}").training.schedule.arguments["max_decays"])
    }

    func testEveryKindHasComponentsWithDocumentedParameters() {
        let registry = ComponentRegistry.builtin
        let expected: [ComponentKind: [String]] = [
            .dataset: ["chars", "synthetic", "text", "zipf"], .cell: ["elman", "gru", "lstm"], .activation: ["relu", "sigmoid", "tanh"],
            .output: ["class_softmax", "hierarchical_softmax", "nce", "softmax"], .initializer: ["normal", "orthogonal", "pytorch_rnn", "uniform", "xavier", "zeros"],
            .optimizer: ["adagrad", "adam", "asgd", "sgd"], .schedule: ["budget", "constant", "plateau", "step"],
        ]
        for kind in ComponentKind.allCases {
            let entries = registry.catalogue(kind)
            XCTAssertEqual(entries.map(\.name), expected[kind], "\(kind)")
            for e in entries {
                XCTAssertFalse(e.summary.isEmpty, "\(kind) \(e.name) has no summary")
                XCTAssertFalse(e.summary.contains("\n"), "\(kind) \(e.name): one line")
                for p in e.parameters {
                    XCTAssertFalse(p.summary.isEmpty, "\(e.name).\(p.name) has no summary")
                    if let d = p.defaultValue { XCTAssertNil(p.kind.rangeProblem(d), "\(e.name).\(p.name)'s default is out of its own range") }
                }
            }
        }
    }
}
