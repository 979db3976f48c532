/*
 * The member's side of the membership protocol (docs/protocol.md):
 * JOIN until ACCEPT, ANNOUNCE to the other local members, REPORT every
 * interval, SESSION on every change of the session set, LEAVE on exit;
 * a verified REJECT at any time sends the member back to joining (the
 * router restarted, or expired us).
 *
 * Receiver order, as the router's: framing, hop limit, key id, tag in
 * constant time, sequence number, and only then the TLVs.  A REJECT
 * that does not verify under our key is logged, never acted upon: the
 * router signs the ones it sends without knowing a key with an all-zero
 * key, which anybody can forge.
 */
#include <sys/socket.h>
#include <netinet/icmp6.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent.h"

#define MA_RECV_BUDGET		64
#define MA_UNAUTH_LOG_NS	(10ull * 1000000000ull)

static const uint8_t	 zero_key[MP_KEY_LEN];
static const struct in6_addr all_nodes = {
	.s6_addr = { 0xff, 0x02, [15] = 0x01 }
};

static void	 ma_ctl_join_cb(evutil_socket_t, short, void *);
static void	 ma_ctl_report_cb(evutil_socket_t, short, void *);
static void	 ma_ctl_leave_cb(evutil_socket_t, short, void *);
static void	 ma_ctl_recv_cb(evutil_socket_t, short, void *);
static void	 ma_ctl_join(struct agent *);
static void	 ma_ctl_finish(struct agent *);

uint64_t
ma_now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
ma_mono_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sequence numbers: the wall clock, but never repeated or going back. */
uint64_t
ma_next_seq(uint64_t *last, uint64_t now)
{
	*last = now > *last ? now : *last + 1;
	return *last;
}

void
ma_timer_ms(struct event *ev, uint32_t ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

static void
ma_sin6(struct sockaddr_in6 *sin6, const struct in6_addr *a, int ifindex)
{
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = *a;
	if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a))
		sin6->sin6_scope_id = (uint32_t)ifindex;
}

int
ma_ctl_socket(struct agent *a, char *err, size_t errlen)
{
	struct icmp6_filter	 filt;
	struct sockaddr_in6	 sin6;
	int			 on = 1, hops = MP_HOP_LIMIT, off = 0;
	int			 s = a->sock;

	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(MP_ICMP6_TYPE, &filt);
	if (setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &filt,
	    sizeof(filt)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
	    sizeof(hops)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops,
	    sizeof(hops)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off,
	    sizeof(off)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &a->ifindex,
	    sizeof(a->ifindex)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
	    sizeof(on)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)) == -1) {
		snprintf(err, errlen, "raw ICMPv6 socket options: %s",
		    strerror(errno));
		return -1;
	}
	if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, a->o.ifname,
	    (socklen_t)strlen(a->o.ifname)) == -1) {
		snprintf(err, errlen, "cannot bind to interface %s: %s",
		    a->o.ifname, strerror(errno));
		return -1;
	}
	/* The source address is covered by the tag: it must be U. */
	ma_sin6(&sin6, &a->unicast, a->ifindex);
	if (bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) == -1) {
		int	 e = errno;

		snprintf(err, errlen, "cannot send from %s: %s%s",
		    fmt_addr(&a->unicast), strerror(e),
		    e == EADDRNOTAVAIL ? " (not an address of this "
		    "host, or DAD not finished)" : "");
		errno = e;
		return -1;
	}
	return 0;
}

