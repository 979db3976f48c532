#!/usr/bin/env bash
#
# tests/lab/lib_anycast.sh: shared by the anycast lab tests
# (tests/lab/test_anycast_*.sh).  Sources lib.sh; anycast_start brings up
# the "anycast" topology (netns/topologies/anycast.json):
#
#   netns c1 2001:db8:1::10 ──┐                        ┌── netns m1 2001:db8:21::10
#                             │   ┌────────────────┐   │
#                             ├───┤    vrouter     ├───┼── netns m2 2001:db8:22::10
#   netns c2 2001:db8:2::10 ──┘   │   group A =    │   │
#                                 │ 2001:db8:ac::1 │   └── netns m3 2001:db8:23::10
#                                 └────────────────┘       each: anycast-member,
#                                                          nginx on [A]:80 and [U]:80
#
# and gives the tests: the group's address ($ANY), each member's unicast
# address (${UNI[m1]}), the members' states in the REST API, a batch of
# requests with the member that answered each, and nginx stop/start in a
# member.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

ANY=2001:db8:ac::1
ANY_TOPOLOGY=$LAB_REPO/netns/topologies/anycast.json
MEMBERS=(m1 m2 m3)
declare -A UNI=([m1]=2001:db8:21::10 [m2]=2001:db8:22::10
    [m3]=2001:db8:23::10)

m1() { h m1 "$@"; }
m2() { h m2 "$@"; }
m3() { h m3 "$@"; }

# The lab is up once every member is "up" in the API (lab.sh waits).
anycast_start() { lab_start "$ANY_TOPOLOGY"; }

