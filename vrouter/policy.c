/*
 * Member selection policies for anycast groups: least sessions
 * (paper 1), round robin, smooth weighted round robin, random, maglev
 * (maglev.c) and paper 2's score.  Pure: the caller passes the members
 * and keeps the state; nothing here allocates.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "util.h"

static const char *const policy_names[POLICY_MAX] = {
	[POLICY_LEAST_SESSIONS] = "least-sessions",
	[POLICY_ROUND_ROBIN] = "round-robin",
	[POLICY_WEIGHTED_RR] = "weighted-round-robin",
	[POLICY_RANDOM] = "random",
	[POLICY_MAGLEV] = "maglev",
	[POLICY_SCORE] = "score",
};

/* Normalisation of paper 2 (docs/policies.md): 2 hops -> 86, 3 -> 71. */
#define SCORE_HOP_BASE		116
#define SCORE_HOP_STEP		15
#define SCORE_NORM_MIN		1
#define SCORE_NORM_MAX		100

static uint64_t	 splitmix64(uint64_t *);
static uint32_t	 rng_below(uint64_t *, uint32_t);
static uint32_t	 clamp_norm(int64_t);
static size_t	 member_count(size_t);
static int	 select_least_sessions(struct policy_state *,
		    const struct policy_member *, size_t);
static int	 select_round_robin(struct policy_state *,
		    const struct policy_member *, size_t);
static int	 select_weighted_rr(struct policy_state *,
		    const struct policy_member *, size_t);
static int	 select_random(struct policy_state *,
		    const struct policy_member *, size_t);
static int	 select_score(struct policy_state *,
		    const struct policy_member *, size_t);

const char *
policy_name(enum policy_kind kind)
{
	return name_get(policy_names, NITEMS(policy_names), kind);
}

int
policy_from_name(const char *name, enum policy_kind *kind)
{
	int	 i;

	if ((i = name_find(policy_names, NITEMS(policy_names), name)) == -1)
		return -1;
	*kind = (enum policy_kind)i;
	return 0;
}

int
policy_state_init(struct policy_state *st, enum policy_kind kind,
    uint64_t seed)
{
	memset(st, 0, sizeof(*st));
	st->kind = POLICY_LEAST_SESSIONS;
	st->ratios.hop = SCORE_RATIO_HOP_DEFAULT;
	st->ratios.load = SCORE_RATIO_LOAD_DEFAULT;
	st->ratios.bw = SCORE_RATIO_BW_DEFAULT;
	st->rng = seed;
	st->maglev = NULL;
	st->maglev_base = NULL;
	return policy_state_set_kind(st, kind);
}

void
policy_state_free(struct policy_state *st)
{
	free(st->maglev);
	free(st->maglev_base);
	st->maglev = NULL;
	st->maglev_base = NULL;
	st->maglev_n = 0;
	st->maglev_usable = 0;
	st->maglev_absent = 0;
}

int
policy_state_set_kind(struct policy_state *st, enum policy_kind kind)
{
	if ((unsigned int)kind >= POLICY_MAX)
		return -1;
	st->kind = kind;
	policy_state_reset(st);
	return 0;
}

void
policy_state_reset(struct policy_state *st)
{
	st->rr_next = 0;
	memset(st->wrr_current, 0, sizeof(st->wrr_current));
}

bool
policy_ratios_valid(const struct score_ratios *r)
{
	return (uint64_t)r->hop + r->load + r->bw == 100;
}

void
policy_score(const struct policy_member *pm, const struct score_ratios *r,
    struct score_parts *sp)
{
	uint64_t	 sum, rsum;

	sp->hop_n = clamp_norm((int64_t)SCORE_HOP_BASE -
	    (int64_t)SCORE_HOP_STEP * pm->hops);
	sp->load_n = clamp_norm((int64_t)100 - pm->load_pct);
	sp->bw_n = clamp_norm(pm->bw_mbps);

	/*
	 * Weighted mean rounded half up in integers.  Dividing by the sum
	 * of the ratios rather than by 100 gives the same result for valid
	 * ratios and keeps the score in 0..100 for any others.
	 */
	rsum = (uint64_t)r->hop + r->load + r->bw;
	if (rsum == 0) {
		sp->score = 0;
		return;
	}
	sum = (uint64_t)sp->hop_n * r->hop + (uint64_t)sp->load_n * r->load +
	    (uint64_t)sp->bw_n * r->bw;
	sp->score = (uint32_t)((2 * sum + rsum) / (2 * rsum));
}