/* Fill in what every message of ours carries, sign it and send it. */
static void
ma_ctl_send(struct agent *a, struct mp_msg *m, const struct in6_addr *dst)
{
	static int		 last_errno;
	uint8_t			 pkt[4 + MP_MAX_LEN];
	struct sockaddr_in6	 sin6;
	ssize_t			 n;

	m->version = MP_VERSION;
	m->key_id = a->o.key_id;
	m->group = a->o.group;
	m->member = a->unicast;
	m->seq = ma_next_seq(&a->seq, ma_now_ns());
	if ((n = mp_encode(pkt + 4, sizeof(pkt) - 4, &a->unicast, m,
	    a->o.key)) < 0) {
		log_warnx("cannot encode %s", mp_type_name(m->type));
		return;
	}
	pkt[0] = MP_ICMP6_TYPE;
	pkt[1] = MP_ICMP6_CODE;
	pkt[2] = pkt[3] = 0;	/* the kernel fills the checksum */
	ma_sin6(&sin6, dst, a->ifindex);
	if (sendto(a->sock, pkt, (size_t)n + 4, 0, (struct sockaddr *)&sin6,
	    sizeof(sin6)) == -1) {
		if (errno != last_errno)
			log_warnx("cannot send %s to %s: %s",
			    mp_type_name(m->type), fmt_addr(dst),
			    strerror(errno));
		last_errno = errno;
		return;
	}
	last_errno = 0;
	log_debug("sent %s to %s", mp_type_name(m->type), fmt_addr(dst));
}

/* What the member offers, as configured: JOIN and REPORT carry it. */
static void
ma_ctl_offer(const struct agent *a, struct mp_msg *m)
{
	if (a->o.capacity != 0) {
		m->capacity = a->o.capacity;
		m->present |= MP_HAS_CAPACITY;
	}
	if (a->o.have_weight) {
		m->weight = a->o.weight;
		m->present |= MP_HAS_WEIGHT;
	}
	if (a->o.have_bandwidth) {
		m->bandwidth = a->o.bandwidth;
		m->present |= MP_HAS_BANDWIDTH;
	}
}

static void
ma_ctl_send_join(struct agent *a)
{
	struct mp_msg	 m;
	uint32_t	 hold;

	memset(&m, 0, sizeof(m));
	m.type = MP_JOIN;
	/* Ask to be kept for three missed reports, at least the default. */
	hold = (3u * a->o.interval_ms + 999) / 1000;
	m.hold_time = (uint16_t)(hold < MP_DEFAULT_HOLD_TIME ?
	    MP_DEFAULT_HOLD_TIME : hold);
	m.interval = a->o.interval_ms;
	m.present = MP_HAS_HOLD_TIME | MP_HAS_INTERVAL;
	/*
	 * The sessions we hold: a router that restarted, and that we join
	 * again, counts them at once instead of at the next REPORT.
	 */
	if (a->sessions_valid) {
		m.sessions = (uint32_t)a->sessions.n;
		m.present |= MP_HAS_SESSIONS;
	}
	ma_ctl_offer(a, &m);
	ma_ctl_send(a, &m, &a->router);
}

static void
ma_ctl_send_report(struct agent *a)
{
	struct mp_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = MP_REPORT;
	if (a->sessions_valid) {
		m.sessions = (uint32_t)a->sessions.n;
		m.present |= MP_HAS_SESSIONS;
	}
	m.load = ma_health_load(a);
	m.present |= MP_HAS_LOAD;
	if (a->health_known) {
		m.health = a->health;
		m.present |= MP_HAS_HEALTH;
	}
	ma_ctl_offer(a, &m);
	ma_ctl_send(a, &m, &a->router);
}

static void
ma_ctl_send_simple(struct agent *a, uint8_t type, uint16_t flags,
    const struct in6_addr *dst)
{
	struct mp_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.flags = flags;
	ma_ctl_send(a, &m, dst);
}

void
ma_ctl_start(struct agent *a)
{
	a->ev_sock = event_new(a->base, a->sock, EV_READ | EV_PERSIST,
	    ma_ctl_recv_cb, a);
	a->ev_join = evtimer_new(a->base, ma_ctl_join_cb, a);
	a->ev_report = evtimer_new(a->base, ma_ctl_report_cb, a);
	a->ev_leave = evtimer_new(a->base, ma_ctl_leave_cb, a);
	if (a->ev_sock == NULL || a->ev_join == NULL ||
	    a->ev_report == NULL || a->ev_leave == NULL)
		fatalx("cannot create events");
	event_add(a->ev_sock, NULL);
	ma_ctl_join(a);
}

/* Enter (or re-enter) the joining state and send the first JOIN now. */
static void
ma_ctl_join(struct agent *a)
{
	a->state = MA_JOINING;
	a->join_delay_ms = MA_JOIN_RETRY_MS;
	evtimer_del(a->ev_report);
	evtimer_del(a->ev_join);
	ma_ctl_join_cb(-1, 0, a);
}

