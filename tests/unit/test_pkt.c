/*
 * pkt_parse(), icmp6_finish() and nd_parse_opts() on frames built byte
 * by byte.  Frames are handed to the parser in buffers of exactly their
 * length, so an out-of-bounds read shows under ASan.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cksum.h"
#include "pkt.h"

/* A frame under construction: Ethernet, IPv6, then whatever is added. */
struct fb {
	uint8_t		 buf[4096];
	size_t		 len;
	size_t		 nh_pos;	/* byte to hold the next header */
};

static const uint8_t	 mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t	 mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static void
addr(struct in6_addr *a, const char *s)
{
	cr_assert_eq(inet_pton(AF_INET6, s, a), 1);
}

static void
fb_init(struct fb *f)
{
	struct in6_addr	 src, dst;

	memset(f, 0, sizeof(*f));
	memcpy(f->buf, mac_b, 6);
	memcpy(f->buf + 6, mac_a, 6);
	f->buf[12] = 0x86;
	f->buf[13] = 0xdd;
	f->buf[14] = 0x60;		/* version 6 */
	f->buf[15] = 0x01;		/* some flow label, ignored */
	f->buf[21] = 64;		/* hop limit */
	addr(&src, "2001:db8::1");
	addr(&dst, "2001:db8:1::2");
	memcpy(f->buf + 22, &src, 16);
	memcpy(f->buf + 38, &dst, 16);
	f->nh_pos = 14 + 6;
	f->len = 54;
}

/*
 * Append an extension header of type t and size bytes (a multiple of 8,
 * or of 4 for AH), length byte filled for its type.  Returns its offset.
 */
static size_t
fb_ext(struct fb *f, uint8_t t, size_t size)
{
	size_t	 off = f->len;

	f->buf[f->nh_pos] = t;
	memset(f->buf + off, 0, size);
	if (t == IPPROTO_AH_)
		f->buf[off + 1] = (uint8_t)(size / 4 - 2);
	else if (t != IPPROTO_FRAGMENT_)
		f->buf[off + 1] = (uint8_t)(size / 8 - 1);
	f->nh_pos = off;
	f->len += size;
	return off;
}

static size_t
fb_l4(struct fb *f, uint8_t proto, const uint8_t *b, size_t n)
{
	size_t	 off = f->len;

	f->buf[f->nh_pos] = proto;
	memcpy(f->buf + off, b, n);
	f->len += n;
	return off;
}

/* Set the payload length from the frame length. */
static void
fb_done(struct fb *f)
{
	size_t	 plen = f->len - 54;

	f->buf[18] = (uint8_t)(plen >> 8);
	f->buf[19] = (uint8_t)plen;
}

/* Parse the first len bytes of buf from an exactly sized copy. */
static enum drop_reason
parse_exact(const uint8_t *buf, size_t len, struct pkt *p)
{
	uint8_t			*copy = malloc(len ? len : 1);
	enum drop_reason	 r;

	cr_assert_not_null(copy);
	memcpy(copy, buf, len);
	r = pkt_parse(copy, len, p);
	free(copy);
	return r;
}

static const uint8_t tcp_syn[20] = {
	0x30, 0x39, 0x00, 0x50,		/* 12345 -> 80 */
	0, 0, 0, 1, 0, 0, 0, 0,
	0x50, 0x02, 0xff, 0xff,		/* doff 5, SYN */
	0, 0, 0, 0,
};
static const uint8_t udp_dns[12] = {
	0xc0, 0x00, 0x00, 0x35, 0x00, 0x0c, 0, 0, 'a', 'b', 'c', 'd',
};
static const uint8_t icmp_echo[8] = {
	ICMP6_ECHO_REQUEST_, 0, 0, 0, 0x12, 0x34, 0, 1,
};

Test(pkt_parse, tcp)
{
	struct fb	 f;
	struct pkt	 p;
	struct in6_addr	 src;

	fb_init(&f);
	fb_l4(&f, IPPROTO_TCP_, tcp_syn, sizeof(tcp_syn));
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_arr_eq(p.eth_dst, mac_b, 6);
	cr_assert_arr_eq(p.eth_src, mac_a, 6);
	cr_assert_eq(p.ethertype, 0x86dd);
	cr_assert_eq(p.l3_off, 14);
	cr_assert_eq(p.ip_len, 60);
	addr(&src, "2001:db8::1");
	cr_assert_arr_eq(&p.src, &src, 16);
	cr_assert_eq(p.hlim, 64);
	cr_assert_eq(p.n_ext, 0);
	cr_assert_eq(p.proto, IPPROTO_TCP_);
	cr_assert_eq(p.nh_off, 6);
	cr_assert_eq(p.l4_off, 54);
	cr_assert_eq(p.l4_len, 20);
	cr_assert_eq(p.sport, 12345);
	cr_assert_eq(p.dport, 80);
	cr_assert_eq(p.tcp_flags, 0x02);
	cr_assert_eq(p.rh_off, 0);
	cr_assert_eq(p.frag_off, 0);
	cr_assert(!p.later_frag);
}

