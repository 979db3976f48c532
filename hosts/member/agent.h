/*
 * anycast-member: the member agent of the anycast membership protocol
 * (paper 1 §3.1, §3.4; docs/protocol.md, docs/anycast-member.md).
 *
 * Runs in a member host's network namespace: puts the anycast address
 * on lo, joins the group at the local router with authenticated
 * messages, reports sessions (counted with NETLINK_SOCK_DIAG), load and
 * health, and leaves on SIGTERM.
 *
 * The parsers and builders (options, netlink and sock_diag messages,
 * session sets, load) are pure and unit-tested; the files with I/O are
 * main.c, ctl.c, health.c and the socket halves of netlink.c and diag.c.
 */
#ifndef MEMBER_AGENT_H
#define MEMBER_AGENT_H

#include <sys/types.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "cgroup.h"
#include "log.h"
#include "member_proto.h"

#define MA_NAME			"anycast-member"
#define MA_DEFAULT_IFACE	"eth0"
#define MA_DEFAULT_INTERVAL	MP_DEFAULT_INTERVAL	/* ms */
#define MA_MIN_INTERVAL		50			/* ms */
#define MA_MAX_INTERVAL		60000			/* ms */
#define MA_MAX_CAPACITY		100000000
#define MA_DEFAULT_SESSION_RATE	10	/* SESSION messages/s, then coalesce */
#define MA_MAX_SESSION_RATE	1000
#define MA_WAIT_MS		10000	/* for an address, a default route */
#define MA_JOIN_RETRY_MS	1000
#define MA_JOIN_BACKOFF_MS	30000	/* longest wait after a REJECT */
#define MA_LEAVE_WAIT_MS	1000
#define MA_LEAVE_RETRY_MS	300
#define MA_DIAG_POLL_MS		200
#define MA_CHECK_TIMEOUT_MS	1000	/* health check, load command */
#define MA_MAX_SESSIONS		(1u << 22)
#define MA_PEERS		64	/* senders whose sequence we track */

/* ---------------------------------------------------------------------- */
/* opts.c: command line */

enum ma_health_kind {
	MA_HEALTH_ALWAYS,	/* no check: always up */
	MA_HEALTH_TCP,		/* TCP connect to [group]:health_port */
	MA_HEALTH_CMD,		/* exit status of health_cmd */
};

struct ma_opts {
	struct in6_addr	 group;
	uint16_t	 key_id;
	uint8_t		 key[MP_KEY_LEN];
	bool		 have_unicast;
	struct in6_addr	 unicast;
	char		 ifname[IF_NAMESIZE];
	bool		 have_router;
	struct in6_addr	 router;
	uint16_t	 port;		/* service port, 0: every port */
	enum ma_health_kind health;
	uint16_t	 health_port;
	const char	*health_cmd;	/* points into argv */
	const char	*load_cmd;	/* points into argv, NULL: none */
	const char	*cgroup;	/* points into argv, NULL: none */
	uint32_t	 capacity;	/* 0: not given */
	bool		 have_weight;
	uint16_t	 weight;
	bool		 have_bandwidth;
	uint32_t	 bandwidth;	/* Mbit/s */
	uint16_t	 interval_ms;	/* proposed in JOIN */
	uint32_t	 session_rate;
	bool		 keep_address;
	bool		 debug;
};

/*
 * Parse the command line into o (defaults first).  Returns 0, 1 for
 * --help, 2 for --version (nothing else is checked then), or -1
 * with a one-line message in err.  Reads the key file of -K; everything
 * else is pure.  Resets getopt (optind = 0) so it can run more than once.
 */
int	 ma_opts_parse(int argc, char *argv[], struct ma_opts *o, char *err,
	    size_t errlen);
