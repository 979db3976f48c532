/*
 * Member selection policies: paper 2's worked example, least sessions
 * (paper 1), round robin, smooth weighted round robin, random, and
 * maglev balance and disruption as members leave and come back.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static uint64_t
test_rand(uint64_t *s)
{
	uint64_t	 z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* n usable members, weight 100, keys from the given seed. */
static void
members_init(struct policy_member *m, size_t n, uint64_t seed)
{
	size_t	 i;

	memset(m, 0, n * sizeof(*m));
	for (i = 0; i < n; i++) {
		m[i].key = test_rand(&seed);
		m[i].usable = true;
		m[i].weight = POLICY_WEIGHT_DEFAULT;
	}
}

static void
pick_counts(struct policy_state *st, const struct policy_member *m,
    size_t n, unsigned int picks, unsigned int *count)
{
	unsigned int	 i;
	int		 x;

	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < picks; i++) {
		x = policy_select(st, m, n, i);
		cr_assert(x >= 0 && (size_t)x < n, "pick %u: %d", i, x);
		cr_assert(m[x].usable, "pick %u chose unusable %d", i, x);
		count[x]++;
	}
}

Test(policy, names_round_trip)
{
	enum policy_kind	 k, got;
	static const char	*names[POLICY_MAX] = {
		"least-sessions", "round-robin", "weighted-round-robin",
		"random", "maglev", "score"
	};

	for (k = 0; k < POLICY_MAX; k++) {
		cr_assert_str_eq(policy_name(k), names[k]);
		cr_assert_eq(policy_from_name(names[k], &got), 0);
		cr_assert_eq(got, k);
	}
	got = POLICY_SCORE;
	cr_assert_eq(policy_from_name("least_sessions", &got), -1);
	cr_assert_eq(policy_from_name("", &got), -1);
	cr_assert_eq(policy_from_name("Maglev", &got), -1);
	cr_assert_eq(policy_from_name(NULL, &got), -1);
	cr_assert_eq(got, POLICY_SCORE, "failed lookups leave the kind");
	cr_assert_str_eq(policy_name(POLICY_MAX), "unknown");
	cr_assert_str_eq(policy_name((enum policy_kind)-1), "unknown");
}

Test(policy, init_defaults)
{
	struct policy_state	 st;
	struct score_ratios	 r = { 30, 60, 11 };

	cr_assert_eq(policy_state_init(&st, POLICY_SCORE, 7), 0);
	cr_assert_eq(st.kind, POLICY_SCORE);
	cr_assert_eq(st.ratios.hop, 30);
	cr_assert_eq(st.ratios.load, 60);
	cr_assert_eq(st.ratios.bw, 10);
	cr_assert(policy_ratios_valid(&st.ratios));
	cr_assert(!policy_ratios_valid(&r));
	cr_assert_null(st.maglev);
	cr_assert_null(st.maglev_base);
	cr_assert_eq(policy_state_set_kind(&st, POLICY_MAX), -1);
	cr_assert_eq(st.kind, POLICY_SCORE);
	cr_assert_eq(policy_state_set_kind(&st, POLICY_ROUND_ROBIN), 0);
	cr_assert_eq(st.kind, POLICY_ROUND_ROBIN);
	policy_state_free(&st);
	cr_assert_eq(policy_state_init(&st, POLICY_MAX, 7), -1);
	cr_assert_eq(st.kind, POLICY_LEAST_SESSIONS);
	policy_state_free(&st);
}

/* Paper 2, Table 2, ratios [hop : load : bandwidth] = [30 : 60 : 10]. */
static const struct {
	uint32_t	 hops, load_pct, bw_mbps;
	uint32_t	 hop_n, load_n, bw_n, score;
} table2[] = {
	{ 2, 90, 20,	86, 10, 20,	34 },
	{ 2, 80, 50,	86, 20, 50,	43 },
	{ 3, 35, 40,	71, 65, 40,	64 },
	{ 2, 80, 30,	86, 20, 30,	41 },
};
#define NTABLE2	(sizeof(table2) / sizeof(table2[0]))

static void
table2_members(struct policy_member *m)
{
	size_t	 i;

	members_init(m, NTABLE2, 2);
	for (i = 0; i < NTABLE2; i++) {
		m[i].hops = table2[i].hops;
		m[i].load_pct = table2[i].load_pct;
		m[i].bw_mbps = table2[i].bw_mbps;
	}
}

Test(policy, score_paper2_table2)
{
	struct policy_member	 m[NTABLE2];
	struct policy_state	 st;
	struct score_parts	 sp;
	size_t			 i;

	table2_members(m);
	policy_state_init(&st, POLICY_SCORE, 1);
	for (i = 0; i < NTABLE2; i++) {
		policy_score(&m[i], &st.ratios, &sp);
		cr_assert_eq(sp.hop_n, table2[i].hop_n, "route %zu", i + 1);
		cr_assert_eq(sp.load_n, table2[i].load_n, "route %zu", i + 1);
		cr_assert_eq(sp.bw_n, table2[i].bw_n, "route %zu", i + 1);
		cr_assert_eq(sp.score, table2[i].score, "route %zu: %u",
		    i + 1, sp.score);
	}
	/* Route 3 wins, every time. */
	for (i = 0; i < 5; i++)
		cr_assert_eq(policy_select(&st, m, NTABLE2, i), 2);
	/* Without it, route 2 (43). */
	m[2].usable = false;
	cr_assert_eq(policy_select(&st, m, NTABLE2, 0), 1);
	policy_state_free(&st);
}

