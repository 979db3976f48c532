/*
 * anycast-client learns (A, U, ports) from the first reply of a
 * connection: a TCP segment from A with a routing header of type 253 or
 * 0 (Segments Left 0) or an SRH naming U; everything else teaches
 * nothing.  And the BPF filter it compiles.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../hosts/client/client.h"

#define CLT_A	"2001:db8:ac::1"
#define CLT_U	"2001:db8:21::10"
#define CLT_C	"2001:db8:1::10"

static void
clt_addr(uint8_t *p, const char *s)
{
	cr_assert_eq(inet_pton(AF_INET6, s, p), 1);
}

/*
 * Ethernet, IPv6 src -> dst, a routing header of type with segleft and
 * the addresses given (SRH: Segment List[0..n-1]), TCP sport -> dport
 * with flags.  Returns the frame length.
 */
static size_t
clt_frame(uint8_t *f, const char *src, const char *dst, int type,
    uint8_t segleft, const char *const *addrs, size_t naddrs, uint8_t proto,
    uint16_t sport, uint16_t dport, uint8_t flags)
{
	size_t	 rh = type < 0 ? 0 : 8 + 16 * naddrs, l4 = 20, i;
	uint8_t	*ip = f + 14, *r = ip + 40, *t = r + rh;

	memset(f, 0, 14 + 40 + rh + l4);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = (uint8_t)((rh + l4) >> 8);
	ip[5] = (uint8_t)(rh + l4);
	ip[6] = type < 0 ? proto : 43;
	ip[7] = 64;
	clt_addr(ip + 8, src);
	clt_addr(ip + 24, dst);
	if (type >= 0) {
		r[0] = proto;
		r[1] = (uint8_t)(2 * naddrs);
		r[2] = (uint8_t)type;
		r[3] = segleft;
		if (type == 4)
			r[4] = (uint8_t)(naddrs - 1);
		for (i = 0; i < naddrs; i++)
			clt_addr(r + 8 + 16 * i, addrs[i]);
	}
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	t[12] = 5 << 4;
	t[13] = flags;
	return 14 + 40 + rh + l4;
}

static void
clt_expect(const struct cl_conn *c, const char *any, const char *member,
    uint16_t lport, uint16_t rport)
{
	struct in6_addr	 a, u;

	clt_addr(a.s6_addr, any);
	clt_addr(u.s6_addr, member);
	cr_expect(IN6_ARE_ADDR_EQUAL(&c->any, &a), "A");
	cr_expect(IN6_ARE_ADDR_EQUAL(&c->member, &u), "U");
	cr_expect_eq(c->lport, lport);
	cr_expect_eq(c->rport, rport);
}

Test(client_learn, syn_ack_with_each_header_type)
{
	static const char *const one[] = { CLT_U };
	static const char *const srh[] = { CLT_A, CLT_U };
	uint8_t		 f[256];
	struct cl_conn	 c;
	size_t		 len;

	len = clt_frame(f, CLT_A, CLT_C, 253, 0, one, 1, IPPROTO_TCP, 80,
	    41000, 0x12);
	cr_assert_eq(cl_learn(f, len, NULL, 0, &c), 0, "type 253");
	clt_expect(&c, CLT_A, CLT_U, 41000, 80);

	len = clt_frame(f, CLT_A, CLT_C, 0, 0, one, 1, IPPROTO_TCP, 443,
	    50000, 0x12);
	cr_assert_eq(cl_learn(f, len, NULL, 0, &c), 0, "type 0");
	clt_expect(&c, CLT_A, CLT_U, 50000, 443);

	len = clt_frame(f, CLT_A, CLT_C, 4, 0, srh, 2, IPPROTO_TCP, 80,
	    41001, 0x12);
	cr_assert_eq(cl_learn(f, len, NULL, 0, &c), 0, "SRH");
	clt_expect(&c, CLT_A, CLT_U, 41001, 80);
}

Test(client_learn, nothing_to_learn)
{
	static const char *const one[] = { CLT_U };
	static const char *const self[] = { CLT_A };
	static const char *const ll[] = { "fe80::1" };
	uint8_t		 f[256];
	struct cl_conn	 c;
	size_t		 len;

	len = clt_frame(f, CLT_A, CLT_C, -1, 0, NULL, 0, IPPROTO_TCP, 80,
	    41000, 0x12);
	cr_expect_eq(cl_learn(f, len, NULL, 0, &c), -1, "no routing header");
	len = clt_frame(f, CLT_A, CLT_C, 253, 1, one, 1, IPPROTO_TCP, 80,
	    41000, 0x12);
	cr_expect_eq(cl_learn(f, len, NULL, 0, &c), -1, "type 253, SL 1");
	len = clt_frame(f, CLT_A, CLT_C, 253, 0, one, 1, IPPROTO_UDP, 53,
	    41000, 0);
	cr_expect_eq(cl_learn(f, len, NULL, 0, &c), -1, "UDP");
	len = clt_frame(f, CLT_A, CLT_C, 253, 0, self, 1, IPPROTO_TCP, 80,
	    41000, 0x12);
	cr_expect_eq(cl_learn(f, len, NULL, 0, &c), -1, "U == A");
	len = clt_frame(f, CLT_A, CLT_C, 253, 0, ll, 1, IPPROTO_TCP, 80,
	    41000, 0x12);
	cr_expect_eq(cl_learn(f, len, NULL, 0, &c), -1, "U link-local");
	len = clt_frame(f, CLT_A, CLT_C, 253, 0, one, 1, IPPROTO_TCP, 80,
	    41000, 0x12);
	for (size_t cut = 0; cut < len; cut++)
		cr_expect_eq(cl_learn(f, cut, NULL, 0, &c), -1,
		    "truncated to %zu bytes", cut);
}

Test(client_learn, prefixes)
{
	static const char *const one[] = { CLT_U };
	struct cl_prefix p[2];
	uint8_t		 f[256];
	struct cl_conn	 c;
	size_t		 len;

	len = clt_frame(f, CLT_A, CLT_C, 253, 0, one, 1, IPPROTO_TCP, 80,
	    41000, 0x12);
	clt_addr(p[0].addr.s6_addr, "2001:db8:ff::");
	p[0].plen = 64;
	cr_expect_eq(cl_learn(f, len, p, 1, &c), -1, "outside -A");
	clt_addr(p[1].addr.s6_addr, "2001:db8:ac::");
	p[1].plen = 48;
	cr_expect_eq(cl_learn(f, len, p, 2, &c), 0, "inside the second -A");
}

Test(client_learn, bpf_filter)
{
	struct cl_prefix p[2];
	char		 buf[256];

	cr_assert_eq(cl_bpf_filter(buf, sizeof(buf), NULL, 0), 0);
	cr_expect_str_eq(buf, "ip6 and ip6[6] == 43");
	clt_addr(p[0].addr.s6_addr, "2001:db8:ac::");
	p[0].plen = 64;
	clt_addr(p[1].addr.s6_addr, "2001:db8:ad::1");
	p[1].plen = 128;
	cr_assert_eq(cl_bpf_filter(buf, sizeof(buf), p, 2), 0);
	cr_expect_str_eq(buf, "ip6 and ip6[6] == 43 and (src net "
	    "2001:db8:ac::/64 or src net 2001:db8:ad::1/128)");
	cr_expect_eq(cl_bpf_filter(buf, 30, p, 2), -1, "too small");
}
