/*
 * Wire formats of the frames the router and the host programs read:
 * pkt.c parses an Ethernet frame (IPv6, the extension-header chain,
 * upper-layer ports), pkt_build.c writes ICMPv6 headers and parses NDP
 * options.  Pure functions over caller-owned memory: no I/O, no globals,
 * no logging.  Every way a frame can be malformed has a drop reason,
 * counted by name.
 */
#ifndef COMMON_PKT_H
#define COMMON_PKT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Drop reasons, shared by the parser and the data path. */
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
	X(TX_ERROR,		"tx_error")				\
	X(TX_RING_FULL,		"tx_ring_full")

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

/*
 * The same for UDP: the payload is already at ip6 + 48; fills the IPv6
 * and UDP headers and the checksum.  Returns the IPv6 packet length.
 */
size_t	 udp6_finish(uint8_t *ip6, const struct in6_addr *src,
	    const struct in6_addr *dst, uint8_t hlim, uint16_t sport,
	    uint16_t dport, size_t payload_len);

/* A TCP segment without options; its payload is already at ip6 + 60. */
struct tcp_seg {
	uint16_t	 sport;
	uint16_t	 dport;
	uint32_t	 seq;
	uint32_t	 ack;
	uint8_t		 flags;		/* TCP_* */
	uint16_t	 window;
};
size_t	 tcp6_finish(uint8_t *ip6, const struct in6_addr *src,
	    const struct in6_addr *dst, uint8_t hlim, const struct tcp_seg *,
	    size_t payload_len);

/* NDP options as parsed from NS/NA/RS/RA. */
struct nd_opts {
	bool		 has_sll;
	uint8_t		 sll[ETH_ALEN_];
	bool		 has_tll;
	uint8_t		 tll[ETH_ALEN_];
};
/* Returns 0, or -1 for a malformed option list (e.g. a zero length). */
int	 nd_parse_opts(const uint8_t *, size_t, struct nd_opts *);

#endif /* COMMON_PKT_H */
