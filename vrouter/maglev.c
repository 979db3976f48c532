/*
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and
 * Reliable Software Network Load Balancer", NSDI 2016, section 3.4).
 *
 * Each usable member has a permutation of the M table entries, from
 * offset = h1(key) % M and skip = h2(key) % (M - 1) + 1; M is prime, so
 * every skip visits every entry.  Members take turns claiming the next
 * free entry of their permutation until the table is full, which gives
 * each member M / n entries, give or take one, and moves few entries
 * when a member comes or goes.  Weights follow Envoy's variant: a
 * member of weight w takes a turn in w of every wmax rounds.
 *
 * Members take their turns in key order, so the table depends on the
 * set of keys and weights only: routers that list the same members in
 * a different order build the same table.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"

struct maglev_entry {
	uint64_t	 key;
	uint64_t	 target;	/* next round to take a turn, scaled */
	uint32_t	 idx;		/* index in the caller's m[] */
	uint32_t	 weight;
	uint32_t	 pos;		/* next entry of the permutation */
	uint32_t	 skip;
};

static uint64_t	 maglev_mix(uint64_t);
static int	 maglev_entry_cmp(const void *, const void *);

int
policy_maglev_build(struct policy_state *st, const struct policy_member *m,
    size_t n)
{
	struct maglev_entry	 ent[POLICY_MAX_MEMBERS], *e;
	uint64_t		 round, wmax = 0;
	uint32_t		*table;
	size_t			 i, k = 0, filled;

	if (n > POLICY_MAX_MEMBERS)
		return -1;
	if ((table = st->maglev) == NULL &&
	    (table = calloc(MAGLEV_SIZE, sizeof(*table))) == NULL)
		return -1;
	st->maglev = table;
	for (i = 0; i < MAGLEV_SIZE; i++)
		table[i] = MAGLEV_EMPTY;

	for (i = 0; i < n; i++) {
		if (!m[i].usable)
			continue;
		e = &ent[k++];
		e->key = m[i].key;
		e->idx = (uint32_t)i;
		e->weight = policy_weight(&m[i]);
		e->target = 0;
		/* Two independent hashes of the key. */
		e->pos = (uint32_t)(maglev_mix(e->key ^
		    0x5851f42d4c957f2dULL) % MAGLEV_SIZE);
		e->skip = (uint32_t)(maglev_mix(e->key ^
		    0x14057b7ef767814fULL) % (MAGLEV_SIZE - 1)) + 1;
		if (e->weight > wmax)
			wmax = e->weight;
	}
	st->maglev_n = n;
	st->maglev_usable = k;
	if (k == 0)
		return 0;
	qsort(ent, k, sizeof(ent[0]), maglev_entry_cmp);

	/*
	 * A member takes a turn in round r when r * weight has reached its
	 * target, then its target grows by wmax: the heaviest members take
	 * a turn every round.  With equal weights this is the paper's
	 * round robin.  The table fills before any permutation runs out,
	 * since a permutation visits every entry.
	 */
	filled = 0;
	for (round = 1; filled < MAGLEV_SIZE; round++) {
		for (i = 0; i < k && filled < MAGLEV_SIZE; i++) {
			e = &ent[i];
			if (round * e->weight < e->target)
				continue;
			e->target += wmax;
			while (table[e->pos] != MAGLEV_EMPTY)
				e->pos = (e->pos + e->skip) % MAGLEV_SIZE;
			table[e->pos] = e->idx;
			e->pos = (e->pos + e->skip) % MAGLEV_SIZE;
			filled++;
		}
	}
	return 0;
}

int
policy_maglev_lookup(const struct policy_state *st,
    const struct policy_member *m, size_t n, uint64_t flow_hash)
{
	size_t		 i, usable = 0, pos;
	uint32_t	 idx;

	if (n > POLICY_MAX_MEMBERS)
		n = POLICY_MAX_MEMBERS;
	for (i = 0; i < n; i++)
		if (m[i].usable)
			usable++;
	if (usable == 0)
		return -1;

	/*
	 * An entry whose owner is no longer usable (the table is older
	 * than the last change) falls through to the next entries: the
	 * flows of the other members stay where they are.
	 */
	if (st->maglev != NULL && st->maglev_usable > 0) {
		pos = flow_hash % MAGLEV_SIZE;
		for (i = 0; i < MAGLEV_SIZE; i++) {
			idx = st->maglev[pos];
			if (idx < n && m[idx].usable)
				return (int)idx;
			if (++pos == MAGLEV_SIZE)
				pos = 0;
		}
	}

	/* No table, or none of its members usable: still spread flows. */
	usable = flow_hash % usable;
	for (i = 0; i < n; i++) {
		if (!m[i].usable)
			continue;
		if (usable-- == 0)
			return (int)i;
	}
	return -1;	/* not reached */
}

/* The splitmix64 finaliser: a bijection mixing every input bit. */
static uint64_t
maglev_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
maglev_entry_cmp(const void *a, const void *b)
{
	const struct maglev_entry	*ea = a, *eb = b;

	if (ea->key != eb->key)
		return ea->key < eb->key ? -1 : 1;
	if (ea->idx != eb->idx)
		return ea->idx < eb->idx ? -1 : 1;
	return 0;
}
