// swift-tools-version:6.0
//
// An rnnlab plugin: a package that depends on the rnnlab library, registers its own components
// and starts the rnnlab command line with them. Build and run from this folder:
//
//     swift run -c release rnnlab-plugin-demo run experiments/softsign.yaml
import PackageDescription

let package = Package(
    name: "ActivationPlugin",
    dependencies: [
        .package(name: "rnnlab", path: "../.."),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "rnnlab-plugin-demo",
            dependencies: [
                .product(name: "RNNLab", package: "rnnlab"),
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
    ]
)
