/*
 * Helpers of the flow table's tests: a reproducible random sequence
 * and the key of a client of 2001:db8::a.
 */
#ifndef FLOW_TEST_H
#define FLOW_TEST_H

#include <stdint.h>
#include <string.h>

#include "flow.h"

#define MS	1000000ull
#define SEC	1000000000ull
#define TCP	6
#define UDP	17
#define SYN	FLOW_TCP_SYN
#define ACK	FLOW_TCP_ACK

/* xorshift64*: reproducible runs. */
static uint64_t	rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static inline uint32_t
rng_below(uint32_t n)
{
	return (uint32_t)(rng() % n);
}

/* Client number c (any 32 bits) of 2001:db8::a, port cport. */
static inline void
key(struct flow_key *k, uint32_t c, uint16_t cport, uint8_t proto)
{
	struct in6_addr	 src, dst;

	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.s6_addr[0] = dst.s6_addr[0] = 0x20;
	src.s6_addr[1] = dst.s6_addr[1] = 0x01;
	src.s6_addr[2] = dst.s6_addr[2] = 0x0d;
	src.s6_addr[3] = dst.s6_addr[3] = 0xb8;
	memcpy(&src.s6_addr[12], &c, sizeof(c));
	dst.s6_addr[15] = 0xa;
	flow_key_set(k, &src, &dst, cport, 80, proto);
}

#endif /* FLOW_TEST_H */
