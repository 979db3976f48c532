/*
 * The E-BB's resolver (paper 2 §5, the nine steps) for the groups with
 * "ebb": (1) a new flow for A; (2) the route cache holds A's routes →
 * the group's policy chooses among local and remote members, and a
 * remote one's path is reserved before the flow goes (7); else (3)
 * a DISCOVER is built and (4) flooded, the flow parked, the timer
 * started; (5) ANSWERs come back and (9) are stored in the route cache,
 * each one a remote member of the group (up while its entry lives);
 * (6) when the timer ends the parked flows go to the group's policy;
 * (7) RESERVE along the chosen path, the flow sent on at the ACK with
 * the srh routing header (dst U, SRH [A, U]); (8) a reservation made
 * from the cache and refused sends the group back to discovery.
 *
 * A remote member's reservation is its "probe" (probe.c): the flow is
 * parked on the member as for an echo probe and released by the ACK, or
 * handed to the next best member by the NAK, as a failed probe is.
 */
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "addr.h"
#include "pbuf.h"
#include "route.h"
#include "iface.h"
#include "anycast.h"
#include "router.h"
#include "ebb.h"

#define NS_PER_MS		1000000ull
#define START_BW_MBIT		MAX_CAPACITY_MBIT	/* no link yet */

static bool
addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static uint64_t
ms_ns(uint32_t ms)
{
	return (uint64_t)ms * NS_PER_MS;
}

/* The group's discovery slot, cleared if it held another group's. */
static struct ebb_disc *
disc_of(struct router *r, const struct group *g)
{
	struct ebb_disc	*d = &r->ebb->disc[g->id];

	if (!addr_eq(&d->group, &g->conf.addr)) {
		pbuf_free_chain(d->qhead);
		d->qhead = d->qtail = NULL;
		d->qlen = 0;
		d->active = false;
		d->fresh_until_ns = d->used_ns = d->started_ns = 0;
		d->req_id = d->answers = 0;
		d->group = g->conf.addr;
	}
	return d;
}

/* A remote member's cache entry, if it is still its own. */
static struct ebb_route *
route_of(const struct member *m)
{
	struct ebb_route	*rt = m->ebb;

	if (rt == NULL || !rt->used || !addr_eq(&rt->server, &m->addr) ||
	    !addr_eq(&rt->group, &m->group->conf.addr))
		return NULL;
	return rt;
}

const struct ebb_route *
ebb_member_route(const struct router *r, const struct member *m)
{
	(void)r;
	return m->remote ? route_of(m) : NULL;
}

/*
 * The resolver gives up rt's reservation before it expires: its own
 * share back, and a RELEASE along the path for the others'.
 */
static void
release(struct router *r, struct ebb_route *rt)
{
	struct ebb_msg	 m;

	if (rt->resv_id == 0 || (rt->resv_until_ns <= r->now_ns &&
	    !rt->resv_pending))
		return;
	ebb_resv_give(r, &r->ebb->router_id, rt->resv_id);
	memset(&m, 0, sizeof(m));
	m.type = EBB_RELEASE;
	m.req_id = rt->resv_id;
	m.origin = r->ebb->router_id;
	m.group = rt->group;
	m.npath = rt->npath;
	memcpy(m.path, rt->path, sizeof(m.path));
	m.hops = rt->hops;
	m.kbit = rt->resv_kbit;
	if (m.npath > 1)
		(void)ebb_send_to(r, &m, 1);
	rt->resv_until_ns = 0;
	rt->resv_pending = false;
}

static void
park(struct group *g, struct ebb_disc *d, struct pbuf *pb)
{
	if (g->pending >= g->conf.probe.pending_max) {
		g->stats.pending_dropped++;
		iface_count_drop(pb->in, DROP_NO_BUFFER);
		pbuf_free(pb);
		return;
	}
	pbuf_append(&d->qhead, &d->qtail, pb);
	d->qlen++;
	g->pending++;
}

