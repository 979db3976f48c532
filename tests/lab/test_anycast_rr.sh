#!/usr/bin/env bash
#
# Round robin: short requests to the anycast address split evenly once
# the group's policy is changed through the API.
#
#   c1 ── 300 x GET http://[A]/name ── vrouter ──┬── m1 "m1"
#         (one connection each)                  ├── m2 "m2"
#         A = 2001:db8:ac::1                     └── m3 "m3"
#
# PATCH /api/v1/groups/A {"policy": "round-robin"} needs the token (401
# without it).  Then 300 requests from c1, each on a new connection, all
# answered; each member, named by the page it serves, answers 100 of
# them within 5 %.  The router's per-member selection counters agree
# with what the client saw.  ANYCAST_REQUESTS (default 300) changes
# the number.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

N=${ANYCAST_REQUESTS:-300}
EACH=$((N / 3))
SLACK=$(( (EACH * 5 + 99) / 100 ))

code=$(API_AUTH=no api_code PATCH "/api/v1/groups/$ANY" \
    '{"policy": "round-robin"}')
assert_eq 401 "$code" "PATCH the group's policy without a token"
api PATCH "/api/v1/groups/$ANY" '{"policy": "round-robin"}' >/dev/null
policy=$(api GET "/api/v1/groups/$ANY" | jq -r .policy)
assert_eq round-robin "$policy" "policy after PATCH"

selections() { member_field "$1" counters | jq -r .selections; }
declare -A sel0
for m in "${MEMBERS[@]}"; do
	sel0[$m]=$(selections "$m")
done

start=$(now_ms)
requests c1 "$N"
ms=$(( $(now_ms) - start ))

line_router=""
for m in "${MEMBERS[@]}"; do
	line_router+="$m=$(( $(selections "$m") - ${sel0[$m]} )) "
done
info "$N requests from c1 under round-robin in $ms ms:" \
    "$REQ_OK answered, $REQ_FAILED failed"
info "  answered by (page served): $(req_line)"
info "  flows given by the router: $line_router"

assert_eq 0 "$REQ_FAILED" "failed requests ($(sort "$TEST_TMP/requests/codes" |
    uniq -c | tr '\n' ' '); $(head -3 "$TEST_TMP/requests/err"))"
for m in "${MEMBERS[@]}"; do
	v=${REQ_COUNT[$m]}
	[ "$v" -ge $((EACH - SLACK)) ] && [ "$v" -le $((EACH + SLACK)) ] ||
	    fail "$m answered $v of $N requests, expected $EACH +/- $SLACK" \
	    "($(req_line))"
	[ "$(( $(selections "$m") - ${sel0[$m]} ))" -eq "$v" ] ||
	    fail "$m: the router counts $(( $(selections "$m") - ${sel0[$m]} ))" \
	    "flows given, the client saw $v answers"
done
