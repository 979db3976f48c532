/*
 * vrouter: a userspace IPv6 router on TAP interfaces.
 *
 * One header for the daemon, with a prototype block per source file,
 * in the manner of OpenBSD's daemons.  Wire constants live in proto.h.
 */
#ifndef VROUTER_H
#define VROUTER_H

#include <sys/queue.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "policy.h"

struct event_base;
struct event;
struct evhttp;
struct pcap;
struct pcap_dumper;
struct iface;
struct router;
struct mp_ratelimit;

#define VROUTER_VERSION		"0.1.0"

/* ---------------------------------------------------------------------- */
/* log.c */
#define LOG_LVL_WARN	0
#define LOG_LVL_INFO	1
#define LOG_LVL_DEBUG	2
extern int log_level;
void	log_init(int level, int to_stderr);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug_(const char *, ...) __attribute__((format(printf, 1, 2)));
#define log_debug(...) do {						\
	if (log_level >= LOG_LVL_DEBUG)					\
		log_debug_(__VA_ARGS__);				\
} while (0)
__attribute__((noreturn)) void fatal(const char *, ...)
    __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *, ...)
    __attribute__((format(printf, 1, 2)));
void	log_route_libevent(void);

/* ---------------------------------------------------------------------- */
/* util.c */
extern const struct in6_addr in6_allnodes;	/* ff02::1 */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
/* Parse "2001:db8::1/64" (plen defaults to 128 when absent). 0 or -1. */
int	 parse_prefix(const char *, struct in6_addr *, uint8_t *);
/* Parse "02:00:00:00:00:01". 0 or -1. */
int	 parse_mac(const char *, uint8_t mac[6]);
const char *fmt_addr(const struct in6_addr *);	/* rotating static buffers */
const char *fmt_mac(const uint8_t mac[6]);	/* rotating static buffers */
void	 prefix_mask(struct in6_addr *, uint8_t plen);	/* zero host bits */
bool	 prefix_match(const struct in6_addr *, const struct in6_addr *,
	    uint8_t plen);
uint64_t mono_ns(void);
/* The solicited-node multicast address ff02::1:ffXX:XXXX of an address. */
void	 solicited_node(struct in6_addr *, const struct in6_addr *);
/* 33:33:xx:xx:xx:xx for an IPv6 multicast address. */
void	 mcast_mac(uint8_t mac[6], const struct in6_addr *);
/* fe80::/64 with a modified EUI-64 interface identifier from a MAC. */
void	 eui64_linklocal(struct in6_addr *, const uint8_t mac[6]);

/* ---------------------------------------------------------------------- */
/* drop reasons, shared by the parser and the data path */
#define DROP_REASONS(X)							\
	X(SHORT_FRAME,		"short_frame")				\
	X(OVERSIZE,		"oversize_frame")			\
	X(NOT_IPV6,		"not_ipv6")				\
	X(BAD_VERSION,		"bad_ip_version")			\
	X(TRUNC_IPV6,		"truncated_ipv6")			\
	X(BAD_PAYLOAD_LEN,	"bad_payload_length")			\
	X(TRUNC_EXT,		"truncated_ext_header")			\
	X(TOO_MANY_EXT,		"too_many_ext_headers")			\
	X(BAD_EXT_ORDER,	"bad_ext_header_order")			\
	X(TRUNC_L4,		"truncated_l4")				\
	X(BAD_SRC,		"bad_source_address")			\
	X(BAD_DST,		"bad_destination_address")		\
	X(NOT_FOR_US,		"not_for_us")				\
	X(NDP_BAD_HLIM,		"ndp_bad_hop_limit")			\
	X(NDP_BAD,		"ndp_malformed")			\
	X(BAD_CSUM,		"bad_checksum")				\
	X(HLIM_EXCEEDED,	"hop_limit_exceeded")			\
	X(NO_ROUTE,		"no_route")				\
	X(ADDR_UNREACH,		"address_unreachable")			\
	X(NEIGH_QUEUE_FULL,	"neighbor_queue_full")			\
	X(NEIGH_CACHE_FULL,	"neighbor_cache_full")			\
	X(TOO_BIG,		"packet_too_big")			\
	X(UNSUPPORTED,		"unsupported_local")			\
	X(NO_BUFFER,		"no_buffer")				\
	X(TX_ERROR,		"tx_error")

