/*
 * Routing-header insertion and removal (rthdr.c) on TCP, UDP and
 * ICMPv6 frames, with and without a Hop-by-Hop header, in every mode.
 *
 * Each frame sits at the end of an exactly sized heap block with its
 * headroom in front, so that a read or write outside the frame or the
 * headroom shows under ASan; the whole block, headroom included, is
 * compared to detect writes where none belong.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <pcap/pcap.h>

#include "cksum.h"
#include "pkt.h"
#include "rthdr.h"

#define RT_HEADROOM	128

static const uint8_t	 rt_mac_r[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t	 rt_mac_c[6] = { 0x02, 0, 0, 0, 0, 0xc1 };

/* Client S, anycast address A, member U. */
static struct in6_addr	 rt_s, rt_a, rt_u;

static const uint8_t	 rt_protos[] = {
	IPPROTO_TCP_, IPPROTO_UDP_, IPPROTO_ICMPV6_
};
static const enum rh_mode rt_modes[] = {
	RH_MODE_EXP, RH_MODE_RH0, RH_MODE_SRH
};

static const char *
rt_mode_name(enum rh_mode mode)
{
	return mode == RH_MODE_EXP ? "exp" : mode == RH_MODE_RH0 ? "rh0" :
	    mode == RH_MODE_SRH ? "srh" : "other";
}

/* A frame at the end of an exactly sized block, headroom before it. */
struct rt_buf {
	uint8_t		*mem;
	size_t		 size;
	uint8_t		*data;
	uint32_t	 len;
};

static void
rt_addrs(void)
{
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8:c::1", &rt_s), 1);
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8:a::1", &rt_a), 1);
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8:1::10", &rt_u), 1);
}

static void
rt_buf_init(struct rt_buf *b, const uint8_t *frame, size_t len,
    size_t headroom)
{
	b->size = headroom + len;
	b->mem = malloc(b->size ? b->size : 1);
	cr_assert_not_null(b->mem);
	/* A pattern in the headroom, so stray writes show. */
	for (size_t i = 0; i < headroom; i++)
		b->mem[i] = (uint8_t)(0xa5 ^ i);
	memcpy(b->mem + headroom, frame, len);
	b->data = b->mem + headroom;
	b->len = (uint32_t)len;
}

static void
rt_buf_free(struct rt_buf *b)
{
	free(b->mem);
	b->mem = NULL;
}

/* Fill the transport checksum of the packet at ip6, against dst. */
static void
rt_fill_cksum(uint8_t *l4, size_t l4_len, uint8_t proto,
    const struct in6_addr *dst)
{
	size_t		 at;
	uint16_t	 c;

	at = proto == IPPROTO_TCP_ ? 16 : proto == IPPROTO_UDP_ ? 6 : 2;
	l4[at] = l4[at + 1] = 0;
	c = cksum_ip6(&rt_s, dst, proto, l4, l4_len);
	if (proto == IPPROTO_UDP_ && c == 0)
		c = 0xffff;
	l4[at] = (uint8_t)(c >> 8);
	l4[at + 1] = (uint8_t)c;
}

/*
 * Build a client-to-anycast frame into out: Ethernet, IPv6 S -> A, an
 * optional 8-byte Hop-by-Hop header, a TCP, UDP or ICMPv6 echo header
 * and paylen bytes of payload, checksummed.  Returns its length.
 */
static size_t
rt_build(uint8_t *out, uint8_t proto, bool hbh, size_t paylen)
{
	uint8_t		*ip6 = out + 14, *l4;
	size_t		 off = 54, hl, plen;

	memcpy(out, rt_mac_r, 6);
	memcpy(out + 6, rt_mac_c, 6);
	out[12] = 0x86;
	out[13] = 0xdd;
	memset(ip6, 0, 40);
	ip6[0] = 0x60;
	ip6[1] = 0x0a;			/* traffic class and flow label */
	ip6[3] = 0x42;
	ip6[7] = 63;
	memcpy(ip6 + 8, &rt_s, 16);
	memcpy(ip6 + 24, &rt_a, 16);
	if (hbh) {
		ip6[6] = IPPROTO_HOPOPTS_;
		memset(out + off, 0, 8);
		out[off] = proto;
		out[off + 2] = 1;	/* PadN, 4 bytes */
		out[off + 3] = 4;
		off += 8;
	} else
		ip6[6] = proto;

	l4 = out + off;
	switch (proto) {
	case IPPROTO_TCP_:
		hl = 20;
		memset(l4, 0, hl);
		l4[0] = 0x9c; l4[1] = 0x40;	/* 40000 -> 80 */
		l4[2] = 0x00; l4[3] = 0x50;
		l4[4] = 0x11; l4[7] = 0x01;	/* seq */
		l4[11] = 0x07;			/* ack */
		l4[12] = 5 << 4;
		l4[13] = 0x18;			/* PSH, ACK */
		l4[14] = 0xfa; l4[15] = 0xf0;
		break;
	case IPPROTO_UDP_:
		hl = 8;
		l4[0] = 0xd4; l4[1] = 0x31;	/* 54321 -> 53 */
		l4[2] = 0x00; l4[3] = 0x35;
		l4[4] = (uint8_t)((hl + paylen) >> 8);
		l4[5] = (uint8_t)(hl + paylen);
		break;
	default:
		hl = 8;
		memset(l4, 0, hl);
		l4[0] = ICMP6_ECHO_REQUEST_;
		l4[4] = 0x12; l4[5] = 0x34; l4[7] = 0x01;
		break;
	}
	for (size_t i = 0; i < paylen; i++)
		l4[hl + i] = (uint8_t)(i * 7 + 3);
	rt_fill_cksum(l4, hl + paylen, proto, &rt_a);

	plen = off + hl + paylen - 54;
	ip6[4] = (uint8_t)(plen >> 8);
	ip6[5] = (uint8_t)plen;
	return off + hl + paylen;
}

