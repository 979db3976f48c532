/*
 * Neighbour discovery (RFC 4861): answering solicitations for our own
 * addresses, resolving next hops, and the neighbour cache with its state
 * machine, timers and the bounded queue of packets waiting on an
 * INCOMPLETE entry.  The cache is a preallocated pool capped at
 * conf->neigh_max entries (RFC 6583).
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "addr.h"
#include "pbuf.h"
#include "nd.h"
#include "iface.h"
#include "fwd.h"
#include "router.h"

/* The cache: a hash for lookups, a list in age order, a pool of entries. */
struct nd_cache {
	TAILQ_HEAD(, neighbor) list;
	struct neighbor	**hash;
	uint32_t	 hash_size;	/* a power of two */
	uint32_t	 count;
	uint32_t	 queued;	/* packets parked, all entries */
	struct neighbor	*pool;		/* conf->neigh_max entries */
	struct neighbor	*free;
};

const char *const nd_state_names[ND_STATE_MAX] = {
#define X(id, name) [ND_##id] = name,
	ND_STATES(X)
#undef X
};

#define T(s, a)	{ ND_##s, NDA_##a }
/*
 * RFC 4861 Appendix C, for a router.  Rows are states, columns events:
 * SEND, NA_SOLICITED, NA_UNSOLICITED (override, new address), NA_SAME
 * (nothing new), LLADDR_SEEN (NS/RS/RA with a new address), TIMEOUT,
 * PROBES_DONE.
 */
static const struct nd_transition nd_table[ND_STATE_MAX][NDE_MAX] = {
	[ND_INCOMPLETE] = { T(INCOMPLETE, NONE), T(REACHABLE, FLUSH_QUEUE),
	    T(STALE, FLUSH_QUEUE), T(STALE, FLUSH_QUEUE), T(STALE, FLUSH_QUEUE),
	    T(INCOMPLETE, SEND_MCAST_NS), T(FAILED, FAIL) },
	[ND_REACHABLE] = { T(REACHABLE, NONE), T(REACHABLE, NONE),
	    T(STALE, NONE), T(REACHABLE, NONE), T(STALE, NONE),
	    T(STALE, NONE), T(REACHABLE, NONE) },
	[ND_STALE] = { T(DELAY, START_DELAY), T(REACHABLE, NONE),
	    T(STALE, NONE), T(STALE, NONE), T(STALE, NONE),
	    T(STALE, NONE), T(STALE, NONE) },
	[ND_DELAY] = { T(DELAY, NONE), T(REACHABLE, NONE),
	    T(STALE, NONE), T(DELAY, NONE), T(STALE, NONE),
	    T(PROBE, SEND_UCAST_NS), T(DELAY, NONE) },
	[ND_PROBE] = { T(PROBE, NONE), T(REACHABLE, NONE),
	    T(STALE, NONE), T(PROBE, NONE), T(STALE, NONE),
	    T(PROBE, SEND_UCAST_NS), T(FAILED, FAIL) },
	[ND_FAILED] = { T(INCOMPLETE, SEND_MCAST_NS), T(FAILED, NONE),
	    T(STALE, NONE), T(FAILED, NONE), T(STALE, NONE),
	    T(FAILED, NONE), T(FAILED, NONE) },
};
#undef T

struct nd_transition
nd_fsm(enum nd_state s, enum nd_event e)
{
	if ((unsigned)s >= ND_STATE_MAX || (unsigned)e >= NDE_MAX)
		return (struct nd_transition){ ND_FAILED, NDA_NONE };
	return nd_table[s][e];
}

static uint32_t
nd_hash(const struct router *r, const struct iface *ifp,
    const struct in6_addr *a)
{
	uint64_t	 h, lo;

	memcpy(&h, &a->s6_addr[0], 8);
	memcpy(&lo, &a->s6_addr[8], 8);
	h ^= lo * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)ifp->index * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h & (r->nd->hash_size - 1);
}

