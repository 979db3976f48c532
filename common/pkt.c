/*
 * The frame parser: Ethernet, IPv6, the extension-header chain and the
 * first bytes of the upper-layer header.
 *
 * Pure: no globals, no logging, no allocation.  Every read is checked
 * against the bytes that are really there, so any byte string is safe
 * input; what the parser finds is described by offsets into the frame,
 * each of which lies inside it.
 */
#include <string.h>

#include "pkt.h"
#include "wire.h"

const char *const drop_names[DROP_MAX] = {
	[DROP_NONE] = "none",
#define X(id, name) [DROP_##id] = name,
	DROP_REASONS(X)
#undef X
};

/*
 * Length of the extension header of type nh starting at ip6 + off, or 0
 * when nh is not an extension header this parser walks.  Returns -1 when
 * the length byte itself lies outside ip_len.
 */
static int
ext_hdr_len(uint8_t nh, const uint8_t *ip6, uint32_t off, uint32_t ip_len)
{
	switch (nh) {
	case IPPROTO_HOPOPTS_:
	case IPPROTO_ROUTING_:
	case IPPROTO_DSTOPTS_:
	case IPPROTO_MH_:
		if (ip_len - off < 2)
			return -1;
		return (ip6[off + 1] + 1) * 8;
	case IPPROTO_AH_:
		if (ip_len - off < 2)
			return -1;
		return (ip6[off + 1] + 2) * 4;
	case IPPROTO_FRAGMENT_:
		return 8;
	default:
		return 0;
	}
}

/*
 * Read the upper-layer header at ip6 + off (relative to the IPv6
 * header), whose protocol is p->proto.
 */
static enum drop_reason
parse_l4(const uint8_t *ip6, uint32_t off, struct pkt *p)
{
	const uint8_t	*l4 = ip6 + off;
	unsigned int	 doff;

	p->l4_off = p->l3_off + off;
	p->l4_len = p->ip_len - off;

	switch (p->proto) {
	case IPPROTO_TCP_:
		if (p->l4_len < 20)
			return DROP_TRUNC_L4;
		doff = l4[12] >> 4;
		if (doff < 5 || doff * 4 > p->l4_len)
			return DROP_TRUNC_L4;
		p->sport = rd16(l4);
		p->dport = rd16(l4 + 2);
		p->tcp_flags = l4[13];
		break;
	case IPPROTO_UDP_:
		if (p->l4_len < 8)
			return DROP_TRUNC_L4;
		p->sport = rd16(l4);
		p->dport = rd16(l4 + 2);
		break;
	case IPPROTO_ICMPV6_:
		if (p->l4_len < 4)
			return DROP_TRUNC_L4;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		break;
	default:
		/* ESP, No Next Header and the rest: nothing to read. */
		break;
	}
	return DROP_NONE;
}

enum drop_reason
pkt_parse(const uint8_t *frame, size_t len, struct pkt *p)
{
	const uint8_t	*ip6;
	uint32_t	 off, plen;
	uint8_t		 nh;
	int		 hlen;

	memset(p, 0, sizeof(*p));

	if (len < ETH_HLEN_)
		return DROP_SHORT_FRAME;
	memcpy(p->eth_dst, frame, ETH_ALEN_);
	memcpy(p->eth_src, frame + ETH_ALEN_, ETH_ALEN_);
	p->ethertype = rd16(frame + 2 * ETH_ALEN_);
	if (p->ethertype != ETHERTYPE_IPV6_)
		return DROP_NOT_IPV6;

	p->l3_off = ETH_HLEN_;
	ip6 = frame + ETH_HLEN_;
	if (len - ETH_HLEN_ < IP6_HLEN)
		return DROP_TRUNC_IPV6;
	if ((ip6[0] >> 4) != 6)
		return DROP_BAD_VERSION;

	plen = rd16(ip6 + 4);
	nh = ip6[6];
	p->hlim = ip6[7];
	memcpy(&p->src, ip6 + 8, sizeof(p->src));
	memcpy(&p->dst, ip6 + 24, sizeof(p->dst));

	/* Bytes past the payload length are Ethernet padding. */
	if (IP6_HLEN + (size_t)plen > len - ETH_HLEN_)
		return DROP_BAD_PAYLOAD_LEN;
	/* A jumbogram (RFC 2675) cannot arrive on an Ethernet link. */
	if (plen == 0 && nh == IPPROTO_HOPOPTS_)
		return DROP_BAD_PAYLOAD_LEN;
	p->ip_len = IP6_HLEN + plen;
	p->nh_off = 6;

	off = IP6_HLEN;
	for (;;) {
		if (nh == IPPROTO_HOPOPTS_ && p->n_ext != 0)
			return DROP_BAD_EXT_ORDER;
		if ((hlen = ext_hdr_len(nh, ip6, off, p->ip_len)) == 0)
			break;
		/* Bounded work whatever the chain: an endless chain stops here. */
		if (p->n_ext >= PKT_MAX_EXT_HDRS)
			return DROP_TOO_MANY_EXT;
		if (hlen < 0 || (uint32_t)hlen > p->ip_len - off)
			return DROP_TRUNC_EXT;

		if (nh == IPPROTO_ROUTING_ && p->rh_off == 0) {
			p->rh_off = p->l3_off + off;
			p->rh_type = ip6[off + 2];
			p->rh_segleft = ip6[off + 3];
		} else if (nh == IPPROTO_FRAGMENT_) {
			if (p->frag_off == 0)
				p->frag_off = p->l3_off + off;
			/* Fragment offset, in 8-byte units, above the flags. */
			if ((rd16(ip6 + off + 2) & 0xfff8) != 0)
				p->later_frag = true;
		}

		p->n_ext++;
		p->nh_off = off;
		nh = ip6[off];
		off += (uint32_t)hlen;

		if (p->later_frag) {
			/* The upper-layer header is in the first fragment. */
			p->proto = nh;
			p->l4_off = p->l3_off + off;
			p->l4_len = p->ip_len - off;
			return DROP_NONE;
		}
	}

	p->proto = nh;
	return parse_l4(ip6, off, p);
}
