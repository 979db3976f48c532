/*
 * The Internet checksum against published vectors, packets checksummed
 * by another implementation, and a deliberately naive byte-pair
 * reference on random buffers.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cksum.h"
#include "proto.h"

/* RFC 1071 by the book: big-endian 16-bit words, odd byte padded. */
static uint16_t
naive_cksum(const uint8_t *p, size_t len)
{
	uint64_t	 sum = 0;

	for (size_t i = 0; i < len; i += 2) {
		uint16_t w = (uint16_t)(p[i] << 8);

		if (i + 1 < len)
			w |= p[i + 1];
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t
naive_cksum_ip6(const struct in6_addr *src, const struct in6_addr *dst,
    uint8_t proto, const uint8_t *l4, size_t len)
{
	uint8_t		*buf = malloc(40 + len + 1);
	uint16_t	 r;

	cr_assert_not_null(buf);
	memcpy(buf, src, 16);
	memcpy(buf + 16, dst, 16);
	buf[32] = (uint8_t)(len >> 24);
	buf[33] = (uint8_t)(len >> 16);
	buf[34] = (uint8_t)(len >> 8);
	buf[35] = (uint8_t)len;
	buf[36] = buf[37] = buf[38] = 0;
	buf[39] = proto;
	memcpy(buf + 40, l4, len);
	r = naive_cksum(buf, 40 + len);
	free(buf);
	return r;
}

static void
hex(uint8_t *out, const char *s)
{
	for (; s[0] && s[1]; s += 2) {
		unsigned int	 b;

		cr_assert_eq(sscanf(s, "%2x", &b), 1);
		*out++ = (uint8_t)b;
	}
}

Test(cksum, rfc1071_example)
{
	/* RFC 1071 §3: these words sum to 0xddf2. */
	const uint8_t	 b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6,
	    0xf7 };

	cr_assert_eq(cksum_fold(cksum_add(0, b, sizeof(b))), 0x220d);
	cr_assert_eq(cksum_fold(cksum_add(0, b, 0)), 0xffff);
	/* An odd byte counts as the high half of a word. */
	cr_assert_eq(cksum_fold(cksum_add(0, b + 2, 1)), (uint16_t)~0xf200);
}

Test(cksum, icmp6_echo_vector)
{
	/* Echo request, checksum 0xe846 as computed by scapy. */
	uint8_t		 pkt[53];
	struct in6_addr	 src, dst;

	hex(pkt, "60000000000d3a4020010db8000000000000000000000001"
	    "20010db8000000000000000000000002"
	    "8000e846123400016162636465");
	memcpy(&src, pkt + 8, 16);
	memcpy(&dst, pkt + 24, 16);
	cr_assert_eq(cksum_ip6(&src, &dst, IPPROTO_ICMPV6_, pkt + 40, 13), 0);
	pkt[42] = pkt[43] = 0;
	cr_assert_eq(cksum_ip6(&src, &dst, IPPROTO_ICMPV6_, pkt + 40, 13),
	    0xe846);
}

Test(cksum, udp_vector)
{
	/* UDP to ff02::1, checksum 0xe606 as computed by scapy. */
	uint8_t		 pkt[51];
	struct in6_addr	 src, dst;

	hex(pkt, "60000000000b11fffe800000000000000000000000000001"
	    "ff020000000000000000000000000001"
	    "14e914e9000be60678797a");
	memcpy(&src, pkt + 8, 16);
	memcpy(&dst, pkt + 24, 16);
	cr_assert_eq(cksum_ip6(&src, &dst, IPPROTO_UDP_, pkt + 40, 11), 0);
	pkt[46] = pkt[47] = 0;
	cr_assert_eq(cksum_ip6(&src, &dst, IPPROTO_UDP_, pkt + 40, 11),
	    0xe606);
}

/* Random lengths, odd and even, at every alignment. */
Test(cksum, random_against_naive)
{
	static uint8_t	 buf[70000];
	size_t		 len, align;

	srandom(1071);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)random();
	for (int i = 0; i < 3000; i++) {
		len = (size_t)random() % (i < 2900 ? 3000 : 65536);
		align = (size_t)random() % 8;
		cr_assert_eq(cksum_fold(cksum_add(0, buf + align, len)),
		    naive_cksum(buf + align, len), "len %zu align %zu", len,
		    align);
	}
	/* All 0xff: the largest words, the most carries. */
	memset(buf, 0xff, sizeof(buf));
	cr_assert_eq(cksum_fold(cksum_add(0, buf, 65535)),
	    naive_cksum(buf, 65535));
	cr_assert_eq(cksum_fold(cksum_add(0, buf, 65536)),
	    naive_cksum(buf, 65536));
}

/* Chained over even-length chunks, the sum is that of the whole. */
Test(cksum, chained)
{
	uint8_t		 buf[1500];
	uint32_t	 sum;
	size_t		 len, off, n;

	srandom(8200);
	for (int i = 0; i < 500; i++) {
		len = (size_t)random() % sizeof(buf);
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)random();
		sum = 0;
		for (off = 0; off < len; off += n) {
			n = ((size_t)random() % 64) * 2;
			if (n > len - off || random() % 4 == 0)
				n = len - off;
			sum = cksum_add(sum, buf + off, n);
		}
		cr_assert_eq(cksum_fold(sum), naive_cksum(buf, len));
	}
}

Test(cksum, ip6_random_against_naive)
{
	static uint8_t	 l4[9000];
	struct in6_addr	 src, dst;
	size_t		 len;
	uint8_t		 proto;

	srandom(2460);
	for (int i = 0; i < 500; i++) {
		for (int j = 0; j < 16; j++) {
			src.s6_addr[j] = (uint8_t)random();
			dst.s6_addr[j] = (uint8_t)random();
		}
		len = (size_t)random() % sizeof(l4);
		for (size_t j = 0; j < len; j++)
			l4[j] = (uint8_t)random();
		proto = (uint8_t)random();
		cr_assert_eq(cksum_ip6(&src, &dst, proto, l4, len),
		    naive_cksum_ip6(&src, &dst, proto, l4, len));
	}
}

/* A checksum written into the packet makes the packet verify. */
Test(cksum, verify_roundtrip)
{
	uint8_t		 l4[333];
	struct in6_addr	 src, dst;
	uint16_t	 c;

	inet_pton(AF_INET6, "2001:db8::a", &src);
	inet_pton(AF_INET6, "2001:db8::b", &dst);
	srandom(58);
	for (size_t i = 0; i < sizeof(l4); i++)
		l4[i] = (uint8_t)random();
	l4[2] = l4[3] = 0;
	c = cksum_ip6(&src, &dst, IPPROTO_ICMPV6_, l4, sizeof(l4));
	l4[2] = (uint8_t)(c >> 8);
	l4[3] = (uint8_t)c;
	cr_assert_eq(cksum_ip6(&src, &dst, IPPROTO_ICMPV6_, l4, sizeof(l4)),
	    0);
	/* The pseudo-header counts: another destination fails. */
	dst.s6_addr[15] ^= 1;
	cr_assert_neq(cksum_ip6(&src, &dst, IPPROTO_ICMPV6_, l4, sizeof(l4)),
	    0);
}