static void
ma_ctl_join_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent	*a = arg;
	struct in6_addr	 gw;

	(void)fd;
	(void)what;
	if (a->state != MA_JOINING)
		return;
	/* The default router may have changed since the last attempt. */
	if (!a->router_given && ma_nl_default_gw(a->ifindex, &gw) == 0 &&
	    !IN6_ARE_ADDR_EQUAL(&gw, &a->router)) {
		log_info("router is now %s (was %s)", fmt_addr(&gw),
		    fmt_addr(&a->router));
		a->router = gw;
	}
	ma_ctl_send_join(a);
	ma_timer_ms(a->ev_join, a->join_delay_ms);
}

static void
ma_ctl_report_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent	*a = arg;

	(void)fd;
	(void)what;
	if (a->state != MA_JOINED)
		return;
	ma_ctl_send_report(a);
	/* Checks run now so that the next report has fresh results. */
	ma_health_start(a);
	ma_timer_ms(a->ev_report, a->interval_ms);
}

/* Health or load changed: tell the router now, not at the next tick. */
void
ma_ctl_report_now(struct agent *a)
{
	if (a->state == MA_JOINED)
		ma_ctl_send_report(a);
}

static void
ma_ctl_joined(struct agent *a, const struct mp_msg *m)
{
	bool	 again = a->state == MA_JOINED;

	a->interval_ms = (m->present & MP_HAS_INTERVAL) ? m->interval :
	    a->o.interval_ms;
	a->hold_time = (m->present & MP_HAS_HOLD_TIME) ? m->hold_time : 0;
	if (again) {
		log_debug("accepted again: report every %u ms",
		    a->interval_ms);
		return;
	}
	a->state = MA_JOINED;
	a->ever_joined = true;
	a->reject_reason = 0;
	a->unauth_reason = 0;
	evtimer_del(a->ev_join);
	log_info("joined %s as %s (router %s, report every %u ms, "
	    "hold %u s)", fmt_addr(&a->o.group), fmt_addr(&a->unicast),
	    fmt_addr(&a->router), a->interval_ms, a->hold_time);
	/* Paper 1 §3.1: the new member tells the other local members. */
	ma_ctl_send_simple(a, MP_ANNOUNCE, 0, &all_nodes);
	ma_ctl_send_report(a);
	ma_health_start(a);
	ma_timer_ms(a->ev_report, a->interval_ms);
}

static void
ma_ctl_rejected(struct agent *a, const struct in6_addr *src,
    const struct mp_msg *m)
{
	switch (a->state) {
	case MA_JOINING:
		if (m->reason != a->reject_reason)
			log_warnx("join refused by %s: %s; retrying",
			    fmt_addr(src), mp_reason_name(m->reason));
		a->reject_reason = m->reason;
		/* Back off: the refusal is not likely to change soon. */
		a->join_delay_ms = a->join_delay_ms * 2 > MA_JOIN_BACKOFF_MS ?
		    MA_JOIN_BACKOFF_MS : a->join_delay_ms * 2;
		evtimer_del(a->ev_join);
		ma_timer_ms(a->ev_join, a->join_delay_ms);
		break;
	case MA_JOINED:
		log_warnx("router %s refused our report (%s): joining again",
		    fmt_addr(src), mp_reason_name(m->reason));
		ma_ctl_join(a);
		break;
	case MA_LEAVING:
		log_debug("reject while leaving: %s",
		    mp_reason_name(m->reason));
		break;
	}
}

/*
 * The router has no flow for a connection to the group (it restarted,
 * say) and asks who holds it: we claim it when our kernel does, and stay
 * silent otherwise.
 */
