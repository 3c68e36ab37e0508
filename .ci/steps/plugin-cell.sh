#!/usr/bin/env bash
# The plugin example's cell (IndRNN in Examples/ActivationPlugin, a path dependency on this
# checkout): its gradient checks pass, `components --kind cell` lists it, and its experiment
# trains for a few steps with one layer and with two, and completes.
set -euo pipefail
cd "$(dirname "$0")/../.."
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
cd Examples/ActivationPlugin
swift build
swift test
cells=$(.build/debug/rnnlab-plugin-demo components --kind cell)
grep -q indrnn <<<"$cells" || { echo "ci: components --kind cell does not list indrnn:"; echo "$cells"; exit 1; }
for layers in 1 2; do
    run=$(.build/debug/rnnlab-plugin-demo run experiments/indrnn.yaml --results "$results" --name "layers-$layers" --quiet \
        --set model.layers=$layers --set training.max_steps=20 \
        --set data.train_tokens=5000 --set data.valid_tokens=1000 --set data.test_tokens=1000)
    grep -q '"status" : "completed"' "$run/summary.json" || { echo "ci: $run did not complete:"; cat "$run/summary.json"; exit 1; }
done