int
policy_select(struct policy_state *st, const struct policy_member *m,
    size_t n, uint64_t flow_hash)
{
	n = member_count(n);
	if (n == 0)
		return -1;

	switch (st->kind) {
	case POLICY_LEAST_SESSIONS:
		return select_least_sessions(st, m, n);
	case POLICY_ROUND_ROBIN:
		return select_round_robin(st, m, n);
	case POLICY_WEIGHTED_RR:
		return select_weighted_rr(st, m, n);
	case POLICY_RANDOM:
		return select_random(st, m, n);
	case POLICY_MAGLEV:
		return policy_maglev_lookup(st, m, n, flow_hash);
	case POLICY_SCORE:
		return select_score(st, m, n);
	case POLICY_MAX:
		break;
	}
	/* A corrupted kind: still answer. */
	return select_least_sessions(st, m, n);
}

static size_t
member_count(size_t n)
{
	return n > POLICY_MAX_MEMBERS ? POLICY_MAX_MEMBERS : n;
}

static uint32_t
clamp_norm(int64_t v)
{
	if (v < SCORE_NORM_MIN)
		return SCORE_NORM_MIN;
	if (v > SCORE_NORM_MAX)
		return SCORE_NORM_MAX;
	return (uint32_t)v;
}

/*
 * Scanning from the cursor and keeping the first strictly better member
 * breaks ties round robin: the first tied member at or after rr_next
 * wins, and the cursor then moves past it, so equal members alternate.
 */
static int
select_least_sessions(struct policy_state *st, const struct policy_member *m,
    size_t n)
{
	size_t	 i, j, start = st->rr_next % n;
	int	 best = -1;

	for (i = 0; i < n; i++) {
		j = (start + i) % n;
		if (!m[j].usable)
			continue;
		if (best == -1 || m[j].sessions < m[best].sessions)
			best = (int)j;
	}
	if (best != -1)
		st->rr_next = (uint32_t)((best + 1) % n);
	return best;
}

static int
select_round_robin(struct policy_state *st, const struct policy_member *m,
    size_t n)
{
	size_t	 i, j, start = st->rr_next % n;

	for (i = 0; i < n; i++) {
		j = (start + i) % n;
		if (m[j].usable) {
			st->rr_next = (uint32_t)((j + 1) % n);
			return (int)j;
		}
	}
	return -1;
}

/*
 * nginx's smooth weighted round robin: every usable member earns its
 * weight, the richest is chosen and pays the total.  Over each run of
 * sum(weights) picks every member is chosen exactly weight times, and
 * the picks of a heavy member are spread between the others.  Ties go
 * to the lower index, as in nginx.
 */
static int
select_weighted_rr(struct policy_state *st, const struct policy_member *m,
    size_t n)
{
	int64_t	 total = 0;
	size_t	 i;
	int	 best = -1;

	for (i = 0; i < n; i++) {
		if (!m[i].usable)
			continue;
		st->wrr_current[i] += policy_weight(&m[i]);
		total += policy_weight(&m[i]);
		if (best == -1 || st->wrr_current[i] > st->wrr_current[best])
			best = (int)i;
	}
	if (best != -1)
		st->wrr_current[best] -= total;
	return best;
}

static int
select_random(struct policy_state *st, const struct policy_member *m,
    size_t n)
{
	size_t		 i;
	uint32_t	 usable = 0, r;

	for (i = 0; i < n; i++)
		if (m[i].usable)
			usable++;
	if (usable == 0)
		return -1;
	r = rng_below(&st->rng, usable);
	for (i = 0; i < n; i++) {
		if (!m[i].usable)
			continue;
		if (r-- == 0)
			return (int)i;
	}
	return -1;	/* not reached */
}

/* Highest score wins; ties round robin as for least sessions. */
static int
select_score(struct policy_state *st, const struct policy_member *m,
    size_t n)
{
	struct score_parts	 sp;
	size_t			 i, j, start = st->rr_next % n;
	uint32_t		 best_score = 0;
	int			 best = -1;

	for (i = 0; i < n; i++) {
		j = (start + i) % n;
		if (!m[j].usable)
			continue;
		policy_score(&m[j], &st->ratios, &sp);
		if (best == -1 || sp.score > best_score) {
			best = (int)j;
			best_score = sp.score;
		}
	}
	if (best != -1)
		st->rr_next = (uint32_t)((best + 1) % n);
	return best;
}

/* splitmix64 (Steele, Lea, Flood 2014): any seed, zero included. */
static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t	 z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound), bound > 0, without modulo bias (Lemire 2019). */
static uint32_t
rng_below(uint64_t *s, uint32_t bound)
{
	unsigned __int128	 prod;
	uint64_t		 low, threshold;

	prod = (unsigned __int128)splitmix64(s) * bound;
	low = (uint64_t)prod;
	if (low < bound) {
		threshold = -(uint64_t)bound % bound;
		while (low < threshold) {
			prod = (unsigned __int128)splitmix64(s) * bound;
			low = (uint64_t)prod;
		}
	}
	return (uint32_t)(prod >> 64);
}