void
nd_init(struct router *r)
{
	uint32_t	 max = r->conf->neigh_max;

	r->nd = xcalloc(1, sizeof(*r->nd));
	TAILQ_INIT(&r->nd->list);
	r->nd->hash_size = 64;
	while (r->nd->hash_size < max * 2)
		r->nd->hash_size <<= 1;
	r->nd->hash = xcalloc(r->nd->hash_size, sizeof(*r->nd->hash));
	r->nd->pool = xcalloc(max, sizeof(*r->nd->pool));
	r->nd->free = NULL;
	for (uint32_t i = 0; i < max; i++) {
		r->nd->pool[i].hnext = r->nd->free;
		r->nd->free = &r->nd->pool[i];
	}
}

struct neighbor *
nd_find(struct router *r, struct iface *ifp, const struct in6_addr *a)
{
	struct neighbor	*n;

	for (n = r->nd->hash[nd_hash(r, ifp, a)]; n != NULL; n = n->hnext)
		if (n->ifp == ifp && IN6_ARE_ADDR_EQUAL(&n->addr, a))
			return n;
	return NULL;
}

/*
 * Drop parked packets; with unreachable set, tell their sources.  The
 * queue is detached first: an error may itself need this neighbour.
 */
static void
nd_queue_drop(struct router *r, struct neighbor *n, bool unreachable)
{
	struct pbuf	*pb, *next;
	struct iface	*ifp = n->ifp;
	struct pkt	 p;

	pb = n->qhead;
	r->nd->queued -= n->qlen;
	n->qhead = n->qtail = NULL;
	n->qlen = 0;
	for (; pb != NULL; pb = next) {
		next = pb->next;
		pb->next = NULL;
		if (unreachable && pb->in != NULL &&
		    pkt_parse(pb->data, pb->len, &p) == DROP_NONE)
			icmp6_error(r, pb->in, pb, &p, ICMP6_DST_UNREACH_,
			    ICMP6_DST_UNREACH_ADDR_, 0);
		iface_count_drop(ifp, DROP_ADDR_UNREACH);
		pbuf_free(pb);
	}
}

static void
nd_del(struct router *r, struct neighbor *n)
{
	struct neighbor	**pp;

	nd_queue_drop(r, n, false);
	for (pp = &r->nd->hash[nd_hash(r, n->ifp, &n->addr)]; *pp != NULL;
	    pp = &(*pp)->hnext) {
		if (*pp == n) {
			*pp = n->hnext;
			break;
		}
	}
	TAILQ_REMOVE(&r->nd->list, n, entry);
	r->nd->count--;
	n->hnext = r->nd->free;
	r->nd->free = n;
}

/*
 * Make room (RFC 6583 §7.1): a FAILED entry, else the oldest INCOMPLETE
 * one, else the least recently updated STALE one.  A scan of unused
 * addresses thus churns through its own unresolved entries and never
 * pushes out a neighbour that answered; REACHABLE, DELAY and PROBE
 * entries are never taken.
 */
static bool
nd_evict(struct router *r)
{
	struct neighbor	*n, *victim[ND_STATE_MAX] = { NULL };
	static const enum nd_state order[] = { ND_FAILED, ND_INCOMPLETE,
	    ND_STALE };

	TAILQ_FOREACH(n, &r->nd->list, entry) {
		if (n->state != ND_STALE && n->state != ND_FAILED &&
		    n->state != ND_INCOMPLETE)
			continue;
		if (victim[n->state] == NULL ||
		    n->updated_ns < victim[n->state]->updated_ns)
			victim[n->state] = n;
	}
	for (size_t i = 0; i < NITEMS(order); i++) {
		if ((n = victim[order[i]]) == NULL)
			continue;
		if (n->state == ND_INCOMPLETE)
			r->stats.neigh_evicted_incomplete++;
		else if (n->state == ND_STALE)
			r->stats.neigh_evicted_stale++;
		nd_del(r, n);
		return true;
	}
	return false;
}

