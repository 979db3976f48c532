/*
 * What a reply with a routing header tells the client: the member U
 * that serves a TCP connection to the anycast address A (paper 1 §3.5,
 * step 3).  Pure: the frame is parsed by pkt_parse() and rthdr_peek().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "pkt.h"
#include "rthdr.h"

/* A member or anycast address worth a route: global unicast. */
static bool
cl_global(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	    !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_LINKLOCAL(a) &&
	    !IN6_IS_ADDR_V4MAPPED(a);
}

int
cl_learn(const uint8_t *frame, size_t len, const struct cl_prefix *prefixes,
    size_t nprefixes, struct cl_conn *c)
{
	struct pkt	 p;
	struct in6_addr	 u;
	uint8_t		 type, segleft;
	size_t		 i;

	if (pkt_parse(frame, len, &p) != DROP_NONE || p.proto != IPPROTO_TCP ||
	    p.later_frag || p.rh_off == 0)
		return -1;
	if (rthdr_peek(frame, len, &type, &segleft, &u) == -1)
		return -1;
	/* Types 0 and 253 are only ever inserted spent (Segments Left 0). */
	if (type != RH_TYPE_SRH && segleft != 0)
		return -1;
	if (!cl_global(&p.src) || !cl_global(&u) ||
	    IN6_ARE_ADDR_EQUAL(&u, &p.src))
		return -1;
	for (i = 0; i < nprefixes; i++)
		if (prefix_match(&p.src, &prefixes[i].addr, prefixes[i].plen))
			break;
	if (nprefixes > 0 && i == nprefixes)
		return -1;
	memset(c, 0, sizeof(*c));
	c->any = p.src;
	c->member = u;
	c->lport = p.dport;
	c->rport = p.sport;
	return 0;
}

int
cl_bpf_filter(char *buf, size_t cap, const struct cl_prefix *prefixes,
    size_t nprefixes)
{
	char	 a[INET6_ADDRSTRLEN];
	size_t	 i, off;
	int	 n;

	/* Next header 43: the routing header right after the IPv6 one. */
	n = snprintf(buf, cap, "ip6 and ip6[6] == 43");
	if (n < 0 || (size_t)n >= cap)
		return -1;
	off = (size_t)n;
	for (i = 0; i < nprefixes; i++) {
		inet_ntop(AF_INET6, &prefixes[i].addr, a, sizeof(a));
		n = snprintf(buf + off, cap - off, "%ssrc net %s/%u%s",
		    i == 0 ? " and (" : " or ", a, prefixes[i].plen,
		    i + 1 == nprefixes ? ")" : "");
		if (n < 0 || (size_t)n >= cap - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}
