/*
 * ICMPv6 (RFC 4443): echo for the router's own addresses, and the error
 * messages the data path sends, with the rules of §2.4 and a token
 * bucket over all of them.
 */
#include <string.h>

#include "pbuf.h"
#include "iface.h"
#include "fwd.h"
#include "anycast.h"
#include "router.h"

/* An error must fit in the minimum MTU (RFC 4443 §2.4 (c)). */
#define ICMP6_ERR_MAX	IP6_MIN_MTU

static struct pbuf *
alloc_out(struct iface *ifp)
{
	struct pbuf	*pb;

	if ((pb = pbuf_alloc()) == NULL)
		iface_count_drop(ifp, DROP_NO_BUFFER);
	return pb;
}

static bool
icmp6_is_error(const struct pkt *p)
{
	return p->proto == IPPROTO_ICMPV6_ && !p->later_frag &&
	    p->icmp_type < ICMP6_ECHO_REQUEST_;
}

void
icmp6_error(struct router *r, struct iface *ifp, const struct pbuf *orig,
    const struct pkt *p, uint8_t type, uint8_t code, uint32_t param)
{
	struct pbuf		*pb;
	const struct in6_addr	*src;
	uint8_t			*ip6;
	size_t			 quote;
	bool			 mcast_ok;

	/* §2.4 (e): never about an error, a multicast or anycast-less src */
	if (icmp6_is_error(p))
		return;
	if (IN6_IS_ADDR_UNSPECIFIED(&p->src) || IN6_IS_ADDR_MULTICAST(&p->src))
		return;
	/* Packet Too Big and Parameter Problem code 2 may answer multicast. */
	mcast_ok = type == ICMP6_PACKET_TOO_BIG_ ||
	    (type == ICMP6_PARAM_PROB_ && code == 2);
	if (!mcast_ok && (IN6_IS_ADDR_MULTICAST(&p->dst) ||
	    (p->eth_dst[0] & 0x01)))
		return;
	if (!tb_take(&r->icmp_rl, r->now_ns)) {
		ifp->stats.errors_ratelimited++;
		r->stats.errors_ratelimited++;
		return;
	}
	if ((pb = alloc_out(ifp)) == NULL)
		return;

	ip6 = pb->data + ETH_HLEN_;
	quote = p->ip_len;
	if (quote > ICMP6_ERR_MAX - IP6_HLEN - 8)
		quote = ICMP6_ERR_MAX - IP6_HLEN - 8;
	ip6[44] = (uint8_t)(param >> 24);
	ip6[45] = (uint8_t)(param >> 16);
	ip6[46] = (uint8_t)(param >> 8);
	ip6[47] = (uint8_t)param;
	memcpy(ip6 + 48, orig->data + p->l3_off, quote);

	src = iface_src_for(ifp, &p->src);
	pb->len = ETH_HLEN_ + (uint32_t)icmp6_finish(ip6, src, &p->src,
	    DEFAULT_HOP_LIMIT, type, code, 4 + quote);
	pb->in = ifp;
	ifp->stats.errors_out++;
	ifp->stats.icmp_out++;
	r->stats.errors_out++;
	ip6_output(r, pb);
}

static void
echo_reply(struct router *r, struct iface *ifp, const struct pbuf *req,
    const struct pkt *p)
{
	struct pbuf		*pb;
	const struct in6_addr	*src;
	uint8_t			*ip6;
	size_t			 body;

	if (p->l4_len < 8) {
		iface_count_drop(ifp, DROP_TRUNC_L4);
		return;
	}
	if ((pb = alloc_out(ifp)) == NULL)
		return;
	body = p->l4_len - 4;		/* identifier, sequence, data */
	ip6 = pb->data + ETH_HLEN_;
	memcpy(ip6 + 44, req->data + p->l4_off + 4, body);
	/* A multicast echo is answered from our address on that link. */
	src = IN6_IS_ADDR_MULTICAST(&p->dst) ?
	    iface_src_for(ifp, &p->src) : &p->dst;
	pb->len = ETH_HLEN_ + (uint32_t)icmp6_finish(ip6, src, &p->src,
	    DEFAULT_HOP_LIMIT, ICMP6_ECHO_REPLY_, 0, body);
	pb->in = ifp;
	ifp->stats.echo_out++;
	ifp->stats.icmp_out++;
	ip6_output(r, pb);
}

void
icmp6_input(struct router *r, struct iface *ifp, struct pbuf *pb,
    const struct pkt *p)
{
	switch (p->icmp_type) {
	case ICMP6_ECHO_REQUEST_:
		ifp->stats.echo_in++;
		if (p->icmp_code != 0 || IN6_IS_ADDR_UNSPECIFIED(&p->src))
			iface_count_drop(ifp, DROP_UNSUPPORTED);
		else
			echo_reply(r, ifp, pb, p);
		break;
	case ICMP6_ECHO_REPLY_:
		if (p->l4_len >= 8) {
			const uint8_t	*icmp = pb->data + p->l4_off;

			probe_reply(r, &p->src, (uint16_t)(icmp[4] << 8 |
			    icmp[5]), (uint16_t)(icmp[6] << 8 | icmp[7]));
		}
		break;
	case MP_ICMP6_TYPE:
		member_ctl_input(r, ifp, pb, p);
		break;
	default:
		/* Errors addressed to us: counted, nothing more. */
		break;
	}
	pbuf_free(pb);
}
