/*
 * The member's load from its own cgroup (cgroup v2): the CPU time the
 * cgroup used over a report interval against the CPU it may use
 * (cpu.max).  The parsers are pure, take a length (the text need not
 * end in NUL) and are fuzzed (tests/fuzz/fuzz_cgroup.c).
 */
#ifndef MEMBER_CGROUP_H
#define MEMBER_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MA_CG_MIN_PERIOD	1000		/* us, the kernel's limits */
#define MA_CG_MAX_PERIOD	1000000
#define MA_CG_MIN_SAMPLE_US	20000		/* shorter: keep the last load */

/* cpu.max: "QUOTA PERIOD" or "max PERIOD", microseconds. */
struct ma_cpumax {
	bool		 unlimited;	/* "max" */
	uint64_t	 quota;		/* us per period, 0 when unlimited */
	uint64_t	 period;	/* us */
};

/*
 * Pure: the usage_usec line of cpu.stat ("usage_usec 123\n...").
 * 0, or -1 when it is missing or not a decimal number.
 */
int	 ma_cpustat_parse(const char *text, size_t len, uint64_t *usage_usec);
/*
 * Pure: the one line of cpu.max.  The period must be within
 * MA_CG_MIN_PERIOD..MA_CG_MAX_PERIOD and a quota at least 1.
 * 0, or -1.
 */
int	 ma_cpumax_parse(const char *text, size_t len, struct ma_cpumax *m);
/*
 * Pure: cgroup v1, where the cpu controller is not on the unified
 * hierarchy.  cpu.cfs_quota_us ("-1": unlimited) and cpu.cfs_period_us
 * into m; cpuacct.usage (nanoseconds) into *usage_usec.  0, or -1.
 */
int	 ma_cfs_parse(const char *quota, size_t qlen, const char *period,
	    size_t plen, struct ma_cpumax *m);
int	 ma_cpuacct_parse(const char *text, size_t len, uint64_t *usage_usec);
/*
 * Pure: percent 0..100 of the CPU the cgroup may use that it used:
 * used_us of CPU time over wall_us of time, the allowance being
 * quota/period CPUs, or ncpu CPUs when unlimited.  Capped at 100;
 * 0 when wall_us is 0.
 */
uint8_t	 ma_cgroup_pct(uint64_t used_us, uint64_t wall_us,
	    const struct ma_cpumax *m, long ncpu);

/* What the agent keeps between two samples. */
struct ma_cgroup {
	const char	*dir;		/* points into argv */
	bool		 v1;		/* cpu.cfs_* and cpuacct.usage */
	char		 acct[4096];	/* v1: the cpuacct directory */
	bool		 have_prev;
	uint64_t	 prev_usage;	/* us */
	uint64_t	 prev_wall;	/* us, CLOCK_MONOTONIC */
	uint8_t		 load;		/* last value computed */
	bool		 warned;	/* one warning until it reads again */
};

/*
 * Which files cg->dir has: cgroup v2 (cpu.stat, cpu.max) or v1
 * (cpu.cfs_quota_us, cpu.cfs_period_us, and cpuacct.usage in the same
 * directory or, the controllers being mounted apart, in the same path
 * under the cpuacct hierarchy: /sys/fs/cgroup/cpuacct/X beside
 * /sys/fs/cgroup/cpu/X).  0, or -1 with a message in err.
 */
int	 ma_cgroup_open(struct ma_cgroup *cg, const char *dir, char *err,
	    size_t errlen);
/*
 * Read cpu.stat and cpu.max of cg->dir now and update cg->load from
 * the CPU used since the previous sample (the first sample only sets
 * the baseline).  On a read or parse error, cg->load keeps its last
 * value and a line goes into err: -1.  0 otherwise.
 */
int	 ma_cgroup_sample(struct ma_cgroup *cg, uint64_t now_us, long ncpu,
	    char *err, size_t errlen);

#endif /* MEMBER_CGROUP_H */
