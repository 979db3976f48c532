/*
 * libFuzzer target for pkt_parse(): any input is a frame.  A frame that
 * parses must be described by offsets that lie inside it; anything else
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>

#include "pkt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_range(size_t off, size_t len, size_t size)
{
	if (off > size || len > size - off)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt	 p;

	if (pkt_parse(data, size, &p) != DROP_NONE)
		return 0;
	if (p.ethertype != ETHERTYPE_IPV6_ || p.l3_off != ETH_HLEN_)
		abort();
	check_range(p.l3_off, p.ip_len, size);
	if (p.ip_len < IP6_HLEN)
		abort();
	/* The byte naming the upper layer, and the upper layer itself. */
	check_range(p.l3_off + p.nh_off, 1, p.l3_off + p.ip_len);
	if (data[p.l3_off + p.nh_off] != p.proto)
		abort();
	check_range(p.l4_off, p.l4_len, p.l3_off + p.ip_len);
	if (p.l4_off + p.l4_len != p.l3_off + p.ip_len)
		abort();
	if (p.l4_off < p.l3_off + IP6_HLEN + 8u * p.n_ext)
		abort();
	if (p.n_ext > PKT_MAX_EXT_HDRS)
		abort();
	if (p.rh_off != 0) {
		check_range(p.rh_off, 8, p.l4_off);
		if (p.rh_off < p.l3_off + IP6_HLEN ||
		    data[p.rh_off + 2] != p.rh_type ||
		    data[p.rh_off + 3] != p.rh_segleft)
			abort();
	}
	if (p.frag_off != 0) {
		check_range(p.frag_off, 8, p.l4_off);
		if (p.frag_off < p.l3_off + IP6_HLEN)
			abort();
	} else if (p.later_frag)
		abort();
	if (p.later_frag)
		return 0;
	switch (p.proto) {
	case IPPROTO_TCP_:
		if (p.l4_len < 20 || (data[p.l4_off + 12] >> 4) * 4u > p.l4_len)
			abort();
		break;
	case IPPROTO_UDP_:
		if (p.l4_len < 8)
			abort();
		break;
	case IPPROTO_ICMPV6_:
		if (p.l4_len < 4 || data[p.l4_off] != p.icmp_type)
			abort();
		break;
	}
	return 0;
}
