// SourceMarks: a key path's place is its value's; a key that was not written falls back to its
// nearest written parent, and a key path of which nothing was written has none.

import RNNYAML
import XCTest
@testable import RNNExperiments

final class SourceMarksTests: XCTestCase {
    func testKeysAndTheirNearestWrittenParents() throws {
        let root = try YAMLDocument.parse(Array("name: x\nmodel:\n  cell: {name: lstm}\n  tied: true\n".utf8), file: "e.yaml")
        let marks = SourceMarks(root)
        XCTAssertEqual(marks.mark(for: "model.tied")?.description, "e.yaml:4:9")
        XCTAssertEqual(marks.mark(for: "model.cell.name")?.description, "e.yaml:3:16")
        XCTAssertEqual(marks.mark(for: "model.init.forget_gate_bias")?.description, "e.yaml:3:3")
        XCTAssertNil(marks.mark(for: "training.lr"))
        XCTAssertEqual(ExperimentError("bad", keyPath: "model.tied").located(in: "e.yaml", marks: marks).mark?.description, "e.yaml:4:9")
        XCTAssertEqual(ExperimentError("bad", keyPath: "training.lr").located(in: "e.yaml", marks: marks).mark?.description, "e.yaml")
    }
}
