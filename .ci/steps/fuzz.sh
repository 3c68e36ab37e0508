#!/usr/bin/env bash
# The libFuzzer harnesses of the config and checkpoint readers, for 60 s in all (bounded).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
FUZZ_WORK=$work bash Fuzz/run.sh 60