Test(policy, score_normalisation_bounds)
{
	struct policy_member	 pm;
	struct score_ratios	 r = { 30, 60, 10 };
	struct score_parts	 sp;
	static const struct { uint32_t hops, hop_n; } hop[] = {
		{ 0, 100 }, { 1, 100 }, { 2, 86 }, { 3, 71 }, { 7, 11 },
		{ 8, 1 }, { 255, 1 }, { UINT32_MAX, 1 },
	};
	size_t			 i;

	memset(&pm, 0, sizeof(pm));
	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++) {
		pm.hops = hop[i].hops;
		policy_score(&pm, &r, &sp);
		cr_assert_eq(sp.hop_n, hop[i].hop_n, "%u hops: %u",
		    hop[i].hops, sp.hop_n);
	}
	pm.load_pct = 0;
	pm.bw_mbps = 0;
	policy_score(&pm, &r, &sp);
	cr_assert_eq(sp.load_n, 100);
	cr_assert_eq(sp.bw_n, 1);
	pm.load_pct = 100;
	pm.bw_mbps = 100;
	policy_score(&pm, &r, &sp);
	cr_assert_eq(sp.load_n, 1);
	cr_assert_eq(sp.bw_n, 100);
	pm.load_pct = UINT32_MAX;
	pm.bw_mbps = UINT32_MAX;
	policy_score(&pm, &r, &sp);
	cr_assert_eq(sp.load_n, 1);
	cr_assert_eq(sp.bw_n, 100);
	/* Scores stay within 1..100 with the extremes. */
	cr_assert_eq(sp.score, (1 * 30 + 1 * 60 + 100 * 10 + 50) / 100);
}

Test(policy, score_rounds_half_up)
{
	struct policy_member	 pm;
	struct score_ratios	 r = { 50, 50, 0 };
	struct score_parts	 sp;

	memset(&pm, 0, sizeof(pm));
	pm.hops = 2;		/* 86 */
	pm.load_pct = 100;	/* 1 */
	policy_score(&pm, &r, &sp);
	cr_assert_eq(sp.score, 44, "43.5 rounds to %u", sp.score);
	pm.load_pct = 99;	/* 1 */
	pm.hops = 3;		/* 71 */
	policy_score(&pm, &r, &sp);
	cr_assert_eq(sp.score, 36, "35.5 rounds to %u", sp.score);
	r.hop = 30;
	r.load = 60;
	r.bw = 10;
	pm.hops = 2;		/* 86 */
	pm.load_pct = 80;	/* 20 */
	pm.bw_mbps = 25;	/* 25: 25.8 + 12 + 2.5 = 40.3 */
	policy_score(&pm, &r, &sp);
	cr_assert_eq(sp.score, 40);
	/* All-zero ratios: no preference, no division by zero. */
	memset(&r, 0, sizeof(r));
	policy_score(&pm, &r, &sp);
	cr_assert_eq(sp.score, 0);
}

/* Paper 2 switches ratio profiles with the load: the winner follows. */
Test(policy, score_ratio_profiles_and_ties)
{
	struct policy_member	 m[NTABLE2];
	struct policy_state	 st;
	int			 first, second, third, fourth;

	table2_members(m);
	policy_state_init(&st, POLICY_SCORE, 1);
	st.ratios.hop = 0;
	st.ratios.load = 0;
	st.ratios.bw = 100;
	cr_assert_eq(policy_select(&st, m, NTABLE2, 0), 1);	/* 50 Mbit/s */

	/* Hop count only: routes 1, 2 and 4 tie at 86 and take turns. */
	st.ratios.hop = 100;
	st.ratios.bw = 0;
	first = policy_select(&st, m, NTABLE2, 0);
	second = policy_select(&st, m, NTABLE2, 0);
	third = policy_select(&st, m, NTABLE2, 0);
	fourth = policy_select(&st, m, NTABLE2, 0);
	cr_assert(first != 2 && second != 2 && third != 2);
	cr_assert(first != second && second != third && first != third);
	cr_assert_eq(fourth, first);
	policy_state_free(&st);
}

Test(policy, least_sessions_minimum)
{
	struct policy_member	 m[5];
	struct policy_state	 st;
	static const uint32_t	 sessions[5] = { 5, 3, 7, 1, 4 };
	size_t			 i;

	members_init(m, 5, 3);
	for (i = 0; i < 5; i++)
		m[i].sessions = sessions[i];
	policy_state_init(&st, POLICY_LEAST_SESSIONS, 1);
	cr_assert_eq(policy_select(&st, m, 5, 0), 3);
	cr_assert_eq(policy_select(&st, m, 5, 0), 3, "no tie, no turn");
	m[3].usable = false;	/* e.g. its probe failed */
	cr_assert_eq(policy_select(&st, m, 5, 0), 1);
	m[1].usable = false;
	cr_assert_eq(policy_select(&st, m, 5, 0), 4);
	for (i = 0; i < 5; i++)
		m[i].usable = false;
	cr_assert_eq(policy_select(&st, m, 5, 0), -1);
	cr_assert_eq(policy_select(&st, m, 0, 0), -1);
	policy_state_free(&st);
}

Test(policy, least_sessions_ties_alternate)
{
	struct policy_member	 m[4];
	struct policy_state	 st;
	unsigned int		 count[4];
	int			 i, x;

	members_init(m, 3, 4);
	policy_state_init(&st, POLICY_LEAST_SESSIONS, 1);
	for (i = 0; i < 9; i++)
		cr_assert_eq(policy_select(&st, m, 3, 0), i % 3);

	/* Two tied at the minimum alternate; the busy one is left alone. */
	m[0].sessions = 1;
	m[1].sessions = 5;
	m[2].sessions = 1;
	x = policy_select(&st, m, 3, 0);
	cr_assert(x == 0 || x == 2);
	for (i = 0; i < 8; i++) {
		cr_assert_eq(policy_select(&st, m, 3, 0), x == 0 ? 2 : 0);
		x = x == 0 ? 2 : 0;
	}

	/*
	 * Paper 1: each new session is counted on the chosen member, so
	 * starting from different loads the members end up level.
	 */
	members_init(m, 4, 5);
	m[0].sessions = 10;
	m[1].sessions = 0;
	m[2].sessions = 4;
	m[3].sessions = 7;
	for (i = 0; i < 79; i++) {
		x = policy_select(&st, m, 4, 0);
		cr_assert(x >= 0);
		m[x].sessions++;
	}
	for (i = 0; i < 4; i++)
		count[i] = m[i].sessions;
	cr_assert(count[0] == 25 && count[1] == 25 && count[2] == 25 &&
	    count[3] == 25, "%u %u %u %u", count[0], count[1], count[2],
	    count[3]);
	policy_state_free(&st);
}

