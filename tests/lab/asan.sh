#!/usr/bin/env bash
#
# tests/lab/asan.sh BUILD [TEST...]: the lab suite (tests/lab/run.sh)
# against vrouter and the host programs built with ASan+UBSan in BUILD
# (make check-asan builds them).  Every instrumented process writes its
# reports to a file of its own (log_path: <kind>.<pid>) in
# BUILD/sanitizer-logs/, leaks included: LeakSanitizer reports what a
# process still holds when it exits normally (vrouter on SIGTERM, the
# agents on SIGTERM).  A process killed with SIGKILL reports nothing.
#
# Fails when a test fails or when any report was written; prints the
# first lines of each report.  Needs root, as the lab does.

set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD [TEST...]" >&2; exit 2; }
build=$(cd "$1" && pwd) || exit 2
shift
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

for p in vrouter anycast-member anycast-client vrouterctl; do
	[ -x "$build/$p" ] || { echo "asan: no $build/$p" >&2; exit 1; }
	# grep reads it all: with pipefail, -q would make nm die of SIGPIPE.
	nm -D "$build/$p" 2>/dev/null | grep __asan_init >/dev/null ||
	    { echo "asan: $build/$p is not built with ASan" >&2; exit 1; }
done

logs=$build/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
# A report must not kill a test with it: the suite runs on and the
# reports are counted at the end (UBSan still stops at its first error:
# -fno-sanitize-recover).
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:abort_on_error=0:\
strict_string_checks=1:detect_stack_use_after_return=1:\
check_initialization_order=1:print_summary=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:\
print_summary=1"
export LSAN_OPTIONS="log_path=$logs/lsan"

start=$(date +%s)
VROUTER=$build/vrouter bash "$DIR/run.sh" "$@"
rc=$?
secs=$(( $(date +%s) - start ))

reports=("$logs"/*)
[ -e "${reports[0]}" ] || reports=()
echo "asan: lab suite exit $rc in ${secs}s; ${#reports[@]} sanitizer" \
    "report(s) in $logs"
for f in "${reports[@]}"; do
	echo "---- $f"
	grep -E 'ERROR|SUMMARY|runtime error|#[0-9] ' "$f" | head -20
done
[ $rc -eq 0 ] && [ ${#reports[@]} -eq 0 ]
