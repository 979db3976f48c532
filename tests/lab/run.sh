#!/usr/bin/env bash
#
# tests/lab/run.sh [TEST...]: the lab end-to-end tests (make labtest);
# a TEST is named as in "ping" or "test_ping.sh".
# Runs every tests/lab/test_*.sh (or the named ones) in turn, each of
# which brings the lab up and down itself, and prints PASS or FAIL per
# test, the output of failed tests, and "N passed, M failed".
#
# Needs root.  SKIP_LAB=1 skips the tests (exit 0) where root is not
# available.  VROUTER names the binary (default build/vrouter).

set -uo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$DIR/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
	if [ "${SKIP_LAB:-0}" = 1 ]; then
		echo "lab tests need root; skipped (SKIP_LAB=1)"
		exit 0
	fi
	echo "lab tests need root: run 'sudo make labtest'" \
	    "(or set SKIP_LAB=1 to skip them)" >&2
	exit 1
fi
if [ ! -x "${VROUTER:-$REPO/build/vrouter}" ]; then
	echo "lab tests: no vrouter binary at ${VROUTER:-$REPO/build/vrouter}" \
	    "(run 'make' or set VROUTER)" >&2
	exit 1
fi

if [ $# -gt 0 ]; then
	tests=()
	for t in "$@"; do
		t=$(basename "${t%.sh}")
		tests+=("$DIR/test_${t#test_}.sh")
	done
else
	tests=("$DIR"/test_*.sh)
fi

passed=0
failed=0
skipped=0
failures=()
log=$(mktemp /tmp/vrouter-labtest.XXXXXX)
trap 'rm -f "$log"' EXIT

for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	if [ ! -r "$t" ]; then
		echo "FAIL $name (no such test)"
		failed=$((failed + 1))
		failures+=("$name")
		continue
	fi
	start=$(date +%s)
	bash "$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name (${secs}s)"
		passed=$((passed + 1))
	elif [ "$rc" -eq 77 ]; then
		# The machine lacks what the test needs; it says what.
		echo "SKIP $name: $(grep -m1 'SKIP:' "$log" | sed 's/.*SKIP: //')"
		skipped=$((skipped + 1))
	else
		echo "FAIL $name (${secs}s, exit $rc)"
		sed 's/^/    /' "$log"
		failed=$((failed + 1))
		failures+=("$name")
	fi
done

[ "$failed" -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
