/*
 * ripng.c: RIPng (RFC 2080) between routers.  Learned routes live in a
 * RIB of their own and are installed into the router's table as
 * ROUTE_RIPNG routes when no connected or static route holds the prefix.
 * Connected, static and anycast routes (a group's A/128 while a member
 * can be chosen) are exported; split horizon with poisoned reverse on
 * every interface.  All timers run on router->now_ns, so the packet-
 * fixture mode drives them on its virtual clock.
 */
#ifndef VROUTER_RIPNG_H
#define VROUTER_RIPNG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "ripng_proto.h"

struct group;
struct iface;
struct pbuf;
struct pkt;
struct route;
struct router;

#define RIPNG_MAX_ROUTES	16384	/* learned prefixes */
#define RIPNG_MAX_NBRS		64

#define RIPNG_COUNTERS(X)						\
	X(rx_requests,	"RIPng requests received.")			\
	X(rx_responses,	"RIPng responses received.")			\
	X(rx_bad,	"RIPng packets dropped whole (see errors).")	\
	X(rx_disabled,	"RIPng packets on an interface without RIPng.")	\
	X(rx_routes,	"Route entries accepted from responses.")	\
	X(rx_bad_routes, "Route entries ignored (see errors).")		\
	X(tx_requests,	"RIPng requests sent.")				\
	X(tx_responses,	"RIPng responses sent (periodic, triggered, "	\
			"answers).")					\
	X(tx_triggered,	"Triggered updates sent.")			\
	X(tx_errors,	"RIPng packets not sent for want of a buffer.")	\
	X(routes_added,	"Learned routes added.")			\
	X(routes_changed, "Learned routes whose metric or next hop changed.") \
	X(routes_timeout, "Learned routes that timed out.")		\
	X(routes_deleted, "Learned routes removed after garbage collection.") \
	X(rib_full,	"Learned routes refused: the table is full.")	\
	X(nbrs_full,	"Neighbours not tracked: the table is full.")

struct ripng_stats {
#define X(f, help) uint64_t f;
	RIPNG_COUNTERS(X)
#undef X
	uint64_t	 errors[RIPNG_E_MAX];	/* by enum ripng_err */
};

/* A router heard on a link. */
struct ripng_nbr {
	bool		 used;
	struct in6_addr	 addr;		/* link-local */
	struct iface	*ifp;
	uint64_t	 first_ns;
	uint64_t	 last_ns;
	uint64_t	 responses;
	uint64_t	 requests;
	uint64_t	 bad_packets;
	uint64_t	 bad_routes;
	uint32_t	 routes;	/* RIB entries through it */
};

/* A learned route. */
struct ripng_entry {
	struct in6_addr	 prefix;
	uint8_t		 plen;
	uint8_t		 metric;	/* with the interface cost, <= 16 */
	uint16_t	 tag;
	struct in6_addr	 gw;		/* the neighbour's link-local */
	struct iface	*ifp;
	uint64_t	 updated_ns;	/* last heard */
	uint64_t	 gc_ns;		/* metric 16 since; 0 = live */
	bool		 changed;	/* for the next triggered update */
	struct route	*rt;		/* installed, or NULL (shadowed/16) */
};

bool	 ripng_enabled(const struct router *);
void	 ripng_init(struct router *);
/* Tell the neighbours everything is gone (metric 16), free the state. */
void	 ripng_shutdown(struct router *);
void	 ripng_tick(struct router *);
/* A UDP datagram to port 521 addressed to the router. */
void	 ripng_input(struct router *, struct iface *, const struct pbuf *,
	    const struct pkt *);
/* A group's members changed: its A/128 may come or go at once. */
void	 ripng_group_changed(struct router *, struct group *);
/* A static route or a group is gone: advertised at 16 for a while. */
void	 ripng_withdraw(struct router *, const struct in6_addr *, uint8_t);
/* Send a pending triggered update now if the hold-off allows. */
void	 ripng_flush(struct router *);
/* A static route took the prefix of an installed RIPng route. */
void	 ripng_route_displaced(struct router *, struct route *);
/* Is ripng running on the interface (ff02::9 joined)? */
bool	 ripng_on(const struct iface *);

/* For the API: walk the RIB and the neighbours. */
void	 ripng_walk(struct router *, void (*)(const struct ripng_entry *,
	    void *), void *);
const struct ripng_nbr *ripng_nbrs(const struct router *, int *n);
const struct ripng_stats *ripng_stats(const struct router *);
size_t	 ripng_nroutes(const struct router *);
uint64_t ripng_next_update_ns(const struct router *);

#endif /* VROUTER_RIPNG_H */
