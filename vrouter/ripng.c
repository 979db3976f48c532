/*
 * RIPng (RFC 2080): requests and responses on ff02::9 from the link-local
 * address of every interface with "ripng", periodic and triggered
 * updates, split horizon with poisoned reverse, timeout and garbage
 * collection, and a whole-table request to the neighbours whenever a
 * route in use is lost, so that another path is learned at once instead
 * of at the next periodic update.
 *
 * The RIB (learned routes) is an rtable of its own; a live entry is
 * installed into the router's table as a ROUTE_RIPNG route unless a
 * connected or static route holds the prefix.  Exported: connected and
 * static routes (metric 1), each anycast group's A/128 while one of its
 * members can be chosen (metric 1, then 16 for the garbage time after
 * the last one went), and the RIB.  Every buffer is taken once at start.
 */
#include <sys/random.h>

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "addr.h"
#include "cksum.h"
#include "pbuf.h"
#include "route.h"
#include "iface.h"
#include "fwd.h"
#include "anycast.h"
#include "router.h"
#include "ripng.h"

#define NS_PER_MS		1000000ull
#define NS_PER_S		1000000000ull
#define MAX_WITHDRAWN		64	/* gone static routes and groups */
#define OUT_MAX			(RIPNG_MAX_ROUTES + CFG_MAX_ROUTES + \
				 CFG_MAX_IFACES * CFG_MAX_ADDRS + \
				 CFG_MAX_GROUPS + MAX_WITHDRAWN)

/* A prefix this router stopped exporting: advertised at 16 for a while. */
struct withdrawn {
	struct in6_addr	 prefix;
	uint8_t		 plen;
	uint64_t	 until_ns;
	bool		 changed;
};

struct ripng {
	struct rtable	*rib;		/* prefix -> struct ripng_entry */
	size_t		 nroutes;
	struct ripng_nbr nbrs[RIPNG_MAX_NBRS];
	struct withdrawn withdrawn[MAX_WITHDRAWN];
	uint64_t	 next_update_ns;
	uint64_t	 trig_after_ns;	/* no triggered update before */
	bool		 trig_pending;
	uint64_t	 request_after_ns;
	bool		 request_pending;
	uint64_t	 rng;
	struct ripng_stats stats;
	struct ripng_rte *out;		/* OUT_MAX entries */
	size_t		 nout;
};

/* What an export walk is for. */
struct export {
	struct router	*r;
	struct iface	*ifp;		/* split horizon; NULL for a query */
	bool		 triggered;	/* changed entries only */
	bool		 all_dead;	/* everything at 16 (shutdown) */
};

static const struct in6_addr ripng_group = RIPNG_GROUP_INIT;

static void	 send_update(struct router *, struct iface *, bool);
static void	 send_request_all(struct router *);

bool
ripng_enabled(const struct router *r)
{
	return r->ripng != NULL;
}

bool
ripng_on(const struct iface *ifp)
{
	return ifp->router->ripng != NULL && ifp->conf.ripng.enabled;
}

/* xorshift64*, for the timers' jitter. */
static uint64_t
rnd(struct ripng *rp)
{
	rp->rng ^= rp->rng >> 12;
	rp->rng ^= rp->rng << 25;
	rp->rng ^= rp->rng >> 27;
	return rp->rng * 0x2545f4914f6cdd1dull;
}

/* A time in [base/2, 3 base/2): RFC 2080 §2.5.1 offsets each update. */
static uint64_t
jitter(struct ripng *rp, uint64_t base_ns)
{
	return base_ns / 2 + rnd(rp) % (base_ns > 0 ? base_ns : 1);
}

static uint64_t
update_ns(const struct router *r)
{
	return r->conf->ripng.update_s * NS_PER_S;
}

/*
 * Triggered updates (§2.5.1) are spaced by 1 to 5 s for 30 s updates;
 * kept in the same proportion to the update interval.
 */
