/*
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and
 * Reliable Software Network Load Balancer", NSDI 2016, section 3.4).
 *
 * Each usable member has a permutation of the M table entries, from
 * offset = h1(key) % M and skip = h2(key) % (M - 1) + 1; M is prime, so
 * every skip visits every entry.  Members take turns claiming the next
 * free entry of their permutation until the table is full, which gives
 * each member M / n entries, give or take one.  Weights follow Envoy's
 * variant: a member of weight w takes a turn in w of every wmax rounds.
 * Members take their turns in key order, so this full build depends on
 * the set of keys and weights only: routers that list the same members
 * in a different order build the same table, the canonical one.
 *
 * A full build without one of the members moves a few of the others'
 * entries too (about 0.5 %, now and then 2 %).  So the members of the
 * last full build, the base, are kept with their canonical table, and
 * while the usable members are base members with their base weights
 * each entry goes to the first usable member of three choices:
 *
 * 1. its canonical owner;
 * 2. its owner in a second fill: the full build goes on from where it
 *    stopped, in the same turn order, each member going on along its
 *    permutation and claiming the entries it does not own, but no more
 *    of any one member's entries than its share of them, so that those
 *    of a member that leaves are spread over the others by weight
 *    (worked out once per base, when a member is first missing);
 * 3. the winner of a race between the usable members, run for each
 *    entry: rendezvous hashing, by weight.
 *
 * No usable member takes second or third choices beyond its share of
 * the table: its weight times M over the usable weights, rounded so
 * that the shares add up to M.  The second choices beyond it go to the
 * third choice, and third choices skip members that hold their share,
 * in entry order.  So the table stays balanced to an entry or two
 * whatever is missing.
 *
 * The choices and the shares depend on the base and the usable set
 * only, not on the order of the changes.  An entry whose canonical
 * owner is usable never moves, so taking members out of a full base
 * moves none of the others' entries, and once every base member is
 * back the table is the canonical one again.  With members already
 * missing, the shares change with every change and a few second and
 * third choices shift between members that stay.  A new key or a new
 * weight gets a full build and a new base.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* A base member, and where its fill stopped in the full build. */
struct maglev_member {
	uint64_t	 key;
	uint64_t	 target;	/* round * weight that earns a turn */
	uint32_t	 idx;		/* index in m[], if usable */
	uint32_t	 weight;
	uint32_t	 pos;		/* next entry of its permutation */
	uint32_t	 skip;
	uint32_t	 count;		/* entries held, while building */
	uint32_t	 cap;		/* its share, the most it takes */
	bool		 in;		/* usable; taking turns */
};

/* The last full build. */
struct maglev_base {
	struct maglev_member	 mb[POLICY_MAX_MEMBERS];	/* by key */
	size_t			 n;
	uint64_t		 round;		/* the fill stopped in */
	uint64_t		 last;		/* after this key's turn */
	uint64_t		 wmax;
	bool			 second_done;	/* second[] worked out */
	uint8_t			 canon[MAGLEV_SIZE];	/* first choice */
	uint8_t			 second[MAGLEV_SIZE];	/* second choice */
};

_Static_assert(POLICY_MAX_MEMBERS <= 256, "choices stored in a byte");

static int	 maglev_alloc(struct policy_state *);
static bool	 maglev_match(struct maglev_base *,
		    const struct maglev_member *, size_t);
static void	 maglev_full(struct maglev_base *,
		    const struct maglev_member *, size_t);
static void	 maglev_second(struct maglev_base *, uint32_t *);
static void	 maglev_fill(struct maglev_base *, uint64_t *);
static uint64_t	 maglev_next_round(const struct maglev_member *, size_t,
		    uint64_t);
static uint32_t	 maglev_third(const struct maglev_base *, const uint8_t *,
		    size_t, uint32_t, bool);
