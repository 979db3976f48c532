/*
 * Neighbour discovery (nd.c, RFC 4861) and router advertisements (ra.c).
 * The cache itself (hash, LRU list, entry pool) is private to nd.c and
 * hangs off the router as an opaque struct nd_cache.
 */
#ifndef VROUTER_ND_H
#define VROUTER_ND_H

#include <sys/queue.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

struct iface;
struct pbuf;
struct pkt;
struct router;

#define ND_STATES(X)							\
	X(INCOMPLETE,	"incomplete")					\
	X(REACHABLE,	"reachable")					\
	X(STALE,	"stale")					\
	X(DELAY,	"delay")					\
	X(PROBE,	"probe")					\
	X(FAILED,	"failed")

enum nd_state {
#define X(id, name) ND_##id,
	ND_STATES(X)
#undef X
	ND_STATE_MAX
};
extern const char *const nd_state_names[ND_STATE_MAX];

enum nd_event {
	NDE_SEND,		/* a packet needs this neighbour */
	NDE_NA_SOLICITED,	/* solicited NA with a link-layer address */
	NDE_NA_UNSOLICITED,	/* unsolicited/override NA, new address */
	NDE_NA_SAME,		/* NA confirming the address we have */
	NDE_LLADDR_SEEN,	/* NS/RS/RA carrying a (new) link-layer address */
	NDE_TIMEOUT,		/* the entry's timer ran out */
	NDE_PROBES_DONE,	/* retransmissions exhausted */
	NDE_MAX
};

enum nd_action {
	NDA_NONE,
	NDA_SEND_MCAST_NS,	/* multicast NS, start retransmissions */
	NDA_SEND_UCAST_NS,	/* unicast NS to the cached address */
	NDA_FLUSH_QUEUE,	/* address known: send parked packets */
	NDA_START_DELAY,	/* arm DELAY_FIRST_PROBE_TIME */
	NDA_FAIL,		/* drop parked packets, answer unreachable */
};

struct nd_transition {
	enum nd_state	 next;
	enum nd_action	 action;
};
/* Pure state machine: what an event does to an entry in a state. */
struct nd_transition nd_fsm(enum nd_state, enum nd_event);

struct neighbor {
	TAILQ_ENTRY(neighbor) entry;
	struct neighbor	*hnext;		/* hash chain */
	struct in6_addr	 addr;
	struct iface	*ifp;
	uint8_t		 mac[ETH_ALEN_];
	enum nd_state	 state;
	bool		 is_router;
	uint8_t		 probes;	/* NS sent in this state */
	uint64_t	 deadline_ns;	/* 0 = no timer */
	uint64_t	 updated_ns;
	struct pbuf	*qhead;		/* parked packets */
	struct pbuf	*qtail;
	uint32_t	 qlen;
	uint64_t	 hits;
};

void	 nd_init(struct router *);
void	 nd_shutdown(struct router *);
/* Send an IPv6 packet (pbuf data at the Ethernet header) to a neighbour. */
void	 nd_output(struct router *, struct iface *, const struct in6_addr *,
	    struct pbuf *);
void	 nd_input(struct router *, struct iface *, struct pbuf *,
	    const struct pkt *);	/* NS, NA, RS; consumes nothing */
void	 nd_tick(struct router *);
struct neighbor *nd_find(struct router *, struct iface *,
	    const struct in6_addr *);
/* Entries in the cache. */
uint32_t nd_count(const struct router *);
void	 nd_walk(struct router *, void (*)(const struct neighbor *, void *),
	    void *);

/* ra.c: router advertisements */
void	 ra_input_rs(struct router *, struct iface *, const struct pkt *,
	    const uint8_t *frame);
void	 ra_tick(struct router *);
void	 ra_send(struct router *, struct iface *, const struct in6_addr *dst,
	    uint32_t lifetime);
void	 ra_init_iface(struct router *, struct iface *);
void	 ra_shutdown(struct router *);	/* final RAs, lifetime 0 */

#endif /* VROUTER_ND_H */