static uint64_t
holdoff_ns(struct router *r)
{
	uint64_t	 u = update_ns(r);

	return u / 30 + rnd(r->ripng) % (u * 4 / 30 + 1);
}

void
ripng_init(struct router *r)
{
	struct ripng	*rp;

	if (!r->conf->ripng.enabled)
		return;
	rp = xcalloc(1, sizeof(*rp));
	rp->rib = rtable_new();
	rp->out = xcalloc(OUT_MAX, sizeof(*rp->out));
	/* The fixture mode wants the same packets at the same times. */
	if (r->pcap_mode || getrandom(&rp->rng, sizeof(rp->rng),
	    GRND_NONBLOCK) != sizeof(rp->rng))
		rp->rng = 0x9e3779b97f4a7c15ull;
	rp->rng |= 1;
	r->ripng = rp;
	/* Ask at once (§2.4.1), answer at the first tick. */
	rp->request_pending = true;
	rp->next_update_ns = r->now_ns;
	log_info("%s: update %us, timeout %us, garbage %us", __func__,
	    r->conf->ripng.update_s, r->conf->ripng.timeout_s,
	    r->conf->ripng.garbage_s);
}

/* ---------------------------------------------------------------------- */
/* sending */

static void
send_msg(struct router *r, struct iface *ifp, const struct in6_addr *dst,
    uint16_t dport, uint8_t cmd, const struct ripng_rte *rtes, size_t n)
{
	struct ripng	*rp = r->ripng;
	struct pbuf	*pb;
	uint8_t		*ip6;
	size_t		 per, used, len;

	per = ripng_rtes_per_packet(ifp->mtu);
	do {
		if ((pb = pbuf_alloc()) == NULL) {
			rp->stats.tx_errors++;
			return;
		}
		ip6 = pb->data + ETH_HLEN_;
		len = ripng_build(ip6 + 48, RIPNG_HDR_LEN + per * RIPNG_RTE_LEN,
		    cmd, rtes, n, &used);
		pb->len = ETH_HLEN_ + (uint32_t)udp6_finish(ip6, &ifp->lladdr,
		    dst, RIPNG_HOP_LIMIT, RIPNG_PORT, dport, len);
		pb->in = ifp;
		if (cmd == RIPNG_CMD_REQUEST)
			rp->stats.tx_requests++;
		else
			rp->stats.tx_responses++;
		ip6_output(r, pb);
		rtes += used;
		n -= used;
	} while (n > 0);
}

static void
out_add(struct ripng *rp, const struct in6_addr *prefix, uint8_t plen,
    uint8_t metric, uint16_t tag)
{
	struct ripng_rte	*o;

	if (rp->nout >= OUT_MAX)
		return;
	o = &rp->out[rp->nout++];
	o->prefix = *prefix;
	o->plen = plen;
	o->metric = metric;
	o->tag = tag;
}

static uint8_t
out_metric(const struct export *x, uint8_t metric)
{
	return x->all_dead ? RIPNG_INFINITY : metric;
}

/* Connected and static routes of the router's own table. */
static void
export_route_cb(const struct in6_addr *a, uint8_t plen, void *value,
    void *arg)
{
	const struct export	*x = arg;
	const struct route	*rt = value;
	const struct cfg_ripng	*c = &x->r->conf->ripng;

	if (x->triggered)
		return;
	if ((rt->type == ROUTE_CONNECTED && c->export_connected) ||
	    (rt->type == ROUTE_STATIC && c->export_static))
		out_add(x->r->ripng, a, plen, out_metric(x, 1), c->tag);
}

