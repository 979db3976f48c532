/*
 * bench/micro: the router's hot data structures on their own, one
 * thread, figures against the targets of docs/performance.md:
 *
 *   lpm      rtable_lookup() on 200 000 random IPv6 prefixes (lengths
 *            /16 to /64 weighted like a global table, plus ::/0),
 *            addresses drawn inside random prefixes: lookups/s; the
 *            lookup structure's bytes; the cost of route changes (remove
 *            and insert again, ::/0 included) and of removing them all
 *   flow     flow_lookup() of present keys in a table of 1 M flows:
 *            ns per lookup (and per miss, and per key of
 *            flow_lookup_bulk() over batches of FLOW_BATCH keys); the
 *            memory the table holds (resident, table of 2^20 flows);
 *            and what bounds a lookup, the latency of a load from
 *            memory (a pointer chase through CHASE_MB, alone and
 *            CHASE_WAYS at once)
 *   maglev   policy_maglev_build() of a 65 537-entry table, full build,
 *            for 3, 16 and 100 members: ms per build
 *
 * Usage: bench-micro [SECONDS per figure, default 2]
 */
#include <sys/mman.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "route.h"
#include "flow.h"
#include "policy.h"

#define LPM_PREFIXES	200000
#define LPM_ADDRS	(1u << 20)	/* addresses looked up, cycled */
#define LPM_CHURN	20000		/* route changes timed */
#define FLOWS		1000000
#define FLOW_KEYS	(1u << 20)
#define FLOW_BATCH	32	/* keys per flow_lookup_bulk(), a TAP burst */
#define CHASE_MB	128
#define CHASE_WAYS	32

