/*
 * The router's side of the membership protocol (paper 1 §3.1, §3.4;
 * docs/protocol.md): JOIN -> ACCEPT/REJECT, LEAVE -> LEAVE_ACK, SESSION
 * and REPORT keep the member table current, and members that stop
 * reporting go down and are removed after a grace time (soft state).
 *
 * Receiver order: length, hop limit, rate limit, key, tag (constant
 * time), sequence number, and only then the body: one function per
 * step, run from mp_rx_steps[], then one handler per message type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "addr.h"
#include "pbuf.h"
#include "route.h"
#include "iface.h"
#include "fwd.h"
#include "flow.h"
#include "anycast.h"
#include "router.h"

#define MP_RL_SLOTS		128
#define MP_RL_DEFAULT_RATE	20
#define MP_SEQ_WINDOW_NS	(300ull * 1000000000ull)
#ifndef nitems
#define nitems(_a)		(sizeof((_a)) / sizeof((_a)[0]))
#endif

struct mp_ratelimit {
	struct {
		struct in6_addr	 addr;
		struct tbucket	 tb;
		uint64_t	 used_ns;
	}		 e[MP_RL_SLOTS];
};

static const uint8_t zero_key[MP_KEY_LEN];

static uint64_t
wall_ns(const struct router *r)
{
	struct timeval	tv;

	router_walltime(r, &tv);
	return (uint64_t)tv.tv_sec * 1000000000ull +
	    (uint64_t)tv.tv_usec * 1000ull;
}

/*
 * The wall clock when the router started: no message made before it can
 * be one the router has seen the sequence of (it keeps them in memory
 * only), so none is taken (docs/protocol.md section 7).
 */
static uint64_t
start_wall_ns(const struct router *r)
{
	if (r->pcap_mode)
		return r->start_ns;
	return (uint64_t)r->wall_base.tv_sec * 1000000000ull +
	    (uint64_t)r->wall_base.tv_usec * 1000ull;
}

uint64_t
member_ctl_next_seq(struct router *r)
{
	uint64_t	 seq = wall_ns(r);

	if (seq <= r->mp_seq_out)
		seq = r->mp_seq_out + 1;
	r->mp_seq_out = seq;
	return seq;
}

/* One token bucket per source address, least recently used replaced. */
static bool
mp_rate_ok(struct router *r, const struct in6_addr *src, uint32_t rate)
{
	struct mp_ratelimit	*rl;
	int			 i, victim = 0;

	if (r->mp_rl == NULL)
		r->mp_rl = xcalloc(1, sizeof(*r->mp_rl));
	rl = r->mp_rl;
	for (i = 0; i < MP_RL_SLOTS; i++) {
		if (rl->e[i].used_ns != 0 &&
		    IN6_ARE_ADDR_EQUAL(&rl->e[i].addr, src))
			break;
		if (rl->e[i].used_ns < rl->e[victim].used_ns)
			victim = i;
	}
	if (i == MP_RL_SLOTS) {
		i = victim;
		rl->e[i].addr = *src;
		tb_init(&rl->e[i].tb, rate, rate, r->now_ns);
	}
	rl->e[i].used_ns = r->now_ns | 1;
	return tb_take(&rl->e[i].tb, r->now_ns);
}

static const uint8_t *
group_key(const struct group *g, uint16_t id)
{
	for (int i = 0; i < g->conf.nkeys; i++)
		if (g->conf.keys[i].id == id)
			return g->conf.keys[i].key;
	return NULL;
}

/* Send a message of ours to dst on ifp, signed with key. */
static void
mp_send(struct router *r, struct iface *ifp, const struct in6_addr *dst,
    struct mp_msg *m, const uint8_t *key)
{
	const struct in6_addr	*src = iface_src_for(ifp, dst);
	struct pbuf		*pb;
	uint8_t			*ip6;
	ssize_t			 n;