/* The RIB, poisoned towards the interface each route came from. */
static void
export_rib_cb(const struct in6_addr *a, uint8_t plen, void *value, void *arg)
{
	const struct export	*x = arg;
	struct ripng_entry	*e = value;
	struct route		*rt;
	uint8_t			 metric = e->metric;

	if (x->triggered && !e->changed)
		return;
	/* A group of this router: export_groups. */
	if (plen == 128 && group_find(x->r, a) != NULL)
		return;
	/* Shadowed by a connected or static route, which is exported. */
	rt = rtable_exact(x->r->rt, a, plen);
	if (rt != NULL && rt->type != ROUTE_RIPNG)
		return;
	if (x->ifp != NULL && e->ifp == x->ifp)
		metric = RIPNG_INFINITY;
	out_add(x->r->ripng, a, plen, out_metric(x, metric), e->tag);
}

/*
 * Each group's A/128: metric 1 while one of its members can be chosen.
 * Otherwise the route to another site's members, if one was learned (as
 * any learned route: poisoned towards where it came from), else 16 for
 * the garbage time after the last member went.
 */
static void
export_groups(const struct export *x)
{
	struct router		*r = x->r;
	const struct group	*g;
	const struct ripng_entry *e;
	uint64_t		 gc = r->conf->ripng.garbage_s * NS_PER_S;
	uint8_t			 metric;

	if (!r->conf->ripng.export_anycast)
		return;
	for (int i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		e = g->rip_serving ? NULL :
		    rtable_exact(r->ripng->rib, &g->conf.addr, 128);
		if (e != NULL && e->gc_ns != 0)
			e = NULL;
		if (x->triggered && !g->rip_changed &&
		    (e == NULL || !e->changed))
			continue;
		if (g->rip_serving)
			out_add(r->ripng, &g->conf.addr, 128, out_metric(x, 1),
			    r->conf->ripng.tag);
		else if (e != NULL) {
			metric = x->ifp != NULL && e->ifp == x->ifp ?
			    RIPNG_INFINITY : e->metric;
			out_add(r->ripng, &g->conf.addr, 128,
			    out_metric(x, metric), e->tag);
		} else if (g->rip_since_ns != 0 &&
		    r->now_ns - g->rip_since_ns < gc)
			out_add(r->ripng, &g->conf.addr, 128, RIPNG_INFINITY,
			    r->conf->ripng.tag);
	}
}

static void
export_withdrawn(const struct export *x)
{
	struct ripng	*rp = x->r->ripng;

	for (int i = 0; i < MAX_WITHDRAWN; i++) {
		const struct withdrawn *w = &rp->withdrawn[i];

		if (w->until_ns <= x->r->now_ns ||
		    (x->triggered && !w->changed))
			continue;
		out_add(rp, &w->prefix, w->plen, RIPNG_INFINITY,
		    x->r->conf->ripng.tag);
	}
}

/* Fill rp->out with what to tell x->ifp. */
static void
export(const struct export *x)
{
	struct ripng	*rp = x->r->ripng;

	rp->nout = 0;
	rtable_walk(x->r->rt, export_route_cb, (void *)(uintptr_t)x);
	export_groups(x);
	export_withdrawn(x);
	rtable_walk(rp->rib, export_rib_cb, (void *)(uintptr_t)x);
}

static void
send_update(struct router *r, struct iface *ifp, bool triggered)
{
	struct export	 x = { r, ifp, triggered, false };

	export(&x);
	if (r->ripng->nout > 0)
		send_msg(r, ifp, &ripng_group, RIPNG_PORT, RIPNG_CMD_RESPONSE,
		    r->ripng->out, r->ripng->nout);
}

static void
update_all(struct router *r, bool triggered)
{
	for (int i = 0; i < r->nifaces; i++)
		if (ripng_on(r->ifaces[i]))
			send_update(r, r->ifaces[i], triggered);
}

static void
clear_changed_cb(const struct in6_addr *a, uint8_t plen, void *value,
    void *arg)
{
	(void)a;
	(void)plen;
	(void)arg;
	((struct ripng_entry *)value)->changed = false;
}