static void
ma_ctl_flow_query(struct agent *a, const struct in6_addr *src,
    const struct mp_msg *q)
{
	struct mp_msg	 c;
	int		 held;

	if (q->flow.proto != IPPROTO_TCP || a->diag == NULL)
		return;
	if ((held = ma_diag_holds(a->diag, &a->o.group, &q->flow)) == -1) {
		log_warnx("cannot look up [%s]:%u: %s",
		    fmt_addr(&q->flow.client), q->flow.cport, strerror(errno));
		return;
	}
	log_debug("flow query from %s: [%s]:%u -> port %u: %s",
	    fmt_addr(src), fmt_addr(&q->flow.client), q->flow.cport,
	    q->flow.gport, held ? "ours, claimed" : "not ours");
	if (!held)
		return;
	memset(&c, 0, sizeof(c));
	c.type = MP_FLOW_CLAIM;
	c.present = MP_HAS_FLOW;
	c.flow = q->flow;
	ma_ctl_send(a, &c, src);
}

/* A REJECT we cannot verify: information for the operator, no more. */
static void
ma_ctl_unauth_reject(struct agent *a, const struct in6_addr *src,
    const uint8_t *body, size_t len, const struct mp_msg *peek)
{
	struct mp_msg	 m;
	const char	*hint = "";
	uint64_t	 now = ma_mono_ns();

	if (mp_verify(body, len, src, zero_key) != 0 ||
	    mp_parse_tlvs(body, len, &m) != 0) {
		log_debug("reject from %s with a bad tag: dropped",
		    fmt_addr(src));
		return;
	}
	if (!IN6_ARE_ADDR_EQUAL(&peek->group, &a->o.group) ||
	    !IN6_ARE_ADDR_EQUAL(&peek->member, &a->unicast))
		return;
	if (m.reason == a->unauth_reason && now - a->unauth_ns <
	    MA_UNAUTH_LOG_NS)
		return;
	a->unauth_reason = m.reason;
	a->unauth_ns = now;
	switch (m.reason) {
	case MP_REASON_BAD_TAG:
		hint = ": is the key right?";
		break;
	case MP_REASON_UNKNOWN_KEY:
		hint = ": does the router have this key id?";
		break;
	case MP_REASON_UNKNOWN_GROUP:
		hint = ": does the router serve this group?";
		break;
	}
	log_warnx("unauthenticated reject from %s (key id %u): %s%s "
	    "(not acted upon)", fmt_addr(src), peek->key_id,
	    mp_reason_name(m.reason), hint);
}

/* Strictly increasing, fresh sequence numbers per sender. */
static bool
ma_ctl_seq_ok(struct agent *a, const struct in6_addr *src, uint64_t seq)
{
	struct ma_peer	*p = NULL, *victim = &a->peers[0];
	uint64_t	 now = ma_mono_ns();
	int		 i;

	if (!mp_seq_fresh(seq, ma_now_ns(), MP_DEFAULT_SEQ_WINDOW))
		return false;
	for (i = 0; i < MA_PEERS; i++) {
		if (a->peers[i].used_ns != 0 &&
		    IN6_ARE_ADDR_EQUAL(&a->peers[i].addr, src)) {
			p = &a->peers[i];
			break;
		}
		if (a->peers[i].used_ns < victim->used_ns)
			victim = &a->peers[i];
	}
	if (p == NULL) {
		/* The window above still refuses old captures. */
		p = victim;
		memset(p, 0, sizeof(*p));
		p->addr = *src;
	}
	p->used_ns = now | 1;
	return mp_seq_accept(&p->last_seq, seq);
}

