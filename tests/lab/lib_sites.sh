#!/usr/bin/env bash
#
# tests/lab/lib_sites.sh: shared by the lab tests of the "sites" topology
# (netns/topologies/sites.json): three routers joined by links, each
# link a namespace tN holding a bridge br0 and the prefix 2001:db8:fN::/64:
#
#   c1 2001:db8:1::10 ─┐                       ┌─ m1 2001:db8:21::10
#                      ├─ rc ═══ t1 ═══ rs1 ───┤
#   c2 2001:db8:2::10 ─┘   ╲               ║   └─ m2 2001:db8:22::10
#                           ╲ t2          t3 ── BIRD 2001:db8:f3::99
#                            ╲ (cost 3     ║    (2001:db8:99::/64)
#                             ╲  at rc)    ║   ┌─ m3 2001:db8:23::10
#                              ════════ rs2 ───┤
#                                              └─ m4 2001:db8:24::10
#
# On t1 rc is ::1 and rs1 ::2, on t2 rc ::1 and rs2 ::2, on t3 rs1 ::1
# and rs2 ::2.  m1 to m4 are members of the anycast group 2001:db8:ac::1
# (anycast-member and nginx), m1 and m2 at rs1, m3 and m4 at rs2.
#
# Sources lib.sh.  Gives: sites_start, the routers' APIs (on ROUTER CMD,
# e.g. "on rs1 api GET /api/v1/routes"), BIRD (birdc LINK ARGS...), a
# link's bridge ports, and what "lab.sh down" must have removed.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

SITES_TOPOLOGY=$LAB_REPO/netns/topologies/sites.json
# shellcheck disable=SC2034  # used by the tests, as are the ones below
ANY=2001:db8:ac::1
# shellcheck disable=SC2034
ROUTERS=(rc rs1 rs2)
# shellcheck disable=SC2034
LINKS=(t1 t2 t3)
# shellcheck disable=SC2034
declare -A UNI=([m1]=2001:db8:21::10 [m2]=2001:db8:22::10
    [m3]=2001:db8:23::10 [m4]=2001:db8:24::10)
# shellcheck disable=SC2034
declare -A TRANSIT=([rc]="2001:db8:f1::1 2001:db8:f2::1"
    [rs1]="2001:db8:f1::2 2001:db8:f3::1"
    [rs2]="2001:db8:f2::2 2001:db8:f3::2")
# shellcheck disable=SC2034
declare -A LINK_ROUTERS=([t1]="rc rs1" [t2]="rc rs2" [t3]="rs1 rs2")

# sites_start: bring the sites lab up (lab.sh waits until every member
# is up in its own router's API; routes between the routers come from
# RIPng a few seconds later).
sites_start() { lab_start "$SITES_TOPOLOGY"; }

# ---------------------------------------------------------------------
# the routers' APIs

router_state() { echo "$LAB_STATE/routers/$1"; }
router_url() { lab_api_url "$(router_state "$1")/router.json"; }

# on ROUTER CMD...: run CMD (api, api_code, api_get_to, or a function
# using them) against ROUTER's API.
on() {
	local API_URL API_TOKEN
	API_URL=$(router_url "$1")
	API_TOKEN=$(lab_token "$(router_state "$1")")
	shift
	"$@"
}

# ---------------------------------------------------------------------
# links and BIRD

birdc() { lab birdc "$@"; }

# bridge_ports LINK: the ports of br0 in the link, sorted, one a line.
bridge_ports() {
	local out
	out=$(ip -n "$1" -o link show master br0)
	awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' <<<"$out" | sort
}

# ---------------------------------------------------------------------
# what "lab.sh down" removes

# sites_left: one line per thing of the sites lab still there
# (namespaces, vrouter and BIRD processes, TAPs in the root namespace,
# the state directory); nothing when it is all gone.
sites_left() {
	local n names taps
	names=$(jq -r '.hosts[].name, .links[].name' "$SITES_TOPOLOGY")
	for n in $(ip netns list | awk '{ print $1 }'); do
		grep -qxF -- "$n" <<<"$names" && echo "namespace $n"
	done
	pgrep -af -- "$LAB_STATE/(routers|links)/" | sed 's/^/process /' ||
	    true
	taps=$(jq -r '.routers[].interfaces[].name' "$SITES_TOPOLOGY" | sort -u)
	for n in $taps; do
		ip -d -o link show dev "$n" 2>/dev/null | grep ' tun ' >/dev/null &&
		    echo "TAP $n in the root namespace"
	done
	[ ! -e "$LAB_STATE" ] || echo "$LAB_STATE"
	return 0
}
