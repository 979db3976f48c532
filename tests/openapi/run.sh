#!/bin/sh
# tests/openapi/run.sh: docs/openapi.yaml checked three ways (make
# openapi): redocly lint with the recommended rules (any warning
# fails), swagger-cli validate against the OpenAPI 3.0 schema, and
# check_routes.py against the dispatch table of vrouter/api.c.  The
# validators are the npm packages of package.json, installed in
# node_modules/ here by tests/deps.sh.
set -eu

DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$DIR/../.." && pwd)
DOC=$REPO/docs/openapi.yaml
BIN=$DIR/node_modules/.bin
# No telemetry, no update check.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

if [ ! -x "$BIN/redocly" ] || [ ! -x "$BIN/swagger-cli" ]; then
	echo "openapi: validators missing in $DIR/node_modules" \
	    "(run 'make deps')" >&2
	exit 1
fi
fail=0
out=$("$BIN/redocly" lint --config "$DIR/redocly.yaml" \
    --format=summary "$DOC" 2>&1) || fail=1
if [ "$fail" = 1 ] || echo "$out" | grep -Eq '^(error|warning) '; then
	"$BIN/redocly" lint --config "$DIR/redocly.yaml" "$DOC" 2>&1 |
	    sed 's/^/    /'
	echo "FAIL redocly lint"
	fail=1
else
	echo "PASS redocly lint: $(echo "$out" | grep -E 'valid|Woohoo' |
	    tr '\n' ' ')"
fi
if out=$("$BIN/swagger-cli" validate "$DOC" 2>&1); then
	echo "PASS swagger-cli validate: $out"
else
	echo "$out" | sed 's/^/    /'
	echo "FAIL swagger-cli validate"
	fail=1
fi
if out=$(/usr/bin/python3 "$DIR/check_routes.py" 2>&1); then
	echo "PASS check_routes: $out"
else
	echo "$out" | sed 's/^/    /'
	echo "FAIL check_routes"
	fail=1
fi
exit "$fail"
