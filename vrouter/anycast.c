/*
 * Anycast groups served by this router (paper 1 §3.1, Table 1): the
 * member table of each group, selection of a member for each new flow,
 * probe-before-forward with fallback to the next best member, the flow
 * table that pins a flow to its member, and the routing header that
 * tells the client which member it reached (§3.5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "addr.h"
#include "pbuf.h"
#include "route.h"
#include "nd.h"
#include "iface.h"
#include "fwd.h"
#include "anycast.h"
#include "router.h"
#include "flow.h"
#include "ripng.h"
#include "ebb.h"

const char *const member_state_names[MS_MAX] = {
#define X(id, name) [MS_##id] = name,
	MEMBER_STATES(X)
#undef X
};

const char *
member_why_name(enum member_why w)
{
	switch (w) {
	case MW_NONE:
		return "none";
	case MW_PROBE:
		return "probe";
	case MW_HEALTH:
		return "health";
	case MW_REPORTS:
		return "reports";
	case MW_ADMIN:
		return "admin";
	case MW_EXPIRED:
		return "expired";
	}
	return "unknown";
}

bool
member_usable(const struct member *m)
{
	return m->used && !m->draining && m->weight > 0 &&
	    (m->state == MS_UP || m->state == MS_JOINING ||
	    m->state == MS_SUSPECT);
}

uint32_t
member_sessions(const struct member *m)
{
	/*
	 * The member's own count lags; the router's count of its live
	 * flows (closed connections excluded) is immediate.  Take the
	 * larger so a burst spreads at once.
	 */
	return m->sessions > m->flows ? m->sessions : m->flows;
}

static void
member_policy_view(const struct member *m, struct policy_member *pm)
{
	struct member_inputs	in;

	memset(pm, 0, sizeof(*pm));
	pm->key = ((uint64_t)m->addr.s6_addr32[2] << 32 |
	    m->addr.s6_addr32[3]) ^ m->addr.s6_addr32[1];
	pm->usable = member_usable(m);
	pm->sessions = member_sessions(m);
	pm->weight = m->weight;
	member_inputs(m, &in);
	pm->hops = in.hops;
	pm->load_pct = in.load_pct;
	pm->bw_mbps = in.bw_mbps;
}

void
member_score(const struct member *m, struct score_parts *sp)
{
	struct policy_member	pm;

	member_policy_view(m, &pm);
	policy_score(&pm, &m->group->pstate.ratios, sp);
}

/*
 * A flow pinned to a member started or stopped being a session: new,
 * closed (FIN both ways, RST) or gone from the table, however it went.
 */
static void
flow_session_changed(const struct flow *f, int delta, void *arg)
{
	struct router	*r = arg;
	struct member	*m;

	if (f->group_id >= (uint32_t)r->ngroups || r->groups[f->group_id] == NULL)
		return;
	if ((m = member_by_id(r->groups[f->group_id], f->member)) == NULL)
		return;
	if (delta > 0)
		m->flows++;
	else if (m->flows > 0)
		m->flows--;
}

/* The flow table passed its high-water mark, or drained below the low. */
static void
flow_flood_changed(bool on, size_t count, void *arg)
{
	struct router	*r = arg;

	if (on)
		log_warnx("flows: %zu of %u: flood mode, new flows no longer "
		    "displace established ones", count,
		    flow_capacity(r->flows));
	else
		log_info("flows: %zu of %u: flood mode over", count,
		    flow_capacity(r->flows));
}

void
anycast_init(struct router *r)
{
	const struct cfg_flows	*cf = &r->conf->flows;
	struct flow_timeouts	 to = {
		.syn_ms = cf->syn_ms, .established_ms = cf->established_ms,
		.fin_ms = cf->fin_ms, .udp_ms = cf->udp_ms,
		.other_ms = cf->other_ms,
	};

	r->anycast = rtable_new();
	r->flows = flow_table_new(cf->max, &to);
	flow_set_session_cb(r->flows, flow_session_changed, r);
	flow_set_flood_cb(r->flows, flow_flood_changed, r);
	if (flow_set_flood(r->flows, cf->high_water_pct, cf->low_water_pct) ==
	    -1)
		fatalx("%s: bad flow table water marks", __func__);
	recover_init(r);
	tb_init(&r->unreach_rl, r->conf->icmp_rate, r->conf->icmp_burst,
	    r->now_ns);
}

