#!/usr/bin/env bash
#
# repro/run.sh: paper 2's results, measured again in the lab
# (`sudo make repro`; docs/reproduction.md sets them beside the paper's).
#
#   table2   Table 2 from the live API: four static members given the
#            table's inputs (netns/topologies/table2.json) score 34, 43,
#            64 and 41, and new flows go to route 3
#   fig6     Fig. 6: round robin, least sessions and score on the DNS
#            cluster (netns/topologies/dns.json), dnsperf with the same
#            query file, every query's latency recorded, the policies'
#            rounds interleaved; a table and PNG plots
#   failure  knotd then nsd killed under dnsperf load at site 1: members
#            down, the route withdrawn, the queries lost counted
#
# Results go to repro/results/ (REPRO_OUT): table2.md, fig6.md,
# fig6_cdf.png, fig6_time.png, failure.md, and the raw files under
# raw/ (not committed).  Each part holds the lab lock (/tmp/vrouter-lab.lock)
# while its lab is up, and brings its lab down at the end.
#
# Environment: VROUTER (default build/vrouter), REPRO_ROUNDS (rounds per
# policy, default 3), REPRO_SECONDS (seconds of each round, default 10),
# REPRO_QPS (queries per second offered by dnsperf, default 1500),
# REPRO_OUT.

set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/.." && pwd)
OUT=${REPRO_OUT:-$REPO/repro/results}
ROUNDS=${REPRO_ROUNDS:-3}
SECS=${REPRO_SECONDS:-10}
QPS=${REPRO_QPS:-1500}
export VROUTER=${VROUTER:-$REPO/build/vrouter}
export LAB_QUIET=1
LAB=$REPO/netns/lab.sh
LOCK=/tmp/vrouter-lab.lock
STATE=${LAB_STATE:-/run/vrouter-lab}
TOKEN=labtoken-0123456789abcdef

die() { echo "repro: $*" >&2; exit 1; }
log() { echo "repro: $*" >&2; }

[ "$(id -u)" = 0 ] || die "needs root (sudo make repro)"
for t in ip jq curl dig dnsperf knotd nsd stdbuf flock; do
	command -v "$t" >/dev/null || die "'$t' is not installed (sudo make deps)"
done
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null ||
    die "python3-matplotlib is not installed (sudo make deps)"