Test(policy, round_robin_cycles_over_usable)
{
	struct policy_member	 m[5];
	struct policy_state	 st;
	unsigned int		 count[5];
	int			 i, x, last = -1;

	members_init(m, 5, 6);
	m[1].usable = false;
	m[4].usable = false;
	policy_state_init(&st, POLICY_ROUND_ROBIN, 1);
	pick_counts(&st, m, 5, 300, count);
	cr_assert_eq(count[0], 100);
	cr_assert_eq(count[2], 100);
	cr_assert_eq(count[3], 100);
	cr_assert_eq(count[1] + count[4], 0);
	/* Strictly in turn: 0, 2, 3, 0, 2, 3, ... */
	for (i = 0; i < 12; i++) {
		x = policy_select(&st, m, 5, 0);
		if (last != -1)
			cr_assert_eq(x, last == 0 ? 2 : last == 2 ? 3 : 0);
		last = x;
	}
	/* A member coming back joins the rotation. */
	m[4].usable = true;
	pick_counts(&st, m, 5, 400, count);
	cr_assert(count[0] == 100 && count[2] == 100 && count[3] == 100 &&
	    count[4] == 100);
	for (i = 0; i < 5; i++)
		m[i].usable = false;
	cr_assert_eq(policy_select(&st, m, 5, 0), -1);
	policy_state_free(&st);
}

/*
 * 5:1:1 gives a a b a c a a per cycle of 7 (nginx's own example): the
 * heavy member runs at most 4 times in a row (2 at the end of a cycle,
 * 2 at the start of the next) where plain weighted round robin would
 * run it 5 times, and the light ones are never next to each other.
 */
Test(policy, weighted_rr_exact_and_smooth)
{
	struct policy_member	 m[3];
	struct policy_state	 st;
	static const uint32_t	 w[3] = { 5, 1, 1 };
	unsigned int		 count[3] = { 0, 0, 0 }, cyc[3];
	int			 seq[700], i, j, run = 0, maxrun = 0;
	double			 dev;

	members_init(m, 3, 7);
	for (i = 0; i < 3; i++)
		m[i].weight = w[i];
	policy_state_init(&st, POLICY_WEIGHTED_RR, 1);
	for (i = 0; i < 700; i++) {
		seq[i] = policy_select(&st, m, 3, 0);
		cr_assert(seq[i] >= 0 && seq[i] < 3);
		count[seq[i]]++;
		/* Every prefix is within one pick of the exact share. */
		for (j = 0; j < 3; j++) {
			dev = count[j] - (double)(i + 1) * w[j] / 7.0;
			cr_assert(dev > -1.0 && dev < 1.0,
			    "member %d after %d picks: %u", j, i + 1, count[j]);
		}
		run = seq[i] == 0 ? run + 1 : 0;
		if (run > maxrun)
			maxrun = run;
		if (i > 0 && seq[i] != 0)
			cr_assert_eq(seq[i - 1], 0, "light members adjacent");
	}
	cr_assert_eq(count[0], 500);
	cr_assert_eq(count[1], 100);
	cr_assert_eq(count[2], 100);
	cr_assert_eq(maxrun, 4);
	/* Every window of 7 consecutive picks holds exactly 5:1:1. */
	for (i = 0; i + 7 <= 700; i++) {
		memset(cyc, 0, sizeof(cyc));
		for (j = i; j < i + 7; j++)
			cyc[seq[j]]++;
		cr_assert(cyc[0] == 5 && cyc[1] == 1 && cyc[2] == 1,
		    "window at %d: %u %u %u", i, cyc[0], cyc[1], cyc[2]);
	}
	policy_state_free(&st);
}

Test(policy, weighted_rr_skips_unusable)
{
	struct policy_member	 m[4];
	struct policy_state	 st;
	unsigned int		 count[4];

	members_init(m, 4, 8);
	m[0].weight = 3;
	m[1].weight = 2;
	m[2].weight = 0;	/* clamped to 1 */
	m[3].weight = 1000000;	/* clamped to 65535 */
	m[3].usable = false;
	policy_state_init(&st, POLICY_WEIGHTED_RR, 1);
	pick_counts(&st, m, 4, 600, count);
	cr_assert(count[0] == 300 && count[1] == 200 && count[2] == 100 &&
	    count[3] == 0, "%u %u %u %u", count[0], count[1], count[2],
	    count[3]);
	m[1].usable = false;
	policy_state_reset(&st);
	pick_counts(&st, m, 4, 400, count);
	cr_assert(count[0] == 300 && count[2] == 100, "%u %u", count[0],
	    count[2]);
	m[0].usable = m[2].usable = false;
	cr_assert_eq(policy_select(&st, m, 4, 0), -1);
	m[3].usable = true;
	m[0].usable = true;
	pick_counts(&st, m, 4, 65538, count);
	cr_assert(count[0] == 3 && count[3] == 65535, "%u %u", count[0],
	    count[3]);
	policy_state_free(&st);
}

