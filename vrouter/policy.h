/*
 * Member selection for anycast groups: which member serves a new flow.
 *
 * A pure module: no I/O, no globals, no logging.  The caller rebuilds
 * a struct policy_member array from its member table for each
 * selection and keeps one struct policy_state per group.  Selection
 * never allocates; only policy_maglev_build() does.  See
 * docs/policies.md.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum policy_kind {
	POLICY_LEAST_SESSIONS,	/* paper 1: fewest sessions */
	POLICY_ROUND_ROBIN,
	POLICY_WEIGHTED_RR,	/* smooth weighted round robin (nginx) */
	POLICY_RANDOM,
	POLICY_MAGLEV,		/* consistent hashing of the flow */
	POLICY_SCORE,		/* paper 2: hop count, load, bandwidth */
	POLICY_MAX
};

/*
 * Members beyond this index are never chosen; the group table caps its
 * size at this.  Weighted round robin keeps its state per index in a
 * fixed array so that selection needs no allocation.
 */
#define POLICY_MAX_MEMBERS	256

#define POLICY_WEIGHT_MIN	1
#define POLICY_WEIGHT_MAX	65535
#define POLICY_WEIGHT_DEFAULT	100

/* Maglev lookup table size: a prime well above 100 * members. */
#define MAGLEV_SIZE		65537
#define MAGLEV_EMPTY		UINT32_MAX

/* The caller's view of one member, rebuilt for each selection. */
struct policy_member {
	uint64_t	 key;		/* stable identity (maglev), unique */
	bool		 usable;	/* up, not draining, not yet tried */
	uint32_t	 sessions;	/* reported sessions or counted flows */
	uint32_t	 weight;	/* 1..65535; out of range is clamped */
	uint32_t	 hops;		/* hop count to the member */
	uint32_t	 load_pct;	/* server load, 0..100 */
	uint32_t	 bw_mbps;	/* least residual bandwidth on path */
};

/* A member's weight clamped to POLICY_WEIGHT_MIN..POLICY_WEIGHT_MAX. */
static inline uint32_t
policy_weight(const struct policy_member *pm)
{
	if (pm->weight < POLICY_WEIGHT_MIN)
		return POLICY_WEIGHT_MIN;
	if (pm->weight > POLICY_WEIGHT_MAX)
		return POLICY_WEIGHT_MAX;
	return pm->weight;
}

/* Paper 2's ratios [hop : load : bandwidth], in percent, summing to 100. */
struct score_ratios {
	uint32_t	 hop;
	uint32_t	 load;
	uint32_t	 bw;
};
#define SCORE_RATIO_HOP_DEFAULT		30
#define SCORE_RATIO_LOAD_DEFAULT	60
#define SCORE_RATIO_BW_DEFAULT		10

/* Each measure normalised to 1..100, and the rounded score. */
struct score_parts {
	uint32_t	 hop_n;
	uint32_t	 load_n;
	uint32_t	 bw_n;
	uint32_t	 score;		/* 0..100 */
};

/*
 * Paper 2 §3: two ratio profiles, switched by the measured network
 * utilisation with hysteresis (up above congested_above, back below
 * normal_below) and a minimum hold time between switches.
 */
enum score_profile { PROFILE_NORMAL, PROFILE_CONGESTED, PROFILE_MAX };

struct score_profiles {
	bool			 enabled;	/* false: the plain ratios */
	struct score_ratios	 ratios[PROFILE_MAX];
	uint32_t		 congested_above;	/* util %, 1..100 */
	uint32_t		 normal_below;		/* util %, < above */
	uint32_t		 hold_ms;
};
#define PROFILE_CONGESTED_HOP_DEFAULT	20
#define PROFILE_CONGESTED_LOAD_DEFAULT	30
#define PROFILE_CONGESTED_BW_DEFAULT	50
#define PROFILE_CONGESTED_ABOVE_DEFAULT	80
#define PROFILE_NORMAL_BELOW_DEFAULT	60
#define PROFILE_HOLD_MS_DEFAULT		5000
#define PROFILE_HOLD_MS_MAX		3600000

/* Where a group's profile is; the caller owns it. */
struct profile_state {
	enum score_profile	 active;
	uint32_t		 util_pct;	/* last utilisation given */
	uint64_t		 since_ms;	/* active since (or start) */
	uint64_t		 switches;
	uint64_t		 last_switch_ms;	/* 0: never */
};

struct maglev_base;		/* maglev.c */

/*
 * Per-group selection state.  The caller owns the struct; the maglev
 * table and base it points to belong to the state and are
 * released by policy_state_free().  Fields may be read (the API shows
 * them); ratios may be written at any time (paper 2 switches between
 * two ratio profiles with the network load).
 */
