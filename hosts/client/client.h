/*
 * anycast-client: the client shim of address translation by source
 * route (paper 1 §3.5; DESIGN.md §3.2; docs/anycast-client.md).
 *
 * Runs in a client host's network namespace.  It watches the replies
 * that arrive with a routing header (libpcap, BPF), learns from the
 * first reply of each TCP connection to an anycast address A which
 * member U serves it, and installs the direct path in the kernel: a
 * policy rule for the connection (TCP, its two ports, destination A)
 * pointing at a table whose route to A/128 is "encap seg6 mode inline
 * segs U".  The kernel then sends every later packet of the connection
 * to U with an SRH [A, U].  Rules and routes go when the connection
 * ends (NETLINK_SOCK_DIAG), after an idle time, and on exit.
 *
 * Everything it installs carries the routing protocol CL_RTPROT, by
 * which it finds and removes what a previous run left behind.
 *
 * The parsers and builders (options, the learning of a reply, rule and
 * route messages, the sock_diag request and answer, the mapping table)
 * are pure and unit-tested; main.c, status.c and the socket halves of
 * rt.c and diag.c do the I/O.
 */
#ifndef CLIENT_CLIENT_H
#define CLIENT_CLIENT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libmnl/libmnl.h>

#include "addr.h"
#include "log.h"
#include "nl.h"

#define CL_NAME			"anycast-client"
#define CL_DEFAULT_IFACE	"eth0"
#define CL_DEFAULT_CONTROL	"/run/anycast-client.sock"
#define CL_RTPROT		172	/* rtm_protocol / FRA_PROTOCOL of ours */
#define CL_DEFAULT_PRIORITY	100	/* before "main" (32766) */
#define CL_DEFAULT_TABLE_BASE	44032	/* 0xac00 */
#define CL_DEFAULT_MAX		1024
#define CL_MAX_MAX		65536
#define CL_DEFAULT_IDLE		300	/* s */
#define CL_MAX_IDLE		86400
#define CL_DEFAULT_POLL		500	/* ms */
#define CL_MIN_POLL		50
#define CL_MAX_POLL		60000
#define CL_MAX_PREFIXES		8
#define CL_SNAPLEN		256	/* headers up to TCP's ports */
#define CL_MAX_SOCKETS		(1u << 20)

/* ---------------------------------------------------------------------- */
/* opts.c: command line */

struct cl_prefix {
	struct in6_addr	 addr;
	uint8_t		 plen;
};

struct cl_opts {
	char		 ifname[IF_NAMESIZE];
	struct cl_prefix prefixes[CL_MAX_PREFIXES];	/* -A */
	size_t		 nprefixes;
	uint32_t	 max;		/* connections on the direct path */
	uint32_t	 idle_s;	/* 0: no idle timeout */
	uint32_t	 poll_ms;
	uint32_t	 priority;
	uint32_t	 table_base;
	char		 control[108];	/* sun_path */
	bool		 status;	/* -s: ask a running shim */
	bool		 json;
	bool		 debug;
};

/*
 * Parse the command line into o (defaults first).  0, 1 for --help, 2
 * for --version, or -1 with a one-line message in err.  Pure; resets
 * getopt so that it can run more than once.
 */
int	 cl_opts_parse(int argc, char *argv[], struct cl_opts *o, char *err,
	    size_t errlen);
void	 cl_usage(FILE *);

/* ---------------------------------------------------------------------- */
/* learn.c: what a reply with a routing header tells (pure) */

/* One TCP connection to an anycast address and the member serving it. */
struct cl_conn {
	struct in6_addr	 any;		/* A: the reply's source */
	struct in6_addr	 member;	/* U: from the routing header */
	uint16_t	 lport;		/* ours (the reply's destination port) */
	uint16_t	 rport;		/* A's */
};

/*
 * An Ethernet frame received by the client: a TCP segment from A whose
 * routing header (type 253 or 0 with Segments Left 0, or an SRH) names
 * a member U other than A.  With prefixes, A must lie in one of them.
 * 0 and c filled, or -1 when the frame teaches nothing.
 */
int	 cl_learn(const uint8_t *frame, size_t len,
	    const struct cl_prefix *prefixes, size_t nprefixes,
	    struct cl_conn *c);
/* The BPF filter for pcap_compile(): IPv6, a routing header, from -A. */
int	 cl_bpf_filter(char *buf, size_t cap, const struct cl_prefix *,
	    size_t);

/* ---------------------------------------------------------------------- */
/* map.c: connections on the direct path and their tables (pure) */

/* The table of one member U for one anycast address A. */
struct cl_table {
	struct in6_addr	 any;
	struct in6_addr	 member;
	struct in6_addr	 gw;		/* towards U; :: when on-link */
	uint32_t	 oif;
	uint32_t	 refs;		/* connections using it, 0: slot free */
};

struct cl_map {
	struct cl_conn	 c;
	uint32_t	 table;		/* index into tables */
	uint64_t	 since_ns;
	bool		 used;
};

struct cl_maps {
	struct cl_map	*v;		/* max entries */
	struct cl_table	*tables;	/* max entries */
	uint32_t	 max;
	uint32_t	 n;		/* used entries */
};