enum drop_reason {
	DROP_NONE = 0,
#define X(id, name) DROP_##id,
	DROP_REASONS(X)
#undef X
	DROP_MAX
};
extern const char *const drop_names[DROP_MAX];

/* ---------------------------------------------------------------------- */
/* pkt.c: pure frame parser */

/*
 * What pkt_parse() found in a frame.  Offsets are from the start of the
 * frame; every offset/length pair lies inside the frame.
 */
struct pkt {
	uint8_t		 eth_dst[ETH_ALEN_];
	uint8_t		 eth_src[ETH_ALEN_];
	uint16_t	 ethertype;
	uint32_t	 l3_off;	/* IPv6 header */
	uint32_t	 ip_len;	/* 40 + payload length */
	struct in6_addr	 src;
	struct in6_addr	 dst;
	uint8_t		 hlim;
	uint8_t		 n_ext;		/* extension headers seen */
	uint8_t		 proto;		/* upper-layer protocol */
	uint32_t	 nh_off;	/* byte naming proto, from l3_off */
	uint32_t	 l4_off;	/* upper-layer header */
	uint32_t	 l4_len;	/* upper-layer header + data */
	uint32_t	 rh_off;	/* routing header, 0 if none */
	uint8_t		 rh_type;
	uint8_t		 rh_segleft;
	uint32_t	 frag_off;	/* fragment header, 0 if none */
	bool		 later_frag;	/* non-first fragment: no L4 */
	uint16_t	 sport;		/* TCP/UDP ports, host order */
	uint16_t	 dport;
	uint8_t		 icmp_type;
	uint8_t		 icmp_code;
	uint8_t		 tcp_flags;
};

/* Returns DROP_NONE or the reason the frame is malformed. */
enum drop_reason pkt_parse(const uint8_t *frame, size_t len, struct pkt *);

/* cksum.c */
uint32_t cksum_add(uint32_t sum, const void *, size_t);
uint16_t cksum_fold(uint32_t sum);
/* Upper-layer checksum over the IPv6 pseudo-header and the L4 bytes. */
uint16_t cksum_ip6(const struct in6_addr *src, const struct in6_addr *dst,
	    uint8_t proto, const void *l4, size_t len);

/* pkt_build.c: pure builders writing an IPv6 packet (no Ethernet). */

/*
 * Fill the IPv6 and ICMPv6 headers in front of a body that the caller
 * already wrote at ip6 + 44 (body_len bytes, the 4 bytes after the
 * checksum included), and compute the checksum.  Returns the IPv6
 * packet length.
 */
size_t	 icmp6_finish(uint8_t *ip6, const struct in6_addr *src,
	    const struct in6_addr *dst, uint8_t hlim, uint8_t type,
	    uint8_t code, size_t body_len);

/* NDP options as parsed from NS/NA/RS/RA. */
struct nd_opts {
	bool		 has_sll;
	uint8_t		 sll[ETH_ALEN_];
	bool		 has_tll;
	uint8_t		 tll[ETH_ALEN_];
};
/* Returns 0, or -1 for a malformed option list (e.g. a zero length). */
int	 nd_parse_opts(const uint8_t *, size_t, struct nd_opts *);

/* ---------------------------------------------------------------------- */
/* pbuf.c: preallocated frame buffers with headroom */
#define PBUF_HEADROOM	128
#define PBUF_DATA	(65536 + 128)
#define DEFAULT_PBUFS	1024

struct pbuf {
	struct pbuf		*next;		/* free list and queues */
	struct iface		*in;		/* receiving interface */
	struct virtio_net_hdr	 vnet;		/* offload metadata */
	uint8_t			*data;		/* Ethernet header */
	uint32_t		 len;
	uint8_t			 mem[PBUF_HEADROOM + PBUF_DATA];
};

void	 pbuf_pool_init(unsigned int count);
struct pbuf *pbuf_alloc(void);		/* NULL when the pool is empty */
void	 pbuf_free(struct pbuf *);
unsigned int pbuf_available(void);

