/*
 * The RIPng codec (common/ripng_proto.c, RFC 2080 §2.1): every header
 * error with its own code, bad route entries skipped and counted one by
 * one while the good ones around them come through, next-hop entries,
 * the whole-table request, the IPv6 rules of §2.4, and the builder,
 * checked against packets written here byte by byte and read back
 * through the parser, in chunks of ripng_rtes_per_packet().
 */
#include <arpa/inet.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ripng_proto.h"
#include "util.h"

#define RT_MAX_PKT	(RIPNG_HDR_LEN + 200 * RIPNG_RTE_LEN)

TestSuite(ripng_proto);

static struct in6_addr
rt_addr(const char *s)
{
	struct in6_addr	 a;

	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1, "bad address %s", s);
	return a;
}

/* The 4-byte header, written by hand. */
static size_t
rt_hdr(uint8_t *b, uint8_t cmd, uint8_t version, uint8_t r0, uint8_t r1)
{
	b[0] = cmd;
	b[1] = version;
	b[2] = r0;
	b[3] = r1;
	return RIPNG_HDR_LEN;
}

/* One 20-byte route entry at b + off, written by hand. */
static size_t
rt_rte(uint8_t *b, size_t off, const char *prefix, uint16_t tag,
    uint8_t plen, uint8_t metric)
{
	struct in6_addr	 a = rt_addr(prefix);

	memcpy(b + off, &a, 16);
	b[off + 16] = (uint8_t)(tag >> 8);
	b[off + 17] = (uint8_t)tag;
	b[off + 18] = plen;
	b[off + 19] = metric;
	return off + RIPNG_RTE_LEN;
}

static void
rt_expect(const struct ripng_rte *r, const char *prefix, uint16_t tag,
    uint8_t plen, uint8_t metric)
{
	struct in6_addr	 a = rt_addr(prefix);
	char		 got[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &r->prefix, got, sizeof(got));
	cr_expect(memcmp(&r->prefix, &a, 16) == 0, "prefix %s, want %s", got,
	    prefix);
	cr_expect_eq(r->tag, tag, "%s tag", prefix);
	cr_expect_eq(r->plen, plen, "%s plen", prefix);
	cr_expect_eq(r->metric, metric, "%s metric", prefix);
}

static void
rt_expect_bad(const uint64_t *bad, const uint64_t *want)
{
	for (int i = 0; i < RIPNG_E_MAX; i++)
		cr_expect_eq(bad[i], want[i], "count of %s: %llu, want %llu",
		    ripng_err_name((enum ripng_err)i),
		    (unsigned long long)bad[i], (unsigned long long)want[i]);
}

/* ---------------------------------------------------------------------- */
/* the header */

Test(ripng_proto, hdr_good)
{
	uint8_t	 b[RIPNG_HDR_LEN + 2 * RIPNG_RTE_LEN] = { 0 };
	uint8_t	 cmd = 0;

	rt_hdr(b, RIPNG_CMD_REQUEST, 1, 0, 0);
	cr_expect_eq(ripng_parse_hdr(b, RIPNG_HDR_LEN, &cmd), RIPNG_OK);
	cr_expect_eq(cmd, RIPNG_CMD_REQUEST);
	rt_hdr(b, RIPNG_CMD_RESPONSE, 1, 0, 0);
	cr_expect_eq(ripng_parse_hdr(b, sizeof(b), &cmd), RIPNG_OK);
	cr_expect_eq(cmd, RIPNG_CMD_RESPONSE);
	cr_expect_eq(ripng_parse_hdr(b, RIPNG_HDR_LEN + RIPNG_RTE_LEN, &cmd),
	    RIPNG_OK);
}

Test(ripng_proto, hdr_short)
{
	uint8_t	 b[RIPNG_HDR_LEN];
	uint8_t	 cmd = 0x77;

	rt_hdr(b, RIPNG_CMD_RESPONSE, 1, 0, 0);
	for (size_t len = 0; len < RIPNG_HDR_LEN; len++)
		cr_expect_eq(ripng_parse_hdr(b, len, &cmd), RIPNG_E_short,
		    "length %zu", len);
	cr_expect_eq(cmd, 0x77, "cmd written for a bad header");
}

