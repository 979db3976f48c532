/*
 * The E-BB's messages between neighbouring routers (docs/ebb.md): UDP
 * port 5300 from a link-local address with hop limit 255, DISCOVERs
 * flooded to ff02::1:5300 on every interface with the E-BB, every other
 * message unicast to the neighbour that is the next router of its path.
 * Each message is tagged by its sender with the region key and checked
 * by the receiver: length, tag, then the sender's last sequence number
 * (per link-local sender), then the fields.
 *
 * A DISCOVER is flooded on once per (origin, request id), with this
 * router appended to its path, its hop count and the narrowest residual
 * bandwidth of the links it crossed; a router with members of the group
 * answers for each (step 5), and ANSWERs go back hop by hop along the
 * path they carry.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

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
#include "ebb.h"

#define NS_PER_MS		1000000ull

static const struct in6_addr ebb_group = EBB_GROUP_INIT;

static bool
addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

bool
ebb_on(const struct iface *ifp)
{
	const struct router	*r = ifp->router;

	if (r->ebb == NULL)
		return false;
	if (ifp->conf.ebb != -1)
		return ifp->conf.ebb == 1;
	return ripng_on(ifp);
}

/* The configured router id, else the first global address. */
static void
pick_router_id(struct router *r, struct in6_addr *id)
{
	*id = r->conf->ebb.router_id;
	for (int i = 0; i < r->nifaces && IN6_IS_ADDR_UNSPECIFIED(id); i++)
		for (int j = 1; j < r->ifaces[i]->naddrs; j++)
			if (!IN6_IS_ADDR_LINKLOCAL(&r->ifaces[i]->addrs[j].addr)) {
				*id = r->ifaces[i]->addrs[j].addr;
				break;
			}
}

static void
disc_timer_cb(int fd, short ev, void *arg)
{
	struct ebb_disc	*d = arg;

	(void)fd;
	(void)ev;
	router_clock(d->router);
	ebb_disc_timer(d->router, d);
}

void
ebb_init(struct router *r)
{
	const struct cfg_ebb	*c = &r->conf->ebb;
	struct ebb		*e;

	if (!c->enabled)
		return;
	e = xcalloc(1, sizeof(*e));
	e->cache = xcalloc(EBB_CACHE_MAX, sizeof(*e->cache));
	e->resv = xcalloc(EBB_RESV_MAX, sizeof(*e->resv));
	for (int i = 0; i < c->nkeys && i < (int)EBB_MAX_KEYS; i++) {
		e->keys[i].id = c->keys[i].id;
		memcpy(e->keys[i].key, c->keys[i].key, EBB_KEY_LEN);
		e->nkeys++;
	}
	pick_router_id(r, &e->router_id);
	/* Request ids differ from one start to the next (not in fixtures). */
	e->next_id = r->pcap_mode ? 0 : (uint32_t)(mono_ns() >> 10);
	for (size_t i = 0; i < EBB_MAX_GROUPS; i++) {
		e->disc[i].router = r;
		if (!r->pcap_mode && r->base != NULL)
			e->disc[i].ev = event_new(r->base, -1, 0,
			    disc_timer_cb, &e->disc[i]);
	}
	r->ebb = e;
	log_info("%s: router id %s, wait %u ms, cache %u ms, reserve %u "
	    "kbit for %u ms", __func__, fmt_addr(&e->router_id), c->wait_ms,
	    c->cache_lifetime_ms, c->reserve_kbit, c->reserve_ms);
}

void
ebb_shutdown(struct router *r)
{
	struct ebb	*e = r->ebb;

	if (e == NULL)
		return;
	for (size_t i = 0; i < EBB_MAX_GROUPS; i++) {
		pbuf_free_chain(e->disc[i].qhead);
		if (e->disc[i].ev != NULL)
			event_free(e->disc[i].ev);
	}
	for (int i = 0; i < r->nifaces; i++)
		r->ifaces[i]->reserved_kbit = 0;
	free(e->cache);
	free(e->resv);
	free(e);
	r->ebb = NULL;
}

uint32_t
ebb_next_id(struct router *r)
{
	if (++r->ebb->next_id == 0)
		r->ebb->next_id = 1;
	return r->ebb->next_id;
}

/* ---------------------------------------------------------------------- */
/* sending */

int
ebb_send(struct router *r, struct iface *ifp, const struct in6_addr *dst,
    struct ebb_msg *m)
{
	struct ebb	*e = r->ebb;
	struct pbuf	*pb;
	uint8_t		*ip6;
	int		 n;