static void
clear_changed(struct router *r)
{
	struct ripng	*rp = r->ripng;

	rtable_walk(rp->rib, clear_changed_cb, NULL);
	for (int i = 0; i < r->ngroups; i++)
		if (r->groups[i] != NULL)
			r->groups[i]->rip_changed = false;
	for (int i = 0; i < MAX_WITHDRAWN; i++)
		rp->withdrawn[i].changed = false;
}

static void
send_request_all(struct router *r)
{
	struct ripng_rte	 whole = { .plen = 0, .metric = RIPNG_INFINITY };

	for (int i = 0; i < r->nifaces; i++)
		if (ripng_on(r->ifaces[i]))
			send_msg(r, r->ifaces[i], &ripng_group, RIPNG_PORT,
			    RIPNG_CMD_REQUEST, &whole, 1);
}

/* Something changed: a triggered update now, or when the hold-off ends. */
static void
trigger(struct router *r)
{
	r->ripng->trig_pending = true;
}

/* A route in use was lost: ask the neighbours for theirs. */
static void
ask(struct router *r)
{
	r->ripng->request_pending = true;
	trigger(r);
}

/* ---------------------------------------------------------------------- */
/* the RIB */

static void
uninstall(struct router *r, struct ripng_entry *e)
{
	if (e->rt == NULL)
		return;
	rtable_remove(r->rt, &e->prefix, e->plen);
	free(e->rt);
	e->rt = NULL;
}

/* Into the router's table, unless a connected or static route has it. */
static void
install(struct router *r, struct ripng_entry *e)
{
	struct route	*rt = e->rt;

	if (rt == NULL) {
		if (rtable_exact(r->rt, &e->prefix, e->plen) != NULL)
			return;
		rt = xcalloc(1, sizeof(*rt));
		rt->prefix = e->prefix;
		rt->plen = e->plen;
		rt->type = ROUTE_RIPNG;
		rt->has_gw = true;
		if (rtable_insert(r->rt, &rt->prefix, rt->plen, rt) == -1) {
			free(rt);
			return;
		}
		e->rt = rt;
	}
	rt->gw = e->gw;
	rt->ifp = e->ifp;
	rt->metric = e->metric;
	rt->tag = e->tag;
	rt->updated_ns = e->updated_ns;
}

static struct ripng_nbr *
nbr_find(struct router *r, const struct iface *ifp, const struct in6_addr *a)
{
	struct ripng_nbr	*n;

	for (int i = 0; i < RIPNG_MAX_NBRS; i++) {
		n = &r->ripng->nbrs[i];
		if (n->used && n->ifp == ifp && IN6_ARE_ADDR_EQUAL(&n->addr, a))
			return n;
	}
	return NULL;
}

static struct ripng_nbr *
nbr_get(struct router *r, struct iface *ifp, const struct in6_addr *a)
{
	struct ripng_nbr	*n;

	if ((n = nbr_find(r, ifp, a)) != NULL)
		return n;
	for (int i = 0; i < RIPNG_MAX_NBRS; i++) {
		n = &r->ripng->nbrs[i];
		if (n->used)
			continue;
		memset(n, 0, sizeof(*n));
		n->used = true;
		n->addr = *a;
		n->ifp = ifp;
		n->first_ns = r->now_ns;
		log_info("ripng: neighbour %s on %s", fmt_addr(a), ifp->name);
		return n;
	}
	r->ripng->stats.nbrs_full++;
	return NULL;
}

static void
nbr_routes(struct router *r, const struct ripng_entry *e, int delta)
{
	struct ripng_nbr	*n;

	if ((n = nbr_find(r, e->ifp, &e->gw)) != NULL)
		n->routes += (uint32_t)delta;
}

/* The route is unreachable from now: poisoned, then deleted (§2.4.2). */
static void
start_gc(struct router *r, struct ripng_entry *e)
{
	e->metric = RIPNG_INFINITY;
	e->gc_ns = r->now_ns;
	e->changed = true;
	if (e->rt != NULL)
		ask(r);			/* it carried traffic */
	else
		trigger(r);
	uninstall(r, e);
}