void
anycast_shutdown(struct router *r)
{
	for (int i = 0; i < r->ngroups; i++)
		if (r->groups[i] != NULL)
			group_del(r, &r->groups[i]->conf.addr);
	recover_shutdown(r);
	if (r->flows != NULL)
		flow_table_free(r->flows);
	r->flows = NULL;
	if (r->anycast != NULL)
		rtable_free(r->anycast);
	r->anycast = NULL;
}

struct group *
group_find(struct router *r, const struct in6_addr *a)
{
	return rtable_exact(r->anycast, a, 128);
}

int
group_add(struct router *r, const struct cfg_group *c, char *err,
    size_t errlen)
{
	struct group	*g;
	int		 slot = -1;

	if (group_find(r, &c->addr) != NULL) {
		snprintf(err, errlen, "group %s exists", fmt_addr(&c->addr));
		return -1;
	}
	if (router_local_addr(r, &c->addr) != NULL) {
		snprintf(err, errlen, "%s is an interface address",
		    fmt_addr(&c->addr));
		return -1;
	}
	for (int i = 0; i < r->ngroups; i++)
		if (r->groups[i] == NULL) {
			slot = i;
			break;
		}
	if (slot == -1) {
		if (r->ngroups >= CFG_MAX_GROUPS) {
			snprintf(err, errlen, "too many groups");
			return -1;
		}
		slot = r->ngroups++;
	}
	g = xcalloc(1, sizeof(*g));
	g->id = (uint32_t)slot;
	g->conf = *c;
	g->conf.nmembers = 0;
	g->next_member_id = 1;
	if (policy_state_init(&g->pstate, c->policy, 0x5eed0000u + g->id) ==
	    -1) {
		free(g);
		snprintf(err, errlen, "bad policy");
		return -1;
	}
	group_profile_init(r, g);
	g->maglev_dirty = true;
	r->groups[slot] = g;
	rtable_insert(r->anycast, &c->addr, 128, g);
	for (int i = 0; i < c->nmembers; i++) {
		if (member_add(r, g, &c->members[i], true, err, errlen) ==
		    NULL) {
			group_del(r, &c->addr);
			return -1;
		}
	}
	log_info("%s: %s%s%s policy %s, rh %s", __func__, fmt_addr(&c->addr),
	    c->name[0] ? " name " : "", c->name, policy_name(c->policy),
	    rh_mode_name(c->rh_mode));
	return 0;
}

int
group_del(struct router *r, const struct in6_addr *a)
{
	struct group	*g;

	if ((g = group_find(r, a)) == NULL)
		return -1;
	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		if (g->members[i].used)
			member_del(r, &g->members[i]);
	flow_flush(r->flows, g->id);
	recover_group_gone(r, g);
	ebb_group_gone(r, g);
	if (g->rip_serving && r->conf->ripng.export_anycast)
		ripng_withdraw(r, a, 128);
	rtable_remove(r->anycast, a, 128);
	r->groups[g->id] = NULL;
	policy_state_free(&g->pstate);
	free(g);
	return 0;
}

bool
group_serving(const struct group *g)
{
	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		if (member_usable(&g->members[i]) && !g->members[i].remote)
			return true;
	return false;
}

int
group_set_policy(struct router *r, struct group *g, enum policy_kind k)
{
	(void)r;
	if (policy_state_set_kind(&g->pstate, k) == -1)
		return -1;
	g->conf.policy = k;
	g->maglev_dirty = true;
	return 0;
}

struct member *
member_find(struct group *g, const struct in6_addr *a)
{
	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		if (g->members[i].used &&
		    IN6_ARE_ADDR_EQUAL(&g->members[i].addr, a))
			return &g->members[i];
	return NULL;
}

struct member *
member_by_id(struct group *g, uint32_t id)
{
	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		if (g->members[i].used && g->members[i].id == id)
			return &g->members[i];
	return NULL;
}

static int
group_nmembers(const struct group *g)
{
	int	n = 0;

	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		n += g->members[i].used;
	return n;
}

