#!/bin/bash
#
# Run libFuzzer targets one after the other.
#
#   tests/fuzz/run.sh SECONDS BIN...
#
# Each target keeps its corpus in build/fuzz-corpus/<name>/ (override the
# root with FUZZ_CORPUS) and writes crash inputs to
# build/fuzz-artifacts/<name>/.  One line per target with the executions
# done; exits non-zero if any target crashed.

set -u

usage() {
	echo "usage: $0 SECONDS BIN..." >&2
	exit 2
}

[ $# -ge 2 ] || usage
secs=$1
shift
case $secs in
''|*[!0-9]*) usage ;;
esac

root=$(cd "$(dirname "$0")/../.." && pwd)
corpus_root=${FUZZ_CORPUS:-$root/build/fuzz-corpus}
artifact_root=${FUZZ_ARTIFACTS:-$root/build/fuzz-artifacts}

# A few well-formed inputs so that a short run starts past the headers.
seed() {
	local name=$1 dir=$2
	local eth='\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x86\xdd'
	local a='\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'

	[ -z "$(ls -A "$dir")" ] || return 0
	case $name in
	*fuzz_pkt)
		# TCP SYN
		printf "$eth"'\x60\x00\x00\x00\x00\x14\x06\x40'"$a"'\x01'"$a"'\x02''\x30\x39\x00\x50\x00\x00\x00\x01\x00\x00\x00\x00\x50\x02\xff\xff\x00\x00\x00\x00' \
		    >"$dir/seed-tcp"
		# HBH, routing header, fragment, UDP
		printf "$eth"'\x60\x00\x00\x00\x00\x30\x00\x40'"$a"'\x01'"$a"'\x02''\x2b\x00\x01\x04\x00\x00\x00\x00''\x2c\x02\xfd\x01\x00\x00\x00\x00'"$a"'\x03''\x11\x00\x00\x01\x00\x00\x00\x01''\x04\x00\x00\x35\x00\x08\x00\x00' \
		    >"$dir/seed-chain"
		# ICMPv6 echo request
		printf "$eth"'\x60\x00\x00\x00\x00\x08\x3a\x40'"$a"'\x01'"$a"'\x02''\x80\x00\x00\x00\x12\x34\x00\x01' \
		    >"$dir/seed-icmp"
		;;
	*fuzz_nl)
		# RTM_NEWADDR with IFA_ADDRESS, then NLMSG_DONE
		printf '\x2c\x00\x00\x00\x14\x00\x02\x00\x01\x00\x00\x00\x00\x00\x00\x00''\x0a\x80\x00\x00\x01\x00\x00\x00''\x14\x00\x01\x00'"$a"'\x01''\x14\x00\x00\x00\x03\x00\x02\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' \
		    >"$dir/seed-addr"
		;;
	*fuzz_dns)
		# www.example.edu.any. AAAA, without and with EDNS (OPT, 1232, DO)
		local qn='\x03www\x07example\x03edu\x03any\x00\x00\x1c\x00\x01'
		printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'"$qn" \
		    >"$dir/seed-aaaa"
		printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01'"$qn"'\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00' \
		    >"$dir/seed-edns"
		;;
	*fuzz_ripng)
		# whole-table request; a response with a next hop, a /48, A/128
		local z='\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
		printf '\x01\x01\x00\x00'"$z"'\x00\x00\x00\x10' >"$dir/seed-request"
		printf '\x02\x01\x00\x00''\xfe\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01''\x00\x00\x00\xff'"$a"'\x00''\x00\x00\x30\x01'"$a"'\x01''\x00\x07\x80\x10' \
		    >"$dir/seed-response"
		;;
	*fuzz_ebb)
		# DISCOVER with one router, ANSWER with two (tags are redone)
		local r='\x20\x01\x0d\xb8\x00\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00'
		local hdr='\x00\x00\x00\x00\x00\x00\x00\x01'"$r"'\x02''\x00\x00\x00\x07''\x00\x00\x00\x64'"$r"'\x01'"$a"'\x35'
		local tag='\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa'
		printf '\x01\x01\x00\x01\x00\x00\x01\x00'"$hdr$r"'\x01'"$tag$tag" \
		    >"$dir/seed-discover"
		printf '\x01\x02\x01\x02\x00\x00\x02\x02'"$hdr$a"'\x10''\x23\x00\x00\x00'"$r"'\x01'"$r"'\x03'"$tag$tag" \
		    >"$dir/seed-answer"
		;;
	*fuzz_nd_opts)
		printf '\x01\x01\x02\x00\x00\x00\x00\x01\x02\x01\x02\x00\x00\x00\x00\x02' \
		    >"$dir/seed-lla"
		;;
	esac
}

status=0
for bin in "$@"; do
	name=$(basename "$bin")
	corpus=$corpus_root/$name
	artifacts=$artifact_root/$name
	mkdir -p "$corpus" "$artifacts"
	seed "$name" "$corpus"
	log=$(mktemp)

	"$bin" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
	rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		printf '%-24s ok     %s executions in %ss\n' "$name" "${execs:-?}" "$secs"
	else
		printf '%-24s FAILED after %s executions (exit %d)\n' "$name" \
		    "${execs:-?}" "$rc"
		grep -E 'ERROR|SUMMARY|Test unit written|^    #' "$log" | head -30 >&2
		status=1
	fi
	rm -f "$log"
done
exit $status