static void
entry_set(struct router *r, struct ripng_entry *e, struct iface *ifp,
    const struct in6_addr *gw, uint8_t metric, uint16_t tag)
{
	if (e->ifp != NULL)
		nbr_routes(r, e, -1);
	e->ifp = ifp;
	e->gw = *gw;
	e->tag = tag;
	nbr_routes(r, e, 1);
	if (metric != e->metric) {
		e->metric = metric;
		e->changed = true;
		trigger(r);
	}
	if (metric >= RIPNG_INFINITY) {
		if (e->gc_ns == 0)
			start_gc(r, e);
		return;
	}
	e->gc_ns = 0;
	e->updated_ns = r->now_ns;
	install(r, e);
}

static void
learn(struct router *r, struct iface *ifp, const struct in6_addr *gw,
    const struct ripng_rte *in)
{
	struct ripng		*rp = r->ripng;
	struct ripng_entry	*e;
	uint8_t			 metric;
	bool			 same;
	uint64_t		 half = r->conf->ripng.timeout_s * NS_PER_S / 2;

	metric = in->metric + ifp->conf.ripng.cost;
	if (metric > RIPNG_INFINITY)
		metric = RIPNG_INFINITY;
	if ((e = rtable_exact(rp->rib, &in->prefix, in->plen)) == NULL) {
		if (metric >= RIPNG_INFINITY)
			return;
		if (rp->nroutes >= RIPNG_MAX_ROUTES) {
			rp->stats.rib_full++;
			return;
		}
		e = xcalloc(1, sizeof(*e));
		e->prefix = in->prefix;
		e->plen = in->plen;
		rtable_insert(rp->rib, &e->prefix, e->plen, e);
		rp->nroutes++;
		rp->stats.routes_added++;
		entry_set(r, e, ifp, gw, metric, in->tag);
		return;
	}
	same = e->ifp == ifp && IN6_ARE_ADDR_EQUAL(&e->gw, gw);
	if (same) {
		if (metric != e->metric && metric < RIPNG_INFINITY)
			rp->stats.routes_changed++;
		if (metric < RIPNG_INFINITY || e->gc_ns == 0)
			entry_set(r, e, ifp, gw, metric, in->tag);
		return;
	}
	/* Another router: better, or as good while ours is ageing. */
	if (metric < e->metric || (metric == e->metric &&
	    metric < RIPNG_INFINITY && r->now_ns - e->updated_ns > half)) {
		rp->stats.routes_changed++;
		e->changed = true;
		entry_set(r, e, ifp, gw, metric, in->tag);
		trigger(r);
	}
}

static void
entry_free(struct router *r, struct ripng_entry *e)
{
	uninstall(r, e);
	nbr_routes(r, e, -1);
	rtable_remove(r->ripng->rib, &e->prefix, e->plen);
	r->ripng->nroutes--;
	free(e);
}

/* ---------------------------------------------------------------------- */
/* receiving */