struct member *
member_add(struct router *r, struct group *g, const struct cfg_member *c,
    bool is_static, char *err, size_t errlen)
{
	struct member	*m = NULL;
	struct iface	*ifp = NULL;
	struct route	*rt;

	if (member_find(g, &c->addr) != NULL) {
		snprintf(err, errlen, "member %s exists", fmt_addr(&c->addr));
		return NULL;
	}
	if ((uint32_t)group_nmembers(g) >= g->conf.max_members) {
		snprintf(err, errlen, "group %s is full",
		    fmt_addr(&g->conf.addr));
		return NULL;
	}
	if (c->iface[0] != '\0') {
		if ((ifp = iface_find(r, c->iface)) == NULL) {
			snprintf(err, errlen, "no interface \"%s\"", c->iface);
			return NULL;
		}
	} else if ((rt = route_lookup(r, &c->addr)) != NULL) {
		ifp = rt->ifp;
		if (rt->has_gw && g->conf.rh_mode != RH_MODE_SRH)
			log_warnx("%s: %s is not on-link: only rh_mode srh "
			    "reaches it", __func__, fmt_addr(&c->addr));
	} else {
		snprintf(err, errlen, "no route to member %s",
		    fmt_addr(&c->addr));
		return NULL;
	}
	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		if (!g->members[i].used) {
			m = &g->members[i];
			break;
		}
	if (m == NULL) {
		snprintf(err, errlen, "group %s is full",
		    fmt_addr(&g->conf.addr));
		return NULL;
	}
	memset(m, 0, sizeof(*m));
	m->used = true;
	m->group = g;
	m->id = g->next_member_id++;
	m->addr = c->addr;
	m->ifp = ifp;
	m->is_static = is_static;
	m->state = MS_JOINING;
	m->state_ns = r->now_ns;
	m->health = true;
	m->weight = c->weight;
	m->hops = c->hops;
	m->bandwidth = c->bandwidth;
	m->capacity = c->capacity;
	m->load_pct = c->load;
	m->report_ms = g->conf.report_ms;
	m->last_report_ns = r->now_ns;
	m->backoff_ms = g->conf.probe.retest_ms;
	m->next_bg_ns = r->now_ns;	/* probe it at the next tick */
	g->maglev_dirty = true;
	policy_state_reset(&g->pstate);
	log_info("%s: group %s member %s on %s (%s)", __func__,
	    fmt_addr(&g->conf.addr), fmt_addr(&m->addr), ifp->name,
	    is_static ? "static" : "joined");
	return m;
}

static void
member_drop_parked(struct router *r, struct member *m)
{
	struct pbuf	*pb, *next;

	for (pb = m->qhead; pb != NULL; pb = next) {
		next = pb->next;
		m->group->stats.pending_dropped++;
		m->group->pending--;
		pbuf_free(pb);
	}
	(void)r;
	m->qhead = m->qtail = NULL;
	m->qlen = 0;
}

void
member_del(struct router *r, struct member *m)
{
	struct group	*g = m->group;

	log_info("%s: group %s member %s", __func__, fmt_addr(&g->conf.addr),
	    fmt_addr(&m->addr));
	member_drop_parked(r, m);
	flow_flush_member(r->flows, g->id, m->id);
	if (m->last_seq != 0) {
		/* A JOIN captured before it left must not bring it back. */
		g->left[g->left_next].addr = m->addr;
		g->left[g->left_next].seq = m->last_seq;
		g->left_next = (g->left_next + 1) % CFG_MAX_MEMBERS;
	}
	m->used = false;
	g->maglev_dirty = true;
	policy_state_reset(&g->pstate);
	ripng_group_changed(r, g);
}

void
member_set_state(struct router *r, struct member *m, enum member_state s,
    enum member_why why)
{
	if (m->state == s)
		return;
	log_info("%s: group %s member %s: %s -> %s (%s)", __func__,
	    fmt_addr(&m->group->conf.addr), fmt_addr(&m->addr),
	    member_state_names[m->state], member_state_names[s],
	    member_why_name(why));
	if (s == MS_DOWN) {
		m->why = why;
		m->backoff_ms = m->group->conf.probe.retest_ms;
		m->retest_ns = r->now_ns + m->backoff_ms * 1000000ull;
	} else if (s == MS_UP)
		m->why = MW_NONE;
	m->state = s;
	m->state_ns = r->now_ns;
	m->group->maglev_dirty = true;
	ripng_group_changed(r, m->group);
}

