#!/usr/bin/env bash
#
# netns/lab.sh: build, inspect and tear down a vrouter lab of network
# namespaces.  "up" with no topology starts the anycast lab (below);
# the plain routing lab, "default" (alias "routing",
# netns/topologies/default.json):
#
#   netns c1                                              netns s1
#   eth0 2001:db8:1::10/64 ──┐                      ┌── eth0 2001:db8:11::10/64
#                            │  ┌────────────────┐  │   nginx on [::]:80
#                            ├──┤    vrouter     ├──┤
#   netns c2                 │  │  (root netns)  │  │   netns s2
#   eth0 2001:db8:2::10/64 ──┘  │  ::1 on each   │  └── eth0 2001:db8:12::10/64
#                               │  RA on each    │      nginx on [::]:80
#                               └────────────────┘
#                        REST API on http://[::1]:8080
#
# Every eth0 is a TAP device opened by vrouter and moved into the host's
# namespace; hosts learn their default route from the router's RAs.
# The "anycast" topology (netns/topologies/anycast.json) has clients c1,
# c2 and members m1, m2, m3 of the group 2001:db8:ac::1, each running
# anycast-member and nginx; "anycast-shim" is the same with the client
# shim anycast-client in c1 (see docs/lab.md).
#
# A topology with "routers" and "links" runs one vrouter per router,
# each with its state in $STATE/routers/NAME/, joined by links: a link
# is a namespace with a bridge br0 holding a TAP of each of its routers,
# and may run BIRD 2 (netns/lab_links.sh).  The "sites" topology
# (netns/topologies/sites.json) has a client-side router rc and two
# sites rs1, rs2 with members of the same anycast group, speaking RIPng.
#
#   lab.sh up [TOPOLOGY]        start a lab ("anycast" if none);
#                               TOPOLOGY is a file or a name in
#                               netns/topologies ("default", "sites")
#   lab.sh down                 stop it and remove everything it created
#   lab.sh status               what is running
#   lab.sh exec HOST CMD...     run a command in a host's namespace
#                               (or a link's)
#   lab.sh birdc LINK ARGS...   birdc on the BIRD of a link
#   lab.sh serve-http [PORT [ADDRESS...]]
#                               (run by hosts) a small web server
#   lab.sh serve-dns knot|nsd ZONE ADDRESS...
#                               (run by hosts) knotd or nsd serving a
#                               generated zone (netns/lab_dns.sh)
#   lab.sh dns-queries ZONE COUNT [SEED]
#                               a dnsperf query file for that zone
#
# Environment: VROUTER (the binary, default build/vrouter), MEMBER_AGENT
# (default: anycast-member beside the vrouter binary), CLIENT_SHIM
# (default: anycast-client beside the vrouter binary), LAB_STATE
# (state directory, default /run/vrouter-lab), LAB_TIMEOUT (seconds to
# wait for each step of "up", default 30), LAB_DEBUG=1 (vrouter -d),
# LAB_QUIET=1 (no hints after "up"), LAB_EHASH (entries of each host's
# own TCP socket hash table, default 4096), LAB_IO (every router's TAP
# I/O, "uring" or "readv", where its configuration names none).

set -euo pipefail
umask 022

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/.." && pwd)
STATE=${LAB_STATE:-/run/vrouter-lab}
DEFAULT_TOPOLOGY=$REPO/netns/topologies/default.json
UP_TOPOLOGY=anycast		# what "up" starts when given none
TIMEOUT=${LAB_TIMEOUT:-30}
STOP_TIMEOUT=${LAB_STOP_TIMEOUT:-10}
LAB_EHASH=${LAB_EHASH:-4096}	# each host's TCP socket hash table
case $STATE in
/?*) ;;
*) echo "lab.sh: LAB_STATE must be an absolute directory, not '$STATE'" >&2
   exit 1 ;;
esac

# shellcheck source=netns/lab_links.sh
. "$(dirname "$SELF")/lab_links.sh"
# shellcheck source=netns/lab_dns.sh
. "$(dirname "$SELF")/lab_dns.sh"
# shellcheck source=netns/lab_cgroup.sh
. "$(dirname "$SELF")/lab_cgroup.sh"

die() { echo "lab.sh: $*" >&2; exit 1; }
say() { echo "lab.sh: $*"; }

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (try: sudo $0 $1)"
}

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
		    die "'$t' is not installed (sudo make deps installs it)"
	done
}

