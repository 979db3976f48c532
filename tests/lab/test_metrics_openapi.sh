#!/usr/bin/env bash
#
# The machine interfaces of a running router, checked by their own
# tools: GET /metrics passes "promtool check metrics" (lint included)
# with every family present (a flow, a capture, members up), and GET
# /api/v1/openapi.yaml, without a token, is docs/openapi.yaml byte for
# byte, every GET path of it without parameters answering.
#
#   curl /metrics ── vrouter (anycast lab, api.web_root = web/) ── m1 m2 m3
#        /api/v1/openapi.yaml          c1 ── GET http://[A]/ , ping
#
# The static checks of the document (validators, routes against the
# dispatch table) are tests/openapi/run.sh.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"

command -v promtool >/dev/null || fail "promtool missing (run 'make deps')"

# The document is found beside the web root of a source tree, whatever
# directory the binary was built in.
jq --arg w "$LAB_REPO/web" '.router.api.web_root = $w' "$ANY_TOPOLOGY" \
    >"$TEST_TMP/topology.json"
lab_start "$TEST_TMP/topology.json"

c1 curl -gsS -m 5 -o /dev/null "http://[$ANY]/" ||
    fail "c1 cannot fetch from the anycast address"
ping_ok c1 "$ANY" 2
api POST /api/v1/captures '{"interface": "c1"}' >/dev/null

curl -gsS -m 10 -o "$TEST_TMP/metrics" "$API_URL/metrics" ||
    fail "GET /metrics"
out=$(promtool check metrics <"$TEST_TMP/metrics" 2>&1) ||
    fail "promtool check metrics:"$'\n'"$out"
[ -z "$out" ] || fail "promtool check metrics has remarks:"$'\n'"$out"
families=$(grep -c '^# TYPE ' "$TEST_TMP/metrics")
for f in vrouter_group_members vrouter_member_state vrouter_flows \
    vrouter_capture_packets_total vrouter_neighbor_solicits_in_total; do
	grep -q "^# TYPE $f " "$TEST_TMP/metrics" || fail "no family $f"
done
info "promtool check metrics: clean, $families families," \
    "$(grep -vc '^#' "$TEST_TMP/metrics") samples"

code=$(curl -gsS -m 10 -o "$TEST_TMP/openapi.yaml" -D "$TEST_TMP/headers" \
    -w '%{http_code}' "$API_URL/api/v1/openapi.yaml")
assert_eq 200 "$code" "GET /api/v1/openapi.yaml without a token"
assert_match '^Content-Type: application/yaml' \
    "$(tr -d '\r' <"$TEST_TMP/headers")" "the document's Content-Type"
cmp -s "$TEST_TMP/openapi.yaml" "$LAB_REPO/docs/openapi.yaml" ||
    fail "GET /api/v1/openapi.yaml is not docs/openapi.yaml"

# Every GET path of the document without parameters is served.
n=0
for p in $(/usr/bin/python3 -c 'import sys, yaml
for p, i in yaml.safe_load(open(sys.argv[1]))["paths"].items():
    if "get" in i and "{" not in p:
        print(p)' "$LAB_REPO/docs/openapi.yaml"); do
	code=$(API_AUTH=no api_code GET "$p")
	assert_eq 200 "$code" "GET $p"
	n=$((n + 1))
done
info "openapi.yaml served; its $n GET paths without parameters answer 200"
