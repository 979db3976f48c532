#!/bin/bash
#
# Long fuzzing: every libFuzzer target for a share of a total time, a few
# at once, niced, then each target's corpus minimised into the repository.
#
#   tests/fuzz/long.sh SECONDS BIN...
#
# SECONDS is the total wall time of fuzzing, split evenly among the
# targets (FUZZ_LONG_PER_TARGET=1: each target runs SECONDS).
# FUZZ_JOBS targets run at once (default 2), under nice -n 19.
#
# The corpus kept in the repository, tests/fuzz/corpus/<name>/, is copied
# into a working corpus under FUZZ_LONG_WORK (default build/fuzz-long),
# together with the hand-made seeds of seeds.sh and, when VROUTER names a
# vrouter binary, frames of the packet fixtures (seed_fixtures.py).  After
# the run, libFuzzer's -merge=1 keeps in tests/fuzz/corpus/<name>/ only
# the inputs that add coverage.  Crash inputs go to
# FUZZ_LONG_WORK/artifacts/<name>/.
#
# One line per target: CPU seconds (user + system), executions, corpus
# files before and after, crashes; exits non-zero if any target crashed.

set -u

usage() {
	echo "usage: $0 SECONDS BIN..." >&2
	exit 2
}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=${FUZZ_LONG_WORK:-$root/build/fuzz-long}
kept_root=$root/tests/fuzz/corpus

# One target: run, measure, merge.  Prints its line; 1 if it crashed.
one() {
	local bin=$1 secs=$2 name kept corpus artifacts log merged before after
	local cpu execs rc crashes

	name=$(basename "$bin")
	kept=$kept_root/$name
	corpus=$work/corpus/$name
	artifacts=$work/artifacts/$name
	log=$work/log/$name.log
	mkdir -p "$kept" "$corpus" "$artifacts" "$work/log"
	before=$(find "$kept" -type f | wc -l)
	cp -n "$kept"/* "$corpus"/ 2>/dev/null
	seed "$name" "$corpus"

	# CPU time of the fuzzer as bash's time keyword reports it.
	cpu=$( { TIMEFORMAT='%U %S'; time { nice -n 19 "$bin" \
	    -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1;
	    echo $? >"$log.rc"; }; } 2>&1 )
	rc=$(cat "$log.rc")
	cpu=$(echo "$cpu" | awk 'NF == 2 { printf "%.0f", $1 + $2 }')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	# Slow units are not failures (a niced process waits for the CPU).
	crashes=$(find "$artifacts" -type f \( -name "crash-*" -o \
	    -name "leak-*" -o -name "timeout-*" -o -name "oom-*" \) | wc -l)

	merged=$(mktemp -d "$work/merge.XXXXXX")
	if nice -n 19 "$bin" -merge=1 -max_len=4096 "$merged" "$kept" \
	    "$corpus" >>"$log" 2>&1; then
		find "$kept" -type f -delete
		find "$merged" -type f -exec mv -t "$kept" {} +
	fi
	rm -rf "$merged"
	after=$(find "$kept" -type f | wc -l)

	printf '%-20s %6ss CPU %12s executions  corpus %4d -> %4d  crashes %d\n' \
	    "$name" "${cpu:-?}" "${execs:-?}" "$before" "$after" "$crashes"
	[ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]
}

if [ "${1:-}" = --one ]; then
	# shellcheck source=tests/fuzz/seeds.sh
	. "$root/tests/fuzz/seeds.sh"
	one "$2" "$3"
	exit
fi

[ $# -ge 2 ] || usage
total=$1
shift
case $total in
''|*[!0-9]*) usage ;;
esac
if [ "${FUZZ_LONG_PER_TARGET:-0}" = 1 ]; then
	secs=$total
else
	secs=$(( total / $# ))
fi
[ "$secs" -ge 1 ] || secs=1
jobs=${FUZZ_JOBS:-2}

mkdir -p "$work/corpus"
if [ -n "${VROUTER:-}" ]; then
	/usr/bin/python3 "$root/tests/fuzz/seed_fixtures.py" "$VROUTER" \
	    "$work/corpus" >/dev/null || exit 1
fi
echo "fuzz-long: $# targets, ${secs}s each, $jobs at once"
start=$(date +%s)
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash "$0" --one {} "$secs"
status=$?
echo "fuzz-long: $(( $(date +%s) - start ))s wall; logs in $work/log"
[ $status -eq 0 ] || echo "fuzz-long: FAILED (crash inputs in" \
    "$work/artifacts)" >&2
exit $status
