/*
 * Paper 2's two ratio profiles (vrouter/policy_profile.c) on a virtual
 * clock: hysteresis between the thresholds, the minimum hold time, and
 * the checks of a configuration.
 */
#include <criterion/criterion.h>

#include "policy.h"

static struct score_profiles
pp_conf(void)
{
	struct score_profiles	 p;

	profile_defaults(&p);
	p.enabled = true;
	p.congested_above = 80;
	p.normal_below = 60;
	p.hold_ms = 5000;
	return p;
}

Test(policy_profile, defaults)
{
	struct score_profiles	 p;

	profile_defaults(&p);
	cr_assert(!p.enabled);
	cr_assert_eq(p.ratios[PROFILE_NORMAL].hop, 30);
	cr_assert_eq(p.ratios[PROFILE_NORMAL].load, 60);
	cr_assert_eq(p.ratios[PROFILE_NORMAL].bw, 10);
	cr_assert_eq(p.ratios[PROFILE_CONGESTED].bw, 50);
	cr_assert_null(profile_check(&p));
	cr_assert_str_eq(profile_name(PROFILE_CONGESTED), "congested");
	cr_assert_str_eq(profile_name(PROFILE_MAX), "unknown");
}

Test(policy_profile, hysteresis)
{
	struct score_profiles	 p = pp_conf();
	struct profile_state	 st;
	uint64_t		 t = 100000;

	profile_state_init(&st, t);
	t += 6000;		/* past the first hold */
	/* At the threshold is not above it. */
	cr_assert(!profile_update(&st, &p, 80, t));
	cr_assert_eq(st.active, PROFILE_NORMAL);
	cr_assert(profile_update(&st, &p, 81, t));
	cr_assert_eq(st.active, PROFILE_CONGESTED);
	cr_assert_eq(st.switches, 1);
	cr_assert_eq(st.last_switch_ms, t);
	/* Between the thresholds nothing moves, however long. */
	t += 60000;
	cr_assert(!profile_update(&st, &p, 70, t));
	cr_assert(!profile_update(&st, &p, 60, t));
	cr_assert_eq(st.active, PROFILE_CONGESTED);
	cr_assert(profile_update(&st, &p, 59, t));
	cr_assert_eq(st.active, PROFILE_NORMAL);
	cr_assert_eq(st.switches, 2);
	cr_assert_eq(st.util_pct, 59);
}

Test(policy_profile, hold_time)
{
	struct score_profiles	 p = pp_conf();
	struct profile_state	 st;
	uint64_t		 t0 = 1000;

	profile_state_init(&st, t0);
	/* Not within the hold after the start. */
	cr_assert(!profile_update(&st, &p, 100, t0 + 4999));
	cr_assert_eq(st.active, PROFILE_NORMAL);
	cr_assert(profile_update(&st, &p, 100, t0 + 5000));
	/* Back down only 5 s after the switch. */
	cr_assert(!profile_update(&st, &p, 0, t0 + 9999));
	cr_assert_eq(st.active, PROFILE_CONGESTED);
	cr_assert(profile_update(&st, &p, 0, t0 + 10000));
	cr_assert_eq(st.active, PROFILE_NORMAL);
	cr_assert_eq(st.switches, 2);
	/* A hold of 0: every sample may switch. */
	p.hold_ms = 0;
	cr_assert(profile_update(&st, &p, 90, t0 + 10000));
	cr_assert(profile_update(&st, &p, 10, t0 + 10000));
	cr_assert_eq(st.switches, 4);
}

Test(policy_profile, disabled_never_switches)
{
	struct score_profiles	 p = pp_conf();
	struct profile_state	 st;

	p.enabled = false;
	profile_state_init(&st, 0);
	cr_assert(!profile_update(&st, &p, 100, 1000000));
	cr_assert_eq(st.active, PROFILE_NORMAL);
	cr_assert_eq(st.util_pct, 100);
}

Test(policy_profile, checks)
{
	struct score_profiles	 p = pp_conf();

	p.normal_below = 80;
	cr_assert_not_null(profile_check(&p));
	p = pp_conf();
	p.congested_above = 0;
	p.normal_below = 0;
	cr_assert_not_null(profile_check(&p));
	p = pp_conf();
	p.ratios[PROFILE_CONGESTED].bw = 49;
	cr_assert_not_null(profile_check(&p));
	p = pp_conf();
	p.hold_ms = PROFILE_HOLD_MS_MAX + 1;
	cr_assert_not_null(profile_check(&p));
}
