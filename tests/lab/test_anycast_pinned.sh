#!/usr/bin/env bash
#
# A policy change never moves an established connection.
#
#   c1 ── 3 x GET /slow (3 MiB at 1 MiB/s) ── vrouter ──┬── m1
#                                                      ├── m2
#        PATCH policy: round-robin, then maglev        └── m3
#
# Three downloads from c1 run while the group's policy is changed twice
# through the API; each connection stays with the member whose kernel
# holds it (ss in the members), the router's flow table keeps it on that
# member (/api/v1/flows), and every download completes whole (HTTP 206,
# the right sha256).  The packet fixture pinned_flows_stay shows the same
# for a member joining and a weight change.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

DL_BYTES=$((3 * 1048576))

# "port member" per connection to A from c1: who holds it, by the
# members' kernels (held, lib_anycast.sh), and by the router's flow table.
pinned() {
	api GET "/api/v1/flows?group=$ANY&limit=1000" |
	    jq -r --argjson uni "$(uni_json)" '.flows[]
		| select(.state == "established") | .member as $a
		| "\(.client_port) \($uni | to_entries[]
		    | select(.value == $a) | .key)"' | sort
}
three() { [ "$(held | wc -l)" = 3 ]; }

for i in 1 2 3; do
	slow_download c1 "$i" "$DL_BYTES"
done
wait_for -t 5 three || fail "three downloads not established: $(held)"
before=$(held)
assert_eq "$before" "$(pinned)" "the router's flows against the members' sockets"
info "connections (client port, member): $(tr '\n' ' ' <<<"$before")"

for policy in round-robin maglev; do
	api PATCH "/api/v1/groups/$ANY" "{\"policy\": \"$policy\"}" >/dev/null
	sleep 0.5
	assert_eq "$before" "$(held)" "connections after the policy became $policy"
	assert_eq "$before" "$(pinned)" "flows after the policy became $policy"
	info "policy $policy: every connection on the same member, in the" \
	    "members' kernels and in the flow table"
done

downloads_ok "$DL_BYTES"
info "the three downloads completed whole"
