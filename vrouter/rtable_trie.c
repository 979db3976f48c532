/*
 * The lookup side of rtable.c: a poptrie (Asai and Ohara, "Poptrie: a
 * compressed trie with population count for fast and scalable software
 * IP routing table lookup", SIGCOMM 2015).
 *
 * Why poptrie rather than tree bitmap or DXR: a poptrie node consumes
 * six address bits with one 24-byte read, and leaves are pushed down, so
 * a lookup walks straight to its leaf and never backtracks.  Tree bitmap
 * keeps the prefixes of a node in a second bitmap that must be searched
 * (and remembered) at every level on the way down; DXR binary-searches
 * ranges, which for 128-bit keys means wide keys and log2(n) dependent
 * reads per chunk.  Both cost more dependent reads or more instructions
 * per level than poptrie's two popcounts.
 *
 * Layout.  The top RTRIE_DIRBITS bits of the address index a direct
 * table; an entry is 0 (no route), a pointer tagged with bit 0 to the
 * default value of its region (no prefix longer than RTRIE_DIRBITS
 * inside it), or the region's block: its nodes, then its leaves, in one
 * allocation.  In a node, bit i of `vector` says that the next six bits
 * equal to i lead to a child node; children are contiguous from
 * `base1`.  The other positions are leaves: runs of equal leaves are
 * stored once, and bit i of `leafvec` marks where a run starts, so the
 * leaf is number popcount(leafvec & bits 0..i) from `base0`.  A leaf is
 * the caller's value pointer itself (NULL: no route), which spares a
 * last read through an index.
 *
 * Updates.  The prefixes longer than RTRIE_DIRBITS are also kept per
 * region, sorted; a change rebuilds that region's block alone, in time
 * linear in the region's prefixes.  A prefix of RTRIE_DIRBITS bits or
 * fewer is the default of the regions it covers unless a longer one
 * covers them; a change rewrites those regions' defaults and rebuilds
 * them (all of them for ::/0).  The build reuses scratch arrays kept
 * here; lookups never allocate.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "route.h"

#define RTRIE_STRIDE	6
#define RTRIE_NREG	(1U << RTRIE_DIRBITS)
#define RTRIE_BUCKET_MAX 16	/* most prefixes a region scans as a list */

/* Direct table entries: the two low bits of a pointer say what it is. */
#define RTRIE_TAG_DEF	 1UL	/* the region's default value */
#define RTRIE_TAG_BUCKET 2UL	/* a struct rtrie_bucket */
#define RTRIE_TAGS	 3UL

typedef unsigned __int128 rtrie_u128;

struct rtrie_node {
	uint64_t	 vector;	/* child nodes */
	uint64_t	 leafvec;	/* starts of runs of equal leaves */
	uint32_t	 base0;		/* first leaf, in pointers from block */
	uint32_t	 base1;		/* first child, in nodes from block */
};

/* Leaves are addressed in pointer units from the start of the block. */
_Static_assert(sizeof(struct rtrie_node) % sizeof(void *) == 0,
    "node size is a whole number of pointers");
#define RTRIE_NODE_PTRS	(sizeof(struct rtrie_node) / sizeof(void *))

/* A short region: its prefixes longest first, scanned in order. */
struct rtrie_bent {
	uint64_t	 hi;
	uint64_t	 lo;
	void		*value;
	uint32_t	 shift;		/* 128 - plen */
};

struct rtrie_bucket {
	void			*def;	/* when none matches */
	uint32_t		 n;
	struct rtrie_bent	 e[];
};

struct rtrie_pfx {
	uint64_t	 hi;
	uint64_t	 lo;
	void		*value;
	uint8_t		 plen;
};

struct rtrie_region {
	struct rtrie_pfx *v;		/* longer than RTRIE_DIRBITS, sorted */
	uint32_t	 n;
	uint32_t	 cap;
	void		*def;		/* longest shorter prefix, or NULL */
	size_t		 blkbytes;	/* of the block in the direct table */
	uint8_t		 defplen;
};