/* The policy's view of the group: the used members, compacted. */
static size_t
group_view(struct group *g, struct policy_member *pm, struct member **map,
    bool need_maglev)
{
	size_t	n = 0;

	for (int i = 0; i < CFG_MAX_MEMBERS; i++) {
		if (!g->members[i].used)
			continue;
		member_policy_view(&g->members[i], &pm[n]);
		map[n++] = &g->members[i];
	}
	if ((g->maglev_dirty || g->pstate.maglev == NULL) && n > 0 &&
	    (need_maglev || g->pstate.kind == POLICY_MAGLEV)) {
		/* Rebuilt on membership or state changes, not per packet. */
		if (policy_maglev_build(&g->pstate, pm, n) == 0)
			g->maglev_dirty = false;
	}
	return n;
}

/*
 * Pick a member for a new flow among the usable ones (or, with
 * consistent set, the maglev choice whatever the policy).  NULL when
 * none is usable.
 */
static struct member *
group_select(struct group *g, uint64_t hash, bool consistent)
{
	struct policy_member	 pm[CFG_MAX_MEMBERS];
	struct member		*map[CFG_MAX_MEMBERS];
	size_t			 n;
	int			 i;

	if ((n = group_view(g, pm, map, consistent)) == 0)
		return NULL;
	if (consistent)
		i = policy_maglev_lookup(&g->pstate, pm, n, hash);
	else
		i = policy_select(&g->pstate, pm, n, hash);
	return i < 0 ? NULL : map[i];
}

static void	 deliver_flow(struct router *, struct member *, struct flow *,
		    struct pbuf *, const struct pkt *, bool);
static void	 guess(struct router *, struct group *, struct pbuf *,
		    const struct pkt *, uint64_t);

/*
 * With "udp_pin" off, a UDP datagram to the group and the member's
 * answer to it are a flow of their own, told apart by the first two
 * bytes of the payload (a DNS message's ID): every query is a new
 * choice, and a member's sessions are its queries in flight.
 */
static void
flow_key_tag(const struct group *g, const struct pbuf *pb,
    const struct pkt *p, struct flow_key *k)
{
	const uint8_t	*u = pb->data + p->l4_off;

	if (g->conf.udp_pin || p->proto != IPPROTO_UDP_ || p->l4_len < 10)
		return;
	k->tag = FLOW_TAG_DATAGRAM | (uint32_t)(u[8] << 8 | u[9]);
}

static void
flow_key_of(const struct group *g, const struct pbuf *pb,
    const struct pkt *p, bool reply, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->client = reply ? p->dst : p->src;
	k->group = reply ? p->src : p->dst;
	k->proto = p->proto;
	if (p->proto == IPPROTO_TCP_ || p->proto == IPPROTO_UDP_) {
		k->cport = reply ? p->dport : p->sport;
		k->gport = reply ? p->sport : p->dport;
	} else if (p->proto == IPPROTO_ICMPV6_ && p->l4_len >= 8 &&
	    (p->icmp_type == ICMP6_ECHO_REQUEST_ ||
	    p->icmp_type == ICMP6_ECHO_REPLY_)) {
		const uint8_t *icmp = pb->data + p->l4_off;

		k->cport = (uint16_t)(icmp[4] << 8 | icmp[5]);
	}
	flow_key_tag(g, pb, p, k);
}

/*
 * No member here can be chosen: on to another site's, along the route
 * RIPng learned for the group's address (paper 1 §3.1).  False when
 * there is none.
 */
static bool
anycast_reroute(struct router *r, struct group *g, struct pbuf *pb,
    const struct pkt *p)
{
	struct route	*rt;
	struct pkt	 q;

	if (r->ripng == NULL)
		return false;
	rt = route_lookup(r, &p->dst);
	if (rt == NULL || rt->type != ROUTE_RIPNG || rt->ifp == pb->in)
		return false;
	g->stats.rerouted++;
	q = *p;
	forward(r, pb->in, pb, &q);
	return true;
}

static void
anycast_unreachable(struct router *r, struct group *g, struct pbuf *pb,
    const struct pkt *p)
{
	if (anycast_reroute(r, g, pb, p))
		return;
	if (tb_take(&r->unreach_rl, r->now_ns)) {
		g->stats.unreachables++;
		icmp6_error(r, pb->in, pb, p, ICMP6_DST_UNREACH_,
		    ICMP6_DST_UNREACH_ADDR_, 0);
	}
	iface_count_drop(pb->in, DROP_ADDR_UNREACH);
	pbuf_free(pb);
}

