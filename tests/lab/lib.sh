#!/usr/bin/env bash
#
# tests/lab/lib.sh: shared by the lab tests.  A test sources this file,
# calls lab_start (which brings the lab up and arranges for it to come
# down when the test exits), then asserts on real command output:
#
#   . "$(dirname "$0")/lib.sh"
#   lab_start
#   h c1 ping -6 -c 1 2001:db8:11::10 >/dev/null || fail "c1 cannot reach s1"
#   assert_eq 200 "$(api_code GET /api/v1/status)" "status answers"
#
# Environment: VROUTER (binary), LAB_TIMEOUT, LAB_DEBUG as for lab.sh;
# TEST_TIMEOUT (seconds wait_for waits, default 15).

set -euo pipefail

LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_SH=$LAB_REPO/netns/lab.sh
LAB_STATE=/run/vrouter-lab
DEFAULT_TOPOLOGY=$LAB_REPO/netns/topologies/default.json
TEST_NAME=$(basename "$0" .sh)
TEST_TIMEOUT=${TEST_TIMEOUT:-15}
TEST_TMP=$(mktemp -d "/tmp/vrouter-$TEST_NAME.XXXXXX")
export LAB_STATE

info() { echo "$TEST_NAME: $*"; }
fail() {
	echo "$TEST_NAME: FAIL: $*" >&2
	exit 1
}

# ---------------------------------------------------------------------
# the lab

lab() { bash "$LAB_SH" "$@"; }

lab_cleanup() {
	local rc=$?
	set +e
	if [ "$rc" -ne 0 ] && [ -s "$LAB_STATE/vrouter.log" ]; then
		echo "$TEST_NAME: last lines of the vrouter log:" >&2
		tail -n 15 "$LAB_STATE/vrouter.log" | sed 's/^/  | /' >&2
	fi
	if [ "$rc" -ne 0 ]; then
		for f in "$LAB_STATE"/routers/*/vrouter.log; do
			[ -s "$f" ] || continue
			echo "$TEST_NAME: last lines of the log of router" \
			    "$(basename "$(dirname "$f")"):" >&2
			tail -n 15 "$f" | sed 's/^/  | /' >&2
		done
		for f in "$LAB_STATE"/hosts/*/member.log; do
			[ -s "$f" ] || continue
			echo "$TEST_NAME: last lines of $(basename \
			    "$(dirname "$f")")'s member agent log:" >&2
			tail -n 8 "$f" | sed 's/^/  | /' >&2
		done
	fi
	lab down >/dev/null 2>&1 || echo "$TEST_NAME: lab.sh down failed" >&2
	rm -rf "$TEST_TMP"
	exit "$rc"
}

# lab_start [TOPOLOGY]: bring the lab up; it goes down when the test exits.
lab_start() {
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
	if ! LAB_QUIET=1 lab up "${1:-$DEFAULT_TOPOLOGY}" \
	    >"$TEST_TMP/lab-up.log" 2>&1; then
		sed 's/^/  | /' "$TEST_TMP/lab-up.log" >&2
		fail "lab.sh up failed"
	fi
	# A lab with several routers has no router.json here: see
	# lib_sites.sh for their APIs.
	[ -r "$LAB_STATE/router.json" ] || return 0
	API_URL=$(lab_api_url)
	API_TOKEN=$(lab_token "$LAB_STATE")
}

# lab_token DIR: the API token of the router whose state is in DIR: from
# its configuration or, when it has none, the one vrouter generated and
# logged.
lab_token() {
	local t
	t=$(jq -r '.api.token // ""' "$1/router.json")
	[ -n "$t" ] || t=$(sed -n 's/.*generated API token: *//p' \
	    "$1/vrouter.log" | tail -1)
	echo "$t"
}

# lab_api_url [ROUTER_JSON]: the API's URL from a router configuration
# (default: the lab's router.json).
lab_api_url() {
	local conf=${1:-$LAB_STATE/router.json} listen port
	listen=$(jq -r '.api.listen // "::1"' "$conf")
	port=$(jq -r '.api.port // 8080' "$conf")
	case $listen in
	::|"") listen="[::1]" ;;
	*:*) listen="[$listen]" ;;
	esac
	echo "http://$listen:$port"
}

# h HOST CMD...: run a command in a host's namespace.
h() { local host=$1; shift; ip netns exec "$host" "$@"; }
c1() { h c1 "$@"; }
c2() { h c2 "$@"; }
s1() { h s1 "$@"; }
s2() { h s2 "$@"; }

