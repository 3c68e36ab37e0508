// swift-tools-version:6.0
//
// An rnnlab plugin: a package that depends on the rnnlab library, registers its own components
// and starts the rnnlab command line with them. Build and run from this folder:
//
//     swift run -c release rnnlab-plugin-demo run experiments/softsign.yaml
//     swift run -c release rnnlab-plugin-demo run experiments/indrnn.yaml
//     swift test                  (the plugin cell's gradient checks)
//
// The cell lives in a library target so that its tests can import it; the executable registers
// it with the activations.
import PackageDescription

let package = Package(
    name: "ActivationPlugin",
    dependencies: [
        .package(name: "rnnlab", path: "../.."),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .target(
            name: "PluginCells",
            dependencies: [.product(name: "RNNLab", package: "rnnlab")]
        ),
        .executableTarget(
            name: "rnnlab-plugin-demo",
            dependencies: [
                "PluginCells",
                .product(name: "RNNLab", package: "rnnlab"),
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        .testTarget(
            name: "PluginCellsTests",
            dependencies: ["PluginCells", .product(name: "RNNLab", package: "rnnlab")]
        ),
    ]
)