static struct neighbor *
nd_create(struct router *r, struct iface *ifp, const struct in6_addr *a,
    enum nd_state state)
{
	struct neighbor	*n;
	uint32_t	 h;

	if (r->nd->free == NULL && !nd_evict(r))
		return NULL;
	n = r->nd->free;
	r->nd->free = n->hnext;
	memset(n, 0, sizeof(*n));
	n->addr = *a;
	n->ifp = ifp;
	n->state = state;
	n->updated_ns = r->now_ns;
	h = nd_hash(r, ifp, a);
	n->hnext = r->nd->hash[h];
	r->nd->hash[h] = n;
	TAILQ_INSERT_TAIL(&r->nd->list, n, entry);
	r->nd->count++;
	return n;
}

static void
nd_send_ns(struct neighbor *n, bool multicast)
{
	struct iface	*ifp = n->ifp;
	struct pbuf	*pb;
	struct in6_addr	 dst;
	uint8_t		*ip6, dmac[ETH_ALEN_];

	/*
	 * With no buffer free, an unresolved entry counts the solicitation
	 * anyway: it still fails in time and gives its parked packets back.
	 * One being probed keeps forwarding to the address it has, so it
	 * waits for a buffer rather than fail for want of one.
	 */
	if ((pb = pbuf_alloc()) == NULL) {
		if (n->state == ND_INCOMPLETE)
			n->probes++;
		iface_count_drop(ifp, DROP_NO_BUFFER);
		return;
	}
	n->probes++;
	if (multicast) {
		solicited_node(&dst, &n->addr);
		mcast_mac(dmac, &dst);
	} else {
		dst = n->addr;
		memcpy(dmac, n->mac, ETH_ALEN_);
	}
	ip6 = pb->data + ETH_HLEN_;
	memset(ip6 + 44, 0, 4);				/* reserved */
	memcpy(ip6 + 48, &n->addr, 16);			/* target */
	ip6[64] = ND_OPT_SOURCE_LINKADDR_;
	ip6[65] = 1;
	memcpy(ip6 + 66, ifp->mac, ETH_ALEN_);
	pb->len = ETH_HLEN_ + (uint32_t)icmp6_finish(ip6,
	    iface_src_for(ifp, &n->addr), &dst, NDP_HOP_LIMIT,
	    ND_NEIGHBOR_SOLICIT_, 0, 28);
	ifp->stats.ns_out++;
	ifp->stats.icmp_out++;
	iface_output(ifp, pb, dmac);
}

static void
nd_flush_queue(struct neighbor *n)
{
	struct pbuf	*pb, *next;

	pb = n->qhead;
	n->ifp->router->nd->queued -= n->qlen;
	n->qhead = n->qtail = NULL;
	n->qlen = 0;
	for (; pb != NULL; pb = next) {
		next = pb->next;
		pb->next = NULL;
		iface_output(n->ifp, pb, n->mac);
	}
}

/* Apply an event to an entry; returns false when the entry is gone. */
static bool
nd_event(struct router *r, struct neighbor *n, enum nd_event e)
{
	struct nd_transition	 t = nd_fsm(n->state, e);

	if (t.next != n->state)
		log_debug("%s: %s %s: %s -> %s", __func__, n->ifp->name,
		    fmt_addr(&n->addr), nd_state_names[n->state],
		    nd_state_names[t.next]);
	if (t.next != n->state) {
		n->probes = 0;
		n->deadline_ns = 0;
	}
	n->state = t.next;
	n->updated_ns = r->now_ns;
	switch (n->state) {
	case ND_REACHABLE:
		n->deadline_ns = r->now_ns + REACHABLE_TIME_MS * 1000000ull;
		break;
	case ND_STALE:
		n->deadline_ns = 0;
		break;
	default:
		break;
	}
	switch (t.action) {
	case NDA_NONE:
		break;
	case NDA_SEND_MCAST_NS:
	case NDA_SEND_UCAST_NS:
		nd_send_ns(n, t.action == NDA_SEND_MCAST_NS);
		n->deadline_ns = r->now_ns + RETRANS_TIMER_MS * 1000000ull;
		break;
	case NDA_FLUSH_QUEUE:
		nd_flush_queue(n);
		break;
	case NDA_START_DELAY:
		n->deadline_ns = r->now_ns + DELAY_FIRST_PROBE_MS * 1000000ull;
		break;
	case NDA_FAIL:
		log_debug("%s: %s %s unreachable", __func__, n->ifp->name,
		    fmt_addr(&n->addr));
		{
			struct neighbor	 gone = *n;

			/* Remove first, so errors sent meanwhile start over. */
			n->qhead = n->qtail = NULL;
			n->qlen = 0;
			nd_del(r, n);
			nd_queue_drop(r, &gone, true);
		}
		return false;
	}
	return true;
}

