// Where the built `rnnlab` executable is, for the tests that run it as a child process. There is
// one way to find it, and a missing binary is an error that fails the test: it never skips.
//
// SwiftPM builds every product of a configuration into one folder, so `rnnlab` sits beside the
// test bundle (`.build/<config>/rnnlab` next to `.build/<config>/rnnlabPackageTests.xctest`);
// `swift build --build-tests` and `swift test` both build it. Set RNNLAB_BINARY to test another build.

import Foundation

public enum RNNLabExecutable {
    /// The executable is not where it should be.
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "no rnnlab executable at \(path): build it with `swift build --build-tests` (`swift test` builds it too), "
                + "or set RNNLAB_BINARY to the one to test"
        }
    }

    /// The path of the built `rnnlab`, or $RNNLAB_BINARY when set.
    /// - Throws: `Missing` when no executable file is there; a test that throws it fails.
    public static func path() throws(Missing) -> String {
        let path = expectedPath
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing(path: path) }
        return path
    }

    /// Where `rnnlab` should be: $RNNLAB_BINARY, or beside the test bundle.
    public static var expectedPath: String {
        if let p = ProcessInfo.processInfo.environment["RNNLAB_BINARY"], !p.isEmpty { return p }
        #if os(Linux)
        // The test bundle is the running executable: /proc/self/exe is …/rnnlabPackageTests.xctest.
        let bundle = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
        #else
        // The test bundle is loaded by xctest; this module is linked into it.
        let bundle = Bundle(for: BundleAnchor.self).bundleURL
        #endif
        return bundle.deletingLastPathComponent().appendingPathComponent("rnnlab").path
    }
}

#if !os(Linux)
private final class BundleAnchor {}
#endif
