#!/bin/sh
# Install the Debian packages vrouter needs to build, test and run its lab.
# Idempotent and silent when nothing is missing.
set -e

PKGS="build-essential clang pkg-config libevent-dev libjansson-dev libpcap-dev
libsodium-dev libmnl-dev libcriterion-dev libclang-rt-14-dev python3 python3-scapy
iproute2 iputils-ping traceroute iperf3 tshark tcpdump nginx-light socat curl
jq procps libldns-dev knot knot-dnsutils knot-dnssecutils dnsperf ndisc6
bind9-dnsutils bird2 chromium nodejs"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run 'sudo make deps' (or sudo make check / sudo make lab)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