static uint64_t	 rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next64(void)
{
	uint64_t	 z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
rand_addr(struct in6_addr *a)
{
	uint64_t	 hi = next64(), lo = next64();

	memcpy(a->s6_addr, &hi, 8);
	memcpy(a->s6_addr + 8, &lo, 8);
	a->s6_addr[0] = 0x20 | (a->s6_addr[0] & 0x1f);	/* 2000::/3 */
}

static void
mask(struct in6_addr *a, uint8_t plen)
{
	for (int i = 0; i < 16; i++) {
		int	 bits = plen - i * 8;

		if (bits <= 0)
			a->s6_addr[i] = 0;
		else if (bits < 8)
			a->s6_addr[i] &= (uint8_t)(0xff << (8 - bits));
	}
}

/* Lengths as in a global IPv6 table: mostly /48, /32, /40, /44. */
static uint8_t
rand_plen(void)
{
	static const uint8_t	 lens[] = { 48, 48, 48, 48, 48, 48, 32, 32,
				    40, 44, 36, 29, 28, 64, 56, 16 };

	return lens[next64() % (sizeof(lens) / sizeof(lens[0]))];
}

/* Route changes in the full table, then removal of every prefix. */
static void
lpm_changes(struct rtable *t, struct in6_addr *pfx,
    const uint8_t *plen, size_t n, void *any)
{
	struct in6_addr	 zero = IN6ADDR_ANY_INIT;
	double		 t0, el;
	size_t		 k;

	t0 = now_s();
	for (int i = 0; i < LPM_CHURN; i++) {
		k = next64() % n;
		if (rtable_remove(t, &pfx[k], plen[k]) == NULL ||
		    rtable_insert(t, &pfx[k], plen[k], &pfx[k]) != 0) {
			fprintf(stderr, "bench-micro: route change failed\n");
			exit(1);
		}
	}
	el = now_s() - t0;
	printf("lpm     %.2f us per route change (remove and insert again, "
	    "%d random prefixes)\n", el * 1e6 / LPM_CHURN, LPM_CHURN);
	t0 = now_s();
	rtable_remove(t, &zero, 0);
	rtable_insert(t, &zero, 0, any);
	el = now_s() - t0;
	printf("lpm     %.1f ms to remove and insert ::/0 again\n", el * 1e3);
	t0 = now_s();
	for (k = 0; k < n; k++)
		rtable_remove(t, &pfx[k], plen[k]);
	el = now_s() - t0;
	printf("lpm     %zu prefixes removed in %.0f ms (%.2f us each)\n", n,
	    el * 1e3, el * 1e6 / n);
}

static void
bench_lpm(double secs)
{
	struct rtable	*t = rtable_new();
	struct in6_addr	*pfx = calloc(LPM_PREFIXES, sizeof(*pfx));
	uint8_t		*plen = calloc(LPM_PREFIXES, 1);
	struct in6_addr	*addrs = calloc(LPM_ADDRS, sizeof(*addrs));
	struct in6_addr	 any = IN6ADDR_ANY_INIT;
	size_t		 n = 0, hits = 0;
	uint64_t	 lookups = 0;
	double		 t0, el;

	if (t == NULL || pfx == NULL || plen == NULL || addrs == NULL) {
		fprintf(stderr, "bench-micro: out of memory\n");
		exit(1);
	}
	rtable_insert(t, &any, 0, &any);
	t0 = now_s();
	while (n < LPM_PREFIXES) {
		rand_addr(&pfx[n]);
		plen[n] = rand_plen();
		mask(&pfx[n], plen[n]);
		if (rtable_insert(t, &pfx[n], plen[n], &pfx[n]) == 0)
			n++;
	}
	el = now_s() - t0;
	printf("lpm     %zu prefixes inserted in %.0f ms (%.2f us each); "
	    "lookup structure %.1f MB\n", n, el * 1e3, el * 1e6 / n,
	    rtable_lookup_bytes(t) / 1e6);
	for (uint32_t i = 0; i < LPM_ADDRS; i++) {
		struct in6_addr	 a;
		size_t		 k = next64() % n;

		rand_addr(&a);
		/* the prefix's bits, then random ones */
		for (int b = 0; b < 16; b++) {
			int	 bits = plen[k] - b * 8;
			uint8_t	 m = bits >= 8 ? 0xff : bits <= 0 ? 0 :
				    (uint8_t)(0xff << (8 - bits));

			a.s6_addr[b] = (uint8_t)((pfx[k].s6_addr[b] & m) |
			    (a.s6_addr[b] & ~m));
		}
		addrs[i] = a;
	}
	t0 = now_s();
	do {
		for (uint32_t i = 0; i < LPM_ADDRS; i++)
			hits += rtable_lookup(t, &addrs[i]) != &any;
		lookups += LPM_ADDRS;
	} while ((el = now_s() - t0) < secs);
	printf("lpm     %.1f M lookups/s (%.1f ns each; %.1f %% more "
	    "specific than ::/0; %s code)  target >= 50 M/s: %.2fx\n",
	    lookups / el / 1e6, el * 1e9 / lookups, 100.0 * hits / lookups,
	    rtable_lookup_impl(t), lookups / el / 50e6);
	lpm_changes(t, pfx, plen, n, &any);
	rtable_free(t);
	free(pfx);
	free(plen);
	free(addrs);
}

/* A field of /proc/self/status in kB ("VmRSS:"), -1 if not there. */
static long
status_kb(const char *field)
{
	FILE	*fp = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 kb = -1;

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			kb = atol(line + strlen(field));
	fclose(fp);
	return kb;
}

static void	*volatile chase_sink;

/*
 * ns per load along a random cycle through n cache lines (huge pages
 * advised, as for the flow table), following ways chains at once,
 * evenly spaced on the cycle so that none catches up with another.
 */
static double
chase_ns(void **lines, const uint32_t *perm, size_t n, int ways,
    size_t steps)
{
	void	**p[CHASE_WAYS];
	double	 t0, el;

	for (int w = 0; w < ways; w++)
		p[w] = &lines[(size_t)perm[(size_t)w * (n / ways)] * 8];
	t0 = now_s();
	for (size_t i = 0; i < steps; i++)
		for (int w = 0; w < ways; w++)
			p[w] = *p[w];
	el = now_s() - t0;
	for (int w = 0; w < ways; w++)
		chase_sink = p[w];
	return el * 1e9 / ((double)steps * ways);
}

static void
bench_memory(void)
{
	size_t	 n = (size_t)CHASE_MB << 14, len = n * 64;	/* lines */
	uint32_t *perm = calloc(n, sizeof(*perm));
	void	**lines = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (perm == NULL || lines == MAP_FAILED) {
		fprintf(stderr, "bench-micro: out of memory\n");
		exit(1);
	}
	(void)madvise(lines, len, MADV_HUGEPAGE);
	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t	 j = next64() % (i + 1);
		uint32_t tmp = perm[i];

		perm[i] = perm[j];
		perm[j] = tmp;
	}
	for (size_t i = 0; i < n; i++)
		lines[(size_t)perm[i] * 8] = &lines[(size_t)perm[(i + 1) % n] *
		    8];
	printf("flow    memory: %.1f ns per dependent load in %d MB, %.1f ns "
	    "each with %d chains at once\n",
	    chase_ns(lines, perm, n, 1, 2000000), CHASE_MB,
	    chase_ns(lines, perm, n, CHASE_WAYS, n / CHASE_WAYS), CHASE_WAYS);
	munmap(lines, len);
	free(perm);
}

static void
flow_key_n(struct flow_key *k, uint32_t i)
{
	struct in6_addr	 src = IN6ADDR_ANY_INIT, dst = IN6ADDR_ANY_INIT;

	src.s6_addr[0] = 0x20;
	src.s6_addr[1] = 0x01;
	memcpy(src.s6_addr + 12, &i, 4);
	dst.s6_addr[0] = 0x20;
	dst.s6_addr[15] = 1;
	flow_key_set(k, &src, &dst, (uint16_t)(i * 7919u), 80, 6);
}

