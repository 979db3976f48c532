/*
 * Paper 2 §3: the score's ratios come from one of two profiles,
 * "normal" and "congested", chosen by the network's utilisation.  A
 * pure state machine: the caller measures the utilisation, keeps the
 * state and applies the ratios (docs/policies.md).
 */
#include <string.h>

#include "policy.h"
#include "util.h"

static const char *const profile_names[PROFILE_MAX] = {
	[PROFILE_NORMAL] = "normal",
	[PROFILE_CONGESTED] = "congested",
};

const char *
profile_name(enum score_profile p)
{
	return name_get(profile_names, NITEMS(profile_names), p);
}

void
profile_defaults(struct score_profiles *p)
{
	memset(p, 0, sizeof(*p));
	p->ratios[PROFILE_NORMAL] = (struct score_ratios){
	    SCORE_RATIO_HOP_DEFAULT, SCORE_RATIO_LOAD_DEFAULT,
	    SCORE_RATIO_BW_DEFAULT };
	p->ratios[PROFILE_CONGESTED] = (struct score_ratios){
	    PROFILE_CONGESTED_HOP_DEFAULT, PROFILE_CONGESTED_LOAD_DEFAULT,
	    PROFILE_CONGESTED_BW_DEFAULT };
	p->congested_above = PROFILE_CONGESTED_ABOVE_DEFAULT;
	p->normal_below = PROFILE_NORMAL_BELOW_DEFAULT;
	p->hold_ms = PROFILE_HOLD_MS_DEFAULT;
}

const char *
profile_check(const struct score_profiles *p)
{
	if (!policy_ratios_valid(&p->ratios[PROFILE_NORMAL]) ||
	    !policy_ratios_valid(&p->ratios[PROFILE_CONGESTED]))
		return "each profile's hop, load and bandwidth must sum to 100";
	if (p->congested_above < 1 || p->congested_above > 100)
		return "congested_above must be 1-100";
	if (p->normal_below >= p->congested_above)
		return "normal_below must be below congested_above";
	if (p->hold_ms > PROFILE_HOLD_MS_MAX)
		return "hold_ms must be at most 3600000";
	return NULL;
}

void
profile_state_init(struct profile_state *st, uint64_t now_ms)
{
	memset(st, 0, sizeof(*st));
	st->active = PROFILE_NORMAL;
	st->since_ms = now_ms;
}

bool
profile_update(struct profile_state *st, const struct score_profiles *p,
    uint32_t util_pct, uint64_t now_ms)
{
	enum score_profile	 next = st->active;

	st->util_pct = util_pct;
	if (!p->enabled || now_ms < st->since_ms + p->hold_ms)
		return false;
	if (st->active == PROFILE_NORMAL && util_pct > p->congested_above)
		next = PROFILE_CONGESTED;
	else if (st->active == PROFILE_CONGESTED &&
	    util_pct < p->normal_below)
		next = PROFILE_NORMAL;
	if (next == st->active)
		return false;
	st->active = next;
	st->since_ms = now_ms;
	st->last_switch_ms = now_ms;
	st->switches++;
	return true;
}