static void
answer_request(struct router *r, struct iface *ifp, const struct pkt *p,
    const uint8_t *msg, size_t len)
{
	struct ripng		*rp = r->ripng;
	struct ripng_iter	 it;
	struct ripng_rte	 q;
	struct ripng_entry	*e;
	struct route		*rt;
	struct group		*g;
	/* A query from another port gets the whole truth (§2.4.1). */
	struct export		 x = { r, p->sport == RIPNG_PORT ? ifp : NULL,
				    false, false };

	if (ripng_is_whole_request(msg, len)) {
		export(&x);
	} else {
		rp->nout = 0;
		ripng_iter_init(&it, msg, len);
		while (ripng_next(&it, &q, rp->stats.errors) &&
		    rp->nout < OUT_MAX) {
			q.metric = RIPNG_INFINITY;
			rt = rtable_exact(r->rt, &q.prefix, q.plen);
			e = rtable_exact(rp->rib, &q.prefix, q.plen);
			g = q.plen == 128 ? group_find(r, &q.prefix) : NULL;
			if (g != NULL && r->conf->ripng.export_anycast) {
				/* As export_groups() tells it. */
				if (g->rip_serving)
					q.metric = 1;
			} else if (rt != NULL && rt->type != ROUTE_RIPNG)
				q.metric = 1;
			else if (e != NULL)	/* as is: no split horizon */
				q.metric = e->metric;
			rp->out[rp->nout++] = q;
		}
	}
	if (rp->nout > 0)
		send_msg(r, ifp, &p->src, p->sport, RIPNG_CMD_RESPONSE,
		    rp->out, rp->nout);
}

static void
take_response(struct router *r, struct iface *ifp, struct ripng_nbr *n,
    const struct pkt *p, const uint8_t *msg, size_t len)
{
	struct ripng		*rp = r->ripng;
	struct ripng_iter	 it;
	struct ripng_rte	 in;
	uint64_t		 bad[RIPNG_E_MAX] = { 0 };
	uint64_t		 nbad = 0;

	ripng_iter_init(&it, msg, len);
	while (ripng_next(&it, &in, bad)) {
		rp->stats.rx_routes++;
		learn(r, ifp, IN6_IS_ADDR_UNSPECIFIED(&it.nexthop) ? &p->src :
		    &it.nexthop, &in);
	}
	for (int i = 0; i < RIPNG_E_MAX; i++) {
		rp->stats.errors[i] += bad[i];
		nbad += bad[i];
	}
	rp->stats.rx_bad_routes += nbad;
	if (n != NULL)
		n->bad_routes += nbad;
}

void
ripng_input(struct router *r, struct iface *ifp, const struct pbuf *pb,
    const struct pkt *p)
{
	struct ripng		*rp = r->ripng;
	struct ripng_nbr	*n;
	const uint8_t		*udp = pb->data + p->l4_off;
	const uint8_t		*msg = udp + 8;
	size_t			 len;
	enum ripng_err		 e;
	uint8_t			 cmd = 0;

	if (!ripng_on(ifp)) {
		if (rp != NULL)
			rp->stats.rx_disabled++;
		iface_count_drop(ifp, DROP_UNSUPPORTED);
		return;
	}
	if (!udp_payload_ok(ifp, pb, p))
		return;
	len = p->l4_len - 8;
	if ((e = ripng_parse_hdr(msg, len, &cmd)) == RIPNG_OK)
		e = ripng_check_ip6(cmd, &p->src, p->sport, p->hlim);
	n = IN6_IS_ADDR_LINKLOCAL(&p->src) ? nbr_get(r, ifp, &p->src) : NULL;
	if (e != RIPNG_OK) {
		rp->stats.rx_bad++;
		rp->stats.errors[e]++;
		if (n != NULL)
			n->bad_packets++;
		return;
	}
	if (n != NULL)
		n->last_ns = r->now_ns;
	if (cmd == RIPNG_CMD_REQUEST) {
		rp->stats.rx_requests++;
		if (n != NULL)
			n->requests++;
		answer_request(r, ifp, p, msg, len);
		return;
	}
	rp->stats.rx_responses++;
	if (n != NULL)
		n->responses++;
	take_response(r, ifp, n, p, msg, len);
}

/* ---------------------------------------------------------------------- */
/* timers */

static void
expire_cb(const struct in6_addr *a, uint8_t plen, void *value, void *arg)
{
	struct router		*r = arg;
	struct ripng_entry	*e = value;
	uint64_t		 timeout = r->conf->ripng.timeout_s * NS_PER_S;

	(void)a;
	(void)plen;
	if (e->gc_ns == 0 && r->now_ns - e->updated_ns >= timeout) {
		r->ripng->stats.routes_timeout++;
		log_info("ripng: %s/%u via %s timed out", fmt_addr(&e->prefix),
		    e->plen, fmt_addr(&e->gw));
		start_gc(r, e);
	}
}

