# shellcheck shell=bash
# netns/lab_links.sh: the transit links of a lab with several routers,
# sourced by netns/lab.sh (which defines STATE, TOPO_JQ, nsx, up_wait,
# stop_netns_procs, tap_del and the rest used here).
#
# A link L is a network namespace named L holding a Linux bridge br0.
# Each router with an interface {"link": L} gets a TAP there named after
# the router, which the lab puts into br0:
#
#   netns t1:   rc (TAP of vrouter rc) ──┐
#                                        br0
#               rs1 (TAP of vrouter rs1) ┘
#
# br0 and the ports carry no address (IPv6 is off on them: nothing of
# the namespace's own takes part in ND), unless the link runs BIRD 2:
# then br0 has the link's "bird" addresses and BIRD speaks RIPng on it,
# with its files in $STATE/links/L/ (bird.conf, the control socket
# bird.ctl that "lab.sh birdc L" uses, bird.log, bird.pid).

topo_links() { jq -r '.links[]?.name' "$1"; }

# link_routers TOPOLOGY LINK: the routers with an interface on the link.
link_routers() {
	jq -r --arg l "$2" "$TOPO_JQ"'
	    routers[] | select(any(.interfaces[]; .link == $l)) | .name' "$1"
}

# link_bird TOPOLOGY LINK: the link's "bird" object, or null.
link_bird() {
	jq -c --arg l "$2" '.links[] | select(.name == $l) | .bird // null' "$1"
}

link_add() {
	local topo=$1 l=$2 a
	ip netns add "$l"
	mkdir -p "$STATE/links/$l"
	nsx "$l" ip link set lo up
	nsx "$l" sysctl -q -w net.ipv6.conf.all.forwarding=0 \
	    net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
	    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	    >/dev/null
	# No STP, no waiting to forward, every multicast (ff02::9) flooded.
	nsx "$l" ip link add br0 type bridge stp_state 0 forward_delay 0 \
	    mcast_snooping 0
	if [ "$(link_bird "$topo" "$l")" = null ]; then
		nsx "$l" sysctl -q -w net.ipv6.conf.br0.disable_ipv6=1 >/dev/null
	fi
	for a in $(link_bird "$topo" "$l" | jq -r '.addresses[]?'); do
		nsx "$l" ip -6 addr add "$a" dev br0 nodad
	done
	# The routers' TAPs, moved in later, get no IPv6 of their own.
	nsx "$l" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	nsx "$l" ip link set br0 up
}

on_bridge() {
	[[ $(ip -n "$1" -o link show dev "$2" 2>/dev/null) == *" master br0 "* ]]
}

# link_attach LINK DEV: DEV, a router's TAP in the link, joins br0.
link_attach() {
	ip -n "$1" link set dev "$2" master br0
	up_wait "$2 to join br0 in link $1" on_bridge "$1" "$2"
}

# links_down TOPOLOGY: stop BIRD and whatever else runs in each link,
# delete the routers' TAPs there and the namespaces (br0 goes with them).
links_down() {
	local topo=$1 l r
	for l in $(topo_links "$topo"); do
		ns_exists "$l" || continue
		stop_netns_procs "$l"
		for r in $(link_routers "$topo" "$l"); do
			tap_del "$l" "$r"
		done
		ip netns del "$l" 2>/dev/null || say "cannot delete namespace $l"
	done
}

# ---------------------------------------------------------------------
# BIRD on a link