Test(policy, random_uniform_and_seeded)
{
	struct policy_member	 m[6];
	struct policy_state	 st, st2, st3;
	unsigned int		 count[6];
	int			 i, same = 0;

	members_init(m, 6, 9);
	m[2].usable = false;
	policy_state_init(&st, POLICY_RANDOM, 12345);
	pick_counts(&st, m, 6, 30000, count);
	cr_assert_eq(count[2], 0);
	for (i = 0; i < 6; i++) {
		if (i == 2)
			continue;
		/* 6000 each, within 5 %. */
		cr_assert(count[i] >= 5700 && count[i] <= 6300,
		    "member %d: %u", i, count[i]);
	}
	/* The same seed gives the same choices; another seed does not. */
	policy_state_init(&st2, POLICY_RANDOM, 99);
	policy_state_init(&st3, POLICY_RANDOM, 99);
	policy_state_init(&st, POLICY_RANDOM, 100);
	for (i = 0; i < 100; i++) {
		cr_assert_eq(policy_select(&st2, m, 6, 0),
		    policy_select(&st3, m, 6, 0));
		same += policy_select(&st, m, 6, 0) ==
		    policy_select(&st2, m, 6, 0);
		(void)policy_select(&st3, m, 6, 0);
	}
	cr_assert(same < 50, "seeds 99 and 100 agree %d times in 100", same);
	/* One usable member is always the choice; none gives -1. */
	for (i = 0; i < 6; i++)
		m[i].usable = i == 4;
	for (i = 0; i < 20; i++)
		cr_assert_eq(policy_select(&st, m, 6, 0), 4);
	m[4].usable = false;
	cr_assert_eq(policy_select(&st, m, 6, 0), -1);
	policy_state_free(&st);
	policy_state_free(&st2);
	policy_state_free(&st3);
}

/* Entries of the table per member. */
static void
maglev_counts(const struct policy_state *st, size_t n, unsigned int *count)
{
	size_t	 i;

	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < MAGLEV_SIZE; i++) {
		cr_assert(st->maglev[i] < n, "entry %zu: %u", i,
		    st->maglev[i]);
		count[st->maglev[i]]++;
	}
}

/* Each member's share is within 1 % of M / n, for n from 3 to 100. */
Test(policy, maglev_balance, .timeout = 120)
{
	struct policy_member	 m[100];
	struct policy_state	 st;
	unsigned int		 count[100], lo, hi;
	double			 mean, dev, worst = 0.0;
	size_t			 n, i, worst_n = 0;

	policy_state_init(&st, POLICY_MAGLEV, 1);
	for (n = 3; n <= 100; n++) {
		members_init(m, n, 1000 + n);
		cr_assert_eq(policy_maglev_build(&st, m, n), 0);
		cr_assert_eq(st.maglev_usable, n);
		maglev_counts(&st, n, count);
		mean = (double)MAGLEV_SIZE / n;
		lo = UINT32_MAX;
		hi = 0;
		for (i = 0; i < n; i++) {
			dev = (count[i] - mean) / mean;
			if (dev < 0)
				dev = -dev;
			cr_assert(dev <= 0.01, "n %zu member %zu: %u entries,"
			    " mean %.1f", n, i, count[i], mean);
			if (dev > worst) {
				worst = dev;
				worst_n = n;
			}
			lo = count[i] < lo ? count[i] : lo;
			hi = count[i] > hi ? count[i] : hi;
		}
		cr_assert(hi - lo <= 1, "n %zu: %u..%u entries", n, lo, hi);
	}
	cr_log_info("maglev balance: worst deviation %.3f%% (n %zu)",
	    worst * 100, worst_n);
	policy_state_free(&st);
}

/* Scratch too large for the stack: owner keys by entry, a table copy. */
static uint64_t	 mg_before[MAGLEV_SIZE], mg_after[MAGLEV_SIZE];
static uint64_t	 mg_other[MAGLEV_SIZE];
static uint32_t	 mg_table[MAGLEV_SIZE];

/* The key of each entry's owner, which must be a usable member of m[]. */
static void
maglev_owner_keys(const struct policy_state *st,
    const struct policy_member *m, size_t n, uint64_t *keys)
{
	size_t		 i, bad = 0;
	uint32_t	 o;

	for (i = 0; i < MAGLEV_SIZE; i++) {
		o = st->maglev[i];
		if (o >= n || !m[o].usable) {
			bad++;
			keys[i] = 0;
			continue;
		}
		keys[i] = m[o].key;
	}
	cr_assert_eq(bad, 0, "%zu entries without a usable owner", bad);
}

/*
 * The largest deviation of a usable member's entries from its share,
 * M * weight / (the usable weights), relative to that share.
 */
static double
maglev_worst_dev(const struct policy_state *st,
    const struct policy_member *m, size_t n)
{
	unsigned int	 count[POLICY_MAX_MEMBERS];
	double		 wsum = 0, want, dev, worst = 0;
	size_t		 i;

	memset(count, 0, sizeof(count));
	for (i = 0; i < MAGLEV_SIZE; i++)
		if (st->maglev[i] < n)
			count[st->maglev[i]]++;
	for (i = 0; i < n; i++)
		if (m[i].usable)
			wsum += policy_weight(&m[i]);
	for (i = 0; i < n; i++) {
		if (!m[i].usable) {
			cr_assert_eq(count[i], 0, "unusable %zu holds %u", i,
			    count[i]);
			continue;
		}
		want = MAGLEV_SIZE * policy_weight(&m[i]) / wsum;
		dev = (count[i] - want) / want;
		dev = dev < 0 ? -dev : dev;
		worst = dev > worst ? dev : worst;
	}
	return worst;
}

/*
 * Entries that changed hands between two members usable both before
 * and after, from table b (the members was[]) to table a (now[]), the
 * same m[] with other usable flags; *others counts the entries those
 * members held before.
 */