Test(ripng_proto, hdr_length)
{
	uint8_t	 b[RIPNG_HDR_LEN + 3 * RIPNG_RTE_LEN] = { 0 };
	uint8_t	 cmd;

	rt_hdr(b, RIPNG_CMD_RESPONSE, 1, 0, 0);
	for (size_t len = RIPNG_HDR_LEN; len <= sizeof(b); len++) {
		enum ripng_err want = (len - RIPNG_HDR_LEN) %
		    RIPNG_RTE_LEN == 0 ? RIPNG_OK : RIPNG_E_length;

		cr_expect_eq(ripng_parse_hdr(b, len, &cmd), want,
		    "length %zu", len);
	}
}

Test(ripng_proto, hdr_command)
{
	uint8_t	 b[RIPNG_HDR_LEN];
	uint8_t	 cmd;
	static const uint8_t bad[] = { 0, 3, 4, 5, 0x81, 0xff };

	for (size_t i = 0; i < sizeof(bad); i++) {
		rt_hdr(b, bad[i], 1, 0, 0);
		cr_expect_eq(ripng_parse_hdr(b, sizeof(b), &cmd),
		    RIPNG_E_command, "command %u", bad[i]);
	}
}

Test(ripng_proto, hdr_version)
{
	uint8_t	 b[RIPNG_HDR_LEN];
	uint8_t	 cmd;
	static const uint8_t bad[] = { 0, 2, 3, 0xff };

	for (size_t i = 0; i < sizeof(bad); i++) {
		rt_hdr(b, RIPNG_CMD_RESPONSE, bad[i], 0, 0);
		cr_expect_eq(ripng_parse_hdr(b, sizeof(b), &cmd),
		    RIPNG_E_version, "version %u", bad[i]);
	}
}

Test(ripng_proto, hdr_reserved)
{
	uint8_t	 b[RIPNG_HDR_LEN];
	uint8_t	 cmd;

	rt_hdr(b, RIPNG_CMD_RESPONSE, 1, 1, 0);
	cr_expect_eq(ripng_parse_hdr(b, sizeof(b), &cmd), RIPNG_E_reserved);
	rt_hdr(b, RIPNG_CMD_REQUEST, 1, 0, 0x80);
	cr_expect_eq(ripng_parse_hdr(b, sizeof(b), &cmd), RIPNG_E_reserved);
}

/* Each error has its name, help and a place in the enum. */
Test(ripng_proto, err_names)
{
	cr_expect_str_eq(ripng_err_name(RIPNG_OK), "ok");
	cr_expect_str_eq(ripng_err_name(RIPNG_E_short), "short");
	cr_expect_str_eq(ripng_err_name(RIPNG_E_hop_limit), "hop_limit");
	cr_expect_str_eq(ripng_err_name(RIPNG_E_bad_nexthop), "bad_nexthop");
	cr_expect_str_eq(ripng_err_name(RIPNG_E_MAX), "unknown");
	cr_expect_str_eq(ripng_err_help(RIPNG_E_MAX), "");
	for (int i = RIPNG_OK + 1; i < RIPNG_E_MAX; i++)
		cr_expect(strlen(ripng_err_help((enum ripng_err)i)) > 10,
		    "help of %s", ripng_err_name((enum ripng_err)i));
}

/* ---------------------------------------------------------------------- */
/* route entries */

/*
 * Good entries around every kind of bad one: the good come back in
 * order, each bad one is counted under its reason.
 */
