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
 * table of regions; an entry is 0 (no route), a pointer tagged
 * RTRIE_TAG_DEF to the default value of its region (no prefix longer
 * than RTRIE_DIRBITS inside it), a bucket tagged RTRIE_TAG_BUCKET, or
 * the region's root node.  A bucket holds a region of at most
 * RTRIE_BUCKET_MAX prefixes, none longer than /64: their first 64 bits
 * and lengths, compared all at once without a branch (8 or 4 keys per
 * instruction where the CPU has AVX-512 or AVX2).  It replaces a chain
 * of mostly single-child nodes (the shape sparse prefixes take), each a
 * dependent cache miss, by a few adjacent cache lines, and leaves no
 * branch to mispredict, so the processor runs ahead into the next
 * lookups while this one waits on memory.  In a node, bit i of `vector` says that the next six bits
 * equal to i lead to a child node; `base` holds the children, then the
 * leaves.  The other positions are leaves: runs of equal leaves are
 * stored once, and bit i of `leafvec` marks where a run starts, so the
 * leaf is number popcount(leafvec & bits 0..i).  A leaf is the caller's
 * value pointer itself (NULL: no route), which spares a last read
 * through an index.  Each node's children and leaves are one allocation
 * of their own (where the paper packs whole levels into arrays), so that
 * an update rewrites only the nodes it changes.
 *
 * Updates.  The prefixes longer than RTRIE_DIRBITS are also kept per
 * region, sorted, so those under any node are a contiguous run.  A
 * change rebuilds the subtree of the node holding the prefix's last
 * bits and rewrites the arrays of its ancestors (a scan of the prefixes
 * under each, no rebuild of their other children): the cost is the
 * prefix's own subtree plus one scan of its region.  A prefix of
 * RTRIE_DIRBITS bits or fewer is the default of the regions it covers
 * unless a longer one covers them; a change rebuilds those regions (all
 * of them for ::/0).  Lookups never allocate.
 */
#include <endian.h>
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "route.h"

#define RTRIE_STRIDE	6
#define RTRIE_NREG	(1U << RTRIE_DIRBITS)
#define RTRIE_BUCKET_MAX 16	/* most prefixes a region scans as a list */
_Static_assert(RTRIE_BUCKET_MAX % 8 == 0 && RTRIE_BUCKET_MAX < 32,
    "buckets are scanned 8 keys at a time, matches kept in 32 bits");

/* Direct table entries: the two low bits of a pointer say what it is. */
#define RTRIE_TAG_DEF	 1UL	/* the region's default value */
#define RTRIE_TAG_BUCKET 2UL	/* a struct rtrie_bucket */
#define RTRIE_TAGS	 3UL

typedef unsigned __int128 rtrie_u128;

struct rtrie_node {
	uint64_t		 vector;	/* child nodes */
	uint64_t		 leafvec;	/* starts of runs of leaves */
	struct rtrie_node	*base;		/* children, then leaves */
};

/*
 * A short region whose prefixes are all /64 or shorter: their first 64
 * bits, longest first, every one compared without a branch (a branch
 * per entry would be mispredicted once a lookup, and stall the next
 * lookups behind the cache miss); unused entries give the default.
 */
struct rtrie_bucket {
	uint64_t	 key[RTRIE_BUCKET_MAX];
	uint8_t		 shift[RTRIE_BUCKET_MAX];	/* 64 - plen */
	void		*value[RTRIE_BUCKET_MAX + 1];	/* last: none */
};

struct rtrie_pfx {
	uint64_t	 hi;
	uint64_t	 lo;
	void		*value;
	uint8_t		 plen;
};

struct rtrie_region {
	struct rtrie_pfx	*v;	/* longer than RTRIE_DIRBITS, sorted */
	uint32_t		 n;
	uint32_t		 cap;
	uint32_t		 nlong;	/* of v longer than /64 */
	struct rtrie_node	 root;	/* when a trie */
};

/* The lookup's code variants, by instruction set, best last. */
enum rtrie_isa { RTRIE_PLAIN, RTRIE_POPCNT, RTRIE_AVX2, RTRIE_AVX512 };

