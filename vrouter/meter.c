/*
 * Rate meters (meter.h): an EWMA of the rate seen between two updates,
 * weighted by the share of the time constant the interval covers, so a
 * late tick counts for more and a long gap replaces the average.
 */
#include "meter.h"

void
meter_update(struct rate_meter *m, uint64_t bytes, uint64_t now_ns,
    uint64_t tau_ns)
{
	uint64_t	 dt, db, inst;
	double		 w;

	if (m->last_ns == 0 || now_ns <= m->last_ns || bytes < m->last_bytes) {
		m->last_ns = now_ns;
		m->last_bytes = bytes;
		return;
	}
	dt = now_ns - m->last_ns;
	db = bytes - m->last_bytes;
	inst = (uint64_t)((double)db * 8.0 * 1e9 / (double)dt);
	w = tau_ns == 0 || dt >= tau_ns ? 1.0 : (double)dt / (double)tau_ns;
	m->bps = (uint64_t)((double)m->bps + w * ((double)inst -
	    (double)m->bps));
	m->last_ns = now_ns;
	m->last_bytes = bytes;
}