static void
ma_ctl_input(struct agent *a, const uint8_t *pkt, size_t n,
    const struct in6_addr *src, const struct in6_addr *dst, int hlim)
{
	const uint8_t	*body = pkt + 4;
	size_t		 len = n - 4;
	struct mp_msg	 m;

	if (n < 4 || pkt[0] != MP_ICMP6_TYPE || pkt[1] != MP_ICMP6_CODE)
		return;
	if (mp_peek(body, len, &m) != 0) {
		log_debug("malformed message from %s", fmt_addr(src));
		return;
	}
	if (hlim < 0 || mp_check_ip6((uint8_t)hlim, src, dst, m.type) != 0) {
		log_debug("%s from %s: hop limit %d or addresses wrong",
		    mp_type_name(m.type), fmt_addr(src), hlim);
		return;
	}
	if (IN6_ARE_ADDR_EQUAL(src, &a->unicast))
		return;
	switch (m.type) {
	case MP_ACCEPT:
	case MP_REJECT:
	case MP_LEAVE_ACK:
	case MP_ANNOUNCE:
	case MP_FLOW_QUERY:
		break;
	default:
		return;		/* for routers */
	}
	if (m.key_id != a->o.key_id ||
	    mp_verify(body, len, src, a->o.key) != 0) {
		if (m.type == MP_REJECT)
			ma_ctl_unauth_reject(a, src, body, len, &m);
		else
			log_debug("%s from %s: key id %u or tag wrong",
			    mp_type_name(m.type), fmt_addr(src), m.key_id);
		return;
	}
	if (!ma_ctl_seq_ok(a, src, m.seq)) {
		log_debug("%s from %s: stale or replayed",
		    mp_type_name(m.type), fmt_addr(src));
		return;
	}
	if (mp_parse_tlvs(body, len, &m) != 0) {
		log_warnx("%s from %s: malformed TLVs",
		    mp_type_name(m.type), fmt_addr(src));
		return;
	}
	log_debug("received %s from %s", mp_type_name(m.type),
	    fmt_addr(src));

	if (m.type == MP_ANNOUNCE) {
		log_info("member %s %s group %s", fmt_addr(&m.member),
		    (m.flags & MP_FLAG_WITHDRAW) ? "left" : "joined",
		    fmt_addr(&m.group));
		return;
	}
	/* A reply counts only for our own membership. */
	if (!IN6_ARE_ADDR_EQUAL(&m.group, &a->o.group) ||
	    !IN6_ARE_ADDR_EQUAL(&m.member, &a->unicast)) {
		log_debug("%s for %s in %s: not ours", mp_type_name(m.type),
		    fmt_addr(&m.member), fmt_addr(&m.group));
		return;
	}
	switch (m.type) {
	case MP_ACCEPT:
		if (a->state != MA_LEAVING)
			ma_ctl_joined(a, &m);
		break;
	case MP_REJECT:
		ma_ctl_rejected(a, src, &m);
		break;
	case MP_LEAVE_ACK:
		if (a->state == MA_LEAVING) {
			log_info("left %s", fmt_addr(&a->o.group));
			ma_ctl_finish(a);
		}
		break;
	case MP_FLOW_QUERY:
		ma_ctl_flow_query(a, src, &m);
		break;
	}
}

static void
ma_ctl_recv_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent		*a = arg;
	uint8_t			 pkt[4 + MP_MAX_LEN + 64];
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[CMSG_SPACE(sizeof(int)) +
				    CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}			 cbuf;
	struct sockaddr_in6	 from;
	struct in6_addr		 dst;
	struct iovec		 iov;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	ssize_t			 n;
	int			 i, hlim;

	(void)what;
	for (i = 0; i < MA_RECV_BUDGET; i++) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = pkt;
		iov.iov_len = sizeof(pkt);
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		if ((n = recvmsg(fd, &msg, MSG_DONTWAIT)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warnx("recvmsg: %s", strerror(errno));
			return;
		}
		if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			continue;
		hlim = -1;
		memset(&dst, 0, sizeof(dst));
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		    cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != IPPROTO_IPV6)
				continue;
			if (cm->cmsg_type == IPV6_HOPLIMIT &&
			    cm->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&hlim, CMSG_DATA(cm), sizeof(int));
			else if (cm->cmsg_type == IPV6_PKTINFO &&
			    cm->cmsg_len ==
			    CMSG_LEN(sizeof(struct in6_pktinfo))) {
				struct in6_pktinfo	 pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				dst = pi.ipi6_addr;
			}
		}
		if (IN6_IS_ADDR_UNSPECIFIED(&dst))
			continue;
		ma_ctl_input(a, pkt, (size_t)n, &from.sin6_addr, &dst, hlim);
	}
}

/* Session set changed: one SESSION per change, within a budget. */
struct ma_ctl_diff {
	struct agent	*a;
	uint32_t	 count;		/* running count */
};

