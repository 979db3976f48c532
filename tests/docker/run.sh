#!/usr/bin/env bash
#
# tests/docker/run.sh [--optional]: the Docker demo end to end
# (make check-docker; make check runs it with --optional).
#
#   host ── 127.0.0.1:PORT ── docker-proxy ──┐
#   container ───────────────────────────────┼──────────────────────┐
#   │  netns c1, c2 ── TAP ── vrouter [::]:8080 ── TAP ── m1, m2, m3 │
#   └────────────────────────────────────────────────────────────────┘
#
# Makes sure an engine answers (docker/engine.sh), builds the base image
# when it is missing (docker/base-image.sh), runs "docker-compose build"
# and "up -d" under a project name of its own, waits for the API on the
# host's port, for the three members to be up and for c1 to get an
# answer from the anycast address inside the container, checks the API
# and the dashboard from the host and that the container's namespaces
# are not the host's, then "down", and checks that nothing is left: no
# container, network or bridge of the project, no process of the
# container, no new TAP on the host.  Prints how long each step took.
#
# --optional: when no engine can be had (no root, dockerd missing and
# not installable, dockerd failing to start) print "skipped: REASON" and
# exit 0 instead of failing; CHECK_DOCKER=0 skips it too.
#
# Environment: VROUTER_DEMO_PORT (default 8080), DOCKER_TIMEOUT (seconds
# to wait for each step once up, default 120), CHECK_DOCKER.

set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROJECT=vrouter-check
PORT=${VROUTER_DEMO_PORT:-8080}
TIMEOUT=${DOCKER_TIMEOUT:-120}
API=http://127.0.0.1:$PORT
GROUP=2001:db8:ac::1
OPTIONAL=0
[ "${1:-}" = --optional ] && OPTIONAL=1

export VROUTER_DEMO_PORT=$PORT VROUTER_DEMO_ADDRESS=127.0.0.1
compose() { docker-compose -p "$PROJECT" -f "$REPO/docker-compose.yml" "$@"; }
in_lab() { compose exec -T vrouter "$@"; }
now_ms() { date +%s%3N; }
say() { echo "docker: $*"; }

skip() {
	if [ "$OPTIONAL" = 1 ]; then
		echo "check-docker: skipped: $*"
		exit 0
	fi
	echo "check-docker: $*" >&2
	exit 1
}

UP=no
fail() {
	echo "check-docker: FAIL: $*" >&2
	if [ "$UP" = yes ]; then
		echo "--- docker-compose logs (last 40 lines)" >&2
		compose logs --no-color --tail 40 >&2 2>&1 || true
		echo "--- lab status" >&2
		in_lab netns/lab.sh status >&2 2>&1 || true
	fi
	exit 1
}

