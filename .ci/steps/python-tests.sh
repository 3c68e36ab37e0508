#!/usr/bin/env bash
# CI step: the checks that need the tools researchers read rnnlab's results with: TensorBoard's
# own event reader, pandas, and a real headless Chromium for report.html (Tests/python).
# Installs Debian's chromium and chromium-driver when missing, and tensorboard, pandas, selenium,
# matplotlib and pytest from PyPI into a virtual environment (.venv-ci, reused when present), each
# install bounded in time. Needs the debug build (`swift build`) to have run: the tests run the
# real .build/debug/rnnlab. Prints how long each phase took and where the screenshot is.
set -euo pipefail
cd "$(dirname "$0")/../.."

phase_start=$SECONDS
phase() { echo "python-tests: $1 took $((SECONDS - phase_start)) s"; phase_start=$SECONDS; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "python-tests: installing chromium chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get update -qq
    timeout 900 apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
phase "chromium install"

venv=.venv-ci
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
timeout 900 "$venv/bin/pip" install -q --disable-pip-version-check \
    tensorboard==2.21.0 pandas==3.1.1 selenium==4.51.0 matplotlib==3.11.2 pytest==9.2.0
phase "pip install"

export RNNLAB_BIN=${RNNLAB_BIN:-$PWD/.build/debug/rnnlab}
export RNNLAB_ARTIFACTS=${RNNLAB_ARTIFACTS:-$PWD/.ci-artifacts}
status=0
"$venv/bin/python" -m pytest -q -s -rs -p no:cacheprovider Tests/python || status=$?
phase "pytest Tests/python"
[ -f "$RNNLAB_ARTIFACTS/report-1280.png" ] && echo "python-tests: report screenshot (1280 px): $RNNLAB_ARTIFACTS/report-1280.png"
exit $status
