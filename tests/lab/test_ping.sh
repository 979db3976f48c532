#!/usr/bin/env bash
#
# Echo across and to the router, and the interface counters that shows.
#
#   c1 2001:db8:1::10 ──┐             ┌── s1 2001:db8:11::10
#                       ├── vrouter ──┤
#   c2 2001:db8:2::10 ──┘             └── s2 2001:db8:12::10
#
# c1 pings s1 and s2, c2 pings s1 (forwarded); c1 pings the router's
# addresses on its own link, on the far link and its link-local address
# (answered by the router); /api/v1/interfaces then counts packets both
# ways on c1 and s1.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_start

ping_ok c1 2001:db8:11::10
ping_ok c1 2001:db8:12::10
ping_ok c2 2001:db8:11::10
info "forwarding c1->s1, c1->s2, c2->s1: 0% loss"

ping_ok c1 2001:db8:1::1
ping_ok c1 2001:db8:11::1
info "router answers on 2001:db8:1::1 and 2001:db8:11::1"

# The router's link-local address is the next hop of c1's default route,
# which it learned from a Router Advertisement.
ll=$(c1 ip -6 route show default | grep -oE 'via fe80:[0-9a-f:]+' |
    cut -d' ' -f2 | sed -n 1p)
[ -n "$ll" ] || fail "c1 has no default route via a link-local address:
$(c1 ip -6 route show default)"
ping_ok c1 "$ll%eth0"
mac=$(neigh_mac c1 "$ll")
[ -n "$mac" ] || fail "c1 has no neighbour entry for $ll"
info "router link-local $ll ($mac) answers"

# The MAC c1 resolved for the router is the one the API reports (when
# the API reports one).
api_mac=$(api GET /api/v1/interfaces/c1 |
    jq -r '(.interface // .) | .mac // empty')
[ -z "$api_mac" ] || assert_eq "$mac" "$(tr A-F a-f <<<"$api_mac")" \
    "router MAC seen by c1 vs /api/v1/interfaces/c1"

# counter IFACE NAME: a counter of an interface from /api/v1/interfaces.
counter() {
	api GET /api/v1/interfaces | jq -r --arg i "$1" --arg c "$2" '
	    (.interfaces // .)[] | select(.name == $i)
	    | (.counters // .stats // .)[$c] // "missing"'
}
for i in c1 s1; do
	for c in rx_packets tx_packets; do
		v=$(counter "$i" "$c")
		assert_gt "$v" 0 "/api/v1/interfaces $i $c"
	done
done
# c1 sent 15 echo requests, all through the router's interface c1.
assert_gt "$(counter c1 rx_packets)" 14 "c1 rx_packets after 15 pings"
info "counters: c1 rx=$(counter c1 rx_packets) tx=$(counter c1 tx_packets)," \
    "s1 rx=$(counter s1 rx_packets) tx=$(counter s1 tx_packets)"
