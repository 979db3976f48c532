/*
 * rtable.c against a deliberately naive linear table: random routes with
 * nested prefixes, random lookups, random removals, and the edge cases
 * (default route, host routes, every prefix length, walk order).
 *
 * The seed is fixed and printed in every failure; set RTABLE_SEED to
 * replay or to try another.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rng_test.h"
#include "addr.h"
#include "route.h"

#define RT_SEED_DEFAULT	0x7a3c5e91d2b40f68ULL
#define RT_NROUTES	10000
#define RT_NLOOKUPS	100000

#define RT_CHECK(cond, fmt, ...)					\
	cr_assert(cond, "seed %#" PRIx64 ": " fmt, rt_seed, ##__VA_ARGS__)

static uint64_t	rt_seed;
static uint64_t	rng_state;

static uint64_t
rng(void)
{
	return splitmix64(&rng_state);
}

static void
rng_init(void)
{
	rt_seed = seed_from_env("RTABLE_SEED", RT_SEED_DEFAULT);
	rng_state = rt_seed;
}

static void *
val(size_t i)
{
	return (void *)(uintptr_t)((i + 1) * 16);
}

static struct in6_addr
addr(const char *s)
{
	struct in6_addr	a;

	cr_assert(inet_pton(AF_INET6, s, &a) == 1, "bad address %s", s);
	return a;
}

/*
 * The naive model: an array of routes scanned from end to end.  Live
 * routes come first; removed ones stay behind them, [live, n), so the
 * test can check that they are really gone.
 */
struct naive_route {
	uint64_t	 mw[2], pw[2];	/* mask and prefix as two words */
	uint8_t		 pfx[16];	/* host bits cleared */
	uint8_t		 plen;
	void		*value;
};

struct naive {
	struct naive_route	*r;
	size_t			 live, n, cap;
};

static int
bit_get(const uint8_t *a, int bit)
{
	return (a[bit / 8] >> (7 - bit % 8)) & 1;
}