Test(pkt_parse, udp)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	fb_l4(&f, IPPROTO_UDP_, udp_dns, sizeof(udp_dns));
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.proto, IPPROTO_UDP_);
	cr_assert_eq(p.sport, 0xc000);
	cr_assert_eq(p.dport, 53);
	cr_assert_eq(p.l4_len, 12);
}

Test(pkt_parse, icmp6)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	fb_l4(&f, IPPROTO_ICMPV6_, icmp_echo, sizeof(icmp_echo));
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.proto, IPPROTO_ICMPV6_);
	cr_assert_eq(p.icmp_type, ICMP6_ECHO_REQUEST_);
	cr_assert_eq(p.icmp_code, 0);
	cr_assert_eq(p.sport, 0);
	/* ICMPv6 needs type, code and checksum. */
	fb_init(&f);
	fb_l4(&f, IPPROTO_ICMPV6_, icmp_echo, 3);
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_TRUNC_L4);
}

/* HBH, Destination Options, Routing, Fragment, then TCP. */
static void
build_chain(struct fb *f, size_t off[4])
{
	fb_init(f);
	off[0] = fb_ext(f, IPPROTO_HOPOPTS_, 8);
	off[1] = fb_ext(f, IPPROTO_DSTOPTS_, 16);
	off[2] = fb_ext(f, IPPROTO_ROUTING_, 24);
	f->buf[off[2] + 2] = 253;		/* routing type */
	f->buf[off[2] + 3] = 0;			/* segments left */
	off[3] = fb_ext(f, IPPROTO_FRAGMENT_, 8);
	f->buf[off[3] + 3] = 0x01;		/* offset 0, more fragments */
	fb_l4(f, IPPROTO_TCP_, tcp_syn, sizeof(tcp_syn));
	fb_done(f);
}

Test(pkt_parse, ext_chain)
{
	struct fb	 f;
	struct pkt	 p;
	size_t		 off[4];

	build_chain(&f, off);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.n_ext, 4);
	cr_assert_eq(p.proto, IPPROTO_TCP_);
	cr_assert_eq(off[2], 14 + 40 + 8 + 16);
	cr_assert_eq(p.rh_off, off[2]);
	cr_assert_eq(p.rh_type, 253);
	cr_assert_eq(p.rh_segleft, 0);
	cr_assert_eq(p.frag_off, off[3]);
	cr_assert(!p.later_frag);
	/* The byte naming TCP is the Fragment header's next header. */
	cr_assert_eq(p.nh_off, off[3] - 14);
	cr_assert_eq(f.buf[p.l3_off + p.nh_off], IPPROTO_TCP_);
	cr_assert_eq(p.l4_off, off[3] + 8);
	cr_assert_eq(p.l4_len, 20);
	cr_assert_eq(p.sport, 12345);
	cr_assert_eq(p.ip_len, f.len - 14);
}

Test(pkt_parse, ah_and_mobility)
{
	struct fb	 f;
	struct pkt	 p;
	size_t		 ah, mh;

	fb_init(&f);
	ah = fb_ext(&f, IPPROTO_AH_, 24);	/* (4 + 2) * 4 */
	mh = fb_ext(&f, IPPROTO_MH_, 16);
	fb_l4(&f, IPPROTO_UDP_, udp_dns, sizeof(udp_dns));
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(f.buf[ah + 1], 4);
	cr_assert_eq(p.n_ext, 2);
	cr_assert_eq(p.l4_off, mh + 16);
	cr_assert_eq(p.nh_off, mh - 14);
	cr_assert_eq(p.dport, 53);
}

/*
 * Every prefix of a valid frame: with the payload length left as it was
 * the frame is always too short for it; with the payload length cut to
 * match, the error names the header the cut falls into.
 */
