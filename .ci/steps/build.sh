#!/usr/bin/env bash
# Debug build of every product and test target (the test step then runs without rebuilding).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --build-tests
