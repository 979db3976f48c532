# shellcheck shell=bash
# netns/lab_cgroup.sh: CPU limits for lab hosts, sourced by lab.sh.
#
# A host with "cgroup": {"cpu_max": "QUOTA PERIOD"} (or "max PERIOD")
# runs its "run" commands (its servers) in a cgroup of its own,
# vrouter-lab/HOST, limited to QUOTA µs of CPU per PERIOD µs, and its
# anycast-member gets --cgroup so that it reports that cgroup's CPU use
# as its load.  cgroup v2 when the cpu controller is on the unified
# hierarchy (/sys/fs/cgroup/cgroup.controllers lists it): cpu.max;
# otherwise cgroup v1: cpu.cfs_quota_us and cpu.cfs_period_us in the cpu
# hierarchy, the CPU time in cpuacct.  "down" kills what is left in
# them and removes them.
#
# "ip netns exec" mounts a fresh /sys, which hides /sys/fs/cgroup: a
# command enters its cgroup before it enters the namespace, and the
# agent of such a host joins the namespace with nsenter, which keeps
# /sys as it is.

CG_ROOT=/sys/fs/cgroup
CG_NAME=vrouter-lab

# v2, v1 or nothing (no cpu controller to be had).
cg_mode() {
	if grep -qw cpu "$CG_ROOT/cgroup.controllers" 2>/dev/null; then
		echo v2
	elif [ -e "$CG_ROOT/cpu/cpu.cfs_quota_us" ]; then
		echo v1
	fi
}

# The lab's cgroup parents, those that exist or would.
cg_parents() {
	case $(cg_mode) in
	v2) echo "$CG_ROOT/$CG_NAME" ;;
	v1) echo "$CG_ROOT/cpu/$CG_NAME"
	    [ -e "$CG_ROOT/cpu/cpuacct.usage" ] ||
		echo "$CG_ROOT/cpuacct/$CG_NAME" ;;
	esac
}

# host_cgroup TOPOLOGY HOST: the host's "cgroup" object, or null.
host_cgroup() {
	jq -c --arg h "$2" '.hosts[] | select(.name == $h) | .cgroup // null' \
	    "$1"
}

# cg_dirs HOST: the host's cgroup directories; the first is --cgroup.
cg_dirs() {
	local p
	for p in $(cg_parents); do
		echo "$p/$1"
	done
}

# cg_dir HOST: the first of them, the one with the CPU limit.
cg_dir() { local d; d=$(cg_dirs "$1"); echo "${d%%$'\n'*}"; }

# cg_create HOST "QUOTA PERIOD": the host's cgroups, limited.
cg_create() {
	local h=$1 max=$2 quota period d
	quota=${max% *}
	period=${max#* }
	case $(cg_mode) in
	v2)
		grep -qw cpu "$CG_ROOT/cgroup.subtree_control" ||
		    echo +cpu >"$CG_ROOT/cgroup.subtree_control"
		mkdir -p "$CG_ROOT/$CG_NAME"
		grep -qw cpu "$CG_ROOT/$CG_NAME/cgroup.subtree_control" ||
		    echo +cpu >"$CG_ROOT/$CG_NAME/cgroup.subtree_control"
		mkdir -p "$CG_ROOT/$CG_NAME/$h"
		echo "$max" >"$CG_ROOT/$CG_NAME/$h/cpu.max"
		;;
	v1)
		for d in $(cg_dirs "$h"); do
			mkdir -p "$d"
		done
		d=$(cg_dir "$h")
		[ "$quota" != max ] || quota=-1
		# A quota above the old period's limit needs the period first.
		echo -1 >"$d/cpu.cfs_quota_us"
		echo "$period" >"$d/cpu.cfs_period_us"
		echo "$quota" >"$d/cpu.cfs_quota_us"
		;;
	*)
		die "host $h has a \"cgroup\" but this machine has no cgroup cpu controller"
		;;
	esac
}

# cgroups_up TOPOLOGY: a cgroup for each host that has one.
cgroups_up() {
	local topo=$1 h cg
	for h in $(topo_hosts "$topo"); do
		cg=$(host_cgroup "$topo" "$h")
		[ "$cg" != null ] || continue
		cg_create "$h" "$(jq -r .cpu_max <<<"$cg")"
	done
}

# shellcheck disable=SC2034  # CG_* are read by lab.sh
# cg_wrap TOPOLOGY HOST: sets CG_WRAP to a command prefix that moves
# the command into the host's cgroups first (empty without one).
cg_wrap() {
	CG_WRAP=()
	[ "$(host_cgroup "$1" "$2")" != null ] || return 0
	# shellcheck disable=SC2016
	CG_WRAP=(bash -c 'for d in '"$(cg_dirs "$2" | tr '\n' ' ')"'; do
		echo $$ >"$d/cgroup.procs" || exit 1; done; exec "$@"' cgroup)
}

# shellcheck disable=SC2034  # CG_* are read by lab.sh
# cg_member_args TOPOLOGY HOST: sets CG_NETNS to how the host's agent
# enters its namespace and CG_ARGS to its --cgroup, when it has one.
cg_member_args() {
	CG_NETNS=(ip netns exec "$2")
	CG_ARGS=()
	[ "$(host_cgroup "$1" "$2")" != null ] || return 0
	CG_NETNS=(nsenter "--net=/run/netns/$2")
	CG_ARGS=(--cgroup "$(cg_dir "$2")")
}

# Kill what is left in the lab's cgroups, then remove them.
cgroups_down() {
	local p d pids
	for p in $(cg_parents); do
		[ -d "$p" ] || continue
		for d in "$p"/*/; do
			[ -e "$d/cgroup.procs" ] || continue
			pids=$(cat "$d/cgroup.procs")
			echo "$pids" | xargs -r kill -KILL 2>/dev/null || true
			poll 5 cg_empty "$d" || say "processes left in cgroup $d"
			rmdir "$d" 2>/dev/null || say "cannot remove cgroup $d"
		done
		rmdir "$p" 2>/dev/null || say "cannot remove cgroup $p"
	done
}

cg_empty() { [ -z "$(cat "$1/cgroup.procs" 2>/dev/null)" ]; }