/* ---------------------------------------------------------------------- */
/* tbucket.c: token bucket rate limiter */
struct tbucket {
	uint64_t	 rate;		/* tokens per second */
	uint64_t	 burst;
	uint64_t	 tokens_milli;	/* thousandths of a token */
	uint64_t	 last_ns;
};
void	 tb_init(struct tbucket *, uint64_t rate, uint64_t burst,
	    uint64_t now_ns);
bool	 tb_take(struct tbucket *, uint64_t now_ns);

/* ---------------------------------------------------------------------- */
/* config.c: the JSON configuration, validated whole */
#define CFG_MAX_IFACES		64
#define CFG_MAX_ADDRS		8
#define CFG_MAX_PREFIXES	8
#define CFG_MAX_ROUTES		4096
#define CFG_NETNS_LEN		64

struct cfg_addr {
	struct in6_addr	 addr;
	uint8_t		 plen;
};

struct cfg_prefix {
	struct in6_addr	 prefix;
	uint8_t		 plen;
	uint32_t	 valid;
	uint32_t	 preferred;
	bool		 onlink;
	bool		 autonomous;
};

#define CAP_RX		0x1
#define CAP_TX		0x2
#define CAP_BOTH	(CAP_RX | CAP_TX)

struct cfg_capture {
	bool		 enabled;
	char		 filter[256];
	int		 direction;		/* CAP_* */
	uint64_t	 max_bytes;
	uint32_t	 rotate;
};

struct cfg_iface {
	char		 name[IFNAMSIZ];	/* router-side TAP name */
	char		 netns[CFG_NETNS_LEN];	/* "" = stay where we are */
	char		 ifname[IFNAMSIZ];	/* name inside the netns */
	uint8_t		 mac[ETH_ALEN_];	/* the router's own MAC */
	uint32_t	 mtu;
	struct cfg_addr	 addrs[CFG_MAX_ADDRS];
	int		 naddrs;
	bool		 ra_enabled;
	uint32_t	 ra_interval;		/* seconds */
	uint32_t	 ra_lifetime;		/* seconds */
	uint8_t		 ra_hop_limit;
	bool		 ra_mtu;		/* include the MTU option */
	struct cfg_prefix prefixes[CFG_MAX_PREFIXES];
	int		 nprefixes;
	struct cfg_capture capture;
	char		 pcap_in[PATH_MAX];	/* packet-fixture mode */
	char		 pcap_out[PATH_MAX];
};

struct cfg_route {
	struct in6_addr	 prefix;
	uint8_t		 plen;
	struct in6_addr	 via;		/* :: when on-link */
	bool		 has_via;
	char		 iface[IFNAMSIZ];	/* "" = from the route to via */
};

/* Routing-header modes for anycast (DESIGN.md §3.1). */
enum rh_mode { RH_MODE_EXP, RH_MODE_RH0, RH_MODE_SRH, RH_MODE_NONE, RH_MODE_MAX };
const char *rh_mode_name(enum rh_mode);
int	 rh_mode_from_name(const char *, enum rh_mode *);

#define CFG_MAX_GROUPS		64
#define CFG_MAX_MEMBERS		64	/* per group, static and joined */
#define CFG_MAX_KEYS		4
#define CFG_KEY_LEN		32	/* HMAC-SHA256 keys */
#define CFG_NAME_LEN		128	/* ".any" name of a group */

struct cfg_key {
	uint16_t	 id;
	uint8_t		 key[CFG_KEY_LEN];
};

struct cfg_member {
	struct in6_addr	 addr;			/* unicast address U */
	char		 iface[IFNAMSIZ];	/* "" = from the routes */
	uint32_t	 weight;
	uint32_t	 hops;			/* hop count (score policy) */
	uint32_t	 bandwidth;		/* residual Mbit/s (score) */
	uint32_t	 capacity;		/* sessions, 0 = unknown */
};

