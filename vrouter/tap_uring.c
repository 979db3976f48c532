/*
 * The io_uring backend of the TAPs: many frames per wakeup, few system
 * calls.  One ring for the router:
 *
 * - reads: one multishot read per TAP (IORING_OP_READ_MULTISHOT, Linux
 *   6.7) that takes its buffers from a provided-buffer ring of pbufs of
 *   its own; each completion carries one frame, vnet header first, and
 *   its buffer is replaced by a fresh pbuf at the end of the batch;
 * - writes: one WRITEV per frame, queued, and submitted once per batch
 *   (at most TX_MAX in flight: more drop as on a full wire);
 * - wakeups: completions signal an eventfd that the event loop watches;
 *   a batch handles every completion there is, then submits once.
 *
 * Ownership: a pbuf in a buffer ring belongs to this file until its read
 * completes; one handed to tap_uring_write() until its write completes,
 * when iface_xmit_done() counts and frees it.
 */
#include <sys/eventfd.h>
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <liburing.h>

#include "log.h"
#include "util.h"
#include "pbuf.h"
#include "iface.h"
#include "fwd.h"
#include "router.h"
#include "ripng.h"

/* liburing 2.3's headers predate the multishot read (Linux 6.7). */
#define OP_READ_MULTISHOT	49

#define RING_SQ		512
#define RING_CQ		8192	/* multishot reads post many per arm */
#define TX_MAX		256	/* writes in flight, all TAPs */
#define RX_SLOTS	64	/* buffers per TAP (power of 2) */
#define CQE_BATCH	256
#define DRAIN_BUDGET	1024	/* completions per wakeup */
#define VNET_LEN	sizeof(struct virtio_net_hdr)
#define UD_READ		1ull	/* tag of a read's user_data (an iface) */

/* One TAP's receive side: its multishot read and buffer ring. */
struct tap_rx {
	struct iface		*ifp;
	struct io_uring_buf_ring *br;
	size_t			 br_size;
	unsigned int		 nslots;	/* power of 2 */
	uint16_t		 bgid;
	struct pbuf		*slot[RX_SLOTS];	/* by buffer id */
	bool			 armed;		/* read in the kernel */
	bool			 failed;	/* error: re-arm on the tick */
};

struct tap_uring {
	struct router		*r;
	struct io_uring		 ring;
	int			 efd;
	struct event		*ev;		/* efd readable */
	struct event		*flush_ev;	/* writes queued outside a batch */
	struct tap_rx		*rx[CFG_MAX_IFACES];
	int			 nrx;
	unsigned int		 tx_inflight;
	bool			 in_batch;
	bool			 stopping;
};

static void	uring_submit(struct tap_uring *);

/* ---------------------------------------------------------------------- */
/* receive */

/* Buffers each TAP may hold: at most half the pool over all TAPs. */
static unsigned int
rx_slots(const struct router *r)
{
	unsigned int	 n = RX_SLOTS, share;

	share = r->conf->pbufs / 2 / (unsigned int)(r->conf->nifaces > 0 ?
	    r->conf->nifaces : 1);
	while (n > 1 && n > share)
		n /= 2;
	return n;
}

/* Give every empty slot a pbuf; re-arm the read if it ended. */
static void
rx_refill(struct tap_uring *u, struct tap_rx *rx)
{
	struct io_uring_sqe	*sqe;
	struct pbuf		*pb;
	int			 added = 0, mask;
	unsigned int		 filled = 0;

	mask = io_uring_buf_ring_mask(rx->nslots);
	for (unsigned int b = 0; b < rx->nslots; b++) {
		if (rx->slot[b] != NULL) {
			filled++;
			continue;
		}
		if ((pb = pbuf_alloc()) == NULL) {
			/* Frames wait in the TAP until buffers come back. */
			iface_count_drop(rx->ifp, DROP_NO_BUFFER);
			break;
		}
		rx->slot[b] = pb;
		io_uring_buf_ring_add(rx->br, pb->data - VNET_LEN,
		    VNET_LEN + PBUF_DATA, (unsigned short)b, mask, added++);
		filled++;
	}
	if (added > 0)
		io_uring_buf_ring_advance(rx->br, added);
	if (rx->armed || rx->failed || filled == 0 || u->stopping)
		return;
	if ((sqe = io_uring_get_sqe(&u->ring)) == NULL) {
		uring_submit(u);
		if ((sqe = io_uring_get_sqe(&u->ring)) == NULL)
			return;		/* the next batch tries again */
	}
	io_uring_prep_rw(OP_READ_MULTISHOT, sqe, rx->ifp->fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = rx->bgid;
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)rx | UD_READ);
	rx->armed = true;
}