static void
member_park(struct router *r, struct member *m, struct pbuf *pb)
{
	struct group	*g = m->group;

	if (g->pending >= g->conf.probe.pending_max) {
		g->stats.pending_dropped++;
		iface_count_drop(pb->in, DROP_NO_BUFFER);
		pbuf_free(pb);
		return;
	}
	pbuf_append(&m->qhead, &m->qtail, pb);
	m->qlen++;
	g->pending++;
	if (!m->probing)
		probe_send(r, m);
}

/* Choose a member for a packet with no flow, probing first if needed. */
static void
anycast_dispatch(struct router *r, struct group *g, struct pbuf *pb,
    const struct pkt *p, uint64_t hash)
{
	struct member	*m;

	/*
	 * In flood mode a new flow may get no entry, or lose it before
	 * its handshake ends: the consistent choice finds it again.
	 */
	if ((m = group_select(g, hash, flow_flood(r->flows))) == NULL) {
		anycast_unreachable(r, g, pb, p);
		return;
	}
	/*
	 * A flood would keep the probe queue full, and legitimate SYNs
	 * with it: in flood mode the background probes are trusted.
	 */
	if (member_fresh(r, m) || flow_flood(r->flows))
		anycast_deliver(r, m, pb);
	else
		member_park(r, m, pb);
}

void
anycast_input(struct router *r, struct iface *ifp, struct group *g,
    struct pbuf *pb, const struct pkt *p)
{
	struct flow_key	 k;
	struct flow	*f;
	struct member	*m;
	uint64_t	 hash;

	g->stats.packets++;
	if (p->hlim <= 1) {
		icmp6_error(r, ifp, pb, p, ICMP6_TIME_EXCEEDED_,
		    ICMP6_TIME_EXCEED_TRANSIT_, 0);
		iface_count_drop(ifp, DROP_HLIM_EXCEEDED);
		pbuf_free(pb);
		return;
	}
	flow_key_of(g, pb, p, false, &k);
	if ((f = flow_lookup(r->flows, &k, r->now_ns)) != NULL) {
		m = member_by_id(g, f->member);
		/*
		 * A down member keeps its TCP connections, but a new SYN on
		 * the 4-tuple of an old one (a client port used again) is a
		 * new connection: chosen again, not sent to a dead member.
		 */
		if (m != NULL && (m->state != MS_DOWN ||
		    (p->proto == IPPROTO_TCP_ && (p->tcp_flags &
		    (FLOW_TCP_SYN | FLOW_TCP_ACK)) != FLOW_TCP_SYN))) {
			deliver_flow(r, m, f, pb, p, false);
			return;
		}
		flow_remove(r->flows, f);	/* member gone: choose again */
	}
	if (!g->rip_serving && !g->conf.ebb && anycast_reroute(r, g, pb, p))
		return;			/* nobody here to ask or to choose */
	hash = flow_hash(&k);
	if (p->proto == IPPROTO_TCP_ &&
	    (p->tcp_flags & (FLOW_TCP_SYN | FLOW_TCP_ACK)) != FLOW_TCP_SYN) {
		/*
		 * Mid-connection with no entry (e.g. after a restart): the
		 * members are asked who holds it; parked meanwhile.
		 */
		if (!recover_park(r, g, pb, &k))
			guess(r, g, pb, p, hash);
		return;
	}
	g->stats.new_flows++;
	if (g->conf.ebb && ebb_request(r, g, pb))
		return;			/* parked for a discovery */
	anycast_dispatch(r, g, pb, p, hash);
}

/* The consistent-hash choice: the best guess, never a drop. */
static void
guess(struct router *r, struct group *g, struct pbuf *pb,
    const struct pkt *p, uint64_t hash)
{
	struct member	*m;

	g->stats.no_flow_maglev++;
	if ((m = group_select(g, hash, true)) == NULL) {
		anycast_unreachable(r, g, pb, p);
		return;
	}
	anycast_deliver(r, m, pb);
}

/* A parked packet back to a choice: the consistent hash or the policy. */
static void
redispatch(struct router *r, struct group *g, struct pbuf *pb,
    bool consistent)
{
	struct pkt	 p;
	struct flow_key	 k;

	if (pkt_parse(pb->data, pb->len, &p) != DROP_NONE) {
		iface_count_drop(pb->in, DROP_TRUNC_IPV6);
		pbuf_free(pb);
		return;
	}
	flow_key_of(g, pb, &p, false, &k);
	if (consistent)
		guess(r, g, pb, &p, flow_hash(&k));
	else
		anycast_dispatch(r, g, pb, &p, flow_hash(&k));
}