ns_exists() { [ -e "/run/netns/$1" ]; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# A process that is gone or a zombie counts as dead.
proc_alive() {
	local s
	s=$(cat "/proc/$1/status" 2>/dev/null) && [ -n "$s" ] &&
	    ! grep -q '^State:[[:space:]]*Z' <<<"$s"
}

proc_dead() { ! proc_alive "$1"; }
netns_empty() { [ -z "$(ip netns pids "$1" 2>/dev/null)" ]; }

# poll TIMEOUT CMD...: run CMD every 0.1 s until it succeeds; 1 on timeout.
poll() {
	local limit=$1; shift
	local deadline=$(( $(date +%s%N) + limit * 1000000000 ))
	until "$@"; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# ---------------------------------------------------------------------
# topology files

# Print one line per problem found in a topology; nothing when it is good.
# A topology has one "router", or "routers" joined by "links"; the
# routers are checked alike, each under its own key path.
topology_errors() {
	jq -r '
	def str: type == "string";
	def strs: type == "array" and all(.[]; type == "string");
	def addr: str and test("^[0-9A-Fa-f:.]+/[0-9]{1,3}$");
	def nsname: str and test("^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$");
	def count($x): [.[] | select(. == $x)] | length;
	def shaped: type == "object" and (.interfaces | type) == "array"
	    and all(.interfaces[]; type == "object" and (.name | str));
	. as $top
	| if type != "object" then "the topology is not a JSON object"
	else
	  has("routers") as $multi
	  # [{p: key path, r: router, l: how messages name it}]
	  | (if $multi then
	       (.routers | if type == "array" then to_entries
		  | map({p: "routers[\(.key)]", r: .value,
			 l: "router \"\(.value.name?)\""})
		else [] end)
	     else [{p: "router", r: .router, l: "router"}] end) as $rs
	  | [.links[]?.name?] as $links
	  | [.hosts[]?.name?] as $names
	  | ((keys - ["name", "description", "router", "routers", "links",
	       "hosts"])[] | "unknown key \"\(.)\""),
	  (if (.name | str) then empty else "name: missing or not a string" end),
	  (if $multi and has("router")
	   then "router: give \"router\" or \"routers\", not both"
	   elif has("links") and ($multi | not)
	   then "links: only with \"routers\""
	   else empty end),
	  (if $multi and ((.routers | type) != "array"
	       or (.routers | length) == 0)
	   then "routers: missing or empty" else empty end),
	  ($rs[] | .p as $p
	   | if (.r | type) != "object" then "\($p): missing or not an object"
	     elif (.r.interfaces | type) != "array"
	       or (.r.interfaces | length) == 0
	     then "\($p).interfaces: missing or empty"
	     elif any(.r.interfaces[]; type != "object" or (.name | str | not))
	     then "\($p).interfaces: every interface needs a \"name\""
	     else empty end),
	  (if $multi then
	     [$rs[].r | objects | .name] as $rnames
	     | [$rs[].r | objects | select(.api.enabled // true)
		| .api.port // 8080] as $ports
	     | ($rs[] | select(.r | type == "object") | .p as $p | .r as $r
		| .l as $rl
		| (if ($r.name | str)
		     and ($r.name | test("^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$"))
		     and $r.name != "br0" and $r.name != "lo"
		   then empty
		   else "\($p).name: missing or not a valid interface name (1 to 15 characters A-Z a-z 0-9 _ . -, not br0 or lo)" end),
		  (if ($r.name | str) and ($rnames | count($r.name)) > 1
		   then "\($p).name: \"\($r.name)\" is used by several routers"
		   else empty end),
		  (($r.api.port // 8080) as $port
		   | if ($r.api.enabled // true) and ($ports | count($port)) > 1
		     then "\($p).api.port: \($port) is the API port of several routers"
		     else empty end),
		  ($r.interfaces | arrays | to_entries[]
		   | select(.value | type == "object" and has("link"))
		   | "\($p).interfaces[\(.key)].link" as $w | .value as $i
		   | if ($i.link | nsname | not)
		     then "\($w): must be a link name"
		     elif ($links | count($i.link)) == 0
		     then "\($w): \"\($i.link)\" is not in \"links\""
		     elif $i.netns != null or $i.ifname != null
		     then "\($w): an interface on a link takes no \"netns\" or \"ifname\" (the lab sets them)"
		     elif ([$r.interfaces[] | objects | .link] | count($i.link)) > 1
		     then "\($w): \($rl) has several interfaces on link \"\($i.link)\""
		     else empty end)),
	     (if has("links") and (.links | type) != "array"
	      then "links: must be an array"
	      else
		[$rs[].r | objects | .interfaces[]? | objects | .link
		 | strings] as $used
		| (.links // []) | to_entries[] | "links[\(.key)]" as $w
		| .value as $l
		| if ($l | type) != "object" then "\($w): must be an object"
		  else
		    ((($l | keys) - ["name", "bird"])[]
		     | "\($w): unknown key \"\(.)\""),
		    (if ($l.name | nsname) then empty
		     else "\($w).name: missing or not a valid namespace name" end),
		    (if ($l.name | str) and ($links | count($l.name)) > 1
		     then "\($w).name: \"\($l.name)\" is used by several links"
		     elif ($l.name | str) and ($names | count($l.name)) > 0
		     then "\($w).name: \"\($l.name)\" is also a host"
		     elif ($l.name | str) and ($used | count($l.name)) == 0
		     then "\($w): no router interface has \"link\": \"\($l.name)\""
		     else empty end),
		    (if $l.bird == null then empty
		     elif ($l.bird | type) != "object"
		     then "\($w).bird: must be an object"
		     else
		       ((($l.bird | keys) - ["addresses", "static"])[]
			| "\($w).bird: unknown key \"\(.)\""),
		       (if $l.bird.addresses == null
			  or ($l.bird.addresses | type == "array"
			      and all(.[]; addr))
			then empty
			else "\($w).bird.addresses: must be a list of \"address/length\"" end),
		       (if $l.bird.static == null
			  or ($l.bird.static | type == "array" and all(.[]; addr))
			then empty
			else "\($w).bird.static: must be a list of \"prefix/length\"" end)
		     end)
		  end
	      end)
	   else empty end),
	  (if (.hosts | type) != "array" or (.hosts | length) == 0
	   then "hosts: missing or empty"
	   elif any(.hosts[]; type != "object")
	   then "hosts: every host must be an object"
	   else empty end),
	  (if ($rs | length) > 0 and all($rs[].r; shaped)
	     and (.hosts | type) == "array"
	     and all(.hosts[]; type == "object")
	   then
	     (.hosts | to_entries[]
		| .key as $i | .value as $h | "hosts[\($i)]" as $w
		# the router of the host, null when it names none that exists
		| (if $multi and $h.router != null
		   then first($rs[] | select(.r.name == $h.router)) // null
		   elif ($rs | length) == 1 then $rs[0]
		   else null end) as $hr
		| ((($h | keys) - ["name", "interface", "addresses", "run",
		     "listen", "sysctl", "member", "client", "cgroup",
		     if $multi then "router" else empty end])[]
		    | "\($w): unknown key \"\(.)\""),
		  (if ($h.name | nsname) then empty
		   else "\($w).name: missing or not a valid namespace name" end),
		  (if ($h.name | str) and ($names | count($h.name)) > 1
		   then "\($w).name: \"\($h.name)\" is used by several hosts"
		   else empty end),
		  (if $multi | not then empty
		   elif $h.router == null and ($rs | length) > 1
		   then "\($w).router: missing (the topology has several routers)"
		   elif $h.router != null and $hr == null
		   then "\($w).router: no router \"\($h.router)\""
		   else empty end),
		  (if ($h.interface | str) | not
		   then "\($w).interface: missing or not a string"
		   elif $hr == null then empty
		   else
		     [$hr.r.interfaces[] | select(.name == $h.interface)] as $m
		     | if ($m | length) == 0
		       then "\($w).interface: \($hr.l) has no interface \"\($h.interface)\""
		       elif ($m[0].netns // "") != $h.name
		       then "\($w).interface: \($hr.l) interface \"\($h.interface)\" has netns \"\($m[0].netns // "")\", expected \"\($h.name)\""
		       else empty end
		   end),
		  (if $h.addresses == null or ($h.addresses | type == "array"
		       and all(.[]; addr))
		   then empty
		   else "\($w).addresses: must be a list of \"address/length\"" end),
		  (if $h.run == null or ($h.run | strs) then empty
		   else "\($w).run: must be a list of command strings" end),
		  (if $h.cgroup == null or ($h.cgroup | type == "object"
		       and (($h.cgroup | keys) - ["cpu_max"]) == []
		       and ($h.cgroup.cpu_max | str
			   and test("^(max|[1-9][0-9]{3,}) [1-9][0-9]{3,6}$")))
		   then empty
		   else "\($w).cgroup: must be {\"cpu_max\": \"QUOTA PERIOD\"} (microseconds, QUOTA 1000 or more or \"max\", PERIOD 1000-1000000)" end),
		  (if $h.listen == null or ($h.listen | type == "array"
		       and all(.[]; type == "number" and . >= 1 and . <= 65535
			   and . == floor))
		   then empty
		   else "\($w).listen: must be a list of TCP ports" end),
		  (if $h.sysctl == null or ($h.sysctl | strs
		       and all(.[]; test("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*=.")))
		   then empty
		   else "\($w).sysctl: must be a list of \"name=value\" strings" end),
		  (if $h.client == null or ($h.client | type == "object"
		       and (($h.client | keys) - ["args"]) == []
		       and ($h.client.args == null or ($h.client.args | strs)))
		   then empty
		   else "\($w).client: must be an object, with \"args\" a list of strings" end),
		  (if $h.member == null then empty
		   elif ($h.member | type) != "object"
		   then "\($w).member: must be an object"
		   else
		     $h.member as $m | "\($w).member" as $mw
		     | ((($m | keys) - ["group", "key", "key_id", "address",
			  "args"])[] | "\($mw): unknown key \"\(.)\""),
		       (if ($m.group | str) and ($m.group | test("^[0-9A-Fa-f:]+$"))
			then empty
			else "\($mw).group: missing or not an IPv6 address" end),
		       (if $m.key == null or ($m.key | str
			    and test("^[0-9]{1,5}:[0-9A-Fa-f]{64}$"))
			then empty
			else "\($mw).key: must be \"KEYID:HEXKEY\" (64 hex digits)" end),
		       (if $m.key_id == null or ($m.key_id | type == "number"
			    and . >= 1 and . <= 65535 and . == floor)
			then empty
			else "\($mw).key_id: must be an integer 1-65535" end),
		       (if $m.address == null or ($m.address | str
			    and test("^[0-9A-Fa-f:]+$"))
			then empty
			else "\($mw).address: must be an IPv6 address" end),
		       (if $m.address != null or ($h.addresses | length) > 0
			then empty
			else "\($mw): the host needs \"addresses\" or \"address\"" end),
		       (if $m.args == null or ($m.args | strs) then empty
			else "\($mw).args: must be a list of strings" end),
		       (if $m.key != null or ($m.group | str | not) or $hr == null
			then empty
			else
			  [$hr.r.groups[]? | select(.address == $m.group)
			   | .keys[]? | select($m.key_id == null or .id == $m.key_id)]
			  | if length > 0 then empty
			    else "\($mw): no key: give \"key\", or a key of group \($m.group) in \($hr.p).groups\(if $m.key_id then " with id \($m.key_id)" else "" end)" end
			end)
		   end)),
	     ($rs[] | .p as $p | .r.interfaces | to_entries[]
		| (.value.netns // "") as $n
		| select($n != "" and (any($names[]; . == $n) | not))
		| "\($p).interfaces[\(.key)].netns: \"\($n)\" is not a lab host")
	   else empty end)
	end' "$1"
}

validate_topology() {
	local file=$1 errs
	[ -r "$file" ] || die "cannot read topology $file"
	jq -e . "$file" >/dev/null 2>&1 ||
	    die "topology $file: not valid JSON ($(jq . "$file" 2>&1 >/dev/null | head -1))"
	errs=$(topology_errors "$file")
	if [ -n "$errs" ]; then
		echo "lab.sh: topology $file:" >&2
		sed 's/^/  /' <<<"$errs" >&2
		exit 1
	fi
}

# The topology of the running lab, or the default one.
current_topology() {
	if [ -r "$STATE/topology.json" ]; then
		echo "$STATE/topology.json"
	else
		echo "$DEFAULT_TOPOLOGY"
	fi
}

topo_hosts() { jq -r '.hosts[].name' "$1"; }

# jq definitions for the queries on a topology: its routers (the one
# "router" of a single-router topology is named "router"), the router
# serving a host and the host's interface on it.
# shellcheck disable=SC2016  # $h, $n are jq's
TOPO_JQ='
def routers: if has("routers") then .routers
    else [.router + {name: "router"}] end;
def host_router($h): (.hosts[] | select(.name == $h) | .router) as $n
    | first(routers[] | select($n == null or .name == $n));
def host_iface($h): (.hosts[] | select(.name == $h) | .interface) as $i
    | host_router($h) | .interfaces[] | select(.name == $i);
'

# multi_router TOPOLOGY: the topology has "routers" (and "links").
multi_router() { jq -e 'has("routers")' "$1" >/dev/null; }

topo_routers() { jq -r "$TOPO_JQ"'routers[].name' "$1"; }

# router_dir TOPOLOGY ROUTER: the router's state (router.json,
# vrouter.pid, vrouter.log): $STATE/routers/ROUTER, or $STATE itself for
# the router of a single-router topology.
router_dir() {
	if multi_router "$1"; then
		echo "$STATE/routers/$2"
	else
		echo "$STATE"
	fi
}

# router_what TOPOLOGY ROUTER: how messages name it.
router_what() {
	if multi_router "$1"; then echo "vrouter $2"; else echo vrouter; fi
}

# host_router TOPOLOGY HOST: the name of the router serving the host.
host_router() {
	jq -r --arg h "$2" "$TOPO_JQ"'host_router($h).name' "$1"
}

# host_iface TOPOLOGY HOST: the router interface serving the host, as JSON.
host_iface() {
	jq -c --arg h "$2" "$TOPO_JQ"'host_iface($h)' "$1"
}

# The device name of a host's link inside its namespace.
host_ifname() {
	host_iface "$1" "$2" | jq -r '.ifname // .name'
}

# Each host resolves through the router (its .any responder): ip netns
# exec bind-mounts /etc/netns/HOST/resolv.conf over /etc/resolv.conf.
RESOLV_MARK="# vrouter lab: the router answers .any names"
resolver_set() {
	local topo=$1 h=$2 a
	jq -e --arg h "$h" "$TOPO_JQ"'host_router($h).dns.enabled // true' \
	    "$topo" >/dev/null || return 0
	a=$(host_iface "$topo" "$h" | jq -r '.addresses[0] // empty')
	[ -n "$a" ] || return 0
	if [ -f "/etc/netns/$h/resolv.conf" ] &&
	    [ "$(head -n 1 "/etc/netns/$h/resolv.conf")" != "$RESOLV_MARK" ]; then
		say "keeping /etc/netns/$h/resolv.conf, which is not the lab's"
		return 0
	fi
	mkdir -p "/etc/netns/$h"
	printf '%s\nnameserver %s\nsearch any\noptions timeout:1 attempts:2\n' \
	    "$RESOLV_MARK" "${a%/*}" >"/etc/netns/$h/resolv.conf"
}
resolver_clear() {
	local f=/etc/netns/$1/resolv.conf
	[ -f "$f" ] && [ "$(head -n 1 "$f")" = "$RESOLV_MARK" ] || return 0
	rm -f "$f"
	rmdir "/etc/netns/$1" 2>/dev/null || true
}

api_url() {
	local conf=$1 listen port
	listen=$(jq -r '.api.listen // "::1"' "$conf")
	port=$(jq -r '.api.port // 8080' "$conf")
	case $listen in
	::|"") listen="[::1]" ;;
	0.0.0.0) listen=127.0.0.1 ;;
	*:*) listen="[$listen]" ;;
	esac
	echo "http://$listen:$port"
}

# The API token: from the configuration, or the one vrouter generated.
lab_token() {
	local t
	t=$(jq -r '.api.token // ""' "$STATE/router.json")
	[ -n "$t" ] || t=$(sed -n 's/.*generated API token: *//p' \
	    "$STATE/vrouter.log" 2>/dev/null | tail -1)
	echo "$t"
}

find_vrouter() {
	local bin=${VROUTER:-$REPO/build/vrouter}
	[ -x "$bin" ] ||
	    die "vrouter binary not found at $bin (run 'make' or set VROUTER)"
	readlink -f "$bin"
}

# The member agent: MEMBER_AGENT, or anycast-member beside vrouter.
find_member_agent() {
	local bin=${MEMBER_AGENT:-$(dirname "$VROUTER")/anycast-member}
	[ -x "$bin" ] ||
	    die "anycast-member not found at $bin (run 'make' or set MEMBER_AGENT)"
	readlink -f "$bin"
}

# The client shim: CLIENT_SHIM, or anycast-client beside vrouter.
find_client_shim() {
	local bin=${CLIENT_SHIM:-$(dirname "$VROUTER")/anycast-client}
	[ -x "$bin" ] ||
	    die "anycast-client not found at $bin (run 'make' or set CLIENT_SHIM)"
	readlink -f "$bin"
}

# A topology argument: a file, or the name of one in netns/topologies.
resolve_topology() {
	local t=$1
	[ "$t" != routing ] || t=default
	if [ ! -e "$t" ] && [[ $t != */* ]] && [[ $t != *.json ]] &&
	    [ -e "$REPO/netns/topologies/$t.json" ]; then
		t=$REPO/netns/topologies/$t.json
	fi
	echo "$t"
}

# ---------------------------------------------------------------------
# anycast members: a host with a "member" object runs anycast-member

# host_member TOPOLOGY HOST: the host's "member" object, or null.
host_member() {
	jq -c --arg h "$2" '.hosts[] | select(.name == $h) | .member // null' \
	    "$1"
}

# member_addr TOPOLOGY HOST: the member's unicast address.
member_addr() {
	jq -r --arg h "$2" '.hosts[] | select(.name == $h)
	    | .member.address // (.addresses[0] | sub("/.*"; ""))' "$1"
}

# member_key TOPOLOGY HOST: KEYID:HEXKEY, from "key" or from the group's
# keys in its router's configuration ("key_id", or the first key).
member_key() {
	jq -r --arg h "$2" "$TOPO_JQ"'
	    (.hosts[] | select(.name == $h) | .member) as $m
	    | if $m.key then $m.key
	      else [host_router($h).groups[]? | select(.address == $m.group)
		    | .keys[]? | select($m.key_id == null or .id == $m.key_id)]
		   | first | "\(.id):\(.key)"
	      end' "$1"
}

host_has_lo_addr() {
	nsx "$1" ip -6 -o addr show dev lo 2>/dev/null |
	    grep -iF " $2/128 " >/dev/null
}

# The agent of HOST in the background, its pid in hosts/HOST/member.pid
# (a test that restarts it writes the new one there), its output in
# hosts/HOST/member.log.
start_member() {
	local topo=$1 h=$2 agent=$3 dir=$STATE/hosts/$2 m args=()
	m=$(host_member "$topo" "$h")
	args=(-g "$(jq -r .group <<<"$m")" -k "$(member_key "$topo" "$h")"
	    -a "$(member_addr "$topo" "$h")" -i "$(host_ifname "$topo" "$h")")
	while IFS= read -r a; do
		args+=("$a")
	done < <(jq -r '.args[]?' <<<"$m")
	cg_member_args "$topo" "$h"
	setsid "${CG_NETNS[@]}" "$agent" "${args[@]}" "${CG_ARGS[@]}" \
	    </dev/null >>"$dir/member.log" 2>&1 &
	echo $! >"$dir/member.pid"
}

# A host with a "client" object runs anycast-client: its pid in
# hosts/HOST/client.pid, its output in hosts/HOST/client.log, its status
# socket hosts/HOST/client.sock ("lab.sh exec HOST anycast-client -s -S
# ..." or client_status in the tests).
start_client() {
	local topo=$1 h=$2 shim=$3 dir=$STATE/hosts/$2 args=()
	args=(-i "$(host_ifname "$topo" "$h")" -S "$dir/client.sock")
	while IFS= read -r a; do
		args+=("$a")
	done < <(jq -r --arg h "$h" \
	    '.hosts[] | select(.name == $h) | .client.args[]?' "$topo")
	setsid ip netns exec "$h" "$shim" "${args[@]}" </dev/null \
	    >>"$dir/client.log" 2>&1 &
	echo $! >"$dir/client.pid"
}

client_pid() { host_pid "$1" client; }

client_ready() {
	[ -n "$(client_pid "$1")" ] || die "anycast-client of $1 exited:" \
	    "$(tail -n 3 "$STATE/hosts/$1/client.log" 2>/dev/null)"
	[ -S "$STATE/hosts/$1/client.sock" ]
}

# host_pid HOST NAME: the pid in hosts/HOST/NAME.pid when it runs, else
# nothing.
host_pid() {
	local pid
	pid=$(cat "$STATE/hosts/$1/$2.pid" 2>/dev/null) || return 0
	if [[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid"; then
		echo "$pid"
	fi
}

# The agent's pid when it runs, else nothing.
member_pid() { host_pid "$1" member; }

# member_is_up URL GROUP ADDRESS [SINCE_MS]: the member is up in the
# API, healthy by its last report, which came less than SINCE_MS ago
# (its health check ran once the service was there).
member_is_up() {
	curl -gsf -m 2 "$1/api/v1/groups/$2/members" 2>/dev/null |
	    jq -e --arg a "$3" --argjson since "${4:-null}" '
		any(.members[]?; .address == $a and .state == "up" and
		    ($since == null or (.health and .last_report_ms_ago != null
			and .last_report_ms_ago < $since)))' >/dev/null 2>&1
}

# ---------------------------------------------------------------------
# down

# stop_pid PID WHAT: SIGTERM, wait, then SIGKILL.
stop_pid() {
	local pid=$1 what=$2
	proc_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	if ! poll "$STOP_TIMEOUT" proc_dead "$pid"; then
		say "$what (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		poll 5 proc_dead "$pid" ||
		    say "$what (pid $pid) does not die"
	fi
	# Reap it when it is our own child (a failed "up").
	wait "$pid" 2>/dev/null || true
}

# router_pids DIR: the vrouter processes of the router whose state is in
# DIR: the pid file, and any process running on its configuration (a
# pid file lost in a crash).
router_pids() {
	local dir=$1 pid
	if [ -r "$dir/vrouter.pid" ]; then
		pid=$(cat "$dir/vrouter.pid")
		if [[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid" &&
		    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -F "$dir/router.json" >/dev/null
		then
			echo "$pid"
		fi
	fi
	# Only processes of this PID namespace: a container's lab (the
	# Docker demo) may run on the same paths.
	pgrep --ns $$ --nslist pid -f -- "-c $dir/router.json" 2>/dev/null ||
	    true
}

# tap_del NAMESPACE DEV: delete DEV when it is a TAP (NAMESPACE "": the
# root namespace).  vrouter's TAPs are persistent: they outlive it, not
# the lab.
tap_del() {
	local ip=(ip)
	[ -z "$1" ] || ip+=(-n "$1")
	"${ip[@]}" -d -o link show dev "$2" 2>/dev/null | grep ' tun type ' >/dev/null &&
	    "${ip[@]}" link del dev "$2" 2>/dev/null || true
}

stop_netns_procs() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	[ -n "$pids" ] || return 0
	echo "$pids" | xargs -r kill -TERM 2>/dev/null || true
	if ! poll 5 netns_empty "$ns"; then
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		poll 5 netns_empty "$ns" ||
		    say "processes left in namespace $ns: $(ip netns pids "$ns" | tr '\n' ' ')"
	fi
}

do_down() {
	local topo pid h dev r
	topo=$(current_topology)
	# Member agents leave the group while the router is still there.
	for h in $(topo_hosts "$topo"); do
		pid=$(member_pid "$h")
		[ -z "$pid" ] || stop_pid "$pid" "anycast-member of $h"
		pid=$(client_pid "$h")
		[ -z "$pid" ] || stop_pid "$pid" "anycast-client of $h"
	done
	for r in $(topo_routers "$topo"); do
		for pid in $(router_pids "$(router_dir "$topo" "$r")" | sort -u); do
			stop_pid "$pid" "$(router_what "$topo" "$r")"
		done
	done
	for h in $(topo_hosts "$topo"); do
		ns_exists "$h" || continue
		stop_netns_procs "$h"
		tap_del "$h" "$(host_ifname "$topo" "$h")"
		ip netns del "$h" 2>/dev/null || say "cannot delete namespace $h"
	done
	cgroups_down
	for h in $(topo_hosts "$topo"); do
		resolver_clear "$h"
	done
	links_down "$topo"
	# A TAP that never left the root namespace (vrouter killed between
	# creating and moving it) is persistent too.
	for dev in $(jq -r "$TOPO_JQ"'routers[].interfaces[]?.name // empty' \
	    "$topo"); do
		tap_del "" "$dev"
	done
	rm -rf "$STATE"
}

cmd_down() {
	need_root down
	local was_up=no
	[ -e "$STATE" ] && was_up=yes
	do_down
	[ "$was_up" = yes ] && say "lab is down" || true
}

# ---------------------------------------------------------------------
# up

UP_DONE=no
up_failed() {
	local rc=$?
	[ "$UP_DONE" = yes ] && return
	trap - EXIT INT TERM
	echo "lab.sh: up failed; tearing the lab down" >&2
	local topo r dir
	topo=$(current_topology)
	for r in $(topo_routers "$topo"); do
		dir=$(router_dir "$topo" "$r")
		[ -s "$dir/vrouter.log" ] || continue
		echo "lab.sh: last lines of the $(router_what "$topo" "$r") log:" >&2
		tail -n 20 "$dir/vrouter.log" | sed 's/^/  | /' >&2
	done
	do_down >&2 || true
	[ "$rc" -ne 0 ] || rc=1
	exit "$rc"
}

# The routers "up" started (ROUTER_PIDS: name to pid) run; the first
# that does not fails "up".
routers_running() {
	local r
	for r in "${!ROUTER_PIDS[@]}"; do
		proc_alive "${ROUTER_PIDS[$r]}" ||
		    die "$(router_what "$STATE/topology.json" "$r") exited" \
		    "while waiting for $1"
	done
}

# up_wait WHAT CMD...: poll CMD; fail if vrouter dies or time runs out.
up_wait() {
	local what=$1; shift
	local deadline=$(( $(date +%s%N) + TIMEOUT * 1000000000 ))
	until "$@"; do
		routers_running "$what"
		[ "$(date +%s%N)" -lt "$deadline" ] ||
		    die "timed out after ${TIMEOUT}s waiting for $what"
		sleep 0.1
	done
}

host_has_link() { nsx "$1" ip link show dev "$2" >/dev/null 2>&1; }

# router_conf TOPOLOGY ROUTER: write the router's configuration to
# router.json in its state directory: an interface on a link L becomes
# a TAP in namespace L named after the router; captures go to captures/
# there unless "capture_dir" says otherwise.
router_conf() {
	local dir
	dir=$(router_dir "$1" "$2")
	mkdir -p "$dir"
	jq --arg r "$2" --arg dir "$dir/captures" --arg io "${LAB_IO:-}" \
	    "$TOPO_JQ"'
	    first(routers[] | select(.name == $r)) | del(.name)
	    | .interfaces |= map(if has("link")
		then del(.link) + {netns: .link, ifname: $r} else . end)
	    | .capture_dir //= $dir
	    | if $io != "" then .io //= {backend: $io} else . end' \
	    "$1" >"$dir/router.json"
	mkdir -p "$(jq -r .capture_dir "$dir/router.json")"
}

# router_check TOPOLOGY ROUTER SOURCE: "vrouter -t" on its configuration,
# so that a bad one fails with vrouter's own message.
router_check() {
	local dir
	dir=$(router_dir "$1" "$2")
	"$VROUTER" -t -c "$dir/router.json" >"$dir/check.log" 2>&1 && return
	if multi_router "$1"; then
		echo "lab.sh: vrouter rejects the configuration of router $2 in $3:" >&2
	else
		echo "lab.sh: vrouter rejects the router configuration of $3:" >&2
	fi
	sed 's/^/  | /' "$dir/check.log" >&2
	exit 1
}

# router_start TOPOLOGY ROUTER: start vrouter in the background, wait
# until each of its TAPs is in its namespace and put those on links into
# the link's bridge.  One router at a time: a TAP is made in the root
# namespace under the interface's name before it moves, and two routers
# may name an interface alike ("t3").
router_start() {
	local topo=$1 r=$2 dir args=() ns dev
	dir=$(router_dir "$topo" "$r")
	[ "${LAB_DEBUG:-0}" = 1 ] && args+=(-d)
	setsid "$VROUTER" -c "$dir/router.json" ${args[@]+"${args[@]}"} \
	    </dev/null >>"$dir/vrouter.log" 2>&1 &
	ROUTER_PIDS[$r]=$!
	echo "$!" >"$dir/vrouter.pid"
	while read -r ns dev; do
		up_wait "$dev to appear in namespace $ns" host_has_link "$ns" "$dev"
	done < <(jq -r '.interfaces[] | select(.netns)
	    | "\(.netns) \(.ifname // .name)"' "$dir/router.json")
	for ns in $(jq -r --arg r "$r" "$TOPO_JQ"'routers[]
	    | select(.name == $r) | .interfaces[].link // empty' "$topo"); do
		link_attach "$ns" "$r"
	done
}
host_has_default() {
	[ -n "$(nsx "$1" ip -6 route show default 2>/dev/null)" ]
}
# A member's agent that exits during "up" fails it at once.
member_alive() {
	[ -z "$(member_pid "$1")" ] || return 0
	echo "lab.sh: anycast-member of $1 exited:" >&2
	tail -n 5 "$STATE/hosts/$1/member.log" 2>/dev/null | sed 's/^/  | /' >&2
	exit 1
}

# member_starting HOST GROUP: the agent put the anycast address on lo.
member_starting() { member_alive "$1" && host_has_lo_addr "$1" "$2"; }

# member_serving HOST URL GROUP ADDRESS: the router has the member up,
# with a report sent once the host's "listen" ports were open.
member_serving() {
	local since=$(( $(date +%s%3N) - ${LISTEN_MS[$1]} ))
	member_alive "$1" && member_is_up "$2" "$3" "$4" "$since"
}

host_listens() {
	[ -n "$(nsx "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]
}

cmd_up() {
	need_root up
	need_tools ip jq curl ss
	local topo src h dev a i cmd port hostdir agent="" group maddr shim=""
	local r l dir url
	declare -gA LISTEN_MS=() ROUTER_PIDS=()
	topo=$(resolve_topology "${1:-$UP_TOPOLOGY}")

	validate_topology "$topo"
	VROUTER=$(find_vrouter)
	if jq -e 'any(.hosts[]; .member != null)' "$topo" >/dev/null; then
		agent=$(find_member_agent)
	fi
	if jq -e 'any(.hosts[]; .client != null)' "$topo" >/dev/null; then
		shim=$(find_client_shim)
	fi
	if jq -e 'any(.links[]?; .bird != null)' "$topo" >/dev/null; then
		need_tools bird birdc
	fi
	# Read it now: it may be the copy that bringing a lab down removes.
	local topo_json
	topo_json=$(cat "$topo")

	if [ -e "$STATE" ]; then
		say "a lab is up in $STATE; bringing it down first"
		do_down
	fi
	for h in $(jq -r '.hosts[].name, .links[]?.name' <<<"$topo_json"); do
		! ns_exists "$h" || die "network namespace $h exists but" \
		    "belongs to no lab here; remove it with 'ip netns del $h'" \
		    "(or 'lab.sh down' if it is left from an old lab)"
	done

	mkdir -p "$STATE"
	printf '%s\n' "$topo_json" >"$STATE/topology.json"
	trap up_failed EXIT
	trap 'exit 130' INT TERM
	src=$topo
	topo=$STATE/topology.json
	for r in $(topo_routers "$topo"); do
		router_conf "$topo" "$r"
	done

	# Each host its own TCP socket hash table, as separate machines have:
	# otherwise every namespace shares the machine's, and an agent's
	# socket dump walks the sockets of all the others.
	ehash=$(sysctl -n net.ipv4.tcp_child_ehash_entries 2>/dev/null || echo)
	[ "$ehash" != 0 ] ||
	    sysctl -q -w net.ipv4.tcp_child_ehash_entries="$LAB_EHASH"
	for h in $(topo_hosts "$topo"); do
		ip netns add "$h"
		resolver_set "$topo" "$h"
		mkdir -p "$STATE/hosts/$h"
		nsx "$h" ip link set lo up
		# Static addresses usable at once, RAs accepted, RS sent early.
		nsx "$h" sysctl -q -w net.ipv6.conf.all.accept_dad=0 \
		    net.ipv6.conf.default.accept_dad=0 \
		    net.ipv6.conf.all.accept_ra=1 \
		    net.ipv6.conf.default.accept_ra=1 \
		    net.ipv6.conf.all.forwarding=0 >/dev/null
		nsx "$h" sysctl -q -w \
		    net.ipv6.conf.default.router_solicitation_delay=0 \
		    >/dev/null 2>&1 || true
		while IFS= read -r a; do
			nsx "$h" sysctl -q -w "$a" >/dev/null ||
			    die "host $h: sysctl $a failed"
		done < <(jq -r --arg h "$h" \
		    '.hosts[] | select(.name == $h) | .sysctl[]?' "$topo")
	done
	[ "$ehash" != 0 ] ||
	    sysctl -q -w net.ipv4.tcp_child_ehash_entries=0

	for r in $(topo_routers "$topo"); do
		router_check "$topo" "$r" "$src"
	done
	for l in $(topo_links "$topo"); do
		link_add "$topo" "$l"
	done
	for r in $(topo_routers "$topo"); do
		router_start "$topo" "$r"
	done
	for l in $(topo_links "$topo"); do
		[ "$(link_bird "$topo" "$l")" = null ] || bird_start "$topo" "$l"
	done

	for h in $(topo_hosts "$topo"); do
		dev=$(host_ifname "$topo" "$h")
		nsx "$h" sysctl -q -w "net.ipv6.conf.$dev.accept_dad=0" \
		    "net.ipv6.conf.$dev.accept_ra=1" >/dev/null
		nsx "$h" ip link set dev "$dev" up
		for a in $(jq -r --arg h "$h" \
		    '.hosts[] | select(.name == $h) | .addresses[]?' "$topo"); do
			nsx "$h" ip -6 addr add "$a" dev "$dev" nodad
		done
	done

	for h in $(topo_hosts "$topo"); do
		host_iface "$topo" "$h" | jq -e '.ra.enabled // false' \
		    >/dev/null || continue
		up_wait "a default route from RA in namespace $h" \
		    host_has_default "$h"
	done

	cgroups_up "$topo"
	# Members first: their services may bind the anycast address.
	for h in $(topo_hosts "$topo"); do
		[ "$(host_member "$topo" "$h")" != null ] || continue
		start_member "$topo" "$h" "$agent"
	done
	for h in $(topo_hosts "$topo"); do
		[ "$(host_member "$topo" "$h")" != null ] || continue
		group=$(host_member "$topo" "$h" | jq -r .group)
		up_wait "anycast-member of $h to put $group on lo (see $STATE/hosts/$h/member.log)" \
		    member_starting "$h" "$group"
	done
	for h in $(topo_hosts "$topo"); do
		jq -e --arg h "$h" '.hosts[] | select(.name == $h) | .client' \
		    "$topo" >/dev/null || continue
		start_client "$topo" "$h" "$shim"
		up_wait "anycast-client of $h to start (see $STATE/hosts/$h/client.log)" \
		    client_ready "$h"
	done

	for h in $(topo_hosts "$topo"); do
		hostdir=$STATE/hosts/$h
		i=0
		cg_wrap "$topo" "$h"
		while IFS= read -r cmd; do
			[ -n "$cmd" ] || continue
			i=$((i + 1))
			LAB_HOST=$h LAB_DIR=$hostdir LAB_STATE=$STATE \
			    LAB_SH=$SELF setsid "${CG_WRAP[@]}" ip netns exec "$h" \
			    bash -c "$cmd" </dev/null \
			    >"$hostdir/run-$i.log" 2>&1 &
			echo "$cmd" >"$hostdir/run-$i.cmd"
		done < <(jq -r --arg h "$h" \
		    '.hosts[] | select(.name == $h) | .run[]?' "$topo")
		for port in $(jq -r --arg h "$h" \
		    '.hosts[] | select(.name == $h) | .listen[]?' "$topo"); do
			up_wait "$h to listen on TCP port $port (see $hostdir/run-*.log)" \
			    host_listens "$h" "$port"
		done
		LISTEN_MS[$h]=$(date +%s%3N)
	done

	for r in $(topo_routers "$topo"); do
		dir=$(router_dir "$topo" "$r")
		jq -e '.api.enabled // true' "$dir/router.json" >/dev/null ||
		    continue
		url=$(api_url "$dir/router.json")
		poll 10 curl -gsf -m 1 -o /dev/null "$url/api/v1/status" ||
		    say "warning: the REST API does not answer at $url"
	done
	# Members of groups of their router: wait until they serve.
	for h in $(topo_hosts "$topo"); do
		[ "$(host_member "$topo" "$h")" != null ] || continue
		dir=$(router_dir "$topo" "$(host_router "$topo" "$h")")
		group=$(host_member "$topo" "$h" | jq -r .group)
		jq -e --arg g "$group" '(.api.enabled // true)
		    and any(.groups[]?; .address == $g)' \
		    "$dir/router.json" >/dev/null || continue
		url=$(api_url "$dir/router.json")
		maddr=$(member_addr "$topo" "$h")
		up_wait "member $maddr ($h) to be up in group $group (see $STATE/hosts/$h/member.log)" \
		    member_serving "$h" "$url" "$group" "$maddr"
	done

	UP_DONE=yes
	trap - EXIT INT TERM
	if ! multi_router "$topo"; then
		say "lab \"$(jq -r .name "$topo")\" is up (vrouter pid ${ROUTER_PIDS[router]})"
		[ "${LAB_QUIET:-0}" = 1 ] || hints "$topo" "$(api_url "$STATE/router.json")"
		return 0
	fi
	say "lab \"$(jq -r .name "$topo")\" is up: $(for r in $(topo_routers "$topo"); do
		printf 'vrouter %s pid %s, ' "$r" "${ROUTER_PIDS[$r]}"; done |
	    sed 's/, $//')"
	for r in $(topo_routers "$topo"); do
		url=$(api_url "$STATE/routers/$r/router.json")
		say "router $r: API $url/api/v1/status, dashboard $url/"
	done
	[ "${LAB_QUIET:-0}" = 1 ] || routers_hints "$topo"
}

# Suggestions printed after "up", drawn from the topology itself.
hints() {
	local topo=$1 url=$2 client server saddr token
	client=$(jq -r '.hosts[0].name' "$topo")
	server=$(jq -r '[.hosts[] | select(.run)][0].name // .hosts[-1].name' \
	    "$topo")
	saddr=$(jq -r --arg h "$server" \
	    '.hosts[] | select(.name == $h) | .addresses[0] // "" | sub("/.*"; "")' \
	    "$topo")
	token=$(lab_token)
	[ -n "$token" ] || token=TOKEN
	local me="netns/lab.sh" anycast
	[ "$PWD" = "$REPO" ] || me=$SELF
	anycast=$(anycast_hints "$topo" "$url" "$me" "$client")
	[ -z "$anycast" ] || anycast+=$'\n\n'
	cat <<EOF

Try:
  sudo $me exec $client ping -c3 ${saddr:-ADDRESS}
  sudo $me exec $client curl http://[${saddr:-ADDRESS}]/
  sudo $me exec $client traceroute -6 -n ${saddr:-ADDRESS}
  curl -s $url/api/v1/interfaces | jq
  curl -s $url/api/v1/counters | jq

Dashboard: $url/   (in a browser)

${anycast}A capture, for Wireshark (the answer gives its id and path):
  curl -s -X POST -H 'Authorization: Bearer $token' \\
      -d '{"interface": "$client", "filter": "icmp6"}' $url/api/v1/captures
  tshark -r $(jq -r .capture_dir "$STATE/router.json")/capID-$client.pcap      # the running file, flushed every tick
  curl -sN $url/api/v1/captures/ID/stream | tshark -i -   # live; or wireshark -k -i -
  curl -s -X DELETE -H 'Authorization: Bearer $token' $url/api/v1/captures/ID
$(ctl_hints)
Captures: $(jq -r .capture_dir "$STATE/router.json")
Logs:     $STATE/vrouter.log, $STATE/hosts/HOST/run-N.log
Status:   sudo $me status
Stop:     sudo make lab-down   (or sudo $me down)
EOF
}

# vrouterctl, when it is built beside vrouter.
ctl_hints() {
	local ctl
	ctl=$(dirname "$VROUTER")/vrouterctl
	[ -x "$ctl" ] || return 0
	[[ $ctl != "$REPO"/* ]] || ctl=${ctl#"$REPO"/}
	printf '\nThe command line:\n  %s show members\n  %s show groups\n' \
	    "$ctl" "$ctl"
}

# Suggestions printed after "up" of a lab with several routers.
routers_hints() {
	local topo=$1 me="netns/lab.sh" client far url g l birds=""
	[ "$PWD" = "$REPO" ] || me=$SELF
	client=$(jq -r '.hosts[0].name' "$topo")
	far=$(jq -r '.hosts[-1].addresses[0] // "" | sub("/.*"; "")' "$topo")
	url=$(api_url "$STATE/routers/$(jq -r '.routers[0].name' "$topo")/router.json")
	g=$(jq -r '[.routers[].groups[]?.address][0] // empty' "$topo")
	for l in $(jq -r '.links[]? | select(.bird) | .name' "$topo"); do
		birds+="  sudo $me birdc $l show route"$'\n'
		birds+="  sudo $me birdc $l show protocols all ripng"$'\n'
	done
	cat <<EOF

Try:
  sudo $me exec $client ping -c3 ${far:-ADDRESS}
  sudo $me exec $client traceroute -6 -n ${far:-ADDRESS}
${g:+  sudo $me exec $client curl -s http://[$g]/name
}  curl -s $url/api/v1/routes | jq
${birds}
Logs:     $STATE/routers/ROUTER/vrouter.log, $STATE/hosts/HOST/run-N.log,
          $STATE/links/LINK/bird.log
Status:   sudo $me status
Stop:     sudo $me down
EOF
}

# Lines for the anycast groups of the router, if any.
anycast_hints() {
	local topo=$1 url=$2 me=$3 client=$4 g name
	g=$(jq -r '.router.groups[0].address // empty' "$topo")
	[ -n "$g" ] || return 0
	name=$(jq -r '.router.groups[0].name // empty' "$topo")
	cat <<EOF
Anycast group $g${name:+ ($name.any)}:
  sudo $me exec $client curl -s http://[$g]/
  sudo $me exec $client curl -s -o /dev/null http://[$g]/slow &   # 64 MiB at 1 MiB/s
  curl -s $url/api/v1/groups/$g/members | jq '.members[] | {address, state, sessions, flows}'
  curl -s $url/api/v1/flows | jq
  curl -s -X PATCH -H 'Authorization: Bearer $(lab_token)' \\
      -d '{"policy": "round-robin"}' $url/api/v1/groups/$g
EOF
}

# ---------------------------------------------------------------------
# status, exec

cmd_status() {
	need_root status
	local topo pid h dev url r dir
	if [ ! -e "$STATE/topology.json" ]; then
		echo "lab: down"
		for h in $(topo_hosts "$DEFAULT_TOPOLOGY"); do
			! ns_exists "$h" ||
			    echo "warning: namespace $h exists (left over? 'lab.sh down' removes it)"
		done
		return 0
	fi
	topo=$STATE/topology.json
	echo "lab: up, topology \"$(jq -r .name "$topo")\", state in $STATE"
	for r in $(topo_routers "$topo"); do
		dir=$(router_dir "$topo" "$r")
		pid=$(cat "$dir/vrouter.pid" 2>/dev/null || echo "?")
		if [[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid"; then
			echo "$(router_what "$topo" "$r"): running, pid $pid"
		else
			echo "$(router_what "$topo" "$r"): NOT running (pid file: $pid); see $dir/vrouter.log"
		fi
	done
	for h in $(topo_hosts "$topo"); do
		if ! ns_exists "$h"; then
			echo "host $h: namespace missing"
			continue
		fi
		dev=$(host_ifname "$topo" "$h")
		echo "host $h:"
		! multi_router "$topo" ||
		    echo "  router: $(host_router "$topo" "$h")"
		echo "  $(nsx "$h" ip -6 -br addr show dev "$dev" 2>/dev/null ||
		    echo "$dev missing")"
		echo "  default: $(nsx "$h" ip -6 route show default 2>/dev/null |
		    head -1 | grep . || echo none)"
		echo "  processes: $(ip netns pids "$h" | wc -l)"
		[ ! -S "$STATE/hosts/$h/client.sock" ] ||
		    echo "  anycast-client: $(client_pid "$h" | grep . ||
			echo "NOT running"), status: lab.sh exec $h" \
			"anycast-client -s -S $STATE/hosts/$h/client.sock"
		[ "$(host_member "$topo" "$h")" != null ] || continue
		pid=$(member_pid "$h")
		echo "  anycast-member: $([ -n "$pid" ] && echo "running, pid $pid" ||
		    echo "NOT running; see $STATE/hosts/$h/member.log")," \
		    "group $(host_member "$topo" "$h" | jq -r .group)," \
		    "member $(member_addr "$topo" "$h")"
	done
	links_status "$topo"
	for r in $(topo_routers "$topo"); do
		dir=$(router_dir "$topo" "$r")
		url=$(api_url "$dir/router.json")
		if multi_router "$topo"; then
			echo "api of $r: $url (dashboard $url/)"
		else
			echo "api: $url"
		fi
		curl -gsS -m 2 "$url/api/v1/status" 2>&1 |
		    (jq . 2>/dev/null || cat) | sed 's/^/  /'
	done
}

# lab.sh exec NAME CMD...: in a host's namespace, or a link's.
cmd_exec() {
	local h=${1:-} names
	[ -n "$h" ] && [ $# -ge 2 ] || die "usage: lab.sh exec HOST CMD..."
	shift
	names=$(jq -r '.hosts[].name, .links[]?.name' "$(current_topology)")
	grep -xF -- "$h" <<<"$names" >/dev/null ||
	    die "$h is not a host of the lab (hosts: $(topo_hosts "$(current_topology)" | tr '\n' ' '))"
	ns_exists "$h" || die "namespace $h does not exist; is the lab up?"
	exec ip netns exec "$h" "$@"
}

# ---------------------------------------------------------------------
# serve-http: run in a host's namespace by a topology's "run" list.
# Serves a page naming the host on [::]:PORT, or on [ADDRESS]:PORT for
# each ADDRESS given, with nginx (socat, page only, when nginx is not
# installed).  /name is the host's name alone, /big a 64 MiB file
# (sparse: it costs no disk), /big100 one of 100 MiB, /slow the 64 MiB
# file sent at 1 MiB/s for long-lived downloads.  Stays in the foreground; nginx.conf and
# nginx.pid are in LAB_DIR/http.

cmd_serve_http() {
	local port=${1:-80} host=${LAB_HOST:-$(hostname)}
	local dir=${LAB_DIR:-$(mktemp -d)}/http a listen=""
	if [ $# -gt 0 ]; then
		shift
	fi
	mkdir -p "$dir/www" "$dir/tmp"
	printf '%s\n' "$host: vrouter lab web server" >"$dir/www/index.html"
	truncate -s 64M "$dir/big"
	truncate -s 100M "$dir/big100"
	if [ $# -eq 0 ]; then
		listen="        listen [::]:$port ipv6only=off;"
	fi
	for a in "$@"; do
		[[ $a =~ ^[0-9A-Fa-f:]+$ ]] || die "serve-http: bad address '$a'"
		listen+="${listen:+$'\n'}        listen [$a]:$port;"
	done
	if ! command -v nginx >/dev/null; then
		printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n%s\n' \
		    "$host: vrouter lab web server" >"$dir/response"
		exec socat "TCP6-LISTEN:$port,ipv6only=0,reuseaddr,fork" \
		    "SYSTEM:cat $dir/response"
	fi
	local temps="" m
	for m in client_body proxy fastcgi uwsgi scgi; do
		nginx -V 2>&1 | grep -- "--without-http_${m}_module" >/dev/null && continue
		temps+="    ${m}_temp_path $dir/tmp/$m;"$'\n'
	done
	cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
    access_log $dir/access.log;
$temps    default_type text/plain;
    server {
$listen
        root $dir/www;
        index index.html;
        location = /name { return 200 "$host\n"; }
        location = /big { alias $dir/big; }
        location = /slow { alias $dir/big; limit_rate 1m; }
        location = /big100 { alias $dir/big100; }
    }
}
EOF
	exec nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"
}

usage() {
	cat >&2 <<EOF
usage: lab.sh up [TOPOLOGY.json | TOPOLOGY-NAME]
       lab.sh down
       lab.sh status
       lab.sh exec HOST|LINK CMD...
       lab.sh birdc LINK [ARGS...]
       lab.sh serve-http [PORT [ADDRESS...]]
       lab.sh serve-dns knot|nsd ZONE ADDRESS...
       lab.sh dns-queries ZONE COUNT [SEED]
EOF
	exit 2
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	up)		[ $# -le 1 ] || usage; cmd_up "$@" ;;
	down)		[ $# -eq 0 ] || usage; cmd_down ;;
	status)		cmd_status ;;
	exec)		cmd_exec "$@" ;;
	birdc)		cmd_birdc "$@" ;;
	serve-http)	cmd_serve_http "$@" ;;
	serve-dns)	cmd_serve_dns "$@" ;;
	dns-queries)	cmd_dns_queries "$@" ;;
	*)		usage ;;
	esac
}

main "$@"
