/*
 * The flow table's index, private to flow.c: which slot of the flow
 * array holds a key.
 *
 * A bucket is one cache line: ten 16-bit signatures of keys and the
 * slots of their flows, chained to a spare bucket when all ten are
 * taken (rare: a full table averages two to four flows per bucket).
 * A lookup reads its bucket and then only the flow whose signature
 * matches: in a table larger than the caches, one miss for the bucket
 * and one for the flow.  Buckets and spares come zeroed, and zero is
 * an empty slot and the end of a chain.
 *
 * The hash is keyed with a secret per table: an NH-style sum of
 * 128-bit products, then a multiply to spread it.  Without the key
 * nobody outside can aim flows at one bucket (flow_hash(), public and
 * fixed, is easy to collide on purpose).
 */
#ifndef FLOW_INDEX_H
#define FLOW_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "flow.h"

#define FLOW_BUCKET_SLOTS	10

struct flow_bucket {
	uint16_t	 sig[FLOW_BUCKET_SLOTS];
	uint32_t	 slot[FLOW_BUCKET_SLOTS];	/* flow + 1; 0: empty */
	uint32_t	 next;		/* the spare chained on; 0: none */
} __attribute__((aligned(64)));

struct flow_index {
	struct flow_bucket	*buckets;	/* nbuckets, then the spares */
	size_t			 mapped;	/* see flow_mem_alloc() */
	uint64_t		 key[6];	/* secret */
	unsigned int		 shift;		/* 64 - log2(nbuckets) */
	uint32_t		 nbuckets;
	uint32_t		 spare_fresh;	/* next spare never used */
	uint32_t		 spare_end;
	uint32_t		 spare_free;	/* spares given back, by next */
};

/* The words of a key, padding left out. */
static inline void
flow_key_words(const struct flow_key *k, uint64_t w[5])
{
	memcpy(&w[0], &k->client.s6_addr[0], 8);
	memcpy(&w[1], &k->client.s6_addr[8], 8);
	memcpy(&w[2], &k->group.s6_addr[0], 8);
	memcpy(&w[3], &k->group.s6_addr[8], 8);
	w[4] = (uint64_t)k->cport | (uint64_t)k->gport << 16 |
	    (uint64_t)k->proto << 32 | (uint64_t)k->tag << 40;
}

static inline uint64_t
flow_index_hash(const struct flow_index *ix, const struct flow_key *k)
{
	typedef unsigned __int128 u128;
	uint64_t	 w[5], h;
	u128		 s;

	flow_key_words(k, w);
	s = (u128)(w[0] + ix->key[0]) * (w[1] + ix->key[1]) +
	    (u128)(w[2] + ix->key[2]) * (w[3] + ix->key[3]) +
	    (u128)(w[4] + ix->key[4]) * ix->key[5];
	h = (uint64_t)s ^ (uint64_t)(s >> 64);
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ h >> 29;
}

static inline struct flow_bucket *
flow_index_bucket(const struct flow_index *ix, uint64_t hash)
{
	return &ix->buckets[hash >> ix->shift];
}

/* Low bits: independent of the bucket's, which are the top ones. */
static inline uint16_t
flow_index_sig(uint64_t hash)
{
	return (uint16_t)hash;
}

/*
 * The slots of a bucket whose signature is sig, as bit 2 * slot: ten
 * compares at once where the CPU has them (empty slots may match: the
 * caller checks).
 */
static inline uint32_t
flow_bucket_match(const struct flow_bucket *b, uint16_t sig)
{
#ifdef __SSE2__
	__m128i		 s = _mm_set1_epi16((short)sig);
	__m128i		 lo = _mm_loadu_si128((const void *)&b->sig[0]);
	__m128i		 hi = _mm_loadu_si128((const void *)&b->sig[2]);
	uint32_t	 m;

	/* Slots 0-7, and 2-9 shifted into place. */
	m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(lo, s)) |
	    (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(hi, s)) << 4;
	return m & 0x55555;
#else
	uint32_t	 m = 0;

	for (int i = 0; i < FLOW_BUCKET_SLOTS; i++)
		m |= (uint32_t)(b->sig[i] == sig) << (2 * i);
	return m;
#endif
}

/* flow_index.c */
void	 flow_index_init(struct flow_index *, uint32_t capacity);
void	 flow_index_free(struct flow_index *);
void	 flow_index_add(struct flow_index *, uint64_t hash, uint32_t i);
void	 flow_index_del(struct flow_index *, uint64_t hash, uint32_t i);
void	*flow_mem_alloc(size_t size, size_t *mapped);
void	 flow_mem_free(void *, size_t mapped);

#endif /* FLOW_INDEX_H */
