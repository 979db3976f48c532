/*
 * The router's side of the membership protocol (paper 1 §3.1, §3.4;
 * docs/protocol.md): JOIN -> ACCEPT/REJECT, LEAVE -> LEAVE_ACK, SESSION
 * and REPORT keep the member table current, and members that stop
 * reporting go down and are removed after a grace time (soft state).
 *
 * Receiver order: length, hop limit, rate limit, key, tag (constant
 * time), sequence number, and only then the body.
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
#include "anycast.h"
#include "router.h"

#define MP_RL_SLOTS		128
#define MP_RL_DEFAULT_RATE	20
#define MP_SEQ_WINDOW_NS	(300ull * 1000000000ull)

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
	m->seq = wall_ns(r);
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

static void
mp_reply(struct router *r, struct iface *ifp, const struct in6_addr *dst,
    const struct mp_msg *req, uint8_t type, const uint8_t *key)
{
	struct mp_msg	m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.key_id = req->key_id;
	m.group = req->group;
	m.member = req->member;
	mp_send(r, ifp, dst, &m, key);
}

static void
mp_reject(struct router *r, struct iface *ifp, const struct in6_addr *dst,
    const struct mp_msg *req, struct group *g, uint8_t reason,
    const uint8_t *key)
{
	struct mp_msg	m;

	r->stats.mp_fail[reason % MP_REASON_SLOTS]++;
	if (g != NULL) {
		g->stats.auth_fail[reason % MP_REASON_SLOTS]++;
		g->stats.rejects++;
	}
	log_debug("%s: %s from %s: %s", __func__, mp_type_name(req->type),
	    fmt_addr(dst), mp_reason_name(reason));
	memset(&m, 0, sizeof(m));
	m.type = MP_REJECT;
	m.key_id = req->key_id;
	m.group = req->group;
	m.member = req->member;
	m.present = MP_HAS_REASON;
	m.reason = reason;
	/* Without a key of its own the answer can't be authenticated. */
	mp_send(r, ifp, dst, &m, key != NULL ? key : zero_key);
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
	if (msg->present & MP_HAS_BANDWIDTH)
		m->bandwidth = msg->bandwidth;
	if (msg->present & MP_HAS_WEIGHT) {
		m->weight = msg->weight;
		m->group->maglev_dirty = true;
	}
	if (msg->present & MP_HAS_INTERVAL)
		m->report_ms = msg->interval;
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
	if (m->state == MS_DOWN && m->why == MW_REPORTS && m->health) {
		member_set_state(r, m, MS_JOINING, MW_NONE);
		m->next_bg_ns = r->now_ns;
	}
}

static void
handle_join(struct router *r, struct iface *ifp, const struct pkt *p,
    struct group *g, struct member *m, const struct mp_msg *msg,
    const uint8_t *key)
{
	struct cfg_member	 cm;
	struct mp_msg		 a;
	struct route		*rt;
	char			 err[128];
	uint32_t		 hold;

	if (m == NULL) {
		rt = route_lookup(r, &msg->member);
		if (rt == NULL || rt->type != ROUTE_CONNECTED ||
		    rt->ifp != ifp || (!IN6_ARE_ADDR_EQUAL(&p->src,
		    &msg->member) && !IN6_IS_ADDR_LINKLOCAL(&p->src))) {
			mp_reject(r, ifp, &p->src, msg, g,
			    MP_REASON_NOT_ON_LINK, key);
			return;
		}
		memset(&cm, 0, sizeof(cm));
		cm.addr = msg->member;
		snprintf(cm.iface, sizeof(cm.iface), "%s", ifp->name);
		cm.weight = 100;
		cm.hops = 1;
		cm.bandwidth = 100;
		if ((m = member_add(r, g, &cm, false, err, sizeof(err))) ==
		    NULL) {
			mp_reject(r, ifp, &p->src, msg, g,
			    MP_REASON_GROUP_FULL, key);
			return;
		}
		g->stats.joins++;
	}
	m->key_id = msg->key_id;
	m->last_seq = msg->seq;
	apply_tlvs(r, m, msg);

	memset(&a, 0, sizeof(a));
	a.type = MP_ACCEPT;
	a.key_id = msg->key_id;
	a.group = msg->group;
	a.member = msg->member;
	hold = (g->conf.misses * m->report_ms + 999) / 1000;
	a.present = MP_HAS_HOLD_TIME | MP_HAS_INTERVAL;
	a.hold_time = (uint16_t)(hold < 1 ? 1 : hold > 65535 ? 65535 : hold);
	a.interval = (uint16_t)(g->conf.report_ms > 65535 ? 65535 :
	    g->conf.report_ms);
	mp_send(r, ifp, &p->src, &a, key);
}

