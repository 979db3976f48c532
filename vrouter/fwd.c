/*
 * The data path: classify each received frame, deliver what is addressed
 * to the router, forward the rest by longest-prefix match.
 */
#include <string.h>

#include "addr.h"
#include "cksum.h"
#include "pbuf.h"
#include "route.h"
#include "nd.h"
#include "iface.h"
#include "fwd.h"
#include "anycast.h"
#include "router.h"
#include "dns.h"
#include "ripng.h"
#include "ebb.h"

static void	 local_input(struct router *, struct iface *, struct pbuf *,
		    const struct pkt *);

static void
drop(struct iface *ifp, struct pbuf *pb, enum drop_reason why)
{
	iface_count_drop(ifp, why);
	pbuf_free(pb);
}

static bool
mac_eq(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, ETH_ALEN_) == 0;
}

void
router_input(struct router *r, struct iface *ifp, struct pbuf *pb)
{
	if (ifp->em[LINKEM_IN] != NULL && iface_em_hold(ifp, LINKEM_IN, pb))
		return;
	router_receive(r, ifp, pb);
}

void
router_receive(struct router *r, struct iface *ifp, struct pbuf *pb)
{
	struct pkt		 p;
	struct group		*g;
	enum drop_reason	 why;

	pb->in = ifp;
	ifp->stats.rx_packets++;
	ifp->stats.rx_bytes += pb->len;
	if (pb->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		ifp->stats.rx_gso++;
	CAPTURE(r, ifp, CAP_RX, pb->data, pb->len);

	if ((why = pkt_parse(pb->data, pb->len, &p)) != DROP_NONE) {
		drop(ifp, pb, why);
		return;
	}
	/* Only frames for our MAC or for a multicast group. */
	if (!mac_eq(p.eth_dst, ifp->mac) && !(p.eth_dst[0] & 0x01)) {
		drop(ifp, pb, DROP_NOT_FOR_US);
		return;
	}
	if (IN6_IS_ADDR_MULTICAST(&p.src) || IN6_IS_ADDR_LOOPBACK(&p.src)) {
		drop(ifp, pb, DROP_BAD_SRC);
		return;
	}
	/* The frame may carry Ethernet padding after the IPv6 packet. */
	pb->len = p.l3_off + p.ip_len;

	if (IN6_IS_ADDR_MULTICAST(&p.dst)) {
		if (iface_joined(ifp, &p.dst))
			local_input(r, ifp, pb, &p);
		else {
			/*
			 * No multicast routing: every host's MLD reports
			 * land here, which is normal, not a fault.
			 */
			ifp->stats.mcast_not_joined++;
			pbuf_free(pb);
		}
		return;
	}
	if (router_local_addr(r, &p.dst) != NULL) {
		local_input(r, ifp, pb, &p);
		return;
	}
	if (r->ngroups > 0 && (g = group_find(r, &p.dst)) != NULL) {
		anycast_input(r, ifp, g, pb, &p);
		return;
	}
	forward(r, ifp, pb, &p);
}

static bool
icmp6_csum_ok(const struct pbuf *pb, const struct pkt *p)
{
	/* A partial checksum from the host's kernel was never computed. */
	if (pb->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return true;
	return cksum_ip6(&p->src, &p->dst, IPPROTO_ICMPV6_,
	    pb->data + p->l4_off, p->l4_len) == 0;
}

bool
udp_payload_ok(struct iface *ifp, const struct pbuf *pb, const struct pkt *p)
{
	const uint8_t	*udp = pb->data + p->l4_off;

	if (p->l4_len < 8 || (size_t)(udp[4] << 8 | udp[5]) != p->l4_len) {
		iface_count_drop(ifp, DROP_TRUNC_L4);
		return false;
	}
	if (!(pb->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    ((udp[6] | udp[7]) == 0 || cksum_ip6(&p->src, &p->dst,
	    IPPROTO_UDP_, udp, p->l4_len) != 0)) {
		iface_count_drop(ifp, DROP_BAD_CSUM);
		return false;
	}
	return true;
}

static void
local_input(struct router *r, struct iface *ifp, struct pbuf *pb,
    const struct pkt *p)
{
	ifp->stats.local_in++;
	r->stats.local_in++;

	if (p->later_frag || p->frag_off != 0) {
		/* The router reassembles nothing. */
		drop(ifp, pb, DROP_UNSUPPORTED);
		return;
	}
	switch (p->proto) {
	case IPPROTO_ICMPV6_:
		if (!icmp6_csum_ok(pb, p)) {
			drop(ifp, pb, DROP_BAD_CSUM);
			return;
		}
		ifp->stats.icmp_in++;
		switch (p->icmp_type) {
		case ND_ROUTER_SOLICIT_:
		case ND_ROUTER_ADVERT_:
		case ND_NEIGHBOR_SOLICIT_:
		case ND_NEIGHBOR_ADVERT_:
		case ND_REDIRECT_:
			nd_input(r, ifp, pb, p);
			pbuf_free(pb);
			return;
		default:
			icmp6_input(r, ifp, pb, p);
			return;
		}
	case IPPROTO_UDP_:
	case IPPROTO_TCP_:
		if (p->proto == IPPROTO_UDP_ && p->dport == RIPNG_PORT &&
		    r->ripng != NULL) {
			ripng_input(r, ifp, pb, p);
			pbuf_free(pb);
			return;
		}
		if (p->proto == IPPROTO_UDP_ && p->dport == EBB_PORT &&
		    r->ebb != NULL) {
			ebb_input(r, ifp, pb, p);
			pbuf_free(pb);
			return;
		}
		if (p->dport == DNS_PORT && r->conf->dns_enabled &&
		    !IN6_IS_ADDR_MULTICAST(&p->dst)) {
			if (p->proto == IPPROTO_UDP_)
				dns_udp_input(r, ifp, pb, p);
			else
				dns_tcp_input(r, ifp, pb, p);
			pbuf_free(pb);
			return;
		}
		/* No other service: tell the sender (traceroute ends so). */
		if (!IN6_IS_ADDR_MULTICAST(&p->dst))
			icmp6_error(r, ifp, pb, p, ICMP6_DST_UNREACH_,
			    ICMP6_DST_UNREACH_NOPORT_, 0);
		drop(ifp, pb, DROP_UNSUPPORTED);
		return;
	case IPPROTO_NONE_:
		drop(ifp, pb, DROP_UNSUPPORTED);
		return;
	default:
		if (!IN6_IS_ADDR_MULTICAST(&p->dst))
			icmp6_error(r, ifp, pb, p, ICMP6_PARAM_PROB_,
			    ICMP6_PARAMPROB_NEXTHEADER_, p->nh_off);
		drop(ifp, pb, DROP_UNSUPPORTED);
		return;
	}
}

uint32_t
wire_ip_size(const struct pbuf *pb, const struct pkt *p)
{
	uint32_t	hdrs;

	if (pb->vnet.gso_type == VIRTIO_NET_HDR_GSO_NONE ||
	    pb->vnet.gso_size == 0)
		return p->ip_len;
	/* Headers up to the L4 payload, then one segment of payload. */
	hdrs = p->l4_off - p->l3_off;
	if (p->proto == IPPROTO_TCP_)
		hdrs += (uint32_t)(pb->data[p->l4_off + 12] >> 4) * 4;
	else if (p->proto == IPPROTO_UDP_)
		hdrs += 8;
	return hdrs + pb->vnet.gso_size;
}

void
forward(struct router *r, struct iface *ifp, struct pbuf *pb,
    struct pkt *p)
{
	struct group		*g;
	struct route		*rt;
	const struct in6_addr	*nexthop;
	struct iface		*out;
	uint32_t		 size;

	if (IN6_IS_ADDR_LINKLOCAL(&p->dst) || IN6_IS_ADDR_UNSPECIFIED(&p->dst)) {
		drop(ifp, pb, DROP_BAD_DST);
		return;
	}
	if (IN6_IS_ADDR_LINKLOCAL(&p->src) || IN6_IS_ADDR_UNSPECIFIED(&p->src)) {
		/* RFC 4007: never beyond the scope of the source. */
		drop(ifp, pb, DROP_BAD_SRC);
		return;
	}
	if (p->hlim <= 1) {
		icmp6_error(r, ifp, pb, p, ICMP6_TIME_EXCEEDED_,
		    ICMP6_TIME_EXCEED_TRANSIT_, 0);
		drop(ifp, pb, DROP_HLIM_EXCEEDED);
		return;
	}
	/* A member's reply from the anycast address: the flow learns it. */
	if (r->ngroups > 0 && (g = group_find(r, &p->src)) != NULL)
		anycast_reply(r, g, pb, p);
	if ((rt = route_lookup(r, &p->dst)) == NULL) {
		icmp6_error(r, ifp, pb, p, ICMP6_DST_UNREACH_,
		    ICMP6_DST_UNREACH_NOROUTE_, 0);
		drop(ifp, pb, DROP_NO_ROUTE);
		return;
	}
	out = rt->ifp;
	size = wire_ip_size(pb, p);
	if (size > out->mtu) {
		icmp6_error(r, ifp, pb, p, ICMP6_PACKET_TOO_BIG_, 0, out->mtu);
		drop(ifp, pb, DROP_TOO_BIG);
		return;
	}
	nexthop = rt->has_gw ? &rt->gw : &p->dst;

	pb->data[p->l3_off + 7] = p->hlim - 1;
	rt->packets++;
	rt->bytes += p->ip_len;
	ifp->stats.forwarded++;
	r->stats.forwarded++;
	nd_output(r, out, nexthop, pb);
}

void
ip6_output(struct router *r, struct pbuf *pb)
{
	struct in6_addr	 dst;
	struct route	*rt;
	uint8_t		 mac[ETH_ALEN_];

	memcpy(&dst, pb->data + ETH_HLEN_ + 24, sizeof(dst));
	if (IN6_IS_ADDR_MULTICAST(&dst)) {
		mcast_mac(mac, &dst);
		iface_output(pb->in, pb, mac);
		return;
	}
	if (IN6_IS_ADDR_LINKLOCAL(&dst)) {
		nd_output(r, pb->in, &dst, pb);
		return;
	}
	if ((rt = route_lookup(r, &dst)) == NULL) {
		drop(pb->in, pb, DROP_NO_ROUTE);
		return;
	}
	nd_output(r, rt->ifp, rt->has_gw ? &rt->gw : &dst, pb);
}

void
iface_output(struct iface *ifp, struct pbuf *pb, const uint8_t dst[6])
{
	memcpy(pb->data, dst, ETH_ALEN_);
	memcpy(pb->data + ETH_ALEN_, ifp->mac, ETH_ALEN_);
	pb->data[12] = ETHERTYPE_IPV6_ >> 8;
	pb->data[13] = ETHERTYPE_IPV6_ & 0xff;
	if (ifp->em[LINKEM_OUT] != NULL && iface_em_hold(ifp, LINKEM_OUT, pb))
		return;
	iface_xmit(ifp, pb);
}

void
iface_xmit(struct iface *ifp, struct pbuf *pb)
{
	struct router	*r = ifp->router;

	CAPTURE(r, ifp, CAP_TX, pb->data, pb->len);

	if (ifp->kind == IFACE_TAP)
		tap_write(ifp, pb);
	else
		iface_xmit_done(ifp, pb, pcapio_write(ifp, pb) == 0 ?
		    DROP_NONE : DROP_TX_ERROR);
}

void
iface_xmit_done(struct iface *ifp, struct pbuf *pb, enum drop_reason why)
{
	if (why != DROP_NONE) {
		drop(ifp, pb, why);
		return;
	}
	ifp->stats.tx_packets++;
	ifp->stats.tx_bytes += pb->len;
	if (pb->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		ifp->stats.tx_gso++;
	pbuf_free(pb);
}
