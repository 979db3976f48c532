/*
 * Flow recovery: a TCP packet in the middle of a connection to an
 * anycast address for which the router has no flow (after a restart, or
 * an eviction) is parked while the group's members are asked who holds
 * the connection (FLOW_QUERY, docs/protocol.md).  The member whose kernel
 * has the socket answers FLOW_CLAIM; the flow is pinned to it and the
 * parked packets follow.  When nobody claims it within flows.recover_ms,
 * the consistent-hash choice takes the packets, as it did before there
 * was anyone to ask.
 *
 * Bounded: RECOVER_MAX connections at a time, RECOVER_QLEN packets each,
 * and the group's pending_max for all parked packets together.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "addr.h"
#include "pbuf.h"
#include "iface.h"
#include "flow.h"
#include "anycast.h"
#include "router.h"

#define RECOVER_MAX	256	/* connections being asked about */
#define RECOVER_QLEN	8	/* packets parked per connection */

_Static_assert(CFG_MAX_MEMBERS <= 64, "recovery.asked: a bit per member");

struct recovery {
	bool		 used;
	uint32_t	 group_id;
	struct flow_key	 key;
	uint64_t	 deadline_ns;
	uint64_t	 asked;		/* member slots sent a query */
	struct pbuf	*qhead;
	struct pbuf	*qtail;
	uint32_t	 qlen;
};

void
recover_init(struct router *r)
{
	r->recover = xcalloc(RECOVER_MAX, sizeof(*r->recover));
}

/* Drop what is parked: every entry, or only those of group g. */
static void
recover_flush(struct router *r, const struct group *g)
{
	for (int i = 0; r->recover != NULL && i < RECOVER_MAX; i++) {
		struct recovery	*rc = &r->recover[i];
		struct pbuf	*pb, *next;

		if (!rc->used || (g != NULL && rc->group_id != g->id))
			continue;
		for (pb = rc->qhead; pb != NULL; pb = next) {
			next = pb->next;
			pbuf_free(pb);
		}
		if (g != NULL)
			r->groups[g->id]->pending -= rc->qlen;
		memset(rc, 0, sizeof(*rc));
	}
}

void
recover_group_gone(struct router *r, const struct group *g)
{
	recover_flush(r, g);
}

void
recover_shutdown(struct router *r)
{
	recover_flush(r, NULL);
	free(r->recover);
	r->recover = NULL;
}

static struct recovery *
recover_find(struct router *r, uint32_t group_id, const struct flow_key *k)
{
	for (int i = 0; i < RECOVER_MAX; i++)
		if (r->recover[i].used && r->recover[i].group_id == group_id &&
		    flow_key_equal(&r->recover[i].key, k))
			return &r->recover[i];
	return NULL;
}

/* Ask each member that joined (it has a key) and was not asked yet. */
static void
recover_ask(struct router *r, struct group *g, struct recovery *rc)
{
	for (int j = 0; j < CFG_MAX_MEMBERS; j++) {
		struct member	*m = &g->members[j];

		if (!m->used || m->is_static || (rc->asked & (1ull << j)))
			continue;
		rc->asked |= 1ull << j;
		member_ctl_flow_query(r, m, &rc->key);
	}
}

/*
 * Whether asking makes sense: some member joined (it can answer), or
 * none at all is known (after a restart the members come back and are
 * asked then).  Static members alone cannot answer: guess at once.
 */
static bool
recover_worth_asking(const struct group *g)
{
	bool	 statics = false;

	for (int j = 0; j < CFG_MAX_MEMBERS; j++) {
		if (!g->members[j].used)
			continue;
		if (!g->members[j].is_static)
			return true;
		statics = true;
	}
	return !statics;
}

/*
 * recover_ms from now; but just after a start, not before every member
 * that was there before has had the time to come back: a guess among
 * the members already back could pick one that does not hold the
 * connection, and its kernel would reset it.  A member reports (and is
 * refused, and joins again) within one hold time, misses x report_ms.
 */
static uint64_t
recover_deadline(const struct router *r, const struct group *g)
{
	uint64_t	 d = r->now_ns + r->conf->flows.recover_ms * 1000000ull;
	uint64_t	 back = r->start_ns + (uint64_t)g->conf.misses *
			    g->conf.report_ms * 1000000ull;

	return d > back ? d : back;
}

