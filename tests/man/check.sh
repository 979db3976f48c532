#!/bin/sh
# tests/man/check.sh BUILD: the manual pages of man/ (make manlint).
#  - mandoc -Tlint at every level is silent, but for references to
#    pages outside man/ that this system lacks;
#  - every option a program's usage lists is in its page, and every
#    option the page lists is in the usage.
set -eu

BUILD=${1:-build}
MAN=$(cd "$(dirname "$0")/../../man" && pwd)
fail=0

ours=$(cd "$MAN" && ls | sed 's/\.\([1-9]\)$/ \1/' | tr '\n' '|')
# Run in man/, where mandoc finds the pages that refer to each other.
out=$(cd "$MAN" && mandoc -Tlint *.[1-9] 2>&1 | grep -v 'outdated mandoc.db' |
    awk -v ours="|$ours" '
	/referenced manual not found: Xr / {
		n = split($0, w, " "); ref = w[n - 1] " " w[n]
		sub(/ \([0-9]+ times\)$/, "", ref)
		if (index(ours, "|" ref "|") == 0) next
	}
	{ print }') || true
if [ -n "$out" ]; then
	echo "$out"
	echo "FAIL mandoc -Tlint"
	fail=1
else
	echo "PASS mandoc -Tlint: $(ls "$MAN" | tr '\n' ' ')"
fi

# The long options of a usage text, and those of a page (Fl -name).
usage_opts() { "$BUILD/$1" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u; }
page_opts() { grep -oE -- '^\.(It|Op) Fl -[a-z][a-z-]+|Fl -[a-z][a-z-]+' \
    "$MAN/$1.8" | grep -oE -- '-[a-z][a-z-]+$' | sed 's/^/-/' | sort -u; }

for prog in vrouterctl anycast-member anycast-client; do
	if [ ! -x "$BUILD/$prog" ]; then
		echo "FAIL $prog: no $BUILD/$prog (run make)"
		fail=1
		continue
	fi
	usage_opts "$prog" >"$BUILD/.usage-$prog"
	diff=$(page_opts "$prog" | diff "$BUILD/.usage-$prog" - || true)
	rm -f "$BUILD/.usage-$prog"
	if [ -n "$diff" ]; then
		echo "$diff" | sed 's/^/    /'
		echo "FAIL $prog(8): options differ from the usage (<) or" \
		    "the page (>)"
		fail=1
	else
		echo "PASS $prog(8): the options of --help"
	fi
done
# vrouter has short options only: each letter of its usage in the page.
for o in $("$BUILD/vrouter" -h 2>&1 | grep -oE '^  -[a-zA-Z]' |
    tr -d ' -'); do
	grep -q "^\.It Fl $o" "$MAN/vrouter.8" || {
		echo "FAIL vrouter(8): no -$o"
		fail=1
	}
done
[ "$fail" = 1 ] || echo "PASS vrouter(8): the options of -h"
exit "$fail"