/* One read completion: a frame for the router, or the read's end. */
static void
rx_complete(struct tap_uring *u, struct tap_rx *rx,
    const struct io_uring_cqe *cqe)
{
	struct iface	*ifp = rx->ifp;
	struct pbuf	*pb;
	unsigned int	 bid;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		rx->armed = false;
	if (cqe->res < 0) {
		/* ENOBUFS: the ring ran dry; the refill re-arms. */
		if (cqe->res != -ENOBUFS && cqe->res != -ECANCELED) {
			log_warnx("%s: %s: %s", __func__, ifp->name,
			    strerror(-cqe->res));
			rx->failed = true;
		}
		return;
	}
	if (!(cqe->flags & IORING_CQE_F_BUFFER))
		return;
	bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	if (bid >= rx->nslots || (pb = rx->slot[bid]) == NULL)
		fatalx("%s: %s: completion for buffer %u not lent",
		    __func__, ifp->name, bid);
	rx->slot[bid] = NULL;
	if (u->stopping) {
		pbuf_free(pb);
		return;
	}
	if ((size_t)cqe->res < VNET_LEN) {
		iface_count_drop(ifp, DROP_SHORT_FRAME);
		pbuf_free(pb);
		return;
	}
	pb->len = (uint32_t)((size_t)cqe->res - VNET_LEN);
	if (pb->len >= PBUF_DATA) {
		iface_count_drop(ifp, DROP_OVERSIZE);
		pbuf_free(pb);
		return;
	}
	/* The kernel put the vnet header just in front of the frame. */
	memcpy(&pb->vnet, pb->data - VNET_LEN, VNET_LEN);
	router_input(u->r, ifp, pb);
}

int
tap_uring_add(struct iface *ifp, char *err, size_t errlen)
{
	struct tap_uring	*u = ifp->router->uring;
	struct io_uring_buf_reg	 reg;
	struct tap_rx		*rx;
	int			 rc;

	rx = xcalloc(1, sizeof(*rx));
	rx->ifp = ifp;
	rx->nslots = rx_slots(ifp->router);
	rx->bgid = (uint16_t)u->nrx;
	rx->br_size = rx->nslots * sizeof(struct io_uring_buf);
	/* The ring is shared with the kernel: page-aligned memory. */
	rx->br = mmap(NULL, rx->br_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rx->br == MAP_FAILED) {
		snprintf(err, errlen, "%s: buffer ring: %s", ifp->name,
		    strerror(errno));
		free(rx);
		return -1;
	}
	io_uring_buf_ring_init(rx->br);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)rx->br;
	reg.ring_entries = rx->nslots;
	reg.bgid = rx->bgid;
	if ((rc = io_uring_register_buf_ring(&u->ring, &reg, 0)) != 0) {
		snprintf(err, errlen, "%s: registering a buffer ring: %s",
		    ifp->name, strerror(-rc));
		munmap(rx->br, rx->br_size);
		free(rx);
		return -1;
	}
	u->rx[u->nrx++] = rx;
	ifp->rx = rx;
	rx_refill(u, rx);
	uring_submit(u);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* transmit */