	if ((pb = pbuf_alloc()) == NULL) {
		iface_count_drop(ifp, DROP_NO_BUFFER);
		return;
	}
	m->version = MP_VERSION;
	m->seq = member_ctl_next_seq(r);
	ip6 = pb->data + ETH_HLEN_;
	if ((n = mp_encode(ip6 + 44, MP_MAX_LEN, src, m, key)) < 0) {
		log_warnx("%s: cannot encode %s", __func__,
		    mp_type_name(m->type));
		pbuf_free(pb);
		return;
	}
	pb->len = ETH_HLEN_ + (uint32_t)icmp6_finish(ip6, src, dst,
	    MP_HOP_LIMIT, MP_ICMP6_TYPE, MP_ICMP6_CODE, (size_t)n);
	pb->in = ifp;
	r->stats.mp_out++;
	ifp->stats.icmp_out++;
	ip6_output(r, pb);
}

/* One message on its way through the receiver, filled in step by step. */
struct mp_rx {
	struct router		*r;
	struct iface		*ifp;
	const struct pbuf	*pb;
	const struct pkt	*p;
	const uint8_t		*body;	/* step 1: after the ICMPv6 header */
	size_t			 len;
	struct mp_msg		 msg;	/* step 1: header; step 7: TLVs */
	struct group		*g;	/* step 3: NULL if not served */
	const uint8_t		*key;	/* step 4 */
	struct member		*m;	/* step 6: NULL if not a member */
	void			(*handler)(struct mp_rx *);	/* step 3b */
};

/* An answer to rx: its key id, group and member, and type. */
static void
mp_answer(struct mp_msg *m, const struct mp_rx *rx, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->key_id = rx->msg.key_id;
	m->group = rx->msg.group;
	m->member = rx->msg.member;
}

/*
 * Send m back to where rx came from.  key NULL: the tag is not verified
 * (or there is no key to verify it), and without a key of its own the
 * answer can't be authenticated.
 */
static void
mp_reply(const struct mp_rx *rx, struct mp_msg *m, const uint8_t *key)
{
	mp_send(rx->r, rx->ifp, &rx->p->src, m, key != NULL ? key : zero_key);
}

static void
mp_reject(const struct mp_rx *rx, uint8_t reason, const uint8_t *key)
{
	struct mp_msg	m;

	rx->r->stats.mp_fail[reason % MP_REASON_SLOTS]++;
	if (rx->g != NULL) {
		rx->g->stats.auth_fail[reason % MP_REASON_SLOTS]++;
		rx->g->stats.rejects++;
	}
	log_debug("%s: %s from %s: %s", __func__, mp_type_name(rx->msg.type),
	    fmt_addr(&rx->p->src), mp_reason_name(reason));
	mp_answer(&m, rx, MP_REJECT);
	m.present = MP_HAS_REASON;
	m.reason = reason;
	mp_reply(rx, &m, key);
}

static bool
seq_seen_before(struct group *g, const struct in6_addr *member, uint64_t seq)
{
	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		if (IN6_ARE_ADDR_EQUAL(&g->left[i].addr, member) &&
		    seq <= g->left[i].seq)
			return true;
	return false;
}

static void
apply_tlvs(struct router *r, struct member *m, const struct mp_msg *msg)
{
	/* A count replaces ours; a start or end alone adjusts it. */
	if (msg->present & MP_HAS_SESSIONS)
		m->sessions = msg->sessions;
	else if (msg->present & MP_HAS_SESSION_OP) {
		if (msg->session_op == MP_SESSION_START)
			m->sessions++;
		else if (m->sessions > 0)
			m->sessions--;
	}
	if (msg->present & MP_HAS_LOAD)
		m->load_pct = msg->load;
	if (msg->present & MP_HAS_CAPACITY)
		m->capacity = msg->capacity;
	if (msg->present & MP_HAS_BANDWIDTH) {
		m->bandwidth = msg->bandwidth;
		m->bw_reported = true;
	}
	if (msg->present & MP_HAS_WEIGHT) {
		m->weight = msg->weight;
		m->group->maglev_dirty = true;
	}
	if (msg->present & MP_HAS_HEALTH) {
		m->health = msg->health == MP_HEALTH_UP;
		if (!m->health)
			member_set_state(r, m, MS_DOWN, MW_HEALTH);
		else if (m->state == MS_DOWN && (m->why == MW_HEALTH ||
		    m->why == MW_REPORTS)) {
			/* Healthy again: a probe confirms before traffic. */
			member_set_state(r, m, MS_JOINING, MW_NONE);
			m->next_bg_ns = r->now_ns;
		}
	}
	m->last_report_ns = r->now_ns;
	/* A healthy report over the member's link is a sign of life. */
	if (m->state == MS_UP && m->health)
		m->last_ok_ns = r->now_ns;
	if (m->state == MS_DOWN && m->why == MW_REPORTS && m->health) {
		member_set_state(r, m, MS_JOINING, MW_NONE);
		m->next_bg_ns = r->now_ns;
	}
}

