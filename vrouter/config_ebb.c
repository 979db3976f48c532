/*
 * The "ebb" block of the configuration (docs/ebb.md): the region's
 * keys, the router id, the discovery timer, the route cache's lifetime
 * and the bandwidth reserved per cached route.  The interfaces' and
 * groups' own "ebb" flags are parsed with them (config_iface.c,
 * config_group.c) and checked here against the block.
 */
#include <arpa/inet.h>

#include <string.h>

#include "config_json.h"

#define DEFAULT_EBB_WAIT_MS		50
#define MIN_EBB_WAIT_MS			1
#define MAX_EBB_WAIT_MS			10000
#define DEFAULT_EBB_CACHE_MS		1000
#define MIN_EBB_CACHE_MS		100
#define MAX_EBB_CACHE_MS		3600000
#define DEFAULT_EBB_RESERVE_KBIT	1000
#define MAX_EBB_RESERVE_KBIT		(MAX_CAPACITY_MBIT * 1000u)
#define MIN_EBB_RESERVE_MS		100
#define MAX_EBB_RESERVE_MS		3600000

void
cfg_ebb_defaults(struct cfg_ebb *c)
{
	memset(c, 0, sizeof(*c));
	c->wait_ms = DEFAULT_EBB_WAIT_MS;
	c->cache_lifetime_ms = DEFAULT_EBB_CACHE_MS;
	c->reserve_kbit = DEFAULT_EBB_RESERVE_KBIT;
}

static int
parse_router_id(struct cfgp *p, json_t *obj, struct in6_addr *id)
{
	const char	*s = NULL, *why;
	char		 q[CFG_QUOTE_LEN];

	if (cfg_str(p, obj, "ebb", "router_id", &s) == -1)
		return -1;
	if (s == NULL)
		return 0;
	cfg_quote(q, sizeof(q), s);
	if (inet_pton(AF_INET6, s, id) != 1)
		return cfg_err(p, "ebb.router_id: %s is not an IPv6 address",
		    q);
	if ((why = cfg_unicast_problem(id)) == NULL &&
	    IN6_IS_ADDR_LINKLOCAL(id))
		why = "is link-local";
	if (why != NULL)
		return cfg_err(p, "ebb.router_id: %s %s (one of the router's "
		    "global addresses is needed)", q, why);
	return 0;
}

int
cfg_parse_ebb(struct cfgp *p, json_t *obj)
{
	static const char *const keys[] = { "enabled", "router_id", "keys",
	    "wait_ms", "cache_lifetime_ms", "reserve_kbit", "reserve_ms",
	    NULL };
	struct cfg_ebb	*c = &p->conf->ebb;

	c->enabled = true;		/* the block's presence asks for it */
	if (cfg_keys(p, obj, "ebb", keys) == -1 ||
	    cfg_bool(p, obj, "ebb", "enabled", &c->enabled) == -1 ||
	    parse_router_id(p, obj, &c->router_id) == -1 ||
	    cfg_parse_keys(p, obj, "ebb", c->keys, &c->nkeys) == -1 ||
	    cfg_u32(p, obj, "ebb", "wait_ms", MIN_EBB_WAIT_MS,
	    MAX_EBB_WAIT_MS, &c->wait_ms) == -1 ||
	    cfg_u32(p, obj, "ebb", "cache_lifetime_ms", MIN_EBB_CACHE_MS,
	    MAX_EBB_CACHE_MS, &c->cache_lifetime_ms) == -1 ||
	    cfg_u32(p, obj, "ebb", "reserve_kbit", 0, MAX_EBB_RESERVE_KBIT,
	    &c->reserve_kbit) == -1 ||
	    cfg_u32(p, obj, "ebb", "reserve_ms", MIN_EBB_RESERVE_MS,
	    MAX_EBB_RESERVE_MS, &c->reserve_ms) == -1)
		return -1;
	if (c->reserve_ms == 0)
		c->reserve_ms = c->cache_lifetime_ms;
	if (c->enabled && c->nkeys == 0)
		return cfg_err(p, "ebb.keys: at least one region key is "
		    "needed (messages are authenticated)");
	return 0;
}

int
cfg_check_ebb(struct cfgp *p)
{
	const struct config	*c = p->conf;
	char			 buf[INET6_ADDRSTRLEN];
	int			 i, own = -1;

	if (c->ebb.reserve_ms == 0)
		p->conf->ebb.reserve_ms = c->ebb.cache_lifetime_ms;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i].ebb && !c->ebb.enabled)
			return cfg_err(p, "groups[%d].ebb: needs the E-BB on "
			    "(a top-level \"ebb\" block with keys)", i);
	for (i = 0; i < c->nifaces; i++)
		if (c->ifaces[i].ebb == 1 && !c->ebb.enabled)
			return cfg_err(p, "interfaces[%d].ebb: needs the E-BB "
			    "on (a top-level \"ebb\" block with keys)", i);
	if (!c->ebb.enabled ||
	    IN6_IS_ADDR_UNSPECIFIED(&c->ebb.router_id))
		return 0;
	for (i = 0; i < c->nifaces && own == -1; i++)
		for (int j = 0; j < c->ifaces[i].naddrs; j++)
			if (memcmp(&c->ifaces[i].addrs[j].addr,
			    &c->ebb.router_id, sizeof(struct in6_addr)) == 0)
				own = i;
	if (own == -1)
		return cfg_err(p, "ebb.router_id: %s is none of the router's "
		    "addresses", inet_ntop(AF_INET6, &c->ebb.router_id, buf,
		    sizeof(buf)));
	return 0;
}