struct policy_state {
	enum policy_kind	 kind;
	struct score_ratios	 ratios;	/* score policy */
	uint32_t		 rr_next;	/* round robin cursor, also
						   breaking ties */
	uint64_t		 rng;		/* random: splitmix64 state */
	int64_t			 wrr_current[POLICY_MAX_MEMBERS];
	uint32_t		*maglev;	/* MAGLEV_SIZE indices or
						   MAGLEV_EMPTY; NULL until
						   built */
	size_t			 maglev_n;	/* members when last built */
	size_t			 maglev_usable;	/* of which got entries */
	size_t			 maglev_absent;	/* members of the last full
						   build now missing: 0 for
						   the canonical table */
	struct maglev_base	*maglev_base;	/* the last full build */
};

/* policy.c */
/* "least-sessions", "round-robin", ...; "unknown" out of range. */
const char	*policy_name(enum policy_kind);
/* 0, or -1 for a name that is not a policy. */
int		 policy_from_name(const char *, enum policy_kind *);
/*
 * Initialise a state for kind, with the PRNG seeded from seed (the same
 * seed gives the same choices) and the score ratios at 30:60:10.  No
 * allocation.  0, or -1 for an unknown kind (the state is then still
 * initialised, as least-sessions).
 */
int		 policy_state_init(struct policy_state *, enum policy_kind,
		    uint64_t seed);
/* Release the maglev table; the state may be initialised again. */
void		 policy_state_free(struct policy_state *);
/*
 * Change the policy of a live group: resets the cursors, keeps the
 * PRNG, ratios and maglev table.  0, or -1 for an unknown kind
 * (nothing changed).
 */
int		 policy_state_set_kind(struct policy_state *, enum policy_kind);
/*
 * Forget the round robin cursor and the weighted round robin credits,
 * which are kept by member index: call when members join or leave.
 */
void		 policy_state_reset(struct policy_state *);
/* Ratios are valid when they sum to 100. */
bool		 policy_ratios_valid(const struct score_ratios *);
/* Paper 2's normalisation and score of one member (see policies.md). */
void		 policy_score(const struct policy_member *,
		    const struct score_ratios *, struct score_parts *);
/*
 * Pick a member for a new flow: its index in m[], or -1 when no member
 * is usable.  flow_hash is used by maglev only.  Never allocates.
 */
int		 policy_select(struct policy_state *,
		    const struct policy_member *m, size_t n,
		    uint64_t flow_hash);

/* policy_profile.c */
/* "normal", "congested"; "unknown" out of range. */
const char	*profile_name(enum score_profile);
/* Defaults: normal 30:60:10, congested 20:30:50, 80 % / 60 %, 5 s. */
void		 profile_defaults(struct score_profiles *);
/* The thresholds and ratios are consistent: NULL, or what is wrong. */
const char	*profile_check(const struct score_profiles *);
/* Start in the normal profile at now_ms (the hold counts from it). */
void		 profile_state_init(struct profile_state *, uint64_t now_ms);
/*
 * Feed the network utilisation measured at now_ms: switches to
 * congested when util_pct > congested_above, back to normal when
 * util_pct < normal_below, never sooner than hold_ms after the last
 * switch (or the start).  Returns true when it switched; the active
 * profile's ratios are then p->ratios[st->active].
 */
bool		 profile_update(struct profile_state *,
		    const struct score_profiles *p, uint32_t util_pct,
		    uint64_t now_ms);

/* maglev.c */
/*
 * Build (or rebuild) the maglev lookup table from the keys and weights
 * of the usable members of m[]; the table does not depend on their
 * order in m[].  Call whenever the usable set changes: until then
 * selection probes past entries of members that became unusable.
 *
 * The first build, and any build with a key or a weight that the last
 * full build did not have, is a full build: the canonical table of the
 * set, the same on every router.  Otherwise the members of the last
 * full build that are missing now (gone from m[] or merely unusable)
 * lose their entries and the others keep theirs: taking members out of
 * a full table moves none of the others' entries, every member holds
 * its share of the table to an entry, and once every member is back
 * the table is the canonical one again.  In between, the table depends
 * on the last full build as well as on the usable set; maglev_absent
 * counts the members missing from it.  See docs/policies.md.
 *
 * The state keeps the members' keys; the table's entries are indices
 * in this m[].  Allocates on the first build only (about 400 KiB).  0,
 * or -1 when n exceeds POLICY_MAX_MEMBERS or the memory cannot be
 * allocated (the old table, if any, is kept).
 */
int		 policy_maglev_build(struct policy_state *,
		    const struct policy_member *m, size_t n);
/*
 * The maglev choice for flow_hash: the owner of entry flow_hash % M,
 * or, if it is not usable now, of the next entry whose owner is.
 * Without a table (or with none of its owners usable) a usable member
 * is picked by flow_hash modulo their count.  -1 when none is usable.
 */
int		 policy_maglev_lookup(const struct policy_state *,
		    const struct policy_member *m, size_t n,
		    uint64_t flow_hash);

#endif /* POLICY_H */
