// MappingReader and ConfigError: typed reads, exact error sentences, unknown keys with
// did-you-mean, and the shared didYouMean utility.
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
      epochs: 0
      dropout: 1.5
      optimizer: adamw
      seed: 123456789012345678901234567890
      tags: [a, 7]
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

    func testTypedReadsAndDefaults() throws {
        var r = try root()
        var model = try r.mapping("model")
        XCTAssertEqual(try model.required("cell", as: String.self), "elman")
        XCTAssertEqual(try model.required("layers", as: [Int].self), [16, 32])
        XCTAssertEqual(try model.required("layers", as: [Double].self), [16, 32])
        XCTAssertEqual(try model.optional("bias", default: false), true)
        XCTAssertEqual(try model.optional("missing", default: 7), 7)
        XCTAssertNil(try model.optional("missing", as: Double.self))
        XCTAssertEqual(try model.oneOf("activation", ["relu", "tanh"]), "tanh")
        XCTAssertEqual(model.path("cell"), "model.cell")
        XCTAssertEqual(r.keyPath, "")
    }

    func testUnknownKeyWithDidYouMeanListsValidKeys() throws {
        var r = try root()
        var model = try r.mapping("model")
        _ = try model.required("cell", as: String.self)
        _ = try model.optional("hidden_size", default: 8)
        _ = try model.oneOf("activation", ["relu", "tanh"])
        _ = try model.optional("layers", default: [Int]())
        _ = try model.optional("bias", default: true)
        XCTAssertEqual(message { try model.finish() },
                       "exp.yaml:3:3: model.hiden_size: unknown key; did you mean hidden_size? (valid: activation, bias, cell, hidden_size, layers)")
    }

    func testUnknownKeyWithoutSuggestionAndAllUnknownKeys() throws {
        var r = try root()
        _ = try r.optionalMapping("model")
        XCTAssertEqual(message { try r.finish() },
                       "exp.yaml:7:1: training: unknown key (valid: model)")
        let empty = try MappingReader(YAMLDocument.parse("x: 1\ny: 2\n", file: "e.yaml"))
        XCTAssertEqual(empty.unknownKeyErrors().map(\.description),
                       ["e.yaml:1:1: x: unknown key; this mapping takes no keys.",
                        "e.yaml:2:1: y: unknown key; this mapping takes no keys."])
    }

    func testWrongTypes() throws {
        var r = try root()
        var training = try r.mapping("training")
        XCTAssertEqual(message { _ = try training.required("lr", as: Double.self) },
                       "exp.yaml:8:7: training.lr: expected a number, got \"fast\".")
        XCTAssertEqual(message { _ = try training.required("tags", as: [String].self) },
                       "exp.yaml:13:13: training.tags[1]: expected a string, got 7.")
        XCTAssertEqual(message { _ = try training.required("lr", as: [Int].self) },
                       "exp.yaml:8:7: training.lr: expected a sequence of integers, got \"fast\".")
        XCTAssertEqual(message { _ = try training.required("dropout", as: Int.self) },
                       "exp.yaml:10:12: training.dropout: expected an integer, got 1.5.")
        XCTAssertEqual(message { _ = try training.required("epochs", as: Bool.self) },
                       "exp.yaml:9:11: training.epochs: expected true or false, got 0.")
        XCTAssertEqual(message { _ = try r.required("training", as: String.self) },
                       "exp.yaml:8:3: training: expected a string, got a mapping.")
        var model = try r.mapping("model")
        XCTAssertEqual(message { _ = try model.mapping("cell") },
                       "exp.yaml:2:9: model.cell: expected a mapping, got \"elman\".")
    }

    func testOutOfRange() throws {
        var r = try root()
        var training = try r.mapping("training")
        XCTAssertEqual(message { _ = try training.positiveInt("epochs") },
                       "exp.yaml:9:11: training.epochs: 0 is out of range; expected an integer ≥ 1.")
        XCTAssertEqual(message { _ = try training.double("dropout", in: 0...1) },
                       "exp.yaml:10:12: training.dropout: 1.5 is out of range; expected a number ≥ 0 and ≤ 1.")
        XCTAssertEqual(message { _ = try training.int("epochs", in: 1...10) },
                       "exp.yaml:9:11: training.epochs: 0 is out of range; expected an integer from 1 to 10.")
        XCTAssertEqual(message { _ = try training.double("dropout", in: 2...Double.infinity) },
                       "exp.yaml:10:12: training.dropout: 1.5 is out of range; expected a number ≥ 2.")
        XCTAssertEqual(try training.nonNegativeInt("epochs"), 0)
        XCTAssertEqual(try training.positiveDouble("dropout"), 1.5)
        XCTAssertEqual(try training.positiveInt("batch", default: 32), 32)
    }

    func testHugeIntegerIsAClearError() throws {
        var r = try root()
        var training = try r.mapping("training")
        XCTAssertEqual(message { _ = try training.required("seed", as: Int.self) },
                       "exp.yaml:12:9: training.seed: 123456789012345678901234567890 is out of range; expected an integer from -9223372036854775808 to 9223372036854775807.")
    }

    func testOneOfWithSuggestion() throws {
        var r = try root()
        var training = try r.mapping("training")
        XCTAssertEqual(message { _ = try training.oneOf("optimizer", ["sgd", "adam", "adagrad"]) },
                       "exp.yaml:11:14: training.optimizer: \"adamw\" is not a valid choice; did you mean adam? (valid: adagrad, adam, sgd)")
        XCTAssertEqual(message { _ = try training.oneOf("lr", ["sgd"]) },
                       "exp.yaml:8:7: training.lr: \"fast\" is not a valid choice (valid: sgd)")
    }

    func testMissingRequiredKey() throws {
        var r = try root()
        var model = try r.mapping("model")
        XCTAssertEqual(message { _ = try model.required("hidden_size", as: Int.self) },
                       "exp.yaml:2:3: model.hidden_size: missing required key.")
        XCTAssertEqual(message { _ = try model.positiveInt("hidden_size") },
                       "exp.yaml:2:3: model.hidden_size: missing required key.")
    }

    func testNullValues() throws {
        var r = try MappingReader(YAMLDocument.parse("clip:\nsection:\n", file: "n.yaml"))
        XCTAssertNil(try r.optional("clip", as: Double.self))
        XCTAssertEqual(message { _ = try r.optional("clip", default: 1.0) },
                       "n.yaml:1:6: clip: expected a number, got null.")
        var section = try r.optionalMapping("section")
        XCTAssertEqual(try section.optional("x", default: 3), 3)
        XCTAssertNoThrow(try section.finish())
        XCTAssertNoThrow(try r.finish())
    }

    func testEmptyFileAsConfig() {
        XCTAssertEqual(message { _ = try MappingReader(YAMLDocument.parse("", file: "empty.yaml")) },
                       "empty.yaml:1:1: the document is empty; expected a mapping.")
        XCTAssertEqual(message { _ = try MappingReader(YAMLDocument.parse("- a\n", file: "list.yaml")) },
                       "list.yaml:1:1: expected a mapping, got a sequence.")
    }

    func testConfigErrorFields() throws {
        var r = try root()
        var training = try r.mapping("training")
        do {
            _ = try training.positiveInt("epochs")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.file, "exp.yaml")
            XCTAssertEqual(error.line, 9)
            XCTAssertEqual(error.column, 11)
            XCTAssertEqual(error.keyPath, "training.epochs")
            XCTAssertEqual(error.value, "0")
        }
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
