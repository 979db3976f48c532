/*
 * Pure builders and parsers for the packets the router writes itself:
 * the IPv6 + ICMPv6, UDP or TCP framing around a body, and NDP option lists.
 */
#include <string.h>

#include "cksum.h"
#include "pkt.h"
#include "wire.h"

#define ICMP6_HLEN	4	/* type, code, checksum */
#define ND_OPT_UNIT	8
#define UDP_HLEN	8
#define TCP_HLEN	20

static void
ip6_header(uint8_t *ip6, const struct in6_addr *src,
    const struct in6_addr *dst, uint8_t hlim, uint8_t proto, size_t plen)
{
	/* Version 6, traffic class 0, flow label 0. */
	ip6[0] = 0x60;
	ip6[1] = 0;
	ip6[2] = 0;
	ip6[3] = 0;
	wr16(ip6 + 4, (uint16_t)plen);
	ip6[6] = proto;
	ip6[7] = hlim;
	memcpy(ip6 + 8, src, sizeof(*src));
	memcpy(ip6 + 24, dst, sizeof(*dst));
}

size_t
icmp6_finish(uint8_t *ip6, const struct in6_addr *src,
    const struct in6_addr *dst, uint8_t hlim, uint8_t type, uint8_t code,
    size_t body_len)
{
	uint8_t		*icmp = ip6 + IP6_HLEN;
	size_t		 plen = ICMP6_HLEN + body_len;

	ip6_header(ip6, src, dst, hlim, IPPROTO_ICMPV6_, plen);
	icmp[0] = type;
	icmp[1] = code;
	wr16(icmp + 2, 0);
	wr16(icmp + 2, cksum_ip6(src, dst, IPPROTO_ICMPV6_, icmp, plen));
	return IP6_HLEN + plen;
}

/* The UDP payload starts at ip6 + 48; payload_len at most 65527. */
size_t
udp6_finish(uint8_t *ip6, const struct in6_addr *src,
    const struct in6_addr *dst, uint8_t hlim, uint16_t sport,
    uint16_t dport, size_t payload_len)
{
	uint8_t		*udp = ip6 + IP6_HLEN;
	size_t		 plen = UDP_HLEN + payload_len;
	uint16_t	 sum;

	ip6_header(ip6, src, dst, hlim, IPPROTO_UDP_, plen);
	wr16(udp, sport);
	wr16(udp + 2, dport);
	wr16(udp + 4, (uint16_t)plen);
	wr16(udp + 6, 0);
	sum = cksum_ip6(src, dst, IPPROTO_UDP_, udp, plen);
	wr16(udp + 6, sum == 0 ? 0xffff : sum);	/* RFC 8200 §8.1 */
	return IP6_HLEN + plen;
}

size_t
tcp6_finish(uint8_t *ip6, const struct in6_addr *src,
    const struct in6_addr *dst, uint8_t hlim, const struct tcp_seg *t,
    size_t payload_len)
{
	uint8_t		*tcp = ip6 + IP6_HLEN;
	size_t		 plen = TCP_HLEN + payload_len;

	ip6_header(ip6, src, dst, hlim, IPPROTO_TCP_, plen);
	wr16(tcp, t->sport);
	wr16(tcp + 2, t->dport);
	wr32(tcp + 4, t->seq);
	wr32(tcp + 8, t->ack);
	tcp[12] = (TCP_HLEN / 4) << 4;
	tcp[13] = t->flags;
	wr16(tcp + 14, t->window);
	wr16(tcp + 16, 0);
	wr16(tcp + 18, 0);		/* urgent pointer */
	wr16(tcp + 16, cksum_ip6(src, dst, IPPROTO_TCP_, tcp, plen));
	return IP6_HLEN + plen;
}

/*
 * RFC 4861 §4.6: type, length in units of 8 bytes (0 is invalid), data.
 * Link-layer address options are taken when they hold an Ethernet
 * address (length 1); other options are skipped.
 */
int
nd_parse_opts(const uint8_t *buf, size_t len, struct nd_opts *o)
{
	size_t	olen;

	memset(o, 0, sizeof(*o));
	while (len > 0) {
		if (len < 2)
			return -1;
		olen = (size_t)buf[1] * ND_OPT_UNIT;
		if (olen == 0 || olen > len)
			return -1;
		switch (buf[0]) {
		case ND_OPT_SOURCE_LINKADDR_:
			if (buf[1] == 1) {
				o->has_sll = true;
				memcpy(o->sll, buf + 2, ETH_ALEN_);
			}
			break;
		case ND_OPT_TARGET_LINKADDR_:
			if (buf[1] == 1) {
				o->has_tll = true;
				memcpy(o->tll, buf + 2, ETH_ALEN_);
			}
			break;
		default:
			break;
		}
		buf += olen;
		len -= olen;
	}
	return 0;
}