	if ((pb = pbuf_alloc()) == NULL) {
		e->stats.tx_errors++;
		return -1;
	}
	m->sender = e->router_id;
	m->seq = member_ctl_next_seq(r);
	ip6 = pb->data + ETH_HLEN_;
	if ((n = ebb_encode(m, &e->keys[0], &ifp->lladdr, ip6 + 48,
	    EBB_MAX_LEN)) < 0) {
		log_warnx("%s: cannot encode %s", __func__,
		    ebb_type_name(m->type));
		e->stats.tx_errors++;
		pbuf_free(pb);
		return -1;
	}
	pb->len = ETH_HLEN_ + (uint32_t)udp6_finish(ip6, &ifp->lladdr,
	    dst != NULL ? dst : &ebb_group, EBB_HOP_LIMIT, EBB_PORT, EBB_PORT,
	    (size_t)n);
	pb->in = ifp;
	e->stats.tx_messages++;
	ip6_output(r, pb);
	return 0;
}

struct ebb_nbr *
ebb_nbr_by_id(struct router *r, const struct in6_addr *id)
{
	struct ebb_nbr	*n, *best = NULL;

	for (int i = 0; i < EBB_MAX_NBRS; i++) {
		n = &r->ebb->nbrs[i];
		if (n->used && ebb_on(n->ifp) && addr_eq(&n->router_id, id) &&
		    (best == NULL || n->last_ns > best->last_ns))
			best = n;
	}
	return best;
}

int
ebb_send_to(struct router *r, struct ebb_msg *m, int pos)
{
	struct ebb_nbr	*n;

	if (pos < 0 || pos >= m->npath ||
	    (n = ebb_nbr_by_id(r, &m->path[pos])) == NULL) {
		r->ebb->stats.no_neighbour++;
		return -1;
	}
	return ebb_send(r, n->ifp, &n->lladdr, m);
}

int
ebb_path_pos(const struct router *r, const struct ebb_msg *m)
{
	for (int i = 0; i < m->npath; i++)
		if (addr_eq(&m->path[i], &r->ebb->router_id))
			return i;
	return -1;
}

/*
 * A DISCOVER on to every interface with the E-BB but the one it came
 * in on: one more link crossed, the link's residual bandwidth taken.
 */
void
ebb_flood(struct router *r, const struct ebb_msg *m, struct iface *in)
{
	struct ebb_msg	 c;
	uint32_t	 res;

	for (int i = 0; i < r->nifaces; i++) {
		if (r->ifaces[i] == in || !ebb_on(r->ifaces[i]))
			continue;
		c = *m;
		c.hops = (uint8_t)(m->hops + 1);
		res = iface_residual_mbit(r->ifaces[i]);
		if (res < c.bw_mbit)
			c.bw_mbit = res;
		if (ebb_send(r, r->ifaces[i], NULL, &c) == 0 && in != NULL)
			r->ebb->stats.discoveries_forwarded++;
	}
}

/* ---------------------------------------------------------------------- */
/* receiving */

/* The neighbour (ifp, lladdr), made when new; the oldest one replaced. */
static struct ebb_nbr *
nbr_get(struct router *r, struct iface *ifp, const struct in6_addr *a)
{
	struct ebb_nbr	*n, *victim = NULL;

	for (int i = 0; i < EBB_MAX_NBRS; i++) {
		n = &r->ebb->nbrs[i];
		if (n->used && n->ifp == ifp && addr_eq(&n->lladdr, a))
			return n;
		if (victim == NULL || !n->used || (victim->used &&
		    n->last_ns < victim->last_ns))
			victim = n;
	}
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->ifp = ifp;
	victim->lladdr = *a;
	victim->first_ns = r->now_ns;
	return victim;
}

/* Step 5: an ANSWER for each member here that can be chosen. */
static void
answer(struct router *r, const struct ebb_msg *d)
{
	struct group	*g;
	struct member	*m;
	struct ebb_msg	 a;
	uint32_t	 res;

	if ((g = group_find(r, &d->group)) == NULL)
		return;
	for (int i = 0; i < CFG_MAX_MEMBERS; i++) {
		m = &g->members[i];
		if (!member_usable(m) || m->remote)
			continue;
		a = *d;
		a.type = EBB_ANSWER;
		a.hops = (uint8_t)(d->hops + 1);	/* the member's link */
		res = iface_residual_mbit(m->ifp);
		if (res < a.bw_mbit)
			a.bw_mbit = res;
		a.server = m->addr;
		a.load_pct = (uint8_t)(m->load_pct > 100 ? 100 : m->load_pct);
		if (ebb_send_to(r, &a, a.npath - 2) == 0)
			r->ebb->stats.answers_sent++;
	}
}