struct cfg_probe {
	uint32_t	 fresh_ms;	/* health this recent needs no probe;
					   0 = probe every new flow */
	uint32_t	 timeout_ms;	/* an echo unanswered this long fails */
	uint32_t	 interval_ms;	/* background probes; 0 = none */
	uint32_t	 rise;		/* successes that bring a member up */
	uint32_t	 fall;		/* failures that take it down */
	uint32_t	 retest_ms;	/* first retest of a down member */
	uint32_t	 retest_max_ms;	/* backoff doubles up to this */
	uint32_t	 pending_max;	/* packets parked while probing */
};

struct cfg_group {
	struct in6_addr	 addr;			/* anycast address A */
	char		 name[CFG_NAME_LEN];	/* "www.njust.edu" -> .any */
	enum policy_kind policy;
	enum rh_mode	 rh_mode;
	struct score_ratios ratios;
	struct cfg_probe probe;
	struct cfg_key	 keys[CFG_MAX_KEYS];
	int		 nkeys;
	uint32_t	 max_members;
	uint32_t	 report_ms;	/* members' report interval */
	uint32_t	 misses;	/* reports missed before down */
	uint32_t	 grace_ms;	/* down this long: removed */
	uint32_t	 join_rate;	/* messages per second per source */
	struct cfg_member members[CFG_MAX_MEMBERS];	/* static members */
	int		 nmembers;
};

struct cfg_flows {
	uint32_t	 max;		/* flow table capacity */
	uint32_t	 syn_ms;
	uint32_t	 established_ms;
	uint32_t	 fin_ms;
	uint32_t	 udp_ms;
	uint32_t	 other_ms;
};

struct config {
	bool		 api_enabled;
	char		 api_listen[INET6_ADDRSTRLEN];
	uint16_t	 api_port;
	char		 api_token[129];	/* "" = generate at start */
	char		 api_web_root[PATH_MAX];	/* "" = look at start */
	char		 capture_dir[PATH_MAX];
	int		 log_level;		/* LOG_LVL_* */
	uint32_t	 neigh_max;
	uint32_t	 neigh_queue;
	uint32_t	 icmp_rate;
	uint32_t	 icmp_burst;
	uint32_t	 pbufs;
	struct cfg_iface ifaces[CFG_MAX_IFACES];
	int		 nifaces;
	struct cfg_route *routes;	/* CFG_MAX_ROUTES entries */
	int		 nroutes;
	struct cfg_group *groups;	/* CFG_MAX_GROUPS entries */
	int		 ngroups;
	struct cfg_flows flows;
};

/*
 * Parse and validate a whole configuration.  On error returns -1 and
 * writes a message naming the key and its position (e.g.
 * "interfaces[1].addresses[0]: bad prefix \"2001:db8::/129\"") into err.
 * The config is allocated by config_new() and freed by config_free().
 */
struct config *config_new(void);
void	 config_free(struct config *);
int	 config_parse(const char *json, size_t len, struct config *,
	    char *err, size_t errlen);
int	 config_load(const char *path, struct config *, char *err,
	    size_t errlen);
/* Parse one route object as found in "routes" (used by the API too). */
struct json_t;
int	 config_parse_route(struct json_t *, const char *where,
	    struct cfg_route *, char *err, size_t errlen);
/*
 * One group, or one member of group g, as found in "groups" (used by the
 * API).  ref, when not NULL, gives the interfaces that names and the
 * router's own addresses are checked against; other groups are not
 * checked: the caller checks the groups it runs.
 */
int	 config_parse_group(struct json_t *, const char *where,
	    struct cfg_group *, const struct config *ref, char *err,
	    size_t errlen);
int	 config_parse_member(struct json_t *, const char *where,
	    struct cfg_member *, const struct cfg_group *g,
	    const struct config *ref, char *err, size_t errlen);
/*
 * Change "policy", "rh_mode", "score" and "probe" of a group; absent keys
 * keep their values, other keys are errors.  Unchanged on error.
 */
int	 config_patch_group(struct json_t *, const char *where,
	    struct cfg_group *, char *err, size_t errlen);

/* ---------------------------------------------------------------------- */
/* rtable.c: longest-prefix match over IPv6 prefixes */
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

/* ---------------------------------------------------------------------- */
/* route.c: the routing table proper */
enum route_type { ROUTE_CONNECTED, ROUTE_STATIC };