struct rtrie {
	uintptr_t		*dir;	/* RTRIE_NREG entries */
	struct rtrie_region	*reg;	/* RTRIE_NREG regions */
	struct rtrie_node	*bn;	/* build scratch: nodes */
	uint32_t		 bnn, bncap;
	void			**bl;	/* build scratch: leaves */
	uint32_t		 bln, blcap;
	size_t			 bytes;	/* blocks */
};

static inline uint32_t
rtrie_region_of(uint64_t hi)
{
	return (uint32_t)(hi >> (64 - RTRIE_DIRBITS));
}

/* The six bits from bit k on (k < 128); bits past the address are 0. */
static inline uint32_t
rtrie_slot(const struct rtrie_pfx *p, unsigned int k)
{
	rtrie_u128	a = ((rtrie_u128)p->hi << 64 | p->lo) << k;

	return (uint32_t)(a >> (128 - RTRIE_STRIDE));
}

struct rtrie *
rtrie_new(void)
{
	struct rtrie	*t = xcalloc(1, sizeof(*t));

	/* Large callocs are mapped lazily: unused regions cost nothing. */
	t->dir = xcalloc(RTRIE_NREG, sizeof(*t->dir));
	t->reg = xcalloc(RTRIE_NREG, sizeof(*t->reg));
	return t;
}

void
rtrie_free(struct rtrie *t)
{
	uint32_t	d;

	if (t == NULL)
		return;
	/* Only regions with a block have prefixes of their own. */
	for (d = 0; d < RTRIE_NREG; d++)
		if (t->dir[d] != 0 && (t->dir[d] & RTRIE_TAG_DEF) == 0) {
			free((void *)(t->dir[d] & ~RTRIE_TAGS));
			free(t->reg[d].v);
		}
	free(t->dir);
	free(t->reg);
	free(t->bn);
	free(t->bl);
	free(t);
}

/* Bytes of the lookup structure: the direct table and the blocks. */
size_t
rtrie_bytes(const struct rtrie *t)
{
	return RTRIE_NREG * sizeof(*t->dir) + t->bytes;
}

/*
 * Per-packet path: one direct read, one node per six bits, one leaf.
 * Built twice, the variant for CPUs with a popcount instruction chosen
 * at load time: the portable popcount costs a call per level.
 */
__attribute__((target_clones("popcnt", "default")))
void *
rtrie_lookup(const struct rtrie *t, const struct in6_addr *addr)
{
	const struct rtrie_node		*base, *n;
	const struct rtrie_bucket	*b;
	rtrie_u128			 a;
	uint64_t			 w[2], hi, lo, bit;
	uintptr_t			 e;
	uint32_t			 i;

	memcpy(w, addr->s6_addr, sizeof(w));
	hi = be64toh(w[0]);
	lo = be64toh(w[1]);
	e = t->dir[rtrie_region_of(hi)];
	if (e & RTRIE_TAG_DEF)
		return *(void **)(e & ~RTRIE_TAGS);
	if (e & RTRIE_TAG_BUCKET) {
		b = (const struct rtrie_bucket *)(e & ~RTRIE_TAGS);
		for (i = 0; i < b->n; i++)
			if ((((rtrie_u128)(hi ^ b->e[i].hi) << 64 |
			    (lo ^ b->e[i].lo)) >> b->e[i].shift) == 0)
				return b->e[i].value;
		return b->def;
	}
	if (e == 0)
		return NULL;
	base = n = (const struct rtrie_node *)e;
	a = ((rtrie_u128)hi << 64 | lo) << RTRIE_DIRBITS;
	for (;;) {
		bit = 1ULL << (unsigned int)(a >> (128 - RTRIE_STRIDE));
		a <<= RTRIE_STRIDE;
		if ((n->vector & bit) == 0)
			break;
		n = base + n->base1 +
		    __builtin_popcountll(n->vector & (bit | (bit - 1))) - 1;
	}
	return ((void *const *)base)[n->base0 +
	    __builtin_popcountll(n->leafvec & (bit | (bit - 1))) - 1];
}

