/*
 * REST API: anycast groups, their members and the flow table.  A group
 * lists its members with their session counts (paper 1, Table 1) and
 * their scores (paper 2, Table 2).  Groups and static members are added
 * from bodies shaped like the configuration's "groups" entries and are
 * checked by the configuration's own code; the live objects change
 * through anycast.c.  The JSON views are in api_groups_json.c.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "log.h"
#include "util.h"
#include "addr.h"
#include "nd.h"
#include "anycast.h"
#include "router.h"
#include "flow.h"
#include "api.h"

/* ---------------------------------------------------------------------- */
/* views of the live objects */

static json_t *
api_member_view(struct router *r, const struct member *m)
{
	struct neighbor	*n = NULL;
	const uint8_t	*mac = NULL;

	if (m->ifp != NULL)
		n = nd_find(r, m->ifp, &m->addr);
	if (n != NULL && n->state != ND_INCOMPLETE && n->state != ND_FAILED)
		mac = n->mac;
	return api_json_member(m, mac, r->now_ns);
}

/* The used members in the order they were added; returns how many. */
static size_t
api_members_sorted(struct group *g, struct member **out)
{
	size_t	n = 0, j;
	int	i;

	for (i = 0; i < CFG_MAX_MEMBERS; i++) {
		if (!g->members[i].used)
			continue;
		for (j = n; j > 0 && out[j - 1]->id > g->members[i].id; j--)
			out[j] = out[j - 1];
		out[j] = &g->members[i];
		n++;
	}
	return n;
}

static json_t *
api_members_view(struct router *r, struct group *g)
{
	struct member	*ms[CFG_MAX_MEMBERS];
	json_t		*a = json_array();
	size_t		 i, n;

	n = api_members_sorted(g, ms);
	for (i = 0; i < n; i++)
		json_array_append_new(a, api_member_view(r, ms[i]));
	return a;
}

static json_t *
api_group_view(struct router *r, struct group *g)
{
	json_t	*o = api_json_group(g, api_members_view(r, g));

	if (o != NULL)
		json_object_set_new(o, "profiles",
		    api_json_profiles(g, r->now_ns));
	return o;
}

/* The running groups ordered by address; returns how many. */
static size_t
api_groups_sorted(struct router *r, struct group **out)
{
	size_t	n = 0, j;
	int	i;

	for (i = 0; i < r->ngroups; i++) {
		if (r->groups[i] == NULL)
			continue;
		for (j = n; j > 0 && memcmp(&out[j - 1]->conf.addr,
		    &r->groups[i]->conf.addr, sizeof(struct in6_addr)) > 0;
		    j--)
			out[j] = out[j - 1];
		out[j] = r->groups[i];
		n++;
	}
	return n;
}

json_t *
api_anycast_counters(struct router *r)
{
	struct group		*gs[CFG_MAX_GROUPS];
	struct member		*ms[CFG_MAX_MEMBERS];
	json_t			*groups, *o, *mo, *fo;
	size_t			 i, j, ng, nm;

	groups = json_object();
	ng = api_groups_sorted(r, gs);
	for (i = 0; i < ng; i++) {
		o = api_json_group_counters(&gs[i]->stats);
		mo = json_object();
		nm = api_members_sorted(gs[i], ms);
		for (j = 0; j < nm; j++)
			json_object_set_new(mo, fmt_addr(&ms[j]->addr),
			    api_json_member_counters(&ms[j]->stats));
		json_object_set_new(o, "members", mo);
		json_object_set_new(groups, fmt_addr(&gs[i]->conf.addr), o);
	}
	o = json_pack("{s:{s:o, s:o, s:o}}", "membership",
	    "messages_in", api_json_u64(r->stats.mp_in),
	    "messages_out", api_json_u64(r->stats.mp_out),
	    "failures", api_json_mp_reasons(r->stats.mp_fail));
	if (o == NULL) {
		json_decref(groups);
		return NULL;
	}
	if (r->flows != NULL) {
		fo = api_json_stats(flow_stats(r->flows), api_flow_counters);
		json_object_set_new(fo, "active",
		    api_json_u64(flow_count(r->flows)));
		json_object_set_new(fo, "capacity",
		    api_json_u64(flow_capacity(r->flows)));
		json_object_set_new(fo, "flood",
		    json_boolean(flow_flood(r->flows)));
		json_object_set_new(fo, "kinds", api_json_flow_kinds(r->flows));
		json_object_set_new(o, "flows", fo);
	}
	json_object_set_new(o, "groups", groups);
	return o;
}

