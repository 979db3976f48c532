/*
 * router.c: the router object, which owns the interfaces, tables,
 * caches, groups and captures, and the clock and the periodic tick
 * that drive their timers.
 */
#ifndef VROUTER_ROUTER_H
#define VROUTER_ROUTER_H

#include <sys/queue.h>
#include <sys/time.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "config.h"
#include "dns.h"
#include "member_proto.h"
#include "pkt.h"
#include "tbucket.h"

#define VROUTER_VERSION		"0.1.0"

struct event;
struct event_base;
struct evhttp;
struct flow_table;
struct group;
struct iface;
struct mp_ratelimit;
struct nd_cache;
struct rtable;
struct ripng;
struct ebb;
struct tap_uring;

/* The router's totals over every interface (as IFACE_COUNTERS). */
#define ROUTER_COUNTERS(X)						\
	X(forwarded,	"Packets forwarded, all interfaces.")		\
	X(local_in,	"Packets addressed to the router, all interfaces.") \
	X(errors_out,	"ICMPv6 errors sent, all interfaces.")		\
	X(errors_ratelimited, "ICMPv6 errors suppressed, all interfaces.") \
	X(neigh_evicted_incomplete, "Unresolved neighbour cache entries " \
	    "given up to make room (RFC 6583).")			\
	X(neigh_evicted_stale, "Stale neighbour cache entries given up " \
	    "to make room, none unresolved being left.")

struct router_stats {
#define X(f, help) uint64_t f;
	ROUTER_COUNTERS(X)
#undef X
	uint64_t	 drop[DROP_MAX];
	uint64_t	 mp_in;			/* membership messages */
	uint64_t	 mp_out;
	uint64_t	 mp_fail[MP_REASON_SLOTS];	/* by enum mp_reason */
};

struct router {
	struct event_base *base;
	struct config	*conf;
	const char	*conf_path;
	bool		 pcap_mode;
	struct iface	*ifaces[CFG_MAX_IFACES];
	int		 nifaces;
	struct rtable	*rt;
	struct rtable	*local;		/* own addresses, /128 -> iface */
	struct nd_cache	*nd;		/* neighbour cache, private to nd.c */
	struct tbucket	 icmp_rl;
	struct router_stats stats;
	uint64_t	 now_ns;	/* monotonic, or the virtual clock */
	uint64_t	 start_ns;
	struct timeval	 wall_base;	/* wall clock at start_ns */
	struct event	*tick_ev;
	struct event	*sig_ev[2];
	struct capture_list captures;
	unsigned int	 next_capture_id;
	unsigned int	 ncaptures_running;
	struct evhttp	*http;
	char		 api_token[129];
	char		 web_root[PATH_MAX];	/* dashboard files, "" = none */
	char		 openapi[PATH_MAX];	/* the API document, "" = none */
	/* anycast */
	struct group	*groups[CFG_MAX_GROUPS];
	int		 ngroups;
	struct rtable	*anycast;	/* group address /128 -> group */
	struct flow_table *flows;
	struct recovery	*recover;	/* flows being asked about */
	uint64_t	 first_recovery_ns;	/* 0: none since start */
	struct tbucket	 unreach_rl;	/* all-down unreachables */
	struct mp_ratelimit *mp_rl;	/* per-source message limits */
	uint64_t	 mp_seq_out;	/* last sequence number sent */
	struct dns_stats dns;		/* the .any responder */
	struct ripng	*ripng;		/* NULL: RIPng is off */
	struct ebb	*ebb;		/* NULL: the E-BB is off */
	struct tap_uring *uring;	/* NULL: TAP I/O by readv/writev */
};

int	 router_init(struct router *, struct config *, bool pcap_mode,
	    char *err, size_t errlen);
void	 router_shutdown(struct router *);
/* The TAP I/O backend: "uring", "readv", or "pcap" (fixture mode). */
const char *router_io_name(const struct router *);
/* Update now_ns from the clock (live mode). */
void	 router_clock(struct router *);
/* Periodic work: neighbour timers, RAs. */
void	 router_tick(struct router *);
#define TICK_MS		100

/* Wall-clock time of router->now_ns, for captures. */
static inline void
router_walltime(const struct router *r, struct timeval *tv)
{
	uint64_t	 ns;

	if (r->pcap_mode) {
		/* The virtual clock is the pcap timestamps' own. */
		tv->tv_sec = (time_t)(r->now_ns / 1000000000ull);
		tv->tv_usec = (suseconds_t)(r->now_ns % 1000000000ull / 1000);
		return;
	}
	ns = r->now_ns - r->start_ns;
	tv->tv_sec = r->wall_base.tv_sec + (time_t)(ns / 1000000000ull);
	tv->tv_usec = r->wall_base.tv_usec +
	    (suseconds_t)(ns % 1000000000ull / 1000);
	if (tv->tv_usec >= 1000000) {
		tv->tv_sec++;
		tv->tv_usec -= 1000000;
	}
}

#endif /* VROUTER_ROUTER_H */