struct rtrie {
	void			*(*lookup)(const struct rtrie *,
				    const struct in6_addr *);
	enum rtrie_isa		 isa;
	uintptr_t		*dir;	/* RTRIE_NREG entries */
	/* Per region: the longest prefix of RTRIE_DIRBITS bits or fewer
	 * covering it, or NULL; apart from the regions, so that a short
	 * prefix's change runs through two dense arrays. */
	void			**def;
	uint8_t			*defplen;
	struct rtrie_region	*reg;	/* RTRIE_NREG regions */
	size_t			 bytes;	/* nodes' arrays and buckets */
};

/* One node's contents, computed from the prefixes under it. */
struct rtrie_scan {
	void		*leaf[64];
	uint32_t	 first[64];	/* the prefixes under a child */
	uint32_t	 end[64];
	uint64_t	 vec;
};

static void	rtrie_use_best(struct rtrie *);

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

static inline size_t
rtrie_node_bytes(const struct rtrie_node *m)
{
	return (size_t)__builtin_popcountll(m->vector) * sizeof(*m) +
	    (size_t)__builtin_popcountll(m->leafvec) * sizeof(void *);
}

struct rtrie *
rtrie_new(void)
{
	struct rtrie	*t = xcalloc(1, sizeof(*t));

	/* Large callocs are mapped lazily: unused regions cost nothing. */
	t->dir = xcalloc(RTRIE_NREG, sizeof(*t->dir));
	t->def = xcalloc(RTRIE_NREG, sizeof(*t->def));
	t->defplen = xcalloc(RTRIE_NREG, sizeof(*t->defplen));
	t->reg = xcalloc(RTRIE_NREG, sizeof(*t->reg));
	rtrie_use_best(t);
	return t;
}

/* Free a node's subtree, and its own arrays; m itself is the caller's. */
static void
rtrie_unbuild(struct rtrie *t, struct rtrie_node *m)
{
	int	i, n = __builtin_popcountll(m->vector);

	for (i = 0; i < n; i++)
		rtrie_unbuild(t, &m->base[i]);
	t->bytes -= rtrie_node_bytes(m);
	free(m->base);
	memset(m, 0, sizeof(*m));
}

/* Drop whatever region d's direct table entry holds. */
static void
rtrie_region_clear(struct rtrie *t, uint32_t d)
{
	uintptr_t		 e = t->dir[d];
	struct rtrie_bucket	*b;

	if (e & RTRIE_TAG_BUCKET) {
		b = (struct rtrie_bucket *)(e & ~RTRIE_TAGS);
		t->bytes -= sizeof(*b);
		free(b);
	} else if (e != 0 && (e & RTRIE_TAG_DEF) == 0)
		rtrie_unbuild(t, &t->reg[d].root);
	t->dir[d] = 0;
}

void
rtrie_free(struct rtrie *t)
{
	uint32_t	d;

	if (t == NULL)
		return;
	/* Only regions with a bucket or a trie have prefixes of their own. */
	for (d = 0; d < RTRIE_NREG; d++)
		if (t->dir[d] != 0 && (t->dir[d] & RTRIE_TAG_DEF) == 0) {
			rtrie_region_clear(t, d);
			free(t->reg[d].v);
		}
	free(t->dir);
	free(t->def);
	free(t->defplen);
	free(t->reg);
	free(t);
}

/*
 * Bytes of the lookup structure: the direct table, the defaults, nodes
 * and buckets (the regions' sorted prefixes that updates work from and
 * the root nodes, 32 and 56 bytes apiece, are not counted).
 */
size_t
rtrie_bytes(const struct rtrie *t)
{
	return RTRIE_NREG * (sizeof(*t->dir) + sizeof(*t->def)) + t->bytes;
}

/*
 * A bucket's match, branch-free: the index of the first key equal to
 * hi in its first 64 - shift bits, RTRIE_BUCKET_MAX if none (the entry
 * holding the default).  Vector variants compare 4 or 8 keys at once.
 */
static inline uint32_t
rtrie_scan64(const struct rtrie_bucket *b, uint64_t hi)
{
	uint32_t	i, k = RTRIE_BUCKET_MAX;

	for (i = RTRIE_BUCKET_MAX; i-- > 0;)
		k = ((hi ^ b->key[i]) >> b->shift[i]) == 0 ? i : k;
	return k;
}

