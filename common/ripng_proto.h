/*
 * RIPng (RFC 2080) wire codec: the UDP payload of a request or a
 * response, a 4-byte header and 20-byte route table entries (RTEs).
 * Pure: no I/O, no globals, no allocation.
 *
 *   0       1       2       3
 *   command version must-be-zero
 *   RTE:  prefix (16) | route tag (2) | prefix len (1) | metric (1)
 *
 * An RTE with metric 0xff is a next-hop entry: its prefix is the next
 * hop of the RTEs that follow (:: = the sender), until the next one.
 *
 * A receiver checks the header with ripng_parse_hdr(); a bad header
 * drops the whole packet.  It then walks the entries with ripng_next(),
 * which skips and counts each bad entry (RFC 2080 §2.4.2: ignore the
 * entry, not the packet).  The IPv6 rules (link-local source, hop limit
 * 255 for responses, port 521) are checked by ripng_check_ip6().
 */
#ifndef COMMON_RIPNG_PROTO_H
#define COMMON_RIPNG_PROTO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RIPNG_PORT		521
#define RIPNG_VERSION		1
#define RIPNG_CMD_REQUEST	1
#define RIPNG_CMD_RESPONSE	2
#define RIPNG_HDR_LEN		4
#define RIPNG_RTE_LEN		20
#define RIPNG_INFINITY		16
#define RIPNG_METRIC_NEXTHOP	0xff
#define RIPNG_HOP_LIMIT		255
/* ff02::9, all RIPng routers */
#define RIPNG_GROUP_INIT \
	{{{ 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09 }}}

/* Why a packet or an entry was refused: each one a counter. */
#define RIPNG_ERRORS(X)							\
	X(short,	"Shorter than the RIPng header.")		\
	X(length,	"Length not the header plus whole route entries.") \
	X(command,	"Command neither request (1) nor response (2).") \
	X(version,	"Version other than 1.")			\
	X(reserved,	"Must-be-zero header field not zero.")		\
	X(source,	"Source not link-local (responses) or source port " \
			"not 521.")					\
	X(hop_limit,	"Response with a hop limit other than 255.")	\
	X(bad_plen,	"Route entry with a prefix length over 128.")	\
	X(bad_metric,	"Route entry with a metric of 0 or over 16.")	\
	X(bad_prefix,	"Route entry for a multicast or link-local prefix, " \
			"or with bits set beyond its length.")		\
	X(bad_nexthop,	"Next-hop entry that is not link-local or :: " \
			"(the sender is used).")

enum ripng_err {
	RIPNG_OK = 0,
#define X(n, help) RIPNG_E_##n,
	RIPNG_ERRORS(X)
#undef X
	RIPNG_E_MAX
};
const char *ripng_err_name(enum ripng_err);
const char *ripng_err_help(enum ripng_err);

struct ripng_rte {
	struct in6_addr	 prefix;
	uint16_t	 tag;
	uint8_t		 plen;
	uint8_t		 metric;
};

/* The header: RIPNG_OK, or short/length/command/version/reserved. */
enum ripng_err ripng_parse_hdr(const uint8_t *, size_t, uint8_t *cmd);

/*
 * The IPv6 rules for a message of this command (RFC 2080 §2.4.1,
 * §2.4.2): a response from a link-local source, port 521, hop limit
 * 255; a request from any source port (a port other than 521 is a
 * query, answered unicast).  RIPNG_OK, or source/hop_limit.
 */
enum ripng_err ripng_check_ip6(uint8_t cmd, const struct in6_addr *src,
	    uint16_t sport, uint8_t hlim);

/* Walking the entries of a packet whose header passed. */
struct ripng_iter {
	const uint8_t	*p;
	const uint8_t	*end;
	struct in6_addr	 nexthop;	/* :: = the sender */
};
void	 ripng_iter_init(struct ripng_iter *, const uint8_t *, size_t);
/*
 * The next good route entry into *rte, its next hop in it->nexthop;
 * false at the end.  Each bad entry is skipped and counted in
 * bad[RIPNG_E_MAX] (bad may be NULL).  Requests may carry metric 16.
 */
bool	 ripng_next(struct ripng_iter *, struct ripng_rte *,
	    uint64_t *bad);
/* A request for the whole table: one entry, ::/0, metric 16. */
bool	 ripng_is_whole_request(const uint8_t *, size_t);

/*
 * Build a message into buf (cap bytes): the header and n entries, as
 * many as fit; returns the bytes written (0 when not even the header
 * fits).  *used is the number of entries written.
 */
size_t	 ripng_build(uint8_t *buf, size_t cap, uint8_t cmd,
	    const struct ripng_rte *, size_t n, size_t *used);
/* Entries that fit in a packet for this link MTU (IPv6 + UDP + header). */
size_t	 ripng_rtes_per_packet(uint32_t mtu);

#endif /* COMMON_RIPNG_PROTO_H */