/* ---------------------------------------------------------------------- */
/* path arguments */

/* The group named by the first path argument; replies 400 or 404. */
static struct group *
api_group_arg(struct api_call *call)
{
	struct in6_addr	 a;
	struct group	*g;

	if (inet_pton(AF_INET6, call->arg[0], &a) != 1) {
		api_error(call, 400, "\"%.64s\" is not an IPv6 address",
		    call->arg[0]);
		return NULL;
	}
	if ((g = group_find(call->r, &a)) == NULL)
		api_error(call, 404, "no group %s", fmt_addr(&a));
	return g;
}

/* The member of g named by the second path argument; replies if none. */
static struct member *
api_member_arg(struct api_call *call, struct group *g)
{
	struct in6_addr	 a;
	struct member	*m;

	if (inet_pton(AF_INET6, call->arg[1], &a) != 1) {
		api_error(call, 400, "\"%.64s\" is not an IPv6 address",
		    call->arg[1]);
		return NULL;
	}
	if ((m = member_find(g, &a)) == NULL)
		api_error(call, 404, "group %s has no member %s",
		    fmt_addr(&g->conf.addr), fmt_addr(&a));
	return m;
}

static void
api_location(struct api_call *call, const struct in6_addr *g,
    const struct in6_addr *m)
{
	char	loc[160];

	if (m == NULL)
		snprintf(loc, sizeof(loc), "/api/v1/groups/%s", fmt_addr(g));
	else
		snprintf(loc, sizeof(loc), "/api/v1/groups/%s/members/%s",
		    fmt_addr(g), fmt_addr(m));
	api_set_header(call, "Location", loc);
}

/* ---------------------------------------------------------------------- */
/* groups */

void
api_groups(struct api_call *call)
{
	struct group	*gs[CFG_MAX_GROUPS];
	json_t		*a = json_array();
	size_t		 i, n;

	n = api_groups_sorted(call->r, gs);
	for (i = 0; i < n; i++)
		json_array_append_new(a, api_group_view(call->r, gs[i]));
	api_reply(call, 200, json_pack("{s:o}", "groups", a));
}

void
api_group_get(struct api_call *call)
{
	struct group	*g;

	if ((g = api_group_arg(call)) != NULL)
		api_reply(call, 200, api_group_view(call->r, g));
}

/*
 * What the configuration parser cannot see: the groups running now.
 * 0, or -1 with a message for a 409.
 */
static int
api_group_conflict(struct router *r, const struct cfg_group *cg, char *err,
    size_t errlen)
{
	char	 a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int	 i, j, n = 0;

	inet_ntop(AF_INET6, &cg->addr, a, sizeof(a));
	for (i = 0; i < r->ngroups; i++) {
		const struct group *g = r->groups[i];

		if (g == NULL)
			continue;
		n++;
		inet_ntop(AF_INET6, &g->conf.addr, b, sizeof(b));
		if (IN6_ARE_ADDR_EQUAL(&g->conf.addr, &cg->addr)) {
			snprintf(err, errlen, "group %s exists", a);
			return -1;
		}
		if (member_find(r->groups[i], &cg->addr) != NULL) {
			snprintf(err, errlen, "body.address: %s is a member "
			    "of group %s", a, b);
			return -1;
		}
		if (cg->name[0] != '\0' &&
		    strcasecmp(cg->name, g->conf.name) == 0) {
			snprintf(err, errlen, "body.name: \"%s\" is the name "
			    "of group %s", cg->name, b);
			return -1;
		}
		for (j = 0; j < cg->nmembers; j++)
			if (IN6_ARE_ADDR_EQUAL(&cg->members[j].addr,
			    &g->conf.addr)) {
				snprintf(err, errlen, "body.members[%d]."
				    "address: %s is the address of a group",
				    j, b);
				return -1;
			}
	}
	if (n >= CFG_MAX_GROUPS) {
		snprintf(err, errlen, "too many groups (at most %d)",
		    CFG_MAX_GROUPS);
		return -1;
	}
	return 0;
}

