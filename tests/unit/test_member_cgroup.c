/*
 * The member's load from its cgroup (hosts/member/cgroup.c): the
 * cpu.stat and cpu.max parsers, the percentage, and sampling a cgroup
 * directory made of plain files (a fake cgroup in a temporary folder).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../../hosts/member/cgroup.h"

#define CPUSTAT	"usage_usec 1234567\nuser_usec 1000000\n" \
		"system_usec 234567\nnr_periods 10\nnr_throttled 2\n" \
		"throttled_usec 5000\n"

static int
cpustat(const char *s, uint64_t *v)
{
	return ma_cpustat_parse(s, strlen(s), v);
}

static int
cpumax(const char *s, struct ma_cpumax *m)
{
	return ma_cpumax_parse(s, strlen(s), m);
}

Test(member_cgroup, cpustat_good)
{
	uint64_t	 v = 0;

	cr_assert_eq(cpustat(CPUSTAT, &v), 0);
	cr_assert_eq(v, 1234567);
	/* Anywhere in the file, last line without a newline. */
	cr_assert_eq(cpustat("nr_periods 0\nusage_usec 42", &v), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(cpustat("usage_usec 18446744073709551615\n", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
}

Test(member_cgroup, cpustat_bad_keeps_value)
{
	static const char *const bad[] = {
		"", "\n", "user_usec 5\n", "usage_usec\n", "usage_usec \n",
		"usage_usec x\n", "usage_usec 12x\n", "usage_usec -1\n",
		"usage_usec 18446744073709551616\n", "usage_usec 1 2\n",
		"xusage_usec 5\n", "usage_usec  5\n",
	};
	uint64_t	 v = 77;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(cpustat(bad[i], &v), -1, "accepted \"%s\"",
		    bad[i]);
		cr_assert_eq(v, 77);
	}
	/* The length counts, not a NUL. */
	cr_assert_eq(ma_cpustat_parse("usage_usec 123", 12, &v), 0);
	cr_assert_eq(v, 1);
}

Test(member_cgroup, cpumax_good)
{
	struct ma_cpumax	 m;

	cr_assert_eq(cpumax("20000 100000\n", &m), 0);
	cr_assert(!m.unlimited);
	cr_assert_eq(m.quota, 20000);
	cr_assert_eq(m.period, 100000);
	cr_assert_eq(cpumax("max 100000\n", &m), 0);
	cr_assert(m.unlimited);
	cr_assert_eq(m.period, 100000);
	cr_assert_eq(cpumax("200000 100000", &m), 0);	/* 2 CPUs */
	cr_assert_eq(m.quota, 200000);
}

Test(member_cgroup, cpumax_bad_keeps_value)
{
	static const char *const bad[] = {
		"", "\n", "max", "max\n", "20000\n", "20000  100000\n",
		"0 100000\n", "max 999\n", "max 1000001\n", "maxi 100000\n",
		"20000 100000 5\n", "20000 100000\n\n", "-1 100000\n",
		"20000 1e5\n", " 20000 100000\n",
	};
	struct ma_cpumax	 m = { .quota = 5, .period = 6 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(cpumax(bad[i], &m), -1, "accepted \"%s\"",
		    bad[i]);
		cr_assert_eq(m.quota, 5);
		cr_assert_eq(m.period, 6);
	}
}

Test(member_cgroup, percent)
{
	struct ma_cpumax	 fifth = { false, 20000, 100000 };
	struct ma_cpumax	 half = { false, 50000, 100000 };
	struct ma_cpumax	 none = { true, 0, 100000 };

	/* 100 ms of CPU in 1 s: 50 % of a fifth, 20 % of a half. */
	cr_assert_eq(ma_cgroup_pct(100000, 1000000, &fifth, 2), 50);
	cr_assert_eq(ma_cgroup_pct(100000, 1000000, &half, 2), 20);
	/* Unlimited: against every CPU online. */
	cr_assert_eq(ma_cgroup_pct(100000, 1000000, &none, 2), 5);
	cr_assert_eq(ma_cgroup_pct(100000, 1000000, &none, 0), 10);
	/* Capped, and nothing over no time. */
	cr_assert_eq(ma_cgroup_pct(900000, 1000000, &fifth, 2), 100);
	cr_assert_eq(ma_cgroup_pct(5, 0, &fifth, 2), 0);
	cr_assert_eq(ma_cgroup_pct(UINT64_MAX, 1, &fifth, 2), 100);
}

static void
put(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

Test(member_cgroup, sample_deltas_and_errors)
{
	char			 dir[] = "/tmp/test_member_cgroup.XXXXXX";
	char			 err[256], path[600];
	struct ma_cgroup	 cg = { 0 };

	cr_assert_not_null(mkdtemp(dir));
	cg.dir = dir;
	put(dir, "cpu.stat", "usage_usec 1000000\n");
	put(dir, "cpu.max", "20000 100000\n");
	/* The first sample is the baseline. */
	cr_assert_eq(ma_cgroup_sample(&cg, 5000000, 2, err, sizeof(err)), 0);
	cr_assert_eq(cg.load, 0);
	/* 60 ms over 1 s of a fifth of a CPU: 30 %. */
	put(dir, "cpu.stat", "usage_usec 1060000\n");
	cr_assert_eq(ma_cgroup_sample(&cg, 6000000, 2, err, sizeof(err)), 0);
	cr_assert_eq(cg.load, 30);
	/* Too soon after: the last value stays, the baseline too. */
	put(dir, "cpu.stat", "usage_usec 1070000\n");
	cr_assert_eq(ma_cgroup_sample(&cg, 6010000, 2, err, sizeof(err)), 0);
	cr_assert_eq(cg.load, 30);
	/* Malformed: an error, the last value kept. */
	put(dir, "cpu.max", "lots\n");
	put(dir, "cpu.stat", "usage_usec 1160000\n");
	cr_assert_eq(ma_cgroup_sample(&cg, 7000000, 2, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cpu.max") != NULL, "%s", err);
	cr_assert_eq(cg.load, 30);
	/* Good again: measured from the last good sample (2 s, 100 ms). */
	put(dir, "cpu.max", "max 100000\n");
	cr_assert_eq(ma_cgroup_sample(&cg, 8000000, 2, err, sizeof(err)), 0);
	cr_assert_eq(cg.load, 3);	/* 100 ms / (2 s * 2 CPUs) = 2.5 */
	/* Gone: an error naming the file. */
	snprintf(path, sizeof(path), "%s/cpu.stat", dir);
	unlink(path);
	cr_assert_eq(ma_cgroup_sample(&cg, 9000000, 2, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cpu.stat") != NULL, "%s", err);
	cr_assert_eq(cg.load, 3);
	snprintf(path, sizeof(path), "%s/cpu.max", dir);
	unlink(path);
	rmdir(dir);
}

Test(member_cgroup, v1_parsers)
{
	struct ma_cpumax	 m = { .quota = 5, .period = 6 };
	uint64_t		 u = 9;

	cr_assert_eq(ma_cfs_parse("20000\n", 6, "100000\n", 7, &m), 0);
	cr_assert(!m.unlimited);
	cr_assert_eq(m.quota, 20000);
	cr_assert_eq(m.period, 100000);
	cr_assert_eq(ma_cfs_parse("-1\n", 3, "100000\n", 7, &m), 0);
	cr_assert(m.unlimited);
	cr_assert_eq(ma_cfs_parse("-2\n", 3, "100000\n", 7, &m), -1);
	cr_assert_eq(ma_cfs_parse("0\n", 2, "100000\n", 7, &m), -1);
	cr_assert_eq(ma_cfs_parse("5000\n", 5, "10\n", 3, &m), -1);
	cr_assert_eq(ma_cfs_parse("5000 \n", 6, "100000\n", 7, &m), -1);
	cr_assert(m.unlimited);		/* kept */
	cr_assert_eq(ma_cpuacct_parse("12164653991359\n", 15, &u), 0);
	cr_assert_eq(u, 12164653991);
	cr_assert_eq(ma_cpuacct_parse("12x\n", 4, &u), -1);
	cr_assert_eq(ma_cpuacct_parse("", 0, &u), -1);
	cr_assert_eq(u, 12164653991);
}

/* cgroup v1 with cpu and cpuacct mounted apart: .../cpu/X, .../cpuacct/X. */
Test(member_cgroup, v1_sample)
{
	char			 root[] = "/tmp/test_member_cgv1.XXXXXX";
	char			 cpu[256], acct[256], err[256], path[300];
	struct ma_cgroup	 cg;

	cr_assert_not_null(mkdtemp(root));
	snprintf(cpu, sizeof(cpu), "%s/cpu", root);
	snprintf(acct, sizeof(acct), "%s/cpuacct", root);
	cr_assert_eq(mkdir(cpu, 0700), 0);
	cr_assert_eq(mkdir(acct, 0700), 0);
	snprintf(cpu, sizeof(cpu), "%s/cpu/m1", root);
	snprintf(acct, sizeof(acct), "%s/cpuacct/m1", root);
	cr_assert_eq(mkdir(cpu, 0700), 0);
	/* Not yet a cgroup of either kind. */
	cr_assert_eq(ma_cgroup_open(&cg, cpu, err, sizeof(err)), -1);
	put(cpu, "cpu.cfs_quota_us", "50000\n");
	put(cpu, "cpu.cfs_period_us", "100000\n");
	cr_assert_eq(ma_cgroup_open(&cg, cpu, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cpuacct.usage") != NULL, "%s", err);
	cr_assert_eq(mkdir(acct, 0700), 0);
	put(acct, "cpuacct.usage", "1000000000\n");
	cr_assert_eq(ma_cgroup_open(&cg, cpu, err, sizeof(err)), 0, "%s", err);
	cr_assert(cg.v1);
	cr_assert_str_eq(cg.acct, acct);
	cr_assert_eq(ma_cgroup_sample(&cg, 1000000, 2, err, sizeof(err)), 0);
	/* 100 ms of CPU over 1 s of half a CPU: 20 %. */
	put(acct, "cpuacct.usage", "1100000000\n");
	cr_assert_eq(ma_cgroup_sample(&cg, 2000000, 2, err, sizeof(err)), 0,
	    "%s", err);
	cr_assert_eq(cg.load, 20);
	const char *const files[][2] = { { cpu, "cpu.cfs_quota_us" },
	    { cpu, "cpu.cfs_period_us" }, { acct, "cpuacct.usage" } };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", files[i][0],
		    files[i][1]);
		unlink(path);
	}
	rmdir(acct);
	rmdir(cpu);
	snprintf(path, sizeof(path), "%s/cpu", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/cpuacct", root);
	rmdir(path);
	rmdir(root);
}
