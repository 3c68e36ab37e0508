#!/usr/bin/env bash
# Fuzz/run.sh SECONDS [libFuzzer options...]
#
# Builds the ConfigFuzzer harness (libFuzzer + AddressSanitizer, release) and fuzzes the
# experiment loader, ExperimentLoader.load(bytes:name:), for SECONDS seconds (default 60).
# It exits non-zero when libFuzzer finds a crash, a sanitizer error, a leak or an input slower
# than 5 s, after printing the input's path (under $FUZZ_WORK/artifacts/) and how to replay it.
#
# Seeds are read from Fuzz/corpus/ (committed); inputs libFuzzer finds interesting go to
# $FUZZ_WORK/corpus (default Fuzz/.fuzz/corpus, not committed), so successive runs build on each
# other. To fuzz longer, give more seconds, and use both cores with -fork:
#
#     Fuzz/run.sh 3600                 # an hour
#     Fuzz/run.sh 3600 -fork=2         # an hour on two processes
#     Fuzz/run.sh 0 -runs=1 crash-…    # replay one input (SECONDS 0: no time limit)
#
# The first build compiles rnnlab with sanitizers into Fuzz/.build-fuzz (about 4 minutes on
# 2 cores); later builds are incremental.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true

flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --scratch-path .build-fuzz)
swift build "${flags[@]}"
bin="$(swift build "${flags[@]}" --show-bin-path)/ConfigFuzzer"

work=${FUZZ_WORK:-.fuzz}
mkdir -p "$work/corpus" "$work/artifacts"
limit=()
if [ "$seconds" -gt 0 ]; then limit=(-max_total_time="$seconds"); fi
set +e
"$bin" "$work/corpus" corpus -dict=config.dict "${limit[@]}" -timeout=5 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@"
status=$?
set -e
if [ $status -ne 0 ]; then
    echo "fuzz: libFuzzer stopped with status $status; inputs in $work/artifacts/:" >&2
    ls -1 "$work/artifacts/" >&2 || true
    echo "fuzz: replay one with: $bin <input>" >&2
fi
exit $status
