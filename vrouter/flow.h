/*
 * The anycast flow table: which member serves each client flow.
 *
 * A flow is keyed as seen from the client (client -> anycast address).
 * The first packet of a flow is given to a member by the group's
 * policy; flow_insert() pins that choice, and every later packet of
 * the flow, in either direction, finds it with flow_lookup().
 *
 * Everything is preallocated by flow_table_new(): lookups, inserts,
 * updates and expiry never allocate, never log and do no I/O.  Time is
 * whatever monotonic nanosecond clock the caller passes in (mono_ns()
 * in the router, a virtual clock in tests).
 *
 * Eviction (a full table, flood mode off) is "second chance", the
 * CLOCK approximation of least recently used: flows wait in a queue in
 * the order they were inserted, and a lookup that finds a flow only
 * marks it used (it touches nothing else, so a lookup reads one bucket
 * and one flow).  To make room, the oldest flow of the queue goes if
 * it is unmarked or idle past its timeout; a marked one is queued
 * again as the newest, unmarked, and the next oldest is considered,
 * FLOW_EVICT_SCAN times at most (then the oldest goes whatever its
 * mark).  So, but for a run of more than FLOW_EVICT_SCAN marked flows
 * at the head of the queue, a flow found by a lookup since it was last
 * queued outlives every unmarked one, and unmarked flows go in the
 * order they were queued.
 *
 * Ownership: a struct flow returned by this module belongs to the
 * table.  The pointer stays valid until that flow is released: by
 * flow_remove(), flow_flush*(), expiry in flow_expire() or
 * flow_lookup(), eviction or replacement in flow_insert(), or
 * flow_table_free().  The release callback sees every flow at that
 * moment (except at flow_table_free()).
 *
 * Sessions (paper 1, "service start" / "service end"): a flow counts
 * as a session from its insertion until its TCP connection is closed,
 * by FINs both ways and the last ACK or by a RST, or until it leaves
 * the table, whichever comes first.  A closed flow stays a while
 * (closed_ms) so that stragglers reach the same member, but it no
 * longer counts.  The session callback reports each change, so a
 * caller keeping a per-member count of sessions follows it there.
 */
#ifndef FLOW_H
#define FLOW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP flag bits as on the wire (byte 13 of the TCP header). */
#define FLOW_TCP_FIN		0x01
#define FLOW_TCP_SYN		0x02
#define FLOW_TCP_RST		0x04
#define FLOW_TCP_ACK		0x10

/* Default idle timeouts, milliseconds. */
#define FLOW_DEFAULT_SYN_MS		10000
#define FLOW_DEFAULT_ESTABLISHED_MS	300000
#define FLOW_DEFAULT_FIN_MS		10000
#define FLOW_DEFAULT_UDP_MS		30000
#define FLOW_DEFAULT_OTHER_MS		30000
#define FLOW_DEFAULT_CLOSED_MS		2000

/*
 * Flood mode (flow_set_flood()): once the table holds high-water
 * percent of its capacity, a new flow no longer evicts an established
 * one.  It takes the slot of the oldest flow of the queue if that one
 * is idle past its timeout, else of the oldest embryonic flow (TCP,
 * the client never acknowledged the handshake: what a SYN flood from
 * spoofed sources leaves; oldest by insertion), and when
 * there is none flow_insert() returns NULL and the caller forwards the
 * flow without an entry.  The table does not grow in flood mode; it
 * leaves it when it has drained below the low-water mark.
 */
#define FLOW_DEFAULT_HIGH_WATER_PCT	90
#define FLOW_DEFAULT_LOW_WATER_PCT	80

/* Largest capacity flow_table_new() accepts. */
#define FLOW_MAX_CAPACITY	(1u << 26)

/* Marked flows an eviction queues again before it takes the oldest. */
#define FLOW_EVICT_SCAN		8

/* Packet directions for flow_update(). */
#define FLOW_DIR_TO_MEMBER	0	/* client -> member */
#define FLOW_DIR_TO_CLIENT	1	/* member -> client */

/*
 * Client -> anycast address.  Ports are in host order.  For ICMPv6
 * echo the identifier is in cport and gport is 0.  Two keys are equal
 * when these fields are; padding bytes never matter.
 */