# bird_conf TOPOLOGY LINK: BIRD's configuration.  The RIPng timers are
# those of the routers on the link (update_interval, 1 s when they set
# none; timeout and garbage 6 and 4 times that, as vrouter's defaults).
bird_conf() {
	local topo=$1 l=$2 dir=$STATE/links/$2 id u statics
	id=$(jq -r --arg l "$l" '[.links[].name] | index($l) + 1' "$topo")
	u=$(jq -r --arg l "$l" "$TOPO_JQ"'
	    [routers[] | select(any(.interfaces[]; .link == $l))
	     | .ripng.update_interval // empty] | min // 1' "$topo")
	statics=$(link_bird "$topo" "$l" |
	    jq -r '.static[]? | "\troute \(.) unreachable;"')
	cat <<EOF
# BIRD 2 on link $l, written by netns/lab.sh: RIPng with the routers on br0.
router id 10.255.0.$id;
log "$dir/bird.log" all;

protocol device { scan time 1; }

# The link's own prefixes.
protocol direct { ipv6; interface "br0"; }

# Learnt routes into the namespace's table: the link reaches the lab.
protocol kernel {
	ipv6 { import none; export where source = RTS_RIP; };
}

# The link's "static" prefixes, unreachable here, announced by RIPng.
protocol static {
	ipv6;
${statics}
}

protocol rip ng ripng {
	ipv6 { import all; export all; };
	interface "br0" {
		update time $u;
		timeout time $((6 * u));
		garbage time $((4 * u));
	};
}
EOF
}

bird_pid() {
	local pid
	pid=$(cat "$STATE/links/$1/bird.pid" 2>/dev/null) || return 0
	if [[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid"; then
		echo "$pid"
	fi
}

bird_ctl() { echo "$STATE/links/$1/bird.ctl"; }

# BIRD answers on its control socket; exiting fails "up" at once.
bird_ready() {
	local out
	if [ -z "$(bird_pid "$1")" ]; then
		echo "lab.sh: BIRD of link $1 exited:" >&2
		tail -n 5 "$STATE/links/$1/bird.out" "$STATE/links/$1/bird.log" \
		    2>/dev/null | sed 's/^/  | /' >&2
		exit 1
	fi
	out=$(birdc -s "$(bird_ctl "$1")" show status 2>&1) || return 1
	[[ $out == *"Daemon is up and running"* ]]
}

# bird_start TOPOLOGY LINK: check the configuration with "bird -p",
# start BIRD in the foreground of its own session and wait for it.
bird_start() {
	local topo=$1 l=$2 dir=$STATE/links/$2
	bird_conf "$topo" "$l" >"$dir/bird.conf"
	if ! bird -p -c "$dir/bird.conf" >"$dir/check.log" 2>&1; then
		echo "lab.sh: BIRD rejects the configuration of link $l:" >&2
		sed 's/^/  | /' "$dir/check.log" >&2
		exit 1
	fi
	setsid ip netns exec "$l" bird -f -c "$dir/bird.conf" \
	    -s "$(bird_ctl "$l")" </dev/null >>"$dir/bird.out" 2>&1 &
	echo $! >"$dir/bird.pid"
	up_wait "BIRD on link $l to answer (see $dir/bird.log)" bird_ready "$l"
}

# lab.sh birdc LINK [ARGS...]: birdc on the control socket of the link's
# BIRD ("show protocols", "show route"; interactive without ARGS).
cmd_birdc() {
	local l=${1:-}
	[ -n "$l" ] || die "usage: lab.sh birdc LINK [ARGS...]"
	shift
	need_root birdc
	need_tools birdc
	[ -S "$(bird_ctl "$l")" ] || die "no BIRD runs on link $l" \
	    "(links with BIRD: $(jq -r '[.links[]? | select(.bird) | .name]
		| join(" ")' "$(current_topology)"))"
	exec birdc -s "$(bird_ctl "$l")" "$@"
}

# Lines of "lab.sh status" for the links.
links_status() {
	local topo=$1 l pid ports
	for l in $(topo_links "$topo"); do
		if ! ns_exists "$l"; then
			echo "link $l: namespace missing"
			continue
		fi
		ports=$(nsx "$l" ip -o link show master br0 2>/dev/null |
		    awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | tr '\n' ' ')
		echo "link $l: br0 ports: ${ports:-none}"
		[ "$(link_bird "$topo" "$l")" != null ] || continue
		pid=$(bird_pid "$l")
		echo "  BIRD: $([ -n "$pid" ] && echo "running, pid $pid" ||
		    echo "NOT running; see $STATE/links/$l/bird.log")," \
		    "lab.sh birdc $l show protocols"
	done
}
