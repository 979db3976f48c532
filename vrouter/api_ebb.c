/*
 * GET /api/v1/ebb: the E-BB's settings, the neighbours heard, each
 * group's discovery, the route cache, the reservations held on this
 * router's links, the links' accounting, counters and errors by reason;
 * and the "ebb" object of a remote member in the groups' views.
 */
#include <string.h>

#include <jansson.h>

#include "addr.h"
#include "iface.h"
#include "anycast.h"
#include "router.h"
#include "ebb.h"
#include "api.h"

#define NS_PER_MS	1000000ull

/* Milliseconds from now to t (0 when past). */
static json_t *
json_left(uint64_t t, uint64_t now)
{
	return api_json_u64(t > now ? (t - now) / NS_PER_MS : 0);
}

/* An address as a JSON string, copied at once (fmt_addr() rotates). */
static json_t *
json_addr(const struct in6_addr *a)
{
	return json_string(fmt_addr(a));
}

static json_t *
json_path(const struct in6_addr *path, size_t n)
{
	json_t	*a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_addr(&path[i]));
	return a;
}

json_t *
api_json_ebb_route(const struct ebb_route *rt, uint64_t now)
{
	json_t	*o, *resv = json_null();

	if (rt->resv_until_ns > now || rt->resv_pending)
		resv = json_pack("{s:I, s:I, s:o, s:b}",
		    "id", (json_int_t)rt->resv_id,
		    "kbit", (json_int_t)rt->resv_kbit,
		    "expires_ms", json_left(rt->resv_until_ns, now),
		    "pending", rt->resv_pending);
	o = json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:o, "
	    "s:o}",
	    "group", json_addr(&rt->group),
	    "server", json_addr(&rt->server),
	    "path", json_path(rt->path, rt->npath),
	    "via", json_addr(&rt->path[rt->npath > 0 ? rt->npath - 1 : 0]),
	    "hops", (json_int_t)rt->hops,
	    "bandwidth_mbps", (json_int_t)rt->bw_mbit,
	    "load_pct", (json_int_t)rt->load_pct,
	    "request_id", (json_int_t)rt->req_id,
	    "age_ms", api_json_u64(now > rt->stored_ns ?
	    (now - rt->stored_ns) / NS_PER_MS : 0),
	    "expires_ms", json_left(rt->expires_ns, now),
	    "reservation", resv);
	return o;
}

static json_t *
nbrs_json(const struct router *r)
{
	const struct ebb_nbr	*n;
	json_t			*a = json_array();

	for (int i = 0; i < EBB_MAX_NBRS; i++) {
		n = &r->ebb->nbrs[i];
		if (!n->used)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:I, s:o}",
		    "interface", n->ifp->name,
		    "address", json_addr(&n->lladdr),
		    "router_id", json_addr(&n->router_id),
		    "messages", (json_int_t)n->messages,
		    "last_heard_ms_ago", api_json_u64((r->now_ns -
		    n->last_ns) / NS_PER_MS)));
	}
	return a;
}

static json_t *
groups_json(const struct router *r)
{
	const struct ebb_disc	*d;
	const struct group	*g;
	json_t			*a = json_array();

	for (int i = 0; i < r->ngroups && i < EBB_MAX_GROUPS; i++) {
		if ((g = r->groups[i]) == NULL || !g->conf.ebb)
			continue;
		d = &r->ebb->disc[i];
		json_array_append_new(a, json_pack("{s:s, s:b, s:I, s:I, s:o, "
		    "s:I, s:o}",
		    "group", fmt_addr(&g->conf.addr),
		    "discovering", d->active &&
		    !memcmp(&d->group, &g->conf.addr, sizeof(d->group)),
		    "request_id", (json_int_t)d->req_id,
		    "answers", (json_int_t)d->answers,
		    "fresh_ms", json_left(d->fresh_until_ns, r->now_ns),
		    "waiting", (json_int_t)d->qlen,
		    "first_packet_ms", d->first_pkt_ns != 0 ?
		    api_json_u64((d->first_pkt_ns - d->started_ns) /
		    NS_PER_MS) : json_null()));
	}
	return a;
}

static json_t *
resv_json(const struct router *r)
{
	const struct ebb_resv	*rv;
	json_t			*a = json_array();

	for (size_t i = 0; i < EBB_RESV_MAX; i++) {
		rv = &r->ebb->resv[i];
		if (!rv->used)
			continue;
		json_array_append_new(a, json_pack("{s:o, s:I, s:o, s:s, s:I, "
		    "s:o}",
		    "origin", json_addr(&rv->origin),
		    "id", (json_int_t)rv->id,
		    "group", json_addr(&rv->group),
		    "interface", r->ifaces[rv->ifindex]->name,
		    "kbit", (json_int_t)rv->kbit,
		    "expires_ms", json_left(rv->until_ns, r->now_ns)));
	}
	return a;
}

static json_t *
links_json(const struct router *r)
{
	const struct iface	*ifp;
	json_t			*a = json_array();

	for (int i = 0; i < r->nifaces; i++) {
		ifp = r->ifaces[i];
		json_array_append_new(a, json_pack("{s:s, s:b, s:I, s:I, s:I, "
		    "s:I}",
		    "interface", ifp->name,
		    "ebb", ebb_on(ifp),
		    "capacity_mbit", (json_int_t)iface_capacity_mbit(ifp),
		    "rate_mbit", (json_int_t)iface_rate_mbit(ifp),
		    "reserved_kbit", (json_int_t)ifp->reserved_kbit,
		    "residual_mbit", (json_int_t)iface_residual_mbit(ifp)));
	}
	return a;
}

json_t *
api_ebb_errors(const struct ebb_stats *st)
{
	json_t	*o = json_object();

	for (int i = EBB_OK + 1; i < EBB_E_MAX; i++)
		json_object_set_new(o, ebb_err_name(i),
		    api_json_u64(st->errors[i]));
	return o;
}

void
api_ebb(struct api_call *call)
{
	struct router		*r = call->r;
	const struct cfg_ebb	*c = &r->conf->ebb;
	json_t			*routes, *keys;

	if (r->ebb == NULL) {
		api_reply(call, 200, json_pack("{s:b}", "enabled", 0));
		return;
	}
	routes = json_array();
	for (size_t i = 0; i < EBB_CACHE_MAX; i++)
		if (r->ebb->cache[i].used)
			json_array_append_new(routes,
			    api_json_ebb_route(&r->ebb->cache[i], r->now_ns));
	keys = json_array();
	for (size_t i = 0; i < r->ebb->nkeys; i++)
		json_array_append_new(keys,
		    json_integer(r->ebb->keys[i].id));
	api_reply(call, 200, json_pack("{s:b, s:s, s:o, s:I, s:I, s:I, s:I, "
	    "s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "enabled", 1,
	    "router_id", fmt_addr(&r->ebb->router_id),
	    "key_ids", keys,
	    "wait_ms", (json_int_t)c->wait_ms,
	    "cache_lifetime_ms", (json_int_t)c->cache_lifetime_ms,
	    "reserve_kbit", (json_int_t)c->reserve_kbit,
	    "reserve_ms", (json_int_t)c->reserve_ms,
	    "neighbors", nbrs_json(r),
	    "groups", groups_json(r),
	    "routes", routes,
	    "reservations", resv_json(r),
	    "links", links_json(r),
	    "counters", api_json_stats(&r->ebb->stats, api_ebb_counters),
	    "errors", api_ebb_errors(&r->ebb->stats)));
}