Test(ripng_proto, next_skips_and_counts)
{
	uint8_t			 b[RT_MAX_PKT];
	size_t			 len;
	struct ripng_iter	 it;
	struct ripng_rte	 r;
	uint64_t		 bad[RIPNG_E_MAX] = { 0 };
	uint64_t		 want[RIPNG_E_MAX] = { 0 };
	uint8_t			 cmd;

	len = rt_hdr(b, RIPNG_CMD_RESPONSE, 1, 0, 0);
	len = rt_rte(b, len, "2001:db8:1::", 7, 48, 1);
	len = rt_rte(b, len, "2001:db8:2::", 0, 129, 1);	/* plen */
	len = rt_rte(b, len, "2001:db8:3::", 0, 48, 0);	/* metric 0 */
	len = rt_rte(b, len, "2001:db8:4::", 0, 48, 17);	/* metric 17 */
	len = rt_rte(b, len, "2001:db8:5::", 0xffff, 64, 16);
	len = rt_rte(b, len, "ff0e::", 0, 16, 1);		/* multicast */
	len = rt_rte(b, len, "fe80::", 0, 64, 1);		/* link-local */
	len = rt_rte(b, len, "2001:db8:6::1", 0, 64, 1);	/* host bits */
	len = rt_rte(b, len, "2001:db8:7::", 0, 47, 1);	/* bit 48 set */
	len = rt_rte(b, len, "::", 0, 0, 15);		/* default */
	len = rt_rte(b, len, "2001:db8:8::1", 0, 128, 2);	/* host */
	len = rt_rte(b, len, "2001:db8:9::", 0, 255, 1);	/* plen */
	want[RIPNG_E_bad_plen] = 2;
	want[RIPNG_E_bad_metric] = 2;
	want[RIPNG_E_bad_prefix] = 4;

	cr_assert_eq(ripng_parse_hdr(b, len, &cmd), RIPNG_OK);
	ripng_iter_init(&it, b, len);
	cr_assert(ripng_next(&it, &r, bad));
	rt_expect(&r, "2001:db8:1::", 7, 48, 1);
	cr_assert(ripng_next(&it, &r, bad));
	rt_expect(&r, "2001:db8:5::", 0xffff, 64, 16);
	cr_assert(ripng_next(&it, &r, bad));
	rt_expect(&r, "::", 0, 0, 15);
	cr_assert(ripng_next(&it, &r, bad));
	rt_expect(&r, "2001:db8:8::1", 0, 128, 2);
	cr_expect_not(ripng_next(&it, &r, bad));
	cr_expect_not(ripng_next(&it, &r, bad), "again at the end");
	rt_expect_bad(bad, want);
}

/* Only bad entries: nothing, all counted; a NULL counter array is fine. */
Test(ripng_proto, next_all_bad)
{
	uint8_t			 b[RT_MAX_PKT];
	size_t			 len;
	struct ripng_iter	 it;
	struct ripng_rte	 r;
	uint64_t		 bad[RIPNG_E_MAX] = { 0 };
	uint64_t		 want[RIPNG_E_MAX] = { 0 };

	len = rt_hdr(b, RIPNG_CMD_RESPONSE, 1, 0, 0);
	len = rt_rte(b, len, "2001:db8:1::", 0, 200, 1);
	len = rt_rte(b, len, "2001:db8:1::", 0, 48, 0);
	len = rt_rte(b, len, "ff02::9", 0, 128, 1);
	want[RIPNG_E_bad_plen] = want[RIPNG_E_bad_metric] = 1;
	want[RIPNG_E_bad_prefix] = 1;
	ripng_iter_init(&it, b, len);
	cr_expect_not(ripng_next(&it, &r, bad));
	rt_expect_bad(bad, want);
	ripng_iter_init(&it, b, len);
	cr_expect_not(ripng_next(&it, &r, NULL));

	/* No entries at all. */
	ripng_iter_init(&it, b, RIPNG_HDR_LEN);
	cr_expect_not(ripng_next(&it, &r, bad));
	rt_expect_bad(bad, want);
}

/*
 * Next-hop entries (§2.1.1): a link-local one applies to the entries
 * after it, :: goes back to the sender, and a global one is counted and
 * also means the sender.  None is returned as a route.
 */
Test(ripng_proto, next_hop_entries)
{
	uint8_t			 b[RT_MAX_PKT];
	size_t			 len;
	struct ripng_iter	 it;
	struct ripng_rte	 r;
	uint64_t		 bad[RIPNG_E_MAX] = { 0 };
	uint64_t		 want[RIPNG_E_MAX] = { 0 };
	/* Each route and the next hop in force for it (:: = the sender). */
	static const struct {
		const char	*prefix;
		uint8_t		 metric;
		const char	*nexthop;
	} exp[] = {
		{ "2001:db8:a::", 1, "::" },
		{ "2001:db8:b::", 2, "fe80::1:2" },
		{ "2001:db8:c::", 3, "fe80::1:2" },
		{ "2001:db8:d::", 4, "::" },
		{ "2001:db8:e::", 5, "fe80::99" },
		{ "2001:db8:f::", 6, "::" },
	};

	len = rt_hdr(b, RIPNG_CMD_RESPONSE, 1, 0, 0);
	len = rt_rte(b, len, "2001:db8:a::", 0, 48, 1);
	len = rt_rte(b, len, "fe80::1:2", 0, 0, 0xff);
	len = rt_rte(b, len, "2001:db8:b::", 0, 48, 2);
	len = rt_rte(b, len, "2001:db8:c::", 0, 48, 3);
	len = rt_rte(b, len, "::", 0, 0, 0xff);
	len = rt_rte(b, len, "2001:db8:d::", 0, 48, 4);
	len = rt_rte(b, len, "fe80::99", 0, 0, 0xff);
	len = rt_rte(b, len, "2001:db8:e::", 0, 48, 5);
	len = rt_rte(b, len, "2001:db8::1", 0, 0, 0xff);	/* global */
	len = rt_rte(b, len, "2001:db8:f::", 0, 48, 6);
	want[RIPNG_E_bad_nexthop] = 1;

	ripng_iter_init(&it, b, len);
	for (size_t i = 0; i < NITEMS(exp); i++) {
		struct in6_addr nh = rt_addr(exp[i].nexthop);

		cr_assert(ripng_next(&it, &r, bad), "entry %s", exp[i].prefix);
		rt_expect(&r, exp[i].prefix, 0, 48, exp[i].metric);
		cr_expect(memcmp(&it.nexthop, &nh, 16) == 0,
		    "%s: next hop, want %s", exp[i].prefix, exp[i].nexthop);
	}
	cr_expect_not(ripng_next(&it, &r, bad));
	rt_expect_bad(bad, want);
}

