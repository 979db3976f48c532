/*
 * The E-BB (extended bandwidth broker, paper 2 §4-5) inside the router
 * (docs/ebb.md): ebb.c (the messages between neighbouring routers:
 * sending, receiving, neighbours, replay, DISCOVER flooded and
 * answered, ANSWER passed back), ebb_resolve.c (the resolver: the nine
 * steps for a group with "ebb", the discovery timer, the route cache
 * turned into remote members, the reservation of a chosen path),
 * ebb_resv.c (RESERVE, ACK, NAK and RELEASE at each hop: the bandwidth
 * reserved on this router's links), ebb_table.c (the route cache, the
 * reservation table and the duplicate filter: pure), config_ebb.c and
 * api_ebb.c.  The codec is common/ebb_proto.[ch].
 */
#ifndef VROUTER_EBB_H
#define VROUTER_EBB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebb_proto.h"

struct group;
struct iface;
struct member;
struct pbuf;
struct pkt;
struct router;
struct event;

/* ff02::1:5300, every E-BB on the link: DISCOVERs are flooded to it. */
#define EBB_GROUP_INIT \
	{{{ 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x53, 0x00 }}}

#define EBB_MAX_NBRS		64
#define EBB_MAX_KEYS		4	/* CFG_MAX_KEYS */
#define EBB_MAX_GROUPS		64	/* CFG_MAX_GROUPS */
#define EBB_CACHE_MAX		1024	/* routes, all groups */
#define EBB_RESV_MAX		1024	/* reservations on this router's links */
#define EBB_SEEN_MAX		256	/* DISCOVERs remembered */
#define EBB_SEEN_MS		10000	/* ... this long */
#define EBB_NBR_LIFE_MS		300000	/* a neighbour silent this long goes */

/* The nine steps and the rest, each a counter (see IFACE_COUNTERS). */
#define EBB_COUNTERS(X)							\
	X(requests,	"New flows for a group with \"ebb\" (step 1).")	\
	X(cache_hits,	"Requests the route cache answered (step 2).")	\
	X(cache_misses,	"Requests that waited for a discovery (step 2 to 3).") \
	X(discoveries_sent, "Discoveries built and flooded by this resolver " \
	    "(steps 3 and 4).")						\
	X(refreshes,	"Discoveries started before a group's cache expired, " \
	    "the group being in use.")					\
	X(discover_in,	"DISCOVERs accepted from neighbours.")		\
	X(discoveries_forwarded, "DISCOVER copies flooded on to neighbours " \
	    "(step 4).")						\
	X(duplicates,	"DISCOVERs dropped: origin and request seen before.") \
	X(loops,	"DISCOVERs dropped: this router already on the path.") \
	X(answers_sent,	"ANSWERs for this router's own members (step 5).") \
	X(answers_relayed, "ANSWERs passed back towards their resolver.") \
	X(answers_received, "ANSWERs received by this resolver (step 5).") \
	X(answers_late,	"ANSWERs that came after their discovery's timer " \
	    "(stored all the same).")					\
	X(answers_unmatched, "ANSWERs for no discovery of this resolver.") \
	X(timer_expired, "Discovery timers that ran out (step 6).")	\
	X(choices,	"Parked flows given to the group's policy when a " \
	    "discovery ended (step 6).")				\
	X(reservations_sent, "Reservations asked along a chosen path " \
	    "(step 7).")						\
	X(reservations_ok, "Reservations every hop accepted (RESERVE_ACK).") \
	X(reservations_failed, "Reservations refused (RESERVE_NAK) or " \
	    "unanswered.")						\
	X(rediscoveries, "Failed reservations made from the cache: back to " \
	    "discovery (step 8).")					\
	X(cache_stored,	"Answers stored in the route cache (step 9).")	\
	X(cache_expired, "Route cache entries that expired.")		\
	X(cache_full,	"Answers not stored: the route cache is full.")	\
	X(resv_accepted, "Reservations taken on this router's links as a " \
	    "hop of a path.")						\
	X(resv_refused,	"Reservations refused on this router's links " \
	    "(RESERVE_NAK sent).")					\
	X(resv_expired,	"Reservations on this router's links that expired.") \
	X(resv_released, "Reservations on this router's links ended early " \
	    "(RESERVE_NAK or RELEASE).")				\
	X(resv_full,	"Reservations refused: the table is full.")	\
	X(rx_bad,	"Messages refused by the codec (see errors).")	\
	X(rx_replay,	"Messages whose sequence number was not above the " \
	    "sender's last.")						\
	X(rx_hop_limit,	"Messages with a hop limit other than 255 (not " \
	    "from a neighbour).")					\
	X(rx_source,	"Messages from other than a link-local address.") \
	X(rx_disabled,	"Messages on an interface without E-BB, or with " \
	    "the E-BB off.")						\
	X(rx_unexpected, "Messages that fit no state: this router not on " \
	    "their path, or their group unknown.")			\
	X(no_neighbour,	"Messages not sent: the next router of the path " \
	    "has not been heard on any link.")				\
	X(no_route,	"Answers not made members: no route to the server.") \
	X(tx_messages,	"Messages sent.")				\
	X(tx_errors,	"Messages not sent for want of a buffer.")