struct flow_key {
	struct in6_addr	 client;	/* source of the client's packets */
	struct in6_addr	 group;		/* the anycast address */
	uint16_t	 cport;
	uint16_t	 gport;
	uint8_t		 proto;
	/*
	 * 0, or FLOW_TAG_DATAGRAM | the first two payload bytes (a DNS
	 * query's ID): a UDP datagram that is a flow of its own.
	 */
	uint32_t	 tag;
};
#define FLOW_TAG_DATAGRAM	0x10000u

enum flow_tcp_state {
	FLOW_NEW,		/* TCP, no packet accounted yet */
	FLOW_SYN,
	FLOW_ESTABLISHED,
	FLOW_FIN,
	FLOW_CLOSED,
	FLOW_UDP,		/* UDP or any other protocol: no states */
	FLOW_NSTATES
};

/* What a flow is, for flood mode: see flow_kind(). */
#define FLOW_KINDS(X)							\
	X(EMBRYONIC,	"embryonic")	/* TCP, no ACK from the client */ \
	X(CONNECTED,	"connected")	/* TCP, the client acknowledged */ \
	X(DATAGRAM,	"datagram")	/* UDP, ICMPv6 echo, others */

enum flow_kind {
#define X(id, name) FLOW_KIND_##id,
	FLOW_KINDS(X)
#undef X
	FLOW_NKINDS
};

/*
 * 128 bytes, aligned: the first cache line holds all a lookup reads
 * (the key, and what its idle timeout depends on) and the member.
 * The key is never to be written: the table finds the bucket by it.
 */
struct flow {
	struct flow_key	 key;
	enum flow_tcp_state state;
	uint64_t	 last_ns;	/* last packet either direction */
	uint32_t	 member;	/* caller's member id (opaque) */
	bool		 client_acked;	/* an ACK from the client seen */
	bool		 fl_ref;	/* private: looked up since queued */
	bool		 fl_used;	/* private */
	uint8_t		 fl_kind;	/* private: enum flow_kind, as counted */

	uint32_t	 group_id;	/* caller's group id (opaque) */
	uint8_t		 fin_seen;	/* bit 0: FIN from client, 1: member */
	/* Routing header inserted once each way (per TCP connection). */
	bool		 rh_to_member_done;
	bool		 rh_to_client_done;
	uint64_t	 created_ns;
	uint64_t	 packets_in;	/* client -> member */
	uint64_t	 bytes_in;
	uint64_t	 packets_out;	/* member -> client */
	uint64_t	 bytes_out;

	/* Private to flow.c. */
	struct flow_link {
		uint32_t newer, older;
	}		 fl_queue;	/* every flow (or the free list) */
	struct flow_link fl_emb;	/* embryonic flows, by insertion */
} __attribute__((aligned(64)));

/*
 * Idle timeouts per state, in milliseconds; a zero field takes its
 * default.  syn_ms covers FLOW_NEW and FLOW_SYN; udp_ms is for UDP
 * flows and other_ms for any other non-TCP protocol (ICMPv6 echo);
 * closed_ms is the short grace period after the last FIN was
 * acknowledged or a RST was seen, which lets stragglers and
 * retransmissions still reach the same member.
 */
struct flow_timeouts {
	uint32_t	 syn_ms;
	uint32_t	 established_ms;
	uint32_t	 fin_ms;
	uint32_t	 udp_ms;
	uint32_t	 other_ms;
	uint32_t	 closed_ms;
};

/* The table's counters, each with its help text for the API. */
#define FLOW_COUNTERS(X)						\
	X(inserted,	"Flows added to the flow table.")		\
	X(expired,	"Flows removed after their idle timeout.")	\
	X(evicted,	"Live flows removed to make room.")		\
	X(removed,	"Flows removed by a flush, a member leaving or a " \
	    "new choice.")						\
	X(embryonic_evicted, "Embryonic flows (TCP, never acknowledged " \
	    "by the client) removed to make room in flood mode.")	\
	X(flood_entered, "Times the table passed its high-water mark " \
	    "and entered flood mode.")					\
	X(flood_stateless, "Packets of new flows forwarded without an " \
	    "entry in flood mode: no embryonic or idle flow to replace.")