static void
bench_flow(double secs)
{
	long			 rss0 = status_kb("VmRSS:");
	struct flow_table	*ft = flow_table_new(1u << 20, NULL);
	uint32_t		*order = calloc(FLOW_KEYS, sizeof(*order));
	struct flow_key		 k, batch[FLOW_BATCH];
	struct flow		*out[FLOW_BATCH];
	uint64_t		 lookups = 0, found = 0, now = 1000000000ull;
	double			 t0, el;

	if (ft == NULL || order == NULL) {
		fprintf(stderr, "bench-micro: out of memory\n");
		exit(1);
	}
	t0 = now_s();
	for (uint32_t i = 0; i < FLOWS; i++) {
		flow_key_n(&k, i);
		flow_insert(ft, &k, 0, i % 3, now);
	}
	el = now_s() - t0;
	printf("flow    %zu flows inserted in %.0f ms (%.0f ns each), "
	    "%ld MB resident for the table\n", flow_count(ft), el * 1e3,
	    el * 1e9 / FLOWS, (status_kb("VmRSS:") - rss0) / 1024);
	for (uint32_t i = 0; i < FLOW_KEYS; i++)
		order[i] = (uint32_t)(next64() % FLOWS);
	t0 = now_s();
	do {
		for (uint32_t i = 0; i < FLOW_KEYS; i++) {
			flow_key_n(&k, order[i]);
			found += flow_lookup(ft, &k, now) != NULL;
		}
		lookups += FLOW_KEYS;
	} while ((el = now_s() - t0) < secs);
	printf("flow    %.1f ns per lookup at %zu flows (%.1f %% found)  "
	    "target <= 40 ns: %.2fx\n", el * 1e9 / lookups, flow_count(ft),
	    100.0 * found / lookups, 40.0 / (el * 1e9 / lookups));
	lookups = found = 0;
	t0 = now_s();
	do {
		for (uint32_t i = 0; i < FLOW_KEYS; i++) {
			flow_key_n(&k, FLOWS + order[i]);
			found += flow_lookup(ft, &k, now) != NULL;
		}
		lookups += FLOW_KEYS;
	} while ((el = now_s() - t0) < secs);
	printf("flow    %.1f ns per miss (%llu found)\n",
	    el * 1e9 / lookups, (unsigned long long)found);
	lookups = found = 0;
	t0 = now_s();
	do {
		for (uint32_t i = 0; i < FLOW_KEYS; i += FLOW_BATCH) {
			for (uint32_t j = 0; j < FLOW_BATCH; j++)
				flow_key_n(&batch[j], order[i + j]);
			flow_lookup_bulk(ft, batch, FLOW_BATCH, now, out);
			for (uint32_t j = 0; j < FLOW_BATCH; j++)
				found += out[j] != NULL;
		}
		lookups += FLOW_KEYS;
	} while ((el = now_s() - t0) < secs);
	printf("flow    %.1f ns per lookup in batches of %d "
	    "(flow_lookup_bulk, %.1f %% found)  target <= 40 ns: %.2fx\n",
	    el * 1e9 / lookups, FLOW_BATCH, 100.0 * found / lookups,
	    40.0 / (el * 1e9 / lookups));
	flow_table_free(ft);
	free(order);
	bench_memory();
}

static void
bench_maglev(double secs)
{
	static const size_t	 sizes[] = { 3, 16, 100 };
	static struct policy_member m[100];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t	 n = sizes[s], builds = 0;
		double	 t0, el;

		for (size_t i = 0; i < n; i++) {
			m[i].key = next64();
			m[i].usable = true;
			m[i].weight = POLICY_WEIGHT_DEFAULT;
		}
		t0 = now_s();
		do {
			struct policy_state	 ps;

			policy_state_init(&ps, POLICY_MAGLEV, builds);
			if (policy_maglev_build(&ps, m, n) == -1) {
				fprintf(stderr, "bench-micro: maglev build "
				    "failed\n");
				exit(1);
			}
			policy_state_free(&ps);
			builds++;
		} while ((el = now_s() - t0) < secs / 3);
		printf("maglev  %.3f ms per full build of %d entries, %zu "
		    "members  target <= 2 ms: %.2fx\n", el * 1e3 / builds,
		    MAGLEV_SIZE, n, 2.0 / (el * 1e3 / builds));
	}
}

int
main(int argc, char **argv)
{
	double	 secs = argc > 1 ? atof(argv[1]) : 2.0;

	if (!(secs > 0)) {
		fprintf(stderr, "usage: bench-micro [SECONDS]\n");
		return 2;
	}
	bench_lpm(secs);
	bench_flow(secs);
	bench_maglev(secs);
	return 0;
}