struct ebb_stats {
#define X(f, help) uint64_t f;
	EBB_COUNTERS(X)
#undef X
	uint64_t	 errors[EBB_E_MAX];	/* by enum ebb_err */
};

/* An E-BB heard on a link: a link-local sender, its router id. */
struct ebb_nbr {
	bool		 used;
	struct iface	*ifp;
	struct in6_addr	 lladdr;
	struct in6_addr	 router_id;
	uint64_t	 last_seq;	/* replay protection */
	uint64_t	 first_ns;
	uint64_t	 last_ns;
	uint64_t	 messages;
};

/* A route cache entry: one answer (group A, server U, the path). */
struct ebb_route {
	bool		 used;
	struct in6_addr	 group;
	struct in6_addr	 server;
	uint8_t		 npath;
	struct in6_addr	 path[EBB_MAX_PATH];	/* origin first */
	uint8_t		 hops;
	uint32_t	 bw_mbit;
	uint8_t		 load_pct;
	uint32_t	 req_id;	/* of the discovery that found it */
	uint64_t	 stored_ns;
	uint64_t	 expires_ns;
	uint64_t	 used_ns;	/* last chosen for a flow */
	/* the resolver's reservation along the path */
	uint32_t	 resv_id;
	uint32_t	 resv_kbit;
	uint64_t	 resv_until_ns;	/* 0: none held */
	uint64_t	 resv_sent_ns;
	bool		 resv_pending;
	bool		 resv_from_cache;	/* step 8 applies if refused */
};

/* Bandwidth reserved on one of this router's links for a path. */
struct ebb_resv {
	bool		 used;
	struct in6_addr	 origin;
	uint32_t	 id;
	int		 ifindex;	/* router->ifaces[] */
	uint32_t	 kbit;
	uint64_t	 until_ns;
	struct in6_addr	 group;
};

/* A DISCOVER seen: (origin, request id). */
struct ebb_seen {
	struct in6_addr	 origin;
	uint32_t	 id;
	uint64_t	 ns;
};

/* The resolver's discovery for one group (slot = group id). */
struct ebb_disc {
	bool		 active;	/* in flight: the timer runs */
	struct in6_addr	 group;
	uint32_t	 req_id;	/* the last one sent */
	uint64_t	 started_ns;
	uint64_t	 deadline_ns;
	uint64_t	 fresh_until_ns;	/* results usable until */
	uint64_t	 used_ns;	/* last request for the group */
	uint32_t	 answers;	/* of the last discovery */
	struct pbuf	*qhead;		/* flows waiting for it */
	struct pbuf	*qtail;
	uint32_t	 qlen;
	uint64_t	 first_pkt_ns;	/* discovery to first packet out */
	struct event	*ev;		/* live mode: the timer */
	struct router	*router;
};

struct ebb {
	struct ebb_stats stats;
	struct in6_addr	 router_id;
	struct ebb_key	 keys[EBB_MAX_KEYS];
	size_t		 nkeys;
	uint32_t	 next_id;	/* requests and reservations */
	struct ebb_nbr	 nbrs[EBB_MAX_NBRS];
	struct ebb_route *cache;	/* EBB_CACHE_MAX */
	struct ebb_resv	*resv;		/* EBB_RESV_MAX */
	struct ebb_seen	 seen[EBB_SEEN_MAX];
	size_t		 seen_next;
	struct ebb_disc	 disc[EBB_MAX_GROUPS];	/* by group id */
	bool		 dispatching;	/* parked flows after a discovery */
	uint64_t	 last_disc_ms;	/* discovery to first packet */
};

/* ebb.c */
void	 ebb_init(struct router *);
void	 ebb_shutdown(struct router *);
void	 ebb_tick(struct router *);
/* A UDP datagram to port EBB_PORT addressed to the router. */
void	 ebb_input(struct router *, struct iface *, const struct pbuf *,
	    const struct pkt *);