void
tap_uring_write(struct iface *ifp, struct pbuf *pb)
{
	struct tap_uring	*u = ifp->router->uring;
	struct io_uring_sqe	*sqe;

	if (u->tx_inflight >= TX_MAX) {
		iface_xmit_done(ifp, pb, DROP_TX_RING_FULL);
		return;
	}
	if ((sqe = io_uring_get_sqe(&u->ring)) == NULL) {
		uring_submit(u);
		if ((sqe = io_uring_get_sqe(&u->ring)) == NULL) {
			iface_xmit_done(ifp, pb, DROP_TX_RING_FULL);
			return;
		}
	}
	pb->out = ifp;
	pb->iov[0].iov_base = &pb->vnet;
	pb->iov[0].iov_len = VNET_LEN;
	pb->iov[1].iov_base = pb->data;
	pb->iov[1].iov_len = pb->len;
	io_uring_prep_writev(sqe, ifp->fd, pb->iov, 2, 0);
	io_uring_sqe_set_data(sqe, pb);
	u->tx_inflight++;
	/* From a timer or the API: submitted before the loop sleeps. */
	if (!u->in_batch && !event_pending(u->flush_ev, EV_TIMEOUT, NULL))
		event_active(u->flush_ev, EV_TIMEOUT, 0);
}

static void
tx_complete(struct tap_uring *u, struct pbuf *pb,
    const struct io_uring_cqe *cqe)
{
	u->tx_inflight--;
	/* A short or failed write drops like a full wire; no retry. */
	iface_xmit_done(pb->out, pb, cqe->res ==
	    (int)(VNET_LEN + pb->len) ? DROP_NONE : DROP_TX_ERROR);
}

/* ---------------------------------------------------------------------- */
/* the batch */

static void
uring_submit(struct tap_uring *u)
{
	int	 rc;

	if (io_uring_sq_ready(&u->ring) == 0)
		return;
	if ((rc = io_uring_submit(&u->ring)) < 0 && rc != -EAGAIN &&
	    rc != -EBUSY && rc != -EINTR)
		fatalx("%s: io_uring_submit: %s", __func__, strerror(-rc));
}

/* Handle up to max completions; how many there were. */
static unsigned int
uring_reap(struct tap_uring *u, unsigned int max)
{
	struct io_uring_cqe	*cqes[CQE_BATCH];
	unsigned int		 n, total = 0;
	uint64_t		 ud;

	while (total < max &&
	    (n = io_uring_peek_batch_cqe(&u->ring, cqes, CQE_BATCH)) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			ud = io_uring_cqe_get_data64(cqes[i]);
			if (ud & UD_READ)
				rx_complete(u, (struct tap_rx *)(uintptr_t)
				    (ud & ~UD_READ), cqes[i]);
			else if (ud != 0)
				tx_complete(u, (struct pbuf *)(uintptr_t)ud,
				    cqes[i]);
		}
		io_uring_cq_advance(&u->ring, n);
		total += n;
	}
	return total;
}

/*
 * Every completion there is (up to a budget), then the buffers back in
 * the rings and one submission for all the writes.  The eventfd stays
 * quiet meanwhile: writes that complete inside the submission are
 * reaped here instead of waking the loop again.
 */
static void
uring_batch(struct tap_uring *u)
{
	unsigned int	 n = 0;

	router_clock(u->r);
	u->in_batch = true;
	io_uring_cq_eventfd_toggle(&u->ring, false);
	do {
		n += uring_reap(u, DRAIN_BUDGET - n);
		for (int i = 0; i < u->nrx; i++)
			rx_refill(u, u->rx[i]);
		uring_submit(u);
	} while (n < DRAIN_BUDGET && io_uring_cq_ready(&u->ring) > 0);
	ripng_flush(u->r);	/* a group emptied: tell the neighbours now */
	uring_submit(u);
	io_uring_cq_eventfd_toggle(&u->ring, true);
	u->in_batch = false;
	/* Left over, or posted while the eventfd was off: come back. */
	if (io_uring_cq_ready(&u->ring) > 0)
		event_active(u->ev, EV_READ, 0);
}

static void
uring_event_cb(int fd, short events, void *arg)
{
	struct tap_uring	*u = arg;
	uint64_t		 v;

	(void)events;
	if (read(fd, &v, sizeof(v)) == -1 && errno != EAGAIN)
		log_warn("%s: eventfd", __func__);
	uring_batch(u);
}

static void
uring_flush_cb(int fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	uring_submit(arg);
}

void
tap_uring_tick(struct router *r)
{
	struct tap_uring	*u = r->uring;

	if (u == NULL)
		return;
	/* Buffers freed by timers, reads that failed: try again. */
	for (int i = 0; i < u->nrx; i++) {
		u->rx[i]->failed = false;
		rx_refill(u, u->rx[i]);
	}
	uring_submit(u);
}

