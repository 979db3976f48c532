#!/usr/bin/env bash
#
# docker/entrypoint.sh: the main process of the demo container.  Brings
# the anycast lab up in the container's own network namespaces and takes
# it down when the container stops.
#
#   container (its own network namespace, its own /run)
#   ┌─────────────────────────────────────────────────────────────┐
#   │ netns c1, c2 ── TAP ── vrouter ── TAP ── netns m1, m2, m3   │
#   │                          │ API on [::]:8080                 │
#   └──────────────────────────┼──────────────────────────────────┘
#                              └── published on the host's port 8080
#
# The lab's router listens on ::1, which Docker's port publishing cannot
# reach: it connects to the container's own address.  So the topology
# is run from a copy whose routers listen on "::" (IPv4 too, as the
# socket is not IPv6-only); nothing else changes.
#
# Environment: DEMO_TOPOLOGY (a name in netns/topologies, default
# anycast), and those of netns/lab.sh.

set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

TOPOLOGY=${DEMO_TOPOLOGY:-anycast}
SRC=netns/topologies/$TOPOLOGY.json
DEMO=/run/vrouter-demo
COPY=$DEMO/$TOPOLOGY.json

say() { echo "demo: $*"; }

[ -f "$SRC" ] || { say "no topology $SRC" >&2; exit 1; }
mkdir -p "$DEMO"
rm -f "$DEMO/ready"

# Docker mounts /proc/sys read-only in a container that is not
# privileged; the lab sets sysctls in its namespaces.
if [ ! -w /proc/sys/net/ipv6/conf/all/forwarding ]; then
	mount -o remount,rw,bind /proc/sys 2>/dev/null || umount /proc/sys ||
	    { say "cannot make /proc/sys writable (is SYS_ADMIN granted?)" >&2
	      exit 1; }
fi

# Docker may turn IPv6 off in a container on an IPv4-only network; the
# lab needs it, if only for ::1 inside the container.
sysctl -q -w net.ipv6.conf.all.disable_ipv6=0 \
    net.ipv6.conf.default.disable_ipv6=0 \
    net.ipv6.conf.lo.disable_ipv6=0 2>/dev/null || true

jq 'if has("routers") then .routers[].api.listen = "::"
    else .router.api.listen = "::" end' "$SRC" >"$COPY"

stop() {
	say "stopping the lab"
	rm -f "$DEMO/ready"
	netns/lab.sh down || true
	exit 0
}
trap stop TERM INT

start=$(date +%s%3N)
if ! LAB_QUIET=1 netns/lab.sh up "$COPY"; then
	say "the lab did not come up" >&2
	netns/lab.sh down || true
	exit 1
fi
touch "$DEMO/ready"
group=$(jq -r '[.router.groups[]?, .routers[]?.groups[]?][0].address // empty' \
    "$COPY")
say "lab \"$TOPOLOGY\" up in $(( $(date +%s%3N) - start )) ms"
cat <<HINTS

From the host:
  curl -s http://localhost:8080/api/v1/groups | jq
  open http://localhost:8080/ in a browser (the dashboard)
  docker-compose exec vrouter netns/lab.sh status
${group:+  docker-compose exec vrouter netns/lab.sh exec c1 curl -s http://[$group]/name
  curl -s http://localhost:8080/api/v1/groups/$group/members | jq
}  docker-compose down
HINTS

# Wait for a signal; "docker-compose down" sends SIGTERM.
while :; do
	sleep infinity &
	wait $! || true
done