bool
recover_park(struct router *r, struct group *g, struct pbuf *pb,
    const struct flow_key *k)
{
	struct recovery	*rc, *free_rc = NULL;

	if (r->conf->flows.recover_ms == 0 || r->recover == NULL ||
	    !recover_worth_asking(g))
		return false;
	if ((rc = recover_find(r, g->id, k)) == NULL) {
		for (int i = 0; i < RECOVER_MAX && free_rc == NULL; i++)
			if (!r->recover[i].used)
				free_rc = &r->recover[i];
		if (free_rc == NULL)
			return false;	/* too many at once: guess */
		rc = free_rc;
		memset(rc, 0, sizeof(*rc));
		rc->used = true;
		rc->group_id = g->id;
		rc->key = *k;
		rc->deadline_ns = recover_deadline(r, g);
		g->stats.recoveries++;
		recover_ask(r, g, rc);
	}
	if (rc->qlen >= RECOVER_QLEN || g->pending >= g->conf.probe.pending_max) {
		/* TCP sends it again; the connection is not lost for it. */
		g->stats.pending_dropped++;
		iface_count_drop(pb->in, DROP_NO_BUFFER);
		pbuf_free(pb);
		return true;
	}
	pbuf_append(&rc->qhead, &rc->qtail, pb);
	rc->qlen++;
	g->pending++;
	return true;
}

/*
 * A member that joins while connections are being asked about (the
 * router has just restarted, and its members come back) is asked too.
 */
void
recover_member_joined(struct router *r, struct member *m)
{
	struct group	*g = m->group;

	for (int i = 0; r->recover != NULL && i < RECOVER_MAX; i++)
		if (r->recover[i].used && r->recover[i].group_id == g->id)
			recover_ask(r, g, &r->recover[i]);
}

/* Take rc's packets off the table: the caller sends them on. */
static struct pbuf *
recover_take(struct group *g, struct recovery *rc)
{
	struct pbuf	*pb = rc->qhead;

	g->pending -= rc->qlen;
	memset(rc, 0, sizeof(*rc));
	return pb;
}

void
recover_claim(struct router *r, struct member *m, const struct mp_flow *mf)
{
	struct group	*g = m->group;
	struct flow_key	 k;
	struct recovery	*rc;
	struct flow	*f;
	struct pbuf	*pb, *next;

	memset(&k, 0, sizeof(k));
	k.client = mf->client;
	k.group = g->conf.addr;
	k.cport = mf->cport;
	k.gport = mf->gport;
	k.proto = mf->proto;
	if ((rc = recover_find(r, g->id, &k)) == NULL) {
		/*
		 * Late: the guess was taken.  The claimant's kernel holds the
		 * connection, so the flow moves to it.
		 */
		f = flow_lookup(r->flows, &k, r->now_ns);
		if (f == NULL || f->group_id != g->id || f->member == m->id) {
			g->stats.claims_unmatched++;
			return;
		}
		flow_remove(r->flows, f);
	}
	f = flow_insert(r->flows, &k, g->id, m->id, r->now_ns);
	if (f == NULL) {
		g->stats.claims_unmatched++;
		return;
	}
	g->stats.flows_recovered++;
	m->stats.selections++;
	if (r->first_recovery_ns == 0) {
		r->first_recovery_ns = r->now_ns;
		log_info("%s: first flow recovered, %llu ms after start: "
		    "[%s]:%u on %s", __func__, (unsigned long long)
		    ((r->now_ns - r->start_ns) / 1000000), fmt_addr(&k.client),
		    k.cport, fmt_addr(&m->addr));
	}
	if (rc == NULL)
		return;
	for (pb = recover_take(g, rc); pb != NULL; pb = next) {
		next = pb->next;
		pb->next = NULL;
		anycast_deliver(r, m, pb);
	}
}

void
recover_tick(struct router *r)
{
	for (int i = 0; r->recover != NULL && i < RECOVER_MAX; i++) {
		struct recovery	*rc = &r->recover[i];
		struct group	*g;
		struct pbuf	*pb, *next;

		if (!rc->used || r->now_ns < rc->deadline_ns)
			continue;
		g = r->groups[rc->group_id];
		g->stats.recover_timeouts++;
		for (pb = recover_take(g, rc); pb != NULL; pb = next) {
			next = pb->next;
			pb->next = NULL;
			anycast_guess(r, g, pb);
		}
	}
}