struct flow_stats {
#define X(f, help) uint64_t f;
	FLOW_COUNTERS(X)
#undef X
};

struct flow_table;
typedef void	(*flow_release_cb)(struct flow *, void *);
typedef void	(*flow_session_cb)(const struct flow *, int delta, void *);
typedef void	(*flow_walk_cb)(const struct flow *, void *);
typedef void	(*flow_flood_cb)(bool on, size_t count, void *);

/* flow.c */

/*
 * A table for up to capacity flows (0 is allowed: nothing can be
 * inserted).  NULL timeouts take every default.  Returns NULL, with
 * errno EINVAL, when capacity exceeds FLOW_MAX_CAPACITY.  Memory:
 * 128 bytes per flow and 16 to 32 of buckets, all touched at once;
 * large arrays are mapped on huge-page boundaries with MADV_HUGEPAGE.
 */
struct flow_table *flow_table_new(uint32_t capacity,
	    const struct flow_timeouts *);
/* Frees the table and every flow in it; no release callbacks. */
void	 flow_table_free(struct flow_table *);
/*
 * Called for each flow leaving the table (expiry, eviction, removal,
 * flush, replacement by flow_insert()), just before its slot is
 * reused.  The callback must not call back into the table.
 */
void	 flow_set_release_cb(struct flow_table *, flow_release_cb, void *arg);
/*
 * Called with delta +1 when a flow starts counting as a session: at
 * flow_insert(), and when a SYN reopens a closed flow in flow_update();
 * and with -1 when it stops: in flow_update() when its connection
 * closes, or when it is released while still a session (then just
 * before the release callback).  Over the life of a flow the deltas
 * add up to 0, whatever the way out (but flow_table_free() calls
 * nothing).  The callback must not call back into the table.
 */
void	 flow_set_session_cb(struct flow_table *, flow_session_cb, void *arg);
/*
 * Flood mode above high_pct percent of the capacity, until the count
 * drops below low_pct percent (see FLOW_DEFAULT_HIGH_WATER_PCT).
 * high_pct 0 turns it off: a full table evicts a flow whatever it is,
 * as the top of this file says (the default of a new table).  Needs
 * low_pct < high_pct <= 100; returns -1 (EINVAL) otherwise.
 */
int	 flow_set_flood(struct flow_table *, uint32_t high_pct,
	    uint32_t low_pct);
/*
 * Called when the table enters (on true) or leaves flood mode, with
 * the count of flows at that moment.  Must not call back into the table.
 */
void	 flow_set_flood_cb(struct flow_table *, flow_flood_cb, void *arg);
bool	 flow_flood(const struct flow_table *);
/* The kind of a flow now, and the number of flows of each kind. */
enum flow_kind flow_kind(const struct flow *);
size_t	 flow_count_kind(const struct flow_table *, enum flow_kind);
const char *flow_kind_name(enum flow_kind);
/* The timeouts in effect, defaults filled in. */
void	 flow_get_timeouts(const struct flow_table *, struct flow_timeouts *);

/*
 * A well mixed 64-bit hash of a key, the same in every table and for
 * the life of the process (maglev selection uses it for flows with no
 * entry).  The table places flows with a keyed hash of its own (a
 * secret key per table), so that nobody outside can aim flows at one
 * bucket.
 */
uint64_t flow_hash(const struct flow_key *);

/* The key of a client's packet: src = client, dst = anycast address. */
void	 flow_key_set(struct flow_key *, const struct in6_addr *src,
	    const struct in6_addr *dst, uint16_t sport, uint16_t dport,
	    uint8_t proto);
/*
 * The key of a member's reply, src = anycast address, dst = client,
 * ports as in the reply: the same key as the client's packets.  For
 * ICMPv6 echo pass (identifier, 0) for a request to flow_key_set()
 * and (0, identifier) for the reply here.
 */
void	 flow_key_reverse(struct flow_key *, const struct in6_addr *src,
	    const struct in6_addr *dst, uint16_t sport, uint16_t dport,
	    uint8_t proto);
bool	 flow_key_equal(const struct flow_key *, const struct flow_key *);