/*
 * Insert in mode into a frame of proto, with or without a Hop-by-Hop
 * header, and check everything about the result, then remove.
 */
static void
rt_check(enum rh_mode mode, uint8_t proto, bool hbh, size_t paylen)
{
	uint8_t		 orig[2048];
	struct rt_buf	 b;
	struct pkt	 p0, p;
	struct in6_addr	 dst, got;
	const uint8_t	*rh;
	uint8_t		*data0, *d2, *snap, type, segleft;
	uint32_t	 l2;
	size_t		 olen, n = rthdr_len(mode);
	int		 r;

	olen = rt_build(orig, proto, hbh, paylen);
	cr_assert_eq(pkt_parse(orig, olen, &p0), DROP_NONE);
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	data0 = b.data;

	r = rthdr_insert(&b.data, &b.len, RT_HEADROOM, NULL, mode, &rt_u);
	cr_assert_eq(r, (int)n, "mode %s proto %u hbh %d: returned %d",
	    rt_mode_name(mode), proto, hbh, r);
	cr_assert_eq(b.data, data0 - n);
	cr_assert_eq(b.len, olen + n);
	/* Nothing written in front of the moved headers. */
	for (size_t i = 0; i < RT_HEADROOM - n; i++)
		cr_assert_eq(b.mem[i], (uint8_t)(0xa5 ^ i));

	cr_assert_eq(pkt_parse(b.data, b.len, &p), DROP_NONE);
	cr_assert_eq(p.rh_off, 54 + (hbh ? 8 : 0));
	cr_assert_eq(p.rh_type, mode == RH_MODE_EXP ? RH_TYPE_EXP :
	    mode == RH_MODE_RH0 ? RH_TYPE_RH0 : RH_TYPE_SRH);
	cr_assert_eq(p.rh_segleft, mode == RH_MODE_SRH ? 1 : 0);
	cr_assert_eq(p.n_ext, p0.n_ext + 1);
	cr_assert_eq(p.proto, proto);
	cr_assert_eq(p.ip_len, p0.ip_len + n);
	cr_assert_eq((b.data[18] << 8 | b.data[19]),
	    (int)(p0.ip_len - 40 + n));
	/* The transport header and payload: same bytes, n further in. */
	cr_assert_eq(p.l4_off, p0.l4_off + n);
	cr_assert_eq(p.l4_len, p0.l4_len);
	cr_assert_arr_eq(b.data + p.l4_off, orig + p0.l4_off, p0.l4_len);
	/* Ethernet, version/class/flow, hop limit and source unchanged. */
	cr_assert_arr_eq(b.data, orig, 18);
	cr_assert_eq(b.data[21], orig[21]);
	cr_assert_arr_eq(&p.src, &rt_s, 16);

	/* The chain: IPv6 [-> HBH] -> routing -> transport. */
	if (hbh) {
		cr_assert_eq(b.data[20], IPPROTO_HOPOPTS_);
		cr_assert_eq(b.data[54], IPPROTO_ROUTING_);
		cr_assert_arr_eq(b.data + 55, orig + 55, 7);
	} else
		cr_assert_eq(b.data[20], IPPROTO_ROUTING_);
	rh = b.data + p.rh_off;
	cr_assert_eq(rh[0], proto);
	cr_assert_eq(rh[1], n / 8 - 1);
	if (mode == RH_MODE_SRH) {
		cr_assert_eq(rh[4], 1, "Last Entry");
		cr_assert_eq(rh[5], 0, "Flags");
		cr_assert_eq(rh[6] | rh[7], 0, "Tag");
		cr_assert_arr_eq(rh + 8, &rt_a, 16, "Segment List[0] = A");
		cr_assert_arr_eq(rh + 24, &rt_u, 16, "Segment List[1] = U");
		cr_assert_arr_eq(&p.dst, &rt_u, 16, "destination U");
	} else {
		cr_assert_eq(rh[4] | rh[5] | rh[6] | rh[7], 0, "Reserved");
		cr_assert_arr_eq(rh + 8, &rt_u, 16);
		cr_assert_arr_eq(&p.dst, &rt_a, 16, "destination A");
	}

	/*
	 * The checksum verifies against the final destination A, also
	 * for the SRH, whose destination field says U.
	 */
	cr_assert_eq(cksum_ip6(&p.src, &rt_a, proto, b.data + p.l4_off,
	    p.l4_len), 0);
	if (mode == RH_MODE_SRH)
		cr_assert_neq(cksum_ip6(&p.src, &p.dst, proto,
		    b.data + p.l4_off, p.l4_len), 0);

	cr_assert_eq(rthdr_peek(b.data, b.len, &type, &segleft, &got), 0);
	cr_assert_eq(type, p.rh_type);
	cr_assert_eq(segleft, p.rh_segleft);
	cr_assert_arr_eq(&got, &rt_u, 16);

	/* A second routing header is refused, and changes nothing. */
	d2 = b.data;
	l2 = b.len;
	snap = malloc(b.size);
	cr_assert_not_null(snap);
	memcpy(snap, b.mem, b.size);
	cr_assert_eq(rthdr_insert(&d2, &l2, (size_t)(b.data - b.mem), NULL,
	    RH_MODE_EXP, &rt_u), -1);
	cr_assert_eq(d2, b.data);
	cr_assert_eq(l2, b.len);
	cr_assert_arr_eq(snap, b.mem, b.size);
	free(snap);

	r = rthdr_remove(&b.data, &b.len, NULL);
	cr_assert_eq(r, (int)n);
	cr_assert_eq(b.data, data0);
	cr_assert_eq(b.len, olen);
	cr_assert_arr_eq(b.data, orig, olen, "remove restores the frame");
	memcpy(&dst, b.data + 38, 16);
	cr_assert_arr_eq(&dst, &rt_a, 16);
	rt_buf_free(&b);
}