[ -x "$VROUTER" ] || die "no vrouter at $VROUTER (make)"
for v in ROUNDS SECS QPS; do
	[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || die "bad REPRO_$v"
done

mkdir -p "$OUT/raw"
lab() { bash "$LAB" "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# api PORT METHOD PATH [JSON]
api() {
	curl -gsf -X "$2" -H "Authorization: Bearer $TOKEN" \
	    ${4:+-d "$4"} "http://[::1]:$1$3"
}
wait_for() {
	local limit=$1 deadline
	shift
	deadline=$(( $(date +%s) + limit ))
	until "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
machine() {
	echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" \
	    "at the start, $(uname -r), $(dnsperf -h 2>&1 | sed -n 's/^Version //p' |
	    sed 's/^/dnsperf /'), $(knotd --version | awk '{print "knotd", $NF}'), $(nsd -v 2>&1 |
	    awk 'NR == 1 {print "nsd", $NF}')"
}

# ---------------------------------------------------------------------
# Table 2

table2() {
	local A=2001:db8:64::1 port=8080 i out=$OUT/table2.md
	lab up table2 >"$OUT/raw/table2-up.log" 2>&1 ||
	    { cat "$OUT/raw/table2-up.log" >&2; die "lab table2 did not come up"; }
	members() { api $port GET "/api/v1/groups/$A/members"; }
	all_up() { [ "$(members | jq '[.members[] | select(.state == "up")] | length')" = 4 ]; }
	wait_for 20 all_up || die "table2: members not up: $(members | jq -c '.members[] | {address, state}')"
	for i in $(seq 20); do
		ip netns exec c1 ping -6 -c 1 -W 1 -q "$A" >/dev/null ||
		    log "table2: ping $i to $A got no answer"
	done
	members >"$OUT/raw/table2-members.json"
	{
		echo "# Paper 2, Table 2, from the live API"
		echo
		echo "\`repro/run.sh table2\`, lab \`table2\` (netns/topologies/table2.json):"
		echo "four static members given the table's inputs in the configuration,"
		echo "ratios 30 : 60 : 10; \`GET /api/v1/groups/$A/members\` after 20"
		echo "pings from c1 to $A, each a new flow ($(date -u '+%Y-%m-%d %H:%M UTC'))."
		echo
		echo "| route | member | hop count (input) | server load (input) | bandwidth (input) | score | paper | new flows |"
		echo "|---|---|---|---|---|---|---|---|"
		jq -r '.members | sort_by(.address) | to_entries[] |
		    "| \(.key + 1) | \(.value.address) | \(.value.score.hop) (\(.value.hops) hops) | \(.value.score.load) (\(.value.load_pct) %) | \(.value.score.bandwidth) (\(.value.bandwidth_mbps) Mbit/s) | \(.value.score.score) | \(["34", "43", "64", "41"][.key]) | \(.value.counters.selections) |"' \
		    "$OUT/raw/table2-members.json"
		echo
		jq -r '[.members | sort_by(.address)[] | .score.score] |
		    if . == [34, 43, 64, 41] then "Scores equal the paper'"'"'s: 34, 43, 64, 41."
		    else "Scores DIFFER from the paper'"'"'s 34, 43, 64, 41: \(.)." end' \
		    "$OUT/raw/table2-members.json"
		jq -r '.members | sort_by(.address) | . as $m |
		    ([.[].counters.selections] | add) as $n |
		    if $m[2].counters.selections == $n and $n > 0
		    then "All \($n) new flows went to route 3."
		    else "New flows: \([.[].counters.selections]) (route 3 expected for all)." end' \
		    "$OUT/raw/table2-members.json"
	} >"$out"
	cat "$out"
}

# ---------------------------------------------------------------------
# the DNS cluster

ANY=2001:db8:53::1
RC=8081 RS1=8082

dns_up() {
	lab up dns >"$OUT/raw/$1-up.log" 2>&1 ||
	    { cat "$OUT/raw/$1-up.log" >&2; die "lab dns did not come up"; }
	rc_members() { api $RC GET "/api/v1/groups/$ANY/members"; }
	four() { [ "$(rc_members | jq '[.members[] | select(.state == "up")] | length')" = 4 ]; }
	ip netns exec c1 dig +short +time=1 +tries=1 @$ANY who.cluster.test TXT >/dev/null || true
	wait_for 20 four || die "rc does not see the four members: $(rc_members | jq -c '.members[] | {address, state}')"
	lab dns-queries cluster.test 100000 1 >"$OUT/raw/queries"
}

# perf NAME SECONDS [ARGS]: dnsperf from c1 to A, every answer stamped
# with the time it arrived (raw/NAME.csv) and its summary (raw/NAME.txt).
perf() {
	local name=$1 secs=$2
	shift 2
	ip netns exec c1 stdbuf -oL dnsperf -v -s $ANY -d "$OUT/raw/queries" \
	    -l "$secs" -c 4 -q "${PERF_OUTSTANDING:-200}" -t 1 -Q "$QPS" "$@" 2>&1 |
	    /usr/bin/python3 "$REPO/repro/stamp.py" "$OUT/raw/$name.csv" \
	    >"$OUT/raw/$name.txt"
}

fig6() {
	local r p pols="round-robin least-sessions score"
	dns_up fig6
	api $RC GET "/api/v1/groups/$ANY/members" >"$OUT/raw/fig6-members-before.json"
	: >"$OUT/raw/fig6-rounds"
	for r in $(seq "$ROUNDS"); do
		for p in $pols; do
			api $RC PATCH "/api/v1/groups/$ANY" "{\"policy\": \"$p\"}" >/dev/null
			sleep 1
			api $RC GET "/api/v1/groups/$ANY/members" \
			    >"$OUT/raw/fig6-$p-$r-members-pre.json"
			perf "fig6-$p-$r" "$SECS"
			api $RC GET "/api/v1/groups/$ANY/members" \
			    >"$OUT/raw/fig6-$p-$r-members.json"
			echo "$p $r" >>"$OUT/raw/fig6-rounds"
			log "fig6: $p round $r: $(grep -E 'Queries (completed|lost)' "$OUT/raw/fig6-$p-$r.txt" | xargs)"
		done
	done
	/usr/bin/python3 "$REPO/repro/fig6.py" "$OUT" "$ROUNDS" "$SECS" "$QPS" \
	    "$(machine)"
	cat "$OUT/fig6.md"
}

failure() {
	local out=$OUT/failure.md t0 t1 perfpid ev=""
	dns_up failure
	api $RC PATCH "/api/v1/groups/$ANY" '{"policy": "round-robin"}' >/dev/null
	state() { api "$1" GET "/api/v1/groups/$ANY/members" | jq -r --arg a "$2" \
	    '.members[] | select(.address == $a) | .state'; }
	sel() { api $RC GET "/api/v1/groups/$ANY/members" | jq -r --arg a "$1" \
	    '[.members[] | select(.address == $a) | .counters.selections] | add // 0'; }
	quiet() { local a b; a=$(sel "$1"); sleep 0.5; b=$(sel "$1"); [ "$a" = "$b" ]; }
	route() { api $RC GET /api/v1/ripng | jq -r --arg p "$ANY/128" \
	    '.routes[] | select(.prefix == $p and .state == "live") | "\(.interface) metric \(.metric)"'; }
	# Room for a second of queries in flight: the ones sent to a dead
	# member wait out their timeout without stalling the others.
	PERF_OUTSTANDING=$(( QPS * 2 )) perf failure 16 &
	perfpid=$!
	sleep 4
	t0=$(now_ms)
	kill "$(cat "$STATE/hosts/d1/dns/knot.pid")"
	ev+="| 0 | knotd killed on d1 (site 1) |"$'\n'
	wait_for 10 eval '[ "$(state $RS1 2001:db8:31::10)" = down ]' || die "d1 not down"
	ev+="| $(( $(now_ms) - t0 )) | d1 down at rs1 (health check) |"$'\n'
	wait_for 10 quiet 2001:db8:31::10 || die "rc still chooses d1"
	ev+="| $(( $(now_ms) - t0 )) | rc no longer chooses d1 (E-BB answers without it) |"$'\n'
	sleep 2
	t1=$(now_ms)
	ev+="| $(( t1 - t0 )) | nsd killed on d2, the last member of site 1 |"$'\n'
	kill "$(cat "$STATE/hosts/d2/dns/nsd.pid")"
	wait_for 10 eval '[ "$(state $RS1 2001:db8:32::10)" = down ]' || die "d2 not down"
	ev+="| $(( $(now_ms) - t0 )) | d2 down at rs1 |"$'\n'
	wait_for 10 quiet 2001:db8:32::10 || die "rc still chooses d2"
	ev+="| $(( $(now_ms) - t0 )) | rc no longer chooses d2 |"$'\n'
	wait_for 15 eval '[ -n "$(route)" ] && [ "$(route)" != "t1 metric 2" ]' || die "route not withdrawn"
	ev+="| $(( $(now_ms) - t0 )) | rs1 no longer advertises $ANY/128 as its own: rc's RIPng route $(route) |"$'\n'
	wait "$perfpid" || true
	{
		echo "# Daemon failure under dnsperf load"
		echo
		echo "\`repro/run.sh failure\`, lab \`dns\`, rc's policy round robin,"
		echo "dnsperf from c1: 16 s, $QPS queries/s offered, timeout 1 s, $(( QPS * 2 )) in flight at most"
		echo "($(date -u '+%Y-%m-%d %H:%M UTC'); $(machine))."
		echo
		echo "| ms after knotd was killed | event |"
		echo "|---|---|"
		printf '%s' "$ev"
		echo
		echo "dnsperf:"
		echo
		echo '```'
		grep -E 'Queries (sent|completed|lost)|Queries per second|Average Latency' \
		    "$OUT/raw/failure.txt"
		echo '```'
	} >"$out"
	/usr/bin/python3 "$REPO/repro/fig6.py" --failure "$OUT" "$t0" "$t1" >>"$out"
	cat "$out"
}

# ---------------------------------------------------------------------

run_locked() {
	local part
	for part in "$@"; do
		case $part in
		table2|fig6|failure) ;;
		*) die "unknown part '$part' (table2, fig6, failure)" ;;
		esac
		log "$part ..."
		flock "$LOCK" bash "$SELF" --locked "$part"
	done
}

if [ "${1:-}" = --locked ]; then
	trap 'lab down >/dev/null 2>&1' EXIT
	"$2"
	exit
fi
if [ $# -eq 0 ]; then
	set -- table2 fig6 failure
fi
run_locked "$@"
