#!/usr/bin/env bash
# End-to-end test of `rnnlab sweep --slurm` against a real, running Slurm (.ci/steps/slurm.sh
# starts one): submits a 6-run sweep (a grid key × random samples) as an array job, cancels one
# array task mid-run, checks what the tree, the task logs, `--status` and `rnnlab report` say,
# resubmits and checks that the cancelled run resumed from its checkpoint, and that a further
# submission runs nothing; then the bad-input refusals that need a real Slurm (unknown
# partition) or a stopped controller are left to the caller (see slurm.sh).
#
#   Tests/Slurm/sweep-on-slurm.sh PATH/TO/rnnlab
#
# Every check counts what the tasks wrote: a misconfigured Slurm reports COMPLETED 0:0 for
# tasks that never started.
set -euo pipefail

rnnlab=$(realpath "$1")
work=$(mktemp -d /tmp/rnnlab-slurm-test.XXXXXX)
cd "$work"
fail() { echo "sweep-on-slurm: FAILED: $*" >&2; exit 1; }
log() { echo "sweep-on-slurm: $*"; }

# Waits until job $1 has no task left in squeue (polled every second), at most $2 seconds.
wait_job() {
    local job=$1 limit=$2 t=0
    while [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ]; do
        sleep 1; t=$((t + 1))
        [ "$t" -le "$limit" ] || { squeue -j "$job" >&2; fail "job $job still in the queue after $limit s"; }
    done
    log "job $job left the queue after ${t}s"
}

# Each run trains 400 steps of a 32-unit model (a few seconds), with a checkpoint every 10 steps.
cat > sweep.yaml <<'YAML'
name: slurm-ci
data: {type: synthetic, train_tokens: 20000, valid_tokens: 2000, test_tokens: 2000}
model: {embedding_size: 32, hidden_size: 32, tied: true}
training: {bptt: 20, batch_size: 8, eval_batch_size: 8, max_steps: 400, log_every: 50, eval_every: 50, checkpoint_every: 10, optimizer: sgd}
sweep:
  grid:
    model.tied: [true, false]
  random:
    samples: 3
    seed: 11
    keys:
      training.optimizer.lr: {log_uniform: [0.5, 2]}
  slurm:
    parallelism: 2
    time: "0:10:00"
YAML
root=results/slurm-ci

# --- submit: prints the job id first, writes the script, returns at once -----------------------
out=$("$rnnlab" sweep sweep.yaml --slurm --cpus-per-task 1)
echo "$out"
job=$(echo "$out" | head -1)
[[ "$job" =~ ^[0-9]+$ ]] || fail "the first line is not a job id: $job"
grep -q -- "--array=1-6%2" "$root/slurm/array.sh" || fail "array.sh lacks --array=1-6%2"
grep -q -- "--shard \"\$SLURM_ARRAY_TASK_ID/6\"" "$root/slurm/array.sh" || fail "array.sh does not run --shard I/6"
grep -q -- "--cores 1" "$root/slurm/array.sh" || fail "array.sh does not pass --cpus-per-task as --cores"

# --- cancel task 3 once its run is training and has a checkpoint ---------------------------------
run3=$("$rnnlab" sweep sweep.yaml --dry-run | awk '$1 == 3 {print $2}')
[ -n "$run3" ] || fail "no third run in the dry run"
t=0
until [ -f "$root/$run3/checkpoint/last.ckpt" ] && grep -q '"status" : "running"' "$root/$run3/summary.json" 2>/dev/null; do
    sleep 0.1; t=$((t + 1))
    [ "$t" -le 1200 ] || fail "run $run3 (task 3) never got to a checkpoint"
done
scancel "${job}_3"
log "cancelled ${job}_3 while $run3 was training"
wait_job "$job" 180

