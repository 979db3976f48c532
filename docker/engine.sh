#!/bin/sh
# docker/engine.sh: make sure a Docker engine answers, for the Docker
# demo's make targets and test.
#
# Installs Debian's docker.io and docker-compose when dockerd or
# docker-compose is missing, and starts dockerd when "docker info" gets
# no answer: with systemctl where systemd runs the machine, otherwise by
# hand in the background, logging to DOCKERD_LOG, then waits up to
# DOCKERD_TIMEOUT seconds for "docker info".  A dockerd started here is
# left running.
#
# Exit status 0 when the engine answers; otherwise 1, with the reason on
# the last line of standard error ("engine: REASON").
#
# Environment: DOCKERD_LOG (default /var/log/dockerd.log),
# DOCKERD_TIMEOUT (default 60).
set -u

LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
TIMEOUT=${DOCKERD_TIMEOUT:-60}

fail() { echo "engine: $*" >&2; exit 1; }
answers() { docker info >/dev/null 2>&1; }

need_root() {
	[ "$(id -u)" = 0 ] || fail "$1 needs root (try: sudo make check-docker)"
}

missing=""
command -v dockerd >/dev/null || missing="$missing docker.io"
command -v docker-compose >/dev/null || missing="$missing docker-compose"
if [ -n "$missing" ]; then
	need_root "installing$missing"
	echo "engine: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # one word a package
	{ apt-get -o DPkg::Lock::Timeout=600 update -qq &&
	  apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
	    --no-install-recommends $missing; } >/dev/null 2>&1 ||
	    fail "apt-get could not install$missing"
fi
command -v docker >/dev/null || fail "no docker client after installing docker.io"

answers && exit 0
need_root "starting dockerd"
if [ -d /run/systemd/system ]; then
	echo "engine: systemctl start docker"
	systemctl start docker >/dev/null 2>&1 ||
	    fail "systemctl start docker failed (see journalctl -u docker)"
	pid=""
else
	if pgrep -x dockerd >/dev/null; then
		# Started by someone else, still coming up.
		pid=$(pgrep -x dockerd | head -n 1)
	else
		echo "engine: starting dockerd (log: $LOG)"
		mkdir -p "$(dirname "$LOG")"
		setsid dockerd </dev/null >>"$LOG" 2>&1 &
		pid=$!
	fi
fi

deadline=$(( $(date +%s) + TIMEOUT ))
until answers; do
	if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
		reason=$(grep -E 'level=(fatal|error)|failed' "$LOG" 2>/dev/null |
		    tail -n 1 | sed 's/.*msg="\([^"]*\)".*/\1/' | cut -c1-200)
		fail "dockerd exited at start: ${reason:-see $LOG}"
	fi
	[ "$(date +%s)" -lt "$deadline" ] ||
	    fail "dockerd gave no answer within ${TIMEOUT}s (see $LOG)"
	sleep 0.5
done
echo "engine: dockerd $(docker info -f '{{.ServerVersion}}' 2>/dev/null) is up"