static size_t
maglev_moved(const uint32_t *b, const uint32_t *a,
    const struct policy_member *was, const struct policy_member *now,
    size_t *others)
{
	size_t	 i, moved = 0;

	*others = 0;
	for (i = 0; i < MAGLEV_SIZE; i++) {
		if (!was[b[i]].usable || !now[b[i]].usable)
			continue;
		(*others)++;
		if (a[i] != b[i] && was[a[i]].usable)
			moved++;
	}
	return moved;
}

/* m[] without the members r1 and r2 (the same one, to remove one). */
static void
members_without(const struct policy_member *m, size_t n, size_t r1,
    size_t r2, struct policy_member *out, size_t *k)
{
	size_t	 i;

	*k = 0;
	for (i = 0; i < n; i++)
		if (i != r1 && i != r2)
			out[(*k)++] = m[i];
}

/*
 * The product's acceptance test: with 3 to 100 members, removing one
 * moves its own entries only, each to a remaining member, and leaves
 * every remaining member within 1 % of M / (n - 1).  Bringing it back
 * gives the canonical table again, and marking it unusable instead of
 * removing it from m[] (where the indices behind it shift) gives the
 * same table as removing it.
 */
Test(policy, maglev_disruption, .timeout = 120)
{
	struct policy_member	 m[100], m2[100];
	struct policy_state	 st;
	uint64_t		 s = 77;
	double			 dev, worst = 0.0;
	size_t			 n, set, r, i, k, moved, freed, worst_n = 0;
	size_t			 removals = 0;

	for (n = 3; n <= 100; n++) {
		for (set = 0; set < 3; set++) {
			members_init(m, n, 10000 * set + n);
			r = test_rand(&s) % n;
			policy_state_init(&st, POLICY_MAGLEV, 1);
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			maglev_owner_keys(&st, m, n, mg_before);

			members_without(m, n, r, r, m2, &k);
			cr_assert_eq(policy_maglev_build(&st, m2, k), 0);
			cr_assert_eq(st.maglev_usable, n - 1);
			cr_assert_eq(st.maglev_absent, 1);
			/* Each entry, freed or not, has an owner in m2[]. */
			maglev_owner_keys(&st, m2, k, mg_after);
			moved = freed = 0;
			for (i = 0; i < MAGLEV_SIZE; i++) {
				if (mg_before[i] == m[r].key)
					freed++;
				else if (mg_after[i] != mg_before[i])
					moved++;
			}
			cr_assert_eq(moved, 0, "n %zu, removing %zu: %zu of "
			    "the others' entries moved", n, r, moved);
			cr_assert(freed > 0);
			dev = maglev_worst_dev(&st, m2, k);
			cr_assert(dev <= 0.01, "n %zu, removing %zu: %.3f%% "
			    "off M / (n - 1)", n, r, dev * 100);
			if (dev > worst) {
				worst = dev;
				worst_n = n;
			}

			/* Back: the canonical table, the first one built. */
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			cr_assert_eq(st.maglev_absent, 0);
			maglev_owner_keys(&st, m, n, mg_other);
			cr_assert(memcmp(mg_other, mg_before,
			    sizeof(mg_before)) == 0, "n %zu: not canonical "
			    "with %zu back", n, r);

			/* Down instead of gone: the same table again. */
			m[r].usable = false;
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			maglev_owner_keys(&st, m, n, mg_other);
			cr_assert(memcmp(mg_other, mg_after,
			    sizeof(mg_after)) == 0, "n %zu: unusable %zu "
			    "differs from removed", n, r);
			m[r].usable = true;
			policy_state_free(&st);
			removals++;
		}
	}
	cr_log_info("maglev removal: %zu removals, n 3..100: 0 entries of "
	    "the others moved, worst balance %.3f%% (n %zu)", removals,
	    worst * 100, worst_n);
}

/*
 * Two members at once: none of the others' entries move.  Removing them
 * one after the other, in either order, gives the same table; bringing
 * one back moves few of the others' entries (at most 1 %) but to it;
 * both back, the canonical table.
 */
Test(policy, maglev_remove_two, .timeout = 120)
{
	struct policy_member	 m[100], m2[100];
	struct policy_state	 st;
	uint64_t		 s = 78;
	double			 dev, worst = 0.0, back = 0.0;
	size_t			 n, set, r1, r2, i, k, moved, others;

	for (n = 4; n <= 100; n++) {
		for (set = 0; set < 2; set++) {
			members_init(m, n, 20000 * set + n);
			r1 = test_rand(&s) % n;
			r2 = (r1 + 1 + test_rand(&s) % (n - 1)) % n;
			policy_state_init(&st, POLICY_MAGLEV, 1);
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			maglev_owner_keys(&st, m, n, mg_before);
			members_without(m, n, r1, r2, m2, &k);
			cr_assert_eq(policy_maglev_build(&st, m2, k), 0);
			cr_assert_eq(st.maglev_absent, 2);
			maglev_owner_keys(&st, m2, k, mg_after);
			for (i = 0, moved = 0; i < MAGLEV_SIZE; i++)
				if (mg_before[i] != m[r1].key &&
				    mg_before[i] != m[r2].key &&
				    mg_after[i] != mg_before[i])
					moved++;
			cr_assert_eq(moved, 0, "n %zu: %zu moved", n, moved);
			dev = maglev_worst_dev(&st, m2, k);
			cr_assert(dev <= 0.01, "n %zu: %.3f%%", n, dev * 100);
			worst = dev > worst ? dev : worst;

			/* Both back, then r1 and r2 down in turn. */
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			maglev_owner_keys(&st, m, n, mg_other);
			cr_assert(memcmp(mg_other, mg_before,
			    sizeof(mg_before)) == 0);
			m[r1].usable = false;
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			m[r2].usable = false;
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			maglev_owner_keys(&st, m, n, mg_other);
			cr_assert(memcmp(mg_other, mg_after,
			    sizeof(mg_after)) == 0, "n %zu: order shows", n);

			/* r1 back: few entries move, but to it. */
			memcpy(mg_table, st.maglev, sizeof(mg_table));
			memcpy(m2, m, n * sizeof(m[0]));
			m[r1].usable = true;
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			moved = maglev_moved(mg_table, st.maglev, m2, m,
			    &others);
			cr_assert(moved <= others / 100, "n %zu: %zu of %zu "
			    "moved", n, moved, others);
			if ((double)moved / others > back)
				back = (double)moved / others;
			cr_assert(maglev_worst_dev(&st, m, n) <= 0.01);

			/* r1 down again, after r2 this time. */
			m[r1].usable = false;
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			maglev_owner_keys(&st, m, n, mg_other);
			cr_assert(memcmp(mg_other, mg_after,
			    sizeof(mg_after)) == 0, "n %zu: order shows", n);

			/* Both back: the canonical table. */
			m[r1].usable = m[r2].usable = true;
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			cr_assert_eq(st.maglev_absent, 0);
			maglev_owner_keys(&st, m, n, mg_other);
			cr_assert(memcmp(mg_other, mg_before,
			    sizeof(mg_before)) == 0);
			policy_state_free(&st);
		}
	}
	cr_log_info("maglev two removed: 0 entries of the others moved, worst "
	    "balance %.3f%%; one back: at most %.3f%% of the others' "
	    "entries moved", worst * 100, back * 100);
}