void
member_ctl_input(struct router *r, struct iface *ifp, struct pbuf *pb,
    const struct pkt *p)
{
	const uint8_t	*body = pb->data + p->l4_off + 4;
	size_t		 len = p->l4_len - 4;
	struct mp_msg	 msg;
	struct group	*g;
	struct member	*m;
	const uint8_t	*key;
	uint64_t	*last, scratch;

	r->stats.mp_in++;
	/* 1. length and framing */
	if (p->l4_len < 4 || mp_peek(body, len, &msg) != 0) {
		r->stats.mp_fail[MP_REASON_MALFORMED]++;
		return;
	}
	/* 2. hop limit 255: it cannot have crossed a router */
	if (mp_check_ip6(p->hlim, &p->src, &p->dst, msg.type) != 0) {
		r->stats.mp_fail[MP_REASON_NOT_ON_LINK]++;
		return;
	}
	g = group_find(r, &msg.group);
	/* 3. rate limit per source */
	if (!mp_rate_ok(r, &p->src, g != NULL ? g->conf.join_rate :
	    MP_RL_DEFAULT_RATE)) {
		r->stats.mp_fail[MP_REASON_RATE_LIMITED]++;
		if (g != NULL)
			g->stats.auth_fail[MP_REASON_RATE_LIMITED]++;
		return;
	}
	if (msg.type == MP_ANNOUNCE || msg.type == MP_ACCEPT ||
	    msg.type == MP_REJECT || msg.type == MP_LEAVE_ACK)
		return;		/* between members, or router to member */
	if (g == NULL) {
		mp_reject(r, ifp, &p->src, &msg, NULL,
		    MP_REASON_UNKNOWN_GROUP, NULL);
		return;
	}
	/* 4. key, 5. tag in constant time */
	if ((key = group_key(g, msg.key_id)) == NULL) {
		mp_reject(r, ifp, &p->src, &msg, g, MP_REASON_UNKNOWN_KEY,
		    NULL);
		return;
	}
	if (mp_verify(body, len, &p->src, key) != 0) {
		mp_reject(r, ifp, &p->src, &msg, g, MP_REASON_BAD_TAG, NULL);
		return;
	}
	/* 6. sequence: fresh, and newer than anything seen from it */
	m = member_find(g, &msg.member);
	scratch = 0;
	last = m != NULL ? &m->last_seq : &scratch;
	if (!mp_seq_fresh(msg.seq, wall_ns(r), MP_SEQ_WINDOW_NS) ||
	    (m == NULL && seq_seen_before(g, &msg.member, msg.seq)) ||
	    !mp_seq_accept(last, msg.seq)) {
		/*
		 * Counted, never answered: a REJECT would reach the real
		 * member, and anyone on the link could make it join again.
		 */
		r->stats.mp_fail[MP_REASON_REPLAY]++;
		g->stats.auth_fail[MP_REASON_REPLAY]++;
		return;
	}
	/* 7. only now the body */
	if (mp_parse_tlvs(body, len, &msg) != 0) {
		mp_reject(r, ifp, &p->src, &msg, g, MP_REASON_MALFORMED, key);
		return;
	}
	switch (msg.type) {
	case MP_JOIN:
		handle_join(r, ifp, p, g, m, &msg, key);
		break;
	case MP_LEAVE:
		if (m != NULL) {
			member_del(r, m);
			g->stats.leaves++;
		}
		mp_reply(r, ifp, &p->src, &msg, MP_LEAVE_ACK, key);
		break;
	case MP_SESSION:
	case MP_REPORT:
		if (m == NULL) {
			/* Forgotten (e.g. a restart): the member joins again. */
			mp_reject(r, ifp, &p->src, &msg, g,
			    MP_REASON_NOT_MEMBER, key);
			break;
		}
		if (msg.type == MP_REPORT)
			m->stats.reports++;
		else
			m->stats.session_msgs++;
		apply_tlvs(r, m, &msg);
		break;
	default:
		break;
	}
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
