/*
 * Interfaces: address lookups on a link and per-interface counters.
 */
#include <string.h>

#include "addr.h"
#include "iface.h"
#include "ripng.h"
#include "ebb.h"
#include "router.h"

static const struct in6_addr ebb_group = EBB_GROUP_INIT;

struct iface *
iface_find(struct router *r, const char *name)
{
	for (int i = 0; i < r->nifaces; i++)
		if (strcmp(r->ifaces[i]->name, name) == 0)
			return r->ifaces[i];
	return NULL;
}

bool
iface_has_addr(const struct iface *ifp, const struct in6_addr *a)
{
	for (int i = 0; i < ifp->naddrs; i++)
		if (IN6_ARE_ADDR_EQUAL(&ifp->addrs[i].addr, a))
			return true;
	return false;
}

bool
iface_joined(const struct iface *ifp, const struct in6_addr *g)
{
	struct in6_addr	 sn;

	if (!IN6_IS_ADDR_MC_LINKLOCAL(g))
		return false;
	/* ff02::1 all nodes, ff02::2 all routers */
	if (memcmp(g->s6_addr, "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) == 0 &&
	    (g->s6_addr[15] == 1 || g->s6_addr[15] == 2))
		return true;
	/* ff02::9, all RIPng routers */
	if (g->s6_addr[15] == 9 && ripng_on(ifp) &&
	    memcmp(g->s6_addr, "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) == 0)
		return true;
	if (ebb_on(ifp) && IN6_ARE_ADDR_EQUAL(g, &ebb_group))
		return true;
	for (int i = 0; i < ifp->naddrs; i++) {
		solicited_node(&sn, &ifp->addrs[i].addr);
		if (IN6_ARE_ADDR_EQUAL(&sn, g))
			return true;
	}
	return false;
}

const struct in6_addr *
iface_src_for(const struct iface *ifp, const struct in6_addr *dst)
{
	const struct in6_addr	*first = NULL;

	if (IN6_IS_ADDR_LINKLOCAL(dst) || IN6_IS_ADDR_MC_LINKLOCAL(dst))
		return &ifp->lladdr;
	for (int i = 1; i < ifp->naddrs; i++) {
		if (prefix_match(dst, &ifp->addrs[i].addr, ifp->addrs[i].plen))
			return &ifp->addrs[i].addr;
		if (first == NULL)
			first = &ifp->addrs[i].addr;
	}
	if (first == NULL) {
		/* No global address on this link: borrow one (RFC 4443 §2.2). */
		struct router	*r = ifp->router;

		for (int j = 0; r != NULL && j < r->nifaces && first == NULL;
		    j++)
			if (r->ifaces[j]->naddrs > 1)
				first = &r->ifaces[j]->addrs[1].addr;
	}
	return first != NULL ? first : &ifp->lladdr;
}

void
iface_count_drop(struct iface *ifp, enum drop_reason why)
{
	ifp->stats.drops++;
	ifp->stats.drop[why]++;
	if (ifp->router != NULL)
		ifp->router->stats.drop[why]++;
}

uint32_t
iface_capacity_mbit(const struct iface *ifp)
{
	uint64_t	 bps = 0;

	if (ifp->conf.capacity_mbit > 0)
		return ifp->conf.capacity_mbit;
	for (int d = 0; d < LINKEM_DIRS; d++)
		if (ifp->em[d] != NULL && ifp->em[d]->c.rate_bps > 0 &&
		    (bps == 0 || ifp->em[d]->c.rate_bps < bps))
			bps = ifp->em[d]->c.rate_bps;
	if (bps > 0)
		return bps < 1000000 ? 1 : (uint32_t)(bps / 1000000);
	return DEFAULT_CAPACITY_MBIT;
}

uint32_t
iface_rate_mbit(const struct iface *ifp)
{
	uint64_t	 bps = ifp->rx_rate.bps > ifp->tx_rate.bps ?
			    ifp->rx_rate.bps : ifp->tx_rate.bps;

	return (uint32_t)((bps + 500000) / 1000000);
}

uint32_t
iface_residual_mbit(const struct iface *ifp)
{
	uint64_t	 cap = iface_capacity_mbit(ifp);
	uint64_t	 used = iface_rate_mbit(ifp) +
			    (ifp->reserved_kbit + 999) / 1000;

	return used >= cap ? 0 : (uint32_t)(cap - used);
}

uint32_t
iface_util_pct(const struct iface *ifp)
{
	uint64_t	 pct = (uint64_t)iface_rate_mbit(ifp) * 100 /
			    iface_capacity_mbit(ifp);

	return pct > 100 ? 100 : (uint32_t)pct;
}

void
iface_meter_tick(struct router *r)
{
	for (int i = 0; i < r->nifaces; i++) {
		struct iface	*ifp = r->ifaces[i];

		meter_update(&ifp->rx_rate, ifp->stats.rx_bytes, r->now_ns,
		    METER_TAU_NS);
		meter_update(&ifp->tx_rate, ifp->stats.tx_bytes, r->now_ns,
		    METER_TAU_NS);
	}
}
