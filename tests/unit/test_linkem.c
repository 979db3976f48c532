/*
 * linkem.c: the queue of an emulated link on a virtual clock: delay,
 * the rate's serialisation, jitter without reordering, loss close to
 * its rate, the queue limit.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "pbuf.h"
#include "linkem.h"

#define MS	1000000ull

static struct pbuf	 bufs[64];

static void
init(struct linkem *em, uint32_t delay_us, uint32_t jitter_us,
    uint32_t loss_ppm, uint64_t rate_bps, uint32_t limit)
{
	struct linkem_conf	 c = { delay_us, jitter_us, loss_ppm, rate_bps,
				    limit };

	memset(em, 0, sizeof(*em));
	linkem_init(em, &c, 42);
}

Test(linkem, inactive_passes_at_once)
{
	struct linkem	 em;

	init(&em, 0, 0, 0, 0, 0);
	cr_assert(!linkem_active(&em.c));
	cr_assert_eq(linkem_offer(&em, &bufs[0], 100, 5 * MS), LINKEM_NOW);
	cr_assert_eq(em.st.passed, 1);
	cr_assert_eq(em.c.limit, LINKEM_DEFAULT_LIMIT);
}

Test(linkem, delay)
{
	struct linkem	 em;

	init(&em, 20000, 0, 0, 0, 0);
	cr_assert_eq(linkem_offer(&em, &bufs[0], 100, 1 * MS), LINKEM_QUEUED);
	cr_assert_eq(linkem_offer(&em, &bufs[1], 100, 2 * MS), LINKEM_QUEUED);
	cr_assert_eq(linkem_due(&em), 21 * MS);
	cr_assert_null(linkem_next(&em, 21 * MS - 1));
	cr_assert_eq(linkem_next(&em, 21 * MS), &bufs[0]);
	cr_assert_null(linkem_next(&em, 21 * MS));
	cr_assert_eq(linkem_due(&em), 22 * MS);
	cr_assert_eq(linkem_next(&em, 30 * MS), &bufs[1]);
	cr_assert_eq(linkem_due(&em), 0);
	cr_assert_eq(em.st.passed, 2);
}

/* 8 Mbit/s: 1000 bytes take 1 ms on the wire, one after the other. */
Test(linkem, rate_serialises)
{
	struct linkem	 em;

	init(&em, 0, 0, 0, 8000000, 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(linkem_offer(&em, &bufs[i], 1000, 0),
		    LINKEM_QUEUED);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(linkem_due(&em), (uint64_t)(i + 1) * MS);
		cr_assert_eq(linkem_next(&em, 100 * MS), &bufs[i]);
	}
	/* An idle wire: the next frame waits only its own time. */
	cr_assert_eq(linkem_offer(&em, &bufs[5], 1000, 50 * MS),
	    LINKEM_QUEUED);
	cr_assert_eq(linkem_due(&em), 51 * MS);
}

Test(linkem, jitter_keeps_order_and_range)
{
	struct linkem	 em;
	uint64_t	 last = 0, lo = UINT64_MAX, hi = 0, d;

	init(&em, 10000, 5000, 0, 0, 64);
	for (int i = 0; i < 64; i++) {
		cr_assert_eq(linkem_offer(&em, &bufs[i], 100,
		    (uint64_t)i * 20 * MS), LINKEM_QUEUED);
		d = bufs[i].due_ns - (uint64_t)i * 20 * MS;
		cr_assert(bufs[i].due_ns >= last, "frame %d overtakes", i);
		last = bufs[i].due_ns;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	cr_assert(lo >= 5 * MS && hi <= 15 * MS, "delays %llu..%llu ns",
	    (unsigned long long)lo, (unsigned long long)hi);
	cr_assert(hi - lo > 5 * MS, "jitter spread only %llu ns",
	    (unsigned long long)(hi - lo));
}

Test(linkem, loss_rate)
{
	struct linkem	 em;
	int		 lost = 0;

	init(&em, 0, 0, 100000, 0, 0);	/* 10 % */
	for (int i = 0; i < 100000; i++)
		if (linkem_offer(&em, &bufs[0], 100, 0) == LINKEM_LOST)
			lost++;
	cr_assert(lost > 9500 && lost < 10500, "lost %d of 100000", lost);
	cr_assert_eq(em.st.lost, (uint64_t)lost);
	cr_assert_eq(em.st.passed, (uint64_t)(100000 - lost));
}

Test(linkem, limit_and_drain)
{
	struct linkem	 em;
	struct pbuf	*pb;
	int		 n = 0;

	init(&em, 1000, 0, 0, 0, 3);
	for (int i = 0; i < 5; i++)
		linkem_offer(&em, &bufs[i], 100, 0);
	cr_assert_eq(em.qlen, 3);
	cr_assert_eq(em.st.overlimit, 2);
	for (pb = linkem_drain(&em); pb != NULL; pb = pb->next)
		n++;
	cr_assert_eq(n, 3);
	cr_assert_eq(em.qlen, 0);
	cr_assert_null(linkem_next(&em, UINT64_MAX));
}
