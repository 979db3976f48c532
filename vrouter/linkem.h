/*
 * linkem.c: link emulation, per interface and direction (the kernel's
 * netem is not always there): delay, jitter, loss, rate and a queue
 * limit.  Frames wait in a FIFO of packet buffers (no allocation per
 * frame; the queue is bounded by its limit and by the buffer pool) and
 * leave in order when due.  The queue logic runs on a clock it is given,
 * so the packet-fixture mode and the unit tests drive it virtually.
 */
#ifndef VROUTER_LINKEM_H
#define VROUTER_LINKEM_H

#include <stdbool.h>
#include <stdint.h>

struct event;
struct pbuf;

#define LINKEM_DEFAULT_LIMIT	256	/* frames queued */
#define LINKEM_MAX_LIMIT	4096
#define LINKEM_MAX_DELAY_US	10000000	/* 10 s */
#define LINKEM_PPM		1000000		/* loss_ppm of 100 % */

enum linkem_dir { LINKEM_IN, LINKEM_OUT, LINKEM_DIRS };

struct linkem_conf {
	uint32_t	 delay_us;
	uint32_t	 jitter_us;	/* uniform in [-jitter, +jitter] */
	uint32_t	 loss_ppm;	/* frames lost per million */
	uint64_t	 rate_bps;	/* IPv6 bits per second, 0 = no limit */
	uint32_t	 limit;		/* frames waiting at most */
};

#define LINKEM_COUNTERS(X)						\
	X(passed,	"Frames through the emulated link.")		\
	X(lost,		"Frames lost on purpose (loss).")		\
	X(overlimit,	"Frames dropped: the emulated queue was full.")

struct linkem_stats {
#define X(f, help) uint64_t f;
	LINKEM_COUNTERS(X)
#undef X
};

enum linkem_verdict { LINKEM_QUEUED, LINKEM_NOW, LINKEM_LOST,
	LINKEM_OVERLIMIT };

struct linkem {
	struct linkem_conf c;
	struct pbuf	*head;
	struct pbuf	*tail;
	uint32_t	 qlen;
	uint64_t	 link_free_ns;	/* the rate: when the wire is free */
	uint64_t	 last_due_ns;	/* no frame overtakes the one ahead */
	uint64_t	 rng;
	struct linkem_stats st;
	struct event	*ev;		/* live mode: the next departure */
};

/* Does this configuration change anything? */
bool	 linkem_active(const struct linkem_conf *);
void	 linkem_init(struct linkem *, const struct linkem_conf *,
	    uint64_t seed);
/*
 * Offer a frame of wire_bytes IPv6 bytes at now: LINKEM_QUEUED (it
 * waits, pb->due_ns says until when), LINKEM_NOW (nothing delays it:
 * the caller sends it), or LOST/OVERLIMIT (the caller frees it).
 */
enum linkem_verdict linkem_offer(struct linkem *, struct pbuf *,
	    uint32_t wire_bytes, uint64_t now_ns);
/* The next frame due by now, or NULL; dequeued. */
struct pbuf *linkem_next(struct linkem *, uint64_t now_ns);
/* When the head of the queue is due; 0 when the queue is empty. */
uint64_t linkem_due(const struct linkem *);
/* Take every queued frame out (the caller frees them). */
struct pbuf *linkem_drain(struct linkem *);

#endif /* VROUTER_LINKEM_H */