void
api_group_add(struct api_call *call)
{
	struct router		*r = call->r;
	struct cfg_group	*cg;
	struct group		*g;
	json_t			*body;
	char			 err[512];
	int			 rc;

	if ((body = api_body(call, err, sizeof(err))) == NULL) {
		api_error(call, 400, "%s", err);
		return;
	}
	cg = xmalloc(sizeof(*cg));
	rc = config_parse_group(body, "body", cg, r->conf, err, sizeof(err));
	json_decref(body);
	if (rc == -1)
		api_error(call, 400, "%s", err);
	else if (api_group_conflict(r, cg, err, sizeof(err)) == -1)
		api_error(call, 409, "%s", err);
	else if (group_add(r, cg, err, sizeof(err)) == -1)
		api_error(call, 400, "%s", err);
	else if ((g = group_find(r, &cg->addr)) == NULL)
		api_error(call, 500, "group %s added but not found",
		    fmt_addr(&cg->addr));
	else {
		log_info("%s: group %s added through the API", __func__,
		    fmt_addr(&g->conf.addr));
		api_location(call, &g->conf.addr, NULL);
		api_reply(call, 201, api_group_view(r, g));
	}
	explicit_bzero(cg, sizeof(*cg));	/* keys */
	free(cg);
}

void
api_group_patch(struct api_call *call)
{
	struct router		*r = call->r;
	struct group		*g;
	struct cfg_group	*ng;
	json_t			*body;
	char			 err[512];
	bool			 interval;
	int			 i;

	if ((g = api_group_arg(call)) == NULL)
		return;
	if ((body = api_body(call, err, sizeof(err))) == NULL) {
		api_error(call, 400, "%s", err);
		return;
	}
	if (json_object_size(body) == 0) {
		json_decref(body);
		api_error(call, 400, "nothing to change: give \"policy\", "
		    "\"rh_mode\", \"score\", \"profiles\" or \"probe\"");
		return;
	}
	/* Only what a patch may change is copied: no keys. */
	ng = xcalloc(1, sizeof(*ng));
	ng->policy = g->conf.policy;
	ng->rh_mode = g->conf.rh_mode;
	ng->ratios = g->conf.ratios;
	ng->profiles = g->conf.profiles;
	ng->probe = g->conf.probe;
	if (config_patch_group(body, "body", ng, err, sizeof(err)) == -1) {
		json_decref(body);
		free(ng);
		api_error(call, 400, "%s", err);
		return;
	}
	json_decref(body);
	if (ng->policy != g->conf.policy &&
	    group_set_policy(r, g, ng->policy) == -1) {
		api_error(call, 500, "cannot set policy %s",
		    policy_name(ng->policy));
		free(ng);
		return;
	}
	g->conf.rh_mode = ng->rh_mode;
	/* New ratios or profiles: start again in the normal profile. */
	if (memcmp(&ng->ratios, &g->conf.ratios, sizeof(ng->ratios)) != 0 ||
	    memcmp(&ng->profiles, &g->conf.profiles,
	    sizeof(ng->profiles)) != 0) {
		g->conf.ratios = ng->ratios;
		g->conf.profiles = ng->profiles;
		group_profile_init(r, g);
	}
	interval = ng->probe.interval_ms != g->conf.probe.interval_ms;
	g->conf.probe = ng->probe;
	for (i = 0; i < CFG_MAX_MEMBERS; i++) {
		struct member *m = &g->members[i];

		if (!m->used)
			continue;
		/* New retest bounds and interval apply from now on. */
		if (m->backoff_ms < ng->probe.retest_ms)
			m->backoff_ms = ng->probe.retest_ms;
		if (m->backoff_ms > ng->probe.retest_max_ms)
			m->backoff_ms = ng->probe.retest_max_ms;
		if (interval)
			m->next_bg_ns = r->now_ns;
	}
	free(ng);
	log_info("%s: group %s: policy %s, rh %s, score %u:%u:%u, probe "
	    "timeout %u ms, interval %u ms", __func__,
	    fmt_addr(&g->conf.addr), policy_name(g->conf.policy),
	    rh_mode_name(g->conf.rh_mode), g->conf.ratios.hop,
	    g->conf.ratios.load, g->conf.ratios.bw,
	    g->conf.probe.timeout_ms, g->conf.probe.interval_ms);
	api_reply(call, 200, api_group_view(r, g));
}