void
anycast_guess(struct router *r, struct group *g, struct pbuf *pb)
{
	redispatch(r, g, pb, true);
}

void
anycast_redispatch(struct router *r, struct group *g, struct pbuf *pb)
{
	redispatch(r, g, pb, false);
}

/* Insert the routing header of the group's mode; false if it can't. */
static bool
insert_rh(struct router *r, struct pbuf *pb, const struct pkt *p,
    enum rh_mode mode, const struct in6_addr *u, uint32_t mtu,
    bool to_client)
{
	size_t	extra = rthdr_len(mode);
	/* TCP segments shrink to make room; UDP datagrams grow. */
	bool	tso = pb->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
		    VNET_GSO_KIND(&pb->vnet) != VIRTIO_NET_HDR_GSO_UDP_L4;

	(void)r;
	if (extra == 0)
		return true;
	if (!tso && wire_ip_size(pb, p) + extra > mtu)
		return false;
	if (to_client && mode == RH_MODE_SRH)
		mode = RH_MODE_EXP;	/* towards the client: as exp */
	return rthdr_insert(&pb->data, &pb->len,
	    (size_t)(pb->data - pb->mem), &pb->vnet, mode, u) >= 0;
}

/*
 * Send a packet of flow f on to its member: the routing header on the
 * first packet (on every packet for an srh member beyond a gateway), the
 * hop limit, the next hop towards U.  f is NULL for a flow the table
 * had no room for in flood mode: a SYN is then its first packet.
 */
static void
deliver_flow(struct router *r, struct member *m, struct flow *f,
    struct pbuf *pb, const struct pkt *p, bool first)
{
	struct group		*g = m->group;
	struct route		*rt;
	const struct in6_addr	*nh = &m->addr;
	struct iface		*out = m->ifp;
	/* A member behind another router (E-BB) is reached by its U. */
	enum rh_mode		 mode = m->remote ? RH_MODE_SRH :
				    g->conf.rh_mode;
	bool			 rh_done;

	if (f != NULL)
		flow_update(r->flows, f, FLOW_DIR_TO_MEMBER,
		    p->proto == IPPROTO_TCP_ ? p->tcp_flags : 0, p->ip_len,
		    r->now_ns);
	rh_done = f != NULL ? f->rh_to_member_done : p->proto != IPPROTO_TCP_;
	m->stats.packets++;
	m->stats.bytes += p->ip_len;

	if ((rt = route_lookup(r, &m->addr)) != NULL) {
		out = rt->ifp;
		if (rt->has_gw)
			nh = &rt->gw;
	}
	/*
	 * The first packet of a flow (a SYN for TCP) says who answers.  In
	 * srh mode a member beyond a gateway needs the header on every
	 * packet: the routers on the way route on U, not on A.
	 */
	if (mode != RH_MODE_NONE && p->rh_off == 0 &&
	    ((!rh_done && (p->proto != IPPROTO_TCP_ ||
	    (p->tcp_flags & FLOW_TCP_SYN))) ||
	    (mode == RH_MODE_SRH && rt != NULL && rt->has_gw))) {
		if (!insert_rh(r, pb, p, mode, &m->addr, out->mtu,
		    false)) {
			g->stats.rh_too_big++;
			icmp6_error(r, pb->in, pb, p, ICMP6_PACKET_TOO_BIG_, 0,
			    out->mtu - (uint32_t)rthdr_len(mode));
			iface_count_drop(pb->in, DROP_TOO_BIG);
			if (first && f != NULL)
				flow_remove(r->flows, f);	/* never began */
			pbuf_free(pb);
			return;
		}
		g->stats.rh_inserted++;
	}
	if (f != NULL)
		f->rh_to_member_done = true;
	pb->data[p->l3_off + 7] = p->hlim - 1;
	nd_output(r, out, nh, pb);
}

