#!/usr/bin/env bash
#
# The dashboard in a real browser: headless Chromium against a live
# anycast lab.
#
#   chromium --headless ── http://[::1]:8080/ ── vrouter ── c1 c2 m1 m2 m3
#     --dump-dom       the DOM once the page's JavaScript has run
#     --screenshot     $TEST_OUT/dashboard.png (1280 x 2000)
#
# The rendered page shows the group, a row per member with its state,
# sessions and score and its sparklines, every interface, the topology
# drawing with each interface and member, the policy control and a
# drain button per member, and a drops panel that raises no alarm for
# the hosts' ordinary MLD reports.  The browser reaches nothing but the
# router on localhost.  The controls' code (web/controls.js), run by
# node against the router (dashboard_controls.js): no token, a wrong
# one (401), and the right one, which drains m1 and sets the policy.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"

TEST_OUT=${TEST_OUT:-/tmp/vrouter-test-output/$TEST_NAME}
BROWSER=${CHROMIUM:-chromium}
command -v "$BROWSER" >/dev/null ||
    fail "$BROWSER is not installed (sudo make deps installs it)"
mkdir -p "$TEST_OUT"

# This tree's web/, wherever the vrouter binary was built.
jq --arg w "$LAB_REPO/web" '.router.api.web_root = $w' "$ANY_TOPOLOGY" \
    >"$TEST_TMP/anycast.json"
lab_start "$TEST_TMP/anycast.json"
# Some traffic, so that counters and charts have something to show:
# requests, and four slow downloads that hold sessions open.
requests c1 6 >/dev/null
for i in 1 2 3 4; do
	slow_download "c$(( (i - 1) / 2 + 1 ))" "$i" $((32 << 20))
done
sessions_open() {
	[ "$(members_json | jq '[.members[].sessions] | add')" -ge 4 ]
}
wait_for sessions_open || fail "the members report no sessions:" \
    "$(members_json | jq -c '[.members[] | {address, sessions}]')"

# browser ARGS...: headless Chromium, a fresh profile, no network but
# the router's: anything not on loopback (which bypasses proxies) goes
# to a proxy that is not there.
browser() {
	local profile
	profile=$(mktemp -d "$TEST_TMP/profile.XXXXXX")
	HOME=$TEST_TMP timeout 60 "$BROWSER" --headless --no-sandbox \
	    --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --disable-extensions --mute-audio \
	    --proxy-server='http://127.0.0.1:9' \
	    --user-data-dir="$profile" "$@" 2>>"$TEST_TMP/browser.err"
}

# Enough virtual time for a few polls, so that the charts have points.
dom=$TEST_TMP/dom.html
browser --virtual-time-budget=9000 --dump-dom "$API_URL/" >"$dom" ||
    fail "chromium --dump-dom failed: $(tail -5 "$TEST_TMP/browser.err")"
cp "$dom" "$TEST_OUT/dom.html"

# has TEXT WHAT: the rendered DOM contains TEXT.
has() { grep -qF -- "$1" "$dom" || fail "the rendered page lacks $2 ('$1')"; }

has "$ANY" "the group's address"
! grep -q 'id="groups"><p class="muted">loading' "$dom" ||
    fail "the page still says loading: the script did not run"
for m in "${MEMBERS[@]}"; do
	has "${UNI[$m]}" "member $m's row"
	has "data-iface=\"$m\"" "member $m's interface in the topology"
done
for i in c1 c2; do
	has "data-iface=\"$i\"" "interface $i in the topology"
done

# The members' table: the cells under State, Sessions and Score of
# each member row, read back from the DOM with a parser.
python3 - "$dom" "$ANY" "${UNI[@]}" >"$TEST_TMP/rows.txt" <<'EOF' ||
import sys
from html.parser import HTMLParser

class Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.cell, self.stack = [], None, []
    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self.cell = []
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.tables:
            t = self.tables[-1]
            text = " ".join("".join(self.cell).split())
            (t["head"] if tag == "th" else t["rows"][-1]).append(text)
            self.cell = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

p = Rows()
p.feed(open(sys.argv[1]).read())
members = sys.argv[3:]
for t in p.tables:
    if "Member" not in t["head"]:
        continue
    col = {h: i for i, h in enumerate(t["head"])}
    for r in t["rows"]:
        if len(r) == len(t["head"]) and r[0] in members:
            print(r[0], r[col["State"]], r[col["Sessions"]],
                  r[col["Score"]], r[col["Sessions, 5 min"]] != "",
                  r[col["Drain"]])
EOF
    fail "cannot read the members' table from the DOM"
rows=$(cat "$TEST_TMP/rows.txt")
info "member rows as rendered:"$'\n'"$rows"
assert_eq 3 "$(wc -l <"$TEST_TMP/rows.txt")" "member rows in the page"
while read -r addr state sessions score chart button; do
	assert_match '^up' "$state" "state of $addr"
	assert_match '^[0-9]+$' "$sessions" "sessions of $addr"
	assert_match '^[0-9]+(\.[0-9]+)?$' "$score" "score of $addr"
	assert_eq True "$chart" "the sessions chart of $addr"
	assert_eq Drain "$button" "the drain control of $addr"
done <"$TEST_TMP/rows.txt"

# Interfaces, controls, charts, drops.
for i in c1 c2 m1 m2 m3; do
	has "<td>$i</td>" "interface $i in the interfaces table"
done
has 'id="token"' "the token field"
has '<option value="score"' "the policy control"
has 'class="spark-line"' "a sparkline with points"
has 'nothing wrong' "a quiet drops panel"
grep -q 'alarm-row' "$dom" && fail "the drops panel alarms:" \
    "$(grep -o '<tr class="alarm-row">.\{0,200\}' "$dom" | head -3)"
mld=$(api GET /api/v1/counters | jq '[.interfaces[].mcast_not_joined] | add')
info "multicast the router ignored (MLD reports): $mld, no alarm"

shot=$TEST_OUT/dashboard.png
rm -f "$shot"
browser --virtual-time-budget=9000 --hide-scrollbars \
    --window-size=1280,2000 --screenshot="$shot" "$API_URL/" >/dev/null ||
    fail "chromium --screenshot failed: $(tail -5 "$TEST_TMP/browser.err")"
[ -s "$shot" ] || fail "no screenshot at $shot"
info "screenshot: $shot"

# The controls, their DOM stubbed and fetch real.
node "$(dirname "$0")/dashboard_controls.js" "$LAB_REPO/web" "$API_URL" \
    "$API_TOKEN" "$ANY" "${UNI[m1]}" >"$TEST_TMP/controls.txt" 2>&1 ||
    fail "the controls' code failed: $(cat "$TEST_TMP/controls.txt")"
out=$(cat "$TEST_TMP/controls.txt")
info "the controls said:"$'\n'"$out"
assert_match '^none err .*no API token' "$out" "a control without a token"
assert_match '^wrong err .*refused the token \(HTTP 401\)' "$out" \
    "a control with a wrong token"
assert_match '^right ok drain .*: done' "$out" "drain with the token"
assert_match '^policy ok policy round-robin: done' "$out" \
    "policy with the token"
assert_eq true "$(member_field m1 draining)" "m1 draining after the control"
assert_eq round-robin "$(api GET "/api/v1/groups/$ANY" | jq -r .policy)" \
    "the group's policy after the control"