static void
bit_set(uint8_t *a, int bit, int v)
{
	if (v)
		a[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	else
		a[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
}

static void
naive_mask(uint8_t *m, int plen)
{
	memset(m, 0, 16);
	for (int b = 0; b < plen; b++)
		bit_set(m, b, 1);
}

static void
naive_words(uint64_t w[2], const uint8_t *a)
{
	w[0] = w[1] = 0;
	for (int i = 0; i < 16; i++)
		w[i / 8] = w[i / 8] << 8 | a[i];
}

static int
naive_covers(const struct naive_route *r, const uint64_t w[2])
{
	return (w[0] & r->mw[0]) == r->pw[0] && (w[1] & r->mw[1]) == r->pw[1];
}

static struct naive_route *
naive_exact(struct naive *nv, const struct in6_addr *a, int plen)
{
	uint64_t	w[2];

	naive_words(w, a->s6_addr);
	for (size_t i = 0; i < nv->live; i++) {
		struct naive_route *r = &nv->r[i];

		if (r->plen == plen && naive_covers(r, w))
			return r;
	}
	return NULL;
}

static void
naive_add(struct naive *nv, const struct in6_addr *a, int plen, void *v)
{
	struct naive_route	*r;
	uint8_t			 mask[16];

	if (nv->n == nv->cap) {
		nv->cap = nv->cap ? nv->cap * 2 : 1024;
		nv->r = realloc(nv->r, nv->cap * sizeof(*nv->r));
		cr_assert_not_null(nv->r);
	}
	nv->r[nv->n++] = nv->r[nv->live];
	r = &nv->r[nv->live++];
	naive_mask(mask, plen);
	for (int i = 0; i < 16; i++)
		r->pfx[i] = a->s6_addr[i] & mask[i];
	naive_words(r->pw, r->pfx);
	naive_words(r->mw, mask);
	r->plen = (uint8_t)plen;
	r->value = v;
}

/* Move live route i behind the live ones. */
static void
naive_del(struct naive *nv, size_t i)
{
	struct naive_route	tmp = nv->r[i];

	nv->live--;
	nv->r[i] = nv->r[nv->live];
	nv->r[nv->live] = tmp;
}

static void *
naive_lookup(const struct naive *nv, const struct in6_addr *a)
{
	const struct naive_route	*best = NULL;
	uint64_t			 w[2];

	naive_words(w, a->s6_addr);
	for (size_t i = 0; i < nv->live; i++) {
		const struct naive_route *r = &nv->r[i];

		if (naive_covers(r, w) &&
		    (best == NULL || r->plen > best->plen))
			best = r;
	}
	return best ? best->value : NULL;
}

static struct naive_route *
naive_random_live(struct naive *nv)
{
	return &nv->r[rng() % nv->live];
}

/* ---- random input ---- */

static void
random_bits(struct in6_addr *a, int from)
{
	for (int b = from; b < 128; b++)
		bit_set(a->s6_addr, b, (int)(rng() & 1));
}

/* Mostly under a few /16s so that unrelated routes still overlap. */
static void
random_addr(struct in6_addr *a)
{
	random_bits(a, 0);
	if (rng() % 10 < 7) {
		a->s6_addr[0] = 0x20;
		a->s6_addr[1] = (uint8_t)(rng() % 4);
	}
}

/* Weighted toward the lengths real tables hold. */
static int
random_plen(void)
{
	unsigned int	r = (unsigned int)(rng() % 100);

	if (r < 3)
		return 3 + (int)(rng() % 13);
	if (r < 15)
		return 16 + (int)(rng() % 16);
	if (r < 30)
		return (int[]){ 32, 40, 44, 48, 56, 64 }[rng() % 6];
	if (r < 50)
		return 32 + (int)(rng() % 33);
	if (r < 65)
		return 65 + (int)(rng() % 63);
	return 128;
}

/*
 * A route, a quarter of them nested inside or around existing ones.
 * Prefixes shorter than /16 stay inside 2000::/3, as in practice, so
 * that part of the address space is left without a route.
 */
static void
random_route(struct naive *nv, struct in6_addr *a, int *plen)
{
	struct naive_route	*r;

	if (nv->live > 0 && rng() % 4 == 0) {
		r = naive_random_live(nv);
		memcpy(a->s6_addr, r->pfx, 16);
		if (r->plen < 128 && rng() % 3 != 0)
			*plen = r->plen + 1 + (int)(rng() % (128u - r->plen));
		else
			*plen = (int)(rng() % (r->plen + 1u));
		random_bits(a, *plen);	/* host bits must be ignored */
	} else {
		random_addr(a);
		*plen = random_plen();
	}
	if (*plen < 16) {
		*plen = *plen < 3 ? 3 : *plen;
		a->s6_addr[0] = (a->s6_addr[0] & 0x1f) | 0x20;
	}
}

/* Returns how many lookups found nothing. */
static int
random_lookups(struct rtable *rt, struct naive *nv, int n, const char *phase)
{
	struct in6_addr	 a;
	void		*want, *got;
	int		 misses = 0;

	for (int i = 0; i < n; i++) {
		if (i % 2 == 0 && nv->live > 0) {
			struct naive_route *r = naive_random_live(nv);

			memcpy(a.s6_addr, r->pfx, 16);
			random_bits(&a, r->plen);
		} else
			random_addr(&a);
		want = naive_lookup(nv, &a);
		got = rtable_lookup(rt, &a);
		RT_CHECK(got == want, "%s: lookup %d of %s: got %p, want %p",
		    phase, i, fmt_addr(&a), got, want);
		misses += want == NULL;
	}
	return misses;
}

/* ---- walk collection ---- */

struct walk_ent {
	struct in6_addr	 a;
	uint8_t		 plen;
	void		*value;
};

struct walk_acc {
	struct walk_ent	*e;
	size_t		 n, cap;
};

static void
walk_cb(const struct in6_addr *a, uint8_t plen, void *value, void *arg)
{
	struct walk_acc	*w = arg;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->e = realloc(w->e, w->cap * sizeof(*w->e));
		cr_assert_not_null(w->e);
	}
	w->e[w->n].a = *a;
	w->e[w->n].plen = plen;
	w->e[w->n].value = value;
	w->n++;
}

static int
walk_ent_cmp(const void *x, const void *y)
{
	const struct walk_ent	*p = x, *q = y;

	if (p->plen != q->plen)
		return p->plen < q->plen ? -1 : 1;
	return memcmp(p->a.s6_addr, q->a.s6_addr, 16);
}

static void
check_walk(struct rtable *rt, struct naive *nv, const char *phase)
{
	struct walk_acc	 got = { 0 }, want = { 0 };

	for (size_t i = 0; i < nv->live; i++) {
		struct naive_route *r = &nv->r[i];
		struct in6_addr a;

		memcpy(a.s6_addr, r->pfx, 16);
		walk_cb(&a, r->plen, r->value, &want);
	}
	if (want.n > 0)
		qsort(want.e, want.n, sizeof(*want.e), walk_ent_cmp);
	rtable_walk(rt, walk_cb, &got);
	RT_CHECK(got.n == want.n, "%s: walk gave %zu routes, want %zu",
	    phase, got.n, want.n);
	RT_CHECK(rtable_count(rt) == want.n, "%s: count %zu, want %zu",
	    phase, rtable_count(rt), want.n);
	for (size_t i = 0; i < got.n; i++)
		RT_CHECK(walk_ent_cmp(&got.e[i], &want.e[i]) == 0 &&
		    got.e[i].value == want.e[i].value,
		    "%s: walk entry %zu is %s/%u, want %s/%u", phase, i,
		    fmt_addr(&got.e[i].a), got.e[i].plen,
		    fmt_addr(&want.e[i].a), want.e[i].plen);
	free(got.e);
	free(want.e);
}

/* ---- tests ---- */

Test(rtable, random_against_linear)
{
	struct rtable		*rt = rtable_new();
	struct naive		 nv = { 0 };
	struct naive_route	 back[256];
	struct in6_addr		 a, def;
	size_t			 nval = 0, nback = 0;
	int			 plen, dup, misses;

	rng_init();
	while (nv.live < RT_NROUTES) {
		random_route(&nv, &a, &plen);
		dup = naive_exact(&nv, &a, plen) != NULL;
		RT_CHECK(rtable_insert(rt, &a, (uint8_t)plen, val(nval)) ==
		    (dup ? -1 : 0), "insert %s/%d (duplicate %d)",
		    fmt_addr(&a), plen, dup);
		if (!dup)
			naive_add(&nv, &a, plen, val(nval));
		RT_CHECK(rtable_exact(rt, &a, (uint8_t)plen) ==
		    naive_exact(&nv, &a, plen)->value, "exact %s/%d",
		    fmt_addr(&a), plen);
		nval++;
	}
	RT_CHECK(rtable_count(rt) == nv.live, "count %zu, want %zu",
	    rtable_count(rt), nv.live);
	/* Both outcomes must be exercised, not just one. */
	misses = random_lookups(rt, &nv, RT_NLOOKUPS, "full table");
	RT_CHECK(misses > RT_NLOOKUPS / 50 && misses < RT_NLOOKUPS / 2,
	    "%d of %d lookups missed", misses, RT_NLOOKUPS);
	check_walk(rt, &nv, "full table");

	/* A default route catches everything the others miss. */
	random_bits(&def, 0);
	RT_CHECK(rtable_insert(rt, &def, 0, val(nval)) == 0, "default route");
	naive_add(&nv, &def, 0, val(nval));
	nval++;
	misses = random_lookups(rt, &nv, RT_NLOOKUPS / 10, "with default");
	RT_CHECK(misses == 0, "%d misses with a default route", misses);

	/* Remove a random half, through unmasked addresses. */
	for (size_t i = nv.live; i-- > 0;) {
		struct naive_route *r = &nv.r[i];

		if (rng() % 2 == 0)
			continue;
		memcpy(a.s6_addr, r->pfx, 16);
		random_bits(&a, r->plen);
		RT_CHECK(rtable_remove(rt, &a, r->plen) == r->value,
		    "remove %s/%u", fmt_addr(&a), r->plen);
		RT_CHECK(rtable_remove(rt, &a, r->plen) == NULL,
		    "second remove %s/%u", fmt_addr(&a), r->plen);
		naive_del(&nv, i);
	}
	RT_CHECK(nv.n - nv.live > RT_NROUTES / 3, "removed only %zu",
	    nv.n - nv.live);
	RT_CHECK(rtable_count(rt) == nv.live, "count %zu after removal, "
	    "want %zu", rtable_count(rt), nv.live);
	for (size_t i = 0; i < nv.n; i++) {
		struct naive_route *r = &nv.r[i];

		memcpy(a.s6_addr, r->pfx, 16);
		RT_CHECK(rtable_exact(rt, &a, r->plen) ==
		    (i < nv.live ? r->value : NULL),
		    "exact %s/%u after removal", fmt_addr(&a), r->plen);
	}
	random_lookups(rt, &nv, RT_NLOOKUPS, "after removal");
	check_walk(rt, &nv, "after removal");

	/* Removed prefixes can come back. */
	for (size_t i = nv.live; i < nv.n && nback < 256; i += 7)
		back[nback++] = nv.r[i];
	for (size_t i = 0; i < nback; i++) {
		memcpy(a.s6_addr, back[i].pfx, 16);
		RT_CHECK(rtable_insert(rt, &a, back[i].plen, val(nval)) == 0,
		    "reinsert %s/%u", fmt_addr(&a), back[i].plen);
		naive_add(&nv, &a, back[i].plen, val(nval));
		nval++;
	}
	random_lookups(rt, &nv, RT_NLOOKUPS / 10, "after reinsertion");
	check_walk(rt, &nv, "after reinsertion");

	/* Empty it completely. */
	for (size_t i = nv.live; i-- > 0;) {
		struct naive_route *r = &nv.r[i];

		memcpy(a.s6_addr, r->pfx, 16);
		RT_CHECK(rtable_remove(rt, &a, r->plen) == r->value,
		    "final remove %s/%u", fmt_addr(&a), r->plen);
		naive_del(&nv, i);
	}
	RT_CHECK(rtable_count(rt) == 0, "count %zu when empty",
	    rtable_count(rt));
	random_lookups(rt, &nv, 1000, "empty");
	check_walk(rt, &nv, "empty");
	rtable_free(rt);
	free(nv.r);
}

/* Insert and remove churn on two lengths, exercising growth and shrink. */
Test(rtable, churn_one_length)
{
	struct rtable	*rt = rtable_new();
	struct in6_addr	 a;
	void		*present[2][512] = { { 0 } };
	size_t		 live = 0;
	int		 plens[2] = { 48, 128 };

	rng_init();
	for (int op = 0; op < 200000; op++) {
		int	 l = (int)(rng() % 2), k = (int)(rng() % 512);
		void	*v = val((size_t)op);

		memset(&a, 0, sizeof(a));
		a.s6_addr[0] = 0x20;
		a.s6_addr[1] = 0x01;
		if (l == 0) {
			a.s6_addr[4] = (uint8_t)(k >> 8);
			a.s6_addr[5] = (uint8_t)k;
		} else {
			a.s6_addr[14] = (uint8_t)(k >> 8);
			a.s6_addr[15] = (uint8_t)k;
		}
		/* Fill and drain in waves so the tables grow and shrink. */
		if ((op / 20000) % 2 == 0 ? rng() % 8 != 0 : rng() % 8 == 0) {
			RT_CHECK(rtable_insert(rt, &a, (uint8_t)plens[l], v) ==
			    (present[l][k] ? -1 : 0), "op %d insert", op);
			if (present[l][k] == NULL) {
				present[l][k] = v;
				live++;
			}
		} else {
			RT_CHECK(rtable_remove(rt, &a, (uint8_t)plens[l]) ==
			    present[l][k], "op %d remove", op);
			if (present[l][k] != NULL)
				live--;
			present[l][k] = NULL;
		}
		if (op % 997 != 0)
			continue;
		RT_CHECK(rtable_count(rt) == live, "op %d count", op);
		for (l = 0; l < 2; l++)
			for (k = 0; k < 512; k++) {
				memset(&a, 0, sizeof(a));
				a.s6_addr[0] = 0x20;
				a.s6_addr[1] = 0x01;
				a.s6_addr[l ? 14 : 4] = (uint8_t)(k >> 8);
				a.s6_addr[l ? 15 : 5] = (uint8_t)k;
				RT_CHECK(rtable_exact(rt, &a, (uint8_t)plens[l])
				    == present[l][k], "op %d exact %s/%d", op,
				    fmt_addr(&a), plens[l]);
			}
	}
	rtable_free(rt);
}

Test(rtable, exact_insert_remove_semantics)
{
	struct rtable	*rt = rtable_new();
	struct in6_addr	 p = addr("2001:db8::"), hostbits;
	struct in6_addr	 other = addr("2001:db9::");

	cr_assert_eq(rtable_count(rt), 0);
	cr_assert_null(rtable_exact(rt, &p, 32));
	cr_assert_null(rtable_remove(rt, &p, 32));
	cr_assert_eq(rtable_insert(rt, &p, 32, val(1)), 0);
	cr_assert_eq(rtable_count(rt), 1);

	/* Host bits are ignored everywhere. */
	hostbits = addr("2001:db8:ffff:1::42");
	cr_assert_eq(rtable_insert(rt, &hostbits, 32, val(2)), -1);
	cr_assert_eq(rtable_count(rt), 1);
	cr_assert_eq(rtable_exact(rt, &hostbits, 32), val(1));
	cr_assert_eq(rtable_exact(rt, &p, 32), val(1));

	/* Same address, other length: a different prefix. */
	cr_assert_null(rtable_exact(rt, &p, 31));
	cr_assert_null(rtable_exact(rt, &p, 33));
	cr_assert_null(rtable_exact(rt, &other, 32));
	cr_assert_null(rtable_remove(rt, &p, 33));
	cr_assert_null(rtable_remove(rt, &other, 32));
	cr_assert_eq(rtable_insert(rt, &p, 33, val(3)), 0);
	cr_assert_eq(rtable_count(rt), 2);

	/* Invalid input is refused. */
	cr_assert_eq(rtable_insert(rt, &other, 129, val(4)), -1);
	cr_assert_eq(rtable_insert(rt, &other, 64, NULL), -1);
	cr_assert_null(rtable_exact(rt, &other, 129));
	cr_assert_null(rtable_remove(rt, &other, 255));
	cr_assert_eq(rtable_count(rt), 2);

	cr_assert_eq(rtable_remove(rt, &hostbits, 32), val(1));
	cr_assert_null(rtable_remove(rt, &p, 32));
	cr_assert_null(rtable_exact(rt, &p, 32));
	cr_assert_eq(rtable_exact(rt, &p, 33), val(3));
	cr_assert_eq(rtable_count(rt), 1);
	cr_assert_eq(rtable_insert(rt, &p, 32, val(5)), 0);
	cr_assert_eq(rtable_exact(rt, &p, 32), val(5));
	cr_assert_eq(rtable_count(rt), 2);
	rtable_free(rt);
	rtable_free(NULL);
}

Test(rtable, default_route)
{
	struct rtable	*rt = rtable_new();
	struct in6_addr	 any = addr("ffff:1234::5"), zero = addr("::");
	struct in6_addr	 a1 = addr("2001:db8::1"), a2 = addr("fe80::1");

	cr_assert_null(rtable_lookup(rt, &a1));
	cr_assert_null(rtable_lookup(rt, &zero));

	/* ::/0 given with host bits set is still the default route. */
	cr_assert_eq(rtable_insert(rt, &any, 0, val(0)), 0);
	cr_assert_eq(rtable_insert(rt, &zero, 0, val(9)), -1);
	cr_assert_eq(rtable_exact(rt, &zero, 0), val(0));
	cr_assert_eq(rtable_lookup(rt, &a1), val(0));
	cr_assert_eq(rtable_lookup(rt, &a2), val(0));
	cr_assert_eq(rtable_lookup(rt, &zero), val(0));
	cr_assert_eq(rtable_lookup(rt, &any), val(0));

	cr_assert_eq(rtable_insert(rt, &a1, 32, val(1)), 0);
	cr_assert_eq(rtable_lookup(rt, &a1), val(1));
	cr_assert_eq(rtable_lookup(rt, &a2), val(0));

	cr_assert_eq(rtable_remove(rt, &a2, 0), val(0));
	cr_assert_eq(rtable_lookup(rt, &a1), val(1));
	cr_assert_null(rtable_lookup(rt, &a2));
	cr_assert_eq(rtable_count(rt), 1);
	rtable_free(rt);
}

Test(rtable, host_routes)
{
	struct rtable	*rt = rtable_new();
	struct in6_addr	 net = addr("2001:db8:0:1::");
	struct in6_addr	 h1 = addr("2001:db8:0:1::1");
	struct in6_addr	 h2 = addr("2001:db8:0:1::2");
	struct in6_addr	 h3 = addr("2001:db8:0:1::3");
	struct in6_addr	 far = addr("2001:db8:0:2::1");

	cr_assert_eq(rtable_insert(rt, &net, 64, val(64)), 0);
	cr_assert_eq(rtable_insert(rt, &h1, 128, val(1)), 0);
	cr_assert_eq(rtable_insert(rt, &h2, 127, val(127)), 0);
	cr_assert_eq(rtable_insert(rt, &h1, 128, val(2)), -1);

	cr_assert_eq(rtable_lookup(rt, &h1), val(1));
	cr_assert_eq(rtable_lookup(rt, &h2), val(127));
	cr_assert_eq(rtable_lookup(rt, &h3), val(127));
	cr_assert_eq(rtable_lookup(rt, &net), val(64));
	cr_assert_null(rtable_lookup(rt, &far));
	cr_assert_eq(rtable_exact(rt, &h1, 128), val(1));
	cr_assert_null(rtable_exact(rt, &h3, 128));
	cr_assert_eq(rtable_exact(rt, &h3, 127), val(127));

	cr_assert_eq(rtable_remove(rt, &h1, 128), val(1));
	cr_assert_eq(rtable_lookup(rt, &h1), val(64));
	cr_assert_eq(rtable_remove(rt, &h3, 127), val(127));
	cr_assert_eq(rtable_lookup(rt, &h3), val(64));
	rtable_free(rt);
}

/*
 * A/p for every p in 0..128: an address that first differs from A at
 * bit k must match A/k exactly, across every word and byte boundary.
 */
Test(rtable, every_prefix_length)
{
	struct rtable	*rt = rtable_new();
	struct in6_addr	 base, probe;

	rng_init();
	random_bits(&base, 0);
	for (int p = 128; p >= 0; p--)
		RT_CHECK(rtable_insert(rt, &base, (uint8_t)p, val((size_t)p))
		    == 0, "insert /%d", p);
	cr_assert_eq(rtable_count(rt), 129);
	cr_assert_eq(rtable_lookup(rt, &base), val(128));
	for (int k = 0; k < 128; k++) {
		probe = base;
		bit_set(probe.s6_addr, k, !bit_get(base.s6_addr, k));
		random_bits(&probe, k + 1);
		RT_CHECK(rtable_lookup(rt, &probe) == val((size_t)k),
		    "%s differs from %s at bit %d", fmt_addr(&probe),
		    fmt_addr(&base), k);
	}
	for (int p = 128; p >= 0; p--) {
		RT_CHECK(rtable_lookup(rt, &base) == val((size_t)p),
		    "lookup with /%d longest", p);
		RT_CHECK(rtable_remove(rt, &base, (uint8_t)p) ==
		    val((size_t)p), "remove /%d", p);
	}
	cr_assert_null(rtable_lookup(rt, &base));
	cr_assert_eq(rtable_count(rt), 0);
	rtable_free(rt);
}

Test(rtable, walk_order_and_count)
{
	static const struct {
		const char	*pfx;
		uint8_t		 plen;
	} in[] = {
		{ "2001:db8:2::", 48 },
		{ "::", 0 },
		{ "2001:db8::1", 128 },
		{ "2001:db8:1::", 48 },
		{ "fd00::", 8 },
		{ "2001:db8::", 32 },
		{ "2001:db8::ffff", 128 },
		{ "2001:db8:0:1::", 64 },
		{ "2001::", 16 },
		{ "2001:db8::2", 128 },
		{ "8000::", 1 },
	}, want[] = {
		{ "::", 0 },
		{ "8000::", 1 },
		{ "fd00::", 8 },
		{ "2001::", 16 },
		{ "2001:db8::", 32 },
		{ "2001:db8:1::", 48 },
		{ "2001:db8:2::", 48 },
		{ "2001:db8:0:1::", 64 },
		{ "2001:db8::1", 128 },
		{ "2001:db8::2", 128 },
		{ "2001:db8::ffff", 128 },
	};
	struct rtable	*rt = rtable_new();
	struct walk_acc	 w = { 0 };
	struct in6_addr	 a;
	size_t		 n = sizeof(in) / sizeof(in[0]);

	rtable_walk(rt, walk_cb, &w);
	cr_assert_eq(w.n, 0);
	for (size_t i = 0; i < n; i++) {
		a = addr(in[i].pfx);
		cr_assert_eq(rtable_insert(rt, &a, in[i].plen, val(i)), 0);
		cr_assert_eq(rtable_count(rt), i + 1);
	}
	rtable_walk(rt, walk_cb, &w);
	cr_assert_eq(w.n, n);
	for (size_t i = 0; i < n; i++) {
		a = addr(want[i].pfx);
		cr_assert(memcmp(&w.e[i].a, &a, sizeof(a)) == 0 &&
		    w.e[i].plen == want[i].plen,
		    "walk entry %zu: %s/%u, want %s/%u", i,
		    fmt_addr(&w.e[i].a), w.e[i].plen, want[i].pfx,
		    want[i].plen);
		cr_assert_eq(rtable_exact(rt, &a, want[i].plen), w.e[i].value);
	}
	free(w.e);
	rtable_free(rt);
}
