/*
 * IPv6 and MAC addresses: parsing, formatting, prefix arithmetic, the
 * multicast and link-local addresses derived from them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* ff02::1, all nodes on the link */
const struct in6_addr in6_allnodes = {{{ 0xff, 0x02, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0x01 }}};

int
parse_prefix(const char *s, struct in6_addr *addr, uint8_t *plen)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long	 n;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*plen = 128;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -1;
		n = strtoul(slash, &end, 10);
		if (*end != '\0' || n > 128)
			return -1;
		*plen = (uint8_t)n;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -1;
	return 0;
}

int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int	 b[6];
	char		 tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
	    &b[4], &b[5], &tail) != 6 || strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

const char *
fmt_addr(const struct in6_addr *a)
{
	static char	bufs[4][INET6_ADDRSTRLEN];
	static int	idx;

	idx = (idx + 1) % 4;
	inet_ntop(AF_INET6, a, bufs[idx], sizeof(bufs[idx]));
	return bufs[idx];
}

const char *
fmt_mac(const uint8_t m[6])
{
	static char	bufs[4][18];
	static int	idx;

	idx = (idx + 1) % 4;
	snprintf(bufs[idx], sizeof(bufs[idx]), "%02x:%02x:%02x:%02x:%02x:%02x",
	    m[0], m[1], m[2], m[3], m[4], m[5]);
	return bufs[idx];
}

void
prefix_mask(struct in6_addr *a, uint8_t plen)
{
	for (int i = 0; i < 16; i++) {
		int bits = (int)plen - i * 8;

		if (bits >= 8)
			continue;
		if (bits <= 0)
			a->s6_addr[i] = 0;
		else
			a->s6_addr[i] &= (uint8_t)(0xff << (8 - bits));
	}
}

bool
prefix_match(const struct in6_addr *a, const struct in6_addr *pfx,
    uint8_t plen)
{
	int	full = plen / 8, rest = plen % 8;

	if (memcmp(a->s6_addr, pfx->s6_addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a->s6_addr[full] ^ pfx->s6_addr[full]) &
	    (uint8_t)(0xff << (8 - rest))) == 0;
}

void
solicited_node(struct in6_addr *out, const struct in6_addr *a)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xff;
	out->s6_addr[1] = 0x02;
	out->s6_addr[11] = 0x01;
	out->s6_addr[12] = 0xff;
	memcpy(&out->s6_addr[13], &a->s6_addr[13], 3);
}

void
mcast_mac(uint8_t mac[6], const struct in6_addr *a)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(&mac[2], &a->s6_addr[12], 4);
}

void
eui64_linklocal(struct in6_addr *out, const uint8_t mac[6])
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xfe;
	out->s6_addr[1] = 0x80;
	out->s6_addr[8] = mac[0] ^ 0x02;
	out->s6_addr[9] = mac[1];
	out->s6_addr[10] = mac[2];
	out->s6_addr[11] = 0xff;
	out->s6_addr[12] = 0xfe;
	out->s6_addr[13] = mac[3];
	out->s6_addr[14] = mac[4];
	out->s6_addr[15] = mac[5];
}