# need_seg6_lwt: skip the test (exit 77, "SKIP" in run.sh) unless the
# kernel can install seg6 routes ("encap seg6", CONFIG_IPV6_SEG6_LWTUNNEL),
# which the client shim puts connections on the direct path with.
need_seg6_lwt() {
	local ns=vr-seg6-probe-$$ ok=0
	ip netns add "$ns" || fail "cannot create a namespace"
	ip -n "$ns" link add p0 type veth peer name p1 &&
	    ip -n "$ns" link set p0 up &&
	    ip -n "$ns" -6 route add 2001:db8:ffff::/64 encap seg6 mode inline \
	    segs 2001:db8:fffe::1 dev p0 2>/dev/null && ok=1
	ip netns del "$ns"
	[ "$ok" = 1 ] && return 0
	echo "$TEST_NAME: SKIP: this kernel cannot install seg6 routes" \
	    "(\"lwt encapsulation type not supported\":" \
	    "CONFIG_IPV6_SEG6_LWTUNNEL); the client shim needs them"
	exit 77
}

# ---------------------------------------------------------------------
# the REST API

# api METHOD PATH [JSON]: print the body; fail unless the status is 2xx.
api() {
	local code
	code=$(api_code "$@")
	case $code in
	2??) cat "$TEST_TMP/api-body" ;;
	*) fail "$1 $2: HTTP $code: $(head -c 300 "$TEST_TMP/api-body")" ;;
	esac
}

# api_code METHOD PATH [JSON]: print the HTTP status (000: no answer);
# the body is left in $TEST_TMP/api-body.  API_AUTH=no sends no token.
api_code() {
	local method=$1 path=$2 data=${3:-}
	local args=(-gsS -m 10 -o "$TEST_TMP/api-body" -w '%{http_code}'
	    -X "$method")
	[ "${API_AUTH:-yes}" = no ] ||
	    args+=(-H "Authorization: Bearer $API_TOKEN")
	[ -z "$data" ] ||
	    args+=(-H 'Content-Type: application/json' --data-binary "$data")
	curl "${args[@]}" "$API_URL$path" 2>"$TEST_TMP/api-err" || true
}

# api_get_to FILE PATH: download to a file; fail unless 2xx.
api_get_to() {
	local code
	code=$(curl -gsS -m 30 -o "$1" -w '%{http_code}' "$API_URL$2" || true)
	case $code in
	2??) ;;
	*) fail "GET $2: HTTP $code" ;;
	esac
}

# ---------------------------------------------------------------------
# waiting and asserting

# wait_for [-t SECONDS] CMD...: poll CMD until it succeeds; 1 on timeout.
wait_for() {
	local limit=$TEST_TIMEOUT
	if [ "${1:-}" = -t ]; then
		limit=$2
		shift 2
	fi
	local deadline=$(( $(date +%s%N) + limit * 1000000000 ))
	until "$@"; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

# assert_match REGEX TEXT [WHAT]: extended regular expression.
assert_match() {
	grep -Eq -- "$1" <<<"$2" ||
	    fail "${3:-output} does not match /$1/:"$'\n'"$2"
}

assert_no_match() {
	! grep -Eq -- "$1" <<<"$2" ||
	    fail "${3:-output} unexpectedly matches /$1/:"$'\n'"$2"
}

# assert_gt A B [WHAT]: integers.
assert_gt() {
	[[ $1 =~ ^[0-9]+$ ]] || fail "${3:-value}: '$1' is not a number"
	[ "$1" -gt "$2" ] || fail "${3:-value}: expected more than $2, got $1"
}

# ping_ok NS ADDRESS [COUNT]: pings with 0% loss, or the output on failure.
ping_ok() {
	local out
	out=$(h "$1" ping -6 -c "${3:-3}" -i 0.2 -W 2 "$2" 2>&1) ||
	    fail "$1 ping $2 failed:"$'\n'"$out"
	assert_match ' 0% packet loss' "$out" "$1 ping $2"
}

# A lab host's MAC address for a neighbour, as the host sees it.
neigh_mac() {
	h "$1" ip -6 neigh show "$2" dev "${3:-eth0}" |
	    grep -oE 'lladdr [0-9a-f:]{17}' | cut -d' ' -f2
}

# a_then_u A FILE: in FILE (lines of packets in capture order, the
# destination first), every packet to the anycast address A comes before
# the first one that is not: once a client shim's rule is in, nothing
# takes the anycast path.  How many went to A before it depends on how
# fast the shim learnt; callers print that, they do not judge it.
a_then_u() {
	awk -v a="$1" '$1 != a { seen = 1; next } seen { bad = NR }
	    END { exit bad ? 1 : 0 }' "$2"
}