struct route {
	struct in6_addr	 prefix;
	uint8_t		 plen;
	enum route_type	 type;
	bool		 has_gw;
	struct in6_addr	 gw;
	struct iface	*ifp;
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

/* ---------------------------------------------------------------------- */
/* nd.c: neighbour discovery (RFC 4861) */
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
void	 nd_walk(struct router *, void (*)(const struct neighbor *, void *),
	    void *);
void	 nd_iface_down(struct router *, struct iface *);

/* ra.c: router advertisements */
void	 ra_input_rs(struct router *, struct iface *, const struct pkt *,
	    const uint8_t *frame);
void	 ra_tick(struct router *);
void	 ra_send(struct router *, struct iface *, const struct in6_addr *dst,
	    uint32_t lifetime);
void	 ra_init_iface(struct router *, struct iface *);
void	 ra_shutdown(struct router *);	/* final RAs, lifetime 0 */

/* ---------------------------------------------------------------------- */
/* icmp6.c: echo and errors (RFC 4443) */
void	 icmp6_input(struct router *, struct iface *, struct pbuf *,
	    const struct pkt *);
/*
 * Send an ICMPv6 error about the frame in pb (not consumed), subject to
 * RFC 4443 §2.4 (never about an error, a multicast destination or an
 * unspecified/multicast source) and the rate limit.
 */
void	 icmp6_error(struct router *, struct iface *, const struct pbuf *,
	    const struct pkt *, uint8_t type, uint8_t code, uint32_t param);

/* ---------------------------------------------------------------------- */
/* iface.c: interfaces and their counters */
struct iface_stats {
	uint64_t	 rx_packets;
	uint64_t	 rx_bytes;
	uint64_t	 tx_packets;
	uint64_t	 tx_bytes;
	uint64_t	 rx_gso;	/* super-frames received */
	uint64_t	 tx_gso;
	uint64_t	 forwarded;
	uint64_t	 local_in;	/* addressed to the router */
	uint64_t	 drops;		/* all reasons */
	uint64_t	 drop[DROP_MAX];
	uint64_t	 icmp_in;
	uint64_t	 icmp_out;
	uint64_t	 ns_in, na_in, ns_out, na_out, rs_in, ra_out;
	uint64_t	 echo_in, echo_out;
	uint64_t	 errors_out;		/* ICMPv6 errors sent */
	uint64_t	 errors_ratelimited;	/* errors suppressed */
};

enum iface_kind { IFACE_TAP, IFACE_PCAP };

struct iface {
	struct router	*router;
	int		 index;		/* position in router->ifaces */
	struct cfg_iface conf;		/* copy of its configuration */
	char		*name;		/* = conf.name */
	enum iface_kind	 kind;
	uint8_t		 mac[ETH_ALEN_];
	uint32_t	 mtu;
	struct in6_addr	 lladdr;	/* link-local */
	struct cfg_addr	 addrs[CFG_MAX_ADDRS + 1];	/* [0] = link-local */
	int		 naddrs;
	bool		 up;
	int		 fd;		/* TAP */
	struct event	*ev;
	struct pcap	*pin;		/* fixture mode */
	struct pcap_dumper *pout;
	struct pcap	*pout_dead;
	uint64_t	 ra_next_ns;	/* next unsolicited RA, 0 = now */
	uint32_t	 ra_initial;	/* initial RAs still to send fast */
	struct tbucket	 ra_rl;		/* RAs answering solicitations */
	struct iface_stats stats;
};

struct iface *iface_find(struct router *, const char *name);
/* Is this one of the interface's unicast addresses? */
bool	 iface_has_addr(const struct iface *, const struct in6_addr *);
/* Does the router accept a packet for this multicast group here? */
bool	 iface_joined(const struct iface *, const struct in6_addr *);
/* A source address on this interface suited to reach dst. */
const struct in6_addr *iface_src_for(const struct iface *,
	    const struct in6_addr *dst);
void	 iface_count_drop(struct iface *, enum drop_reason);

/* tap.c */
int	 tap_open(struct iface *, char *err, size_t errlen);
void	 tap_close(struct iface *);
int	 tap_write(struct iface *, struct pbuf *);	/* 0 or -1 */
void	 tap_read_cb(int, short, void *);
#define TAP_BUDGET	64	/* frames read per wakeup and interface */

/* pcapio.c: packet-fixture mode */
int	 pcapio_open(struct iface *, char *err, size_t errlen);
void	 pcapio_close(struct iface *);
int	 pcapio_write(struct iface *, struct pbuf *);
/* Replay every input in timestamp order on a virtual clock; returns 0. */
int	 pcapio_run(struct router *, uint64_t linger_ms);

/* ---------------------------------------------------------------------- */
/* fwd.c: the data path */
/* Process one received frame; takes ownership of pb. */
void	 router_input(struct router *, struct iface *, struct pbuf *);
/*
 * Route and send an IPv6 packet the router originated (pb->data at the
 * Ethernet header, to be filled).  Takes ownership of pb.
 */
void	 ip6_output(struct router *, struct pbuf *);
/* Fill in the Ethernet header and transmit; takes ownership of pb. */
void	 iface_output(struct iface *, struct pbuf *, const uint8_t dst[6]);
/* Is the router the final destination of this address? Which interface? */
struct iface *router_local_addr(struct router *, const struct in6_addr *);

/* ---------------------------------------------------------------------- */
/* capture.c: libpcap savefiles of what crosses the interfaces */
struct capture {
	TAILQ_ENTRY(capture) entry;
	unsigned int	 id;
	char		 iface[IFNAMSIZ];	/* "" = every interface */
	int		 direction;		/* CAP_* */
	char		 filter[256];
	bool		 has_filter;
	void		*bpf;			/* struct bpf_program * */
	struct pcap	*dead;
	struct pcap_dumper *dumper;
	char		 path[PATH_MAX];	/* current file */
	uint64_t	 max_bytes;		/* per file; 0 = no cap */
	uint32_t	 rotate;		/* older files kept */
	uint64_t	 file_bytes;
	uint64_t	 packets;
	uint64_t	 bytes;
	uint32_t	 files;			/* rotations so far */
	bool		 running;
	struct timeval	 started;
	struct timeval	 stopped;
};
TAILQ_HEAD(capture_list, capture);

/* Start a capture; NULL with a message in err on failure. */
struct capture *capture_start(struct router *, const char *iface,
	    int direction, const char *filter, uint64_t max_bytes,
	    uint32_t rotate, char *err, size_t errlen);
void	 capture_stop(struct router *, struct capture *);
/* Stop if running, delete its files, free it. */
void	 capture_delete(struct router *, struct capture *);
struct capture *capture_find(struct router *, unsigned int id);
/* Called for every frame crossing ifp in direction dir. */
void	 capture_frame(struct router *, struct iface *, int dir,
	    const uint8_t *, size_t);
void	 capture_shutdown(struct router *);
#define CAPTURE(r, ifp, dir, buf, len) do {				\
	if ((r)->ncaptures_running > 0)					\
		capture_frame((r), (ifp), (dir), (buf), (len));		\
} while (0)

