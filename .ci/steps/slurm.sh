#!/usr/bin/env bash
# CI step: sweeps on a real Slurm. Installs Debian's munge, slurmctld, slurmd and slurm-client,
# starts a single-node cluster (.ci/steps/slurm-cluster.sh), runs Tests/Slurm/sweep-on-slurm.sh
# against it with the debug rnnlab, checks the refusal when the controller is down, and stops
# the daemons by their PID files whatever happened. Needs root; the build must be done.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
echo "ci: slurm: sweeps on a real Slurm"

cluster=.ci/steps/slurm-cluster.sh
"$cluster" install
trap '"$cluster" stop' EXIT
"$cluster" start

swift build >/dev/null
rnnlab=$(swift build --show-bin-path)/rnnlab
Tests/Slurm/sweep-on-slurm.sh "$rnnlab"

# With slurmctld stopped, --slurm refuses in one sentence and writes nothing.
ctld=$(cat /run/slurmctld.pid)
kill "$ctld"
# Gone, or a zombie: PID 1 here may not reap it.
while [ -d "/proc/$ctld" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$ctld/status" 2>/dev/null; do sleep 0.1; done
work=$(mktemp -d)
printf '%s\n' 'name: down' 'data: {type: synthetic, train_tokens: 3000, valid_tokens: 500, test_tokens: 500}' \
    'model: {embedding_size: 8, hidden_size: 8, tied: true}' 'training: {bptt: 10, batch_size: 4, max_steps: 10}' \
    'sweep: {seeds: 2}' > "$work/down.yaml"
set +e
msg=$(cd "$work" && "$rnnlab" sweep down.yaml --slurm 2>&1); code=$?
set -e
case "$msg" in
    "rnnlab: error: --slurm: the Slurm controller does not answer (sinfo: "*"); start slurmctld or run the sweep without --slurm.") ;;
    *) echo "ci: slurm: controller down: unexpected message: $msg" >&2; exit 1 ;;
esac
[ "$code" -eq 1 ] && [ ! -e "$work/results" ] || { echo "ci: slurm: controller down: exit $code, or results left behind" >&2; exit 1; }
rm -rf "$work"
echo "ci: slurm: the controller-down refusal is one sentence and leaves nothing behind"

echo "ci: slurm: done in $(( $(date +%s) - started )) s"