Test(pkt_parse, every_truncation)
{
	struct fb		 f, g;
	struct pkt		 p;
	size_t			 off[4], cut, l4;
	enum drop_reason	 r, want;

	build_chain(&f, off);
	l4 = off[3] + 8;
	for (cut = 0; cut < f.len; cut++) {
		r = parse_exact(f.buf, cut, &p);
		if (cut < 14)
			want = DROP_SHORT_FRAME;
		else if (cut < 54)
			want = DROP_TRUNC_IPV6;
		else
			want = DROP_BAD_PAYLOAD_LEN;
		cr_assert_eq(r, want, "cut %zu: %s, want %s", cut,
		    drop_names[r], drop_names[want]);

		if (cut < 54)
			continue;
		g = f;
		g.len = cut;
		fb_done(&g);
		r = parse_exact(g.buf, g.len, &p);
		if (cut == 54)
			want = DROP_BAD_PAYLOAD_LEN;	/* HBH, length 0 */
		else if (cut < l4)
			want = DROP_TRUNC_EXT;
		else
			want = DROP_TRUNC_L4;
		cr_assert_eq(r, want, "plen cut %zu: %s, want %s", cut,
		    drop_names[r], drop_names[want]);
	}
	/* Cut inside the payload but past the TCP header: still fine. */
	memcpy(f.buf + f.len, "data", 4);
	f.len += 4;
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.l4_len, 24);
}

Test(pkt_parse, payload_length_too_long)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	fb_l4(&f, IPPROTO_UDP_, udp_dns, sizeof(udp_dns));
	fb_done(&f);
	f.buf[19]++;
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_BAD_PAYLOAD_LEN);
}

Test(pkt_parse, jumbogram)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	fb_ext(&f, IPPROTO_HOPOPTS_, 8);
	fb_l4(&f, IPPROTO_NONE_, (const uint8_t *)"", 0);
	/* Payload length stays 0. */
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_BAD_PAYLOAD_LEN);
}

Test(pkt_parse, ethernet_padding)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	fb_l4(&f, IPPROTO_ICMPV6_, icmp_echo, 4);
	fb_done(&f);
	/* 58 bytes: padded to the 60-byte Ethernet minimum. */
	memset(f.buf + f.len, 0xee, 2);
	f.len += 2;
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.ip_len, 44);
	cr_assert_eq(p.l4_len, 4);

	/* Padding must not be read as extension headers or L4 data. */
	fb_init(&f);
	fb_l4(&f, IPPROTO_TCP_, (const uint8_t *)"", 0);
	fb_done(&f);
	memcpy(f.buf + f.len, tcp_syn, sizeof(tcp_syn));
	f.len += sizeof(tcp_syn);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_TRUNC_L4);
}

Test(pkt_parse, hbh_not_first)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	fb_ext(&f, IPPROTO_DSTOPTS_, 8);
	fb_ext(&f, IPPROTO_HOPOPTS_, 8);
	fb_l4(&f, IPPROTO_UDP_, udp_dns, sizeof(udp_dns));
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_BAD_EXT_ORDER);
}

static void
build_n_ext(struct fb *f, int n)
{
	fb_init(f);
	for (int i = 0; i < n; i++)
		fb_ext(f, IPPROTO_DSTOPTS_, 8);
	fb_l4(f, IPPROTO_UDP_, udp_dns, sizeof(udp_dns));
	fb_done(f);
}

Test(pkt_parse, ext_header_limit)
{
	struct fb	 f;
	struct pkt	 p;

	build_n_ext(&f, PKT_MAX_EXT_HDRS);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.n_ext, PKT_MAX_EXT_HDRS);
	cr_assert_eq(p.l4_off, 54 + 8 * PKT_MAX_EXT_HDRS);
	cr_assert_eq(p.dport, 53);

	build_n_ext(&f, PKT_MAX_EXT_HDRS + 1);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_TOO_MANY_EXT);
}

Test(pkt_parse, later_fragment)
{
	struct fb	 f;
	struct pkt	 p;
	size_t		 fo;

	fb_init(&f);
	fo = fb_ext(&f, IPPROTO_FRAGMENT_, 8);
	f.buf[fo + 2] = 0x00;
	f.buf[fo + 3] = 0xb9;		/* offset 23 (184 bytes), M */
	/* Fragment data that would not parse as TCP. */
	fb_l4(&f, IPPROTO_TCP_, (const uint8_t *)"abcdefgh", 8);
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert(p.later_frag);
	cr_assert_eq(p.frag_off, fo);
	cr_assert_eq(p.proto, IPPROTO_TCP_);
	cr_assert_eq(p.nh_off, fo - 14);
	cr_assert_eq(p.sport, 0);
	cr_assert_eq(p.dport, 0);
	cr_assert_eq(p.l4_off, fo + 8);
	cr_assert_eq(p.l4_len, 8);
}