/* Packets that all entries together may park: a quarter of the pool. */
static uint32_t
nd_queue_cap(const struct router *r)
{
	return r->conf->pbufs / 4 > 0 ? r->conf->pbufs / 4 : 1;
}

void
nd_output(struct router *r, struct iface *ifp, const struct in6_addr *nh,
    struct pbuf *pb)
{
	struct neighbor	*n;

	if ((n = nd_find(r, ifp, nh)) == NULL) {
		if ((n = nd_create(r, ifp, nh, ND_FAILED)) == NULL) {
			iface_count_drop(ifp, DROP_NEIGH_CACHE_FULL);
			pbuf_free(pb);
			return;
		}
	}
	n->hits++;
	if (n->state == ND_INCOMPLETE || n->state == ND_FAILED) {
		/*
		 * All entries together park at most a quarter of the packet
		 * buffers: a flood towards unresolved addresses must not
		 * take the buffers that reads and solicitations need.
		 */
		if (n->qlen == 0 && r->nd->queued >= nd_queue_cap(r)) {
			iface_count_drop(ifp, DROP_NEIGH_QUEUE_FULL);
			pbuf_free(pb);
			nd_event(r, n, NDE_SEND);
			return;
		}
		if (n->qlen >= r->conf->neigh_queue ||
		    r->nd->queued >= nd_queue_cap(r)) {
			/* RFC 4861 §7.2.2: the newest replaces the oldest. */
			struct pbuf	*old = n->qhead;

			n->qhead = old->next;
			if (n->qhead == NULL)
				n->qtail = NULL;
			n->qlen--;
			r->nd->queued--;
			iface_count_drop(ifp, DROP_NEIGH_QUEUE_FULL);
			pbuf_free(old);
		}
		pb->next = NULL;
		if (n->qtail != NULL)
			n->qtail->next = pb;
		else
			n->qhead = pb;
		n->qtail = pb;
		n->qlen++;
		r->nd->queued++;
		nd_event(r, n, NDE_SEND);
		return;
	}
	if (!nd_event(r, n, NDE_SEND)) {
		pbuf_free(pb);
		return;
	}
	iface_output(ifp, pb, n->mac);
}

/* Learn a link-layer address carried by an NS or RS. */
static void
nd_learn(struct router *r, struct iface *ifp, const struct in6_addr *a,
    const uint8_t *mac, bool is_router)
{
	struct neighbor	*n;

	if ((n = nd_find(r, ifp, a)) == NULL) {
		if ((n = nd_create(r, ifp, a, ND_STALE)) == NULL) {
			iface_count_drop(ifp, DROP_NEIGH_CACHE_FULL);
			return;
		}
		memcpy(n->mac, mac, ETH_ALEN_);
		n->is_router = is_router;
		return;
	}
	if (n->state != ND_INCOMPLETE && n->state != ND_FAILED &&
	    memcmp(n->mac, mac, ETH_ALEN_) == 0) {
		nd_event(r, n, NDE_NA_SAME);
		return;
	}
	memcpy(n->mac, mac, ETH_ALEN_);
	nd_event(r, n, NDE_LLADDR_SEEN);
}