__attribute__((target("avx2")))
static inline uint32_t
rtrie_scan_avx2(const struct rtrie_bucket *b, uint64_t hi)
{
	__m256i		h = _mm256_set1_epi64x((long long)hi), x;
	uint32_t	i, m = 1U << RTRIE_BUCKET_MAX, sh;

	for (i = 0; i < RTRIE_BUCKET_MAX; i += 4) {
		memcpy(&sh, b->shift + i, sizeof(sh));
		x = _mm256_loadu_si256((const __m256i *)(const void *)
		    (b->key + i));
		x = _mm256_srlv_epi64(_mm256_xor_si256(h, x),
		    _mm256_cvtepu8_epi64(_mm_cvtsi32_si128((int)sh)));
		x = _mm256_cmpeq_epi64(x, _mm256_setzero_si256());
		m |= (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(x)) << i;
	}
	return (uint32_t)__builtin_ctz(m);
}

__attribute__((target("avx512f")))
static inline uint32_t
rtrie_scan_avx512(const struct rtrie_bucket *b, uint64_t hi)
{
	__m512i		h = _mm512_set1_epi64((long long)hi), x;
	uint32_t	i, m = 1U << RTRIE_BUCKET_MAX;

	for (i = 0; i < RTRIE_BUCKET_MAX; i += 8) {
		x = _mm512_srlv_epi64(_mm512_xor_si512(h,
		    _mm512_loadu_si512(b->key + i)), _mm512_cvtepu8_epi64(
		    _mm_loadl_epi64((const __m128i *)(const void *)
		    (b->shift + i))));
		m |= (uint32_t)_mm512_testn_epi64_mask(x, x) << i;
	}
	return (uint32_t)__builtin_ctz(m);
}

/*
 * Per-packet path: one direct read, then a bucket (one scan of adjacent
 * cache lines) or one node per six bits and a leaf.  No branch depends
 * on the data but the kind of region and a trie's depth, so the
 * processor can run ahead into the next lookups while this one waits on
 * memory.  Inlined into one function per instruction set below.
 */
static inline __attribute__((always_inline)) void *
rtrie_lookup_isa(const struct rtrie *t, const struct in6_addr *addr,
    enum rtrie_isa isa)
{
	const struct rtrie_node		*n;
	const struct rtrie_bucket	*b;
	rtrie_u128			 a;
	uint64_t			 w[2], hi, lo, bit, below;
	uintptr_t			 e;

	memcpy(w, addr->s6_addr, sizeof(w));
	hi = be64toh(w[0]);
	lo = be64toh(w[1]);
	e = t->dir[rtrie_region_of(hi)];
	if (e & RTRIE_TAG_DEF)
		return *(void **)(e & ~RTRIE_TAGS);
	if (e & RTRIE_TAG_BUCKET) {
		b = (const struct rtrie_bucket *)(e & ~RTRIE_TAGS);
		return b->value[isa == RTRIE_AVX512 ? rtrie_scan_avx512(b, hi) :
		    isa == RTRIE_AVX2 ? rtrie_scan_avx2(b, hi) :
		    rtrie_scan64(b, hi)];
	}
	if (e == 0)
		return NULL;
	n = (const struct rtrie_node *)e;
	a = ((rtrie_u128)hi << 64 | lo) << RTRIE_DIRBITS;
	for (;;) {
		bit = 1ULL << (unsigned int)(a >> (128 - RTRIE_STRIDE));
		a <<= RTRIE_STRIDE;
		below = bit | (bit - 1);
		if ((n->vector & bit) == 0)
			break;
		n = n->base + __builtin_popcountll(n->vector & below) - 1;
	}
	return ((void *const *)(n->base +
	    __builtin_popcountll(n->vector)))[
	    __builtin_popcountll(n->leafvec & below) - 1];
}

/* Without a popcount instruction, each popcount is a call. */
static void *
rtrie_lookup_plain(const struct rtrie *t, const struct in6_addr *addr)
{
	return rtrie_lookup_isa(t, addr, RTRIE_PLAIN);
}

__attribute__((target("popcnt")))
static void *
rtrie_lookup_popcnt(const struct rtrie *t, const struct in6_addr *addr)
{
	return rtrie_lookup_isa(t, addr, RTRIE_POPCNT);
}

__attribute__((target("popcnt,avx2")))
static void *
rtrie_lookup_avx2(const struct rtrie *t, const struct in6_addr *addr)
{
	return rtrie_lookup_isa(t, addr, RTRIE_AVX2);
}

