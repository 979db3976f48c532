/*
 * rtable_lookup() through the poptrie of rtable_trie.c, against a list of
 * prefixes scanned for the longest match, on short random histories of
 * insert, remove, re-insert and lookup crowded around one address: the
 * prefixes nest and touch each other, cross the direct table's and the
 * strides' boundaries, and regions change between the short list and
 * the trie as they fill and empty.
 *
 * The seed is fixed and printed in every failure; set RTABLE_SEED to
 * replay or to try another.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rng_test.h"
#include "addr.h"
#include "route.h"

#define TR_SEED_DEFAULT	0x51f0c3a2e9b7d468ULL
#define TR_MAXPFX	96	/* more than a region's short list holds */
#define TR_REFMAX	(2 * 128 + 1)

#define TR_CHECK(cond, fmt, ...)					\
	cr_assert(cond, "seed %#" PRIx64 ": " fmt, tr_seed, ##__VA_ARGS__)

typedef unsigned __int128 u128;

static uint64_t	tr_seed, tr_state;

static uint64_t
tr_rng(void)
{
	return splitmix64(&tr_state);
}

static void
tr_init(void)
{
	tr_seed = seed_from_env("RTABLE_SEED", TR_SEED_DEFAULT);
	tr_state = tr_seed;
}

static u128
tr_mask(int plen)
{
	return plen == 0 ? 0 : ~(u128)0 << (128 - plen);
}

static struct in6_addr
tr_addr(u128 v)
{
	struct in6_addr	a;

	for (int i = 15; i >= 0; i--, v >>= 8)
		a.s6_addr[i] = (uint8_t)v;
	return a;
}

/* The reference: every live prefix in an array, searched end to end. */
struct tr_ref {
	u128	 pfx[TR_REFMAX];
	int	 plen[TR_REFMAX];
	void	*value[TR_REFMAX];
	int	 n;
};

static int
tr_ref_find(const struct tr_ref *r, u128 pfx, int plen)
{
	for (int i = 0; i < r->n; i++)
		if (r->plen[i] == plen && r->pfx[i] == (pfx & tr_mask(plen)))
			return i;
	return -1;
}

static void *
tr_ref_lookup(const struct tr_ref *r, u128 a)
{
	int	best = -1;

	for (int i = 0; i < r->n; i++)
		if ((a & tr_mask(r->plen[i])) == r->pfx[i] &&
		    (best == -1 || r->plen[i] > r->plen[best]))
			best = i;
	return best == -1 ? NULL : r->value[best];
}

/* Lengths at and around the direct table's and the strides' edges. */
static int
tr_plen(void)
{
	int	edge;

	switch (tr_rng() % 4) {
	case 0:
		return (int)(tr_rng() % 129);
	case 1:
		return (int[]){ 0, 1, 2, 127, 128 }[tr_rng() % 5];
	default:
		edge = RTRIE_DIRBITS + 6 * (int)(tr_rng() % 19);
		edge += (int)(tr_rng() % 3) - 1;
		return edge > 128 ? 128 : edge;
	}
}

/* An address sharing a random number of leading bits with base. */
static u128
tr_near(u128 base)
{
	int	keep = tr_plen();
	u128	r = (u128)tr_rng() << 64 | tr_rng();

	return (base & tr_mask(keep)) | (r & ~tr_mask(keep));
}

/* Lookups at random near base and at the first, last and next address
 * of every live prefix. */
static void
tr_check_lookups(struct rtable *rt, const struct tr_ref *r, u128 base,
    int step)
{
	struct in6_addr	 a;
	u128		 probe[3 * TR_REFMAX + 64];
	int		 np = 0;

	for (int i = 0; i < r->n; i++) {
		probe[np++] = r->pfx[i];
		probe[np++] = r->pfx[i] | ~tr_mask(r->plen[i]);
		probe[np++] = (r->pfx[i] | ~tr_mask(r->plen[i])) + 1;
	}
	for (int i = 0; i < 64; i++)
		probe[np++] = tr_near(base);
	for (int i = 0; i < np; i++) {
		a = tr_addr(probe[i]);
		TR_CHECK(rtable_lookup(rt, &a) == tr_ref_lookup(r, probe[i]),
		    "step %d: lookup %s: got %p, want %p", step, fmt_addr(&a),
		    rtable_lookup(rt, &a), tr_ref_lookup(r, probe[i]));
	}
}

/*
 * One history on an empty table, which it leaves empty: insert
 * (duplicates refused), remove (absent ones give NULL), replace a value
 * by remove and insert, each followed by lookups.
 */
static void
tr_history(struct rtable *rt, int steps, int maxlive)
{
	struct tr_ref	 r = { .n = 0 };
	struct in6_addr	 a;
	u128		 base = (u128)tr_rng() << 64 | tr_rng(), p;
	size_t		 empty = rtable_lookup_bytes(rt);
	uintptr_t	 nval = 1;
	int		 plen, i, op;

	for (int s = 0; s < steps; s++) {
		op = (int)(tr_rng() % 10);
		if (r.n > 0 && (op < 3 || r.n >= maxlive)) {
			/* remove a live one, through an unmasked address */
			i = (int)(tr_rng() % (unsigned int)r.n);
			a = tr_addr(r.pfx[i] | (tr_near(base) &
			    ~tr_mask(r.plen[i])));
			TR_CHECK(rtable_remove(rt, &a, (uint8_t)r.plen[i]) ==
			    r.value[i], "step %d: remove %s/%d", s,
			    fmt_addr(&a), r.plen[i]);
			r.n--;
			r.pfx[i] = r.pfx[r.n];
			r.plen[i] = r.plen[r.n];
			r.value[i] = r.value[r.n];
		} else if (op == 3) {
			/* remove, likely absent */
			p = tr_near(base);
			plen = tr_plen();
			i = tr_ref_find(&r, p, plen);
			a = tr_addr(p);
			TR_CHECK(rtable_remove(rt, &a, (uint8_t)plen) ==
			    (i == -1 ? NULL : r.value[i]),
			    "step %d: remove %s/%d (present %d)", s,
			    fmt_addr(&a), plen, i != -1);
			if (i != -1) {
				r.n--;
				r.pfx[i] = r.pfx[r.n];
				r.plen[i] = r.plen[r.n];
				r.value[i] = r.value[r.n];
			}
		} else if (op == 4 && r.n > 0) {
			/* replace a value */
			i = (int)(tr_rng() % (unsigned int)r.n);
			a = tr_addr(r.pfx[i]);
			TR_CHECK(rtable_remove(rt, &a, (uint8_t)r.plen[i]) ==
			    r.value[i], "step %d: replace remove", s);
			r.value[i] = (void *)(nval++ * 16);
			TR_CHECK(rtable_insert(rt, &a, (uint8_t)r.plen[i],
			    r.value[i]) == 0, "step %d: replace insert", s);
		} else {
			p = tr_near(base);
			plen = tr_plen();
			i = tr_ref_find(&r, p, plen);
			a = tr_addr(p);
			TR_CHECK(rtable_insert(rt, &a, (uint8_t)plen,
			    (void *)(nval * 16)) == (i == -1 ? 0 : -1),
			    "step %d: insert %s/%d (present %d)", s,
			    fmt_addr(&a), plen, i != -1);
			if (i == -1) {
				r.pfx[r.n] = p & tr_mask(plen);
				r.plen[r.n] = plen;
				r.value[r.n++] = (void *)(nval * 16);
			}
			nval++;
		}
		TR_CHECK(rtable_count(rt) == (size_t)r.n, "step %d: count %zu,"
		    " want %d", s, rtable_count(rt), r.n);
		tr_check_lookups(rt, &r, base, s);
	}
	while (r.n > 0) {
		a = tr_addr(r.pfx[--r.n]);
		TR_CHECK(rtable_remove(rt, &a, (uint8_t)r.plen[r.n]) ==
		    r.value[r.n], "final remove %s/%d", fmt_addr(&a),
		    r.plen[r.n]);
	}
	tr_check_lookups(rt, &r, base, steps);
	/* Nothing of the emptied trie is left behind. */
	TR_CHECK(rtable_lookup_bytes(rt) == empty, "%zu bytes when empty, "
	    "want %zu", rtable_lookup_bytes(rt), empty);
}

/* Each code variant of the lookup this CPU runs; the plain one always. */
static const char *const tr_impls[] = { "plain", "popcnt", "avx2",
    "avx512" };

/* Histories in turn on one table, in each variant the CPU runs. */
static void
tr_histories(int n, int steps, int maxlive)
{
	struct rtable	*rt;

	for (size_t v = 0; v < sizeof(tr_impls) / sizeof(tr_impls[0]); v++) {
		rt = rtable_new();
		if (rtable_lookup_use(rt, tr_impls[v]) == 0) {
			cr_assert_str_eq(rtable_lookup_impl(rt), tr_impls[v]);
			for (int h = 0; h < n; h++)
				tr_history(rt, steps, maxlive);
		} else
			cr_assert(v > 0, "the plain variant runs anywhere");
		rtable_free(rt);
	}
}

Test(rtable_trie, random_histories_small)
{
	struct rtable	*rt = rtable_new();

	cr_assert(rtable_lookup_use(rt, "none") == -1);
	rtable_free(rt);
	tr_init();
	tr_histories(100, 60, 12);
}

/* Regions grow past the short list into the trie and shrink back. */
Test(rtable_trie, random_histories_large)
{
	tr_init();
	tr_histories(12, 400, TR_MAXPFX);
}

/*
 * One prefix of every length on one path, each with a sibling that
 * differs in its last bit: every stride boundary is crossed with nested
 * and adjacent prefixes.  They go away shortest first, which hands the
 * regions of the short ones back to no route.
 */
Test(rtable_trie, every_length_on_one_path)
{
	struct rtable	*rt = rtable_new();
	struct tr_ref	*r = calloc(1, sizeof(*r));
	struct in6_addr	 a;
	u128		 base, p;
	int		 plen, sib;

	tr_init();
	cr_assert_not_null(r);
	base = (u128)tr_rng() << 64 | tr_rng();
	for (plen = 0; plen <= 128; plen++)
		for (sib = 0; sib < (plen > 0 ? 2 : 1); sib++) {
			p = (sib ? base ^ (u128)1 << (128 - plen) : base) &
			    tr_mask(plen);
			a = tr_addr(p);
			r->pfx[r->n] = p;
			r->plen[r->n] = plen;
			r->value[r->n] = (void *)(uintptr_t)(16 * (r->n + 1));
			TR_CHECK(rtable_insert(rt, &a, (uint8_t)plen,
			    r->value[r->n]) == 0, "insert %s/%d",
			    fmt_addr(&a), plen);
			r->n++;
		}
	tr_check_lookups(rt, r, base, 0);
	for (int i = 0; i < r->n; i++) {
		a = tr_addr(r->pfx[i]);
		TR_CHECK(rtable_remove(rt, &a, (uint8_t)r->plen[i]) ==
		    r->value[i], "remove %s/%d", fmt_addr(&a), r->plen[i]);
		/* the shorter ones are gone: what it alone covered has no route */
		r->value[i] = NULL;
		if (i % 8 == 0 || r->plen[i] % 6 == RTRIE_DIRBITS % 6)
			tr_check_lookups(rt, r, base, i + 1);
	}
	a = tr_addr(base);
	TR_CHECK(rtable_lookup(rt, &a) == NULL, "lookup after removal");
	TR_CHECK(rtable_count(rt) == 0, "count %zu", rtable_count(rt));
	rtable_free(rt);
	free(r);
}

/*
 * A region filled to the short list's capacity with one nested chain,
 * /20 to /50: an address that leaves the chain after prefix j matches j
 * longest, so every position of the list is the answer once, in every
 * code variant.  One more prefix turns the region into a trie.
 */
Test(rtable_trie, full_short_list_every_position)
{
	struct tr_ref	*r = calloc(1, sizeof(*r));
	struct in6_addr	 a;
	u128		 base, probe;
	int		 plen;

	tr_init();
	cr_assert_not_null(r);
	base = (u128)tr_rng() << 64 | tr_rng();
	for (size_t v = 0; v < sizeof(tr_impls) / sizeof(tr_impls[0]); v++) {
		struct rtable	*rt = rtable_new();

		if (rtable_lookup_use(rt, tr_impls[v]) == -1) {
			rtable_free(rt);
			continue;
		}
		r->n = 0;
		for (plen = 20; plen <= 52; plen += 2) {
			a = tr_addr(base);
			r->pfx[r->n] = base & tr_mask(plen);
			r->plen[r->n] = plen;
			r->value[r->n] = (void *)(uintptr_t)(16 * (plen + 1));
			TR_CHECK(rtable_insert(rt, &a, (uint8_t)plen,
			    r->value[r->n]) == 0, "insert /%d", plen);
			r->n++;
			for (int j = 0; j < r->n; j++) {
				/* inside prefix j, outside j + 1 */
				probe = base ^ (u128)1 << (127 - r->plen[j]);
				a = tr_addr(probe);
				TR_CHECK(rtable_lookup(rt, &a) ==
				    tr_ref_lookup(r, probe), "%s, %d prefixes:"
				    " lookup %s", tr_impls[v], r->n,
				    fmt_addr(&a));
			}
			tr_check_lookups(rt, r, base, r->n);
		}
		rtable_free(rt);
	}
	free(r);
}
