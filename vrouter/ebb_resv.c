/*
 * Reservations at each hop of a path (paper 2 step 7): a RESERVE goes
 * from the resolver along the path its ANSWER brought back; each router
 * on it takes the bandwidth on its links of the path (the one from the
 * previous router, the one to the next), with the reservation's
 * lifetime, and passes it on; the last one sends RESERVE_ACK back.  A
 * router whose link has less residual bandwidth than asked sends
 * RESERVE_NAK back instead, and every router the NAK crosses gives its
 * share back.  The shares are the interfaces' reserved_kbit, which
 * their residual bandwidth (iface_residual_mbit()) takes off.
 */
#include <string.h>

#include "log.h"
#include "addr.h"
#include "iface.h"
#include "router.h"
#include "ebb.h"

#define NS_PER_MS		1000000ull
#define MAX_LIFETIME_MS		3600000u

/* reserved_kbit of the interface: its live reservations, summed. */
static void
account(struct router *r, int ifindex)
{
	if (ifindex >= 0 && ifindex < r->nifaces)
		r->ifaces[ifindex]->reserved_kbit = ebb_resv_sum(r->ebb->resv,
		    EBB_RESV_MAX, ifindex, NULL, 0);
}

/* The links of this router at position pos of m's path. */
static int
path_links(struct router *r, const struct ebb_msg *m, int pos,
    struct iface *links[2])
{
	struct ebb_nbr	*n;
	int		 k = 0;

	if (pos > 0) {
		if ((n = ebb_nbr_by_id(r, &m->path[pos - 1])) == NULL)
			return -1;
		links[k++] = n->ifp;
	}
	if (pos < m->npath - 1) {
		if ((n = ebb_nbr_by_id(r, &m->path[pos + 1])) == NULL)
			return -1;
		if (k == 0 || n->ifp != links[0])
			links[k++] = n->ifp;
	}
	return k;
}

/* What the link has left for (origin, id): capacity, rate, the others. */
static uint64_t
avail_kbit(struct router *r, struct iface *ifp, const struct ebb_msg *m)
{
	uint64_t	 cap = (uint64_t)iface_capacity_mbit(ifp) * 1000;
	uint64_t	 used = (uint64_t)iface_rate_mbit(ifp) * 1000 +
			    ebb_resv_sum(r->ebb->resv, EBB_RESV_MAX,
			    ifp->index, &m->origin, m->req_id);

	return used >= cap ? 0 : cap - used;
}

bool
ebb_resv_take(struct router *r, const struct ebb_msg *m, int pos,
    uint32_t *residual_mbit)
{
	struct ebb	*e = r->ebb;
	struct iface	*links[2];
	struct ebb_resv	*rv;
	uint64_t	 a, least = UINT64_MAX;
	uint32_t	 life = m->lifetime_ms < MAX_LIFETIME_MS ?
			    m->lifetime_ms : MAX_LIFETIME_MS;
	int		 k;

	*residual_mbit = 0;
	if ((k = path_links(r, m, pos, links)) < 0)
		return false;
	for (int i = 0; i < k; i++)
		if ((a = avail_kbit(r, links[i], m)) < least)
			least = a;
	if (k > 0)
		*residual_mbit = (uint32_t)(least / 1000);
	if (k > 0 && least < m->kbit)
		return false;
	for (int i = 0; i < k; i++) {
		if ((rv = ebb_resv_slot(e->resv, EBB_RESV_MAX, &m->origin,
		    m->req_id, links[i]->index)) == NULL) {
			e->stats.resv_full++;
			ebb_resv_give(r, &m->origin, m->req_id);
			return false;
		}
		rv->kbit = m->kbit;
		rv->until_ns = r->now_ns + life * NS_PER_MS;
		rv->group = m->group;
		account(r, links[i]->index);
	}
	return true;
}

void
ebb_resv_give(struct router *r, const struct in6_addr *origin, uint32_t id)
{
	struct ebb_resv	*rv;

	for (size_t i = 0; i < EBB_RESV_MAX; i++) {
		rv = &r->ebb->resv[i];
		if (!rv->used || rv->id != id ||
		    memcmp(&rv->origin, origin, sizeof(*origin)) != 0)
			continue;
		rv->used = false;
		r->ebb->stats.resv_released++;
		account(r, rv->ifindex);
	}
}

void
ebb_reserve_in(struct router *r, const struct ebb_msg *m)
{
	struct ebb	*e = r->ebb;
	struct ebb_msg	 a;
	uint32_t	 res;
	int		 pos = ebb_path_pos(r, m);

	if (pos <= 0 || !ebb_path_has(m->path, (size_t)pos, &m->sender)) {
		e->stats.rx_unexpected++;
		return;
	}
	a = *m;
	if (!ebb_resv_take(r, m, pos, &res)) {
		e->stats.resv_refused++;
		log_info("ebb: reservation %u of %u kbit from %s refused "
		    "(residual %u Mbit/s)", m->req_id, m->kbit,
		    fmt_addr(&m->origin), res);
		a.type = EBB_RESERVE_NAK;
		a.bw_mbit = res;
		(void)ebb_send_to(r, &a, pos - 1);
		return;
	}
	e->stats.resv_accepted++;
	if (pos == m->npath - 1) {
		a.type = EBB_RESERVE_ACK;
		(void)ebb_send_to(r, &a, pos - 1);
		return;
	}
	if (ebb_send_to(r, &a, pos + 1) == -1) {
		ebb_resv_give(r, &m->origin, m->req_id);
		a.type = EBB_RESERVE_NAK;
		a.bw_mbit = 0;
		(void)ebb_send_to(r, &a, pos - 1);
	}
}

void
ebb_reply_in(struct router *r, const struct ebb_msg *m)
{
	struct ebb_msg	 a = *m;
	int		 pos = ebb_path_pos(r, m);
	bool		 ok = m->type == EBB_RESERVE_ACK;

	if (pos < 0 || pos >= m->npath - 1) {
		r->ebb->stats.rx_unexpected++;
		return;
	}
	if (!ok && pos > 0)
		ebb_resv_give(r, &m->origin, m->req_id);
	if (pos == 0)
		ebb_resv_done(r, m, ok);
	else
		(void)ebb_send_to(r, &a, pos - 1);
}

void
ebb_release_in(struct router *r, const struct ebb_msg *m)
{
	struct ebb_msg	 a = *m;
	int		 pos = ebb_path_pos(r, m);

	if (pos <= 0) {
		r->ebb->stats.rx_unexpected++;
		return;
	}
	ebb_resv_give(r, &m->origin, m->req_id);
	if (pos < m->npath - 1)
		(void)ebb_send_to(r, &a, pos + 1);
}

void
ebb_resv_tick(struct router *r)
{
	struct ebb_resv	*rv;

	for (size_t i = 0; i < EBB_RESV_MAX; i++) {
		rv = &r->ebb->resv[i];
		if (!rv->used || rv->until_ns > r->now_ns)
			continue;
		rv->used = false;
		r->ebb->stats.resv_expired++;
		account(r, rv->ifindex);
	}
}