static uint32_t
rtrie_reserve_nodes(struct rtrie *t, uint32_t n)
{
	uint32_t	first = t->bnn;

	while (t->bnn + n > t->bncap) {
		t->bncap = t->bncap ? t->bncap * 2 : 256;
		t->bn = xreallocarray(t->bn, t->bncap, sizeof(*t->bn));
	}
	t->bnn += n;
	return first;
}

static void
rtrie_push_leaf(struct rtrie *t, void *value)
{
	if (t->bln == t->blcap) {
		t->blcap = t->blcap ? t->blcap * 2 : 1024;
		t->bl = xreallocarray(t->bl, t->blcap, sizeof(*t->bl));
	}
	t->bl[t->bln++] = value;
}

/*
 * Build node ni for bits k..k+5 of the prefixes v[lo..hi), which share
 * their first k bits and are all longer than k; def is the value of the
 * longest prefix of k bits or fewer covering them.  The prefixes under
 * one child are contiguous in v: sorted by address, then length, a
 * shorter prefix never falls between two longer ones of the same slot.
 */
static void
rtrie_build_node(struct rtrie *t, uint32_t ni, unsigned int k,
    const struct rtrie_pfx *v, uint32_t lo, uint32_t hi, void *def)
{
	void		*leaf[64], *prev = NULL;
	uint32_t	 first[64], end[64], i, s, span, cbase;
	uint8_t		 llen[64];
	uint64_t	 vec = 0, leafvec = 0, bit;

	for (s = 0; s < 64; s++) {
		leaf[s] = def;
		llen[s] = 0;
	}
	for (i = lo; i < hi; i++) {
		s = rtrie_slot(&v[i], k);
		if (v[i].plen > k + RTRIE_STRIDE) {
			if ((vec & 1ULL << s) == 0) {
				vec |= 1ULL << s;
				first[s] = i;
			}
			end[s] = i + 1;
			continue;
		}
		/* Expand the prefix over its slots; the longest wins. */
		span = 1U << (k + RTRIE_STRIDE - v[i].plen);
		for (s &= ~(span - 1); span-- > 0; s++)
			if (v[i].plen > llen[s]) {
				leaf[s] = v[i].value;
				llen[s] = v[i].plen;
			}
	}
	t->bn[ni].vector = vec;
	t->bn[ni].base0 = t->bln;
	for (s = 0; s < 64; s++) {
		bit = 1ULL << s;
		if (vec & bit)
			continue;
		if (leafvec == 0 || leaf[s] != prev) {
			leafvec |= bit;
			rtrie_push_leaf(t, leaf[s]);
			prev = leaf[s];
		}
	}
	t->bn[ni].leafvec = leafvec;
	cbase = rtrie_reserve_nodes(t, (uint32_t)__builtin_popcountll(vec));
	t->bn[ni].base1 = cbase;
	for (s = 0; s < 64; s++)
		if (vec & 1ULL << s)
			rtrie_build_node(t, cbase++, k + RTRIE_STRIDE, v,
			    first[s], end[s], leaf[s]);
}

/* The bucket of a short region: longest first, so the first match wins. */
static struct rtrie_bucket *
rtrie_bucket_build(const struct rtrie_region *r, size_t *nb)
{
	struct rtrie_bucket	*b;
	uint32_t		 i, j, k = 0;

	*nb = sizeof(*b) + r->n * sizeof(b->e[0]);
	b = xmalloc(*nb);
	b->def = r->def;
	b->n = r->n;
	for (j = 128; j > RTRIE_DIRBITS; j--)
		for (i = 0; i < r->n; i++)
			if (r->v[i].plen == j)
				b->e[k++] = (struct rtrie_bent){ r->v[i].hi,
				    r->v[i].lo, r->v[i].value, 128 - j };
	return b;
}