/* Does the E-BB run on the interface (ff02::1:5300 joined)? */
bool	 ebb_on(const struct iface *);
/* Send m to a neighbour (dst link-local) or flood it (dst NULL). */
int	 ebb_send(struct router *, struct iface *, const struct in6_addr *dst,
	    struct ebb_msg *);
/* The neighbour heard with this router id, or NULL. */
struct ebb_nbr *ebb_nbr_by_id(struct router *, const struct in6_addr *);
/* A DISCOVER to every interface with the E-BB but in. */
void	 ebb_flood(struct router *, const struct ebb_msg *, struct iface *in);
/* A new request or reservation id, never 0. */
uint32_t ebb_next_id(struct router *);
/* Send m to path[pos] (a neighbour); -1 when it is not one. */
int	 ebb_send_to(struct router *, struct ebb_msg *, int pos);
/* This router's position on m's path, or -1. */
int	 ebb_path_pos(const struct router *, const struct ebb_msg *);

/* ebb_resolve.c: the resolver (steps 1 to 9) */
/*
 * A new flow for g, a group with "ebb" (step 1): true when pb was taken
 * (parked for a discovery), false when the cache holds the group's
 * routes and the caller chooses a member as for any group.
 */
bool	 ebb_request(struct router *, struct group *, struct pbuf *);
void	 ebb_answer_in(struct router *, const struct ebb_msg *);
/* The origin's end of a reservation: ACK (ok) or NAK. */
void	 ebb_resv_done(struct router *, const struct ebb_msg *, bool ok);
/* Is a remote member ready for a new flow (its path reserved)? */
bool	 ebb_member_fresh(const struct router *, const struct member *);
/* Reserve the remote member's path (the "probe" of a remote member). */
void	 ebb_member_reserve(struct router *, struct member *);
void	 ebb_group_gone(struct router *, const struct group *);
void	 ebb_resolve_tick(struct router *);
void	 ebb_disc_timer(struct router *, struct ebb_disc *);
/* The cache entry of a remote member, or NULL. */
const struct ebb_route *ebb_member_route(const struct router *,
	    const struct member *);

/* ebb_resv.c: reservations at each hop */
void	 ebb_reserve_in(struct router *, const struct ebb_msg *);
void	 ebb_reply_in(struct router *, const struct ebb_msg *);
void	 ebb_release_in(struct router *, const struct ebb_msg *);
/* Take kbit on this router's links of path position pos; false: NAK. */
bool	 ebb_resv_take(struct router *, const struct ebb_msg *, int pos,
	    uint32_t *residual_mbit);
/* Give back every link's share of (origin, id). */
void	 ebb_resv_give(struct router *, const struct in6_addr *origin,
	    uint32_t id);
void	 ebb_resv_tick(struct router *);

/* ebb_table.c: pure tables */
struct ebb_route *ebb_cache_get(struct ebb_route *, size_t n,
	    const struct in6_addr *group, const struct in6_addr *server);
/* The entry for (group, server), a free one, or an expired one; NULL. */
struct ebb_route *ebb_cache_slot(struct ebb_route *, size_t n,
	    const struct in6_addr *group, const struct in6_addr *server,
	    uint64_t now_ns);
size_t	 ebb_cache_count(const struct ebb_route *, size_t n,
	    const struct in6_addr *group, uint64_t now_ns);
struct ebb_resv *ebb_resv_find(struct ebb_resv *, size_t n,
	    const struct in6_addr *origin, uint32_t id, int ifindex);
/* A new entry (or the existing one); NULL when the table is full. */
struct ebb_resv *ebb_resv_slot(struct ebb_resv *, size_t n,
	    const struct in6_addr *origin, uint32_t id, int ifindex);
/* kbit held on ifindex by live entries (other than origin/id). */
uint64_t ebb_resv_sum(const struct ebb_resv *, size_t n, int ifindex,
	    const struct in6_addr *origin, uint32_t id);
/* True when (origin, id) was seen in the window; else remembered. */
bool	 ebb_seen_check(struct ebb_seen *, size_t n, size_t *next,
	    const struct in6_addr *origin, uint32_t id, uint64_t now_ns,
	    uint64_t window_ns);
/* Is a in the path? */
bool	 ebb_path_has(const struct in6_addr *path, size_t npath,
	    const struct in6_addr *a);

#endif /* VROUTER_EBB_H */
