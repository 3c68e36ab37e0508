#!/usr/bin/env bash
# The plugin example (a path dependency on this checkout): its activation is registered, and its
# experiment trains for a few steps and completes.
set -euo pipefail
cd "$(dirname "$0")/../.."
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
cd Examples/ActivationPlugin
swift build
.build/debug/rnnlab-plugin-demo components --kind activation | grep -q softsign
.build/debug/rnnlab-plugin-demo run experiments/softsign.yaml --results "$results" --quiet \
    --set training.max_steps=20 --set data.train_tokens=5000 --set data.valid_tokens=1000 --set data.test_tokens=1000
grep -q '"status" : "completed"' "$results"/plugin-softsign/*/summary.json