/* Steps 3 and 4: build the DISCOVER, flood it, start the timer. */
static void
disc_start(struct router *r, struct group *g, struct ebb_disc *d,
    bool refresh)
{
	struct ebb	*e = r->ebb;
	struct ebb_msg	 m;
	uint32_t	 wait_ms = r->conf->ebb.wait_ms;
	struct timeval	 tv = { wait_ms / 1000, (wait_ms % 1000) * 1000 };

	memset(&m, 0, sizeof(m));
	m.type = EBB_DISCOVER;
	m.req_id = ebb_next_id(r);
	m.origin = e->router_id;
	m.group = g->conf.addr;
	m.npath = 1;
	m.path[0] = e->router_id;
	m.bw_mbit = START_BW_MBIT;
	d->active = true;
	d->req_id = m.req_id;
	d->started_ns = r->now_ns;
	d->deadline_ns = r->now_ns + ms_ns(wait_ms);
	d->answers = 0;
	d->first_pkt_ns = 0;
	e->stats.discoveries_sent++;
	if (refresh)
		e->stats.refreshes++;
	ebb_flood(r, &m, NULL);
	if (d->ev != NULL)
		event_add(d->ev, &tv);
}

bool
ebb_request(struct router *r, struct group *g, struct pbuf *pb)
{
	struct ebb	*e = r->ebb;
	struct ebb_disc	*d;

	if (e == NULL)
		return false;
	e->stats.requests++;
	d = disc_of(r, g);
	d->used_ns = r->now_ns;
	/* Fresh, or being refreshed before it goes stale: no waiting. */
	if (d->fresh_until_ns > r->now_ns) {
		e->stats.cache_hits++;
		return false;
	}
	e->stats.cache_misses++;
	park(g, d, pb);
	if (!d->active)
		disc_start(r, g, d, false);
	return true;
}

/* Step 9: an answer into the cache, its server a remote member. */
static void
store(struct router *r, struct group *g, const struct ebb_msg *m)
{
	struct ebb		*e = r->ebb;
	struct ebb_route	*rt;
	struct member		*mb;
	struct cfg_member	 cm;
	struct route		*via;
	char			 err[128];
	bool			 moved;

	mb = member_find(g, &m->server);
	if (mb != NULL && !mb->remote)
		return;		/* a member here: known better than by hearsay */
	if ((rt = ebb_cache_slot(e->cache, EBB_CACHE_MAX, &g->conf.addr,
	    &m->server, r->now_ns)) == NULL) {
		e->stats.cache_full++;
		return;
	}
	moved = rt->npath != m->npath ||
	    memcmp(rt->path, m->path, m->npath * sizeof(m->path[0])) != 0;
	if (moved) {
		release(r, rt);		/* along the old path */
		rt->resv_id = 0;
	}
	rt->npath = m->npath;
	memcpy(rt->path, m->path, sizeof(rt->path));
	rt->hops = m->hops;
	rt->bw_mbit = m->bw_mbit;
	rt->load_pct = m->load_pct;
	rt->req_id = m->req_id;
	rt->stored_ns = r->now_ns;
	rt->expires_ns = r->now_ns + ms_ns(r->conf->ebb.cache_lifetime_ms);
	e->stats.cache_stored++;
	if (mb == NULL) {
		if ((via = route_lookup(r, &m->server)) == NULL) {
			e->stats.no_route++;
			rt->used = false;
			return;
		}
		memset(&cm, 0, sizeof(cm));
		cm.addr = m->server;
		memcpy(cm.iface, via->ifp->name, sizeof(cm.iface) - 1);
		cm.weight = 1;
		cm.hops = m->hops;
		cm.bandwidth = m->bw_mbit;
		if ((mb = member_add(r, g, &cm, true, err, sizeof(err))) ==
		    NULL) {
			log_debug("ebb: group %s: %s", fmt_addr(&g->conf.addr),
			    err);
			e->stats.no_route++;
			rt->used = false;
			return;
		}
		mb->remote = true;
	}
	mb->ebb = rt;
	mb->hops = m->hops;
	mb->bandwidth = m->bw_mbit;
	mb->load_pct = m->load_pct;
	mb->last_report_ns = r->now_ns;
	g->maglev_dirty = true;
	if (mb->state != MS_UP)
		member_set_state(r, mb, MS_UP, MW_NONE);
}

