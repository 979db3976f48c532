/*
 * The routing table: connected routes follow the interfaces' addresses,
 * static ones come from the configuration and the API.  Lookups go
 * through the longest-prefix-match table in rtable.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "addr.h"
#include "route.h"
#include "iface.h"
#include "router.h"
#include "ripng.h"

const char *
route_type_name(enum route_type t)
{
	switch (t) {
	case ROUTE_CONNECTED:
		return "connected";
	case ROUTE_STATIC:
		return "static";
	case ROUTE_RIPNG:
		return "ripng";
	}
	return "unknown";
}

struct iface *
router_local_addr(struct router *r, const struct in6_addr *a)
{
	return rtable_exact(r->local, a, 128);
}

struct route *
route_lookup(struct router *r, const struct in6_addr *a)
{
	return rtable_lookup(r->rt, a);
}

static int
route_insert(struct router *r, struct route *rt, char *err, size_t errlen)
{
	struct route	*old;

	/* A configured route wins over a learned one. */
	old = rtable_exact(r->rt, &rt->prefix, rt->plen);
	if (old != NULL && old->type == ROUTE_RIPNG) {
		ripng_route_displaced(r, old);
		rtable_remove(r->rt, &old->prefix, old->plen);
		free(old);
	}
	if (rtable_insert(r->rt, &rt->prefix, rt->plen, rt) == -1) {
		snprintf(err, errlen, "route to %s/%u exists",
		    fmt_addr(&rt->prefix), rt->plen);
		free(rt);
		return ROUTE_EEXIST;
	}
	return 0;
}

int
route_add_connected(struct router *r, struct iface *ifp,
    const struct in6_addr *a, uint8_t plen)
{
	struct route	*rt;
	char		 err[128];

	rt = xcalloc(1, sizeof(*rt));
	rt->prefix = *a;
	prefix_mask(&rt->prefix, plen);
	rt->plen = plen;
	rt->type = ROUTE_CONNECTED;
	rt->ifp = ifp;
	if (rtable_exact(r->rt, &rt->prefix, plen) != NULL) {
		free(rt);		/* two addresses in one prefix */
		return 0;
	}
	return route_insert(r, rt, err, sizeof(err));
}

int
route_add(struct router *r, const struct cfg_route *c, char *err,
    size_t errlen)
{
	struct route	*rt, *via;
	struct iface	*ifp = NULL;
	struct in6_addr	 pfx = c->prefix;

	prefix_mask(&pfx, c->plen);
	if (c->iface[0] != '\0' && (ifp = iface_find(r, c->iface)) == NULL) {
		snprintf(err, errlen, "no interface \"%s\"", c->iface);
		return ROUTE_EINVAL;
	}
	if (!c->has_via && ifp == NULL) {
		snprintf(err, errlen, "a route needs \"via\" or \"interface\"");
		return ROUTE_EINVAL;
	}
	if (c->has_via) {
		if (IN6_IS_ADDR_MULTICAST(&c->via) ||
		    IN6_IS_ADDR_UNSPECIFIED(&c->via) ||
		    router_local_addr(r, &c->via) != NULL) {
			snprintf(err, errlen, "bad gateway %s",
			    fmt_addr(&c->via));
			return ROUTE_EINVAL;
		}
		if (IN6_IS_ADDR_LINKLOCAL(&c->via)) {
			if (ifp == NULL) {
				snprintf(err, errlen, "link-local gateway %s "
				    "needs an interface", fmt_addr(&c->via));
				return ROUTE_EINVAL;
			}
		} else {
			via = route_lookup(r, &c->via);
			if (via == NULL || via->type != ROUTE_CONNECTED ||
			    (ifp != NULL && via->ifp != ifp)) {
				snprintf(err, errlen, "gateway %s is not on a "
				    "connected network%s%s", fmt_addr(&c->via),
				    ifp ? " of " : "", ifp ? ifp->name : "");
				return ROUTE_EINVAL;
			}
			ifp = via->ifp;
		}
	}
	rt = xcalloc(1, sizeof(*rt));
	rt->prefix = pfx;
	rt->plen = c->plen;
	rt->type = ROUTE_STATIC;
	rt->has_gw = c->has_via;
	rt->gw = c->via;
	rt->ifp = ifp;
	return route_insert(r, rt, err, errlen);
}

int
route_del(struct router *r, const struct in6_addr *a, uint8_t plen,
    char *err, size_t errlen)
{
	struct route	*rt;
	struct in6_addr	 pfx = *a;

	prefix_mask(&pfx, plen);
	if ((rt = rtable_exact(r->rt, &pfx, plen)) == NULL) {
		snprintf(err, errlen, "no route to %s/%u", fmt_addr(&pfx),
		    plen);
		return ROUTE_ENOENT;
	}
	if (rt->type == ROUTE_CONNECTED) {
		snprintf(err, errlen, "%s/%u is connected to %s",
		    fmt_addr(&pfx), plen, rt->ifp->name);
		return ROUTE_EPERM;
	}
	if (rt->type == ROUTE_RIPNG) {
		snprintf(err, errlen, "%s/%u is learned by RIPng",
		    fmt_addr(&pfx), plen);
		return ROUTE_EPERM;
	}
	rtable_remove(r->rt, &pfx, plen);
	free(rt);
	if (r->conf->ripng.export_static)
		ripng_withdraw(r, &pfx, plen);
	return 0;
}

static void
route_free_cb(const struct in6_addr *a, uint8_t plen, void *value, void *arg)
{
	(void)a;
	(void)plen;
	(void)arg;
	free(value);
}

void
route_flush(struct router *r)
{
	rtable_walk(r->rt, route_free_cb, NULL);
}