Test(rthdr, insert_exp)
{
	rt_addrs();
	for (size_t i = 0; i < sizeof(rt_protos); i++) {
		rt_check(RH_MODE_EXP, rt_protos[i], false, 100);
		rt_check(RH_MODE_EXP, rt_protos[i], true, 100);
		rt_check(RH_MODE_EXP, rt_protos[i], false, 0);
		rt_check(RH_MODE_EXP, rt_protos[i], true, 1);
	}
}

Test(rthdr, insert_rh0)
{
	rt_addrs();
	for (size_t i = 0; i < sizeof(rt_protos); i++) {
		rt_check(RH_MODE_RH0, rt_protos[i], false, 100);
		rt_check(RH_MODE_RH0, rt_protos[i], true, 100);
		rt_check(RH_MODE_RH0, rt_protos[i], false, 0);
		rt_check(RH_MODE_RH0, rt_protos[i], true, 1);
	}
}

Test(rthdr, insert_srh)
{
	rt_addrs();
	for (size_t i = 0; i < sizeof(rt_protos); i++) {
		rt_check(RH_MODE_SRH, rt_protos[i], false, 100);
		rt_check(RH_MODE_SRH, rt_protos[i], true, 100);
		rt_check(RH_MODE_SRH, rt_protos[i], false, 0);
		rt_check(RH_MODE_SRH, rt_protos[i], true, 1);
	}
}

Test(rthdr, lengths)
{
	cr_assert_eq(rthdr_len(RH_MODE_EXP), RH_EXP_LEN);
	cr_assert_eq(rthdr_len(RH_MODE_RH0), RH_EXP_LEN);
	cr_assert_eq(rthdr_len(RH_MODE_SRH), RH_SRH_LEN);
	cr_assert_eq(rthdr_len(RH_MODE_NONE), 0);
}

Test(rthdr, mode_none_and_bad_mode)
{
	uint8_t		 orig[256];
	struct rt_buf	 b;
	size_t		 olen;
	uint8_t		*d;

	rt_addrs();
	olen = rt_build(orig, IPPROTO_UDP_, false, 20);
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	d = b.data;
	cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, NULL,
	    RH_MODE_NONE, &rt_u), 0);
	cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, NULL,
	    RH_MODE_MAX, &rt_u), -1);
	cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, NULL,
	    (enum rh_mode)77, &rt_u), -1);
	cr_assert_eq(b.data, d);
	cr_assert_eq(b.len, olen);
	cr_assert_arr_eq(b.data, orig, olen);
	/* Nothing to remove. */
	cr_assert_eq(rthdr_remove(&b.data, &b.len, NULL), -1);
	cr_assert_eq(b.data, d);
	cr_assert_arr_eq(b.data, orig, olen);
	rt_buf_free(&b);
}

/*
 * A TCP super-frame as a TSO-enabled TAP hands it over: NEEDS_CSUM
 * with the pseudo-header sum seeded in the checksum field, GSO TCPV6.
 */
static size_t
rt_build_gso(uint8_t *out, bool hbh, size_t paylen,
    struct virtio_net_hdr *vnet)
{
	size_t		 len, l4_off = 54 + (hbh ? 8 : 0), l4_len;
	uint32_t	 sum;
	uint16_t	 seed;

	len = rt_build(out, IPPROTO_TCP_, hbh, paylen);
	l4_len = len - l4_off;
	sum = cksum_add(0, &rt_s, 16);
	sum = cksum_add(sum, &rt_a, 16);
	sum += (uint32_t)l4_len + IPPROTO_TCP_;
	seed = (uint16_t)~cksum_fold(sum);
	out[l4_off + 16] = (uint8_t)(seed >> 8);
	out[l4_off + 17] = (uint8_t)seed;

	memset(vnet, 0, sizeof(*vnet));
	vnet->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vnet->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	vnet->gso_size = 1428;
	vnet->hdr_len = (uint16_t)(l4_off + 20);
	vnet->csum_start = (uint16_t)l4_off;
	vnet->csum_offset = 16;
	return len;
}

/* What the kernel does to a NEEDS_CSUM frame before it leaves. */
static void
rt_complete_csum(uint8_t *frame, size_t len, const struct virtio_net_hdr *v)
{
	uint16_t	 c;

	c = cksum_fold(cksum_add(0, frame + v->csum_start,
	    len - v->csum_start));
	frame[v->csum_start + v->csum_offset] = (uint8_t)(c >> 8);
	frame[v->csum_start + v->csum_offset + 1] = (uint8_t)c;
}

