// swift-tools-version:6.0
//
// libFuzzer harnesses: ConfigFuzzer for the experiment-file loader (YAML → typed config) and
// CheckpointFuzzer for the checkpoint reader. Build and run with ./run.sh SECONDS (see its
// header), or by hand:
//
//     cd Fuzz
//     swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --scratch-path .build-fuzz
//     .build-fuzz/release/ConfigFuzzer corpus -max_total_time=60 -timeout=5 -rss_limit_mb=2048
//
// They must find no crash, leak or hang: every input either decodes or is rejected with an error.
import PackageDescription

let package = Package(
    name: "ConfigFuzzer",
    dependencies: [.package(name: "rnnlab", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "ConfigFuzzer",
            dependencies: ["CFuzzerDriver", .product(name: "RNNLab", package: "rnnlab")]
        ),
        .executableTarget(
            name: "CheckpointFuzzer",
            dependencies: ["CFuzzerDriver", .product(name: "RNNLab", package: "rnnlab")]
        ),
    ]
)