# poll SECONDS CMD...: every 0.2 s until CMD succeeds; 1 on timeout.
poll() {
	local deadline=$(( $(date +%s) + $1 )); shift
	until "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# TAP devices in the host's root namespace, one name a line.
host_taps() {
	ip -d -o link show 2>/dev/null |
	    awk -F': ' '/ tun type tap /{ sub(/@.*/, "", $2); print $2 }' | sort
}

# "PID STARTTIME" of each process of the container, as the host sees them.
container_procs() {
	local pid
	for pid in $(docker top "$1" -eo pid 2>/dev/null | tail -n +2); do
		echo "$pid $(awk '{ print $22 }' "/proc/$pid/stat" 2>/dev/null)"
	done
}

api_answers() { curl -sf -m 2 -o /dev/null "$API/api/v1/status"; }
members_up() {
	curl -gsf -m 2 "$API/api/v1/groups/$GROUP/members" 2>/dev/null |
	    jq -e '[.members[] | select(.state == "up")] | length == 3' \
	    >/dev/null 2>&1
}
ANSWER=""
anycast_answers() {
	ANSWER=$(in_lab netns/lab.sh exec "$1" curl -gsf -m 2 \
	    "http://[$GROUP]/name" 2>/dev/null) && [[ $ANSWER =~ ^m[123]$ ]]
}

cleanup() {
	[ "$UP" = yes ] || return 0
	compose down -t 30 >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------------

if [ "$OPTIONAL" = 1 ] && [ "${CHECK_DOCKER:-1}" = 0 ]; then
	skip "CHECK_DOCKER=0"
fi
[ "$(id -u)" = 0 ] || skip "needs root (sudo make check-docker)"
if ! reason=$(sh "$REPO/docker/engine.sh" 2>&1); then
	skip "no Docker engine: $(tail -n 1 <<<"$reason" | sed 's/^engine: //')"
fi
sed 's/^/docker: /' <<<"$reason" | grep -v '^docker: $' || true
for t in docker-compose curl jq ip; do
	command -v "$t" >/dev/null || fail "'$t' is not installed"
done
if curl -s -m 2 -o /dev/null "$API/"; then
	fail "something already answers on $API (a demo that is up? docker-compose down," \
	    "or set VROUTER_DEMO_PORT)"
fi
trap cleanup EXIT
trap 'exit 130' INT TERM
compose down -t 30 >/dev/null 2>&1 || true
taps_before=$(host_taps)

base="base image present"
docker image inspect debian:bookworm-slim >/dev/null 2>&1 || base=""
t=$(now_ms)
sh "$REPO/docker/base-image.sh" | sed 's/^/docker: /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "the base image could not be built"
base_ms=$(( $(now_ms) - t ))
[ -n "$base" ] || base="base image built in $(( base_ms / 1000 )) s"

t=$(now_ms)
compose build >/tmp/vrouter-check-build.log 2>&1 || {
	tail -n 30 /tmp/vrouter-check-build.log >&2
	fail "docker-compose build failed (log: /tmp/vrouter-check-build.log)"
}
build_ms=$(( $(now_ms) - t ))
say "image vrouter-demo built in $(( build_ms / 1000 )) s"

t0=$(now_ms)
UP=yes
compose up -d >/dev/null 2>&1 || {
	compose up -d >&2 2>&1
	fail "docker-compose up -d failed"
}
up_ms=$(( $(now_ms) - t0 ))
poll "$TIMEOUT" api_answers || fail "no answer from $API/api/v1/status"
api_ms=$(( $(now_ms) - t0 ))
poll "$TIMEOUT" members_up || fail "members m1, m2, m3 not all up"
members_ms=$(( $(now_ms) - t0 ))
poll "$TIMEOUT" anycast_answers c1 ||
    fail "c1 got no answer from http://[$GROUP]/name (last: '$ANSWER')"
anycast_ms=$(( $(now_ms) - t0 ))
say "up -d $up_ms ms; from up -d: API on $API $api_ms ms," \
    "members up $members_ms ms, first answer from [$GROUP] $anycast_ms ms ($ANSWER)"

# The anycast address from both clients, the API and the dashboard
# from the host.
seen=""
for h in c1 c2 c1 c2 c1 c2; do
	anycast_answers "$h" || fail "$h got no answer from [$GROUP] ('$ANSWER')"
	seen+=" $h->$ANSWER"
done
say "six requests for http://[$GROUP]/name:$seen"
groups=$(curl -sf -m 2 "$API/api/v1/groups") || fail "GET $API/api/v1/groups failed"
jq -e --arg g "$GROUP" 'any(.groups[]; .address == $g)' <<<"$groups" \
    >/dev/null || fail "GET /api/v1/groups lacks $GROUP: $groups"
curl -sf -m 2 "$API/" | grep -qi '<html' || fail "no dashboard at $API/"
say "host: GET $API/api/v1/groups lists $GROUP; the dashboard answers at $API/"

# The container's namespaces: not mounted on the host.
cid=$(compose ps -q vrouter)
ours=$(in_lab sh -c 'for f in /run/netns/*; do stat -L -c %i "$f"; done;
    stat -L -c %i /proc/1/ns/net' | sort -u)
[ "$(wc -l <<<"$ours")" -ge 6 ] || fail "the container has no lab namespaces: $ours"
host_ns=$(for f in /run/netns/*; do stat -L -c %i "$f" 2>/dev/null; done | sort -u)
shared=$(comm -12 <(echo "$ours") <(echo "$host_ns"))
[ -z "$shared" ] || fail "namespaces of the container are mounted on the host: $shared"
procs=$(container_procs "$cid")
say "$(( $(wc -l <<<"$ours") - 1 )) lab namespaces in the container, none in the host's /run/netns;" \
    "$(wc -l <<<"$procs") processes"

net=$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$v.NetworkID}}{{end}}' "$cid")
t=$(now_ms)
compose down -t 30 >/dev/null 2>&1 || fail "docker-compose down failed"
down_ms=$(( $(now_ms) - t ))
UP=no

# Nothing left.
left=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ] || fail "containers left after down: $left"
left=$(docker network ls -q --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ] || fail "networks left after down: $left"
! ip link show "br-${net:0:12}" >/dev/null 2>&1 ||
    fail "bridge br-${net:0:12} left after down"
while read -r pid start; do
	[ -n "$pid" ] || continue
	[ "$(awk '{ print $22 }' "/proc/$pid/stat" 2>/dev/null)" != "$start" ] ||
	    fail "process $pid of the container left after down: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
done <<<"$procs"
new_taps=$(comm -13 <(echo "$taps_before") <(host_taps))
[ -z "$new_taps" ] || fail "TAP devices new on the host after down: $new_taps"
say "down $down_ms ms: no container, network, bridge or process left, no new TAP"

echo "check-docker: passed ($base; build $(( build_ms / 1000 )) s;" \
    "up -d to API $(( api_ms / 1000 )).$(( api_ms % 1000 / 100 )) s," \
    "to members up $(( members_ms / 1000 )).$(( members_ms % 1000 / 100 )) s," \
    "to first anycast answer $(( anycast_ms / 1000 )).$(( anycast_ms % 1000 / 100 )) s;" \
    "down $(( down_ms / 1000 )).$(( down_ms % 1000 / 100 )) s)"