# at_exit FUNCTION: call it when the test exits, before the lab goes
# down; the test's exit status is kept.
AT_EXIT=()
at_exit() {
	AT_EXIT+=("$1")
	trap anycast_cleanup EXIT
}
anycast_cleanup() {
	local rc=$? f
	set +e
	for f in "${AT_EXIT[@]}"; do
		"$f"
	done
	(exit "$rc")
	lab_cleanup
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ---------------------------------------------------------------------
# the group in the REST API

members_json() { api GET "/api/v1/groups/$ANY/members"; }

# member_field HOST FIELD: a field of the member's entry; "absent" when
# the member is not listed.
member_field() {
	members_json | jq -r --arg a "${UNI[$1]}" --arg f "$2" \
	    '[.members[] | select(.address == $a) | .[$f]][0] // "absent"
	    | tostring'
}

member_state() { member_field "$1" state; }
member_in_state() { [ "$(member_state "$1")" = "$2" ]; }
member_not_in_state() {
	local s
	s=$(member_state "$1")
	[ "$s" != "$2" ]
}
member_absent() { member_in_state "$1" absent; }
all_up() {
	local m
	for m in "${MEMBERS[@]}"; do
		member_in_state "$m" up || return 1
	done
}

# One line: "m1 up, m2 down (health), m3 up".
states_line() {
	members_json | jq -r --argjson uni "$(uni_json)" '
	    [.members[] | (.address as $a | $uni | to_entries[]
		| select(.value == $a) | .key) as $n
	     | "\($n // .address) \(.state)\(if .down_reason
		then " (\(.down_reason))" else "" end)"] | join(", ")'
}

uni_json() {
	local m out="{"
	for m in "${MEMBERS[@]}"; do
		out+="\"$m\": \"${UNI[$m]}\","
	done
	echo "${out%,}}"
}

# group_counter PATH: a number from the group's counters, e.g.
# ".auth_failures.bad_tag" or ".joins".
group_counter() {
	api GET "/api/v1/groups/$ANY" | jq -r ".counters$1"
}

# ---------------------------------------------------------------------
# requests to the anycast address

# requests HOST N: N requests for /name (the member's name) to the
# anycast address from HOST, each on a connection of its own.  Sets
# REQ_OK (answered 200), REQ_FAILED (N - REQ_OK) and REQ_COUNT[member].
# shellcheck disable=SC2034  # used by the tests
declare -A REQ_COUNT
requests() {
	local host=$1 n=$2 dir=$TEST_TMP/requests f name
	rm -rf "$dir"
	mkdir -p "$dir"
	h "$host" curl -s --connect-timeout 3 -m 5 -H 'Connection: close' \
	    -o "$dir/#1.body" -w '%{http_code}\n' \
	    "http://[$ANY]/name?r=[1-$n]" >"$dir/codes" 2>"$dir/err" || true
	REQ_OK=$(grep -c '^200$' "$dir/codes" || true)
	# shellcheck disable=SC2034  # used by the tests
	REQ_FAILED=$((n - REQ_OK))
	REQ_COUNT=()
	for name in "${MEMBERS[@]}"; do
		REQ_COUNT[$name]=0
	done
	for f in "$dir"/*.body; do
		[ -e "$f" ] || continue
		name=$(head -c 64 "$f" | tr -d '\n')
		REQ_COUNT[$name]=$(( ${REQ_COUNT[$name]:-0} + 1 ))
	done
}

# "m1=20 m2=20 m3=20" from the last requests.
req_line() {
	local m out=""
	for m in "${!REQ_COUNT[@]}"; do
		out+="$m=${REQ_COUNT[$m]} "
	done
	tr ' ' '\n' <<<"$out" | grep . | sort | tr '\n' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------------
# a member's web server (started by lab.sh serve-http)

nginx_dir() { echo "$LAB_STATE/hosts/$1/http"; }

nginx_pid() { cat "$(nginx_dir "$1")/nginx.pid" 2>/dev/null || true; }

# held: "port member" per established connection to port 80 of a
# member, sorted: which member's kernel holds each client port.
held() {
	local m
	for m in "${MEMBERS[@]}"; do
		h "$m" ss -Htn state established '( sport = :80 )' |
		    awk -v m="$m" '{ n = split($4, a, ":"); print a[n], m }'
	done | sort
}

listens_80() { [ -n "$(h "$1" ss -Hltn 'sport = :80')" ]; }
not_listens_80() { ! listens_80 "$1"; }

nginx_stop() {
	local pid
	pid=$(nginx_pid "$1")
	[[ $pid =~ ^[0-9]+$ ]] || fail "no nginx pid in $(nginx_dir "$1")"
	kill -TERM "$pid"
	wait_for not_listens_80 "$1" || fail "nginx of $1 still listens"
}

# The same nginx again, with the configuration serve-http wrote; it
# stays with the lab (lab.sh down stops what runs in the host).
nginx_start() {
	local dir
	dir=$(nginx_dir "$1")
	h "$1" setsid nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" \
	    </dev/null >>"$dir/restart.log" 2>&1 &
	wait_for listens_80 "$1" ||
	    fail "nginx of $1 does not listen again: $(tail -3 "$dir/error.log")"
}

# ---------------------------------------------------------------------
# a member's agent (started by lab.sh up)

agent_pid() { cat "$LAB_STATE/hosts/$1/member.pid" 2>/dev/null || true; }

proc_gone() { ! kill -0 "$1" 2>/dev/null; }

lo_has_any() { h "$1" ip -6 -o addr show dev lo | grep -F " $ANY/128 " >/dev/null; }
lo_lacks_any() { ! lo_has_any "$1"; }

# ---------------------------------------------------------------------
# long downloads from the members' /slow (1 MiB/s)

# kill_all PID...: SIGTERM each and reap it.
kill_all() {
	local p
	for p in "$@"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# slow_download HOST N BYTES: download N, the first BYTES of /slow from
# A, in the background; its pid is added to DL_PIDS (killed at exit).
DL_PIDS=()
stop_downloads() { kill_all ${DL_PIDS[@]+"${DL_PIDS[@]}"}; }
slow_download() {
	[ "${#DL_PIDS[@]}" -gt 0 ] || at_exit stop_downloads
	h "$1" curl -s -r "0-$(($3 - 1))" --max-time 60 -o "$TEST_TMP/dl-$2" \
	    -w '%{http_code}\n' "http://[$ANY]/slow" >"$TEST_TMP/dl-$2.code" \
	    2>"$TEST_TMP/dl-$2.err" &
	DL_PIDS+=($!)
}

# downloads_ok BYTES: every download started completes: curl exit 0
# (no reset), HTTP 206, BYTES zero bytes (sha256).
downloads_ok() {
	local want i rc
	want=$(head -c "$1" /dev/zero | sha256sum | cut -d' ' -f1)
	for i in "${!DL_PIDS[@]}"; do
		rc=0
		wait "${DL_PIDS[$i]}" || rc=$?
		if [ "$rc" != 0 ] ||
		    [ "$(cat "$TEST_TMP/dl-$((i + 1)).code")" != 206 ]; then
			fail "download $((i + 1)): curl exit $rc, HTTP" \
			    "$(cat "$TEST_TMP/dl-$((i + 1)).code"):" \
			    "$(cat "$TEST_TMP/dl-$((i + 1)).err")"
		fi
		assert_eq "$want" "$(sha256sum "$TEST_TMP/dl-$((i + 1))" |
		    cut -d' ' -f1)" "sha256 of download $((i + 1))"
	done
	DL_PIDS=()
}