/* ---------------------------------------------------------------------- */
/* anycast.c: groups, members, selection, the anycast data path */
#define MEMBER_STATES(X)						\
	X(JOINING,	"joining")					\
	X(UP,		"up")						\
	X(SUSPECT,	"suspect")					\
	X(DOWN,		"down")						\
	X(DRAINING,	"draining")

enum member_state {
#define X(id, name) MS_##id,
	MEMBER_STATES(X)
#undef X
	MS_MAX
};
extern const char *const member_state_names[MS_MAX];

/* Why a member went down, for the API and logs. */
enum member_why { MW_NONE, MW_PROBE, MW_HEALTH, MW_REPORTS, MW_ADMIN };
const char *member_why_name(enum member_why);

#define GROUP_AUTH_REASONS	16	/* enum mp_reason values */

struct member_stats {
	uint64_t	 selections;	/* new flows given to it */
	uint64_t	 probes_sent;
	uint64_t	 probes_lost;
	uint64_t	 probes_ok;
	uint64_t	 packets;	/* client -> member */
	uint64_t	 bytes;
	uint64_t	 reports;
	uint64_t	 session_msgs;
};

struct group;

struct member {
	struct group	*group;
	bool		 used;		/* slot in use */
	uint32_t	 id;		/* stable within the group */
	struct in6_addr	 addr;		/* unicast address U */
	struct iface	*ifp;		/* link it is reached through */
	bool		 is_static;	/* config or API, not joined */
	enum member_state state;
	enum member_why	 why;		/* of the last down */
	uint64_t	 state_ns;	/* when the state last changed */
	/* reported by the member */
	uint32_t	 sessions;
	uint32_t	 load_pct;
	uint32_t	 capacity;
	bool		 health;	/* its own check */
	uint64_t	 last_report_ns;
	uint64_t	 last_seq;	/* replay protection */
	uint16_t	 key_id;
	uint32_t	 report_ms;	/* interval it announced */
	/* configured or measured */
	uint32_t	 weight;
	uint32_t	 hops;
	uint32_t	 bandwidth;	/* residual Mbit/s */
	bool		 draining;
	/* counted by the router */
	uint32_t	 flows;
	/* probing */
	uint64_t	 last_ok_ns;	/* last sign of life (probe) */
	uint64_t	 last_probe_ns;
	uint64_t	 probe_rtt_ns;
	bool		 probing;	/* an echo is in flight */
	uint16_t	 probe_seq;
	uint64_t	 probe_deadline_ns;
	uint32_t	 ok_streak;
	uint32_t	 fail_streak;
	uint64_t	 retest_ns;	/* next probe while down */
	uint64_t	 backoff_ms;
	uint64_t	 next_bg_ns;	/* next background probe */
	struct pbuf	*qhead;		/* packets parked for its probe */
	struct pbuf	*qtail;
	uint32_t	 qlen;
	struct member_stats stats;
};

