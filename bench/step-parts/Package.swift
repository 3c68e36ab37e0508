// swift-tools-version:6.0
//
// step-parts: times the parts of one training step of a PTB model (see Sources/step-parts/main.swift
// and docs/performance.md, "Hierarchical softmax and NCE: where the time goes"). A package of its
// own, outside rnnlab's targets, that links rnnlab's library from the checkout two folders up.
import PackageDescription

let package = Package(
    name: "step-parts",
    dependencies: [.package(name: "rnnlab", path: "../..")],
    targets: [.executableTarget(name: "step-parts", dependencies: [.product(name: "RNNLab", package: "rnnlab")])]
)
