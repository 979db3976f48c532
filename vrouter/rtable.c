/*
 * Longest-prefix match over IPv6 prefixes.
 *
 * The prefixes are kept in one open-addressing hash table per prefix
 * length, keyed by the masked address as two 64-bit words, with the list
 * of lengths in use, longest first: they answer insert, remove, exact
 * and walk.  Lookups go to the poptrie of rtable_trie.c, updated on
 * every insert and remove; it reads about one node per six address bits
 * instead of probing one table per length in use.
 *
 * Linear probing with backward-shift deletion keeps the tables free of
 * tombstones; a NULL value marks an empty slot, so NULL cannot be stored.
 * The table never owns the values: rtable_free() leaves them alone.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "route.h"

#define RT_MAXPLEN	128
#define RT_MINSLOTS	8U
#define RT_MAXSLOTS	(1U << 30)

struct rt_slot {
	uint64_t	 hi;
	uint64_t	 lo;
	void		*value;		/* NULL: slot empty */
};

struct rt_level {
	struct rt_slot	*slots;		/* NULL while the length is unused */
	uint32_t	 mask;		/* number of slots - 1 */
	uint32_t	 count;
};

struct rtable {
	struct rt_level	 lv[RT_MAXPLEN + 1];
	uint8_t		 lens[RT_MAXPLEN + 1];	/* in use, longest first */
	int		 nlens;
	size_t		 count;
	struct rtrie	*trie;		/* serves rtable_lookup() */
};

struct rt_walkent {
	uint64_t	 hi;
	uint64_t	 lo;
	void		*value;
};

static inline void
rt_load(const struct in6_addr *a, uint64_t *hi, uint64_t *lo)
{
	uint64_t	w[2];

	memcpy(w, a->s6_addr, sizeof(w));
	*hi = be64toh(w[0]);
	*lo = be64toh(w[1]);
}

static inline void
rt_store(struct in6_addr *a, uint64_t hi, uint64_t lo)
{
	uint64_t	w[2];

	w[0] = htobe64(hi);
	w[1] = htobe64(lo);
	memcpy(a->s6_addr, w, sizeof(w));
}

/* Clear the bits beyond plen. */
static inline void
rt_mask(uint64_t *hi, uint64_t *lo, unsigned int plen)
{
	if (plen <= 64) {
		*hi &= plen == 0 ? 0 : ~0ULL << (64 - plen);
		*lo = 0;
	} else
		*lo &= ~0ULL << (128 - plen);
}

/*
 * Multiply-xorshift over both halves.  Prefixes have many zero low bits
 * (and lo is zero up to /64), so the final steps must spread the high
 * bits into the low ones the index is taken from.
 */
