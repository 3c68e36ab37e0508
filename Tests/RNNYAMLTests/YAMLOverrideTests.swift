// Overrides (`--set key.path=value`): value parsing, setting at a dotted path, marks that point at
// the override, and error texts.
import XCTest
@testable import RNNYAML

final class YAMLOverrideTests: XCTestCase {
    private let base = """
    model:
      hidden_size: 8
    training:
      lr: 0.1
      epochs: 2
    """

    private func root() throws -> YAMLNode { try YAMLDocument.parse(base, file: "exp.yaml") }

    func testReplacesAValueAndKeepsKeyOrder() throws {
        let result = try applyOverride("training.lr=0.5", to: root(), source: "--set")
        XCTAssertEqual(result["training"]?.mapping?.map(\.key), ["lr", "epochs"])
        XCTAssertEqual(result["training"]?["lr"]?.double, 0.5)
        XCTAssertEqual(result["training"]?["lr"]?.mark.description, "--set training.lr=0.5:1:13")
        XCTAssertEqual(result["training"]?.mapping?[0].keyMark.description, "--set training.lr=0.5:1:10")
        XCTAssertEqual(result["model"], try root()["model"])
    }

    func testValuesAreYAML() throws {
        let r = try root()
        XCTAssertEqual(try applyOverride("model.layers=[1,2]", to: r)["model"]?["layers"]?.sequence?.compactMap(\.int), [1, 2])
        XCTAssertEqual(try applyOverride("model.bias=true", to: r)["model"]?["bias"]?.bool, true)
        XCTAssertEqual(try applyOverride("model.name=\"x\"", to: r)["model"]?["name"]?.string, "x")
        XCTAssertEqual(try applyOverride("model.name='1'", to: r)["model"]?["name"]?.string, "1")
        XCTAssertEqual(try applyOverride("model.opts={a: 1, b: [x]}", to: r)["model"]?["opts"]?["b"]?.sequence?.first?.string, "x")
        XCTAssertTrue(try applyOverride("training.lr=", to: r)["training"]!["lr"]!.isNull)
        XCTAssertEqual(try applyOverride("training.lr=a=b", to: r)["training"]?["lr"]?.string, "a=b")
    }

    func testCreatesIntermediateMappings() throws {
        let result = try applyOverride("data.split.valid=0.1", to: root())
        XCTAssertEqual(result.mapping?.map(\.key), ["model", "training", "data"])
        XCTAssertEqual(result["data"]?["split"]?["valid"]?.double, 0.1)
        XCTAssertEqual(result["data"]?.mark.file, "--set data.split.valid=0.1")
        let fromEmpty = try applyOverride("a.b=1", to: YAMLDocument.parse("", file: "e.yaml"))
        XCTAssertEqual(fromEmpty, ["a": ["b": 1]])
    }

    func testOverrideMarksFlowIntoConfigErrors() throws {
        let overridden = try applyOverride("training.lr=fast", to: root())
        let lr = try XCTUnwrap(overridden["training"]?["lr"])
        XCTAssertEqual(ConfigError.typeMismatch(lr, keyPath: "training.lr", expected: "a number").description,
                       "--set training.lr=fast:1:13: training.lr: expected a number, got \"fast\".")
        var reader = try MappingReader(applyOverride("training.lrr=1", to: root()))
        var training = try MappingReader(try XCTUnwrap(reader.node("training")), keyPath: "training")
        _ = training.node("lr")
        _ = training.node("epochs")
        XCTAssertThrowsError(try training.finish()) { error in
            XCTAssertEqual("\(error)", "--set training.lrr=1:1:10: training.lrr: unknown key; did you mean lr? (valid: epochs, lr)")
        }
    }

    func testIntermediateThatIsNotAMappingIsAnError() throws {
        XCTAssertThrowsError(try applyOverride("training.lr.x=1", to: root())) { error in
            XCTAssertEqual("\(error)", "--set training.lr.x=1:1:13: training.lr.x: cannot be set because training.lr is 0.1 (at exp.yaml:4:7), not a mapping.")
        }
        XCTAssertThrowsError(try applyOverride("a=1", to: YAMLDocument.parse("[1]", file: "l.yaml"))) { error in
            XCTAssertEqual("\(error)", "--set a=1:1:1: a: cannot be set because the document is a sequence (at l.yaml:1:1), not a mapping.")
        }
    }

    func testMalformedAssignments() {
        XCTAssertThrowsError(try YAMLOverride(parsing: "training.lr", source: "--set")) { error in
            XCTAssertEqual("\(error)", "--set training.lr:1:1: an override must look like key.path=value (for example training.lr=0.5).")
        }
        XCTAssertThrowsError(try YAMLOverride(parsing: "training..lr=1")) { error in
            XCTAssertEqual("\(error)", "--set training..lr=1:1:1: training..lr: an override key path must be names separated by single dots, with none empty.")
        }
        XCTAssertThrowsError(try YAMLOverride(parsing: "=1")) { error in
            XCTAssertTrue(error is ConfigError)
        }
        XCTAssertThrowsError(try YAMLOverride(parsing: "training.lr=[1, 2")) { error in
            XCTAssertEqual("\(error)", "--set training.lr=[1, 2:1:18: the '[' sequence that starts on line 1 is missing a ',' between items or its closing ']'.")
        }
    }

    func testParsedOverrideExposesPathAndValue() throws {
        let o = try YAMLOverride(parsing: " training.lr = 0.5", source: "--set")
        XCTAssertEqual(o.path, ["training", "lr"])
        XCTAssertEqual(o.keyPath, "training.lr")
        XCTAssertEqual(o.value.double, 0.5)
        XCTAssertEqual(o.sourceName, "--set  training.lr = 0.5")
    }
}
