// Reading the PyTorch reference fixtures: finding the folder, reading numbers and token grids,
// and the norm-wise relative error the oracle tests compare with. Shared by OracleTests (Elman
// fixtures) and CellOracleTests (gated and stacked cells).

import Foundation
import XCTest

enum Fixtures {
    /// The `*.json` files of a fixtures folder, sorted by path.
    ///
    /// The folder is `$environmentVariable` when set (failing the test when it holds no fixture),
    /// else `defaultPath` relative to the directory that holds the package (`shared/fixtures`
    /// for `../shared/fixtures`); the test is skipped only when that default folder is absent.
    static func files(environmentVariable: String, defaultPath: String,
                      file: StaticString = #filePath, line: UInt = #line) throws -> [URL] {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            let files = (try? fm.contentsOfDirectory(at: URL(fileURLWithPath: env), includingPropertiesForKeys: nil)) ?? []
            let fixtures = files.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
            if fixtures.isEmpty { XCTFail("\(environmentVariable)=\(env) holds no *.json fixture", file: file, line: line) }
            return fixtures
        }
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(defaultPath)
        guard fm.fileExists(atPath: folder.path) else {
            print("skipping: no fixtures folder at \(folder.path) and \(environmentVariable) is not set")
            throw XCTSkip("no fixtures folder at \(folder.path) and \(environmentVariable) is not set")
        }
        let files = try fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        let fixtures = files.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        XCTAssertFalse(fixtures.isEmpty, "the fixtures folder \(folder.path) holds no *.json fixture", file: file, line: line)
        return fixtures
    }

    /// The top-level object of a fixture file.
    static func load(_ url: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], "\(url.lastPathComponent) is not a JSON object")
    }

    /// The number at `key`.
    static func number(_ object: [String: Any], _ key: String) throws -> Double {
        try XCTUnwrap((object[key] as? NSNumber)?.doubleValue, "fixture key \(key) is not a number")
    }

    /// A chunk's `inputs` and `targets`, stored (B, T), as time-major (T, B) token ids, and T.
    static func timeMajorTokens(_ chunk: [String: Any], batch B: Int) throws -> (inputs: [Int32], targets: [Int32], steps: Int) {
        let inputsBT = try XCTUnwrap(chunk["inputs"] as? [[Int]])
        let targetsBT = try XCTUnwrap(chunk["targets"] as? [[Int]])
        let T = inputsBT[0].count
        var inputs = [Int32](repeating: 0, count: T * B), targets = inputs
        for b in 0..<B { for t in 0..<T {
            inputs[t * B + b] = Int32(inputsBT[b][t])
            targets[t * B + b] = Int32(targetsBT[b][t])
        } }
        return (inputs, targets, T)
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
