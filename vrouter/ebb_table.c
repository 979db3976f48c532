/*
 * The E-BB's tables, pure: the route cache (one entry per group and
 * server), the reservations held on this router's links, and the
 * DISCOVERs seen lately.  Fixed arrays taken once at start; no clock
 * but the one passed in.
 */
#include <string.h>

#include "ebb.h"

static bool
addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

bool
ebb_path_has(const struct in6_addr *path, size_t npath,
    const struct in6_addr *a)
{
	for (size_t i = 0; i < npath; i++)
		if (addr_eq(&path[i], a))
			return true;
	return false;
}

struct ebb_route *
ebb_cache_get(struct ebb_route *tab, size_t n, const struct in6_addr *group,
    const struct in6_addr *server)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].used && addr_eq(&tab[i].group, group) &&
		    addr_eq(&tab[i].server, server))
			return &tab[i];
	return NULL;
}

struct ebb_route *
ebb_cache_slot(struct ebb_route *tab, size_t n, const struct in6_addr *group,
    const struct in6_addr *server, uint64_t now_ns)
{
	struct ebb_route	*e, *old = NULL;

	if ((e = ebb_cache_get(tab, n, group, server)) != NULL)
		return e;
	for (size_t i = 0; i < n; i++) {
		if (!tab[i].used) {
			e = &tab[i];
			break;
		}
		/* the longest expired entry holding no reservation */
		if (tab[i].expires_ns <= now_ns && tab[i].resv_until_ns <=
		    now_ns && !tab[i].resv_pending && (old == NULL ||
		    tab[i].expires_ns < old->expires_ns))
			old = &tab[i];
	}
	if (e == NULL)
		e = old;
	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->group = *group;
	e->server = *server;
	return e;
}

size_t
ebb_cache_count(const struct ebb_route *tab, size_t n,
    const struct in6_addr *group, uint64_t now_ns)
{
	size_t	 c = 0;

	for (size_t i = 0; i < n; i++)
		if (tab[i].used && tab[i].expires_ns > now_ns &&
		    (group == NULL || addr_eq(&tab[i].group, group)))
			c++;
	return c;
}

struct ebb_resv *
ebb_resv_find(struct ebb_resv *tab, size_t n, const struct in6_addr *origin,
    uint32_t id, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].used && tab[i].id == id &&
		    tab[i].ifindex == ifindex && addr_eq(&tab[i].origin, origin))
			return &tab[i];
	return NULL;
}

struct ebb_resv *
ebb_resv_slot(struct ebb_resv *tab, size_t n, const struct in6_addr *origin,
    uint32_t id, int ifindex)
{
	struct ebb_resv	*e;

	if ((e = ebb_resv_find(tab, n, origin, id, ifindex)) != NULL)
		return e;
	for (size_t i = 0; i < n; i++)
		if (!tab[i].used) {
			e = &tab[i];
			memset(e, 0, sizeof(*e));
			e->used = true;
			e->origin = *origin;
			e->id = id;
			e->ifindex = ifindex;
			return e;
		}
	return NULL;
}

uint64_t
ebb_resv_sum(const struct ebb_resv *tab, size_t n, int ifindex,
    const struct in6_addr *origin, uint32_t id)
{
	uint64_t	 sum = 0;

	for (size_t i = 0; i < n; i++) {
		if (!tab[i].used || tab[i].ifindex != ifindex)
			continue;
		if (origin != NULL && tab[i].id == id &&
		    addr_eq(&tab[i].origin, origin))
			continue;
		sum += tab[i].kbit;
	}
	return sum;
}

bool
ebb_seen_check(struct ebb_seen *tab, size_t n, size_t *next,
    const struct in6_addr *origin, uint32_t id, uint64_t now_ns,
    uint64_t window_ns)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].ns != 0 && tab[i].id == id &&
		    now_ns - tab[i].ns < window_ns &&
		    addr_eq(&tab[i].origin, origin))
			return true;
	tab[*next].origin = *origin;
	tab[*next].id = id;
	tab[*next].ns = now_ns != 0 ? now_ns : 1;
	*next = (*next + 1) % n;
	return false;
}
