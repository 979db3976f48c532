/*
 * Routing: rtable.c, a longest-prefix-match table of IPv6 prefixes (its
 * lookups served by the poptrie of rtable_trie.c), and
 * route.c, the routes of the router (connected and static) kept in one
 * and the router's own addresses kept in another.
 */
#ifndef VROUTER_ROUTE_H
#define VROUTER_ROUTE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg_route;
struct iface;
struct router;

struct rtable;
struct rtable *rtable_new(void);
void	 rtable_free(struct rtable *);
/* Insert; -1 if the prefix is already present or on allocation limits. */
int	 rtable_insert(struct rtable *, const struct in6_addr *, uint8_t plen,
	    void *value);
/* Remove and return the value stored for the exact prefix, or NULL. */
void	*rtable_remove(struct rtable *, const struct in6_addr *, uint8_t plen);
void	*rtable_exact(const struct rtable *, const struct in6_addr *,
	    uint8_t plen);
/* Longest-prefix match; NULL when nothing covers the address. */
void	*rtable_lookup(const struct rtable *, const struct in6_addr *);
size_t	 rtable_count(const struct rtable *);
/* Walk in order of prefix length, then address. */
void	 rtable_walk(const struct rtable *, void (*)(const struct in6_addr *,
	    uint8_t, void *value, void *arg), void *arg);
/* Bytes of the lookup structure (rtable_trie.c), for the benchmarks. */
size_t	 rtable_lookup_bytes(const struct rtable *);
/* The lookup's code variant ("avx512", "avx2", "popcnt", "plain"): the
 * best the CPU runs unless pinned; -1 if the CPU lacks it. */
const char *rtable_lookup_impl(const struct rtable *);
int	 rtable_lookup_use(struct rtable *, const char *impl);

/* rtable_trie.c: rtable.c's lookup structure, a poptrie */
#define RTRIE_DIRBITS	18	/* bits resolved by the direct table */
struct rtrie;
struct rtrie *rtrie_new(void);
void	 rtrie_free(struct rtrie *);
/* Addresses as two host-order words, masked to plen bits. */
void	 rtrie_add(struct rtrie *, uint64_t hi, uint64_t lo, uint8_t plen,
	    void *value);
void	 rtrie_del(struct rtrie *, uint64_t hi, uint64_t lo, uint8_t plen,
	    void *cover, uint8_t coverplen);
void	*rtrie_lookup(const struct rtrie *, const struct in6_addr *);
size_t	 rtrie_bytes(const struct rtrie *);
const char *rtrie_impl(const struct rtrie *);
int	 rtrie_use(struct rtrie *, const char *);

/* ---------------------------------------------------------------------- */
/* route.c: the routing table proper */
enum route_type { ROUTE_CONNECTED, ROUTE_STATIC, ROUTE_RIPNG };

struct route {
	struct in6_addr	 prefix;
	uint8_t		 plen;
	enum route_type	 type;
	bool		 has_gw;
	struct in6_addr	 gw;
	struct iface	*ifp;
	uint8_t		 metric;	/* RIPng: with the interface cost */
	uint16_t	 tag;		/* RIPng route tag */
	uint64_t	 updated_ns;	/* RIPng: last heard */
	uint64_t	 packets;	/* forwarded through this route */
	uint64_t	 bytes;
};
const char *route_type_name(enum route_type);
/* route_add/route_del return 0 or one of these, with a message in err. */
#define ROUTE_EINVAL	-1	/* bad prefix, gateway or interface */
#define ROUTE_EEXIST	-2	/* the prefix is already routed */
#define ROUTE_ENOENT	-3	/* no such route */
#define ROUTE_EPERM	-4	/* connected routes follow the interfaces */
int	 route_add(struct router *, const struct cfg_route *, char *err,
	    size_t errlen);
int	 route_add_connected(struct router *, struct iface *,
	    const struct in6_addr *, uint8_t);
int	 route_del(struct router *, const struct in6_addr *, uint8_t plen,
	    char *err, size_t errlen);
struct route *route_lookup(struct router *, const struct in6_addr *);
void	 route_flush(struct router *);	/* free every route (shutdown) */
/* Is the router the final destination of this address? Which interface? */
struct iface *router_local_addr(struct router *, const struct in6_addr *);

#endif /* VROUTER_ROUTE_H */