/* Entries past garbage collection; freed outside the walk. */
struct gc_walk {
	struct router		*r;
	struct ripng_entry	*dead[256];
	int			 n;
};

static void
gc_cb(const struct in6_addr *a, uint8_t plen, void *value, void *arg)
{
	struct gc_walk		*w = arg;
	struct ripng_entry	*e = value;
	uint64_t		 gc = w->r->conf->ripng.garbage_s * NS_PER_S;

	(void)a;
	(void)plen;
	if (e->gc_ns != 0 && w->r->now_ns - e->gc_ns >= gc &&
	    w->n < (int)NITEMS(w->dead))
		w->dead[w->n++] = e;
}

static void
rib_timers(struct router *r)
{
	struct gc_walk	 w = { .r = r };

	rtable_walk(r->ripng->rib, expire_cb, r);
	rtable_walk(r->ripng->rib, gc_cb, &w);
	for (int i = 0; i < w.n; i++) {
		r->ripng->stats.routes_deleted++;
		entry_free(r, w.dead[i]);
	}
}

/* Forget neighbours silent for longer than a route would live. */
static void
nbr_timers(struct router *r)
{
	const struct cfg_ripng	*c = &r->conf->ripng;
	uint64_t		 life = (c->timeout_s + c->garbage_s) * NS_PER_S;
	struct ripng_nbr	*n;

	for (int i = 0; i < RIPNG_MAX_NBRS; i++) {
		n = &r->ripng->nbrs[i];
		if (n->used && n->routes == 0 &&
		    r->now_ns - n->last_ns >= life)
			n->used = false;
	}
}

void
ripng_group_changed(struct router *r, struct group *g)
{
	bool	 now;

	if (r->ripng == NULL || (now = group_serving(g)) == g->rip_serving)
		return;
	g->rip_serving = now;
	g->rip_since_ns = r->now_ns;
	g->rip_changed = true;
	log_info("ripng: %s/128 %s", fmt_addr(&g->conf.addr),
	    now ? "advertised" : "withdrawn (metric 16)");
	trigger(r);
}

void
ripng_withdraw(struct router *r, const struct in6_addr *prefix,
    uint8_t plen)
{
	struct ripng	*rp = r->ripng;
	struct withdrawn *w = NULL;

	if (rp == NULL)
		return;
	for (int i = 0; i < MAX_WITHDRAWN; i++)
		if (w == NULL || rp->withdrawn[i].until_ns < w->until_ns)
			w = &rp->withdrawn[i];
	w->prefix = *prefix;
	w->plen = plen;
	w->until_ns = r->now_ns + r->conf->ripng.garbage_s * NS_PER_S;
	w->changed = true;
	trigger(r);
}

void
ripng_route_displaced(struct router *r, struct route *rt)
{
	struct ripng_entry	*e;

	if (r->ripng == NULL ||
	    (e = rtable_exact(r->ripng->rib, &rt->prefix, rt->plen)) == NULL ||
	    e->rt != rt)
		return;
	e->rt = NULL;		/* the caller frees it */
}

/* A member behind another router is as many hops away as RIPng says. */
static void
member_hops(struct router *r, struct group *g)
{
	struct member	*m;
	struct route	*rt;

	for (int i = 0; i < CFG_MAX_MEMBERS; i++) {
		m = &g->members[i];
		if (m->used && !m->remote &&
		    (rt = route_lookup(r, &m->addr)) != NULL &&
		    rt->type == ROUTE_RIPNG && (m->hops != rt->metric ||
		    !m->hops_measured)) {
			m->hops = rt->metric;
			m->hops_measured = true;
			g->maglev_dirty = true;
		}
	}
}