/* A JOIN from a member we don't have: on this link, and room for it. */
static struct member *
mp_join_new(const struct mp_rx *rx)
{
	struct cfg_member	 cm;
	struct member		*m;
	struct route		*rt;
	char			 err[128];

	rt = route_lookup(rx->r, &rx->msg.member);
	if (rt == NULL || rt->type != ROUTE_CONNECTED || rt->ifp != rx->ifp ||
	    (!IN6_ARE_ADDR_EQUAL(&rx->p->src, &rx->msg.member) &&
	    !IN6_IS_ADDR_LINKLOCAL(&rx->p->src))) {
		mp_reject(rx, MP_REASON_NOT_ON_LINK, rx->key);
		return NULL;
	}
	memset(&cm, 0, sizeof(cm));
	cm.addr = rx->msg.member;
	snprintf(cm.iface, sizeof(cm.iface), "%s", rx->ifp->name);
	cm.weight = 100;
	cm.hops = 1;
	cm.bandwidth = 100;
	if ((m = member_add(rx->r, rx->g, &cm, false, err, sizeof(err))) ==
	    NULL) {
		mp_reject(rx, MP_REASON_GROUP_FULL, rx->key);
		return NULL;
	}
	rx->g->stats.joins++;
	return m;
}

/* ---------------------------------------------------------------------- */
/* Dispatch by type, once the message has passed every step. */

static void
mp_rx_join(struct mp_rx *rx)
{
	struct group	*g = rx->g;
	struct member	*m = rx->m;
	struct mp_msg	 a;
	uint32_t	 hold;
	bool		 fresh = false;

	if (m == NULL) {
		if ((m = mp_join_new(rx)) == NULL)
			return;
		fresh = true;
	}
	m->key_id = rx->msg.key_id;
	m->last_seq = rx->msg.seq;
	apply_tlvs(rx->r, m, &rx->msg);

	mp_answer(&a, rx, MP_ACCEPT);
	hold = (g->conf.misses * m->report_ms + 999) / 1000;
	a.present = MP_HAS_HOLD_TIME | MP_HAS_INTERVAL;
	a.hold_time = (uint16_t)(hold < 1 ? 1 : hold > 65535 ? 65535 : hold);
	a.interval = (uint16_t)(g->conf.report_ms > 65535 ? 65535 :
	    g->conf.report_ms);
	mp_reply(rx, &a, rx->key);
	/* Back after a restart: it may hold what is being asked about. */
	if (fresh)
		recover_member_joined(rx->r, m);
}

/* Acknowledged even when not a member: the first ACK may have been lost. */
static void
mp_rx_leave(struct mp_rx *rx)
{
	struct mp_msg	 a;

	if (rx->m != NULL) {
		member_del(rx->r, rx->m);
		rx->g->stats.leaves++;
	}
	mp_answer(&a, rx, MP_LEAVE_ACK);
	mp_reply(rx, &a, rx->key);
}

/*
 * The member a SESSION or REPORT is from.  One we have forgotten (a
 * restart, say) gets a REJECT, and joins again.
 */
static struct member *
mp_rx_member(const struct mp_rx *rx)
{
	if (rx->m == NULL)
		mp_reject(rx, MP_REASON_NOT_MEMBER, rx->key);
	return rx->m;
}