/* A next-hop entry as the last one, and one that follows a bad entry. */
Test(ripng_proto, next_hop_trailing)
{
	uint8_t			 b[RT_MAX_PKT];
	size_t			 len;
	struct ripng_iter	 it;
	struct ripng_rte	 r;
	uint64_t		 bad[RIPNG_E_MAX] = { 0 };
	struct in6_addr		 ll = rt_addr("fe80::7");

	len = rt_hdr(b, RIPNG_CMD_RESPONSE, 1, 0, 0);
	len = rt_rte(b, len, "2001:db8:a::", 0, 130, 1);
	len = rt_rte(b, len, "fe80::7", 0, 0, 0xff);
	len = rt_rte(b, len, "2001:db8:b::", 0, 48, 1);
	len = rt_rte(b, len, "fe80::8", 0, 0, 0xff);
	ripng_iter_init(&it, b, len);
	cr_assert(ripng_next(&it, &r, bad));
	rt_expect(&r, "2001:db8:b::", 0, 48, 1);
	cr_expect(memcmp(&it.nexthop, &ll, 16) == 0);
	cr_expect_not(ripng_next(&it, &r, bad));
	cr_expect_eq(bad[RIPNG_E_bad_plen], 1);
	cr_expect_eq(bad[RIPNG_E_bad_nexthop], 0);
}

/* ---------------------------------------------------------------------- */
/* whole-table requests and the IPv6 rules */

Test(ripng_proto, whole_request)
{
	uint8_t	 b[RIPNG_HDR_LEN + 2 * RIPNG_RTE_LEN];
	size_t	 len;

	len = rt_hdr(b, RIPNG_CMD_REQUEST, 1, 0, 0);
	len = rt_rte(b, len, "::", 0, 0, 16);
	cr_expect(ripng_is_whole_request(b, len));

	rt_rte(b, RIPNG_HDR_LEN, "::", 0, 0, 15);
	cr_expect_not(ripng_is_whole_request(b, len), "metric 15");
	rt_rte(b, RIPNG_HDR_LEN, "::", 0, 1, 16);
	cr_expect_not(ripng_is_whole_request(b, len), "plen 1");
	rt_rte(b, RIPNG_HDR_LEN, "::1", 0, 0, 16);
	cr_expect_not(ripng_is_whole_request(b, len), "prefix ::1");
	rt_rte(b, RIPNG_HDR_LEN, "8000::", 0, 0, 16);
	cr_expect_not(ripng_is_whole_request(b, len), "prefix 8000::");

	rt_rte(b, RIPNG_HDR_LEN, "::", 0, 0, 16);
	b[0] = RIPNG_CMD_RESPONSE;
	cr_expect_not(ripng_is_whole_request(b, len), "a response");
	b[0] = RIPNG_CMD_REQUEST;
	rt_rte(b, len, "::", 0, 0, 16);
	cr_expect_not(ripng_is_whole_request(b, len + RIPNG_RTE_LEN),
	    "two entries");
	cr_expect_not(ripng_is_whole_request(b, RIPNG_HDR_LEN),
	    "no entry");
	cr_expect_not(ripng_is_whole_request(b, len - 1), "short");
}