__attribute__((target("popcnt,avx512f")))
static void *
rtrie_lookup_avx512(const struct rtrie *t, const struct in6_addr *addr)
{
	return rtrie_lookup_isa(t, addr, RTRIE_AVX512);
}

static const struct {
	const char	*name;
	const char	*feature;	/* for __builtin_cpu_supports */
	void		*(*fn)(const struct rtrie *, const struct in6_addr *);
} rtrie_impls[] = {
	[RTRIE_PLAIN] =		{ "plain", NULL, rtrie_lookup_plain },
	[RTRIE_POPCNT] =	{ "popcnt", "popcnt", rtrie_lookup_popcnt },
	[RTRIE_AVX2] =		{ "avx2", "avx2", rtrie_lookup_avx2 },
	[RTRIE_AVX512] =	{ "avx512", "avx512f", rtrie_lookup_avx512 },
};

static int
rtrie_cpu_has(enum rtrie_isa isa)
{
	__builtin_cpu_init();
	switch (isa) {
	case RTRIE_PLAIN:
		return 1;
	case RTRIE_POPCNT:
		return __builtin_cpu_supports("popcnt");
	case RTRIE_AVX2:
		return __builtin_cpu_supports("popcnt") &&
		    __builtin_cpu_supports("avx2");
	case RTRIE_AVX512:
		return __builtin_cpu_supports("popcnt") &&
		    __builtin_cpu_supports("avx512f");
	}
	return 0;
}

void *
rtrie_lookup(const struct rtrie *t, const struct in6_addr *addr)
{
	return t->lookup(t, addr);
}

/* The lookup code in use; tests pin each in turn. */
const char *
rtrie_impl(const struct rtrie *t)
{
	return rtrie_impls[t->isa].name;
}

int
rtrie_use(struct rtrie *t, const char *name)
{
	size_t	i;

	for (i = 0; i < NITEMS(rtrie_impls); i++)
		if (strcmp(rtrie_impls[i].name, name) == 0) {
			if (!rtrie_cpu_has((enum rtrie_isa)i))
				return -1;
			t->isa = (enum rtrie_isa)i;
			t->lookup = rtrie_impls[i].fn;
			return 0;
		}
	return -1;
}

static void
rtrie_use_best(struct rtrie *t)
{
	enum rtrie_isa	i;

	for (i = RTRIE_AVX512; !rtrie_cpu_has(i); i--)
		;
	t->isa = i;
	t->lookup = rtrie_impls[i].fn;
}

/*
 * The node for bits k..k+5 of the prefixes v[lo..hi), which share their
 * first k bits and are all longer than k; def is the value of the
 * longest prefix of k bits or fewer covering them.  The prefixes under
 * one child are contiguous in v: sorted by address, then length, a
 * shorter prefix never falls between two longer ones of the same slot.
 */
static void
rtrie_scan(struct rtrie_scan *sc, unsigned int k, const struct rtrie_pfx *v,
    uint32_t lo, uint32_t hi, void *def)
{
	uint32_t	i, s, span;
	uint8_t		llen[64];

	sc->vec = 0;
	for (s = 0; s < 64; s++) {
		sc->leaf[s] = def;
		llen[s] = 0;
	}
	for (i = lo; i < hi; i++) {
		s = rtrie_slot(&v[i], k);
		if (v[i].plen > k + RTRIE_STRIDE) {
			if ((sc->vec & 1ULL << s) == 0) {
				sc->vec |= 1ULL << s;
				sc->first[s] = i;
			}
			sc->end[s] = i + 1;
			continue;
		}
		/* Expand the prefix over its slots; the longest wins. */
		span = 1U << (k + RTRIE_STRIDE - v[i].plen);
		for (s &= ~(span - 1); span-- > 0; s++)
			if (v[i].plen > llen[s]) {
				sc->leaf[s] = v[i].value;
				llen[s] = v[i].plen;
			}
	}
}