static void
mp_rx_session(struct mp_rx *rx)
{
	struct member	*m;

	if ((m = mp_rx_member(rx)) == NULL)
		return;
	m->stats.session_msgs++;
	apply_tlvs(rx->r, m, &rx->msg);
}

static void
mp_rx_report(struct mp_rx *rx)
{
	struct member	*m;

	if ((m = mp_rx_member(rx)) == NULL)
		return;
	m->stats.reports++;
	apply_tlvs(rx->r, m, &rx->msg);
}

/* The member's kernel holds a connection the router asked about. */
static void
mp_rx_claim(struct mp_rx *rx)
{
	struct member	*m;

	if ((m = mp_rx_member(rx)) == NULL)
		return;
	recover_claim(rx->r, m, &rx->msg.flow);
}

void
member_ctl_flow_query(struct router *r, struct member *m,
    const struct flow_key *k)
{
	const uint8_t	*key;
	struct mp_msg	 q;

	if ((key = group_key(m->group, m->key_id)) == NULL)
		return;
	memset(&q, 0, sizeof(q));
	q.type = MP_FLOW_QUERY;
	q.key_id = m->key_id;
	q.group = m->group->conf.addr;
	q.member = m->addr;
	q.present = MP_HAS_FLOW;
	q.flow.client = k->client;
	q.flow.cport = k->cport;
	q.flow.gport = k->gport;
	q.flow.proto = k->proto;
	m->group->stats.flow_queries++;
	mp_send(r, m->ifp, &m->addr, &q, key);
}

/*
 * What a router takes.  ANNOUNCE goes between members; ACCEPT, REJECT
 * and LEAVE_ACK go from a router to a member: none is ever answered.
 */
static const struct {
	uint8_t		 type;
	void		(*handler)(struct mp_rx *);
} mp_handlers[] = {
	{ MP_JOIN,	mp_rx_join },
	{ MP_LEAVE,	mp_rx_leave },
	{ MP_SESSION,	mp_rx_session },
	{ MP_REPORT,	mp_rx_report },
	{ MP_FLOW_CLAIM, mp_rx_claim },
};

/* ---------------------------------------------------------------------- */
/* The receiver's steps (docs/protocol.md §8): true to go on. */

/* 1. length and framing */
static bool
mp_rx_length(struct mp_rx *rx)
{
	const struct pkt	*p = rx->p;

	/* The body follows type, code and checksum. */
	rx->body = rx->pb->data + p->l4_off + 4;
	rx->len = p->l4_len >= 4 ? p->l4_len - 4 : 0;
	if (p->l4_len < 4 || mp_peek(rx->body, rx->len, &rx->msg) != 0) {
		rx->r->stats.mp_fail[MP_REASON_MALFORMED]++;
		return false;
	}
	return true;
}

/* 2. hop limit 255: it cannot have crossed a router */
static bool
mp_rx_hop_limit(struct mp_rx *rx)
{
	const struct pkt	*p = rx->p;

	if (mp_check_ip6(p->hlim, &p->src, &p->dst, rx->msg.type) != 0) {
		rx->r->stats.mp_fail[MP_REASON_NOT_ON_LINK]++;
		return false;
	}
	return true;
}

/* 3. rate limit per source, at the group's rate if it is one of ours */
static bool
mp_rx_rate_limit(struct mp_rx *rx)
{
	rx->g = group_find(rx->r, &rx->msg.group);
	if (!mp_rate_ok(rx->r, &rx->p->src, rx->g != NULL ?
	    rx->g->conf.join_rate : MP_RL_DEFAULT_RATE)) {
		rx->r->stats.mp_fail[MP_REASON_RATE_LIMITED]++;
		if (rx->g != NULL)
			rx->g->stats.auth_fail[MP_REASON_RATE_LIMITED]++;
		return false;
	}
	return true;
}

/* 3b. a type a router takes at all; dropped, never answered, if not */
static bool
mp_rx_type(struct mp_rx *rx)
{
	for (size_t i = 0; i < nitems(mp_handlers); i++) {
		if (mp_handlers[i].type == rx->msg.type) {
			rx->handler = mp_handlers[i].handler;
			return true;
		}
	}
	return false;
}