static inline uint32_t
rt_hash(uint64_t hi, uint64_t lo)
{
	uint64_t	h;

	h = hi ^ (lo * 0x9e3779b97f4a7c15ULL);
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* The slot holding the key, or NULL.  A table is never full. */
static inline struct rt_slot *
rt_find(const struct rt_level *lv, uint64_t hi, uint64_t lo)
{
	struct rt_slot	*s;
	uint32_t	 i;

	for (i = rt_hash(hi, lo) & lv->mask;; i = (i + 1) & lv->mask) {
		s = &lv->slots[i];
		if (s->value == NULL)
			return NULL;
		if (s->hi == hi && s->lo == lo)
			return s;
	}
}

/* Place a key known to be absent. */
static void
rt_place(struct rt_level *lv, uint64_t hi, uint64_t lo, void *value)
{
	struct rt_slot	*s;
	uint32_t	 i;

	for (i = rt_hash(hi, lo) & lv->mask;; i = (i + 1) & lv->mask) {
		s = &lv->slots[i];
		if (s->value == NULL)
			break;
	}
	s->hi = hi;
	s->lo = lo;
	s->value = value;
}

static void
rt_resize(struct rt_level *lv, uint32_t nslots)
{
	struct rt_slot	*old = lv->slots;
	uint32_t	 i, oldn = lv->mask + 1;

	lv->slots = xcalloc(nslots, sizeof(*lv->slots));
	lv->mask = nslots - 1;
	for (i = 0; i < oldn; i++)
		if (old[i].value != NULL)
			rt_place(lv, old[i].hi, old[i].lo, old[i].value);
	free(old);
}

static void
rt_lens_add(struct rtable *rt, uint8_t plen)
{
	int	i;

	for (i = 0; i < rt->nlens && rt->lens[i] > plen; i++)
		;
	memmove(&rt->lens[i + 1], &rt->lens[i], (size_t)(rt->nlens - i));
	rt->lens[i] = plen;
	rt->nlens++;
}

static void
rt_lens_del(struct rtable *rt, uint8_t plen)
{
	int	i;

	for (i = 0; i < rt->nlens && rt->lens[i] != plen; i++)
		;
	if (i == rt->nlens)
		return;
	memmove(&rt->lens[i], &rt->lens[i + 1], (size_t)(rt->nlens - i - 1));
	rt->nlens--;
}

/*
 * Empty slot s and close the gap: move back every later entry of the
 * cluster whose home slot does not lie cyclically in (gap, j].
 */
static void
rt_delete_slot(struct rt_level *lv, struct rt_slot *s)
{
	struct rt_slot	*slots = lv->slots;
	uint32_t	 gap, j, home, mask = lv->mask;

	gap = (uint32_t)(s - slots);
	for (j = (gap + 1) & mask; slots[j].value != NULL; j = (j + 1) & mask) {
		home = rt_hash(slots[j].hi, slots[j].lo) & mask;
		if (gap <= j ? (home > gap && home <= j) :
		    (home > gap || home <= j))
			continue;
		slots[gap] = slots[j];
		gap = j;
	}
	slots[gap].value = NULL;
	lv->count--;
}

struct rtable *
rtable_new(void)
{
	struct rtable	*rt = xcalloc(1, sizeof(*rt));

	rt->trie = rtrie_new();
	return rt;
}

/* Free the table; the stored values belong to the caller. */
void
rtable_free(struct rtable *rt)
{
	int	plen;

	if (rt == NULL)
		return;
	for (plen = 0; plen <= RT_MAXPLEN; plen++)
		free(rt->lv[plen].slots);
	rtrie_free(rt->trie);
	free(rt);
}

int
rtable_insert(struct rtable *rt, const struct in6_addr *pfx, uint8_t plen,
    void *value)
{
	struct rt_level	*lv;
	uint64_t	 hi, lo;

	if (plen > RT_MAXPLEN || value == NULL)
		return -1;
	rt_load(pfx, &hi, &lo);
	rt_mask(&hi, &lo, plen);
	lv = &rt->lv[plen];
	if (lv->slots == NULL) {
		lv->slots = xcalloc(RT_MINSLOTS, sizeof(*lv->slots));
		lv->mask = RT_MINSLOTS - 1;
		lv->count = 0;
		rt_lens_add(rt, plen);
	} else if (rt_find(lv, hi, lo) != NULL)
		return -1;

	/* Keep the load at most one half so misses stay short. */
	if (((uint64_t)lv->count + 1) * 2 > (uint64_t)lv->mask + 1) {
		if (lv->mask + 1 >= RT_MAXSLOTS)
			return -1;
		rt_resize(lv, (lv->mask + 1) * 2);
	}
	rt_place(lv, hi, lo, value);
	lv->count++;
	rt->count++;
	rtrie_add(rt->trie, hi, lo, plen, value);
	return 0;
}

/* The slot holding exactly pfx/plen, or NULL. */
static struct rt_slot *
rt_exact_slot(const struct rtable *rt, const struct in6_addr *pfx,
    uint8_t plen)
{
	const struct rt_level	*lv;
	uint64_t		 hi, lo;

	if (plen > RT_MAXPLEN)
		return NULL;
	lv = &rt->lv[plen];
	if (lv->slots == NULL)
		return NULL;
	rt_load(pfx, &hi, &lo);
	rt_mask(&hi, &lo, plen);
	return rt_find(lv, hi, lo);
}

/*
 * The value of the longest prefix shorter than plen that covers hi/lo,
 * or NULL; its length into *coverplen.
 */
static void *
rt_cover(const struct rtable *rt, uint64_t hi, uint64_t lo, uint8_t plen,
    uint8_t *coverplen)
{
	struct rt_slot	*s;
	uint64_t	 h, l;
	int		 i;

	for (i = 0; i < rt->nlens; i++) {
		if (rt->lens[i] >= plen)
			continue;
		h = hi;
		l = lo;
		rt_mask(&h, &l, rt->lens[i]);
		if ((s = rt_find(&rt->lv[rt->lens[i]], h, l)) != NULL) {
			*coverplen = rt->lens[i];
			return s->value;
		}
	}
	*coverplen = 0;
	return NULL;
}

void *
rtable_remove(struct rtable *rt, const struct in6_addr *pfx, uint8_t plen)
{
	struct rt_level	*lv;
	struct rt_slot	*s;
	void		*value, *cover = NULL;
	uint64_t	 hi, lo;
	uint8_t		 coverplen = 0;

	if ((s = rt_exact_slot(rt, pfx, plen)) == NULL)
		return NULL;
	lv = &rt->lv[plen];
	value = s->value;
	hi = s->hi;
	lo = s->lo;
	rt_delete_slot(lv, s);
	rt->count--;

	if (lv->count == 0) {
		free(lv->slots);
		lv->slots = NULL;
		lv->mask = 0;
		rt_lens_del(rt, plen);
	} else if ((uint64_t)lv->count * 8 < (uint64_t)lv->mask + 1 &&
	    lv->mask + 1 > RT_MINSLOTS)
		rt_resize(lv, (lv->mask + 1) / 2);

	/* A short prefix hands the regions it was default of to its cover. */
	if (plen <= RTRIE_DIRBITS)
		cover = rt_cover(rt, hi, lo, plen, &coverplen);
	rtrie_del(rt->trie, hi, lo, plen, cover, coverplen);
	return value;
}

void *
rtable_exact(const struct rtable *rt, const struct in6_addr *pfx,
    uint8_t plen)
{
	struct rt_slot	*s;

	return (s = rt_exact_slot(rt, pfx, plen)) != NULL ? s->value : NULL;
}

/* Per-packet path: no allocation (rtable_trie.c). */
void *
rtable_lookup(const struct rtable *rt, const struct in6_addr *addr)
{
	return rtrie_lookup(rt->trie, addr);
}

size_t
rtable_lookup_bytes(const struct rtable *rt)
{
	return rtrie_bytes(rt->trie);
}

const char *
rtable_lookup_impl(const struct rtable *rt)
{
	return rtrie_impl(rt->trie);
}

int
rtable_lookup_use(struct rtable *rt, const char *impl)
{
	return rtrie_use(rt->trie, impl);
}

size_t
rtable_count(const struct rtable *rt)
{
	return rt->count;
}

static int
rt_walkent_cmp(const void *a, const void *b)
{
	const struct rt_walkent	*x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

/*
 * Each length's entries are copied and sorted before the callbacks run,
 * which costs a temporary array; walks serve the control plane only.
 */
void
rtable_walk(const struct rtable *rt, void (*cb)(const struct in6_addr *,
    uint8_t, void *, void *), void *arg)
{
	const struct rt_level	*lv;
	struct rt_walkent	*ents = NULL;
	struct in6_addr		 a;
	size_t			 cap = 0, n;
	uint32_t		 i;
	int			 plen;

	for (plen = 0; plen <= RT_MAXPLEN; plen++) {
		lv = &rt->lv[plen];
		if (lv->slots == NULL || lv->count == 0)
			continue;
		if (lv->count > cap) {
			cap = lv->count;
			ents = xreallocarray(ents, cap, sizeof(*ents));
		}
		for (i = 0, n = 0; i <= lv->mask; i++) {
			if (lv->slots[i].value == NULL)
				continue;
			ents[n].hi = lv->slots[i].hi;
			ents[n].lo = lv->slots[i].lo;
			ents[n].value = lv->slots[i].value;
			n++;
		}
		qsort(ents, n, sizeof(*ents), rt_walkent_cmp);
		for (i = 0; i < n; i++) {
			rt_store(&a, ents[i].hi, ents[i].lo);
			cb(&a, (uint8_t)plen, ents[i].value, arg);
		}
	}
	free(ents);
}
