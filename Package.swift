// swift-tools-version:6.0
//
// rnnlab: recurrent-neural-network language-model experiments in Swift.
//
// Layers, each depending only on those below it (a target's dependencies are what it imports):
//
//   rnnlab (executable) → RNNLabCLI → RNNExperiments → RNNTraining → RNNModel → RNNTensor → CBLAS
//                                                                                       ↘ _RNNVectorKernels
//                                    RNNExperiments → RNNYAML → CYAML
//                                                   → RNNData (vocabulary, corpora; imports nothing of ours)
//                                                   → RNNNGram (Kneser-Ney n-grams, mixtures) → RNNData, RNNTensor
//                                                   → RNNRendering (charts, SVG, HTML, Markdown, CSV; Foundation only)
//                                                   → RNNTensorBoard (event files; Foundation only)
//                                                   → RNNBuildInfo (the commit being built; Plugins/BuildCommit writes it)
//   ngram-anchor (executable) → RNNNGram: the n-gram model's PTB benchmark.
//
// No target uses `unsafeFlags`: SwiftPM refuses them in a package used as a versioned dependency,
// which is how a plugin package depends on rnnlab. The vector kernels pick their instruction set
// at load time instead (Sources/_RNNVectorKernels).
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
        // Float exp, tanh and softmax row kernels, compiled for AVX-512, AVX2 and baseline x86-64;
        // the loader picks one by the CPU's features.
        .target(name: "_RNNVectorKernels"),
        .target(
            name: "RNNTensor",
            dependencies: ["CBLAS", "_RNNVectorKernels", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(name: "RNNModel", dependencies: ["RNNTensor", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "RNNData"),
        .target(
            name: "RNNNGram",
            dependencies: ["RNNData", "RNNTensor", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .executableTarget(name: "ngram-anchor", dependencies: ["RNNNGram", "RNNData"]),
        .target(name: "RNNTraining", dependencies: ["RNNModel", "RNNTensor", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "RNNYAML", dependencies: ["CYAML"]),
        .target(name: "RNNTensorBoard"),
        // The commit this binary was compiled from, written before every build by the plugin.
        .target(name: "RNNBuildInfo", plugins: ["BuildCommit"]),
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .target(
            name: "RNNExperiments",
            dependencies: ["RNNBuildInfo", "RNNYAML", "RNNTraining", "RNNModel", "RNNData", "RNNTensor", "RNNTensorBoard", "RNNRendering", "RNNNGram"]
        ),
        // Charts, SVG, HTML, Markdown, CSV and number formatting; knows nothing about runs.
        .target(name: "RNNRendering"),
        .target(
            name: "RNNLabCLI",
            dependencies: ["RNNExperiments", "RNNRendering", "RNNTraining", "RNNModel", "RNNData", "RNNTensor", "RNNYAML", "RNNNGram",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "rnnlab", dependencies: ["RNNLabCLI", "RNNExperiments"]),

        .testTarget(name: "RNNTensorTests", dependencies: ["RNNTensor"]),
        .testTarget(name: "RNNModelTests", dependencies: ["RNNModel", "RNNTraining", "RNNTensor"]),
        .testTarget(name: "RNNDataTests", dependencies: ["RNNData", "RNNTestSupport"]),
        .testTarget(name: "RNNNGramTests", dependencies: ["RNNNGram", "RNNData", "RNNTensor"]),
        .testTarget(name: "RNNTrainingTests", dependencies: ["RNNTraining", "RNNModel", "RNNTensor", "CAllocationCounter"]),
        // Test support: counts malloc calls (by replacing glibc's malloc in the test executable),
        // for the tests that prove a training step allocates nothing. Linked into test builds only.
        .target(name: "CAllocationCounter", path: "Tests/Support/CAllocationCounter"),
        // Test support shared by the test targets: scratch folders, tiny experiments, in-process
        // runs, the run comparison, the built rnnlab's path and the seeded generator. Used by test targets only.
        .target(
            name: "RNNTestSupport",
            dependencies: ["RNNExperiments", "RNNTraining", "RNNTensor", "RNNTensorBoard", "RNNRendering"],
            path: "Tests/Support/RNNTestSupport"
        ),
        .testTarget(name: "RNNYAMLTests", dependencies: ["RNNYAML", "RNNTestSupport"]),
        .testTarget(name: "RNNTensorBoardTests", dependencies: ["RNNTensorBoard"]),
        .testTarget(name: "RNNExperimentsTests", dependencies: ["RNNExperiments", "RNNTestSupport"]),
        .testTarget(name: "RNNLabCLITests", dependencies: ["RNNLabCLI", "RNNExperiments", "RNNTestSupport"]),
        .testTarget(name: "RNNRenderingTests", dependencies: ["RNNRendering", "RNNTestSupport"]),
    ]
)
