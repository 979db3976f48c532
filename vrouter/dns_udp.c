/*
 * The DNS responder on the data path: a UDP datagram to port 53 of one
 * of the router's addresses is answered from the groups as they are at
 * that moment (a group added or removed through the API answers at
 * once).  The answer is written straight into a packet buffer; ldns
 * allocates while parsing and building, nothing else does.
 */
#include <string.h>

#include "cksum.h"
#include "pbuf.h"
#include "iface.h"
#include "fwd.h"
#include "anycast.h"
#include "router.h"
#include "dns.h"

void
dns_zone_of(struct router *r, const struct in6_addr *ns_hint,
    struct dns_entry *entries, struct in6_addr *ns_addrs, struct dns_zone *z)
{
	const struct group	*g;
	const struct iface	*ifp;
	size_t			 n = 0;
	int			 i, k;

	for (i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL || g->conf.name[0] == '\0')
			continue;
		entries[n].name = g->conf.name;
		entries[n].addr = &g->conf.addr;
		n++;
	}
	z->entries = entries;
	z->nentries = n;
	n = 0;
	if (ns_hint != NULL)
		ns_addrs[n++] = *ns_hint;
	else {
		/* Every global address; [0] is the link-local one. */
		for (i = 0; i < r->nifaces && n < DNS_MAX_NS; i++) {
			ifp = r->ifaces[i];
			for (k = 1; k < ifp->naddrs && n < DNS_MAX_NS; k++)
				ns_addrs[n++] = ifp->addrs[k].addr;
		}
	}
	z->ns_addrs = ns_addrs;
	z->nns = n;
	z->serial = dns_zone_serial(z->entries, z->nentries);
	z->ttl = r->conf->dns_ttl;
}

const struct in6_addr *
dns_ns_addr(const struct iface *ifp, const struct in6_addr *dst)
{
	/* [0] is the link-local address; a global one is of use anywhere. */
	if (IN6_IS_ADDR_LINKLOCAL(dst) && ifp->naddrs > 1)
		return &ifp->addrs[1].addr;
	return dst;
}

bool
dns_active(const struct router *r)
{
	if (!r->conf->dns_enabled)
		return false;
	for (int i = 0; i < r->ngroups; i++)
		if (r->groups[i] != NULL && r->groups[i]->conf.name[0] != '\0')
			return true;
	return false;
}

void
dns_udp_input(struct router *r, struct iface *ifp, const struct pbuf *req,
    const struct pkt *p)
{
	struct dns_entry	 entries[CFG_MAX_GROUPS];
	struct in6_addr		 ns[1];
	struct dns_zone		 z;
	struct pbuf		*pb;
	const uint8_t		*udp = req->data + p->l4_off;
	uint8_t			*ip6;
	enum dns_outcome	 o;
	size_t			 len;

	if (p->l4_len < 8 || (size_t)(udp[4] << 8 | udp[5]) != p->l4_len) {
		iface_count_drop(ifp, DROP_TRUNC_L4);
		return;
	}
	/* A zero checksum is not allowed over IPv6 (RFC 8200 §8.1). */
	if (!(req->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    ((udp[6] | udp[7]) == 0 || cksum_ip6(&p->src, &p->dst,
	    IPPROTO_UDP_, udp, p->l4_len) != 0)) {
		iface_count_drop(ifp, DROP_BAD_CSUM);
		return;
	}
	if ((pb = pbuf_alloc()) == NULL) {
		iface_count_drop(ifp, DROP_NO_BUFFER);
		r->dns.queries++;
		r->dns.errors++;
		return;
	}
	dns_zone_of(r, dns_ns_addr(ifp, &p->dst), entries, ns, &z);
	ip6 = pb->data + ETH_HLEN_;
	len = dns_answer(udp + 8, p->l4_len - 8, false, &z, ip6 + 48,
	    DNS_UDP_MAX, &o);
	dns_count(&r->dns, o, ip6 + 48, len);
	if (len == 0) {
		pbuf_free(pb);
		return;
	}
	pb->len = ETH_HLEN_ + (uint32_t)udp6_finish(ip6, &p->dst, &p->src,
	    DEFAULT_HOP_LIMIT, DNS_PORT, p->sport, len);
	pb->in = ifp;
	ip6_output(r, pb);
}