/* "KEYID:HEX" (or "KEYID HEX"), key id 1..65535, 64 hex digits. */
int	 ma_key_parse(const char *s, uint16_t *id, uint8_t key[MP_KEY_LEN]);
/* The contents of a key file: the first line that is not blank or "#". */
int	 ma_keyfile_parse(const char *text, uint16_t *id,
	    uint8_t key[MP_KEY_LEN]);
void	 ma_usage(FILE *);

/* ---------------------------------------------------------------------- */
/* diag.c: TCP sessions on the anycast address (NETLINK_SOCK_DIAG) */

struct mnl_socket;

/* One session: the remote end and our local port. */
struct ma_sess {
	struct in6_addr	 raddr;
	uint16_t	 rport;		/* host order */
	uint16_t	 lport;		/* host order */
};

/* A set of sessions: sorted and without duplicates once sorted. */
struct ma_sset {
	struct ma_sess	*v;
	size_t		 n;
	size_t		 cap;
};

/* What a dump keeps: sockets on laddr (and lport unless 0). */
/*
 * A connection the kernel still holds, one whose packets are wanted:
 * from SYN_RECV until it has closed (the filter of ma_diag_holds()).
 */
#define MA_DIAG_HELD	((1u << TCP_ESTABLISHED) | (1u << TCP_SYN_RECV) | \
			    (1u << TCP_FIN_WAIT1) | (1u << TCP_FIN_WAIT2) | \
			    (1u << TCP_CLOSE_WAIT) | (1u << TCP_LAST_ACK) | \
			    (1u << TCP_CLOSING))

struct ma_diag_filter {
	struct in6_addr	 laddr;
	uint16_t	 lport;
	uint32_t	 states;	/* 1 << TCP_*; 0: sessions (MA_DIAG_STATES) */
};

/*
 * Build a SOCK_DIAG_BY_FAMILY dump request for IPv6 TCP sockets in
 * ESTABLISHED or SYN_RECV whose local address is f->laddr (and local
 * port f->lport unless 0), with the kernel bytecode filter doing the
 * selection.  Returns the length written, or 0 if cap is too small.
 */
size_t	 ma_diag_request(uint8_t *buf, size_t cap,
	    const struct ma_diag_filter *f, uint32_t seq);
/*
 * Parse one datagram of the dump answer, adding each session that
 * passes f (checked again here: the filter is only a hint to the
 * kernel) and whose remote address is neither f->laddr nor loopback
 * (local connections, such as the health check, are not sessions).
 * Sets *done on NLMSG_DONE.  Returns 0; -1 on a malformed datagram,
 * on NLMSG_ERROR (with *error set to its errno) or when the set cannot
 * grow.
 */
int	 ma_diag_parse(const uint8_t *buf, size_t len,
	    const struct ma_diag_filter *f, struct ma_sset *set, bool *done,
	    int *error);
/* Open the NETLINK_SOCK_DIAG socket; NULL with errno. */
struct mnl_socket *ma_diag_open(void);
void	 ma_diag_close(struct mnl_socket *);
/* Dump into set (emptied first, sorted after).  0, or -1 with errno. */
int	 ma_diag_query(struct mnl_socket *, const struct ma_diag_filter *f,
	    struct ma_sset *set);
/*
 * Whether the kernel holds the TCP connection f to laddr (local
 * laddr:gport, remote client:cport) in any state from SYN_RECV until
 * it has closed: a flow the router asks about (FLOW_QUERY).
 * 1 yes, 0 no, -1 with errno.
 */
int	 ma_diag_holds(struct mnl_socket *, const struct in6_addr *laddr,
	    const struct mp_flow *f);

int	 ma_sset_add(struct ma_sset *, const struct ma_sess *);
void	 ma_sset_sort(struct ma_sset *);	/* and drop duplicates */
void	 ma_sset_clear(struct ma_sset *);
void	 ma_sset_free(struct ma_sset *);
int	 ma_sess_cmp(const struct ma_sess *, const struct ma_sess *);
/*
 * Walk two sorted sets and call cb(arg, s, MP_SESSION_END) for each
 * session only in old and cb(arg, s, MP_SESSION_START) for each only in
 * cur, in key order.  cb may be NULL.  Returns the number of changes.
 */
