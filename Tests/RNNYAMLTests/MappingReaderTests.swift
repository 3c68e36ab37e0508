// MappingReader and ConfigError: key tracking, unknown keys with did-you-mean, exact error
// sentences and fields, and the shared didYouMean utility.
import XCTest
@testable import RNNYAML

final class MappingReaderTests: XCTestCase {
    private let config = """
    model:
      cell: elman
      hiden_size: 4
      activation: tanh
      layers: [16, 32]
      bias: true
    training:
      lr: fast
    """

    private func root() throws -> MappingReader {
        try MappingReader(YAMLDocument.parse(config, file: "exp.yaml"))
    }

    /// The ConfigError `body` throws, as text.
    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testNodesPathsAndMarks() throws {
        var r = try root()
        var model = try MappingReader(try XCTUnwrap(r.node("model")), keyPath: "model")
        XCTAssertEqual(model.node("cell")?.string, "elman")
        XCTAssertNil(model.node("hidden_size"), "an absent key reads as nil")
        XCTAssertEqual(model.keys, ["cell", "hiden_size", "activation", "layers", "bias"])
        XCTAssertTrue(model.contains("bias"))
        XCTAssertEqual(model.keyMark("hiden_size")?.description, "exp.yaml:3:3")
        XCTAssertEqual(model.path("cell"), "model.cell")
        XCTAssertEqual(r.keyPath, "")
        XCTAssertEqual(model.readKeys, ["cell", "hidden_size"], "asking about a key makes it valid, present or not")
    }

    func testUnknownKeyWithDidYouMeanListsValidKeys() throws {
        var r = try root()
        var model = try MappingReader(try XCTUnwrap(r.node("model")), keyPath: "model")
        for key in ["cell", "hidden_size", "activation", "layers", "bias"] { _ = model.node(key) }
        XCTAssertEqual(message { try model.finish() },
                       "exp.yaml:3:3: model.hiden_size: unknown key; did you mean hidden_size? (valid: activation, bias, cell, hidden_size, layers)")
    }

    func testUnknownKeyWithoutSuggestionAndAllUnknownKeys() throws {
        var r = try root()
        r.markRead("model")
        XCTAssertEqual(message { try r.finish() }, "exp.yaml:7:1: training: unknown key (valid: model)")
        let empty = try MappingReader(YAMLDocument.parse("x: 1\ny: 2\n", file: "e.yaml"))
        XCTAssertEqual(empty.unknownKeyErrors().map(\.description),
                       ["e.yaml:1:1: x: unknown key; this mapping takes no keys.",
                        "e.yaml:2:1: y: unknown key; this mapping takes no keys."])
    }

    func testEmptyFileAsConfig() {
        XCTAssertEqual(message { _ = try MappingReader(YAMLDocument.parse("", file: "empty.yaml")) },
                       "empty.yaml:1:1: the document is empty; expected a mapping.")
        XCTAssertEqual(message { _ = try MappingReader(YAMLDocument.parse("- a\n", file: "list.yaml")) },
                       "list.yaml:1:1: expected a mapping, got a sequence.")
    }

    func testConfigErrorFields() throws {
        let r = try root()
        let error = try XCTUnwrap(r.unknownKeyErrors().last)
        XCTAssertEqual(error.file, "exp.yaml")
        XCTAssertEqual(error.line, 7)
        XCTAssertEqual(error.column, 1)
        XCTAssertEqual(error.keyPath, "training")
        XCTAssertEqual(error.value, "training")
    }

    func testInvalidChoiceWording() throws {
        let node = try YAMLDocument.parse("adamw", file: "o.yaml")
        XCTAssertEqual(ConfigError.invalidChoice(node, keyPath: "training.optimizer", choices: ["sgd", "adam", "adagrad"]).description,
                       "o.yaml:1:1: training.optimizer: \"adamw\" is not a valid choice; did you mean adam? (valid: adagrad, adam, sgd)")
        XCTAssertEqual(ConfigError.invalidChoice(node, keyPath: "x", choices: ["sgd"]).description,
                       "o.yaml:1:1: x: \"adamw\" is not a valid choice (valid: sgd)")
    }

    func testDidYouMean() {
        let keys = ["hidden_size", "activation", "cell", "bias", "lr", "weight_decay"]
        XCTAssertEqual(didYouMean("hiden_size", among: keys), "hidden_size")
        XCTAssertEqual(didYouMean("Hidden_Size", among: keys), "hidden_size")
        XCTAssertEqual(didYouMean("actviation", among: keys), "activation")  // swapped letters
        XCTAssertEqual(didYouMean("celll", among: keys), "cell")
        XCTAssertEqual(didYouMean("lrr", among: keys), "lr")
        XCTAssertNil(didYouMean("wd", among: keys))
        XCTAssertNil(didYouMean("momentum", among: keys))
        XCTAssertNil(didYouMean("", among: keys))
        XCTAssertNil(didYouMean("cell", among: []))
        // Ties go to the alphabetically first candidate, whatever the input order.
        XCTAssertEqual(didYouMean("bat", among: ["cat", "bar"]), "bar")
        XCTAssertEqual(didYouMean("bat", among: ["bar", "cat"]), "bar")
    }
}
