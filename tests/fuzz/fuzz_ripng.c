/*
 * libFuzzer target for the RIPng codec (ripng_proto.c): any input is
 * the UDP payload of a RIPng message.
 *
 *  1. ripng_parse_hdr() agrees with the header rules read independently.
 *  2. With a good header, ripng_next() accounts for every 20-byte entry:
 *     returned, a next-hop entry, or counted under one reason; every
 *     entry returned is good (plen, metric, prefix).
 *  3. ripng_is_whole_request() holds only for one request entry ::/0
 *     with metric 16, which ripng_next() returns.
 *  4. The good entries rebuilt with ripng_build() parse back the same,
 *     with nothing counted and the sender as next hop.
 * Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ripng_proto.h"

#define FZ_MAX_RTES	512

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ripng_rte	 fz_good[FZ_MAX_RTES];
static uint8_t		 fz_buf[RIPNG_HDR_LEN + FZ_MAX_RTES * RIPNG_RTE_LEN];

static const struct in6_addr fz_zero;

static enum ripng_err
fz_hdr_model(const uint8_t *d, size_t n)
{
	if (n < 4)
		return RIPNG_E_short;
	if ((n - 4) % 20)
		return RIPNG_E_length;
	if (d[0] != 1 && d[0] != 2)
		return RIPNG_E_command;
	if (d[1] != 1)
		return RIPNG_E_version;
	if (d[2] || d[3])
		return RIPNG_E_reserved;
	return RIPNG_OK;
}

static void
fz_check_good(const struct ripng_rte *r)
{
	struct in6_addr	 m = r->prefix;

	if (r->plen > 128 || r->metric == 0 || r->metric > RIPNG_INFINITY)
		abort();
	if (IN6_IS_ADDR_MULTICAST(&r->prefix) ||
	    IN6_IS_ADDR_LINKLOCAL(&r->prefix))
		abort();
	/* No bit set beyond plen. */
	for (int i = 0; i < 16; i++) {
		int bits = (int)r->plen - i * 8;

		if (bits < 8)
			m.s6_addr[i] &= bits <= 0 ? 0 :
			    (uint8_t)(0xff << (8 - bits));
	}
	if (memcmp(&m, &r->prefix, sizeof(m)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ripng_iter	 it;
	struct ripng_rte	 r;
	uint64_t		 bad[RIPNG_E_MAX] = { 0 };
	uint64_t		 nbad = 0;
	size_t			 ngood = 0, nnh = 0, entries, len, used;
	uint8_t			 cmd = 0, cmd2 = 0;
	enum ripng_err		 e;

	e = ripng_parse_hdr(data, size, &cmd);
	if (e != fz_hdr_model(data, size))
		abort();
	if (e != RIPNG_OK)
		return 0;
	if (cmd != data[0])
		abort();
	entries = (size - RIPNG_HDR_LEN) / RIPNG_RTE_LEN;
	for (size_t i = 0; i < entries; i++)
		if (data[RIPNG_HDR_LEN + i * RIPNG_RTE_LEN + 19] ==
		    RIPNG_METRIC_NEXTHOP)
			nnh++;

	ripng_iter_init(&it, data, size);
	while (ripng_next(&it, &r, bad)) {
		fz_check_good(&r);
		if (ngood < FZ_MAX_RTES)
			fz_good[ngood] = r;
		ngood++;
	}
	for (int i = 0; i < RIPNG_E_MAX; i++) {
		/* Only entry errors come from ripng_next(). */
		if (bad[i] != 0 && i < RIPNG_E_bad_plen)
			abort();
		nbad += bad[i];
	}
	/* Bad next hops are next-hop entries, counted as both. */
	if (ngood + nnh + nbad - bad[RIPNG_E_bad_nexthop] != entries)
		abort();

	if (ripng_is_whole_request(data, size) &&
	    (cmd != RIPNG_CMD_REQUEST || entries != 1 || ngood != 1 ||
	    memcmp(&fz_good[0].prefix, &fz_zero, 16) != 0 ||
	    fz_good[0].plen != 0 || fz_good[0].metric != RIPNG_INFINITY))
		abort();

	if (ngood > FZ_MAX_RTES)
		return 0;
	len = ripng_build(fz_buf, sizeof(fz_buf), cmd, fz_good, ngood, &used);
	if (used != ngood || len != RIPNG_HDR_LEN + ngood * RIPNG_RTE_LEN)
		abort();
	if (ripng_parse_hdr(fz_buf, len, &cmd2) != RIPNG_OK || cmd2 != cmd)
		abort();
	memset(bad, 0, sizeof(bad));
	ripng_iter_init(&it, fz_buf, len);
	for (size_t i = 0; i < ngood; i++) {
		if (!ripng_next(&it, &r, bad) ||
		    memcmp(&r, &fz_good[i], sizeof(r)) != 0 ||
		    memcmp(&it.nexthop, &fz_zero, 16) != 0)
			abort();
	}
	if (ripng_next(&it, &r, bad))
		abort();
	for (int i = 0; i < RIPNG_E_MAX; i++)
		if (bad[i] != 0)
			abort();
	return 0;
}