Test(pkt_parse, no_next_header_and_esp)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	fb_ext(&f, IPPROTO_DSTOPTS_, 8);
	fb_l4(&f, IPPROTO_NONE_, (const uint8_t *)"xx", 2);
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.proto, IPPROTO_NONE_);
	cr_assert_eq(p.l4_off, 62);
	cr_assert_eq(p.l4_len, 2);

	fb_init(&f);
	fb_l4(&f, IPPROTO_ESP_, (const uint8_t *)"\0\0\0\1\0\0\0\1", 8);
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.proto, IPPROTO_ESP_);
	cr_assert_eq(p.l4_off, 54);
	cr_assert_eq(p.sport, 0);
}

Test(pkt_parse, tcp_data_offset)
{
	struct fb	 f;
	struct pkt	 p;
	uint8_t		 t[20];

	memcpy(t, tcp_syn, sizeof(t));
	t[12] = 0x40;			/* 4 words: below the minimum */
	fb_init(&f);
	fb_l4(&f, IPPROTO_TCP_, t, sizeof(t));
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_TRUNC_L4);

	t[12] = 0x60;			/* 6 words, only 5 present */
	fb_init(&f);
	fb_l4(&f, IPPROTO_TCP_, t, sizeof(t));
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_TRUNC_L4);

	memset(f.buf + f.len, 1, 4);	/* now 6 words */
	f.len += 4;
	fb_done(&f);
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_NONE);
	cr_assert_eq(p.l4_len, 24);
}

Test(pkt_parse, not_ipv6)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	f.buf[12] = 0x08;
	f.buf[13] = 0x06;		/* ARP */
	cr_assert_eq(parse_exact(f.buf, 42, &p), DROP_NOT_IPV6);
	cr_assert_eq(p.ethertype, 0x0806);
	cr_assert_arr_eq(p.eth_src, mac_a, 6);
	cr_assert_eq(parse_exact(f.buf, 14, &p), DROP_NOT_IPV6);
}

Test(pkt_parse, version_4)
{
	struct fb	 f;
	struct pkt	 p;

	fb_init(&f);
	fb_l4(&f, IPPROTO_UDP_, udp_dns, sizeof(udp_dns));
	fb_done(&f);
	f.buf[14] = 0x45;
	cr_assert_eq(parse_exact(f.buf, f.len, &p), DROP_BAD_VERSION);
}

/* Random bytes behind a valid Ethernet + IPv6 prefix never upset it. */
Test(pkt_parse, random_chains)
{
	struct fb		 f;
	struct pkt		 p;
	enum drop_reason	 r;
	size_t			 n;

	srandom(4861);
	for (int i = 0; i < 20000; i++) {
		fb_init(&f);
		n = (size_t)random() % 200;
		for (size_t j = 0; j < n; j++)
			f.buf[54 + j] = (uint8_t)random();
		/* Bias next headers towards extension headers. */
		f.buf[20] = (const uint8_t[]){ 0, 43, 44, 60, 51, 6, 17, 58 }
		    [random() % 8];
		f.len = 54 + n;
		fb_done(&f);
		r = parse_exact(f.buf, f.len, &p);
		if (r != DROP_NONE)
			continue;
		cr_assert_leq(p.l4_off + p.l4_len, f.len);
		cr_assert_eq(p.l4_off + p.l4_len, 14 + p.ip_len);
		cr_assert_lt(p.l3_off + p.nh_off, p.l4_off);
		cr_assert_leq(p.n_ext, PKT_MAX_EXT_HDRS);
	}
}

/* ---------------------------------------------------------------------- */

Test(pkt_build, icmp6_finish)
{
	uint8_t		 frame[14 + 40 + 4 + 64];
	uint8_t		*ip6 = frame + 14;
	struct in6_addr	 src, dst;
	struct pkt	 p;
	size_t		 n;

	addr(&src, "fe80::1");
	addr(&dst, "2001:db8::99");
	memset(frame, 0xaa, sizeof(frame));
	memcpy(frame, mac_b, 6);
	memcpy(frame + 6, mac_a, 6);
	frame[12] = 0x86;
	frame[13] = 0xdd;
	/* Echo reply body: identifier, sequence, 60 bytes of data. */
	ip6[44] = 0xbe;
	ip6[45] = 0xef;
	ip6[46] = 0;
	ip6[47] = 7;
	for (int i = 0; i < 60; i++)
		ip6[48 + i] = (uint8_t)i;
	n = icmp6_finish(ip6, &src, &dst, 64, ICMP6_ECHO_REPLY_, 0, 64);
	cr_assert_eq(n, 40 + 4 + 64);

	cr_assert_eq(pkt_parse(frame, 14 + n, &p), DROP_NONE);
	cr_assert_eq(p.ip_len, n);
	cr_assert_eq(p.proto, IPPROTO_ICMPV6_);
	cr_assert_eq(p.icmp_type, ICMP6_ECHO_REPLY_);
	cr_assert_eq(p.icmp_code, 0);
	cr_assert_eq(p.hlim, 64);
	cr_assert_arr_eq(&p.src, &src, 16);
	cr_assert_arr_eq(&p.dst, &dst, 16);
	cr_assert_eq(ip6[0], 0x60);
	cr_assert_eq(ip6[1] | ip6[2] | ip6[3], 0);
	cr_assert_eq(ip6[44], 0xbe, "body untouched");
	cr_assert_eq(ip6[47], 7);
	cr_assert_eq(cksum_ip6(&p.src, &p.dst, p.proto, frame + p.l4_off,
	    p.l4_len), 0);
	/* Any flipped bit breaks it. */
	ip6[50] ^= 0x10;
	cr_assert_neq(cksum_ip6(&p.src, &p.dst, p.proto, frame + p.l4_off,
	    p.l4_len), 0);
}

