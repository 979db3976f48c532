# shellcheck shell=bash
# netns/lab_dns.sh: the DNS servers of a lab, sourced by netns/lab.sh
# (which defines die).
#
#   lab.sh serve-dns knot|nsd ZONE ADDRESS...
#	(run by a host) generate ZONE with LAB_DNS_NAMES names (default
#	100000) and serve it with knotd or nsd on ADDRESS port 53 (UDP
#	and TCP) for each ADDRESS given, in the foreground; files in
#	LAB_DIR/dns (zone, configuration, log, pid)
#   lab.sh dns-queries ZONE COUNT [SEED]
#	print a dnsperf query file: COUNT names drawn at random (with
#	replacement, seeded) from the names serve-dns puts in ZONE
#
# The zone is the same on every host but for one record, so that an
# answer says who gave it: "who.ZONE TXT" is "HOST DAEMON" (d1 knot),
# and so is the server's NSID (dig +nsid).  Names are nI.ZONE, I from 0
# to LAB_DNS_NAMES - 1, each with one AAAA, 2001:db8:5300::H:L (I in hex, high and low 16 bits).

DNS_NAMES_DEFAULT=100000

dns_names() {
	local n=${LAB_DNS_NAMES:-$DNS_NAMES_DEFAULT}
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 10000000 ] ||
	    die "LAB_DNS_NAMES must be 1 to 10000000, not '$n'"
	echo "$n"
}

dns_check_zone() {
	[[ $1 =~ ^([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+\.?$ ]] ||
	    die "not a zone name: '$1'"
}

# dns_zone ZONE NAMES WHO: the zone file.
dns_zone() {
	local zone=${1%.}. n=$2 who=$3
	cat <<EOF
\$ORIGIN $zone
\$TTL 300
@	SOA	ns.$zone hostmaster.$zone 1 3600 900 604800 300
@	NS	ns.$zone
ns	AAAA	2001:db8:53::1
who	TXT	"$who"
EOF
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
	    printf "n%d\tAAAA\t2001:db8:5300::%x:%x\n", i, int(i / 65536), i % 65536 }'
}

cmd_dns_queries() {
	[ $# -ge 2 ] && [ $# -le 3 ] ||
	    die "usage: lab.sh dns-queries ZONE COUNT [SEED]"
	local zone=${1%.}. count=$2 seed=${3:-1} n
	dns_check_zone "$zone"
	[[ $count =~ ^[0-9]+$ ]] || die "dns-queries: bad COUNT '$count'"
	[[ $seed =~ ^[0-9]+$ ]] || die "dns-queries: bad SEED '$seed'"
	n=$(dns_names)
	awk -v n="$n" -v c="$count" -v s="$seed" -v z="$zone" 'BEGIN {
	    srand(s); for (i = 0; i < c; i++)
	    printf "n%d.%s AAAA\n", int(rand() * n), z }'
}

dns_knot_conf() {
	local dir=$1 zone=$2 host=$3 a listen=""
	shift 3
	for a in "$@"; do
		listen+="${listen:+, }$a@53"
	done
	cat <<EOF
server:
    rundir: $dir
    pidfile: $dir/knot.pid
    listen: [ $listen ]
    nsid: "$host"
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: $dir/knotd.log
    any: info
database:
    storage: $dir
template:
  - id: default
    storage: $dir
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: $zone
    file: $dir/zone
EOF
}

dns_nsd_conf() {
	local dir=$1 zone=$2 host=$3 a
	shift 3
	echo "server:"
	for a in "$@"; do
		echo "    ip-address: $a"
	done
	cat <<EOF
    port: 53
    do-ip4: no
    ip-transparent: yes
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$dir"
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    pidfile: "$dir/nsd.pid"
    logfile: "$dir/nsd.log"
    nsid: "ascii_$host"
    hide-version: yes
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: "$zone"
    zonefile: "$dir/zone"
EOF
}

cmd_serve_dns() {
	[ $# -ge 3 ] || die "usage: lab.sh serve-dns knot|nsd ZONE ADDRESS..."
	local daemon=$1 zone=${2%.}. host=${LAB_HOST:-$(hostname)} a
	local dir=${LAB_DIR:-$(mktemp -d)}/dns
	shift 2
	dns_check_zone "$zone"
	for a in "$@"; do
		[[ $a =~ ^[0-9A-Fa-f:]+$ ]] || die "serve-dns: bad address '$a'"
	done
	[[ $host =~ ^[A-Za-z0-9_.-]+$ ]] || die "serve-dns: bad host '$host'"
	mkdir -p "$dir"
	dns_zone "$zone" "$(dns_names)" "$host $daemon" >"$dir/zone"
	case $daemon in
	knot)
		command -v knotd >/dev/null || die "knotd is not installed"
		dns_knot_conf "$dir" "$zone" "$host" "$@" >"$dir/knot.conf"
		exec knotd -c "$dir/knot.conf" ;;
	nsd)
		command -v nsd >/dev/null || die "nsd is not installed"
		dns_nsd_conf "$dir" "$zone" "$host" "$@" >"$dir/nsd.conf"
		exec nsd -d -c "$dir/nsd.conf" ;;
	*)
		die "serve-dns: '$daemon' is neither knot nor nsd" ;;
	esac
}