void
ripng_tick(struct router *r)
{
	struct ripng	*rp = r->ripng;

	if (rp == NULL)
		return;
	for (int i = 0; i < r->ngroups; i++)
		if (r->groups[i] != NULL) {
			ripng_group_changed(r, r->groups[i]);
			member_hops(r, r->groups[i]);
		}
	rib_timers(r);
	nbr_timers(r);
	if (rp->request_pending && r->now_ns >= rp->request_after_ns) {
		rp->request_pending = false;
		rp->request_after_ns = r->now_ns + holdoff_ns(r);
		send_request_all(r);
	}
	if (r->now_ns >= rp->next_update_ns) {
		update_all(r, false);
		clear_changed(r);
		rp->trig_pending = false;
		rp->next_update_ns = r->now_ns + jitter(rp, update_ns(r));
		return;
	}
	if (rp->trig_pending && r->now_ns >= rp->trig_after_ns) {
		update_all(r, true);
		clear_changed(r);
		rp->trig_pending = false;
		rp->stats.tx_triggered++;
		rp->trig_after_ns = r->now_ns + holdoff_ns(r);
	}
}

/* Triggered updates are not left for the next tick when none is due. */
void
ripng_flush(struct router *r)
{
	struct ripng	*rp = r->ripng;

	if (rp != NULL && (rp->trig_pending || rp->request_pending) &&
	    r->now_ns >= rp->trig_after_ns)
		ripng_tick(r);
}

/* ---------------------------------------------------------------------- */

static void
free_cb(const struct in6_addr *a, uint8_t plen, void *value, void *arg)
{
	struct router		*r = arg;
	struct ripng_entry	*e = value;

	(void)a;
	(void)plen;
	uninstall(r, e);
	free(e);
}

void
ripng_shutdown(struct router *r)
{
	struct ripng	*rp = r->ripng;
	struct export	 x = { r, NULL, false, true };

	if (rp == NULL)
		return;
	for (int i = 0; i < r->nifaces && !r->pcap_mode; i++) {
		if (!ripng_on(r->ifaces[i]))
			continue;
		x.ifp = r->ifaces[i];
		export(&x);
		if (rp->nout > 0)
			send_msg(r, x.ifp, &ripng_group, RIPNG_PORT,
			    RIPNG_CMD_RESPONSE, rp->out, rp->nout);
	}
	rtable_walk(rp->rib, free_cb, r);
	rtable_free(rp->rib);
	free(rp->out);
	free(rp);
	r->ripng = NULL;
}

/* ---------------------------------------------------------------------- */
/* for the API */

struct walk_arg {
	void	(*fn)(const struct ripng_entry *, void *);
	void	*arg;
};

static void
walk_cb(const struct in6_addr *a, uint8_t plen, void *value, void *arg)
{
	struct walk_arg	*w = arg;

	(void)a;
	(void)plen;
	w->fn(value, w->arg);
}

void
ripng_walk(struct router *r, void (*fn)(const struct ripng_entry *, void *),
    void *arg)
{
	struct walk_arg	 w = { fn, arg };

	if (r->ripng != NULL)
		rtable_walk(r->ripng->rib, walk_cb, &w);
}

const struct ripng_nbr *
ripng_nbrs(const struct router *r, int *n)
{
	*n = r->ripng != NULL ? RIPNG_MAX_NBRS : 0;
	return r->ripng != NULL ? r->ripng->nbrs : NULL;
}

const struct ripng_stats *
ripng_stats(const struct router *r)
{
	return r->ripng != NULL ? &r->ripng->stats : NULL;
}

size_t
ripng_nroutes(const struct router *r)
{
	return r->ripng != NULL ? r->ripng->nroutes : 0;
}

uint64_t
ripng_next_update_ns(const struct router *r)
{
	return r->ripng != NULL ? r->ripng->next_update_ns : 0;
}