/* Give m the vector, leaves and a fresh array of sc; children unset. */
static void
rtrie_node_set(struct rtrie *t, struct rtrie_node *m,
    const struct rtrie_scan *sc)
{
	void		*run[64], *prev = NULL;
	uint64_t	 bit;
	uint32_t	 s, nrun = 0, nkids;

	m->vector = sc->vec;
	m->leafvec = 0;
	for (s = 0; s < 64; s++) {
		bit = 1ULL << s;
		if (sc->vec & bit)
			continue;
		if (m->leafvec == 0 || sc->leaf[s] != prev) {
			m->leafvec |= bit;
			run[nrun++] = prev = sc->leaf[s];
		}
	}
	nkids = (uint32_t)__builtin_popcountll(sc->vec);
	m->base = xcalloc(1, rtrie_node_bytes(m));
	memcpy(m->base + nkids, run, nrun * sizeof(void *));
	t->bytes += rtrie_node_bytes(m);
}

static void
rtrie_build(struct rtrie *t, struct rtrie_node *m, unsigned int k,
    const struct rtrie_pfx *v, uint32_t lo, uint32_t hi, void *def)
{
	struct rtrie_scan	sc;
	uint32_t		s, j = 0;

	rtrie_scan(&sc, k, v, lo, hi, def);
	rtrie_node_set(t, m, &sc);
	for (s = 0; s < 64; s++)
		if (sc.vec & 1ULL << s)
			rtrie_build(t, &m->base[j++], k + RTRIE_STRIDE, v,
			    sc.first[s], sc.end[s], sc.leaf[s]);
}

/*
 * Bring node m (depth k, all zero if it did not exist) up to date after
 * prefix p was added or removed below it; v[lo..hi) are the prefixes
 * under m now, at least one.  The node holding p's last bits is rebuilt
 * with its subtree; above it only the arrays change, and children off
 * p's path move into the new array as they are.
 */
static void
rtrie_update(struct rtrie *t, struct rtrie_node *m, unsigned int k,
    const struct rtrie_pfx *v, uint32_t lo, uint32_t hi, void *def,
    const struct rtrie_pfx *p)
{
	struct rtrie_scan	 sc;
	struct rtrie_node	 old = *m, none = { 0, 0, NULL }, *oc;
	uint64_t		 bit;
	uint32_t		 s, sp, j = 0;

	if (p->plen <= k + RTRIE_STRIDE) {
		rtrie_unbuild(t, m);
		rtrie_build(t, m, k, v, lo, hi, def);
		return;
	}
	rtrie_scan(&sc, k, v, lo, hi, def);
	rtrie_node_set(t, m, &sc);
	sp = rtrie_slot(p, k);
	for (s = 0; s < 64; s++) {
		bit = 1ULL << s;
		oc = old.vector & bit ? &old.base[__builtin_popcountll(
		    old.vector & (bit - 1))] : &none;
		if ((sc.vec & bit) == 0) {
			if (oc != &none)	/* p was the last under it */
				rtrie_unbuild(t, oc);
			continue;
		}
		m->base[j] = *oc;
		if (s == sp)
			rtrie_update(t, &m->base[j], k + RTRIE_STRIDE, v,
			    sc.first[s], sc.end[s], sc.leaf[s], p);
		j++;
	}
	t->bytes -= rtrie_node_bytes(&old);
	free(old.base);
}

/* The bucket of a short region: longest first, so the first match wins. */
static struct rtrie_bucket *
rtrie_bucket_build(const struct rtrie_region *r, void *def)
{
	struct rtrie_bucket	*b;
	uint32_t		 i, j, k = 0;

	b = xmalloc(sizeof(*b));
	for (j = 64; j > RTRIE_DIRBITS; j--)
		for (i = 0; i < r->n; i++)
			if (r->v[i].plen == j) {
				b->key[k] = r->v[i].hi;
				b->shift[k] = (uint8_t)(64 - j);
				b->value[k++] = r->v[i].value;
			}
	/* The rest match after every real entry, if at all: the default. */
	for (; k <= RTRIE_BUCKET_MAX; k++) {
		if (k < RTRIE_BUCKET_MAX) {
			b->key[k] = 0;
			b->shift[k] = 0;
		}
		b->value[k] = def;
	}
	return b;
}

/*
 * Bring region d's direct table entry up to date after p was added or
 * removed (p NULL: after its default changed).
 */
