/*
 * Paper 2's score inputs, measured where the router can measure them,
 * and its two ratio profiles switched by the network's utilisation
 * (docs/policies.md).  The profile state machine itself is pure
 * (policy_profile.c); here it is fed and its switches are logged.
 */
#include <string.h>

#include "addr.h"
#include "iface.h"
#include "log.h"
#include "route.h"
#include "router.h"
#include "util.h"
#include "anycast.h"

static const char *const input_src_names[SRC_MAX] = {
	[SRC_CONFIGURED] = "configured",
	[SRC_MEASURED] = "measured",
	[SRC_REPORTED] = "reported",
};

const char *
input_src_name(enum input_src s)
{
	return name_get(input_src_names, NITEMS(input_src_names), s);
}

void
member_inputs(const struct member *m, struct member_inputs *in)
{
	uint32_t	 residual;

	memset(in, 0, sizeof(*in));
	in->hops = m->hops;
	in->hops_src = m->is_static && !m->hops_measured ? SRC_CONFIGURED :
	    SRC_MEASURED;
	in->load_pct = m->load_pct;
	in->load_src = m->is_static ? SRC_CONFIGURED : SRC_REPORTED;
	in->bw_mbps = m->bandwidth;
	in->bw_src = m->bw_reported ? SRC_REPORTED : SRC_CONFIGURED;
	if (m->is_static || m->ifp == NULL)
		return;
	/* The lower of the link's residual and what the member says. */
	residual = iface_residual_mbit(m->ifp);
	if (!m->bw_reported || residual <= m->bandwidth) {
		in->bw_mbps = residual;
		in->bw_src = SRC_MEASURED;
	}
}

uint32_t
group_util_pct(const struct group *g)
{
	uint32_t	 u, max = 0;

	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		if (g->members[i].used && g->members[i].ifp != NULL &&
		    (u = iface_util_pct(g->members[i].ifp)) > max)
			max = u;
	return max;
}

static void
group_profile_apply(struct group *g)
{
	if (g->conf.profiles.enabled)
		g->pstate.ratios = g->conf.profiles.ratios[g->profile.active];
	else
		g->pstate.ratios = g->conf.ratios;
}

void
group_profile_init(struct router *r, struct group *g)
{
	profile_state_init(&g->profile, r->now_ns / 1000000);
	group_profile_apply(g);
}

void
anycast_score_tick(struct router *r)
{
	const struct score_ratios	*rt;
	struct group			*g;

	for (int i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		if (!profile_update(&g->profile, &g->conf.profiles,
		    group_util_pct(g), r->now_ns / 1000000))
			continue;
		group_profile_apply(g);
		rt = &g->pstate.ratios;
		log_info("group %s: profile %s (ratios %u:%u:%u), network "
		    "utilisation %u %% (up above %u %%, down below %u %%)",
		    fmt_addr(&g->conf.addr), profile_name(g->profile.active),
		    rt->hop, rt->load, rt->bw, g->profile.util_pct,
		    g->conf.profiles.congested_above,
		    g->conf.profiles.normal_below);
	}
}