void
api_group_del(struct api_call *call)
{
	struct group	*g;
	char		 a[INET6_ADDRSTRLEN];

	if ((g = api_group_arg(call)) == NULL)
		return;
	inet_ntop(AF_INET6, &g->conf.addr, a, sizeof(a));
	if (group_del(call->r, &g->conf.addr) == -1) {
		api_error(call, 500, "cannot delete group %s", a);
		return;
	}
	log_info("%s: group %s deleted through the API", __func__, a);
	api_reply(call, 200, json_pack("{s:s}", "deleted", a));
}

/* ---------------------------------------------------------------------- */
/* members */

void
api_members(struct api_call *call)
{
	struct group	*g;

	if ((g = api_group_arg(call)) != NULL)
		api_reply(call, 200, json_pack("{s:o}", "members",
		    api_members_view(call->r, g)));
}

void
api_member_get(struct api_call *call)
{
	struct group	*g;
	struct member	*m;

	if ((g = api_group_arg(call)) != NULL &&
	    (m = api_member_arg(call, g)) != NULL)
		api_reply(call, 200, api_member_view(call->r, m));
}

static int
api_group_size(const struct group *g)
{
	int	i, n = 0;

	for (i = 0; i < CFG_MAX_MEMBERS; i++)
		n += g->members[i].used;
	return n;
}

void
api_member_add(struct api_call *call)
{
	struct router		*r = call->r;
	struct cfg_member	 cm;
	struct group		*g;
	struct member		*m;
	json_t			*body;
	char			 err[512];
	int			 rc;

	if ((g = api_group_arg(call)) == NULL)
		return;
	if ((body = api_body(call, err, sizeof(err))) == NULL) {
		api_error(call, 400, "%s", err);
		return;
	}
	rc = config_parse_member(body, "body", &cm, &g->conf, r->conf, err,
	    sizeof(err));
	json_decref(body);
	if (rc == -1) {
		api_error(call, 400, "%s", err);
		return;
	}
	if (member_find(g, &cm.addr) != NULL) {
		api_error(call, 409, "group %s has member %s",
		    fmt_addr(&g->conf.addr), fmt_addr(&cm.addr));
		return;
	}
	if (group_find(r, &cm.addr) != NULL) {
		api_error(call, 409, "body.address: %s is the address of a "
		    "group",
		    fmt_addr(&cm.addr));
		return;
	}
	if ((uint32_t)api_group_size(g) >= g->conf.max_members) {
		api_error(call, 409, "group %s is full (max_members %u)",
		    fmt_addr(&g->conf.addr), g->conf.max_members);
		return;
	}
	if ((m = member_add(r, g, &cm, true, err, sizeof(err))) == NULL) {
		api_error(call, 400, "%s", err);
		return;
	}
	log_info("%s: group %s member %s added through the API", __func__,
	    fmt_addr(&g->conf.addr), fmt_addr(&m->addr));
	api_location(call, &g->conf.addr, &m->addr);
	api_reply(call, 201, api_member_view(r, m));
}

void
api_member_patch(struct api_call *call)
{
	struct api_member_patch	 mp;
	struct group		*g;
	struct member		*m;
	json_t			*body;
	char			 err[512];
	int			 rc;

	if ((g = api_group_arg(call)) == NULL ||
	    (m = api_member_arg(call, g)) == NULL)
		return;
	if ((body = api_body(call, err, sizeof(err))) == NULL) {
		api_error(call, 400, "%s", err);
		return;
	}
	rc = api_json_member_patch(body, &mp, err, sizeof(err));
	json_decref(body);
	if (rc == -1) {
		api_error(call, 400, "%s", err);
		return;
	}
	if (mp.has_load && !m->is_static) {
		api_error(call, 409, "member %s joined: its load is the one "
		    "it reports", fmt_addr(&m->addr));
		return;
	}
	if (mp.has_load)
		m->load_pct = mp.load;
	if (mp.has_weight)
		m->weight = mp.weight;
	if (mp.has_drain)
		m->draining = mp.drain;	/* no new flows; pinned ones stay */
	g->maglev_dirty = true;
	log_info("%s: group %s member %s: weight %u, load %u %%%s", __func__,
	    fmt_addr(&g->conf.addr), fmt_addr(&m->addr), m->weight,
	    m->load_pct, m->draining ? ", draining" : "");
	api_reply(call, 200, api_member_view(call->r, m));
}