static void
ma_ctl_session_cb(void *arg, const struct ma_sess *s, int op)
{
	struct ma_ctl_diff	*d = arg;
	struct agent	*a = d->a;
	struct mp_msg	 m;

	if (op == MP_SESSION_START)
		d->count++;
	else if (d->count > 0)
		d->count--;
	log_debug("session %s: [%s]:%u -> port %u (%u sessions)",
	    op == MP_SESSION_START ? "start" : "end", fmt_addr(&s->raddr),
	    s->rport, s->lport, d->count);
	if (a->tb_tokens < 1.0) {
		a->coalesced = true;
		return;
	}
	a->tb_tokens -= 1.0;
	memset(&m, 0, sizeof(m));
	m.type = MP_SESSION;
	m.present = MP_HAS_SESSION_OP | MP_HAS_SESSIONS;
	m.session_op = (uint8_t)op;
	m.sessions = d->count;
	ma_ctl_send(a, &m, &a->router);
}

void
ma_ctl_sessions_changed(struct agent *a, const struct ma_sset *old)
{
	struct ma_ctl_diff	 d = { a, (uint32_t)old->n };
	struct mp_msg	 m;
	uint64_t	 now = ma_mono_ns();
	double		 rate = a->o.session_rate;

	if (a->state != MA_JOINED)
		return;
	a->tb_tokens += (double)(now - a->tb_ns) * rate / 1e9;
	if (a->tb_tokens > rate)
		a->tb_tokens = rate;
	a->tb_ns = now;
	a->coalesced = false;
	ma_sset_diff(old, &a->sessions, ma_ctl_session_cb, &d);
	if (a->coalesced) {
		/* Too many to send one by one: the count says it all. */
		memset(&m, 0, sizeof(m));
		m.type = MP_SESSION;
		m.present = MP_HAS_SESSIONS;
		m.sessions = (uint32_t)a->sessions.n;
		ma_ctl_send(a, &m, &a->router);
	}
}

/* SIGTERM: LEAVE, wait for LEAVE_ACK a bounded time, then stop. */
void
ma_ctl_leave(struct agent *a)
{
	if (a->state == MA_LEAVING) {
		log_info("second signal: leaving without LEAVE_ACK");
		ma_ctl_finish(a);
		return;
	}
	evtimer_del(a->ev_join);
	evtimer_del(a->ev_report);
	if (!a->ever_joined) {
		/* Best effort, in case an ACCEPT was lost: no wait. */
		log_info("exiting: %s was never joined",
		    fmt_addr(&a->o.group));
		ma_ctl_send_simple(a, MP_LEAVE, 0, &a->router);
		event_base_loopbreak(a->base);
		a->exit_code = 0;
		return;
	}
	a->state = MA_LEAVING;
	a->leave_deadline_ns = ma_mono_ns() + MA_LEAVE_WAIT_MS * 1000000ull;
	log_info("leaving %s", fmt_addr(&a->o.group));
	ma_ctl_send_simple(a, MP_LEAVE, 0, &a->router);
	ma_timer_ms(a->ev_leave, MA_LEAVE_RETRY_MS);
}

static void
ma_ctl_leave_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent	*a = arg;
	uint64_t	 now = ma_mono_ns(), left;

	(void)fd;
	(void)what;
	if (now >= a->leave_deadline_ns) {
		log_warnx("no leave_ack from %s within %d ms",
		    fmt_addr(&a->router), MA_LEAVE_WAIT_MS);
		ma_ctl_finish(a);
		return;
	}
	ma_ctl_send_simple(a, MP_LEAVE, 0, &a->router);
	left = (a->leave_deadline_ns - now) / 1000000ull;
	ma_timer_ms(a->ev_leave, left < MA_LEAVE_RETRY_MS ? (uint32_t)left + 1 :
	    MA_LEAVE_RETRY_MS);
}

/* Tell the other members, and stop the loop: main() cleans up. */
static void
ma_ctl_finish(struct agent *a)
{
	evtimer_del(a->ev_leave);
	ma_ctl_send_simple(a, MP_ANNOUNCE, MP_FLAG_WITHDRAW, &all_nodes);
	a->exit_code = 0;
	event_base_loopbreak(a->base);
}
