#!/bin/sh
# Install the Debian packages vrouter needs to build, test and run its lab,
# and the npm packages of tests/openapi/package.json (the OpenAPI
# validators) into tests/openapi/node_modules.
# Idempotent and silent when nothing is missing.
set -e

PKGS="build-essential clang pkg-config libevent-dev libjansson-dev libpcap-dev
libsodium-dev libmnl-dev liburing-dev libcriterion-dev libclang-rt-14-dev python3 python3-scapy
python3-yaml iproute2 iputils-ping traceroute iperf3 tshark tcpdump nginx-light
socat curl jq procps libldns-dev knot knot-dnsutils knot-dnssecutils dnsperf
nsd python3-matplotlib
ndisc6 bind9-dnsutils bird2 prometheus mandoc chromium haproxy nftables wrk"

OPENAPI=$(cd "$(dirname "$0")" && pwd)/openapi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
# npm: Debian's, unless a nodejs that carries its own is installed.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing" >&2
		echo "deps: run 'sudo make deps' (or sudo make check /" \
		    "sudo make lab)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
	    --no-install-recommends $missing >/dev/null
fi

# The versions pinned by package-lock.json, into the project's tree.
if [ ! -x "$OPENAPI/node_modules/.bin/redocly" ] ||
    [ ! -x "$OPENAPI/node_modules/.bin/swagger-cli" ]; then
	echo "deps: installing the OpenAPI validators in $OPENAPI/node_modules"
	npm ci --prefix "$OPENAPI" --no-audit --no-fund --loglevel=error \
	    >/dev/null
fi
