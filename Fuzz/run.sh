#!/usr/bin/env bash
# Fuzz/run.sh SECONDS [libFuzzer options...]
#
# Builds the libFuzzer harnesses (with AddressSanitizer, release) and fuzzes, for SECONDS seconds
# in all (default 60), split evenly between:
#   ConfigFuzzer      the experiment loader, ExperimentLoader.load(bytes:name:)   seeds: corpus/
#   CheckpointFuzzer  the checkpoint reader, Checkpoint.decode (checksum fixed up) seeds: corpus-checkpoint/
# FUZZ_TARGETS="ConfigFuzzer" (or CheckpointFuzzer) fuzzes one only. It exits non-zero when
# libFuzzer finds a crash, a sanitizer error, a leak or an input slower than 5 s, after printing
# the input's path (under $FUZZ_WORK/<target>/artifacts/) and how to replay it.
#
# Inputs libFuzzer finds interesting go to $FUZZ_WORK/<target>/corpus (default Fuzz/.fuzz, not
# committed), so successive runs build on each other. To fuzz longer, give more seconds, and use
# both cores with -fork:
#
#     Fuzz/run.sh 3600                                   # an hour
#     FUZZ_TARGETS=ConfigFuzzer Fuzz/run.sh 3600 -fork=2 # an hour on two processes
#     Fuzz/.build-fuzz/release/ConfigFuzzer <input>      # replay one input
#
# The first build compiles rnnlab with sanitizers into Fuzz/.build-fuzz (about 4 minutes on
# 2 cores); later builds are incremental.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=(${FUZZ_TARGETS:-ConfigFuzzer CheckpointFuzzer})

flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --scratch-path .build-fuzz)
swift build "${flags[@]}"
bindir="$(swift build "${flags[@]}" --show-bin-path)"
work=${FUZZ_WORK:-.fuzz}
share=$(( seconds / ${#targets[@]} ))
[ "$share" -ge 1 ] || share=1

status=0
for target in "${targets[@]}"; do
    case "$target" in
        ConfigFuzzer) seeds=(corpus -dict=config.dict) ;;
        CheckpointFuzzer) seeds=(corpus-checkpoint) ;;
        *) echo "fuzz: unknown target $target (ConfigFuzzer, CheckpointFuzzer)" >&2; exit 2 ;;
    esac
    mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
    echo "fuzz: $target for $share s"
    set +e
    "$bindir/$target" "$work/$target/corpus" "${seeds[@]}" -max_total_time="$share" -timeout=5 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$target/artifacts/" -print_final_stats=1 "$@"
    s=$?
    set -e
    if [ $s -ne 0 ]; then
        echo "fuzz: $target stopped with status $s; inputs in $work/$target/artifacts/:" >&2
        ls -1 "$work/$target/artifacts/" >&2 || true
        echo "fuzz: replay one with: $bindir/$target <input>" >&2
        status=$s
    fi
done
exit $status
