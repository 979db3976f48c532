/*
 * The LOAD of REPORTs from the member's own cgroup (cgroup v2): CPU
 * time used (cpu.stat usage_usec) over the CPU it may use (cpu.max)
 * during the report interval.  Members that share one machine then
 * report their own loads instead of the machine's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "cgroup.h"

#define MA_CG_FILE_MAX	4096

/* A decimal number at p (< end), at most UINT64_MAX.  0 or -1. */
static int
ma_cg_u64(const char **pp, const char *end, uint64_t *v)
{
	const char	*p = *pp;
	uint64_t	 n = 0;

	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned	 d = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*pp = p;
	*v = n;
	return 0;
}

static bool
ma_cg_eol(const char *p, const char *end)
{
	return p == end || *p == '\n';
}

int
ma_cpustat_parse(const char *text, size_t len, uint64_t *usage_usec)
{
	static const char	 key[] = "usage_usec ";
	const char		*p = text, *end = text + len, *eol;
	uint64_t		 v;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > sizeof(key) - 1 &&
		    memcmp(p, key, sizeof(key) - 1) == 0) {
			p += sizeof(key) - 1;
			if (ma_cg_u64(&p, eol, &v) == -1 || p != eol)
				return -1;
			*usage_usec = v;
			return 0;
		}
		p = eol + (eol < end);
	}
	return -1;
}

int
ma_cpumax_parse(const char *text, size_t len, struct ma_cpumax *m)
{
	const char		*p = text, *end = text + len;
	struct ma_cpumax	 r = { 0 };

	if ((size_t)(end - p) >= 3 && memcmp(p, "max", 3) == 0) {
		r.unlimited = true;
		p += 3;
	} else if (ma_cg_u64(&p, end, &r.quota) == -1 || r.quota == 0)
		return -1;
	if (p >= end || *p++ != ' ')
		return -1;
	if (ma_cg_u64(&p, end, &r.period) == -1 ||
	    r.period < MA_CG_MIN_PERIOD || r.period > MA_CG_MAX_PERIOD)
		return -1;
	if (!ma_cg_eol(p, end) || (p < end && p + 1 != end))
		return -1;
	*m = r;
	return 0;
}

/* One decimal number, then an optional newline, nothing else. */
static int
ma_cg_line_u64(const char *text, size_t len, uint64_t *v)
{
	const char	*p = text, *end = text + len;
	uint64_t	 n;

	if (ma_cg_u64(&p, end, &n) == -1 ||
	    !(p == end || (*p == '\n' && p + 1 == end)))
		return -1;
	*v = n;
	return 0;
}

int
ma_cfs_parse(const char *quota, size_t qlen, const char *period, size_t plen,
    struct ma_cpumax *m)
{
	struct ma_cpumax	 r = { 0 };

	if ((qlen == 2 || qlen == 3) && memcmp(quota, "-1", 2) == 0 &&
	    (qlen == 2 || quota[2] == '\n'))
		r.unlimited = true;
	else if (ma_cg_line_u64(quota, qlen, &r.quota) == -1 || r.quota == 0)
		return -1;
	if (ma_cg_line_u64(period, plen, &r.period) == -1 ||
	    r.period < MA_CG_MIN_PERIOD || r.period > MA_CG_MAX_PERIOD)
		return -1;
	*m = r;
	return 0;
}

int
ma_cpuacct_parse(const char *text, size_t len, uint64_t *usage_usec)
{
	uint64_t	 ns;

	if (ma_cg_line_u64(text, len, &ns) == -1)
		return -1;
	*usage_usec = ns / 1000;
	return 0;
}

uint8_t
ma_cgroup_pct(uint64_t used_us, uint64_t wall_us, const struct ma_cpumax *m,
    long ncpu)
{
	double	 allowed, pct;

	if (wall_us == 0)
		return 0;
	if (m->unlimited || m->period == 0)
		allowed = (double)wall_us * (double)(ncpu < 1 ? 1 : ncpu);
	else
		allowed = (double)wall_us * (double)m->quota /
		    (double)m->period;
	pct = (double)used_us * 100.0 / allowed;
	if (pct >= 100.0)
		return 100;
	return (uint8_t)(pct + 0.5);
}

/* dir/name into buf: its length, or -1 with a message in err. */
static ssize_t
ma_cg_read(const char *dir, const char *name, char *buf, size_t cap,
    char *err, size_t errlen)
{
	char	 path[4096];
	ssize_t	 n;
	size_t	 len = 0;
	int	 fd, e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	while (len < cap && (n = read(fd, buf + len, cap - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			return errf(err, errlen, "%s: %s", path, strerror(e));
		}
		len += (size_t)n;
	}
	close(fd);
	return (ssize_t)len;
}

static bool
ma_cg_has(const char *dir, const char *name)
{
	char	 path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, R_OK) == 0;
}