# Every other run completed; the cancelled one stopped part-way with its checkpoint.
completed=$(grep -l '"status" : "completed"' "$root"/*/summary.json | wc -l)
[ "$completed" -eq 5 ] || fail "$completed runs completed after the first submission, expected 5"
grep -q '"status" : "interrupted"' "$root/$run3/summary.json" || fail "$run3 is not interrupted: $(grep status "$root/$run3/summary.json")"
steps_before=$(sed -n 's/.*"steps" : \([0-9]*\).*/\1/p' "$root/$run3/summary.json")
[ "$steps_before" -gt 0 ] && [ "$steps_before" -lt 400 ] || fail "$run3 stopped at step $steps_before, not part-way"
state=$(squeue -h -t all -j "${job}_3" -o %T)
[ "$state" = CANCELLED ] || fail "task 3 is $state, not CANCELLED"
for task in 1 2 3 4 5 6; do [ -f "$root/slurm/logs/${job}_$task.out" ] || fail "no log for task $task"; done
grep -q "completed in" "$root/slurm/logs/${job}_1.out" || fail "task 1's log does not show its run"

status=$("$rnnlab" sweep --status "$root")
echo "$status"
echo "$status" | grep -q "completed 5, interrupted 1" || fail "--status does not count 5 completed and 1 interrupted"
echo "$status" | grep -q "CANCELLED 3" || fail "--status does not show task 3 cancelled"
echo "$status" | grep -q "1 run did not finish.*rnnlab sweep sweep.yaml --slurm --cpus-per-task 1" || fail "--status gives no resubmit command"

# --- resubmit: only task 3, which resumes its run in place ---------------------------------------
touch "$root/$run3/kept-by-resume"          # a restart from scratch would delete the folder
out=$("$rnnlab" sweep sweep.yaml --slurm --cpus-per-task 1)
echo "$out"
job2=$(echo "$out" | head -1)
[[ "$job2" =~ ^[0-9]+$ ]] || fail "resubmission: no job id"
echo "$out" | grep -q -- "1 task (--array=3%2) for 1 of 6 runs" || fail "the resubmission is not task 3 alone"
wait_job "$job2" 120
grep -q "$run3: resumed from its last checkpoint" "$root/slurm/logs/${job2}_3.out" || fail "task 3 did not resume $run3: $(cat "$root/slurm/logs/${job2}_3.out")"
[ -f "$root/$run3/kept-by-resume" ] || fail "$run3's folder was replaced, not resumed"
grep -q '"status" : "completed"' "$root/$run3/summary.json" || fail "$run3 did not complete after resuming"
grep -q '"steps" : 400' "$root/$run3/summary.json" || fail "$run3 did not reach step 400"
folders=$(find "$root" -mindepth 2 -maxdepth 2 -name summary.json | wc -l)
completed=$(grep -l '"status" : "completed"' "$root"/*/summary.json | wc -l)
[ "$folders" -eq 6 ] && [ "$completed" -eq 6 ] || fail "$folders run folders, $completed completed; expected 6 and 6"

# --- the report reads the tree; the sampled key gets its plot -----------------------------------
"$rnnlab" report "$root" > report.out
[ -f "$root/report.md" ] && [ -f "$root/runs.csv" ] || fail "rnnlab report wrote no report.md or runs.csv"
rows=$(($(wc -l < "$root/runs.csv") - 1))
[ "$rows" -eq 6 ] || fail "runs.csv has $rows runs, expected 6"
[ -f "$root/ppl-vs-lr.svg" ] || fail "no plot against the sampled key lr: $(ls "$root")"

# --- a further submission submits nothing --------------------------------------------------------
jobs_before=$(wc -l < "$root/slurm/jobs.tsv")
out=$("$rnnlab" sweep sweep.yaml --slurm --cpus-per-task 1)
echo "$out" | grep -q "nothing to submit" || fail "a finished sweep was submitted again: $out"
[ "$(wc -l < "$root/slurm/jobs.tsv")" -eq "$jobs_before" ] || fail "jobs.tsv grew"
"$rnnlab" sweep --status "$root" | grep -q "every run finished" || fail "--status does not say every run finished"

# --- refusals with a real Slurm: nothing submitted, nothing left behind ---------------------------
cp sweep.yaml other.yaml && sed -i 's/name: slurm-ci/name: refused/' other.yaml
set +e
msg=$("$rnnlab" sweep other.yaml --slurm --partition mian 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "an unknown partition exited with $code"
[ "$msg" = "rnnlab: error: --partition: unknown partition \"mian\"; did you mean main? (valid: main)" ] || fail "unknown partition: $msg"
[ ! -e results/refused ] || fail "an unknown partition left results/refused behind"

cd /
rm -rf "$work"
log "passed"
