/*
 * The token bucket on a clock the test drives.
 */
#include <criterion/criterion.h>

#include "tbucket.h"

#define MS	1000000ull
#define SEC	1000000000ull

static unsigned int
drain(struct tbucket *tb, uint64_t now)
{
	unsigned int	 n = 0;

	while (tb_take(tb, now))
		if (++n > 1000000)
			cr_assert_fail("bucket never empties");
	return n;
}

Test(tbucket, starts_full_with_burst)
{
	struct tbucket	 tb;

	tb_init(&tb, 10, 5, 1000 * SEC);
	cr_assert_eq(drain(&tb, 1000 * SEC), 5);
	cr_assert(!tb_take(&tb, 1000 * SEC));
}

Test(tbucket, refill_rate)
{
	struct tbucket	 tb;
	uint64_t	 t = 7 * SEC;

	tb_init(&tb, 10, 5, t);
	drain(&tb, t);
	/* One token per 100 ms. */
	cr_assert(!tb_take(&tb, t + 99 * MS));
	cr_assert(tb_take(&tb, t + 100 * MS));
	cr_assert(!tb_take(&tb, t + 100 * MS));
	cr_assert_eq(drain(&tb, t + 350 * MS), 2);
	/* A long pause refills up to the burst, no further. */
	cr_assert_eq(drain(&tb, t + 100 * SEC), 5);
}

/* Frequent calls must not lose the fractions of a token between them. */
Test(tbucket, steady_rate_with_small_steps)
{
	struct tbucket	 tb;
	uint64_t	 t = 0, step = 37000;	/* 37 us */
	unsigned int	 n = 0;

	/* Burst above 1: tokens are taken before the bucket can cap them. */
	tb_init(&tb, 100, 5, t);
	drain(&tb, t);
	while (t < 10 * SEC) {
		t += step;
		n += tb_take(&tb, t);
	}
	/* 100/s for 10 s. */
	cr_assert(n >= 999 && n <= 1001, "took %u", n);
}

Test(tbucket, time_going_backwards)
{
	struct tbucket	 tb;
	uint64_t	 t = 50 * SEC;

	tb_init(&tb, 1, 2, t);
	cr_assert_eq(drain(&tb, t), 2);
	/* Backwards, even far: no refill. */
	cr_assert(!tb_take(&tb, t - 10 * SEC));
	cr_assert(!tb_take(&tb, 0));
	/*
	 * The bucket follows the clock from where it went back to: the
	 * usual rate from there, never a refill for the jump itself.
	 */
	cr_assert(!tb_take(&tb, 500 * MS));
	cr_assert(tb_take(&tb, 1 * SEC));
	cr_assert(!tb_take(&tb, 1 * SEC));
	cr_assert(!tb_take(&tb, 1 * SEC + 999 * MS));
	cr_assert(tb_take(&tb, 2 * SEC));
}

Test(tbucket, rate_zero_never_allows)
{
	struct tbucket	 tb;

	tb_init(&tb, 0, 10, 0);
	cr_assert(!tb_take(&tb, 0));
	cr_assert(!tb_take(&tb, 1000 * SEC));
}

Test(tbucket, burst_zero_never_allows)
{
	struct tbucket	 tb;

	tb_init(&tb, 100, 0, 0);
	cr_assert(!tb_take(&tb, 0));
	cr_assert(!tb_take(&tb, 10 * SEC));
}

Test(tbucket, huge_values)
{
	struct tbucket	 tb;

	tb_init(&tb, UINT64_MAX, UINT64_MAX, 0);
	cr_assert(tb_take(&tb, 0));
	cr_assert(tb_take(&tb, UINT64_MAX));
	tb_init(&tb, 1, 1, 0);
	cr_assert(tb_take(&tb, 0));
	cr_assert(!tb_take(&tb, 0));
	cr_assert(tb_take(&tb, UINT64_MAX));
}
