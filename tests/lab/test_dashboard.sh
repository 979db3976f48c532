#!/usr/bin/env bash
#
# The dashboard: vrouter serves web/ on the API's port, and nothing else.
#
#   curl ── http://[::1]:8080/          index.html   (api.web_root)
#                        /web/app.js    ...
#   vrouter (default lab), api.web_root = a copy of web/ plus traps:
#     passwd.js -> /etc/passwd   sub.css/   fifo.js (FIFO)   big.js (2 MiB)
#     .hidden.js   notes.txt
#
# / and the files the page names answer 200 with the right Content-Type
# and the bytes of web/; the page loads nothing from elsewhere; every
# API read it makes answers JSON without a token.  Traversal attempts,
# encoded or not, symlinks, directories, FIFOs, hidden files, unknown
# types and files over 1 MiB are 404 (or 400), and the API still
# answers afterwards.  A relative api.web_root fails "vrouter -t".

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

VROUTER=${VROUTER:-$LAB_REPO/build/vrouter}
WEB=$LAB_REPO/web

# The configuration check needs no lab.
jq '.router | .api.web_root = "web"' "$DEFAULT_TOPOLOGY" \
    >"$TEST_TMP/relative.json"
out=$("$VROUTER" -t -c "$TEST_TMP/relative.json" 2>&1) &&
    fail "vrouter -t accepted a relative api.web_root"
assert_match 'api\.web_root: "web" is not an absolute path' "$out" \
    "vrouter -t with a relative api.web_root"

root=$TEST_TMP/web
mkdir "$root"
cp "$WEB"/* "$root"/
ln -s /etc/passwd "$root/passwd.js"
mkdir "$root/sub.css"
mkfifo "$root/fifo.js"
head -c $((2 * 1024 * 1024)) /dev/zero >"$root/big.js"
echo 'secret' >"$root/.hidden.js"
echo 'notes' >"$root/notes.txt"
jq --arg w "$root" '.router.api.web_root = $w' "$DEFAULT_TOPOLOGY" \
    >"$TEST_TMP/topology.json"
lab_start "$TEST_TMP/topology.json"

grep -qF "dashboard on $API_URL/ from $root" "$LAB_STATE/vrouter.log" ||
    fail "the vrouter log does not say where the dashboard is"

# fetch PATH [CURL ARGS...]: "CODE CONTENT-TYPE"; the body is left in
# $TEST_TMP/body and the headers in $TEST_TMP/headers.  No token, and
# the path goes out as written (no squashing of "..").
fetch() {
	local path=$1
	shift
	curl -gsS --path-as-is -m 5 -o "$TEST_TMP/body" -D "$TEST_TMP/headers" \
	    -w '%{http_code} %{content_type}' "$@" "$API_URL$path" \
	    2>"$TEST_TMP/curl-err" || echo " curl: $(cat "$TEST_TMP/curl-err")"
}

# serves PATH FILE TYPE: 200, that Content-Type, the bytes of FILE.
serves() {
	assert_eq "200 $3" "$(fetch "$1")" "GET $1"
	cmp -s "$TEST_TMP/body" "$2" || fail "GET $1: not the bytes of $2"
	grep -qi '^X-Content-Type-Options: nosniff' "$TEST_TMP/headers" ||
	    fail "GET $1: no X-Content-Type-Options: nosniff"
	grep -qi "^Content-Security-Policy: default-src 'self'" \
	    "$TEST_TMP/headers" || fail "GET $1: no Content-Security-Policy"
}

serves / "$WEB/index.html" 'text/html; charset=utf-8'
serves /web/index.html "$WEB/index.html" 'text/html; charset=utf-8'
serves /web/app.js "$WEB/app.js" 'text/javascript; charset=utf-8'
serves /web/style.css "$WEB/style.css" 'text/css; charset=utf-8'
info "/, /web/index.html, /web/app.js, /web/style.css: 200, right types"

# Everything the page refers to is served here, nothing from elsewhere.
refs=$(grep -oE '(src|href)="[^"]*"' "$WEB/index.html" |
    sed -E 's/^[a-z]+="(.*)"$/\1/')
assert_match '^/web/app\.js$' "$refs" "index.html references"
assert_match '^/web/style\.css$' "$refs" "index.html references"
for ref in $refs; do
	case $ref in
	data:*) continue ;;
	/web/* | /api/v1/* | /metrics) ;;
	*) fail "index.html refers to $ref, not to the router" ;;
	esac
	code=$(fetch "$ref")
	assert_eq 200 "${code%% *}" "GET $ref (named by index.html)"
done
assert_no_match '(https?:)?//[A-Za-z0-9[]' "$(cat "$WEB/app.js" \
    "$WEB/style.css")" "app.js and style.css (no external resources)"

# Every API read the page makes answers JSON, without a token.
for p in status interfaces routes neighbors groups counters; do
	grep -qF "\"$p\"" "$WEB/app.js" || fail "app.js does not read $p"
	assert_eq "200 application/json" "$(fetch "/api/v1/$p")" \
	    "GET /api/v1/$p without a token"
	jq -e . "$TEST_TMP/body" >/dev/null || fail "/api/v1/$p: not JSON"
done
info "the page's API reads answer without a token"

assert_eq 200 "$(fetch / -I | cut -d' ' -f1)" "HEAD /"
code=$(fetch / -X POST | cut -d' ' -f1)
assert_eq 405 "$code" "POST /"

# Nothing outside the web root, nor anything but its plain files.
for path in /web/../../etc/passwd /web/%2e%2e/x /web/%2e%2e \
    /web/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd /web/..%2f..%2fetc%2fpasswd \
    /../../etc/passwd /web/passwd.js /web/sub.css /web/fifo.js \
    /web/big.js /web/.hidden.js /web/notes.txt /web/nothing.js \
    /web/app.js/x /web/ /web/%00app.js /index.html /app.js; do
	code=$(fetch "$path" | cut -d' ' -f1)
	case $code in
	404 | 400) ;;
	*) fail "GET $path: expected 404 or 400, got '$code'" ;;
	esac
	! grep -qE 'root:|secret|notes' "$TEST_TMP/body" ||
	    fail "GET $path leaked a file: $(head -c 100 "$TEST_TMP/body")"
done
info "traversal, symlink, directory, FIFO, hidden, unknown type," \
    "over 1 MiB: all refused"

assert_eq "200 application/json" "$(fetch /api/v1/status)" \
    "GET /api/v1/status after the refused requests"