Test(rthdr, gso_offloads)
{
	static uint8_t	 orig[8192], done[8192];
	struct virtio_net_hdr v0, v;
	struct rt_buf	 b;
	struct pkt	 p;
	size_t		 olen, n;

	rt_addrs();
	for (size_t m = 0; m < 3; m++)
	for (int hbh = 0; hbh < 2; hbh++) {
		enum rh_mode mode = rt_modes[m];

		n = rthdr_len(mode);
		olen = rt_build_gso(orig, hbh, 3 * 1428 + 17, &v0);
		v = v0;
		rt_buf_init(&b, orig, olen, RT_HEADROOM);
		cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, &v,
		    mode, &rt_u), (int)n);
		cr_assert_eq(v.flags, v0.flags);
		cr_assert_eq(v.gso_type, v0.gso_type);
		cr_assert_eq(v.csum_start, v0.csum_start + n);
		cr_assert_eq(v.csum_offset, v0.csum_offset);
		cr_assert_eq(v.hdr_len, v0.hdr_len + n);
		cr_assert_eq(v.gso_size, v0.gso_size - n);
		cr_assert_eq(pkt_parse(b.data, b.len, &p), DROP_NONE);
		/* csum_start still points at the TCP header... */
		cr_assert_eq(v.csum_start, p.l4_off);
		/* ...hdr_len still covers the headers exactly... */
		cr_assert_eq(v.hdr_len, p.l4_off + 20);
		/* ...and a segment is as large on the wire as before. */
		cr_assert_eq(v.hdr_len + v.gso_size,
		    v0.hdr_len + v0.gso_size);

		/* Completed now, the checksum verifies against A. */
		memcpy(done, b.data, b.len);
		rt_complete_csum(done, b.len, &v);
		cr_assert_eq(cksum_ip6(&rt_s, &rt_a, IPPROTO_TCP_,
		    done + p.l4_off, p.l4_len), 0);

		cr_assert_eq(rthdr_remove(&b.data, &b.len, &v), (int)n);
		cr_assert_arr_eq(&v, &v0, sizeof(v));
		cr_assert_eq(b.len, olen);
		cr_assert_arr_eq(b.data, orig, olen);
		rt_buf_free(&b);
	}
}

Test(rthdr, gso_ecn_and_unknown_hdr_len)
{
	uint8_t		 orig[4096];
	struct virtio_net_hdr v0, v;
	struct rt_buf	 b;
	size_t		 olen;

	rt_addrs();
	olen = rt_build_gso(orig, false, 2000, &v0);
	v0.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	v0.hdr_len = 0;			/* no hint given: none invented */
	v = v0;
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, &v,
	    RH_MODE_EXP, &rt_u), RH_EXP_LEN);
	cr_assert_eq(v.hdr_len, 0);
	cr_assert_eq(v.gso_size, v0.gso_size - RH_EXP_LEN);
	cr_assert_eq(v.gso_type, v0.gso_type);
	cr_assert_eq(rthdr_remove(&b.data, &b.len, &v), RH_EXP_LEN);
	cr_assert_arr_eq(&v, &v0, sizeof(v));
	rt_buf_free(&b);
}

/* Insertion must fail and leave block, pointers and vnet untouched. */
static void
rt_insert_refused(struct rt_buf *b, size_t headroom,
    struct virtio_net_hdr *v, enum rh_mode mode)
{
	uint8_t			*snap, *d = b->data;
	uint32_t		 l = b->len;
	struct virtio_net_hdr	 v0;

	snap = malloc(b->size ? b->size : 1);
	cr_assert_not_null(snap);
	memcpy(snap, b->mem, b->size);
	if (v != NULL)
		v0 = *v;
	cr_assert_eq(rthdr_insert(&b->data, &b->len, headroom, v, mode,
	    &rt_u), -1, "mode %s len %u", rt_mode_name(mode), l);
	cr_assert_eq(b->data, d);
	cr_assert_eq(b->len, l);
	cr_assert_arr_eq(b->mem, snap, b->size);
	if (v != NULL)
		cr_assert_arr_eq(v, &v0, sizeof(v0));
	free(snap);
}

/* Removal must fail and leave everything untouched. */
static void
rt_remove_refused(struct rt_buf *b, struct virtio_net_hdr *v)
{
	uint8_t			*snap, *d = b->data;
	uint32_t		 l = b->len;
	struct virtio_net_hdr	 v0;

	snap = malloc(b->size ? b->size : 1);
	cr_assert_not_null(snap);
	memcpy(snap, b->mem, b->size);
	if (v != NULL)
		v0 = *v;
	cr_assert_eq(rthdr_remove(&b->data, &b->len, v), -1, "len %u", l);
	cr_assert_eq(b->data, d);
	cr_assert_eq(b->len, l);
	cr_assert_arr_eq(b->mem, snap, b->size);
	if (v != NULL)
		cr_assert_arr_eq(v, &v0, sizeof(v0));
	free(snap);
}

Test(rthdr, too_little_headroom)
{
	uint8_t		 orig[256];
	struct rt_buf	 b;
	size_t		 olen, n;

	rt_addrs();
	for (size_t m = 0; m < 3; m++) {
		n = rthdr_len(rt_modes[m]);
		olen = rt_build(orig, IPPROTO_TCP_, true, 10);
		/* The block really has only n - 1 bytes in front. */
		rt_buf_init(&b, orig, olen, n - 1);
		rt_insert_refused(&b, n - 1, NULL, rt_modes[m]);
		rt_insert_refused(&b, 0, NULL, rt_modes[m]);
		rt_buf_free(&b);
		/* Exactly enough is enough. */
		rt_buf_init(&b, orig, olen, n);
		cr_assert_eq(rthdr_insert(&b.data, &b.len, n, NULL,
		    rt_modes[m], &rt_u), (int)n);
		cr_assert_eq(b.data, b.mem);
		rt_buf_free(&b);
	}
}