static uint64_t	 maglev_neglog2(uint64_t);
static void	 maglev_quota(struct maglev_member *, size_t);
static void	 maglev_assign(struct policy_state *);
static void	 maglev_step(struct maglev_member *);
static uint64_t	 maglev_mix(uint64_t);
static int	 maglev_member_cmp(const void *, const void *);

int
policy_maglev_build(struct policy_state *st, const struct policy_member *m,
    size_t n)
{
	struct maglev_member	 ent[POLICY_MAX_MEMBERS], *e;
	struct maglev_base	*b;
	size_t			 i, k = 0;
	bool			 fresh;

	if (n > POLICY_MAX_MEMBERS)
		return -1;
	fresh = st->maglev == NULL || st->maglev_base == NULL;
	if (maglev_alloc(st) == -1)
		return -1;
	b = st->maglev_base;

	for (i = 0; i < n; i++) {
		if (!m[i].usable)
			continue;
		e = &ent[k++];
		memset(e, 0, sizeof(*e));
		e->key = m[i].key;
		e->idx = (uint32_t)i;
		e->weight = policy_weight(&m[i]);
	}
	qsort(ent, k, sizeof(ent[0]), maglev_member_cmp);

	if (fresh || !maglev_match(b, ent, k))
		maglev_full(b, ent, k);
	/* k usable members; with one, second choices do not matter. */
	if (k > 1 && k < b->n && !b->second_done)
		maglev_second(b, st->maglev);
	maglev_assign(st);
	st->maglev_n = n;
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

/* The table and the base, both or neither: 0 or -1. */
static int
maglev_alloc(struct policy_state *st)
{
	uint32_t		*table = st->maglev;
	struct maglev_base	*b = st->maglev_base;

	if (table == NULL)
		table = calloc(MAGLEV_SIZE, sizeof(*table));
	if (b == NULL)
		b = calloc(1, sizeof(*b));
	if (table == NULL || b == NULL) {
		if (table != st->maglev)
			free(table);
		if (b != st->maglev_base)
			free(b);
		return -1;
	}
	st->maglev = table;
	st->maglev_base = b;
	return 0;
}

/*
 * When every usable member (ent[], in key order) is a base member with
 * its base weight, mark them usable in the base, with their index in
 * m[], and the others not, and say so.  Duplicate keys get a full
 * build.
 */
static bool
maglev_match(struct maglev_base *b, const struct maglev_member *ent,
    size_t k)
{
	uint32_t	 match[POLICY_MAX_MEMBERS];
	size_t		 i, j = 0;

	for (i = 0; i < k; i++) {
		if (i > 0 && ent[i].key == ent[i - 1].key)
			return false;
		while (j < b->n && b->mb[j].key < ent[i].key)
			j++;
		if (j == b->n || b->mb[j].key != ent[i].key ||
		    b->mb[j].weight != ent[i].weight)
			return false;
		match[i] = (uint32_t)j++;
	}
	for (j = 0; j < b->n; j++)
		b->mb[j].in = false;
	for (i = 0; i < k; i++) {
		b->mb[match[i]].in = true;
		b->mb[match[i]].idx = ent[i].idx;
	}
	return true;
}

/* The canonical table of ent[0..k), in key order: the new base. */
static void
maglev_full(struct maglev_base *b, const struct maglev_member *ent,
    size_t k)
{
	/* Which entries are taken: 8 KiB, in the L1 cache while filling. */
	uint64_t		 taken[(MAGLEV_SIZE + 63) / 64];
	struct maglev_member	*e;
	size_t			 i;

	memset(taken, 0, sizeof(taken));
	b->n = k;
	b->wmax = 0;
	b->second_done = false;
	for (i = 0; i < k; i++) {
		e = &b->mb[i];
		*e = ent[i];
		e->in = true;
		/* Two independent hashes of the key. */
		e->pos = (uint32_t)(maglev_mix(e->key ^
		    0x5851f42d4c957f2dULL) % MAGLEV_SIZE);
		e->skip = (uint32_t)(maglev_mix(e->key ^
		    0x14057b7ef767814fULL) % (MAGLEV_SIZE - 1)) + 1;
		if (e->weight > b->wmax)
			b->wmax = e->weight;
	}
	if (k == 0)
		return;
	maglev_fill(b, taken);
}

/*
 * Second choices: a second fill going on from where the full build
 * stopped, in the same turn order, each member going on along its
 * permutation and claiming every entry it does not own already, until
 * each entry has a second owner.  A member claims no more of another
 * member's entries than about its share of them, so that those of any
 * one member are spread by weight over the others.  A member
 * that finds nothing to claim in a whole permutation passes from then
 * on; the others then can.  pair[] is scratch for n * n allowances;
 * there are two or more members.
 */
static void
maglev_second(struct maglev_base *b, uint32_t *pair)
{
	struct maglev_member	 mb[POLICY_MAX_MEMBERS], *e;
	uint32_t		 own[POLICY_MAX_MEMBERS];
	uint64_t		 r = b->round, wsum = 0, rest;
	size_t			 i, j, x, turn, steps, left = MAGLEV_SIZE;
	size_t			 out = 0;

	b->second_done = true;
	memcpy(mb, b->mb, b->n * sizeof(mb[0]));
	for (j = 0; j < b->n; j++) {
		mb[j].in = true;
		own[j] = 0;
		wsum += mb[j].weight;
	}
	/* An entry without a second owner yet has its first as second. */
	for (i = 0; i < MAGLEV_SIZE; i++) {
		own[b->canon[i]]++;
		b->second[i] = b->canon[i];
	}
	/*
	 * How many of x's entries j may claim, pair[j * n + x]: its share
	 * rounded up, and one more, or the last few of them would take
	 * long walks to find one of the few members that may claim them.
	 */
	for (x = 0; x < b->n; x++) {
		rest = wsum - mb[x].weight;
		for (j = 0; j < b->n; j++)
			pair[j * b->n + x] = (uint32_t)(((uint64_t)own[x] *
			    mb[j].weight + rest - 1) / rest) + 1;
	}

	/* Go on after the member that took the last turn. */
	for (turn = 0; turn < b->n; turn++)
		if (mb[turn].key > b->last)
			break;
	for (; left > 0 && out < b->n; turn++) {
		if (turn == b->n) {
			turn = 0;
			r = maglev_next_round(mb, b->n, r + 1);
		}
		e = &mb[turn];
		if (!e->in || r * e->weight < e->target)
			continue;
		e->target += b->wmax;
		for (steps = 0; steps < MAGLEV_SIZE; steps++) {
			i = e->pos;
			maglev_step(e);
			x = b->canon[i];
			if (x == turn || b->second[i] != x ||
			    pair[turn * b->n + x] == 0)
				continue;
			b->second[i] = (uint8_t)turn;
			pair[turn * b->n + x]--;
			left--;
			break;
		}
		if (steps == MAGLEV_SIZE) {
			e->in = false;
			out++;
		}
	}
}

/*
 * The full build's fill of b->canon (taken[] marks what is claimed):
 * members take turns claiming the next free entry along their
 * permutations until the table is full.  A member
 * takes a turn in round r when r * weight has reached its target, then
 * its target grows by wmax: the heaviest members take a turn every
 * round, and with equal weights this is the paper's round robin.  The
 * table fills before any permutation runs out, since a permutation
 * visits every entry.  Records where the fill stopped.
 */
static void
maglev_fill(struct maglev_base *b, uint64_t *taken)
{
	struct maglev_member	*e;
	size_t			 turn, left = MAGLEV_SIZE;
	uint64_t		 r;

	for (r = 1;; r++) {
		for (turn = 0; turn < b->n; turn++) {
			e = &b->mb[turn];
			if (r * e->weight < e->target)
				continue;
			e->target += b->wmax;
			while (taken[e->pos / 64] >> (e->pos % 64) & 1)
				maglev_step(e);
			taken[e->pos / 64] |= 1ull << (e->pos % 64);
			b->canon[e->pos] = (uint8_t)turn;
			maglev_step(e);
			if (--left == 0) {
				b->round = r;
				b->last = e->key;
				return;
			}
		}
	}
}

/*
 * The first round from `round' on in which a member that is in takes a
 * turn.  Rounds in which nobody would are skipped: once the heaviest
 * members are out there can be many.
 */
static uint64_t
maglev_next_round(const struct maglev_member *mb, size_t n, uint64_t round)
{
	uint64_t	 next = UINT64_MAX, r;
	size_t		 j;

	for (j = 0; j < n; j++) {
		if (!mb[j].in)
			continue;
		r = (mb[j].target + mb[j].weight - 1) / mb[j].weight;
		if (r < next)
			next = r;
	}
	return next != UINT64_MAX && next > round ? next : round;
}

/*
 * Third choice for entry i: of the usable members mb[use[0..nuse)],
 * among those holding less than their share (or among all if none
 * did), the one with the lowest -log(u) / weight, u a hash of the entry
 * and the member's key, uniform in (0, 1): an exponential race, which
 * each member wins in proportion to its weight.
 */
static uint32_t
maglev_third(const struct maglev_base *b, const uint8_t *use, size_t nuse,
    uint32_t i, bool capped)
{
	const struct maglev_member	*e;
	uint64_t			 eh, l, best_l = 0, best_w = 1;
	uint32_t			 best = MAGLEV_EMPTY;
	size_t				 j;

	eh = maglev_mix(i ^ 0x2545f4914f6cdd1dULL);
	for (j = 0; j < nuse; j++) {
		e = &b->mb[use[j]];
		if (capped && e->count >= e->cap)
			continue;
		l = maglev_neglog2(maglev_mix(e->key ^ eh));
		/* l / weight < best_l / best_w, both below 2^54. */
		if (best == MAGLEV_EMPTY || l * best_w < best_l * e->weight) {
			best = use[j];
			best_l = l;
			best_w = e->weight;
		}
	}
	if (best == MAGLEV_EMPTY && capped)
		return maglev_third(b, use, nuse, i, false);
	return best;
}

/* log2(1 + k / 64) in units of 2^-31, rounded, for k = 0 to 64. */
static const uint32_t maglev_log2_tab[65] = {
	         0,   48034513,   95335645,  141925456,  187825021,
	 233054496,  277633165,  321579490,  364911162,  407645136,
	 449797678,  491384396,  532420281,  572919734,  612896598,
	 652364189,  691335320,  729822324,  767837083,  805391046,
	 842495250,  879160341,  915396590,  951213914,  986621888,
	1021629764, 1056246482, 1090480686, 1124340739, 1157834731,
	1190970490, 1223755601, 1256197405, 1288303019, 1320079339,
	1351533050, 1382670639, 1413498396, 1444022426, 1474248656,
	1504182841, 1533830570, 1563197273, 1592288229, 1621108567,
	1649663276, 1677957208, 1705995083, 1733781493, 1761320910,
	1788617686, 1815676059, 1842500157, 1869094003, 1895461516,
	1921606515, 1947532725, 1973243777, 1998743213, 2024034488,
	2049120974, 2074005959, 2098692655, 2123184198, 2147483648,
};

/*
 * -log2(h / 2^64) in units of 2^-31, from the table with linear
 * interpolation (within 1e-4): integers only, so every router gets
 * the same.
 */
static uint64_t
maglev_neglog2(uint64_t h)
{
	uint64_t	 m, lo, hi, frac;
	unsigned int	 z, k;

	if (h == 0)
		return (uint64_t)65 << 31;
	z = (unsigned int)__builtin_clzll(h);
	m = h << z;		/* 2^63 * (1 + k / 64 + ...) */
	k = (unsigned int)(m >> 57) & 63;
	frac = (m >> 25) & 0xffffffffULL;
	lo = maglev_log2_tab[k];
	hi = maglev_log2_tab[k + 1];
	return ((uint64_t)(z + 1) << 31) - lo - (((hi - lo) * frac) >> 32);
}

/*
 * The shares of the table of the members mb[0..n) that are in, in
 * proportion to their weights and adding up to M: rounded down, then
 * one more for the largest remainders (the first in key order on a
 * tie).
 */
static void
maglev_quota(struct maglev_member *mb, size_t n)
{
	uint64_t	 rem[POLICY_MAX_MEMBERS], w, wsum = 0;
	size_t		 j, best, left = MAGLEV_SIZE;

	for (j = 0; j < n; j++)
		if (mb[j].in)
			wsum += mb[j].weight;
	for (j = 0; j < n; j++) {
		mb[j].cap = 0;
		rem[j] = 0;
		if (!mb[j].in)
			continue;
		w = (uint64_t)MAGLEV_SIZE * mb[j].weight;
		mb[j].cap = (uint32_t)(w / wsum);
		rem[j] = w % wsum + 1;	/* above the members not in */
		left -= mb[j].cap;
	}
	/* Fewer than the members in, each rounded down by less than 1. */
	while (left-- > 0) {
		best = 0;
		for (j = 1; j < n; j++)
			if (rem[j] > rem[best])
				best = j;
		mb[best].cap++;
		rem[best] = 0;
	}
}

/*
 * Each entry to its first usable choice, within the shares, as an
 * index in the caller's m[].  Second choices are known for every
 * missing member when two or more are usable; with one, it takes all.
 */
static void
maglev_assign(struct policy_state *st)
{
	struct maglev_base	*b = st->maglev_base;
	struct maglev_member	*e;
	uint32_t		*t = st->maglev;
	uint32_t		 i, c;
	uint8_t			 use[POLICY_MAX_MEMBERS];
	size_t			 j, usable = 0, third = 0;

	for (j = 0; j < b->n; j++) {
		b->mb[j].count = 0;
		if (b->mb[j].in)
			use[usable++] = (uint8_t)j;
	}
	st->maglev_usable = usable;
	st->maglev_absent = b->n - usable;
	if (usable == 0) {
		for (i = 0; i < MAGLEV_SIZE; i++)
			t[i] = MAGLEV_EMPTY;
		return;
	}
	maglev_quota(b->mb, b->n);

	for (i = 0; i < MAGLEV_SIZE; i++) {
		e = &b->mb[b->canon[i]];
		t[i] = MAGLEV_EMPTY;
		if (e->in) {
			t[i] = b->canon[i];
			e->count++;
		}
	}
	for (i = 0; i < MAGLEV_SIZE; i++) {
		if (t[i] != MAGLEV_EMPTY)
			continue;
		c = b->second[i];
		if (b->second_done && b->mb[c].in &&
		    b->mb[c].count < b->mb[c].cap) {
			t[i] = c;
			b->mb[c].count++;
		} else
			third++;
	}
	for (i = 0; third > 0 && i < MAGLEV_SIZE; i++) {
		if (t[i] != MAGLEV_EMPTY)
			continue;
		c = maglev_third(b, use, usable, i, true);
		t[i] = c;
		b->mb[c].count++;
		third--;
	}
	for (i = 0; i < MAGLEV_SIZE; i++)
		t[i] = b->mb[t[i]].idx;
}

/* The next entry of e's permutation. */
static void
maglev_step(struct maglev_member *e)
{
	e->pos += e->skip;
	if (e->pos >= MAGLEV_SIZE)
		e->pos -= MAGLEV_SIZE;
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
maglev_member_cmp(const void *a, const void *b)
{
	const struct maglev_member	*ea = a, *eb = b;

	if (ea->key != eb->key)
		return ea->key < eb->key ? -1 : 1;
	if (ea->idx != eb->idx)
		return ea->idx < eb->idx ? -1 : 1;
	return 0;
}
