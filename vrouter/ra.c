/*
 * Router advertisements (RFC 4861 §6.2): periodic, faster at start,
 * in answer to solicitations, and a final one with lifetime 0 at
 * shutdown so that hosts drop their default route at once.
 */
#include <string.h>

#include "addr.h"
#include "pbuf.h"
#include "nd.h"
#include "iface.h"
#include "fwd.h"
#include "router.h"
#include "wire.h"
#include "dns.h"

#define MAX_INITIAL_RTR_ADVERTISEMENTS	3
#define MAX_INITIAL_RTR_ADVERT_INTERVAL	4	/* seconds (RFC 4861 §10: 16) */
#define RA_SOLICITED_RATE		10	/* solicited RAs per second */


/*
 * RDNSS with the router's address on the link and DNSSL "any." (RFC
 * 8106), valid three intervals; 0 in the final RA of a router that
 * advertised itself as a default router.  Returns the end of the
 * options.
 */
static uint8_t *
ra_dns_opts(const struct iface *ifp, uint8_t *o, uint32_t lifetime)
{
	static const uint8_t	 any[] = { 3, 'a', 'n', 'y', 0 };
	uint32_t		 valid = 3 * ifp->conf.ra_interval;

	if (lifetime == 0 && ifp->conf.ra_lifetime != 0)
		valid = 0;
	o[0] = ND_OPT_RDNSS_;
	o[1] = 3;				/* 8 + one address */
	o[2] = o[3] = 0;
	wr32(o + 4, valid);
	memcpy(o + 8, ifp->naddrs > 1 ? &ifp->addrs[1].addr : &ifp->lladdr,
	    16);
	o += 24;
	o[0] = ND_OPT_DNSSL_;
	o[1] = 2;				/* 8 + "any." padded to 8 */
	o[2] = o[3] = 0;
	wr32(o + 4, valid);
	memset(o + 8, 0, 8);
	memcpy(o + 8, any, sizeof(any));
	return o + 16;
}

void
ra_send(struct router *r, struct iface *ifp, const struct in6_addr *dst,
    uint32_t lifetime)
{
	const struct cfg_iface	*c = &ifp->conf;
	struct pbuf		*pb;
	uint8_t			*ip6, *o;
	size_t			 body;

	if ((pb = pbuf_alloc()) == NULL) {
		iface_count_drop(ifp, DROP_NO_BUFFER);
		return;
	}
	ip6 = pb->data + ETH_HLEN_;
	o = ip6 + 44;
	o[0] = c->ra_hop_limit;
	o[1] = 0;				/* neither M nor O */
	o[2] = (uint8_t)(lifetime >> 8);
	o[3] = (uint8_t)lifetime;
	wr32(o + 4, 0);			/* reachable time: unspecified */
	wr32(o + 8, 0);			/* retrans timer: unspecified */
	o += 12;

	o[0] = ND_OPT_SOURCE_LINKADDR_;
	o[1] = 1;
	memcpy(o + 2, ifp->mac, ETH_ALEN_);
	o += 8;
	if (c->ra_mtu) {
		o[0] = ND_OPT_MTU_;
		o[1] = 1;
		o[2] = o[3] = 0;
		wr32(o + 4, ifp->mtu);
		o += 8;
	}
	for (int i = 0; i < c->nprefixes; i++) {
		const struct cfg_prefix	*pi = &c->prefixes[i];

		o[0] = ND_OPT_PREFIX_INFO_;
		o[1] = 4;
		o[2] = pi->plen;
		o[3] = (pi->onlink ? ND_PI_FLAG_ONLINK_ : 0) |
		    (pi->autonomous ? ND_PI_FLAG_AUTO_ : 0);
		wr32(o + 4, pi->valid);
		wr32(o + 8, pi->preferred);
		wr32(o + 12, 0);
		memcpy(o + 16, &pi->prefix, 16);
		o += 32;
	}
	if (c->ra_dns && dns_active(r))
		o = ra_dns_opts(ifp, o, lifetime);
	body = (size_t)(o - (ip6 + 44));
	pb->len = ETH_HLEN_ + (uint32_t)icmp6_finish(ip6, &ifp->lladdr, dst,
	    NDP_HOP_LIMIT, ND_ROUTER_ADVERT_, 0, body);
	pb->in = ifp;
	ifp->stats.ra_out++;
	ifp->stats.icmp_out++;
	ip6_output(r, pb);
}

void
ra_input_rs(struct router *r, struct iface *ifp, const struct pkt *p,
    const uint8_t *frame)
{
	(void)frame;
	if (!ifp->conf.ra_enabled)
		return;
	if (!tb_take(&ifp->ra_rl, r->now_ns))
		return;
	/* Unicast to a host that has an address, else to all nodes. */
	ra_send(r, ifp, IN6_IS_ADDR_UNSPECIFIED(&p->src) ? &in6_allnodes : &p->src,
	    ifp->conf.ra_lifetime);
}

void
ra_tick(struct router *r)
{
	struct iface	*ifp;
	uint64_t	 interval;

	for (int i = 0; i < r->nifaces; i++) {
		ifp = r->ifaces[i];
		if (!ifp->conf.ra_enabled || r->now_ns < ifp->ra_next_ns)
			continue;
		ra_send(r, ifp, &in6_allnodes, ifp->conf.ra_lifetime);
		interval = ifp->conf.ra_interval;
		if (ifp->ra_initial > 0) {
			ifp->ra_initial--;
			if (interval > MAX_INITIAL_RTR_ADVERT_INTERVAL)
				interval = MAX_INITIAL_RTR_ADVERT_INTERVAL;
		}
		ifp->ra_next_ns = r->now_ns + interval * 1000000000ull;
	}
}

void
ra_init_iface(struct router *r, struct iface *ifp)
{
	ifp->ra_next_ns = 0;
	ifp->ra_initial = MAX_INITIAL_RTR_ADVERTISEMENTS;
	tb_init(&ifp->ra_rl, RA_SOLICITED_RATE, RA_SOLICITED_RATE, r->now_ns);
}

void
ra_shutdown(struct router *r)
{
	for (int i = 0; i < r->nifaces; i++)
		if (r->ifaces[i]->conf.ra_enabled)
			ra_send(r, r->ifaces[i], &in6_allnodes, 0);
}