/*
 * The live flow of a key, NULL if there is none or it has been idle
 * past its timeout at now_ns (such a flow is released as expired).
 * A hit marks the flow used, for eviction (see the top of this file);
 * it does not count as a packet (see flow_update()).
 */
struct flow *flow_lookup(struct flow_table *, const struct flow_key *,
	    uint64_t now_ns);
/*
 * flow_lookup() of keys[0..n-1] into out[0..n-1], the same as n calls
 * in that order, but the memory of a few keys is fetched at once,
 * which hides most of the latency of a table larger than the caches.
 */
void	 flow_lookup_bulk(struct flow_table *, const struct flow_key *keys,
	    size_t n, uint64_t now_ns, struct flow **out);
/*
 * Pin a new flow to a member.  A flow already present under that key
 * is released first (as removed, or as expired if it was).  When the
 * table is full a flow is released as the top of this file says
 * (evicted, or expired if it was).  In flood mode the slot of an idle
 * flow or else of the oldest embryonic one is taken, and when
 * there is neither the result is NULL (counted in flood_stateless).
 * The flow starts in FLOW_NEW for TCP and FLOW_UDP otherwise, with
 * last_ns = now_ns.  NULL also when the capacity is 0.
 */
struct flow *flow_insert(struct flow_table *, const struct flow_key *,
	    uint32_t group_id, uint32_t member, uint64_t now_ns);
/*
 * Account one packet of len bytes in direction dir (FLOW_DIR_*) of a
 * flow of this table and advance the TCP state machine with its
 * tcp_flags (ignored for other protocols):
 *   SYN                         NEW, CLOSED -> SYN (a new connection
 *                               on the same ports restarts the flow)
 *   SYN-ACK, ACK after SYN      -> ESTABLISHED
 *   ACK in NEW                  -> ESTABLISHED (picked up mid-stream)
 *   FIN from either side        -> FIN
 *   ACK once both FINs seen     -> CLOSED
 *   RST                         -> CLOSED
 * Any ACK from the client also ends the embryonic kind of a TCP flow
 * (client_acked).
 * Entering CLOSED ends the flow's session, leaving it starts a new
 * one (see flow_set_session_cb()).
 */
void	 flow_update(struct flow_table *, struct flow *, int dir,
	    uint8_t tcp_flags, uint32_t len, uint64_t now_ns);
/* Whether a flow counts as a session: every flow but a closed one. */
bool	 flow_is_session(const struct flow *);
/* Release a flow of this table (as removed). */
void	 flow_remove(struct flow_table *, struct flow *);
/*
 * Release flows idle past their timeout.  Examines at most budget
 * flows: first the oldest of the queue, then onwards from where
 * the previous call stopped, so that over successive calls every flow
 * is seen.  A budget above flow_count() checks every flow.  Returns
 * the number expired.
 */
size_t	 flow_expire(struct flow_table *, uint64_t now_ns, size_t budget);
/* The idle timeout of a flow in its current state, milliseconds. */
uint32_t flow_timeout_ms(const struct flow_table *, const struct flow *);
/* Whether a flow has been idle past its timeout at now_ns. */
bool	 flow_is_expired(const struct flow_table *, const struct flow *,
	    uint64_t now_ns);

/* Flows in the table, including idle ones not yet reclaimed. */
size_t	 flow_count(const struct flow_table *);
uint32_t flow_capacity(const struct flow_table *);
const struct flow_stats *flow_stats(const struct flow_table *);

/*
 * Visit flows of group_id (UINT32_MAX: all), newest of the queue first
 * (by insertion, or by the last second chance an eviction gave them),
 * skipping the first offset of them and visiting at most limit.
 * Returns the number visited.  Idle flows not yet reclaimed are
 * included; call flow_expire() first for an exact list.
 */
size_t	 flow_walk(struct flow_table *, uint32_t group_id, size_t offset,
	    size_t limit, flow_walk_cb, void *arg);
/* Release every flow of group_id (UINT32_MAX: all), as removed. */
void	 flow_flush(struct flow_table *, uint32_t group_id);
/* Release every flow pinned to a member of a group; returns how many. */
size_t	 flow_flush_member(struct flow_table *, uint32_t group_id,
	    uint32_t member);
const char *flow_state_name(enum flow_tcp_state);

#endif /* FLOW_H */