static void
nd_send_na(struct router *r, struct iface *ifp, const struct in6_addr *dst,
    const uint8_t *dmac, const struct in6_addr *target, bool solicited)
{
	struct pbuf	*pb;
	uint8_t		*ip6;

	if ((pb = pbuf_alloc()) == NULL) {
		iface_count_drop(ifp, DROP_NO_BUFFER);
		return;
	}
	ip6 = pb->data + ETH_HLEN_;
	memset(ip6 + 44, 0, 4);
	ip6[44] = ND_NA_FLAG_ROUTER_ | ND_NA_FLAG_OVERRIDE_ |
	    (solicited ? ND_NA_FLAG_SOLICITED_ : 0);
	memcpy(ip6 + 48, target, 16);
	ip6[64] = ND_OPT_TARGET_LINKADDR_;
	ip6[65] = 1;
	memcpy(ip6 + 66, ifp->mac, ETH_ALEN_);
	pb->len = ETH_HLEN_ + (uint32_t)icmp6_finish(ip6, target, dst,
	    NDP_HOP_LIMIT, ND_NEIGHBOR_ADVERT_, 0, 28);
	pb->in = ifp;
	ifp->stats.na_out++;
	ifp->stats.icmp_out++;
	if (dmac != NULL)
		iface_output(ifp, pb, dmac);
	else
		ip6_output(r, pb);
}

static void
nd_input_ns(struct router *r, struct iface *ifp, const struct pbuf *pb,
    const struct pkt *p)
{
	const uint8_t	*icmp = pb->data + p->l4_off;
	struct in6_addr	 target;
	struct nd_opts	 o;
	bool		 dad = IN6_IS_ADDR_UNSPECIFIED(&p->src);

	ifp->stats.ns_in++;
	if (p->l4_len < 24) {
		iface_count_drop(ifp, DROP_NDP_BAD);
		return;
	}
	memcpy(&target, icmp + 8, 16);
	if (IN6_IS_ADDR_MULTICAST(&target) ||
	    nd_parse_opts(icmp + 24, p->l4_len - 24, &o) == -1 ||
	    (dad && (o.has_sll || !IN6_IS_ADDR_MC_LINKLOCAL(&p->dst)))) {
		iface_count_drop(ifp, DROP_NDP_BAD);
		return;
	}
	if (!iface_has_addr(ifp, &target))
		return;		/* not ours: routers do no proxy NDP */
	if (dad) {
		/* Defend the address: answer to all nodes (§7.2.4). */
		uint8_t	mac[ETH_ALEN_];

		mcast_mac(mac, &in6_allnodes);
		nd_send_na(r, ifp, &in6_allnodes, mac, &target, false);
		return;
	}
	if (o.has_sll) {
		nd_learn(r, ifp, &p->src, o.sll, false);
		nd_send_na(r, ifp, &p->src, o.sll, &target, true);
	} else
		nd_send_na(r, ifp, &p->src, NULL, &target, true);
}