size_t	 ma_sset_diff(const struct ma_sset *old, const struct ma_sset *cur,
	    void (*cb)(void *, const struct ma_sess *, int), void *arg);

/* ---------------------------------------------------------------------- */
/* netlink.c: addresses, routes and sysctls */

struct nl_answer;

/*
 * Pure: nl_parse() of one datagram, its outcome as the parsers here
 * return it: 0 or -1, *done set once the answer has ended, *error the
 * errno of an NLMSG_ERROR (0 when the datagram is malformed).
 */
int	 ma_nl_parse(const uint8_t *buf, size_t len, struct nl_answer *a,
	    bool *done, int *error);

/* What ma_addr_parse() looks for and finds. */
struct ma_addr_pick {
	int		 ifindex;
	bool		 match;		/* only want counts */
	struct in6_addr	 want;
	bool		 found;		/* a usable global address */
	struct in6_addr	 addr;
	bool		 tentative;	/* one exists but is not ready yet */
};

/*
 * Pure: one datagram of an RTM_GETADDR dump.  Keeps the first global
 * (scope universe) IPv6 address of p->ifindex (p->want only, when
 * p->match) that is neither tentative nor failed DAD nor deprecated,
 * noting in p->tentative that a tentative one exists.  Sets *done on
 * NLMSG_DONE.  0, or -1 on malformed input or NLMSG_ERROR (*error =
 * its errno).
 */
int	 ma_addr_parse(const uint8_t *buf, size_t len, struct ma_addr_pick *p,
	    bool *done, int *error);
/*
 * Pure: one datagram of an RTM_GETROUTE dump.  Keeps the gateway of
 * the first IPv6 default route (::/0, main table) out of ifindex.
 * *found tells whether one was found.  Same returns as ma_addr_parse().
 */
int	 ma_route_parse(const uint8_t *buf, size_t len, int ifindex,
	    struct in6_addr *gw, bool *found, bool *done, int *error);
/*
 * Pure: an RTM_NEWADDR (add) or RTM_DELADDR request for addr/plen on
 * ifindex, scope universe, flags in ifa_flags and IFA_FLAGS, asking for
 * an ACK.  Returns the length, or 0 if cap is too small.
 */
size_t	 ma_addr_request(uint8_t *buf, size_t cap, bool add, int ifindex,
	    const struct in6_addr *addr, uint8_t plen, uint32_t flags,
	    uint32_t seq);

/*
 * The first usable global address of ifindex (only want, if not NULL):
 * 0, 1 none yet, -1 errno.
 */
int	 ma_nl_global_addr(int ifindex, const struct in6_addr *want,
	    struct ma_addr_pick *p);
/* The default gateway out of ifindex: 0, 1 none yet, -1 errno. */
int	 ma_nl_default_gw(int ifindex, struct in6_addr *gw);
/* Add or delete an address: 0 or a negative errno (-EEXIST, ...). */
int	 ma_nl_addr(bool add, int ifindex, const struct in6_addr *addr,
	    uint8_t plen, uint32_t flags);
/* Write value to /proc/sys/<path>: 0, or -1 with errno. */
int	 ma_sysctl_set(const char *path, const char *value);

/* ---------------------------------------------------------------------- */
/* load.c: the LOAD value of REPORTs */

/*
 * Pure: percent, 0..100.  With a capacity, sessions * 100 / capacity;
 * otherwise the 1-minute load average * 100 / ncpu.  Capped at 100.
 */
uint8_t	 ma_load_pct(uint32_t sessions, uint32_t capacity, double loadavg1,
	    long ncpu);
