/*
 * HMAC-SHA256 tags bound to an IPv6 source address, as the membership
 * protocol and E-BB messages carry them: the tag of a message is
 * HMAC-SHA256(key, src || every byte before the tag).  Pure; the caller
 * must have called sodium_init().
 */
#ifndef COMMON_SRCTAG_H
#define COMMON_SRCTAG_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define SRCTAG_LEN		32
#define SRCTAG_KEY_LEN		32

/* The tag over src || buf[0..len-1] under key. */
void	 srctag(uint8_t tag[SRCTAG_LEN], const struct in6_addr *src,
	    const uint8_t *buf, size_t len, const uint8_t key[SRCTAG_KEY_LEN]);

/*
 * Whether the SRCTAG_LEN bytes at buf + len are the tag over src ||
 * buf[0..len-1], compared in constant time.  Returns 0 or -1.
 */
int	 srctag_verify(const struct in6_addr *src, const uint8_t *buf,
	    size_t len, const uint8_t key[SRCTAG_KEY_LEN]);

#endif /* COMMON_SRCTAG_H */