int
ma_cgroup_open(struct ma_cgroup *cg, const char *dir, char *err,
    size_t errlen)
{
	const char	*seg;

	memset(cg, 0, sizeof(*cg));
	cg->dir = dir;
	if (ma_cg_has(dir, "cpu.max"))
		return 0;
	if (!ma_cg_has(dir, "cpu.cfs_quota_us"))
		return errf(err, errlen, "%s: neither cpu.max (cgroup v2 with "
		    "the cpu controller) nor cpu.cfs_quota_us (cgroup v1)",
		    dir);
	cg->v1 = true;
	snprintf(cg->acct, sizeof(cg->acct), "%s", dir);
	if (ma_cg_has(dir, "cpuacct.usage"))
		return 0;
	if ((seg = strstr(dir, "/cpu/")) != NULL)
		snprintf(cg->acct, sizeof(cg->acct), "%.*s/cpuacct/%s",
		    (int)(seg - dir), dir, seg + 5);
	if (!ma_cg_has(cg->acct, "cpuacct.usage"))
		return errf(err, errlen, "%s: no cpuacct.usage there nor in "
		    "%s", dir, cg->acct);
	return 0;
}

/* cgroup v1: the same two figures from cpu.cfs_* and cpuacct.usage. */
static int
ma_cgroup_read_v1(struct ma_cgroup *cg, uint64_t *usage,
    struct ma_cpumax *max, char *err, size_t errlen)
{
	char	 q[64], pd[64], buf[64];
	ssize_t	 nq, np, n;

	if ((n = ma_cg_read(cg->acct, "cpuacct.usage", buf, sizeof(buf),
	    err, errlen)) == -1)
		return -1;
	if (ma_cpuacct_parse(buf, (size_t)n, usage) == -1)
		return errf(err, errlen, "%s/cpuacct.usage: not a number",
		    cg->acct);
	if ((nq = ma_cg_read(cg->dir, "cpu.cfs_quota_us", q, sizeof(q), err,
	    errlen)) == -1 || (np = ma_cg_read(cg->dir, "cpu.cfs_period_us",
	    pd, sizeof(pd), err, errlen)) == -1)
		return -1;
	if (ma_cfs_parse(q, (size_t)nq, pd, (size_t)np, max) == -1)
		return errf(err, errlen, "%s/cpu.cfs_quota_us, "
		    "cpu.cfs_period_us: not a quota and a period", cg->dir);
	return 0;
}

static int
ma_cgroup_read_v2(struct ma_cgroup *cg, uint64_t *usage,
    struct ma_cpumax *max, char *err, size_t errlen)
{
	char	 buf[MA_CG_FILE_MAX];
	ssize_t	 n;

	if ((n = ma_cg_read(cg->dir, "cpu.stat", buf, sizeof(buf), err,
	    errlen)) == -1)
		return -1;
	if (ma_cpustat_parse(buf, (size_t)n, usage) == -1)
		return errf(err, errlen, "%s/cpu.stat: no usage_usec line "
		    "with a number", cg->dir);
	if ((n = ma_cg_read(cg->dir, "cpu.max", buf, sizeof(buf), err,
	    errlen)) == -1)
		return -1;
	if (ma_cpumax_parse(buf, (size_t)n, max) == -1)
		return errf(err, errlen, "%s/cpu.max: expected \"QUOTA "
		    "PERIOD\" or \"max PERIOD\"", cg->dir);
	return 0;
}

int
ma_cgroup_sample(struct ma_cgroup *cg, uint64_t now_us, long ncpu, char *err,
    size_t errlen)
{
	struct ma_cpumax	 max;
	uint64_t		 usage;

	if ((cg->v1 ? ma_cgroup_read_v1(cg, &usage, &max, err, errlen) :
	    ma_cgroup_read_v2(cg, &usage, &max, err, errlen)) == -1)
		return -1;
	if (cg->have_prev) {
		if (now_us < cg->prev_wall + MA_CG_MIN_SAMPLE_US)
			return 0;	/* too short to tell: keep the last */
		/* A counter that went back: a new cgroup of the same name. */
		if (usage >= cg->prev_usage)
			cg->load = ma_cgroup_pct(usage - cg->prev_usage,
			    now_us - cg->prev_wall, &max, ncpu);
	}
	cg->have_prev = true;
	cg->prev_usage = usage;
	cg->prev_wall = now_us;
	return 0;
}
