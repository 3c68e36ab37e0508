#!/usr/bin/env bash
# A plugin package as a plugin author writes it: it depends on rnnlab *by version*
# (`.package(url: …, from: "0.1.0")`), which SwiftPM refuses when any target of the product has
# unsafe build flags. The rnnlab it gets is this commit, cloned into a temporary git repository and
# tagged 0.1.0 there (file:// URLs are git URLs to SwiftPM, versions included). The plugin is the
# example's code (its activations and its IndRNN cell), builds, and trains a few steps with each.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git clone -q --no-local "$root" "$tmp/rnnlab"
git -C "$tmp/rnnlab" checkout -q "$(git rev-parse HEAD)"
git -C "$tmp/rnnlab" -c user.name=ci -c user.email=ci@localhost tag -f 0.1.0 >/dev/null

mkdir -p "$tmp/plugin/Sources/plugin-by-version"
cp Examples/ActivationPlugin/Sources/rnnlab-plugin-demo/main.swift "$tmp/plugin/Sources/plugin-by-version/main.swift"
cp -R Examples/ActivationPlugin/Sources/PluginCells "$tmp/plugin/Sources/PluginCells"
cat > "$tmp/plugin/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "plugin-by-version",
    dependencies: [
        .package(url: "file://$tmp/rnnlab", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .target(name: "PluginCells", dependencies: [.product(name: "RNNLab", package: "rnnlab")]),
        .executableTarget(
            name: "plugin-by-version",
            dependencies: [
                "PluginCells",
                .product(name: "RNNLab", package: "rnnlab"),
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
    ]
)
SWIFT

cd "$tmp/plugin"
swift build
grep -q '"version" : "0.1.0"' Package.resolved || { echo "plugin-by-version: rnnlab was not resolved at version 0.1.0" >&2; cat Package.resolved >&2; exit 1; }
.build/debug/plugin-by-version components --kind activation | grep -q leaky_relu
.build/debug/plugin-by-version run "$root/Examples/ActivationPlugin/experiments/softsign.yaml" --results "$tmp/results" --quiet \
    --set training.max_steps=10 --set data.train_tokens=5000 --set data.valid_tokens=1000 --set data.test_tokens=1000
grep -q '"status" : "completed"' "$tmp"/results/plugin-softsign/*/summary.json
.build/debug/plugin-by-version components --kind cell | grep -q indrnn
.build/debug/plugin-by-version run "$root/Examples/ActivationPlugin/experiments/indrnn.yaml" --results "$tmp/results" --quiet \
    --set training.max_steps=10 --set data.train_tokens=5000 --set data.valid_tokens=1000 --set data.test_tokens=1000
grep -q '"status" : "completed"' "$tmp"/results/plugin-indrnn/*/summary.json
echo "plugin-by-version: built against rnnlab 0.1.0 from file://…/rnnlab and trained 10 steps"
