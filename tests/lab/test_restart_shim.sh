#!/usr/bin/env bash
#
# test_restart with anycast-client in c1 (topology anycast-shim): vrouter
# killed with -9 during six downloads and started again; c1's three are
# on the direct path and need nothing from the router's flow state, c2's
# three are recovered from the members.  See test_restart.sh.

RESTART_SHIM=1
# shellcheck source=tests/lab/test_restart.sh
. "$(dirname "$0")/test_restart.sh"