/* ---------------------------------------------------------------------- */
/* start and stop */

int
tap_uring_init(struct router *r, char *err, size_t errlen)
{
	struct io_uring_params	 params;
	struct io_uring_probe	*probe;
	struct tap_uring	*u;
	int			 rc;

	u = xcalloc(1, sizeof(*u));
	u->r = r;
	u->efd = -1;
	memset(&params, 0, sizeof(params));
	params.flags = IORING_SETUP_CQSIZE;
	params.cq_entries = RING_CQ;
	if ((rc = io_uring_queue_init_params(RING_SQ, &u->ring, &params)) !=
	    0) {
		snprintf(err, errlen, "io_uring_queue_init: %s", strerror(-rc));
		free(u);
		return -1;
	}
	probe = io_uring_get_probe_ring(&u->ring);
	rc = probe != NULL && io_uring_opcode_supported(probe,
	    OP_READ_MULTISHOT) && io_uring_opcode_supported(probe,
	    IORING_OP_WRITEV) && (params.features & IORING_FEAT_NODROP);
	io_uring_free_probe(probe);
	if (!rc) {
		snprintf(err, errlen, "io_uring: no multishot read "
		    "(Linux 6.7 or later needed)");
		io_uring_queue_exit(&u->ring);
		free(u);
		return -1;
	}
	if ((u->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (rc = io_uring_register_eventfd(&u->ring, u->efd)) != 0) {
		snprintf(err, errlen, "io_uring eventfd: %s",
		    strerror(u->efd == -1 ? errno : -rc));
		if (u->efd != -1)
			close(u->efd);
		io_uring_queue_exit(&u->ring);
		free(u);
		return -1;
	}
	u->ev = event_new(r->base, u->efd, EV_READ | EV_PERSIST,
	    uring_event_cb, u);
	u->flush_ev = event_new(r->base, -1, 0, uring_flush_cb, u);
	if (u->ev == NULL || u->flush_ev == NULL || event_add(u->ev, NULL) ==
	    -1)
		fatalx("%s: event_add", __func__);
	r->uring = u;
	return 0;
}

/*
 * Cancel the reads, wait for every write, and return every pbuf the
 * rings hold to the pool.  Before the TAPs close.
 */
void
tap_uring_stop(struct router *r)
{
	struct tap_uring	*u = r->uring;
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 100000000 };
	struct io_uring_cqe	*cqe;
	struct io_uring_sqe	*sqe;
	bool			 armed;

	if (u == NULL)
		return;
	u->stopping = true;
	u->in_batch = true;
	for (int i = 0; i < u->nrx; i++) {
		if (!u->rx[i]->armed)
			continue;
		if ((sqe = io_uring_get_sqe(&u->ring)) == NULL) {
			uring_submit(u);
			sqe = io_uring_get_sqe(&u->ring);
		}
		if (sqe != NULL) {
			io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)
			    u->rx[i] | UD_READ, 0);
			io_uring_sqe_set_data64(sqe, 0);
		}
	}
	/* Ten tries of 100 ms: the kernel answers at once in practice. */
	for (int tries = 0; tries < 10; tries++) {
		uring_reap(u, UINT32_MAX);
		armed = false;
		for (int i = 0; i < u->nrx; i++)
			armed |= u->rx[i]->armed;
		if (!armed && u->tx_inflight == 0 &&
		    io_uring_sq_ready(&u->ring) == 0)
			break;
		(void)io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts,
		    NULL);
	}
	if (u->tx_inflight > 0)
		log_warnx("%s: %u writes did not complete", __func__,
		    u->tx_inflight);
	for (int i = 0; i < u->nrx; i++) {
		struct tap_rx	*rx = u->rx[i];

		for (unsigned int b = 0; b < rx->nslots; b++)
			pbuf_free(rx->slot[b]);
		(void)io_uring_unregister_buf_ring(&u->ring, rx->bgid);
		munmap(rx->br, rx->br_size);
		rx->ifp->rx = NULL;
		free(rx);
	}
	event_free(u->ev);
	event_free(u->flush_ev);
	io_uring_queue_exit(&u->ring);
	close(u->efd);
	free(u);
	r->uring = NULL;
}