void
anycast_deliver(struct router *r, struct member *m, struct pbuf *pb)
{
	struct group	*g = m->group;
	struct flow_key	 k;
	struct flow	*f;
	struct pkt	 p;
	bool		 first = false;

	if (pkt_parse(pb->data, pb->len, &p) != DROP_NONE) {
		iface_count_drop(pb->in, DROP_TRUNC_IPV6);
		pbuf_free(pb);
		return;
	}
	flow_key_of(g, pb, &p, false, &k);
	if ((f = flow_lookup(r->flows, &k, r->now_ns)) == NULL ||
	    f->group_id != g->id || f->member != m->id) {
		if (f != NULL)
			flow_remove(r->flows, f);
		f = flow_insert(r->flows, &k, g->id, m->id, r->now_ns);
		m->stats.selections++;
		g->stats.selections++;
		first = true;
	}
	deliver_flow(r, m, f, pb, &p, first);
}

void
anycast_reply(struct router *r, struct group *g, struct pbuf *pb,
    struct pkt *p)
{
	struct flow_key	 k;
	struct flow	*f;
	struct member	*m;
	struct route	*rt;
	int		 extra;

	flow_key_of(g, pb, p, true, &k);
	if ((f = flow_lookup(r->flows, &k, r->now_ns)) == NULL)
		return;
	flow_update(r->flows, f, FLOW_DIR_TO_CLIENT,
	    p->proto == IPPROTO_TCP_ ? p->tcp_flags : 0, p->ip_len, r->now_ns);
	if (k.tag != 0) {
		flow_remove(r->flows, f);	/* the datagram's answer */
		return;
	}
	if (f->rh_to_client_done)
		return;
	f->rh_to_client_done = true;
	if (p->rh_off != 0 || g->conf.rh_mode == RH_MODE_NONE ||
	    (m = member_by_id(g, f->member)) == NULL)
		return;		/* the member said it itself, or no header */
	if ((rt = route_lookup(r, &p->dst)) == NULL)
		return;
	extra = (int)(pb->len);
	if (!insert_rh(r, pb, p, g->conf.rh_mode, &m->addr, rt->ifp->mtu,
	    true)) {
		g->stats.rh_too_big++;	/* sent on without the header */
		return;
	}
	extra = (int)pb->len - extra;
	p->ip_len += (uint32_t)extra;
	p->l4_off += (uint32_t)extra;
	g->stats.rh_to_client++;
}

void
anycast_probe_done(struct router *r, struct member *m, bool ok)
{
	struct group		*g = m->group;
	const struct cfg_probe	*pc = &g->conf.probe;
	struct pbuf		*pb, *next;
	struct pkt		 p;
	struct flow_key		 k;

	if (ok) {
		m->last_ok_ns = r->now_ns;
		m->ok_streak++;
		m->fail_streak = 0;
		m->stats.probes_ok++;
		/* Alive again: confirm quickly rather than after a backoff. */
		m->backoff_ms = pc->retest_ms;
		m->retest_ns = r->now_ns + pc->retest_ms * 1000000ull;
		if (m->health && m->state != MS_UP &&
		    (m->state != MS_DOWN || (m->ok_streak >= pc->rise &&
		    m->why != MW_HEALTH && m->why != MW_REPORTS)))
			member_set_state(r, m, MS_UP, MW_NONE);
	} else {
		m->fail_streak++;
		m->ok_streak = 0;
		m->stats.probes_lost++;
		g->stats.probes_lost++;
		/* Traffic waiting on it: down at once, as paper 1 says. */
		if (m->qhead != NULL || m->fail_streak >= pc->fall ||
		    m->state == MS_JOINING)
			member_set_state(r, m, MS_DOWN, MW_PROBE);
		else if (m->state == MS_UP)
			member_set_state(r, m, MS_SUSPECT, MW_PROBE);
	}

	pb = m->qhead;
	m->qhead = m->qtail = NULL;
	g->pending -= m->qlen;
	m->qlen = 0;
	for (; pb != NULL; pb = next) {
		next = pb->next;
		pb->next = NULL;
		if (ok && member_usable(m)) {
			anycast_deliver(r, m, pb);
			continue;
		}
		/* Try the next best member. */
		if (pkt_parse(pb->data, pb->len, &p) != DROP_NONE) {
			pbuf_free(pb);
			continue;
		}
		g->stats.fallbacks++;
		flow_key_of(g, pb, &p, false, &k);
		anycast_dispatch(r, g, pb, &p, flow_hash(&k));
	}
}

void
anycast_tick(struct router *r)
{
	flow_expire(r->flows, r->now_ns, 4096);
	recover_tick(r);
	probe_tick(r);
	member_ctl_tick(r);
	anycast_score_tick(r);
}