Test(rthdr, payload_length_limit)
{
	uint8_t		*orig;
	struct rt_buf	 b;
	size_t		 olen, n;

	rt_addrs();
	orig = malloc(54 + IP6_MAX_PAYLOAD);
	cr_assert_not_null(orig);
	for (size_t m = 0; m < 3; m++) {
		n = rthdr_len(rt_modes[m]);
		/* Payload length 65535 - n + 1: one byte too many. */
		olen = rt_build(orig, IPPROTO_ICMPV6_, false,
		    IP6_MAX_PAYLOAD - n + 1 - 8);
		cr_assert_eq(olen, 54 + IP6_MAX_PAYLOAD - n + 1);
		rt_buf_init(&b, orig, olen, RT_HEADROOM);
		rt_insert_refused(&b, RT_HEADROOM, NULL, rt_modes[m]);
		rt_buf_free(&b);
		/* 65535 exactly is fine. */
		olen = rt_build(orig, IPPROTO_ICMPV6_, false,
		    IP6_MAX_PAYLOAD - n - 8);
		rt_buf_init(&b, orig, olen, RT_HEADROOM);
		cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, NULL,
		    rt_modes[m], &rt_u), (int)n);
		cr_assert_eq(b.data[18] << 8 | b.data[19], IP6_MAX_PAYLOAD);
		cr_assert_eq(cksum_ip6(&rt_s, &rt_a, IPPROTO_ICMPV6_,
		    b.data + 54 + n, b.len - 54 - n), 0);
		rt_buf_free(&b);
	}
	free(orig);
}

Test(rthdr, inconsistent_offloads)
{
	uint8_t			 orig[4096];
	struct virtio_net_hdr	 v0, v;
	struct rt_buf		 b;
	size_t			 olen;

	rt_addrs();
	olen = rt_build_gso(orig, true, 3000, &v0);
	rt_buf_init(&b, orig, olen, RT_HEADROOM);

	/* csum_start inside the headers that move. */
	v = v0;
	v.csum_start = 54;
	rt_insert_refused(&b, RT_HEADROOM, &v, RH_MODE_EXP);
	/* Segments too small to hold the new header. */
	v = v0;
	v.gso_size = RH_SRH_LEN;
	rt_insert_refused(&b, RT_HEADROOM, &v, RH_MODE_SRH);
	v = v0;
	v.gso_size = 0;
	rt_insert_refused(&b, RT_HEADROOM, &v, RH_MODE_EXP);
	/* Offsets that would no longer fit 16 bits. */
	v = v0;
	v.hdr_len = 65535 - 10;
	rt_insert_refused(&b, RT_HEADROOM, &v, RH_MODE_EXP);
	v = v0;
	v.csum_start = 65535 - 10;
	rt_insert_refused(&b, RT_HEADROOM, &v, RH_MODE_EXP);
	/* Without NEEDS_CSUM, csum_start means nothing and stays. */
	v = v0;
	v.flags = 0;
	v.csum_start = 3;
	cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, &v,
	    RH_MODE_EXP, &rt_u), RH_EXP_LEN);
	cr_assert_eq(v.csum_start, 3);

	/* And on the way back: segments that would pass 65535. */
	v.gso_size = 65535 - 10;
	rt_remove_refused(&b, &v);
	v = v0;
	v.csum_start = 62;		/* inside the routing header */
	v.hdr_len += RH_EXP_LEN;
	v.gso_size -= RH_EXP_LEN;
	rt_remove_refused(&b, &v);
	v.csum_start = (uint16_t)(v0.csum_start + RH_EXP_LEN);
	v.hdr_len = 70;			/* short of the routing header's end */
	rt_remove_refused(&b, &v);
	v.hdr_len = (uint16_t)(v0.hdr_len + RH_EXP_LEN);
	cr_assert_eq(rthdr_remove(&b.data, &b.len, &v), RH_EXP_LEN);
	cr_assert_arr_eq(&v, &v0, sizeof(v));
	cr_assert_arr_eq(b.data, orig, olen);
	rt_buf_free(&b);
}

/*
 * Every truncation of a valid frame is refused by insert, peek and
 * remove, which leave it untouched and read nothing past its end.
 */
Test(rthdr, truncations)
{
	uint8_t		 orig[512], with[512];
	struct rt_buf	 b;
	size_t		 olen, wlen;
	uint8_t		 type, segleft;
	struct in6_addr	 a;

	rt_addrs();
	for (size_t pi = 0; pi < sizeof(rt_protos); pi++)
	for (int hbh = 0; hbh < 2; hbh++) {
		olen = rt_build(orig, rt_protos[pi], hbh, 33);
		for (size_t len = 0; len < olen; len++) {
			rt_buf_init(&b, orig, len, RT_HEADROOM);
			for (size_t m = 0; m < 3; m++)
				rt_insert_refused(&b, RT_HEADROOM, NULL,
				    rt_modes[m]);
			rt_buf_free(&b);
		}
		for (size_t m = 0; m < 3; m++) {
			/* The same frame with a routing header in it. */
			rt_buf_init(&b, orig, olen, RT_HEADROOM);
			cr_assert_gt(rthdr_insert(&b.data, &b.len,
			    RT_HEADROOM, NULL, rt_modes[m], &rt_u), 0);
			wlen = b.len;
			memcpy(with, b.data, wlen);
			rt_buf_free(&b);
			for (size_t len = 0; len < wlen; len++) {
				rt_buf_init(&b, with, len, RT_HEADROOM);
				cr_assert_eq(rthdr_peek(b.data, b.len, &type,
				    &segleft, &a), -1);
				rt_remove_refused(&b, NULL);
				rt_buf_free(&b);
			}
		}
	}
}