/*
 * Members going down and coming back in random order, one or two at a
 * time, with equal weights or not: every entry has a usable owner,
 * every member stays within 1 % of its share, at most 1 % of the
 * entries of the members usable before and after move between them,
 * the table is the one a fresh state reaches in one step (it depends
 * on the usable set, not on the order of the changes), and with every
 * member back it is the canonical one.
 */
Test(policy, maglev_down_up, .timeout = 120)
{
	struct policy_member	 m[100], was[100];
	struct policy_state	 st, alt;
	static const size_t	 ns[] = { 3, 5, 10, 20, 64, 100 };
	uint64_t		 s = 79;
	double			 dev, worst = 0.0, mv, worst_mv = 0.0;
	size_t			 x, n, step, c, r, i, usable, moved, others;
	size_t			 canonical = 0;

	for (x = 0; x < 2 * sizeof(ns) / sizeof(ns[0]); x++) {
		n = ns[x / 2];
		members_init(m, n, 30000 + x);
		/* Every other walk with weights from 50 to 449. */
		for (i = 0; x % 2 == 1 && i < n; i++)
			m[i].weight = 50 + test_rand(&s) % 400;
		policy_state_init(&st, POLICY_MAGLEV, 1);
		cr_assert_eq(policy_maglev_build(&st, m, n), 0);
		for (step = 0; step < 80; step++) {
			memcpy(was, m, n * sizeof(m[0]));
			memcpy(mg_table, st.maglev, sizeof(mg_table));
			for (c = 0; c < 1 + (test_rand(&s) % 4 == 0); c++) {
				r = test_rand(&s) % n;
				m[r].usable = !m[r].usable;
			}
			for (i = 0, usable = 0; i < n; i++)
				usable += m[i].usable;
			if (usable == 0)
				m[r].usable = true;
			cr_assert_eq(policy_maglev_build(&st, m, n), 0);
			maglev_owner_keys(&st, m, n, mg_after);
			dev = maglev_worst_dev(&st, m, n);
			cr_assert(dev <= 0.01, "n %zu step %zu: %.3f%%", n,
			    step, dev * 100);
			worst = dev > worst ? dev : worst;
			moved = maglev_moved(mg_table, st.maglev, was, m,
			    &others);
			mv = others > 0 ? (double)moved / others : 0.0;
			cr_assert(mv <= 0.01, "n %zu step %zu: %zu of %zu "
			    "moved", n, step, moved, others);
			worst_mv = mv > worst_mv ? mv : worst_mv;

			if (step % 25 == 0 || st.maglev_absent == 0) {
				/* All usable, then straight to this set. */
				memcpy(was, m, n * sizeof(m[0]));
				for (i = 0; i < n; i++)
					was[i].usable = true;
				policy_state_init(&alt, POLICY_MAGLEV, 1);
				cr_assert_eq(policy_maglev_build(&alt, was, n),
				    0);
				cr_assert_eq(policy_maglev_build(&alt, m, n),
				    0);
				cr_assert(memcmp(alt.maglev, st.maglev,
				    sizeof(mg_table)) == 0, "n %zu step %zu: "
				    "history shows", n, step);
				policy_state_free(&alt);
			}
			if (st.maglev_absent == 0)
				canonical++;
		}
		policy_state_free(&st);
	}
	cr_assert(canonical > 0);
	cr_log_info("maglev down and up: worst balance %.3f%%, at most "
	    "%.3f%% of the others' entries moved", worst * 100,
	    worst_mv * 100);
}

/* Weighted members: removal keeps the proportions, and moves nothing. */
Test(policy, maglev_weighted_removal, .timeout = 120)
{
	struct policy_member	 m[32];
	struct policy_state	 st;
	uint64_t		 s = 80;
	double			 dev, worst = 0.0;
	size_t			 set, n, i, r, moved;

	for (set = 0; set < 60; set++) {
		n = 3 + test_rand(&s) % 30;
		members_init(m, n, 40000 + set);
		for (i = 0; i < n; i++)
			m[i].weight = 50 + test_rand(&s) % 400;
		policy_state_init(&st, POLICY_MAGLEV, 1);
		cr_assert_eq(policy_maglev_build(&st, m, n), 0);
		cr_assert(maglev_worst_dev(&st, m, n) <= 0.01);
		maglev_owner_keys(&st, m, n, mg_before);
		r = test_rand(&s) % n;
		m[r].usable = false;
		cr_assert_eq(policy_maglev_build(&st, m, n), 0);
		maglev_owner_keys(&st, m, n, mg_after);
		for (i = 0, moved = 0; i < MAGLEV_SIZE; i++)
			if (mg_before[i] != m[r].key &&
			    mg_after[i] != mg_before[i])
				moved++;
		cr_assert_eq(moved, 0);
		dev = maglev_worst_dev(&st, m, n);
		cr_assert(dev <= 0.01, "set %zu: %.3f%%", set, dev * 100);
		worst = dev > worst ? dev : worst;
		policy_state_free(&st);
	}
	cr_log_info("maglev weighted removal: worst proportion %.3f%% off",
	    worst * 100);
}