Test(ripng_proto, check_ip6)
{
	struct in6_addr	 ll = rt_addr("fe80::5054:ff:fe00:1177");
	struct in6_addr	 gl = rt_addr("2001:db8:11::77");
	struct in6_addr	 un = IN6ADDR_ANY_INIT;
	struct in6_addr	 mc = rt_addr("ff02::9");

	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_RESPONSE, &ll, 521, 255),
	    RIPNG_OK);
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_RESPONSE, &gl, 521, 255),
	    RIPNG_E_source, "global source");
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_RESPONSE, &un, 521, 255),
	    RIPNG_E_source, "unspecified source");
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_RESPONSE, &mc, 521, 255),
	    RIPNG_E_source, "multicast source");
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_RESPONSE, &ll, 520, 255),
	    RIPNG_E_source, "port 520");
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_RESPONSE, &ll, 5000, 255),
	    RIPNG_E_source, "port 5000");
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_RESPONSE, &ll, 521, 64),
	    RIPNG_E_hop_limit, "hop limit 64");
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_RESPONSE, &ll, 521, 254),
	    RIPNG_E_hop_limit, "hop limit 254");

	/* Requests: any source, any port, any hop limit (queries). */
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_REQUEST, &ll, 521, 255),
	    RIPNG_OK);
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_REQUEST, &ll, 5000, 64),
	    RIPNG_OK);
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_REQUEST, &gl, 5000, 1),
	    RIPNG_OK);
	cr_expect_eq(ripng_check_ip6(RIPNG_CMD_REQUEST, &gl, 520, 64),
	    RIPNG_OK);
}

/* ---------------------------------------------------------------------- */
/* building */

/* The builder's bytes against a packet written by hand. */
Test(ripng_proto, build_layout)
{
	static const uint8_t want[] = {
		0x02, 0x01, 0x00, 0x00,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x99, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0x12, 0x34, 48, 1,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0xac, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0x01, 0x00, 0x00, 128, 16,
	};
	struct ripng_rte rtes[2] = {
		{ rt_addr("2001:db8:99::"), 0x1234, 48, 1 },
		{ rt_addr("2001:db8:ac::1"), 0, 128, 16 },
	};
	uint8_t		 b[sizeof(want) + 8];
	size_t		 used = 99, len;

	memset(b, 0xee, sizeof(b));
	len = ripng_build(b, sizeof(b), RIPNG_CMD_RESPONSE, rtes, 2, &used);
	cr_assert_eq(len, sizeof(want));
	cr_expect_eq(used, 2);
	cr_expect(memcmp(b, want, sizeof(want)) == 0);
	for (size_t i = sizeof(want); i < sizeof(b); i++)
		cr_expect_eq(b[i], 0xee, "byte %zu written past the end", i);

	/* The whole-table request as BIRD or ripngd send it. */
	{
		static const uint8_t req[] = {
			0x01, 0x01, 0x00, 0x00,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0x00, 0x00, 0, 16,
		};
		struct ripng_rte whole = { .plen = 0, .metric = 16 };

		len = ripng_build(b, sizeof(b), RIPNG_CMD_REQUEST, &whole, 1,
		    &used);
		cr_assert_eq(len, sizeof(req));
		cr_expect(memcmp(b, req, sizeof(req)) == 0);
		cr_expect(ripng_is_whole_request(b, len));
		cr_expect(ripng_is_whole_request(req, sizeof(req)));
	}
}

/* Deterministic pseudo-random good entries. */
static void
rt_random_rtes(struct ripng_rte *r, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		seed = seed * 1103515245u + 12345u;
		r[i].prefix.s6_addr[0] = 0x20;
		r[i].prefix.s6_addr[1] = 0x01;
		r[i].prefix.s6_addr[2] = (uint8_t)(seed >> 24);
		r[i].prefix.s6_addr[3] = (uint8_t)(seed >> 16);
		r[i].prefix.s6_addr[4] = (uint8_t)i;
		r[i].prefix.s6_addr[5] = (uint8_t)(i >> 8);
		r[i].plen = 48;
		r[i].tag = (uint16_t)seed;
		r[i].metric = (uint8_t)(1 + (seed >> 8) % 16);
	}
}