static void
nd_input_na(struct router *r, struct iface *ifp, const struct pbuf *pb,
    const struct pkt *p)
{
	const uint8_t	*icmp = pb->data + p->l4_off;
	struct in6_addr	 target;
	struct neighbor	*n;
	struct nd_opts	 o;
	bool		 solicited, override;

	ifp->stats.na_in++;
	if (p->l4_len < 24) {
		iface_count_drop(ifp, DROP_NDP_BAD);
		return;
	}
	solicited = (icmp[4] & ND_NA_FLAG_SOLICITED_) != 0;
	override = (icmp[4] & ND_NA_FLAG_OVERRIDE_) != 0;
	memcpy(&target, icmp + 8, 16);
	if (IN6_IS_ADDR_MULTICAST(&target) ||
	    (solicited && IN6_IS_ADDR_MULTICAST(&p->dst)) ||
	    nd_parse_opts(icmp + 24, p->l4_len - 24, &o) == -1) {
		iface_count_drop(ifp, DROP_NDP_BAD);
		return;
	}
	if (iface_has_addr(ifp, &target)) {
		log_warnx("%s: %s: %s claims our address %s", __func__,
		    ifp->name, fmt_mac(p->eth_src), fmt_addr(&target));
		return;
	}
	if ((n = nd_find(r, ifp, &target)) == NULL)
		return;		/* unsolicited: no entry is created */
	n->is_router = (icmp[4] & ND_NA_FLAG_ROUTER_) != 0;
	if (n->state == ND_INCOMPLETE || n->state == ND_FAILED) {
		if (!o.has_tll)
			return;
		memcpy(n->mac, o.tll, ETH_ALEN_);
		nd_event(r, n, solicited ? NDE_NA_SOLICITED :
		    NDE_NA_UNSOLICITED);
		return;
	}
	if (o.has_tll && memcmp(o.tll, n->mac, ETH_ALEN_) != 0) {
		if (!override)
			return;
		memcpy(n->mac, o.tll, ETH_ALEN_);
		nd_event(r, n, solicited ? NDE_NA_SOLICITED :
		    NDE_NA_UNSOLICITED);
		return;
	}
	nd_event(r, n, solicited ? NDE_NA_SOLICITED : NDE_NA_SAME);
}

void
nd_input(struct router *r, struct iface *ifp, struct pbuf *pb,
    const struct pkt *p)
{
	struct nd_opts	 o;

	/* RFC 4861 §7.1.1: only from on-link, never forwarded. */
	if (p->hlim != NDP_HOP_LIMIT) {
		iface_count_drop(ifp, DROP_NDP_BAD_HLIM);
		return;
	}
	if (p->icmp_code != 0) {
		iface_count_drop(ifp, DROP_NDP_BAD);
		return;
	}
	switch (p->icmp_type) {
	case ND_NEIGHBOR_SOLICIT_:
		nd_input_ns(r, ifp, pb, p);
		break;
	case ND_NEIGHBOR_ADVERT_:
		nd_input_na(r, ifp, pb, p);
		break;
	case ND_ROUTER_SOLICIT_:
		ifp->stats.rs_in++;
		if (p->l4_len < 8 || nd_parse_opts(pb->data + p->l4_off + 8,
		    p->l4_len - 8, &o) == -1 ||
		    (IN6_IS_ADDR_UNSPECIFIED(&p->src) && o.has_sll)) {
			iface_count_drop(ifp, DROP_NDP_BAD);
			break;
		}
		if (o.has_sll)
			nd_learn(r, ifp, &p->src, o.sll, false);
		ra_input_rs(r, ifp, p, pb->data);
		break;
	default:
		/* RAs of other routers and redirects: not acted upon. */
		break;
	}
}

void
nd_tick(struct router *r)
{
	struct neighbor	*n, *next;
	enum nd_event	 e;

	for (n = TAILQ_FIRST(&r->nd->list); n != NULL; n = next) {
		next = TAILQ_NEXT(n, entry);
		if (n->deadline_ns == 0 || r->now_ns < n->deadline_ns)
			continue;
		n->deadline_ns = 0;
		e = NDE_TIMEOUT;
		if ((n->state == ND_INCOMPLETE &&
		    n->probes >= MAX_MULTICAST_SOLICIT) ||
		    (n->state == ND_PROBE && n->probes >= MAX_UNICAST_SOLICIT))
			e = NDE_PROBES_DONE;
		nd_event(r, n, e);
	}
}

void
nd_walk(struct router *r, void (*cb)(const struct neighbor *, void *),
    void *arg)
{
	struct neighbor	*n;

	TAILQ_FOREACH(n, &r->nd->list, entry)
		cb(n, arg);
}

uint32_t
nd_count(const struct router *r)
{
	return r->nd != NULL ? r->nd->count : 0;
}

void
nd_shutdown(struct router *r)
{
	struct neighbor	*n;

	while ((n = TAILQ_FIRST(&r->nd->list)) != NULL)
		nd_del(r, n);
	free(r->nd->hash);
	free(r->nd->pool);
	free(r->nd);
	r->nd = NULL;
}
