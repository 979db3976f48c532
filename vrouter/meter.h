/*
 * meter.c: rate meters.  A meter follows a byte counter and keeps its
 * rate as an exponentially weighted moving average with a time constant
 * (one second on interfaces), updated on the router's tick; pure, so the
 * unit tests and the packet-fixture mode drive it on a virtual clock.
 */
#ifndef VROUTER_METER_H
#define VROUTER_METER_H

#include <stdint.h>

#define METER_TAU_NS	1000000000ull	/* interfaces: 1 s */

struct rate_meter {
	uint64_t	 last_bytes;
	uint64_t	 last_ns;	/* 0: not started */
	uint64_t	 bps;		/* bits per second, averaged */
};

/* The counter reads bytes at now_ns; fold the interval into the rate. */
void	 meter_update(struct rate_meter *, uint64_t bytes, uint64_t now_ns,
	    uint64_t tau_ns);

#endif /* VROUTER_METER_H */