Test(pkt_build, icmp6_finish_empty_body)
{
	uint8_t		 ip6[44];
	struct in6_addr	 src, dst;

	addr(&src, "2001:db8::1");
	addr(&dst, "2001:db8::2");
	cr_assert_eq(icmp6_finish(ip6, &src, &dst, 255, ND_ROUTER_SOLICIT_, 0,
	    0), 44);
	cr_assert_eq(ip6[4], 0);
	cr_assert_eq(ip6[5], 4);
	cr_assert_eq(ip6[6], IPPROTO_ICMPV6_);
	cr_assert_eq(ip6[7], 255);
	cr_assert_eq(cksum_ip6(&src, &dst, IPPROTO_ICMPV6_, ip6 + 40, 4), 0);
}

Test(pkt_build, nd_opts)
{
	const uint8_t	 opts[] = {
		/* Prefix information: unknown to the parser, skipped. */
		3, 4, 64, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		/* An option type nobody knows. */
		199, 1, 1, 2, 3, 4, 5, 6,
		1, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55,	/* SLLA */
		2, 1, 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa,	/* TLLA */
	};
	const uint8_t	 sll[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	const uint8_t	 tll[6] = { 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa };
	struct nd_opts	 o;
	uint8_t		*copy;

	cr_assert_eq(nd_parse_opts(opts, sizeof(opts), &o), 0);
	cr_assert(o.has_sll);
	cr_assert(o.has_tll);
	cr_assert_arr_eq(o.sll, sll, 6);
	cr_assert_arr_eq(o.tll, tll, 6);

	/* Only SLLA. */
	cr_assert_eq(nd_parse_opts(opts + 40, 8, &o), 0);
	cr_assert(o.has_sll);
	cr_assert(!o.has_tll);

	/* Nothing at all. */
	cr_assert_eq(nd_parse_opts(opts, 0, &o), 0);
	cr_assert(!o.has_sll && !o.has_tll);

	/* Every truncation that cuts an option is malformed. */
	for (size_t n = 1; n < sizeof(opts); n++) {
		bool on_boundary = n == 32 || n == 40 || n == 48;

		copy = malloc(n);
		memcpy(copy, opts, n);
		cr_assert_eq(nd_parse_opts(copy, n, &o), on_boundary ? 0 : -1,
		    "length %zu", n);
		free(copy);
	}
}

Test(pkt_build, nd_opts_zero_length)
{
	uint8_t		 opts[16] = {
		1, 1, 0x02, 0, 0, 0, 0, 1,
		199, 0, 0, 0, 0, 0, 0, 0,
	};
	struct nd_opts	 o;

	cr_assert_eq(nd_parse_opts(opts, sizeof(opts), &o), -1);
	opts[9] = 1;
	cr_assert_eq(nd_parse_opts(opts, sizeof(opts), &o), 0);
	opts[1] = 0;
	cr_assert_eq(nd_parse_opts(opts, sizeof(opts), &o), -1);
	/* A length running past the end. */
	opts[1] = 1;
	opts[9] = 2;
	cr_assert_eq(nd_parse_opts(opts, sizeof(opts), &o), -1);
}

Test(pkt_build, nd_opts_non_ethernet_lladdr)
{
	/* A 16-byte SLLA is not an Ethernet address: skipped. */
	const uint8_t	 opts[16] = { 1, 2, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct nd_opts	 o;

	cr_assert_eq(nd_parse_opts(opts, sizeof(opts), &o), 0);
	cr_assert(!o.has_sll);
}
