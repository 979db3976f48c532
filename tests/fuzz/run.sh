#!/bin/bash
#
# Run libFuzzer targets one after the other.
#
#   tests/fuzz/run.sh SECONDS BIN...
#
# Each target keeps its corpus in build/fuzz-corpus/<name>/ (override the
# root with FUZZ_CORPUS) and writes crash inputs to
# build/fuzz-artifacts/<name>/; the corpus kept in the repository,
# tests/fuzz/corpus/<name>/ (grown by long.sh), is read as seeds and never
# written.  One line per target with the executions done; exits non-zero
# if any target crashed.

set -u

usage() {
	echo "usage: $0 SECONDS BIN..." >&2
	exit 2
}

[ $# -ge 2 ] || usage
secs=$1
shift
case $secs in
''|*[!0-9]*) usage ;;
esac

root=$(cd "$(dirname "$0")/../.." && pwd)
corpus_root=${FUZZ_CORPUS:-$root/build/fuzz-corpus}
artifact_root=${FUZZ_ARTIFACTS:-$root/build/fuzz-artifacts}

# shellcheck source=tests/fuzz/seeds.sh
. "$root/tests/fuzz/seeds.sh"

status=0
for bin in "$@"; do
	name=$(basename "$bin")
	corpus=$corpus_root/$name
	artifacts=$artifact_root/$name
	mkdir -p "$corpus" "$artifacts"
	seed "$name" "$corpus"
	kept=()
	[ -d "$root/tests/fuzz/corpus/$name" ] &&
	    kept=("$root/tests/fuzz/corpus/$name")
	log=$(mktemp)

	"$bin" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/" "$corpus" "${kept[@]}" >"$log" 2>&1
	rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		printf '%-24s ok     %s executions in %ss\n' "$name" "${execs:-?}" "$secs"
	else
		printf '%-24s FAILED after %s executions (exit %d)\n' "$name" \
		    "${execs:-?}" "$rc"
		grep -E 'ERROR|SUMMARY|Test unit written|^    #' "$log" | head -30 >&2
		status=1
	fi
	rm -f "$log"
done
exit $status