void
api_member_del(struct api_call *call)
{
	struct group	*g;
	struct member	*m;
	char		 a[INET6_ADDRSTRLEN];

	if ((g = api_group_arg(call)) == NULL ||
	    (m = api_member_arg(call, g)) == NULL)
		return;
	inet_ntop(AF_INET6, &m->addr, a, sizeof(a));
	member_del(call->r, m);
	log_info("%s: group %s member %s deleted through the API", __func__,
	    fmt_addr(&g->conf.addr), a);
	api_reply(call, 200, json_pack("{s:s}", "deleted", a));
}

/* ---------------------------------------------------------------------- */
/* flows */

struct api_flow_walk {
	struct router	*r;
	json_t		*list;
	size_t		 count;
};

static void
api_flow_count_cb(const struct flow *f, void *arg)
{
	struct api_flow_walk	*w = arg;

	(void)f;
	w->count++;
}

static void
api_flow_cb(const struct flow *f, void *arg)
{
	struct api_flow_walk	*w = arg;
	struct router		*r = w->r;
	struct member		*m = NULL;

	if (f->group_id < (uint32_t)r->ngroups &&
	    r->groups[f->group_id] != NULL)
		m = member_by_id(r->groups[f->group_id], f->member);
	json_array_append_new(w->list, api_json_flow(f, m != NULL ?
	    &m->addr : NULL, r->now_ns));
}

/*
 * The group a flow query names, UINT32_MAX for every group; replies
 * and returns -1 when the query is bad or names no group.
 */
static int
api_flow_group(struct api_call *call, bool paged, struct api_flow_query *q,
    uint32_t *gid)
{
	struct group	*g;
	char		 err[256];

	if (api_flow_query(call->query, paged, q, err, sizeof(err)) == -1) {
		api_error(call, 400, "%s", err);
		return -1;
	}
	*gid = UINT32_MAX;
	if (!q->has_group)
		return 0;
	if ((g = group_find(call->r, &q->group)) == NULL) {
		api_error(call, 404, "no group %s", fmt_addr(&q->group));
		return -1;
	}
	*gid = g->id;
	return 0;
}

void
api_flows(struct api_call *call)
{
	struct router		*r = call->r;
	struct api_flow_query	 q;
	struct api_flow_walk	 w;
	uint32_t		 gid;

	if (api_flow_group(call, true, &q, &gid) == -1)
		return;
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.list = json_array();
	if (r->flows != NULL) {
		/* Reclaim idle flows first: the list is then exact. */
		flow_expire(r->flows, r->now_ns, flow_count(r->flows) + 1);
		if (gid == UINT32_MAX)
			w.count = flow_count(r->flows);
		else
			flow_walk(r->flows, gid, 0, SIZE_MAX,
			    api_flow_count_cb, &w);
		flow_walk(r->flows, gid, q.offset, q.limit, api_flow_cb, &w);
	}
	api_reply(call, 200, json_pack("{s:I, s:I, s:I, s:o}",
	    "total", (json_int_t)w.count,
	    "offset", (json_int_t)q.offset,
	    "limit", (json_int_t)q.limit,
	    "flows", w.list));
}

void
api_flows_flush(struct api_call *call)
{
	struct router		*r = call->r;
	struct api_flow_query	 q;
	uint32_t		 gid;
	size_t			 before = 0, after = 0;

	if (api_flow_group(call, false, &q, &gid) == -1)
		return;
	if (r->flows != NULL) {
		before = flow_count(r->flows);
		flow_flush(r->flows, gid);
		after = flow_count(r->flows);
	}
	log_info("%s: %zu flows%s%s flushed through the API", __func__,
	    before - after, q.has_group ? " of group " : "",
	    q.has_group ? fmt_addr(&q.group) : "");
	api_reply(call, 200, json_pack("{s:I}", "flushed",
	    (json_int_t)(before - after)));
}