static void
discover_in(struct router *r, struct iface *ifp, const struct ebb_msg *m)
{
	struct ebb	*e = r->ebb;
	struct ebb_msg	 d;
	uint32_t	 res;

	if (addr_eq(&m->origin, &e->router_id) ||
	    ebb_path_has(m->path, m->npath, &e->router_id) ||
	    m->npath == 0 || !addr_eq(&m->path[m->npath - 1], &m->sender)) {
		e->stats.loops++;
		return;
	}
	if (ebb_seen_check(e->seen, EBB_SEEN_MAX, &e->seen_next, &m->origin,
	    m->req_id, r->now_ns, EBB_SEEN_MS * NS_PER_MS)) {
		e->stats.duplicates++;
		return;
	}
	if (m->npath >= EBB_MAX_PATH || m->hops >= EBB_MAX_PATH) {
		e->stats.loops++;	/* no room for this router */
		return;
	}
	e->stats.discover_in++;
	d = *m;
	d.path[d.npath++] = e->router_id;
	res = iface_residual_mbit(ifp);
	if (res < d.bw_mbit)
		d.bw_mbit = res;
	answer(r, &d);
	if (d.npath < EBB_MAX_PATH && d.hops + 1 < EBB_MAX_PATH)
		ebb_flood(r, &d, ifp);
}

static void
answer_relay(struct router *r, struct ebb_msg *m)
{
	int	 pos = ebb_path_pos(r, m);

	if (pos == 0) {
		ebb_answer_in(r, m);
		return;
	}
	if (pos < 0 || pos >= m->npath - 1) {
		r->ebb->stats.rx_unexpected++;
		return;
	}
	if (ebb_send_to(r, m, pos - 1) == 0)
		r->ebb->stats.answers_relayed++;
}

void
ebb_input(struct router *r, struct iface *ifp, const struct pbuf *pb,
    const struct pkt *p)
{
	struct ebb	*e = r->ebb;
	struct ebb_nbr	*n;
	struct ebb_msg	 m;
	enum ebb_err	 err;
	const uint8_t	*udp;

	if (e == NULL || !ebb_on(ifp)) {
		if (e != NULL)
			e->stats.rx_disabled++;
		iface_count_drop(ifp, DROP_UNSUPPORTED);
		return;
	}
	if (!udp_payload_ok(ifp, pb, p))
		return;
	if (p->hlim != EBB_HOP_LIMIT) {
		e->stats.rx_hop_limit++;
		log_debug("ebb: %s on %s: hop limit %u", fmt_addr(&p->src),
		    ifp->name, p->hlim);
		return;
	}
	if (!IN6_IS_ADDR_LINKLOCAL(&p->src)) {
		e->stats.rx_source++;
		log_debug("ebb: %s on %s: not link-local", fmt_addr(&p->src),
		    ifp->name);
		return;
	}
	udp = pb->data + p->l4_off;
	if ((err = ebb_decode(udp + 8, p->l4_len - 8, &p->src, e->keys,
	    e->nkeys, &m)) != EBB_OK) {
		e->stats.rx_bad++;
		e->stats.errors[err < EBB_E_MAX ? err : 0]++;
		log_debug("ebb: %s on %s: refused (%s)", fmt_addr(&p->src),
		    ifp->name, ebb_err_name(err));
		return;
	}
	n = nbr_get(r, ifp, &p->src);
	if (m.seq <= n->last_seq) {
		e->stats.rx_replay++;
		log_debug("ebb: %s on %s: replayed %s (sequence %llu)",
		    fmt_addr(&p->src), ifp->name, ebb_type_name(m.type),
		    (unsigned long long)m.seq);
		return;
	}
	n->last_seq = m.seq;
	n->router_id = m.sender;
	n->last_ns = r->now_ns;
	n->messages++;
	switch (m.type) {
	case EBB_DISCOVER:
		discover_in(r, ifp, &m);
		break;
	case EBB_ANSWER:
		answer_relay(r, &m);
		break;
	case EBB_RESERVE:
		ebb_reserve_in(r, &m);
		break;
	case EBB_RESERVE_ACK:
	case EBB_RESERVE_NAK:
		ebb_reply_in(r, &m);
		break;
	case EBB_RELEASE:
		ebb_release_in(r, &m);
		break;
	default:
		e->stats.rx_unexpected++;
		break;
	}
}

void
ebb_tick(struct router *r)
{
	struct ebb	*e = r->ebb;

	if (e == NULL)
		return;
	for (int i = 0; i < EBB_MAX_NBRS; i++)
		if (e->nbrs[i].used && r->now_ns - e->nbrs[i].last_ns >=
		    EBB_NBR_LIFE_MS * NS_PER_MS)
			e->nbrs[i].used = false;
	ebb_resolve_tick(r);
	ebb_resv_tick(r);
}
