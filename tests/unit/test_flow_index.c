/*
 * The flow table's index on its own: slots placed under hashes chosen
 * to land in one bucket, so that chains of spare buckets grow, shrink
 * and are reused; and the worst case, every flow in one chain.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "flow_index.h"

/* A hash of bucket b with signature sig. */
static uint64_t
hash_of(const struct flow_index *ix, uint32_t b, uint16_t sig)
{
	return (uint64_t)b << ix->shift | sig;
}

/* Slots on the chain of bucket b, each counted in seen[]; chain length. */
static size_t
chain(const struct flow_index *ix, uint32_t b, unsigned int *seen,
    size_t nseen)
{
	const struct flow_bucket	*k = &ix->buckets[b];
	size_t				 len = 0;

	for (;;) {
		len++;
		for (int s = 0; s < FLOW_BUCKET_SLOTS; s++) {
			if (k->slot[s] == 0)
				continue;
			cr_assert_leq(k->slot[s], nseen);
			seen[k->slot[s] - 1]++;
		}
		if (k->next == 0)
			return len;
		cr_assert_geq(k->next, ix->nbuckets, "a spare");
		cr_assert_lt(k->next, ix->spare_end);
		k = &ix->buckets[k->next];
	}
}

Test(flow_index, sizes)
{
	struct flow_index	 ix;

	flow_index_init(&ix, 0);
	cr_assert_eq(ix.nbuckets, 2);
	flow_index_free(&ix);
	flow_index_init(&ix, 100);
	cr_assert_eq(ix.nbuckets, 32);		/* at most 4 flows a bucket */
	cr_assert_eq(ix.shift, 64 - 5);
	cr_assert_eq(ix.spare_end - ix.nbuckets, 100 / FLOW_BUCKET_SLOTS + 1);
	flow_index_free(&ix);
	flow_index_init(&ix, 1u << 20);
	cr_assert_eq(ix.nbuckets, 1u << 18);
	cr_assert_gt(ix.mapped, 0, "a large index is mapped");
	cr_assert_eq((uintptr_t)ix.buckets % (2u << 20), 0,
	    "on a huge-page boundary");
	cr_assert_eq(ix.buckets[12345].slot[3], 0, "zeroed: empty");
	flow_index_free(&ix);
}

Test(flow_index, spares_grow_shrink_reused)
{
	struct flow_index	 ix;
	unsigned int		 seen[64];
	uint32_t		 fresh;

	flow_index_init(&ix, 64);
	/* 35 slots in bucket 5: the bucket and three spares. */
	for (uint32_t i = 0; i < 35; i++)
		flow_index_add(&ix, hash_of(&ix, 5, (uint16_t)i), i);
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(chain(&ix, 5, seen, 64), 4);
	for (uint32_t i = 0; i < 64; i++)
		cr_assert_eq(seen[i], i < 35, "slot %u: %u times", i, seen[i]);
	cr_assert_eq(ix.spare_fresh, ix.nbuckets + 3);
	/* Bucket 6 is its own. */
	flow_index_add(&ix, hash_of(&ix, 6, 1), 40);
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(chain(&ix, 6, seen, 64), 1);
	cr_assert_eq(seen[40], 1);

	/* Empty the second spare (slots 20..29): it leaves the chain. */
	for (uint32_t i = 20; i < 30; i++)
		flow_index_del(&ix, hash_of(&ix, 5, (uint16_t)i), i);
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(chain(&ix, 5, seen, 64), 3);
	for (uint32_t i = 0; i < 35; i++)
		cr_assert_eq(seen[i], i < 20 || i >= 30, "slot %u", i);
	cr_assert_neq(ix.spare_free, 0);

	/* Holes fill first, then the freed spare, not a fresh one. */
	fresh = ix.spare_fresh;
	for (uint32_t i = 20; i < 30; i++)
		flow_index_add(&ix, hash_of(&ix, 5, (uint16_t)i), i);
	cr_assert_eq(ix.spare_fresh, fresh);
	cr_assert_eq(ix.spare_free, 0);
	for (uint32_t i = 41; i < 51; i++)
		flow_index_add(&ix, hash_of(&ix, 5, (uint16_t)i), i);
	cr_assert_eq(ix.spare_fresh, fresh + 1);
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(chain(&ix, 5, seen, 64), 5);
	for (uint32_t i = 0; i < 64; i++)
		cr_assert_eq(seen[i], i < 35 || (i >= 41 && i < 51), "slot %u",
		    i);

	/* Everything out, from the bucket first: one bucket again. */
	for (uint32_t i = 0; i < 51; i++)
		if (i < 35 || i >= 41)
			flow_index_del(&ix, hash_of(&ix, 5, (uint16_t)i), i);
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(chain(&ix, 5, seen, 64), 1);
	for (uint32_t i = 0; i < 64; i++)
		cr_assert_eq(seen[i], 0);
	flow_index_free(&ix);
}

/* Every flow under one bucket: the spares are enough. */
Test(flow_index, worst_case_one_chain)
{
	struct flow_index	 ix;
	unsigned int		 seen[1000];
	const uint32_t		 cap = 1000;

	flow_index_init(&ix, cap);
	for (int round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < cap; i++)
			flow_index_add(&ix, hash_of(&ix, 0, 7), i);
		memset(seen, 0, sizeof(seen));
		cr_assert_eq(chain(&ix, 0, seen, cap), cap / FLOW_BUCKET_SLOTS);
		for (uint32_t i = 0; i < cap; i++)
			cr_assert_eq(seen[i], 1);
		/* Out in an order that empties spares in the middle. */
		for (uint32_t i = 0; i < cap; i++) {
			uint32_t j = (i * 7u + 3u) % cap;

			flow_index_del(&ix, hash_of(&ix, 0, 7), j);
		}
		memset(seen, 0, sizeof(seen));
		cr_assert_eq(chain(&ix, 0, seen, cap), 1);
	}
	cr_assert_leq(ix.spare_fresh, ix.spare_end);
	flow_index_free(&ix);
}

/* The keyed hash: the same key, the same hash; two tables, two keys. */
Test(flow_index, keyed_hash)
{
	struct flow_index	 a, b;
	struct flow_key		 k, k2;
	struct in6_addr		 src, dst;
	size_t			 same = 0;

	memset(&src, 0x20, sizeof(src));
	memset(&dst, 0x30, sizeof(dst));
	flow_key_set(&k, &src, &dst, 1234, 80, 6);
	k2 = k;
	memset((char *)&k2 + offsetof(struct flow_key, proto) + 1, 0xff, 3);
	flow_index_init(&a, 1000);
	flow_index_init(&b, 1000);
	cr_assert_eq(flow_index_hash(&a, &k), flow_index_hash(&a, &k2),
	    "padding does not count");
	for (uint16_t p = 0; p < 1000; p++) {
		k.cport = p;
		same += flow_index_hash(&a, &k) == flow_index_hash(&b, &k);
	}
	cr_assert_eq(same, 0);
	flow_index_free(&a);
	flow_index_free(&b);
}
