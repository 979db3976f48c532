/*
 * addr.c: IPv6 and MAC addresses, parsed, formatted and derived (prefix
 * masks, solicited-node and multicast MACs, EUI-64 link-locals).  Pure,
 * apart from the rotating static buffers of the formatters.
 */
#ifndef COMMON_ADDR_H
#define COMMON_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

extern const struct in6_addr in6_allnodes;	/* ff02::1 */

/* Parse "2001:db8::1/64" (plen defaults to 128 when absent). 0 or -1. */
int	 parse_prefix(const char *, struct in6_addr *, uint8_t *);
/* Parse "02:00:00:00:00:01". 0 or -1. */
int	 parse_mac(const char *, uint8_t mac[6]);
/* Four rotating static buffers each: valid until the fourth next call. */
const char *fmt_addr(const struct in6_addr *);
const char *fmt_mac(const uint8_t mac[6]);
void	 prefix_mask(struct in6_addr *, uint8_t plen);	/* zero host bits */
bool	 prefix_match(const struct in6_addr *, const struct in6_addr *,
	    uint8_t plen);
/* The solicited-node multicast address ff02::1:ffXX:XXXX of an address. */
void	 solicited_node(struct in6_addr *, const struct in6_addr *);
/* 33:33:xx:xx:xx:xx for an IPv6 multicast address. */
void	 mcast_mac(uint8_t mac[6], const struct in6_addr *);
/* fe80::/64 with a modified EUI-64 interface identifier from a MAC. */
void	 eui64_linklocal(struct in6_addr *, const uint8_t mac[6]);

#endif /* COMMON_ADDR_H */