/* Built, parsed back: the same entries in the same order. */
Test(ripng_proto, build_round_trip)
{
	struct ripng_rte	 in[40], out;
	uint8_t			 b[RT_MAX_PKT];
	size_t			 used, len, k = 0;
	struct ripng_iter	 it;
	uint64_t		 bad[RIPNG_E_MAX] = { 0 };
	uint64_t		 none[RIPNG_E_MAX] = { 0 };
	uint8_t			 cmd = 0;

	rt_random_rtes(in, 40, 7);
	len = ripng_build(b, sizeof(b), RIPNG_CMD_RESPONSE, in, 40, &used);
	cr_assert_eq(used, 40);
	cr_assert_eq(len, RIPNG_HDR_LEN + 40 * RIPNG_RTE_LEN);
	cr_assert_eq(ripng_parse_hdr(b, len, &cmd), RIPNG_OK);
	cr_expect_eq(cmd, RIPNG_CMD_RESPONSE);
	ripng_iter_init(&it, b, len);
	while (ripng_next(&it, &out, bad)) {
		cr_assert_lt(k, 40);
		cr_expect(memcmp(&out, &in[k], sizeof(out)) == 0,
		    "entry %zu differs", k);
		k++;
	}
	cr_expect_eq(k, 40);
	rt_expect_bad(bad, none);
}

/* A table larger than a packet goes out in chunks of what fits. */
Test(ripng_proto, build_chunks)
{
	struct ripng_rte	 in[150], out;
	uint8_t			 b[RT_MAX_PKT];
	size_t			 per, used, len, done = 0, k = 0, pkts = 0;
	struct ripng_iter	 it;
	uint8_t			 cmd;

	cr_expect_eq(ripng_rtes_per_packet(1500), 72);
	cr_expect_eq(ripng_rtes_per_packet(1280), 61);
	cr_expect_eq(ripng_rtes_per_packet(65535), 3274);
	/* 40 + 8 + 4 + 20 = 72 bytes: one entry, no less. */
	cr_expect_eq(ripng_rtes_per_packet(72), 1);
	cr_expect_eq(ripng_rtes_per_packet(71), 0);
	cr_expect_eq(ripng_rtes_per_packet(0), 0);

	rt_random_rtes(in, 150, 99);
	per = ripng_rtes_per_packet(1500);
	while (done < 150) {
		len = ripng_build(b, RIPNG_HDR_LEN + per * RIPNG_RTE_LEN,
		    RIPNG_CMD_RESPONSE, in + done, 150 - done, &used);
		cr_assert_eq(used, pkts < 2 ? 72 : 6, "packet %zu", pkts);
		cr_assert_eq(len, RIPNG_HDR_LEN + used * RIPNG_RTE_LEN);
		cr_assert_leq(len + 48, 1500);
		cr_assert_eq(ripng_parse_hdr(b, len, &cmd), RIPNG_OK);
		ripng_iter_init(&it, b, len);
		while (ripng_next(&it, &out, NULL)) {
			cr_expect(memcmp(&out, &in[k], sizeof(out)) == 0,
			    "entry %zu differs", k);
			k++;
		}
		done += used;
		pkts++;
	}
	cr_expect_eq(pkts, 3);
	cr_expect_eq(k, 150);
}

/* Caps too small for the header or for one more entry. */
Test(ripng_proto, build_small_cap)
{
	struct ripng_rte	 in[3];
	uint8_t			 b[RIPNG_HDR_LEN + 3 * RIPNG_RTE_LEN];
	size_t			 used, len;

	rt_random_rtes(in, 3, 1);
	for (size_t cap = 0; cap < RIPNG_HDR_LEN; cap++) {
		used = 99;
		memset(b, 0xee, sizeof(b));
		cr_expect_eq(ripng_build(b, cap, RIPNG_CMD_RESPONSE, in, 3,
		    &used), 0, "cap %zu", cap);
		cr_expect_eq(used, 0, "cap %zu", cap);
		cr_expect_eq(b[0], 0xee, "cap %zu: written", cap);
	}
	for (size_t cap = RIPNG_HDR_LEN; cap <= sizeof(b); cap++) {
		size_t fit = (cap - RIPNG_HDR_LEN) / RIPNG_RTE_LEN;

		memset(b, 0xee, sizeof(b));
		len = ripng_build(b, cap, RIPNG_CMD_RESPONSE, in, 3, &used);
		cr_expect_eq(used, fit, "cap %zu", cap);
		cr_expect_eq(len, RIPNG_HDR_LEN + fit * RIPNG_RTE_LEN,
		    "cap %zu", cap);
		for (size_t i = len; i < sizeof(b); i++)
			cr_expect_eq(b[i], 0xee, "cap %zu: byte %zu written",
			    cap, i);
	}
	/* Nothing to send: the header alone. */
	len = ripng_build(b, sizeof(b), RIPNG_CMD_REQUEST, in, 0, &used);
	cr_expect_eq(len, RIPNG_HDR_LEN);
	cr_expect_eq(used, 0);
}