void
ebb_answer_in(struct router *r, const struct ebb_msg *m)
{
	struct ebb	*e = r->ebb;
	struct group	*g;
	struct ebb_disc	*d;

	if ((g = group_find(r, &m->group)) == NULL || !g->conf.ebb ||
	    (d = disc_of(r, g))->req_id != m->req_id) {
		e->stats.answers_unmatched++;
		return;
	}
	e->stats.answers_received++;
	if (!d->active)
		e->stats.answers_late++;
	d->answers++;
	store(r, g, m);
}

/* One line per discovery: what came back. */
static void
log_result(struct router *r, const struct group *g, const struct ebb_disc *d)
{
	char			 buf[512];
	size_t			 o = 0;
	const struct ebb_route	*rt;

	buf[0] = '\0';
	for (size_t i = 0; i < EBB_CACHE_MAX && o < sizeof(buf) - 1; i++) {
		rt = &r->ebb->cache[i];
		if (!rt->used || rt->req_id != d->req_id ||
		    !addr_eq(&rt->group, &g->conf.addr))
			continue;
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
		    " %s (via %s, %u hops, %u Mbit/s, load %u%%)",
		    fmt_addr(&rt->server), fmt_addr(&rt->path[rt->npath - 1]),
		    rt->hops, rt->bw_mbit, rt->load_pct);
	}
	log_info("ebb: group %s: discovery %u: %u answers in %u ms, %u flows "
	    "waiting%s%s", fmt_addr(&g->conf.addr), d->req_id, d->answers,
	    r->conf->ebb.wait_ms, d->qlen, d->answers > 0 ? ":" : "", buf);
}

/* Step 6: the timer ran out; the parked flows go to the policy. */
void
ebb_disc_timer(struct router *r, struct ebb_disc *d)
{
	struct ebb	*e = r->ebb;
	struct group	*g;
	struct pbuf	*pb, *next;

	if (e == NULL || !d->active)
		return;
	d->active = false;
	if (d->ev != NULL)
		event_del(d->ev);
	e->stats.timer_expired++;
	d->fresh_until_ns = r->now_ns + ms_ns(r->conf->ebb.cache_lifetime_ms);
	if ((g = group_find(r, &d->group)) == NULL)
		return;
	log_result(r, g, d);
	pb = d->qhead;
	d->qhead = d->qtail = NULL;
	g->pending -= d->qlen;
	d->qlen = 0;
	e->dispatching = true;
	for (; pb != NULL; pb = next) {
		next = pb->next;
		pb->next = NULL;
		e->stats.choices++;
		anycast_redispatch(r, g, pb);
	}
	e->dispatching = false;
}

bool
ebb_member_fresh(const struct router *r, const struct member *m)
{
	struct ebb_route	*rt = route_of(m);

	if (rt == NULL || m->state != MS_UP || rt->expires_ns <= r->now_ns)
		return false;
	rt->used_ns = r->now_ns;
	return r->conf->ebb.reserve_kbit == 0 ||
	    rt->resv_until_ns > r->now_ns;
}

/* Step 7: RESERVE along rt's path, this router's link first. */
static int
send_reserve(struct router *r, struct group *g, struct ebb_route *rt,
    bool from_cache)
{
	struct ebb	*e = r->ebb;
	struct ebb_msg	 m;
	uint32_t	 res;

	if (rt->resv_id == 0)
		rt->resv_id = ebb_next_id(r);
	memset(&m, 0, sizeof(m));
	m.type = EBB_RESERVE;
	m.req_id = rt->resv_id;
	m.origin = e->router_id;
	m.group = g->conf.addr;
	m.npath = rt->npath;
	memcpy(m.path, rt->path, sizeof(m.path));
	m.hops = rt->hops;
	m.bw_mbit = rt->bw_mbit;
	m.kbit = r->conf->ebb.reserve_kbit;
	m.lifetime_ms = r->conf->ebb.reserve_ms;
	e->stats.reservations_sent++;
	rt->resv_sent_ns = r->now_ns;
	rt->resv_from_cache = from_cache;
	if (!ebb_resv_take(r, &m, 0, &res) || ebb_send_to(r, &m, 1) == -1) {
		ebb_resv_give(r, &e->router_id, rt->resv_id);
		e->stats.reservations_failed++;
		return -1;
	}
	rt->resv_pending = true;
	return 0;
}

