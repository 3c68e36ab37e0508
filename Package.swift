// swift-tools-version:6.0
//
// rnnlab: recurrent-neural-network language-model experiments in Swift.
//
// Layers, each depending only on those below it:
//   rnnlab (executable) → RNNLabCLI → RNNExperiments → RNNTraining → RNNModel → RNNTensor → CBLAS
//                                    ↘ RNNYAML → CYAML     ↘ RNNData, RNNNGram
//   RNNNGram (Kneser-Ney n-grams, mixtures) → RNNData, RNNTensor; ngram-anchor is its PTB benchmark.
import PackageDescription

let package = Package(
    name: "rnnlab",
    products: [
        .executable(name: "rnnlab", targets: ["rnnlab"]),
        // What a plugin package depends on: register components, then start the CLI.
        .library(name: "RNNLab", targets: ["RNNLabCLI", "RNNExperiments", "RNNTraining", "RNNModel", "RNNNGram", "RNNData", "RNNTensor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "RNNTensor",
            dependencies: ["CBLAS", .product(name: "RealModule", package: "swift-numerics")],
            // The vector kernels (softmax, exp, tanh) use the build machine's full SIMD width in
            // release builds, as `-march=native` would: rnnlab is built where it runs.
            swiftSettings: [.unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))]
        ),
        .target(name: "RNNModel", dependencies: ["RNNTensor"]),
        .target(name: "RNNData", dependencies: ["RNNTensor"]),
        .target(
            name: "RNNNGram",
            dependencies: ["RNNData", "RNNTensor", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .executableTarget(name: "ngram-anchor", dependencies: ["RNNNGram", "RNNData"]),
        .target(name: "RNNTraining", dependencies: ["RNNModel", "RNNData", "RNNTensor"]),
        .target(name: "RNNYAML", dependencies: ["CYAML"]),
        .target(
            name: "RNNExperiments",
            dependencies: ["RNNYAML", "RNNTraining", "RNNModel", "RNNNGram", "RNNData", "RNNTensor"]
        ),
        .target(
            name: "RNNLabCLI",
            dependencies: ["RNNExperiments", "RNNNGram", "RNNYAML", "RNNData", "RNNTensor", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "rnnlab", dependencies: ["RNNLabCLI"]),

        .testTarget(name: "RNNTensorTests", dependencies: ["RNNTensor"]),
        .testTarget(name: "RNNModelTests", dependencies: ["RNNModel", "RNNTraining", "RNNTensor"]),
        .testTarget(name: "RNNDataTests", dependencies: ["RNNData"]),
        .testTarget(name: "RNNNGramTests", dependencies: ["RNNNGram", "RNNData", "RNNTensor"]),
        .testTarget(name: "RNNYAMLTests", dependencies: ["RNNYAML"]),
        .testTarget(name: "RNNExperimentsTests", dependencies: ["RNNExperiments", "RNNNGram"]),
        .testTarget(name: "RNNLabCLITests", dependencies: ["RNNLabCLI"]),
    ]
)
