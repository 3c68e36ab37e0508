#!/usr/bin/env bash
# The plugin example (Examples/ActivationPlugin, a path dependency on this checkout), built once:
# its cell's gradient checks pass (`swift test`), `components` lists its activation and its cell
# (IndRNN), and its experiments train for a few steps and complete — softsign, and IndRNN with one
# layer and with two.
set -euo pipefail
cd "$(dirname "$0")/../.."
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
cd Examples/ActivationPlugin
swift build
swift test
demo=.build/debug/rnnlab-plugin-demo
$demo components --kind activation | grep -q softsign || { echo "ci: components --kind activation does not list softsign"; exit 1; }
cells=$($demo components --kind cell)
grep -q indrnn <<<"$cells" || { echo "ci: components --kind cell does not list indrnn:"; echo "$cells"; exit 1; }
small=(--set training.max_steps=20 --set data.train_tokens=5000 --set data.valid_tokens=1000 --set data.test_tokens=1000)
runs=("$($demo run experiments/softsign.yaml --results "$results" --quiet "${small[@]}")")
for layers in 1 2; do
    runs+=("$($demo run experiments/indrnn.yaml --results "$results" --name "layers-$layers" --quiet --set model.layers=$layers "${small[@]}")")
done
for run in "${runs[@]}"; do
    grep -q '"status" : "completed"' "$run/summary.json" || { echo "ci: $run did not complete:"; cat "$run/summary.json"; exit 1; }
done