int	 cl_maps_init(struct cl_maps *, uint32_t max);
void	 cl_maps_free(struct cl_maps *);
/* The entry of the connection (any, lport, rport), or NULL. */
struct cl_map *cl_maps_find(struct cl_maps *, const struct in6_addr *any,
	    uint16_t lport, uint16_t rport);
/*
 * A free entry for c, with a table for (A, U): the one already in use,
 * or a free slot (refs 0, *fresh set: its route must be installed).
 * NULL when the table is full.  The entry counts once cl_maps_commit().
 */
struct cl_map *cl_maps_reserve(struct cl_maps *, const struct cl_conn *c,
	    bool *fresh);
void	 cl_maps_commit(struct cl_maps *, struct cl_map *, uint64_t now_ns);
/* Drop an entry; true when its table has no connection left. */
bool	 cl_maps_release(struct cl_maps *, struct cl_map *);

/* ---------------------------------------------------------------------- */
/* rt.c: policy rules and routes over rtnetlink */

/* Pure builders: the message length, 0 when cap is too small. */
size_t	 cl_rule_msg(uint8_t *buf, size_t cap, bool add,
	    const struct cl_conn *c, uint32_t priority, uint32_t table,
	    uint32_t seq);
size_t	 cl_route_msg(uint8_t *buf, size_t cap, bool add,
	    const struct in6_addr *any, const struct in6_addr *member,
	    const struct in6_addr *gw, uint32_t oif, uint32_t table,
	    uint32_t seq);
/* RTM_GETROUTE for one destination. */
size_t	 cl_route_get_msg(uint8_t *buf, size_t cap,
	    const struct in6_addr *dst, uint32_t seq);
/*
 * Pure: the gateway and output interface of an RTM_NEWROUTE answer.
 * 0, or -1 when malformed or without an output interface.
 */
int	 cl_route_nexthop(const struct nlmsghdr *, struct in6_addr *gw,
	    uint32_t *oif);
/* Pure: whether a rule or route message is one of ours (CL_RTPROT). */
bool	 cl_rule_is_ours(const struct nlmsghdr *);
bool	 cl_route_is_ours(const struct nlmsghdr *);

/* I/O on an NETLINK_ROUTE socket: 0, or -1 with errno. */
int	 cl_rt_nexthop(struct mnl_socket *, const struct in6_addr *dst,
	    struct in6_addr *gw, uint32_t *oif);
int	 cl_rt_rule(struct mnl_socket *, bool add, const struct cl_conn *,
	    uint32_t priority, uint32_t table);
int	 cl_rt_route(struct mnl_socket *, bool add, const struct cl_table *,
	    uint32_t table);
/* Remove every rule and route of ours; the number removed, or -1. */
int	 cl_rt_flush(struct mnl_socket *);

/* ---------------------------------------------------------------------- */
/* diag.c: the TCP sockets of this host (NETLINK_SOCK_DIAG) */

struct cl_sock {
	struct in6_addr	 raddr;
	uint16_t	 lport;
	uint16_t	 rport;
	uint32_t	 idle_ms;	/* since data was last sent or received */
};

struct cl_socks {
	struct cl_sock	*v;
	size_t		 n, cap;
};

/* Pure: the dump request for every TCP/IPv6 socket that is open. */
size_t	 cl_diag_request(uint8_t *buf, size_t cap, uint32_t seq);
/* Pure: one inet_diag_msg into socks.  MNL_CB_OK or MNL_CB_ERROR. */
int	 cl_diag_msg(const struct nlmsghdr *, void *socks);
/* Sort, for cl_socks_find(). */
void	 cl_socks_sort(struct cl_socks *);
const struct cl_sock *cl_socks_find(const struct cl_socks *,
	    const struct in6_addr *raddr, uint16_t lport, uint16_t rport);
void	 cl_socks_free(struct cl_socks *);
/* Dump into socks (emptied first): 0, or -1 with errno. */
int	 cl_diag_query(struct mnl_socket *, struct cl_socks *);

/* ---------------------------------------------------------------------- */
/* status.c: the mappings in JSON, over a unix socket */

struct cl_counters {
	uint64_t	 learned;	/* connections put on the direct path */
	uint64_t	 closed;	/* removed: the connection ended */
	uint64_t	 idle;		/* removed: idle */
	uint64_t	 full;		/* not installed: table full */
	uint64_t	 errors;	/* not installed: rtnetlink refused */
};

/* The document -s prints; the caller json_decref()s it. */
struct json_t;
struct json_t *cl_status_json(const struct cl_maps *,
	    const struct cl_counters *, const struct cl_opts *,
	    uint64_t now_ns);
/* A listening socket at path (an old one is replaced), or -1. */
int	 cl_status_listen(const char *path, char *err, size_t errlen);
/* Answer one connection on the listening socket fd with doc. */
void	 cl_status_answer(int fd, struct json_t *doc);
/* -s: ask the shim at path and print its answer; the exit status. */
int	 cl_status_query(const char *path, bool json, FILE *out);
/* Print a status document as a table. */
void	 cl_status_print(FILE *, struct json_t *doc);

#endif /* CLIENT_CLIENT_H */