/*
 * A key the last full build did not have, or a new weight, gets a full
 * build: the canonical table of the new set.
 */
Test(policy, maglev_join_rebuilds)
{
	struct policy_member	 m[12];
	struct policy_state	 st, fresh;

	members_init(m, 12, 17);
	m[11].usable = false;	/* not in the first build */
	policy_state_init(&st, POLICY_MAGLEV, 1);
	cr_assert_eq(policy_maglev_build(&st, m, 12), 0);
	m[4].usable = false;
	cr_assert_eq(policy_maglev_build(&st, m, 12), 0);
	cr_assert_eq(st.maglev_absent, 1);

	/* A new member joins while member 4 is down. */
	m[11].usable = true;
	cr_assert_eq(policy_maglev_build(&st, m, 12), 0);
	cr_assert_eq(st.maglev_absent, 0);
	policy_state_init(&fresh, POLICY_MAGLEV, 1);
	cr_assert_eq(policy_maglev_build(&fresh, m, 12), 0);
	cr_assert(memcmp(st.maglev, fresh.maglev,
	    MAGLEV_SIZE * sizeof(*st.maglev)) == 0);

	/* Member 4 is back: it was not in the last full build. */
	m[4].usable = true;
	cr_assert_eq(policy_maglev_build(&st, m, 12), 0);
	cr_assert_eq(st.maglev_absent, 0);
	cr_assert_eq(policy_maglev_build(&fresh, m, 12), 0);
	cr_assert(memcmp(st.maglev, fresh.maglev,
	    MAGLEV_SIZE * sizeof(*st.maglev)) == 0);

	/* A weight changes while another member is down. */
	m[2].usable = false;
	cr_assert_eq(policy_maglev_build(&st, m, 12), 0);
	cr_assert_eq(st.maglev_absent, 1);
	m[7].weight = 300;
	cr_assert_eq(policy_maglev_build(&st, m, 12), 0);
	cr_assert_eq(st.maglev_absent, 0);
	policy_state_free(&fresh);
	policy_state_init(&fresh, POLICY_MAGLEV, 1);
	cr_assert_eq(policy_maglev_build(&fresh, m, 12), 0);
	cr_assert(memcmp(st.maglev, fresh.maglev,
	    MAGLEV_SIZE * sizeof(*st.maglev)) == 0);
	policy_state_free(&st);
	policy_state_free(&fresh);
}

/*
 * The caller's indices change between builds (members listed in another
 * order, an unusable member added in front): entries follow the keys.
 */
Test(policy, maglev_indices_follow_keys)
{
	struct policy_member	 m[21], rev[21];
	struct policy_state	 st;
	size_t			 i;

	members_init(m, 21, 18);
	policy_state_init(&st, POLICY_MAGLEV, 1);
	cr_assert_eq(policy_maglev_build(&st, m + 1, 20), 0);
	m[6].usable = false;
	cr_assert_eq(policy_maglev_build(&st, m + 1, 20), 0);
	maglev_owner_keys(&st, m + 1, 20, mg_before);

	for (i = 0; i < 20; i++)
		rev[i] = m[20 - i];
	cr_assert_eq(policy_maglev_build(&st, rev, 20), 0);
	cr_assert_eq(st.maglev_absent, 1);
	maglev_owner_keys(&st, rev, 20, mg_after);
	cr_assert(memcmp(mg_before, mg_after, sizeof(mg_after)) == 0);

	/* m[0] is not usable: not a join. */
	m[0].usable = false;
	cr_assert_eq(policy_maglev_build(&st, m, 21), 0);
	cr_assert_eq(st.maglev_absent, 1);
	maglev_owner_keys(&st, m, 21, mg_after);
	cr_assert(memcmp(mg_before, mg_after, sizeof(mg_after)) == 0);
	policy_state_free(&st);
}

/* The table depends on the set of members, not on their order. */
Test(policy, maglev_order_independent)
{
	struct policy_member	 m[20], rev[20];
	struct policy_state	 a, b;
	size_t			 i;

	members_init(m, 20, 11);
	for (i = 0; i < 20; i++)
		rev[i] = m[19 - i];
	policy_state_init(&a, POLICY_MAGLEV, 1);
	policy_state_init(&b, POLICY_MAGLEV, 2);
	cr_assert_eq(policy_maglev_build(&a, m, 20), 0);
	cr_assert_eq(policy_maglev_build(&b, rev, 20), 0);
	for (i = 0; i < MAGLEV_SIZE; i++)
		cr_assert_eq(m[a.maglev[i]].key, rev[b.maglev[i]].key);
	policy_state_free(&a);
	policy_state_free(&b);
}

Test(policy, maglev_select_follows_table)
{
	struct policy_member	 m[8];
	struct policy_state	 st;
	uint64_t		 h, s = 5;
	size_t			 i;
	int			 x;

	members_init(m, 8, 12);
	policy_state_init(&st, POLICY_MAGLEV, 1);
	cr_assert_eq(policy_maglev_build(&st, m, 8), 0);
	for (i = 0; i < 10000; i++) {
		h = test_rand(&s);
		x = policy_select(&st, m, 8, h);
		cr_assert_eq(x, (int)st.maglev[h % MAGLEV_SIZE]);
		cr_assert_eq(policy_select(&st, m, 8, h), x, "same flow");
	}
	policy_state_free(&st);
}

