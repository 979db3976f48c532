/*
 * cksum.c: the Internet checksum (RFC 1071) and the IPv6 upper-layer
 * checksum over the pseudo-header (RFC 8200 §8.1).
 */
#ifndef COMMON_CKSUM_H
#define COMMON_CKSUM_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

uint32_t cksum_add(uint32_t sum, const void *, size_t);
uint16_t cksum_fold(uint32_t sum);
/* Upper-layer checksum over the IPv6 pseudo-header and the L4 bytes. */
uint16_t cksum_ip6(const struct in6_addr *src, const struct in6_addr *dst,
	    uint8_t proto, const void *l4, size_t len);

#endif /* COMMON_CKSUM_H */
