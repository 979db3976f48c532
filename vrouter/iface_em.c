/*
 * Link emulation on an interface: frames leaving it (LINKEM_OUT, just
 * before the TAP write) or arriving (LINKEM_IN, just after the TAP read)
 * go through its emulated link (linkem.c).  In live mode a timer per
 * queue wakes at the next departure; in the packet-fixture mode the
 * tick runs the queues on the virtual clock.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "pbuf.h"
#include "linkem.h"
#include "iface.h"
#include "fwd.h"
#include "router.h"

/* IPv6 bytes on the wire: a GSO super-frame's headers once per segment. */
static uint32_t
wire_bytes(const struct pbuf *pb)
{
	uint32_t	 ip = pb->len > ETH_HLEN_ ? pb->len - ETH_HLEN_ : 0;
	uint32_t	 hdr = pb->vnet.hdr_len, seg = pb->vnet.gso_size, n;

	if (pb->vnet.gso_type == VIRTIO_NET_HDR_GSO_NONE || seg == 0 ||
	    hdr <= ETH_HLEN_ || hdr >= pb->len)
		return ip;
	n = (pb->len - hdr + seg - 1) / seg;
	return ip + (n - 1) * (hdr - ETH_HLEN_);
}

static void
em_deliver(struct iface *ifp, enum linkem_dir dir, struct pbuf *pb)
{
	if (dir == LINKEM_OUT)
		iface_xmit(ifp, pb);
	else
		router_receive(ifp->router, ifp, pb);
}

static void
em_run(struct iface *ifp, enum linkem_dir dir)
{
	struct linkem	*em = ifp->em[dir];
	struct router	*r = ifp->router;
	struct pbuf	*pb;
	uint64_t	 due;
	struct timeval	 tv;

	while ((pb = linkem_next(em, r->now_ns)) != NULL)
		em_deliver(ifp, dir, pb);
	if (em->ev == NULL || (due = linkem_due(em)) == 0 ||
	    evtimer_pending(em->ev, NULL))
		return;
	due = due > r->now_ns ? due - r->now_ns : 0;
	tv.tv_sec = (time_t)(due / 1000000000ull);
	tv.tv_usec = (suseconds_t)(due % 1000000000ull / 1000);
	evtimer_add(em->ev, &tv);
}

static void
em_timer_cb(int fd, short ev, void *arg)
{
	struct iface	*ifp = arg;
	enum linkem_dir	 dir;

	(void)fd;
	(void)ev;
	router_clock(ifp->router);
	for (dir = 0; dir < LINKEM_DIRS; dir++)
		if (ifp->em[dir] != NULL)
			em_run(ifp, dir);
}

bool
iface_em_hold(struct iface *ifp, enum linkem_dir dir, struct pbuf *pb)
{
	struct linkem	*em = ifp->em[dir];

	switch (linkem_offer(em, pb, wire_bytes(pb), ifp->router->now_ns)) {
	case LINKEM_NOW:
		return false;
	case LINKEM_LOST:
	case LINKEM_OVERLIMIT:
		pbuf_free(pb);
		return true;
	case LINKEM_QUEUED:
		break;
	}
	if (em->qlen == 1)
		em_run(ifp, dir);	/* arm the timer for it */
	return true;
}

static void
em_flush(struct linkem *em)
{
	struct pbuf	*pb, *next;

	for (pb = linkem_drain(em); pb != NULL; pb = next) {
		next = pb->next;
		pbuf_free(pb);
	}
}

int
iface_set_emulation(struct iface *ifp, enum linkem_dir dir,
    const struct linkem_conf *c)
{
	struct router	*r = ifp->router;
	struct linkem	*em = ifp->em[dir];

	if (em != NULL) {
		em_flush(em);
		if (em->ev != NULL)
			event_free(em->ev);
		free(em);
		ifp->em[dir] = NULL;
	}
	if (!linkem_active(c))
		return 0;
	em = xcalloc(1, sizeof(*em));
	linkem_init(em, c, 0x5eedull + (uint64_t)ifp->index * 2 + dir);
	if (!r->pcap_mode && r->base != NULL &&
	    (em->ev = evtimer_new(r->base, em_timer_cb, ifp)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	ifp->em[dir] = em;
	log_info("%s: %s %s: delay %u us, jitter %u us, loss %u ppm, "
	    "rate %llu bit/s, limit %u", __func__, ifp->name,
	    dir == LINKEM_IN ? "in" : "out", c->delay_us, c->jitter_us,
	    c->loss_ppm, (unsigned long long)c->rate_bps, em->c.limit);
	return 0;
}

void
iface_em_tick(struct router *r)
{
	for (int i = 0; i < r->nifaces; i++)
		for (enum linkem_dir d = 0; d < LINKEM_DIRS; d++)
			if (r->ifaces[i]->em[d] != NULL)
				em_run(r->ifaces[i], d);
}

void
iface_em_free(struct iface *ifp)
{
	static const struct linkem_conf off;

	for (enum linkem_dir d = 0; d < LINKEM_DIRS; d++)
		iface_set_emulation(ifp, d, &off);
}