/*
 * A member going down before the table is rebuilt: its flows go to the
 * next entries' owners, everyone else's flows stay put.
 */
Test(policy, maglev_stale_table_probes)
{
	struct policy_member	 m[10];
	struct policy_state	 st;
	unsigned int		 got[10];
	uint32_t		 owner;
	size_t			 h, i, receivers = 0;
	int			 x;

	members_init(m, 10, 13);
	policy_state_init(&st, POLICY_MAGLEV, 1);
	cr_assert_eq(policy_maglev_build(&st, m, 10), 0);
	m[3].usable = false;
	memset(got, 0, sizeof(got));
	for (h = 0; h < MAGLEV_SIZE; h++) {
		x = policy_select(&st, m, 10, h);
		owner = st.maglev[h];
		cr_assert(x >= 0 && x != 3);
		if (owner != 3)
			cr_assert_eq((uint32_t)x, owner, "hash %zu moved", h);
		else
			got[x]++;
	}
	for (i = 0; i < 10; i++)
		receivers += got[i] > 0;
	cr_assert(receivers >= 5, "member 3's flows went to %zu members",
	    receivers);

	/* Down to one usable member, then none. */
	for (i = 0; i < 10; i++)
		m[i].usable = i == 7;
	for (h = 0; h < 1000; h++)
		cr_assert_eq(policy_select(&st, m, 10, h * 7919), 7);
	m[7].usable = false;
	cr_assert_eq(policy_select(&st, m, 10, 1), -1);

	/* A table built with no usable member: every lookup is -1. */
	cr_assert_eq(policy_maglev_build(&st, m, 10), 0);
	cr_assert_eq(st.maglev_usable, 0);
	cr_assert_eq(st.maglev_absent, 10);
	for (i = 0; i < MAGLEV_SIZE; i++)
		cr_assert_eq(st.maglev[i], MAGLEV_EMPTY);
	cr_assert_eq(policy_select(&st, m, 10, 1), -1);
	/* ... until members come up: flows spread without a rebuild. */
	m[2].usable = m[5].usable = true;
	memset(got, 0, sizeof(got));
	for (h = 0; h < 1000; h++) {
		x = policy_select(&st, m, 10, h);
		cr_assert(x == 2 || x == 5);
		got[x]++;
	}
	cr_assert(got[2] == 500 && got[5] == 500);
	policy_state_free(&st);
}

Test(policy, maglev_without_table)
{
	struct policy_member	 m[4];
	struct policy_state	 st;
	unsigned int		 count[4];

	members_init(m, 4, 14);
	m[1].usable = false;
	policy_state_init(&st, POLICY_MAGLEV, 1);
	pick_counts(&st, m, 4, 3000, count);
	cr_assert(count[0] == 1000 && count[2] == 1000 && count[3] == 1000);
	cr_assert_eq(policy_select(&st, m, 4, 77), policy_select(&st, m, 4,
	    77));
	policy_state_free(&st);
}

Test(policy, maglev_weighted)
{
	struct policy_member	 m[4];
	struct policy_state	 st;
	unsigned int		 count[4];
	static const uint32_t	 w[4] = { 200, 100, 100, 50 };
	double			 want;
	size_t			 i;

	members_init(m, 4, 15);
	for (i = 0; i < 4; i++)
		m[i].weight = w[i];
	policy_state_init(&st, POLICY_MAGLEV, 1);
	cr_assert_eq(policy_maglev_build(&st, m, 4), 0);
	maglev_counts(&st, 4, count);
	for (i = 0; i < 4; i++) {
		want = (double)MAGLEV_SIZE * w[i] / 450;
		cr_assert(count[i] >= want * 0.99 && count[i] <= want * 1.01,
		    "member %zu: %u entries, want %.0f", i, count[i], want);
	}
	/* Without the heaviest: 100 : 100 : 50 of the table. */
	m[0].usable = false;
	cr_assert_eq(policy_maglev_build(&st, m, 4), 0);
	maglev_counts(&st, 4, count);
	cr_assert_eq(count[0], 0);
	for (i = 1; i < 4; i++) {
		want = (double)MAGLEV_SIZE * w[i] / 250;
		cr_assert(count[i] >= want * 0.99 && count[i] <= want * 1.01,
		    "member %zu: %u entries, want %.0f", i, count[i], want);
	}
	policy_state_free(&st);
}

Test(policy, maglev_limits)
{
	struct policy_member	*m;
	struct policy_state	 st;

	m = calloc(POLICY_MAX_MEMBERS + 1, sizeof(*m));
	cr_assert_not_null(m);
	members_init(m, POLICY_MAX_MEMBERS + 1, 16);
	policy_state_init(&st, POLICY_MAGLEV, 1);
	cr_assert_eq(policy_maglev_build(&st, m, POLICY_MAX_MEMBERS + 1), -1);
	cr_assert_null(st.maglev);
	cr_assert_eq(policy_maglev_build(&st, m, POLICY_MAX_MEMBERS), 0);
	cr_assert_eq(st.maglev_usable, POLICY_MAX_MEMBERS);
	/* Rebuilding reuses the table: 253 members gone at once. */
	cr_assert_eq(policy_maglev_build(&st, m, 3), 0);
	cr_assert_eq(st.maglev_n, 3);
	cr_assert_eq(st.maglev_usable, 3);
	cr_assert_eq(st.maglev_absent, POLICY_MAX_MEMBERS - 3);
	cr_assert(maglev_worst_dev(&st, m, 3) <= 0.01);
	policy_state_free(&st);
	cr_assert_null(st.maglev);
	cr_assert_null(st.maglev_base);
	policy_state_free(&st);
	free(m);
}