/* 4. key: a group we serve, and a key id it has */
static bool
mp_rx_key(struct mp_rx *rx)
{
	if (rx->g == NULL) {
		mp_reject(rx, MP_REASON_UNKNOWN_GROUP, NULL);
		return false;
	}
	if ((rx->key = group_key(rx->g, rx->msg.key_id)) == NULL) {
		mp_reject(rx, MP_REASON_UNKNOWN_KEY, NULL);
		return false;
	}
	return true;
}

/* 5. tag, in constant time */
static bool
mp_rx_tag(struct mp_rx *rx)
{
	if (mp_verify(rx->body, rx->len, &rx->p->src, rx->key) != 0) {
		mp_reject(rx, MP_REASON_BAD_TAG, NULL);
		return false;
	}
	return true;
}

/*
 * 6. sequence: fresh, made since the router started, and newer than
 * anything seen from that member
 */
static bool
mp_rx_seq(struct mp_rx *rx)
{
	uint64_t	*last, scratch = 0;
	uint64_t	 seq = rx->msg.seq;

	rx->m = member_find(rx->g, &rx->msg.member);
	last = rx->m != NULL ? &rx->m->last_seq : &scratch;
	if (!mp_seq_fresh(seq, wall_ns(rx->r), MP_SEQ_WINDOW_NS) ||
	    !mp_seq_since(seq, start_wall_ns(rx->r)) ||
	    (rx->m == NULL && seq_seen_before(rx->g, &rx->msg.member, seq)) ||
	    !mp_seq_accept(last, seq)) {
		/*
		 * Counted, never answered: a REJECT would reach the real
		 * member, and anyone on the link could make it join again.
		 */
		rx->r->stats.mp_fail[MP_REASON_REPLAY]++;
		rx->g->stats.auth_fail[MP_REASON_REPLAY]++;
		return false;
	}
	return true;
}

/* 7. only now the body */
static bool
mp_rx_body(struct mp_rx *rx)
{
	if (mp_parse_tlvs(rx->body, rx->len, &rx->msg) != 0) {
		mp_reject(rx, MP_REASON_MALFORMED, rx->key);
		return false;
	}
	return true;
}

/* In this order; each stops the message at its first failure. */
static bool (*const mp_rx_steps[])(struct mp_rx *) = {
	mp_rx_length,
	mp_rx_hop_limit,
	mp_rx_rate_limit,
	mp_rx_type,
	mp_rx_key,
	mp_rx_tag,
	mp_rx_seq,
	mp_rx_body,
};

void
member_ctl_input(struct router *r, struct iface *ifp, struct pbuf *pb,
    const struct pkt *p)
{
	struct mp_rx	 rx = { .r = r, .ifp = ifp, .pb = pb, .p = p };

	r->stats.mp_in++;
	for (size_t i = 0; i < nitems(mp_rx_steps); i++)
		if (!mp_rx_steps[i](&rx))
			return;
	rx.handler(&rx);
}

void
member_ctl_tick(struct router *r)
{
	for (int i = 0; i < r->ngroups; i++) {
		struct group	*g = r->groups[i];

		if (g == NULL)
			continue;
		for (int j = 0; j < CFG_MAX_MEMBERS; j++) {
			struct member	*m = &g->members[j];
			uint64_t	 silent;

			if (!m->used || m->is_static)
				continue;
			silent = r->now_ns - m->last_report_ns;
			if (m->state != MS_DOWN &&
			    silent > (uint64_t)g->conf.misses * m->report_ms *
			    1000000ull)
				member_set_state(r, m, MS_DOWN, MW_REPORTS);
			else if (m->state == MS_DOWN && m->why == MW_REPORTS &&
			    r->now_ns - m->state_ns >
			    (uint64_t)g->conf.grace_ms * 1000000ull) {
				g->stats.expired++;
				member_del(r, m);
			}
		}
	}
}