/* Frames that are not IPv6, or not well-formed IPv6. */
Test(rthdr, malformed)
{
	uint8_t		 orig[512], bad[512];
	struct rt_buf	 b;
	size_t		 olen;
	uint8_t		 type, segleft;
	struct in6_addr	 a;
	struct {
		const char	*what;
		size_t		 at;
		uint8_t		 val;
	} cases[] = {
		{ "IPv4 ethertype",	13, 0x00 },
		{ "ARP ethertype",	12, 0x08 },
		{ "version 4",		14, 0x45 },
		{ "payload past end",	18, 0x40 },
		{ "HBH length past end", 55, 0x20 },
		{ "TCP data offset",	62 + 12, 0xf0 },
		{ "TCP data offset < 5", 62 + 12, 0x40 },
		{ "HBH after HBH",	54, IPPROTO_HOPOPTS_ },
	};

	rt_addrs();
	olen = rt_build(orig, IPPROTO_TCP_, true, 8);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(bad, orig, olen);
		bad[cases[i].at] = cases[i].val;
		rt_buf_init(&b, bad, olen, RT_HEADROOM);
		for (size_t m = 0; m < 3; m++)
			rt_insert_refused(&b, RT_HEADROOM, NULL, rt_modes[m]);
		cr_assert_eq(rthdr_peek(b.data, b.len, &type, &segleft, &a),
		    -1, "%s", cases[i].what);
		rt_remove_refused(&b, NULL);
		rt_buf_free(&b);
	}
}

/*
 * Every single-byte change of a frame, in every mode: insertion either
 * refuses and changes nothing, or yields a frame that parses and that
 * removal turns back into the input.
 */
Test(rthdr, byte_mutations)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x2b, 0x3c, 0x80, 0xff };
	uint8_t		 orig[256], mut[256];
	struct rt_buf	 b;
	struct pkt	 p;
	size_t		 olen;
	int		 r, ok = 0, refused = 0;

	rt_addrs();
	olen = rt_build(orig, IPPROTO_UDP_, true, 12);
	for (size_t at = 0; at < olen; at++)
	for (size_t vi = 0; vi < sizeof(vals); vi++)
	for (size_t m = 0; m < 3; m++) {
		memcpy(mut, orig, olen);
		mut[at] = vals[vi];
		rt_buf_init(&b, mut, olen, RT_HEADROOM);
		if (pkt_parse(b.data, b.len, &p) != DROP_NONE ||
		    p.rh_off != 0) {
			rt_insert_refused(&b, RT_HEADROOM, NULL, rt_modes[m]);
			refused++;
			rt_buf_free(&b);
			continue;
		}
		r = rthdr_insert(&b.data, &b.len, RT_HEADROOM, NULL,
		    rt_modes[m], &rt_u);
		cr_assert_eq(r, (int)rthdr_len(rt_modes[m]));
		cr_assert_eq(pkt_parse(b.data, b.len, &p), DROP_NONE);
		cr_assert_eq(rthdr_remove(&b.data, &b.len, NULL), r);
		cr_assert_eq(b.len, olen);
		cr_assert_arr_eq(b.data, mut, olen);
		ok++;
		rt_buf_free(&b);
	}
	cr_assert_gt(ok, 0);
	cr_assert_gt(refused, 0);
}

/*
 * A frame with HBH, Destination Options and a type 0 header with two
 * addresses still to visit, then UDP summed against the last address.
 */
static size_t
rt_build_rh0_path(uint8_t *out, const struct in6_addr *hop,
    const struct in6_addr *last)
{
	uint8_t		*ip6 = out + 14, *udp;
	size_t		 len;

	len = rt_build(out, IPPROTO_UDP_, true, 16);
	/* Keep Ethernet, IPv6 and HBH (62 bytes); rebuild the rest. */
	memcpy(ip6 + 24, hop, 16);
	out[54] = IPPROTO_DSTOPTS_;
	memset(out + 62, 0, 16);		/* DO: 16 bytes, PadN */
	out[62] = IPPROTO_ROUTING_;
	out[63] = 1;
	out[64] = 1;
	out[65] = 12;
	memset(out + 78, 0, 40);		/* RH0: 2 addresses */
	out[78] = IPPROTO_UDP_;
	out[79] = 4;
	out[80] = RH_TYPE_RH0;
	out[81] = 2;
	memcpy(out + 86, &rt_u, 16);
	memcpy(out + 102, last, 16);
	udp = out + 118;
	rt_build(out + 400, IPPROTO_UDP_, false, 16);	/* UDP scratch */
	memcpy(udp, out + 400 + 54, 24);
	rt_fill_cksum(udp, 24, IPPROTO_UDP_, last);
	len = 118 + 24;
	ip6[4] = (uint8_t)((len - 54) >> 8);
	ip6[5] = (uint8_t)(len - 54);
	return len;
}

Test(rthdr, remove_deep_rh0_path)
{
	uint8_t		 orig[1024];
	struct rt_buf	 b;
	struct pkt	 p;
	struct in6_addr	 hop, last, got;
	uint8_t		 type, segleft;
	size_t		 olen;

	rt_addrs();
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8:ff::1", &hop), 1);
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8:ee::2", &last), 1);
	olen = rt_build_rh0_path(orig, &hop, &last);
	cr_assert_eq(pkt_parse(orig, olen, &p), DROP_NONE);
	cr_assert_eq(p.rh_off, 78);
	cr_assert_eq(p.n_ext, 3);
	cr_assert_eq(rthdr_peek(orig, olen, &type, &segleft, &got), 0);
	cr_assert_eq(type, RH_TYPE_RH0);
	cr_assert_eq(segleft, 2);
	cr_assert_arr_eq(&got, &rt_u, 16);

	rt_buf_init(&b, orig, olen, 0);
	cr_assert_eq(rthdr_remove(&b.data, &b.len, NULL), 40);
	cr_assert_eq(b.data, b.mem + 40);
	cr_assert_eq(pkt_parse(b.data, b.len, &p), DROP_NONE);
	cr_assert_eq(p.rh_off, 0);
	cr_assert_eq(p.n_ext, 2);
	/* Destination Options now names UDP; the rest moved forward. */
	cr_assert_eq(b.data[62], IPPROTO_UDP_);
	cr_assert_eq(b.data[54], IPPROTO_DSTOPTS_);
	/* Ethernet, the IPv6 header but for length and destination, HBH. */
	cr_assert_arr_eq(b.data, orig, 18);
	cr_assert_arr_eq(b.data + 20, orig + 20, 18);
	cr_assert_arr_eq(b.data + 54, orig + 54, 8);
	cr_assert_eq(b.data[18] << 8 | b.data[19], (int)(olen - 54 - 40));
	cr_assert_arr_eq(&p.dst, &last, 16, "final destination");
	cr_assert_eq(p.l4_off, 78);
	cr_assert_arr_eq(b.data + 78, orig + 118, 24);
	cr_assert_eq(cksum_ip6(&p.src, &p.dst, IPPROTO_UDP_,
	    b.data + p.l4_off, p.l4_len), 0);
	rt_buf_free(&b);
}