static void
rtrie_region_sync(struct rtrie *t, uint32_t d, const struct rtrie_pfx *p)
{
	struct rtrie_region	*r = &t->reg[d];
	struct rtrie_bucket	*b;
	uintptr_t		 trie = (uintptr_t)&r->root;

	int			 bucket = r->n <= RTRIE_BUCKET_MAX &&
				    r->nlong == 0;

	if (!bucket && r->n > 0 && t->dir[d] == trie && p != NULL) {
		rtrie_update(t, &r->root, RTRIE_DIRBITS, r->v, 0, r->n,
		    t->def[d], p);
		return;
	}
	rtrie_region_clear(t, d);
	if (r->n == 0)
		t->dir[d] = t->def[d] != NULL ?
		    (uintptr_t)&t->def[d] | RTRIE_TAG_DEF : 0;
	else if (bucket) {
		b = rtrie_bucket_build(r, t->def[d]);
		t->bytes += sizeof(*b);
		t->dir[d] = (uintptr_t)b | RTRIE_TAG_BUCKET;
	} else {
		rtrie_build(t, &r->root, RTRIE_DIRBITS, r->v, 0, r->n,
		    t->def[d]);
		t->dir[d] = trie;
	}
}

/* Region d's default becomes value, a prefix of plen bits. */
static void
rtrie_default(struct rtrie *t, uint32_t d, void *value, uint8_t plen)
{
	t->def[d] = value;
	t->defplen[d] = plen;
	if (t->dir[d] == 0 || (t->dir[d] & RTRIE_TAG_DEF))
		t->dir[d] = value != NULL ?
		    (uintptr_t)&t->def[d] | RTRIE_TAG_DEF : 0;
	else
		rtrie_region_sync(t, d, NULL);
}

static int
rtrie_pfx_cmp(const struct rtrie_pfx *p, const struct rtrie_pfx *q)
{
	if (p->hi != q->hi)
		return p->hi < q->hi ? -1 : 1;
	if (p->lo != q->lo)
		return p->lo < q->lo ? -1 : 1;
	return p->plen < q->plen ? -1 : p->plen > q->plen;
}

/* The first entry of r not below p. */
static uint32_t
rtrie_region_find(const struct rtrie_region *r, const struct rtrie_pfx *p)
{
	uint32_t	a = 0, b = r->n, m;

	while (a < b) {
		m = a + (b - a) / 2;
		if (rtrie_pfx_cmp(&r->v[m], p) < 0)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* Add a prefix known to be absent, hi and lo masked to plen bits. */
void
rtrie_add(struct rtrie *t, uint64_t hi, uint64_t lo, uint8_t plen,
    void *value)
{
	struct rtrie_pfx	 p = { hi, lo, value, plen };
	struct rtrie_region	*r;
	uint32_t		 d = rtrie_region_of(hi), i, n;

	if (plen > RTRIE_DIRBITS) {
		r = &t->reg[d];
		i = rtrie_region_find(r, &p);
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 4;
			r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
		}
		memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
		r->v[i] = p;
		r->n++;
		r->nlong += plen > 64;
		rtrie_region_sync(t, d, &p);
		return;
	}
	for (n = 1U << (RTRIE_DIRBITS - plen); n-- > 0; d++)
		if (t->def[d] == NULL || t->defplen[d] < plen)
			rtrie_default(t, d, value, plen);
}

/*
 * Remove a present prefix; cover is the value of the longest prefix
 * shorter than plen that covers it (NULL if none), of coverplen bits.
 */
void
rtrie_del(struct rtrie *t, uint64_t hi, uint64_t lo, uint8_t plen,
    void *cover, uint8_t coverplen)
{
	struct rtrie_pfx	 p = { hi, lo, NULL, plen };
	struct rtrie_region	*r;
	uint32_t		 d = rtrie_region_of(hi), i, n;

	if (plen > RTRIE_DIRBITS) {
		r = &t->reg[d];
		i = rtrie_region_find(r, &p);
		if (i == r->n || rtrie_pfx_cmp(&r->v[i], &p) != 0)
			return;
		memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
		r->nlong -= plen > 64;
		if (--r->n == 0) {
			free(r->v);
			r->v = NULL;
			r->cap = 0;
		}
		rtrie_region_sync(t, d, &p);
		return;
	}
	for (n = 1U << (RTRIE_DIRBITS - plen); n-- > 0; d++)
		if (t->def[d] != NULL && t->defplen[d] == plen)
			rtrie_default(t, d, cover, coverplen);
}
