/*
 * Link emulation: the queue of one interface and direction (linkem.h).
 * A frame's departure is its arrival, plus the time the rate needs to
 * put it on a free wire, plus the delay and a jitter drawn uniformly in
 * [-jitter, +jitter]; never before the frame ahead of it (no
 * reordering, as on a wire).  Loss is drawn per frame.
 */
#include <stddef.h>

#include "pbuf.h"
#include "linkem.h"

bool
linkem_active(const struct linkem_conf *c)
{
	return c->delay_us != 0 || c->jitter_us != 0 || c->loss_ppm != 0 ||
	    c->rate_bps != 0;
}

void
linkem_init(struct linkem *em, const struct linkem_conf *c, uint64_t seed)
{
	em->c = *c;
	if (em->c.limit == 0)
		em->c.limit = LINKEM_DEFAULT_LIMIT;
	em->rng = seed | 1;
	em->link_free_ns = em->last_due_ns = 0;
}

/* xorshift64* */
static uint64_t
rnd(struct linkem *em)
{
	em->rng ^= em->rng >> 12;
	em->rng ^= em->rng << 25;
	em->rng ^= em->rng >> 27;
	return em->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t
departure(struct linkem *em, uint32_t wire_bytes, uint64_t now)
{
	uint64_t	 t = now, d;
	int64_t		 j = 0;

	if (em->c.rate_bps != 0) {
		if (em->link_free_ns > t)
			t = em->link_free_ns;
		t += (uint64_t)wire_bytes * 8 * 1000000000ull / em->c.rate_bps;
		em->link_free_ns = t;
	}
	if (em->c.jitter_us != 0)
		j = (int64_t)(rnd(em) % (2ull * em->c.jitter_us + 1)) -
		    (int64_t)em->c.jitter_us;
	d = (uint64_t)((int64_t)em->c.delay_us + j > 0 ?
	    (int64_t)em->c.delay_us + j : 0);
	t += d * 1000;
	if (t < em->last_due_ns)
		t = em->last_due_ns;
	em->last_due_ns = t;
	return t;
}

enum linkem_verdict
linkem_offer(struct linkem *em, struct pbuf *pb, uint32_t wire_bytes,
    uint64_t now_ns)
{
	if (em->c.loss_ppm != 0 && rnd(em) % LINKEM_PPM < em->c.loss_ppm) {
		em->st.lost++;
		return LINKEM_LOST;
	}
	if (em->c.delay_us == 0 && em->c.jitter_us == 0 &&
	    em->c.rate_bps == 0) {
		em->st.passed++;
		return LINKEM_NOW;
	}
	if (em->qlen >= em->c.limit) {
		em->st.overlimit++;
		return LINKEM_OVERLIMIT;
	}
	pb->due_ns = departure(em, wire_bytes, now_ns);
	pb->next = NULL;
	if (em->tail != NULL)
		em->tail->next = pb;
	else
		em->head = pb;
	em->tail = pb;
	em->qlen++;
	return LINKEM_QUEUED;
}

struct pbuf *
linkem_next(struct linkem *em, uint64_t now_ns)
{
	struct pbuf	*pb = em->head;

	if (pb == NULL || pb->due_ns > now_ns)
		return NULL;
	if ((em->head = pb->next) == NULL)
		em->tail = NULL;
	pb->next = NULL;
	em->qlen--;
	em->st.passed++;
	return pb;
}

uint64_t
linkem_due(const struct linkem *em)
{
	return em->head != NULL ? em->head->due_ns : 0;
}

struct pbuf *
linkem_drain(struct linkem *em)
{
	struct pbuf	*all = em->head;

	em->head = em->tail = NULL;
	em->qlen = 0;
	em->link_free_ns = em->last_due_ns = 0;
	return all;
}