/* Pure: the output of --load-cmd, a number 0..100 ("42", "42.5\n"). */
int	 ma_load_from_text(const char *s, uint8_t *pct);
/* Pure: the first field of /proc/loadavg. */
int	 ma_loadavg_from_text(const char *s, double *avg);
/* The host's 1-minute load average: 0, or -1. */
int	 ma_loadavg_read(double *avg);

/* ---------------------------------------------------------------------- */
/* ctl.c, health.c, main.c: the running agent */

struct event_base;
struct event;

enum ma_state {
	MA_JOINING,
	MA_JOINED,
	MA_LEAVING,
};

struct agent;

/* A command run for health or load, at most one at a time. */
struct ma_cmd {
	const char	*cmd;
	pid_t		 pid;		/* 0: not running */
	int		 out;		/* its stdout, -1 when none */
	struct event	*ev_timeout;
	struct agent	*owner;
};

struct ma_peer {
	struct in6_addr	 addr;
	uint64_t	 last_seq;
	uint64_t	 used_ns;	/* 0: free */
};

struct agent {
	struct ma_opts	 o;
	struct event_base *base;
	int		 ifindex;
	int		 lo_index;
	struct in6_addr	 unicast;	/* U: our source, the member address */
	struct in6_addr	 router;	/* where JOIN and the rest go */
	bool		 router_given;
	int		 sock;		/* raw ICMPv6 */
	struct mnl_socket *diag;	/* NETLINK_SOCK_DIAG */
	bool		 addr_added;

	enum ma_state	 state;
	bool		 ever_joined;	/* an ACCEPT in this run */
	uint64_t	 seq;		/* last sequence number sent */
	struct ma_peer	 peers[MA_PEERS];
	uint16_t	 interval_ms;	/* granted */
	uint16_t	 hold_time;	/* granted */
	uint32_t	 join_delay_ms;
	uint64_t	 leave_deadline_ns;
	int		 unauth_reason;	/* last unauthenticated REJECT logged */
	uint64_t	 unauth_ns;
	int		 reject_reason;	/* last authentic REJECT logged */

	struct ma_sset	 sessions;	/* current, sorted */
	struct ma_sset	 scratch;
	bool		 sessions_valid;
	uint64_t	 tb_ns;		/* SESSION token bucket */
	double		 tb_tokens;
	bool		 coalesced;	/* changes not sent one by one */
	bool		 diag_warned;

	uint8_t		 health;	/* MP_HEALTH_UP/DOWN */
	bool		 health_known;
	int		 health_fd;	/* TCP check in progress, or -1 */
	struct event	*ev_health_fd;
	struct ma_cmd	 health_run;
	struct ma_cmd	 load_run;
	uint8_t		 cmd_load;
	bool		 cmd_load_valid;
	struct ma_cgroup cg;		/* --cgroup */

	struct event	*ev_sock;
	struct event	*ev_join;
	struct event	*ev_report;
	struct event	*ev_diag;
	struct event	*ev_health;
	struct event	*ev_leave;
	struct event	*ev_sig[3];	/* TERM, INT, CHLD */
	int		 exit_code;
};

/* ctl.c */
int	 ma_ctl_socket(struct agent *, char *err, size_t errlen);
void	 ma_ctl_start(struct agent *);
void	 ma_ctl_leave(struct agent *);
void	 ma_ctl_sessions_changed(struct agent *, const struct ma_sset *old);
void	 ma_ctl_report_now(struct agent *);
uint64_t ma_now_ns(void);		/* CLOCK_REALTIME */
uint64_t ma_next_seq(uint64_t *last, uint64_t now);
void	 ma_timer_ms(struct event *, uint32_t ms);

/* health.c */
void	 ma_health_init(struct agent *);
void	 ma_health_start(struct agent *);
void	 ma_health_sigchld(struct agent *);
uint8_t	 ma_health_load(struct agent *);
void	 ma_health_free(struct agent *);

#endif /* MEMBER_AGENT_H */
