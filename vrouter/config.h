/*
 * The router's configuration: the structs a JSON file fills (config.c,
 * config_iface.c, config_group.c), validated whole; unknown keys are
 * errors.  The API reuses the parsers of one route, group or member.
 */
#ifndef VROUTER_CONFIG_H
#define VROUTER_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "linkem.h"
#include "policy.h"
#include "proto.h"
#include "rthdr.h"

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

struct cfg_capture {
	bool		 enabled;
	char		 filter[256];
	int		 direction;		/* CAP_* */
	uint64_t	 max_bytes;
	uint32_t	 rotate;
};

/* RIPng on one interface (absent in the file: off). */
struct cfg_ripng_iface {
	bool		 enabled;
	uint8_t		 cost;			/* 1..15, added on receipt */
};

#define MAX_CAPACITY_MBIT	1000000		/* 1 Tbit/s */

struct cfg_iface {
	char		 name[IFNAMSIZ];	/* router-side TAP name */
	char		 netns[CFG_NETNS_LEN];	/* "" = stay where we are */
	char		 ifname[IFNAMSIZ];	/* name inside the netns */
	uint8_t		 mac[ETH_ALEN_];	/* the router's own MAC */
	uint32_t	 mtu;
	uint32_t	 capacity_mbit;		/* 0: from emulation or 1000 */
	struct cfg_addr	 addrs[CFG_MAX_ADDRS];
	int		 naddrs;
	bool		 ra_enabled;
	uint32_t	 ra_interval;		/* seconds */
	uint32_t	 ra_lifetime;		/* seconds */
	uint8_t		 ra_hop_limit;
	bool		 ra_mtu;		/* include the MTU option */
	bool		 ra_dns;		/* RDNSS and DNSSL (RFC 8106) */
	struct cfg_prefix prefixes[CFG_MAX_PREFIXES];
	int		 nprefixes;
	struct cfg_capture capture;
	struct cfg_ripng_iface ripng;
	int8_t		 ebb;			/* 1 on, 0 off, -1 as RIPng */
	struct linkem_conf emulation[LINKEM_DIRS];	/* in, out */
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
	uint32_t	 load;			/* server load %, static */
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
	struct score_ratios ratios;	/* the normal profile's, with profiles */
	struct score_profiles profiles;	/* enabled: two, switched */
	struct cfg_probe probe;
	struct cfg_key	 keys[CFG_MAX_KEYS];
	int		 nkeys;
	uint32_t	 max_members;
	uint32_t	 report_ms;	/* members' report interval */
	uint32_t	 misses;	/* reports missed before down */
	uint32_t	 grace_ms;	/* down this long: removed */
	uint32_t	 join_rate;	/* messages per second per source */
	bool		 udp_pin;	/* false: each UDP datagram a flow */
	struct cfg_member members[CFG_MAX_MEMBERS];	/* static members */
	int		 nmembers;
	bool		 ebb;		/* resolved region-wide by the E-BB */
};

struct cfg_flows {
	uint32_t	 max;		/* flow table capacity */
	uint32_t	 syn_ms;
	uint32_t	 established_ms;
	uint32_t	 fin_ms;
	uint32_t	 udp_ms;
	uint32_t	 other_ms;
	uint32_t	 recover_ms;	/* asking members; 0 = guess at once */
	uint32_t	 high_water_pct; /* flood mode above; 0 = off */
	uint32_t	 low_water_pct;	/* until below */
};

/* RIPng (RFC 2080), the router's dynamic routing (ripng.c). */
struct cfg_ripng {
	bool		 enabled;
	uint32_t	 update_s;	/* periodic updates */
	uint32_t	 timeout_s;	/* a route not refreshed: metric 16 */
	uint32_t	 garbage_s;	/* then deleted after this */
	uint16_t	 tag;		/* on the routes this router exports */
	bool		 export_connected;
	bool		 export_static;
	bool		 export_anycast;	/* groups with a member up */
};

/* The E-BB (paper 2 §4-5, ebb.c): discovery, route cache, reservation. */
struct cfg_ebb {
	bool		 enabled;
	struct in6_addr	 router_id;	/* :: = the first global address */
	struct cfg_key	 keys[CFG_MAX_KEYS];	/* the region's keys */
	int		 nkeys;
	uint32_t	 wait_ms;	/* discovery timer */
	uint32_t	 cache_lifetime_ms;	/* a route cache entry */
	uint32_t	 reserve_kbit;	/* per cached route; 0 = none */
	uint32_t	 reserve_ms;	/* a reservation's lifetime */
};

/* How frames move through the TAPs (tap.c, tap_uring.c). */
enum cfg_io {
	CFG_IO_AUTO,		/* io_uring when the kernel has it, else readv */
	CFG_IO_URING,
	CFG_IO_READV,
};

struct config {
	bool		 api_enabled;
	char		 api_listen[INET6_ADDRSTRLEN];
	uint16_t	 api_port;
	char		 api_token[129];	/* "" = generate at start */
	char		 api_web_root[PATH_MAX];	/* "" = look at start */
	char		 capture_dir[PATH_MAX];
	int		 log_level;		/* LOG_LVL_* */
	bool		 keep_taps;	/* a clean stop leaves the TAPs */
	enum cfg_io	 io_backend;	/* TAP I/O: "io": {"backend"} */
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
	bool		 dns_enabled;		/* answer .any names on port 53 */
	uint32_t	 dns_ttl;		/* of every record */
	struct cfg_ripng ripng;
	struct cfg_ebb	 ebb;
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
 * An "emulation" object ({"in": {...}, "out": {...}}, each with
 * delay_ms, jitter_ms, loss_percent, rate_mbit, limit) into em[in, out];
 * a direction absent is left alone, {} turns it off (used by the API).
 */
int	 config_parse_emulation(struct json_t *, const char *where,
	    struct linkem_conf em[LINKEM_DIRS], char *err, size_t errlen);
/*
 * Change "policy", "rh_mode", "score" and "probe" of a group; absent keys
 * keep their values, other keys are errors.  Unchanged on error.
 */
int	 config_patch_group(struct json_t *, const char *where,
	    struct cfg_group *, char *err, size_t errlen);

#endif /* VROUTER_CONFIG_H */