/* A routing header of a type this module does not handle. */
Test(rthdr, other_types)
{
	uint8_t		 orig[1024];
	struct rt_buf	 b;
	struct in6_addr	 hop, last, got;
	uint8_t		 type, segleft;
	size_t		 olen;

	rt_addrs();
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8:ff::1", &hop), 1);
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8:ee::2", &last), 1);
	olen = rt_build_rh0_path(orig, &hop, &last);
	orig[80] = 3;			/* RPL source route */
	cr_assert_eq(rthdr_peek(orig, olen, &type, &segleft, &got), -1);
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	rt_remove_refused(&b, NULL);
	rt_buf_free(&b);

	olen = rt_build(orig, IPPROTO_UDP_, false, 0);
	/* Insert an empty type 253 header with Segments Left 1. */
	memmove(orig + 62, orig + 54, 8);
	memset(orig + 54, 0, 8);
	orig[54] = IPPROTO_UDP_;
	orig[56] = RH_TYPE_EXP;
	orig[57] = 1;
	orig[20] = IPPROTO_ROUTING_;
	olen += 8;
	orig[19] += 8;
	cr_assert_eq(rthdr_peek(orig, olen, &type, &segleft, &got), -1);
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	rt_remove_refused(&b, NULL);
	rt_buf_free(&b);
	orig[56] = RH_TYPE_RH0;
	cr_assert_eq(rthdr_peek(orig, olen, &type, &segleft, &got), -1);
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	rt_remove_refused(&b, NULL);
	rt_buf_free(&b);
	/* With Segments Left 0 there is no address needed to remove it. */
	orig[57] = 0;
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	cr_assert_eq(rthdr_remove(&b.data, &b.len, NULL), 8);
	cr_assert_eq(b.data[20], IPPROTO_UDP_);
	rt_buf_free(&b);
	/* An SRH must have a segment. */
	orig[56] = RH_TYPE_SRH;
	cr_assert_eq(rthdr_peek(orig, olen, &type, &segleft, &got), -1);
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	rt_remove_refused(&b, NULL);
	rt_buf_free(&b);
}

/* SRH forms the member's or client's side may see. */
Test(rthdr, srh_forms)
{
	uint8_t		 orig[512];
	struct rt_buf	 b;
	struct pkt	 p;
	struct in6_addr	 got;
	uint8_t		 type, segleft;
	size_t		 olen;

	rt_addrs();
	olen = rt_build(orig, IPPROTO_TCP_, false, 40);
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, NULL,
	    RH_MODE_SRH, &rt_u), RH_SRH_LEN);

	/* As the member's kernel leaves it: SL 0, destination A. */
	b.data[54 + 3] = 0;
	memcpy(b.data + 38, &rt_a, 16);
	cr_assert_eq(rthdr_peek(b.data, b.len, &type, &segleft, &got), 0);
	cr_assert_eq(segleft, 0);
	cr_assert_arr_eq(&got, &rt_u, 16);
	/* Last Entry 0: the second 16 bytes are not a segment. */
	b.data[54 + 4] = 0;
	cr_assert_eq(rthdr_peek(b.data, b.len, &type, &segleft, &got), 0);
	cr_assert_arr_eq(&got, &rt_a, 16);
	cr_assert_eq(rthdr_remove(&b.data, &b.len, NULL), RH_SRH_LEN);
	cr_assert_arr_eq(b.data, orig, olen);
	cr_assert_eq(pkt_parse(b.data, b.len, &p), DROP_NONE);
	rt_buf_free(&b);
}

/* Ethernet padding after the packet stays where it is. */
Test(rthdr, ethernet_padding)
{
	uint8_t		 orig[128];
	struct rt_buf	 b;
	struct pkt	 p;
	size_t		 olen;

	rt_addrs();
	olen = rt_build(orig, IPPROTO_ICMPV6_, false, 0);	/* 62 bytes */
	memset(orig + olen, 0xee, 4);
	olen += 4;
	rt_buf_init(&b, orig, olen, RT_HEADROOM);
	cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, NULL,
	    RH_MODE_EXP, &rt_u), RH_EXP_LEN);
	cr_assert_eq(pkt_parse(b.data, b.len, &p), DROP_NONE);
	cr_assert_eq(p.l3_off + p.ip_len, b.len - 4);
	cr_assert_eq(rthdr_remove(&b.data, &b.len, NULL), RH_EXP_LEN);
	cr_assert_arr_eq(b.data, orig, olen);
	rt_buf_free(&b);
}

/*
 * An independent decoder's view: tshark reads the frames from a
 * savefile and must see the routing headers as this module means them.
 */
