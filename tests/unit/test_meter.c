/*
 * meter.c: the averaged rate of a byte counter on a virtual clock.
 */
#include <criterion/criterion.h>

#include "meter.h"

#define MS	1000000ull

Test(meter, first_update_only_starts)
{
	struct rate_meter	 m = { 0 };

	meter_update(&m, 5000, 100 * MS, METER_TAU_NS);
	cr_assert_eq(m.bps, 0);
	cr_assert_eq(m.last_bytes, 5000);
}

Test(meter, steady_rate_converges)
{
	struct rate_meter	 m = { 0 };
	uint64_t		 bytes = 0;

	/* 10 Mbit/s = 125 000 bytes per 100 ms tick, for 5 s. */
	for (uint64_t t = 1; t <= 51; t++) {
		meter_update(&m, bytes, t * 100 * MS, METER_TAU_NS);
		bytes += 125000;
	}
	cr_assert(m.bps > 9900000 && m.bps <= 10000000, "%lu",
	    (unsigned long)m.bps);
}

Test(meter, decays_when_idle)
{
	struct rate_meter	 m = { 0 };

	meter_update(&m, 0, 100 * MS, METER_TAU_NS);
	meter_update(&m, 1250000, 1100 * MS, METER_TAU_NS);	/* 10 Mbit/s */
	cr_assert_eq(m.bps, 10000000);
	meter_update(&m, 1250000, 1200 * MS, METER_TAU_NS);
	cr_assert_eq(m.bps, 9000000);	/* a tenth of tau at 0 */
	meter_update(&m, 1250000, 3200 * MS, METER_TAU_NS);
	cr_assert_eq(m.bps, 0);		/* a gap longer than tau */
}

Test(meter, counter_reset_restarts)
{
	struct rate_meter	 m = { 0 };

	meter_update(&m, 1000000, 100 * MS, METER_TAU_NS);
	meter_update(&m, 10, 200 * MS, METER_TAU_NS);
	cr_assert_eq(m.bps, 0);
	cr_assert_eq(m.last_bytes, 10);
}
