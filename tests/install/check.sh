#!/bin/sh
# tests/install/check.sh BUILD (make installcheck): "make install" into
# a DESTDIR under /tmp, with the default PREFIX and with another one,
# puts every file where it belongs; the installed programs run, the
# sample configuration passes "vrouter -t", the systemd unit passes
# "systemd-analyze verify" (when there is one) with the installed
# binaries and manual pages; "make uninstall" leaves no file behind.
set -eu

BUILD=${1:-build}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
D=$(mktemp -d /tmp/vrouter-install.XXXXXX)
trap 'rm -rf "$D" "$D.out"' EXIT
fail=0

check() {
	if "$@" >"$D.out" 2>&1; then
		return 0
	fi
	sed 's/^/    /' "$D.out"
	echo "FAIL $*"
	fail=1
}

# installed PREFIX FILE...: each file is under $D$PREFIX.
installed() {
	p=$1
	shift
	for f in "$@"; do
		[ -e "$D/$p/$f" ] || { echo "FAIL not installed: $p/$f"; fail=1; }
	done
}

for prefix in /usr/local /opt/vrouter; do
	make -s -C "$REPO" BUILD="$BUILD" PREFIX="$prefix" DESTDIR="$D" \
	    install >"$D.out" 2>&1 || { cat "$D.out"; exit 1; }
	installed "$prefix" sbin/vrouter sbin/vrouterctl sbin/anycast-member \
	    sbin/anycast-client share/man/man8/vrouter.8 \
	    share/man/man8/vrouterctl.8 share/man/man8/anycast-member.8 \
	    share/man/man8/anycast-client.8 share/man/man5/vrouter.conf.5 \
	    share/vrouter/web/index.html share/vrouter/openapi.yaml \
	    share/vrouter/vrouter.json.sample \
	    lib/systemd/system/vrouter.service
	unit=$D$prefix/lib/systemd/system/vrouter.service
	grep -q "^ExecStart=$prefix/sbin/vrouter -c /etc/vrouter/vrouter.json$" \
	    "$unit" || { echo "FAIL $unit: ExecStart"; fail=1; }
	check "$D$prefix/sbin/vrouter" -t \
	    -c "$D$prefix/share/vrouter/vrouter.json.sample"
	check "$D$prefix/sbin/vrouterctl" -h
	if command -v systemd-analyze >/dev/null 2>&1; then
		# The unit as it would be, its binaries where DESTDIR put them.
		sed "s|$prefix/sbin/|$D$prefix/sbin/|g" "$unit" >"$D/vrouter.service"
		check env MANPATH="$D$prefix/share/man" systemd-analyze verify \
		    "$D/vrouter.service"
		rm -f "$D/vrouter.service"
	fi
	make -s -C "$REPO" BUILD="$BUILD" PREFIX="$prefix" DESTDIR="$D" \
	    uninstall >"$D.out" 2>&1 || { cat "$D.out"; exit 1; }
	left=$(find "$D" ! -type d)
	[ -z "$left" ] || { echo "FAIL left after uninstall:"; echo "$left"; \
	    fail=1; }
	[ ! -e "$D$prefix/share/vrouter" ] ||
	    { echo "FAIL $prefix/share/vrouter left"; fail=1; }
	[ "$fail" = 1 ] || echo "PASS install and uninstall, PREFIX=$prefix"
done
rm -f "$D.out"
exit "$fail"
