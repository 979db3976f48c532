/*
 * Wire formats and protocol limits, shared by vrouter and the host
 * programs.
 *
 * Layouts are given as byte offsets; code reads them through the
 * bounds-checked helpers in pkt.c rather than by casting structs onto
 * packet memory.
 */
#ifndef COMMON_PROTO_H
#define COMMON_PROTO_H

#include <stdint.h>

#define ETH_ALEN_		6
#define ETH_HLEN_		14
#define ETHERTYPE_IPV6_		0x86dd

#define IP6_HLEN		40
#define IP6_MIN_MTU		1280
#define IP6_MAX_PAYLOAD		65535

/* IPv6 next-header values */
#define IPPROTO_HOPOPTS_	0
#define IPPROTO_TCP_		6
#define IPPROTO_UDP_		17
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_ESP_		50
#define IPPROTO_AH_		51
#define IPPROTO_ICMPV6_		58
#define IPPROTO_NONE_		59
#define IPPROTO_DSTOPTS_	60
#define IPPROTO_MH_		135

/* ICMPv6 types (RFC 4443, RFC 4861) */
#define ICMP6_DST_UNREACH_	1
#define ICMP6_PACKET_TOO_BIG_	2
#define ICMP6_TIME_EXCEEDED_	3
#define ICMP6_PARAM_PROB_	4
#define ICMP6_ECHO_REQUEST_	128
#define ICMP6_ECHO_REPLY_	129
#define ND_ROUTER_SOLICIT_	133
#define ND_ROUTER_ADVERT_	134
#define ND_NEIGHBOR_SOLICIT_	135
#define ND_NEIGHBOR_ADVERT_	136
#define ND_REDIRECT_		137

/* Destination Unreachable codes */
#define ICMP6_DST_UNREACH_NOROUTE_	0
#define ICMP6_DST_UNREACH_ADMIN_	1
#define ICMP6_DST_UNREACH_ADDR_		3
#define ICMP6_DST_UNREACH_NOPORT_	4
/* Time Exceeded codes */
#define ICMP6_TIME_EXCEED_TRANSIT_	0
/* Parameter Problem codes */
#define ICMP6_PARAMPROB_HEADER_		0
#define ICMP6_PARAMPROB_NEXTHEADER_	1

/* NDP options */
#define ND_OPT_SOURCE_LINKADDR_	1
#define ND_OPT_TARGET_LINKADDR_	2
#define ND_OPT_PREFIX_INFO_	3
#define ND_OPT_MTU_		5
#define ND_OPT_RDNSS_		25	/* RFC 8106 */
#define ND_OPT_DNSSL_		31

/* TCP flags (byte 13 of the header) */
#define TCP_FIN_		0x01
#define TCP_SYN_		0x02
#define TCP_RST_		0x04
#define TCP_PSH_		0x08
#define TCP_ACK_		0x10

/* NA flags (first byte after the ICMPv6 header) */
#define ND_NA_FLAG_ROUTER_	0x80
#define ND_NA_FLAG_SOLICITED_	0x40
#define ND_NA_FLAG_OVERRIDE_	0x20

/* Prefix information flags */
#define ND_PI_FLAG_ONLINK_	0x80
#define ND_PI_FLAG_AUTO_	0x40

#define NDP_HOP_LIMIT		255

/* RFC 4861 §10 protocol constants */
#define MAX_MULTICAST_SOLICIT	3
#define MAX_UNICAST_SOLICIT	3
#define RETRANS_TIMER_MS	1000
#define REACHABLE_TIME_MS	30000
#define DELAY_FIRST_PROBE_MS	5000
#define MAX_RTR_SOLICIT_DELAY_MS 1000

/* Router advertisement defaults (RFC 4861 §6.2.1) */
#define DEFAULT_RA_INTERVAL_S	30
#define MIN_RA_INTERVAL_S	3
#define MAX_RA_INTERVAL_S	1800
#define DEFAULT_RA_LIFETIME_S	1800
#define DEFAULT_PREFIX_VALID_S	86400
#define DEFAULT_PREFIX_PREF_S	14400
#define DEFAULT_HOP_LIMIT	64

/* Limits */
#define PKT_MAX_EXT_HDRS	8	/* extension headers parsed before giving up */
#define DEFAULT_MTU		1500
#define MIN_MTU			IP6_MIN_MTU
#define MAX_MTU			65521
#define DEFAULT_NEIGH_MAX	1024	/* RFC 6583: cap the neighbour cache */
#define DEFAULT_NEIGH_QUEUE	16	/* packets parked per INCOMPLETE entry */
#define DEFAULT_ICMP_RATE	100	/* ICMPv6 errors per second (token bucket) */
#define DEFAULT_ICMP_BURST	50

#endif /* COMMON_PROTO_H */