struct group_stats {
	uint64_t	 packets;	/* to the anycast address */
	uint64_t	 new_flows;
	uint64_t	 selections;
	uint64_t	 no_flow_maglev;	/* mid-flow packets with no entry */
	uint64_t	 probes_sent;
	uint64_t	 probes_lost;
	uint64_t	 fallbacks;	/* next best tried after a failure */
	uint64_t	 unreachables;	/* all down: errors sent */
	uint64_t	 pending_dropped;
	uint64_t	 rh_inserted;
	uint64_t	 rh_to_client;
	uint64_t	 rh_too_big;
	uint64_t	 joins;
	uint64_t	 leaves;
	uint64_t	 rejects;
	uint64_t	 auth_fail[GROUP_AUTH_REASONS];	/* by enum mp_reason */
	uint64_t	 expired;	/* soft state ran out */
};

struct group {
	uint32_t	 id;		/* index in router->groups */
	struct cfg_group conf;
	struct member	 members[CFG_MAX_MEMBERS];
	uint32_t	 next_member_id;
	uint32_t	 pending;	/* packets parked, all members */
	struct policy_state pstate;
	bool		 maglev_dirty;
	struct group_stats stats;
	/* last sequence numbers of members that left (replay protection) */
	struct {
		struct in6_addr	 addr;
		uint64_t	 seq;
	}		 left[CFG_MAX_MEMBERS];
	uint32_t	 left_next;
};

struct flow_table;

void	 anycast_init(struct router *);
void	 anycast_shutdown(struct router *);
struct group *group_find(struct router *, const struct in6_addr *);
int	 group_add(struct router *, const struct cfg_group *, char *err,
	    size_t errlen);
int	 group_del(struct router *, const struct in6_addr *);
int	 group_set_policy(struct router *, struct group *, enum policy_kind);
struct member *member_find(struct group *, const struct in6_addr *);
struct member *member_by_id(struct group *, uint32_t);
/* Add a static member (config/API) or a joined one; NULL + err. */
struct member *member_add(struct router *, struct group *,
	    const struct cfg_member *, bool is_static, char *err,
	    size_t errlen);
void	 member_del(struct router *, struct member *);
void	 member_set_state(struct router *, struct member *,
	    enum member_state, enum member_why);
