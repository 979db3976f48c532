/*
 * The Internet checksum (RFC 1071) and the IPv6 upper-layer checksum
 * (RFC 8200 §8.1).
 *
 * Sums are kept as the one's complement sum of big-endian 16-bit words
 * in a 32-bit accumulator: cksum_add() chains, cksum_fold() finishes and
 * returns the value to store big-endian in the packet.  A packet whose
 * checksum field is correct sums (and folds) to 0.
 */
#include <arpa/inet.h>
#include <string.h>

#include "cksum.h"

/*
 * Add len bytes at buf to sum.  When chaining, every chunk but the last
 * must have an even length: an odd final byte is summed as the high
 * half of a 16-bit word padded with zero.
 */
uint32_t
cksum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	uint64_t	 acc = 0;
	uint32_t	 w[4];
	uint16_t	 native;

	/*
	 * Sum native-order 32-bit words into 64 bits: carries are kept in
	 * the upper half and folded in below.  The one's complement sum is
	 * independent of byte order up to a final swap (RFC 1071 §2(B)).
	 */
	while (len >= sizeof(w)) {
		memcpy(w, p, sizeof(w));
		acc += (uint64_t)w[0] + w[1] + w[2] + w[3];
		p += sizeof(w);
		len -= sizeof(w);
	}
	while (len >= sizeof(w[0])) {
		memcpy(w, p, sizeof(w[0]));
		acc += w[0];
		p += sizeof(w[0]);
		len -= sizeof(w[0]);
	}
	if (len >= 2) {
		uint16_t	h;

		memcpy(&h, p, sizeof(h));
		acc += h;
		p += 2;
		len -= 2;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	native = (uint16_t)acc;

	sum += ntohs(native);
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	/* Keep the running sum small so long chains cannot overflow. */
	return (sum & 0xffff) + (sum >> 16);
}

/* Fold a sum to 16 bits and complement it. */
uint16_t
cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Checksum over the pseudo-header (source, destination, upper-layer
 * length, next header) and len bytes at l4.  With the checksum field
 * zeroed it gives the value to store; over a packet with its checksum
 * in place it gives 0 when the checksum is correct.  UDP senders must
 * turn a computed 0 into 0xffff themselves.
 */
uint16_t
cksum_ip6(const struct in6_addr *src, const struct in6_addr *dst,
    uint8_t proto, const void *l4, size_t len)
{
	uint32_t	sum;

	sum = cksum_add(0, src, sizeof(*src));
	sum = cksum_add(sum, dst, sizeof(*dst));
	sum += (uint32_t)(len >> 16) & 0xffff;
	sum += (uint32_t)len & 0xffff;
	sum += proto;
	sum = cksum_add(sum, l4, len);
	return cksum_fold(sum);
}
