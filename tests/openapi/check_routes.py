#!/usr/bin/python3
"""
tests/openapi/check_routes.py [API_C [OPENAPI_YAML]]

Every route of the dispatch table in vrouter/api.c ({method, path,
handler, auth}) is an operation of docs/openapi.yaml, and every
operation there is a route: "*" in the table is a {parameter} in the
document.  Prints what is missing on either side; the exit status is
non-zero when something is.  HEAD is GET without the body and is not
listed on either side.
"""

import os
import re
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
METHODS = ("get", "post", "put", "patch", "delete")
ROW = re.compile(r'\{\s*M_(GET|POST|PUT|PATCH|DELETE),\s*(V1\s+)?"([^"]*)"')


def table_routes(path):
    """(METHOD, path) of each row of api_endpoints[] in api.c."""
    src = open(path).read()
    start = src.index("api_endpoints[] = {")
    end = src.index("};", start)
    routes = set()
    for m in ROW.finditer(src[start:end]):
        routes.add((m.group(1), ("/api/v1" if m.group(2) else "") +
            m.group(3)))
    return routes


def document_routes(path):
    """(METHOD, path) of each operation, {parameters} written as *."""
    doc = yaml.safe_load(open(path))
    routes = set()
    for p, item in doc["paths"].items():
        shape = re.sub(r"\{[^}/]+\}", "*", p)
        for method in METHODS:
            if method in item:
                routes.add((method.upper(), shape))
    return routes


def main():
    api_c = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(REPO, "vrouter", "api.c")
    openapi = sys.argv[2] if len(sys.argv) > 2 else \
        os.path.join(REPO, "docs", "openapi.yaml")
    served = table_routes(api_c)
    documented = document_routes(openapi)
    bad = 0
    for m, p in sorted(served - documented):
        print("served but not in %s: %s %s" % (os.path.basename(openapi),
            m, p))
        bad += 1
    for m, p in sorted(documented - served):
        print("in %s but not served: %s %s" % (os.path.basename(openapi),
            m, p))
        bad += 1
    print("routes: %d served, %d documented, %d matched, %d unmatched" %
        (len(served), len(documented), len(served & documented), bad))
    return 1 if bad or not served else 0


if __name__ == "__main__":
    sys.exit(main())