void
ebb_member_reserve(struct router *r, struct member *m)
{
	struct group		*g = m->group;
	struct ebb_route	*rt = route_of(m);

	if (r->ebb == NULL || rt == NULL || rt->expires_ns <= r->now_ns) {
		anycast_probe_done(r, m, false);
		return;
	}
	if (r->conf->ebb.reserve_kbit == 0) {
		anycast_probe_done(r, m, true);
		return;
	}
	m->probing = true;
	m->last_probe_ns = r->now_ns;
	m->probe_deadline_ns = r->now_ns + ms_ns(g->conf.probe.timeout_ms);
	m->stats.probes_sent++;
	g->stats.probes_sent++;
	if (rt->resv_pending)
		return;			/* its answer releases this flow too */
	if (send_reserve(r, g, rt, !r->ebb->dispatching) == -1) {
		m->probing = false;
		anycast_probe_done(r, m, false);
	}
}

static struct ebb_route *
route_by_resv(struct router *r, const struct in6_addr *group, uint32_t id)
{
	for (size_t i = 0; i < EBB_CACHE_MAX; i++) {
		struct ebb_route *rt = &r->ebb->cache[i];

		if (rt->used && rt->resv_id == id && addr_eq(&rt->group, group))
			return rt;
	}
	return NULL;
}

/* Step 8: the member's parked flows wait for a new discovery. */
static void
rediscover(struct router *r, struct group *g, struct member *mb,
    struct ebb_route *rt)
{
	struct ebb_disc	*d = disc_of(r, g);
	struct pbuf	*pb, *next;

	r->ebb->stats.rediscoveries++;
	pb = mb->qhead;
	mb->qhead = mb->qtail = NULL;
	g->pending -= mb->qlen;
	mb->qlen = 0;
	for (; pb != NULL; pb = next) {
		next = pb->next;
		pb->next = NULL;
		park(g, d, pb);
	}
	rt->expires_ns = r->now_ns;
	d->fresh_until_ns = 0;
	mb->probing = false;
	member_set_state(r, mb, MS_DOWN, MW_PROBE);
	if (!d->active)
		disc_start(r, g, d, false);
}

void
ebb_resv_done(struct router *r, const struct ebb_msg *m, bool ok)
{
	struct ebb		*e = r->ebb;
	struct group		*g;
	struct ebb_route	*rt;
	struct member		*mb;
	struct ebb_disc		*d;

	if ((g = group_find(r, &m->group)) == NULL ||
	    (rt = route_by_resv(r, &m->group, m->req_id)) == NULL ||
	    !rt->resv_pending) {
		e->stats.rx_unexpected++;
		return;
	}
	rt->resv_pending = false;
	mb = member_find(g, &rt->server);
	if (mb != NULL && (!mb->remote || route_of(mb) != rt))
		mb = NULL;
	if (ok) {
		e->stats.reservations_ok++;
		rt->resv_kbit = m->kbit;
		rt->resv_until_ns = r->now_ns + ms_ns(m->lifetime_ms);
		d = disc_of(r, g);
		if (d->first_pkt_ns == 0 && mb != NULL && mb->qhead != NULL) {
			d->first_pkt_ns = r->now_ns;
			e->last_disc_ms = (r->now_ns - d->started_ns) /
			    NS_PER_MS;
		}
		if (mb != NULL && mb->probing) {
			mb->probing = false;
			mb->probe_rtt_ns = r->now_ns - mb->last_probe_ns;
			anycast_probe_done(r, mb, true);
		}
		return;
	}
	e->stats.reservations_failed++;
	ebb_resv_give(r, &e->router_id, rt->resv_id);
	rt->resv_until_ns = 0;
	log_info("ebb: group %s: reservation %u of %u kbit to %s refused "
	    "(residual %u Mbit/s)%s", fmt_addr(&g->conf.addr), m->req_id,
	    m->kbit, fmt_addr(&rt->server), m->bw_mbit,
	    rt->resv_from_cache ? ", discovering again" : "");
	if (mb == NULL || !mb->probing)
		return;
	if (rt->resv_from_cache) {
		rediscover(r, g, mb, rt);
		return;
	}
	mb->probing = false;
	anycast_probe_done(r, mb, false);	/* the next best member */
}

