/*
 * ICMPv6 echo probes of anycast members (paper 1 §3.4, QoS): before a
 * new flow is forwarded to a member whose health is not fresh, in the
 * background at an interval, and to retest members marked down, with
 * exponential backoff.
 */
#include <string.h>

#include "pbuf.h"
#include "iface.h"
#include "fwd.h"
#include "anycast.h"
#include "router.h"
#include "ebb.h"

#define PROBE_PAYLOAD	16

bool
member_fresh(const struct router *r, const struct member *m)
{
	uint64_t	fresh = m->group->conf.probe.fresh_ms * 1000000ull;

	if (m->remote)
		return ebb_member_fresh(r, m);
	return m->state == MS_UP && fresh > 0 && m->last_ok_ns != 0 &&
	    r->now_ns - m->last_ok_ns <= fresh;
}

void
probe_send(struct router *r, struct member *m)
{
	struct group	*g = m->group;
	struct pbuf	*pb;
	uint8_t		*ip6;
	uint16_t	 ident = (uint16_t)(PROBE_IDENT_BASE + g->id);

	if (m->probing)
		return;
	if (m->remote) {
		/* Behind another router: its path is reserved instead. */
		ebb_member_reserve(r, m);
		return;
	}
	if ((pb = pbuf_alloc()) == NULL) {
		iface_count_drop(m->ifp, DROP_NO_BUFFER);
		return;
	}
	m->probe_seq++;
	ip6 = pb->data + ETH_HLEN_;
	ip6[44] = (uint8_t)(ident >> 8);
	ip6[45] = (uint8_t)ident;
	ip6[46] = (uint8_t)(m->probe_seq >> 8);
	ip6[47] = (uint8_t)m->probe_seq;
	memset(ip6 + 48, 0, PROBE_PAYLOAD);
	memcpy(ip6 + 48, &r->now_ns, sizeof(r->now_ns));
	pb->len = ETH_HLEN_ + (uint32_t)icmp6_finish(ip6,
	    iface_src_for(m->ifp, &m->addr), &m->addr, DEFAULT_HOP_LIMIT,
	    ICMP6_ECHO_REQUEST_, 0, 4 + PROBE_PAYLOAD);
	pb->in = m->ifp;
	m->probing = true;
	m->last_probe_ns = r->now_ns;
	m->probe_deadline_ns = r->now_ns +
	    g->conf.probe.timeout_ms * 1000000ull;
	m->stats.probes_sent++;
	g->stats.probes_sent++;
	m->ifp->stats.icmp_out++;
	ip6_output(r, pb);
}

void
probe_reply(struct router *r, const struct in6_addr *src, uint16_t ident,
    uint16_t seq)
{
	struct group	*g;
	struct member	*m;
	uint32_t	 gid;

	if (ident < PROBE_IDENT_BASE)
		return;
	gid = ident - PROBE_IDENT_BASE;
	if (gid >= (uint32_t)r->ngroups || (g = r->groups[gid]) == NULL)
		return;
	if ((m = member_find(g, src)) == NULL || !m->probing ||
	    seq != m->probe_seq)
		return;		/* late or foreign: the timeout decided */
	m->probing = false;
	m->probe_rtt_ns = r->now_ns - m->last_probe_ns;
	anycast_probe_done(r, m, true);
}

static void
probe_member_tick(struct router *r, struct member *m)
{
	const struct cfg_probe	*pc = &m->group->conf.probe;

	if (m->probing) {
		if (r->now_ns >= m->probe_deadline_ns) {
			m->probing = false;
			anycast_probe_done(r, m, false);
		}
		return;
	}
	if (m->remote)
		return;		/* the E-BB's cache says whether it is up */
	if (m->state == MS_DOWN) {
		/* Down by its own word: only a report brings it back. */
		if (m->why == MW_HEALTH || m->why == MW_REPORTS ||
		    r->now_ns < m->retest_ns)
			return;
		probe_send(r, m);
		m->backoff_ms *= 2;
		if (m->backoff_ms > pc->retest_max_ms)
			m->backoff_ms = pc->retest_max_ms;
		m->retest_ns = r->now_ns + m->backoff_ms * 1000000ull;
		return;
	}
	if (r->now_ns < m->next_bg_ns)
		return;
	if (pc->interval_ms > 0 || m->state == MS_JOINING)
		probe_send(r, m);
	m->next_bg_ns = r->now_ns + (pc->interval_ms > 0 ?
	    pc->interval_ms : pc->retest_ms) * 1000000ull;
}

void
probe_tick(struct router *r)
{
	for (int i = 0; i < r->ngroups; i++) {
		struct group	*g = r->groups[i];

		if (g == NULL)
			continue;
		for (int j = 0; j < CFG_MAX_MEMBERS; j++)
			if (g->members[j].used)
				probe_member_tick(r, &g->members[j]);
	}
}