Test(rthdr, tshark_decodes)
{
	char			 dir[] = "/tmp/rthdr-XXXXXX", path[64], cmd[256];
	char			 line[512], out[1 << 16];
	uint8_t			 orig[256];
	struct rt_buf		 b[3];
	struct pcap_pkthdr	 h;
	pcap_t			*dead;
	pcap_dumper_t		*d;
	FILE			*fp;
	size_t			 olen, used = 0;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		cr_skip_test("tshark not installed");
	rt_addrs();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rh.pcap", dir);
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	cr_assert_not_null(dead);
	d = pcap_dump_open(dead, path);
	cr_assert_not_null(d);
	olen = rt_build(orig, IPPROTO_UDP_, false, 4);
	for (size_t m = 0; m < 3; m++) {
		rt_buf_init(&b[m], orig, olen, RT_HEADROOM);
		cr_assert_gt(rthdr_insert(&b[m].data, &b[m].len, RT_HEADROOM,
		    NULL, rt_modes[m], &rt_u), 0);
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(1700000000 + m);
		h.caplen = h.len = b[m].len;
		pcap_dump((u_char *)d, &h, b[m].data);
		rt_buf_free(&b[m]);
	}
	pcap_dump_close(d);
	pcap_close(dead);

	snprintf(cmd, sizeof(cmd),
	    "tshark -n -r %s -T fields -E separator=, -e ipv6.routing.type "
	    "-e ipv6.routing.segleft -e ipv6.dst -e udp.checksum.status "
	    "-o udp.check_checksum:TRUE 2>/dev/null", path);
	fp = popen(cmd, "r");
	cr_assert_not_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL &&
	    used + strlen(line) < sizeof(out)) {
		memcpy(out + used, line, strlen(line));
		used += strlen(line);
	}
	out[used] = '\0';
	cr_assert_eq(pclose(fp), 0);
	/* Checksum status 1 is Wireshark's "Good", verified against A. */
	unlink(path);
	rmdir(dir);
	cr_assert_str_eq(out,
	    "253,0,2001:db8:a::1,1\n"
	    "0,0,2001:db8:a::1,1\n"
	    "4,1,2001:db8:1::10,1\n", "tshark saw:\n%s", out);
}

/*
 * A UDP super-frame (USO): every datagram keeps its payload size, so
 * gso_size is left alone while the offsets move with the headers.
 */
Test(rthdr, gso_udp_keeps_datagram_size)
{
	uint8_t		 orig[8192];
	struct virtio_net_hdr v0, v;
	struct rt_buf	 b;
	struct pkt	 p;
	size_t		 olen, n;

	rt_addrs();
	for (size_t m = 0; m < 3; m++) {
		n = rthdr_len(rt_modes[m]);
		olen = rt_build(orig, IPPROTO_UDP_, false, 3 * 1200 + 17);
		memset(&v0, 0, sizeof(v0));
		v0.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		v0.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
		v0.gso_size = 1200;
		v0.hdr_len = 54 + 8;
		v0.csum_start = 54;
		v0.csum_offset = 6;
		v = v0;
		rt_buf_init(&b, orig, olen, RT_HEADROOM);
		cr_assert_eq(rthdr_insert(&b.data, &b.len, RT_HEADROOM, &v,
		    rt_modes[m], &rt_u), (int)n);
		cr_assert_eq(pkt_parse(b.data, b.len, &p), DROP_NONE);
		cr_assert_eq(v.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
		cr_assert_eq(v.gso_size, 1200);
		cr_assert_eq(v.csum_start, p.l4_off);
		cr_assert_eq(v.hdr_len, p.l4_off + 8);
		cr_assert_eq(rthdr_remove(&b.data, &b.len, &v), (int)n);
		cr_assert_arr_eq(&v, &v0, sizeof(v));
		cr_assert_arr_eq(b.data, orig, olen);
		rt_buf_free(&b);
	}
}

/*
 * A frame whose chain already holds PKT_MAX_EXT_HDRS headers would no
 * longer parse with one more: refused, untouched.  One fewer is fine.
 */
Test(rthdr, extension_header_chain_limit)
{
	uint8_t		 orig[256], *ip6 = orig + 14, *h;
	struct rt_buf	 b;
	struct pkt	 p;
	size_t		 olen, n;

	rt_addrs();
	for (int k = PKT_MAX_EXT_HDRS - 1; k <= PKT_MAX_EXT_HDRS; k++) {
		/* A UDP frame, then k Destination Options headers before it. */
		olen = rt_build(orig, IPPROTO_UDP_, false, 10);
		memmove(ip6 + 40 + 8 * k, ip6 + 40, olen - 54);
		for (int i = 0; i < k; i++) {
			h = ip6 + 40 + 8 * i;
			memset(h, 0, 8);
			h[0] = i + 1 < k ? IPPROTO_DSTOPTS_ : IPPROTO_UDP_;
			h[2] = 1;	/* PadN, 4 bytes */
			h[3] = 4;
		}
		ip6[6] = IPPROTO_DSTOPTS_;
		olen += 8 * (size_t)k;
		ip6[4] = (uint8_t)((olen - 54) >> 8);
		ip6[5] = (uint8_t)(olen - 54);
		cr_assert_eq(pkt_parse(orig, olen, &p), DROP_NONE);
		cr_assert_eq(p.n_ext, k);
		for (size_t m = 0; m < 3; m++) {
			n = rthdr_len(rt_modes[m]);
			rt_buf_init(&b, orig, olen, RT_HEADROOM);
			if (k == PKT_MAX_EXT_HDRS) {
				rt_insert_refused(&b, RT_HEADROOM, NULL,
				    rt_modes[m]);
			} else {
				cr_assert_eq(rthdr_insert(&b.data, &b.len,
				    RT_HEADROOM, NULL, rt_modes[m], &rt_u),
				    (int)n);
				cr_assert_eq(pkt_parse(b.data, b.len, &p),
				    DROP_NONE);
				cr_assert_eq(p.n_ext, k + 1);
				cr_assert_eq(p.proto, IPPROTO_UDP_);
			}
			rt_buf_free(&b);
		}
	}
}