/* Replace region d's entry in the direct table. */
static void
rtrie_region_build(struct rtrie *t, uint32_t d)
{
	struct rtrie_region	*r = &t->reg[d];
	struct rtrie_node	*blk;
	uintptr_t		 old = t->dir[d];
	size_t			 oldbytes = r->blkbytes, nb;
	uint32_t		 i;

	r->blkbytes = 0;
	if (r->n == 0)
		t->dir[d] = r->def != NULL ?
		    (uintptr_t)&r->def | RTRIE_TAG_DEF : 0;
	else if (r->n <= RTRIE_BUCKET_MAX) {
		t->dir[d] = (uintptr_t)rtrie_bucket_build(r, &nb) |
		    RTRIE_TAG_BUCKET;
		r->blkbytes = nb;
		t->bytes += nb;
	} else {
		t->bnn = t->bln = 0;
		rtrie_reserve_nodes(t, 1);
		rtrie_build_node(t, 0, RTRIE_DIRBITS, r->v, 0, r->n, r->def);
		nb = t->bnn * sizeof(*blk) + t->bln * sizeof(void *);
		blk = xmalloc(nb);
		for (i = 0; i < t->bnn; i++) {
			blk[i] = t->bn[i];
			blk[i].base0 += t->bnn * (uint32_t)RTRIE_NODE_PTRS;
		}
		memcpy(blk + t->bnn, t->bl, t->bln * sizeof(void *));
		t->dir[d] = (uintptr_t)blk;
		r->blkbytes = nb;
		t->bytes += nb;
	}
	if (old != 0 && (old & RTRIE_TAG_DEF) == 0) {
		free((void *)(old & ~RTRIE_TAGS));
		t->bytes -= oldbytes;
	}
}

static int
rtrie_pfx_cmp(const struct rtrie_pfx *p, uint64_t hi, uint64_t lo,
    uint8_t plen)
{
	if (p->hi != hi)
		return p->hi < hi ? -1 : 1;
	if (p->lo != lo)
		return p->lo < lo ? -1 : 1;
	return p->plen < plen ? -1 : p->plen > plen;
}

/* The first entry of r not below the prefix. */
static uint32_t
rtrie_region_find(const struct rtrie_region *r, uint64_t hi, uint64_t lo,
    uint8_t plen)
{
	uint32_t	a = 0, b = r->n, m;

	while (a < b) {
		m = a + (b - a) / 2;
		if (rtrie_pfx_cmp(&r->v[m], hi, lo, plen) < 0)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/*
 * Add a prefix known to be absent, hi and lo masked to plen bits.
 */
void
rtrie_add(struct rtrie *t, uint64_t hi, uint64_t lo, uint8_t plen,
    void *value)
{
	struct rtrie_region	*r;
	uint32_t		 d = rtrie_region_of(hi), i, n;

	if (plen > RTRIE_DIRBITS) {
		r = &t->reg[d];
		i = rtrie_region_find(r, hi, lo, plen);
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 4;
			r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
		}
		memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
		r->v[i] = (struct rtrie_pfx){ hi, lo, value, plen };
		r->n++;
		rtrie_region_build(t, d);
		return;
	}
	for (n = 1U << (RTRIE_DIRBITS - plen); n-- > 0; d++) {
		r = &t->reg[d];
		if (r->def != NULL && r->defplen > plen)
			continue;
		r->def = value;
		r->defplen = plen;
		rtrie_region_build(t, d);
	}
}

/*
 * Remove a present prefix; cover is the value of the longest prefix
 * shorter than plen that covers it (NULL if none), of coverplen bits.
 */
void
rtrie_del(struct rtrie *t, uint64_t hi, uint64_t lo, uint8_t plen,
    void *cover, uint8_t coverplen)
{
	struct rtrie_region	*r;
	uint32_t		 d = rtrie_region_of(hi), i, n;

	if (plen > RTRIE_DIRBITS) {
		r = &t->reg[d];
		i = rtrie_region_find(r, hi, lo, plen);
		if (i == r->n || rtrie_pfx_cmp(&r->v[i], hi, lo, plen) != 0)
			return;
		memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
		if (--r->n == 0) {
			free(r->v);
			r->v = NULL;
			r->cap = 0;
		}
		rtrie_region_build(t, d);
		return;
	}
	for (n = 1U << (RTRIE_DIRBITS - plen); n-- > 0; d++) {
		r = &t->reg[d];
		if (r->def == NULL || r->defplen != plen)
			continue;
		r->def = cover;
		r->defplen = coverplen;
		rtrie_region_build(t, d);
	}
}