void
ebb_group_gone(struct router *r, const struct group *g)
{
	struct ebb	*e = r->ebb;
	struct ebb_disc	*d;

	if (e == NULL)
		return;
	d = &e->disc[g->id];
	if (addr_eq(&d->group, &g->conf.addr)) {
		pbuf_free_chain(d->qhead);
		memset(&d->group, 0, sizeof(d->group));
		d->qhead = d->qtail = NULL;
		d->qlen = 0;
		d->active = false;
	}
	for (size_t i = 0; i < EBB_CACHE_MAX; i++)
		if (e->cache[i].used && addr_eq(&e->cache[i].group,
		    &g->conf.addr)) {
			release(r, &e->cache[i]);
			e->cache[i].used = false;
		}
}

/* An expired route: its member down, gone with its last flow. */
static void
route_expire(struct router *r, struct ebb_route *rt)
{
	struct ebb	*e = r->ebb;
	struct group	*g = group_find(r, &rt->group);
	struct member	*mb = g != NULL ? member_find(g, &rt->server) : NULL;

	if (mb != NULL && mb->remote && route_of(mb) == rt) {
		if (mb->state != MS_DOWN)
			member_set_state(r, mb, MS_DOWN, MW_EXPIRED);
		if (mb->flows > 0 || mb->qhead != NULL || mb->probing)
			return;
		member_del(r, mb);
	}
	release(r, rt);
	rt->used = false;
	e->stats.cache_expired++;
}

/* Remote members whose route cache entry was taken by another answer. */
static void
orphans(struct router *r, struct group *g)
{
	struct member	*m;

	for (int i = 0; i < CFG_MAX_MEMBERS; i++) {
		m = &g->members[i];
		if (!m->used || !m->remote || route_of(m) != NULL)
			continue;
		if (m->state != MS_DOWN)
			member_set_state(r, m, MS_DOWN, MW_EXPIRED);
		if (m->flows == 0 && m->qhead == NULL && !m->probing)
			member_del(r, m);
	}
}

void
ebb_resolve_tick(struct router *r)
{
	struct ebb		*e = r->ebb;
	const struct cfg_ebb	*c = &r->conf->ebb;
	struct ebb_route	*rt;
	struct ebb_disc		*d;
	struct group		*g;

	for (int i = 0; i < r->ngroups && i < (int)EBB_MAX_GROUPS; i++) {
		d = &e->disc[i];
		if ((g = r->groups[i]) == NULL || !g->conf.ebb)
			continue;
		orphans(r, g);
		if (!addr_eq(&d->group, &g->conf.addr))
			continue;
		if (d->active && r->now_ns >= d->deadline_ns)
			ebb_disc_timer(r, d);
		/* In use and soon stale: asked again before it is. */
		else if (!d->active && d->fresh_until_ns > r->now_ns &&
		    d->fresh_until_ns - r->now_ns <
		    ms_ns(c->cache_lifetime_ms) / 4 &&
		    d->used_ns > d->started_ns)
			disc_start(r, g, d, true);
	}
	for (size_t i = 0; i < EBB_CACHE_MAX; i++) {
		rt = &e->cache[i];
		if (!rt->used)
			continue;
		if (rt->resv_pending && r->now_ns - rt->resv_sent_ns >
		    ms_ns(c->reserve_ms)) {
			rt->resv_pending = false;	/* never answered */
			e->stats.reservations_failed++;
			ebb_resv_give(r, &e->router_id, rt->resv_id);
		}
		if (rt->expires_ns <= r->now_ns) {
			route_expire(r, rt);
			continue;
		}
		/* In use and the reservation soon over: renewed. */
		if (c->reserve_kbit > 0 && !rt->resv_pending &&
		    rt->resv_until_ns > r->now_ns &&
		    rt->resv_until_ns - r->now_ns < ms_ns(c->reserve_ms) / 4 &&
		    rt->used_ns > rt->resv_sent_ns &&
		    (g = group_find(r, &rt->group)) != NULL)
			(void)send_reserve(r, g, rt, true);
	}
}