/* Score parts as the score policy sees this member. */
void	 member_score(const struct member *, struct score_parts *);
uint32_t member_sessions(const struct member *);	/* effective */
/* Data path: a packet for an anycast address; takes ownership. */
void	 anycast_input(struct router *, struct iface *, struct group *,
	    struct pbuf *, const struct pkt *);
/* Data path: a transit packet from an anycast address (a reply). */
void	 anycast_reply(struct router *, struct group *, struct pbuf *,
	    struct pkt *);
void	 anycast_tick(struct router *);
/* Forward a parked or new packet to a member (probe done or fresh). */
void	 anycast_deliver(struct router *, struct member *, struct pbuf *);
/* A member's probe settled: ok or not; re-dispatch its parked packets. */
void	 anycast_probe_done(struct router *, struct member *, bool ok);

/* probe.c: ICMPv6 echo probes of members */
#define PROBE_IDENT_BASE	0xac00	/* echo identifier: base + group */
void	 probe_send(struct router *, struct member *);
void	 probe_reply(struct router *, const struct in6_addr *src,
	    uint16_t ident, uint16_t seq);
void	 probe_tick(struct router *);
bool	 member_fresh(const struct router *, const struct member *);

/* member_ctl.c: the membership protocol (ICMPv6 type 200) */
void	 member_ctl_input(struct router *, struct iface *, struct pbuf *,
	    const struct pkt *);
void	 member_ctl_tick(struct router *);

/* ---------------------------------------------------------------------- */
/* api.c: REST API (evhttp + jansson) */
int	 api_start(struct router *, char *err, size_t errlen);
void	 api_stop(struct router *);

/* api_json.c: JSON views of the router's objects; new references */
struct router_stats;
struct json_t *api_json_counters(const struct iface_stats *);
struct json_t *api_json_router_counters(const struct router_stats *);
struct json_t *api_json_iface(const struct iface *);
struct json_t *api_json_route(const struct route *);
struct json_t *api_json_neighbor(const struct neighbor *, uint64_t now_ns);
struct json_t *api_json_capture(const struct capture *);
/* A capture as POST /api/v1/captures asks for it. */
struct api_capture_req {
	char		 iface[IFNAMSIZ];	/* "" = every interface */
	int		 direction;		/* CAP_* */
	char		 filter[256];
	uint64_t	 max_bytes;
	uint32_t	 rotate;
};
/* Defaults for absent keys; unknown keys and bad types are errors. */
int	 api_json_capture_req(struct json_t *, struct api_capture_req *,
	    char *err, size_t errlen);

/* ---------------------------------------------------------------------- */
/* router.c: the router object */
struct router_stats {
	uint64_t	 drop[DROP_MAX];
	uint64_t	 forwarded;
	uint64_t	 local_in;
	uint64_t	 errors_out;
	uint64_t	 errors_ratelimited;
	uint64_t	 mp_in;			/* membership messages */
	uint64_t	 mp_out;
	uint64_t	 mp_fail[GROUP_AUTH_REASONS];	/* by enum mp_reason */
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
	/* neighbour cache, private to nd.c */
	TAILQ_HEAD(, neighbor) neighbors;
	struct neighbor	**nd_hash;
	uint32_t	 nd_hash_size;
	uint32_t	 nneighbors;
	struct neighbor	*nd_pool;	/* conf->neigh_max entries */
	struct neighbor	*nd_free;
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
	/* anycast */
	struct group	*groups[CFG_MAX_GROUPS];
	int		 ngroups;
	struct rtable	*anycast;	/* group address /128 -> group */
	struct flow_table *flows;
	struct tbucket	 unreach_rl;	/* all-down unreachables */
	struct mp_ratelimit *mp_rl;	/* per-source message limits */
};

extern struct router *the_router;	/* for signal and log glue only */

int	 router_init(struct router *, struct config *, bool pcap_mode,
	    char *err, size_t errlen);
void	 router_shutdown(struct router *);
/* Update now_ns from the clock (live mode). */
void	 router_clock(struct router *);
/* Wall-clock time of router->now_ns, for captures. */
void	 router_walltime(const struct router *, struct timeval *);
/* Periodic work: neighbour timers, RAs. */
void	 router_tick(struct router *);
#define TICK_MS		100

#endif /* VROUTER_H */
