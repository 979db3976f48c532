/*
 * The membership protocol codec: round trips for every message type,
 * the wire layout byte by byte, tags computed independently with
 * libsodium's one-shot HMAC, every single-bit flip rejected, replays
 * rejected, truncations at every length, and TLV errors.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <criterion/criterion.h>

#include "member_proto.h"

static const uint8_t mpt_key[MP_KEY_LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static struct in6_addr
mpt_addr(const char *s)
{
	struct in6_addr	 a;

	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1, "bad address %s", s);
	return a;
}

static void
mpt_setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(member_proto, .init = mpt_setup);

/* A message of the given type carrying every TLV defined for it. */
static struct mp_msg
mpt_full(int type)
{
	struct mp_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)type;
	m.key_id = 0x1234;
	m.flags = type == MP_ANNOUNCE ? MP_FLAG_WITHDRAW : 0;
	m.group = mpt_addr("2001:db8:a::1");
	m.member = mpt_addr("2001:db8:1::10");
	m.seq = 0x0102030405060708ULL + (uint64_t)type;
	m.present = mp_tlvs_allowed(type);
	m.reason = MP_REASON_GROUP_FULL;
	m.session_op = MP_SESSION_END;
	m.sessions = 0xdeadbeef;
	m.load = 42;
	m.capacity = 100000;
	m.health = MP_HEALTH_UP;
	m.weight = 0xabcd;
	m.hold_time = 30;
	m.bandwidth = 0x10002;
	m.interval = 2500;
	m.flow.client = mpt_addr("2001:db8:1::10");
	m.flow.cport = 0xc350;
	m.flow.gport = 80;
	m.flow.proto = 6;
	return m;
}

/*
 * Build a body by hand from header values and raw TLV bytes, and tag it
 * with the one-shot HMAC over a contiguous src || body: an encoder
 * independent of the one under test.
 */
static size_t
mpt_raw(uint8_t *buf, uint8_t version, uint8_t type, const uint8_t *tlv,
    size_t tlv_len, const struct in6_addr *src, const uint8_t *key)
{
	struct in6_addr	 g = mpt_addr("2001:db8:a::1");
	struct in6_addr	 mb = mpt_addr("2001:db8:1::10");
	uint8_t		 mac_in[16 + MP_MAX_LEN];
	size_t		 len = MP_HDR_LEN + tlv_len;

	memset(buf, 0, MP_HDR_LEN);
	buf[0] = version;
	buf[1] = type;
	buf[2] = 0x00;
	buf[3] = 0x07;
	buf[6] = (uint8_t)(tlv_len >> 8);
	buf[7] = (uint8_t)tlv_len;
	memcpy(buf + 8, g.s6_addr, 16);
	memcpy(buf + 24, mb.s6_addr, 16);
	for (int i = 0; i < 8; i++)
		buf[40 + i] = (uint8_t)(0x11 * (i + 1));
	if (tlv_len > 0)
		memcpy(buf + MP_HDR_LEN, tlv, tlv_len);
	memcpy(mac_in, src->s6_addr, 16);
	memcpy(mac_in + 16, buf, len);
	crypto_auth_hmacsha256(buf + len, mac_in, 16 + len, key);
	return len + MP_TAG_LEN;
}

/* peek, verify and parse must all pass; returns the parsed message. */
static struct mp_msg
mpt_accept(const uint8_t *buf, size_t len, const struct in6_addr *src)
{
	struct mp_msg	 p, q;

	cr_assert_eq(mp_peek(buf, len, &p), 0);
	cr_assert_eq(mp_verify(buf, len, src, mpt_key), 0);
	cr_assert_eq(mp_parse_tlvs(buf, len, &q), 0);
	cr_assert_eq(q.type, p.type);
	cr_assert_eq(q.seq, p.seq);
	return q;
}

Test(member_proto, round_trip_every_type)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	uint8_t		 buf[MP_MAX_LEN];

	for (int type = MP_JOIN; type <= MP_TYPE_MAX; type++) {
		struct mp_msg	 m = mpt_full(type), p, q;
		ssize_t		 n;
		size_t		 want = MP_MIN_LEN;

		for (int t = 1; t <= MP_TLV_MAX; t++) {
			static const size_t vlen[] = {
				0, 1, 1, 4, 1, 4, 1, 2, 2, 4, 2, 21
			};

			if (m.present & MP_HAS(t))
				want += 2 + vlen[t];
		}
		n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
		cr_assert_eq(n, (ssize_t)want, "%s: length %zd, want %zu",
		    mp_type_name(type), n, want);

		cr_assert_eq(mp_peek(buf, (size_t)n, &p), 0);
		cr_assert_eq(p.version, MP_VERSION);
		cr_assert_eq(p.type, type);
		cr_assert_eq(p.key_id, 0x1234);
		cr_assert_eq(p.flags, m.flags);
		cr_assert_eq(memcmp(&p.group, &m.group, 16), 0);
		cr_assert_eq(memcmp(&p.member, &m.member, 16), 0);
		cr_assert_eq(p.seq, m.seq);
		cr_assert_eq(p.present, 0, "peek decodes no TLV");
		cr_assert_eq(mp_verify(buf, (size_t)n, &src, mpt_key), 0);

		cr_assert_eq(mp_parse_tlvs(buf, (size_t)n, &q), 0,
		    "%s", mp_type_name(type));
		cr_assert_eq(q.present, m.present);
		cr_assert_eq(q.type, m.type);
		cr_assert_eq(q.seq, m.seq);
		cr_assert_eq(q.key_id, m.key_id);
		cr_assert_eq(memcmp(&q.group, &m.group, 16), 0);
#define SAME(f, bit) if (m.present & (bit)) cr_assert_eq(q.f, m.f, \
	"%s: " #f, mp_type_name(type))
		SAME(reason, MP_HAS_REASON);
		SAME(session_op, MP_HAS_SESSION_OP);
		SAME(sessions, MP_HAS_SESSIONS);
		SAME(load, MP_HAS_LOAD);
		SAME(capacity, MP_HAS_CAPACITY);
		SAME(health, MP_HAS_HEALTH);
		SAME(weight, MP_HAS_WEIGHT);
		SAME(hold_time, MP_HAS_HOLD_TIME);
		SAME(bandwidth, MP_HAS_BANDWIDTH);
		SAME(interval, MP_HAS_INTERVAL);
		if (m.present & MP_HAS_FLOW)
			cr_assert_eq(memcmp(&q.flow, &m.flow, sizeof(m.flow)),
			    0, "%s: flow", mp_type_name(type));
#undef SAME
	}
}

Test(member_proto, tlvs_per_type)
{
	cr_assert_eq(mp_tlvs_allowed(MP_REJECT), MP_HAS_REASON);
	cr_assert_eq(mp_tlvs_allowed(MP_SESSION),
	    MP_HAS_SESSION_OP | MP_HAS_SESSIONS);
	cr_assert(mp_tlvs_allowed(MP_JOIN) & MP_HAS_HOLD_TIME);
	cr_assert(mp_tlvs_allowed(MP_JOIN) & MP_HAS_SESSIONS);
	cr_assert(mp_tlvs_allowed(MP_ACCEPT) & MP_HAS_HOLD_TIME);
	cr_assert(mp_tlvs_allowed(MP_ACCEPT) & MP_HAS_INTERVAL);
	cr_assert_eq(mp_tlvs_allowed(MP_REPORT) & (MP_HAS_LOAD |
	    MP_HAS_CAPACITY | MP_HAS_HEALTH | MP_HAS_SESSIONS),
	    MP_HAS_LOAD | MP_HAS_CAPACITY | MP_HAS_HEALTH | MP_HAS_SESSIONS);
	cr_assert_eq(mp_tlvs_allowed(MP_LEAVE), 0);
	cr_assert_eq(mp_tlvs_allowed(0), 0);
	cr_assert_eq(mp_tlvs_allowed(MP_FLOW_QUERY), MP_HAS_FLOW);
	cr_assert_eq(mp_tlvs_allowed(MP_FLOW_CLAIM), MP_HAS_FLOW);
	cr_assert_eq(mp_tlvs_allowed(MP_FLOW_CLAIM + 1), 0);
	cr_assert_eq(mp_tlvs_allowed(-1), 0);
}

Test(member_proto, minimal_messages)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	uint8_t		 buf[MP_MAX_LEN];
	static const int bare[] = {
		MP_JOIN, MP_ACCEPT, MP_LEAVE, MP_LEAVE_ACK, MP_ANNOUNCE,
		MP_REPORT
	};

	for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		struct mp_msg	 m = mpt_full(bare[i]), q;
		ssize_t		 n;

		m.present = 0;
		n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
		cr_assert_eq(n, MP_MIN_LEN);
		q = mpt_accept(buf, (size_t)n, &src);
		cr_assert_eq(q.present, 0);
	}
}

/* The layout of docs/protocol.md, byte by byte. */
Test(member_proto, wire_layout)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	struct mp_msg	 m;
	uint8_t		 buf[MP_MAX_LEN], mac_in[16 + MP_MAX_LEN];
	uint8_t		 tag[MP_TAG_LEN];
	ssize_t		 n;
	static const uint8_t want[] = {
		0x01, 0x08, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x09,
		/* group 2001:db8:a::1 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 1,
		/* member 2001:db8:1::10 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0x10,
		/* sequence */
		0x17, 0x9a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70,
		/* SESSIONS 258, LOAD 75 */
		0x03, 0x04, 0x00, 0x00, 0x01, 0x02,
		0x04, 0x01, 0x4b,
	};

	memset(&m, 0, sizeof(m));
	m.type = MP_REPORT;
	m.key_id = 0xbeef;
	m.group = mpt_addr("2001:db8:a::1");
	m.member = mpt_addr("2001:db8:1::10");
	m.seq = 0x179a2b3c4d5e6f70ULL;
	m.present = MP_HAS_LOAD | MP_HAS_SESSIONS;
	m.sessions = 258;
	m.load = 75;
	n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
	cr_assert_eq(n, (ssize_t)(sizeof(want) + MP_TAG_LEN));
	cr_assert_eq(memcmp(buf, want, sizeof(want)), 0);

	memcpy(mac_in, src.s6_addr, 16);
	memcpy(mac_in + 16, want, sizeof(want));
	crypto_auth_hmacsha256(tag, mac_in, 16 + sizeof(want), mpt_key);
	cr_assert_eq(memcmp(buf + sizeof(want), tag, MP_TAG_LEN), 0,
	    "tag is HMAC-SHA256(key, src || body)");
}

/* The test vector of docs/protocol.md §12, tag included. */
Test(member_proto, test_vector)
{
	static const uint8_t want[] = {
		0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
		0x17, 0x97, 0x9c, 0xfe, 0x3d, 0x85, 0xcd, 0x15,
		0x05, 0x04, 0x00, 0x00, 0x03, 0xe8, 0x07, 0x02,
		0x00, 0x0a, 0x08, 0x02, 0x00, 0x05, 0x09, 0x04,
		0x00, 0x00, 0x00, 0x64, 0x54, 0x53, 0xab, 0x57,
		0x34, 0xa5, 0x54, 0x94, 0xd4, 0xca, 0x27, 0xc8,
		0xb2, 0x3d, 0x9f, 0xb8, 0x54, 0x05, 0xc5, 0xcf,
		0x5d, 0xea, 0xbd, 0x54, 0xb9, 0xd1, 0x6c, 0xa6,
		0x51, 0x96, 0x77, 0x8a,
	};
	struct in6_addr	 src = mpt_addr("fe80::200:ff:fe00:10");
	uint8_t		 key[MP_KEY_LEN], buf[MP_MAX_LEN];
	struct mp_msg	 m, q;
	ssize_t		 n;

	cr_assert_eq(mp_key_from_hex("000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f", key), 0);
	memset(&m, 0, sizeof(m));
	m.type = MP_JOIN;
	m.key_id = 1;
	m.group = mpt_addr("2001:db8:a::80");
	m.member = mpt_addr("2001:db8:1::10");
	m.seq = 1700000000123456789ULL;
	m.present = MP_HAS_HOLD_TIME | MP_HAS_CAPACITY | MP_HAS_WEIGHT |
	    MP_HAS_BANDWIDTH;
	m.hold_time = 5;
	m.capacity = 1000;
	m.weight = 10;
	m.bandwidth = 100;
	n = mp_encode(buf, sizeof(buf), &src, &m, key);
	cr_assert_eq(n, (ssize_t)sizeof(want));
	cr_assert_eq(memcmp(buf, want, sizeof(want)), 0);

	cr_assert_eq(mp_verify(want, sizeof(want), &src, key), 0);
	cr_assert_eq(mp_parse_tlvs(want, sizeof(want), &q), 0);
	cr_assert_eq(q.hold_time, 5);
	cr_assert_eq(q.capacity, 1000);
	cr_assert_eq(q.bandwidth, 100);
}

static void
mpt_every_bit_flip(int type)
{
	struct in6_addr	 src = mpt_addr("fe80::2:1");
	struct mp_msg	 m = mpt_full(type), p;
	uint8_t		 buf[MP_MAX_LEN], flip[MP_MAX_LEN];
	ssize_t		 n;
	size_t		 len, tried = 0;

	n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
	cr_assert_gt(n, 0);
	len = (size_t)n;
	mpt_accept(buf, len, &src);

	for (size_t bit = 0; bit < len * 8; bit++) {
		memcpy(flip, buf, len);
		flip[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		cr_assert(mp_peek(flip, len, &p) != 0 ||
		    mp_verify(flip, len, &src, mpt_key) != 0,
		    "flip of body bit %zu accepted", bit);
		tried++;
	}
	for (size_t bit = 0; bit < 128; bit++) {
		struct in6_addr	 s = src;

		s.s6_addr[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		cr_assert_eq(mp_peek(buf, len, &p), 0);
		cr_assert_neq(mp_verify(buf, len, &s, mpt_key), 0,
		    "flip of source bit %zu accepted", bit);
		tried++;
	}
	cr_assert_eq(tried, len * 8 + 128);
}

Test(member_proto, every_bit_flip_rejected)
{
	mpt_every_bit_flip(MP_REPORT);
}

/* The 5-tuple of a flow query or claim is as well protected. */
Test(member_proto, every_bit_flip_rejected_flow)
{
	mpt_every_bit_flip(MP_FLOW_QUERY);
	mpt_every_bit_flip(MP_FLOW_CLAIM);
}

Test(member_proto, other_key_rejected)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	struct mp_msg	 m = mpt_full(MP_JOIN);
	uint8_t		 buf[MP_MAX_LEN], key2[MP_KEY_LEN];
	ssize_t		 n;

	n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
	cr_assert_gt(n, 0);
	for (size_t bit = 0; bit < MP_KEY_LEN * 8; bit += 37) {
		memcpy(key2, mpt_key, sizeof(key2));
		key2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		cr_assert_eq(mp_verify(buf, (size_t)n, &src, key2), -1);
	}
	memset(key2, 0, sizeof(key2));
	cr_assert_eq(mp_verify(buf, (size_t)n, &src, key2), -1);
	cr_assert_eq(mp_verify(buf, (size_t)n, &src, mpt_key), 0);
}

/* A receiver's keyring: the codec carries the id, the caller maps it. */
struct mpt_keyent {
	uint16_t	 id;
	uint8_t		 key[MP_KEY_LEN];
};

static const uint8_t *
mpt_keyring_get(const struct mpt_keyent *ring, size_t n, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ring[i].id == id)
			return ring[i].key;
	return NULL;
}

Test(member_proto, keyring_selects_by_id)
{
	struct mpt_keyent ring[3];
	struct in6_addr	 src = mpt_addr("fe80::7");
	uint8_t		 buf[MP_MAX_LEN];
	struct mp_msg	 m, p;
	const uint8_t	*k;
	ssize_t		 n;

	for (size_t i = 0; i < 3; i++) {
		ring[i].id = (uint16_t)(10 + i);
		memset(ring[i].key, (int)(0xa0 + i), MP_KEY_LEN);
	}

	/* Each key id verifies under its own key and under no other. */
	for (size_t i = 0; i < 3; i++) {
		m = mpt_full(MP_JOIN);
		m.key_id = ring[i].id;
		n = mp_encode(buf, sizeof(buf), &src, &m, ring[i].key);
		cr_assert_gt(n, 0);
		cr_assert_eq(mp_peek(buf, (size_t)n, &p), 0);
		k = mpt_keyring_get(ring, 3, p.key_id);
		cr_assert_eq(k, ring[i].key);
		cr_assert_eq(mp_verify(buf, (size_t)n, &src, k), 0);
		for (size_t j = 0; j < 3; j++)
			if (j != i)
				cr_assert_eq(mp_verify(buf, (size_t)n, &src,
				    ring[j].key), -1);
	}

	/* An id not in the ring: the caller drops (unknown key). */
	m = mpt_full(MP_JOIN);
	m.key_id = 99;
	n = mp_encode(buf, sizeof(buf), &src, &m, ring[0].key);
	cr_assert_eq(mp_peek(buf, (size_t)n, &p), 0);
	cr_assert_null(mpt_keyring_get(ring, 3, p.key_id));

	/* Rewriting the id to point at another key breaks the tag. */
	m.key_id = 10;
	n = mp_encode(buf, sizeof(buf), &src, &m, ring[0].key);
	buf[MP_OFF_KEY_ID + 1] = 11;
	cr_assert_eq(mp_peek(buf, (size_t)n, &p), 0);
	k = mpt_keyring_get(ring, 3, p.key_id);
	cr_assert_eq(k, ring[1].key);
	cr_assert_eq(mp_verify(buf, (size_t)n, &src, k), -1);
	cr_assert_eq(mp_verify(buf, (size_t)n, &src, ring[0].key), -1);
}

Test(member_proto, replay)
{
	uint64_t	 last = 0;

	cr_assert(!mp_seq_accept(&last, 0), "0 is never newer");
	cr_assert(mp_seq_accept(&last, 1000));
	cr_assert_eq(last, 1000);
	cr_assert(!mp_seq_accept(&last, 1000), "same seq");
	cr_assert(!mp_seq_accept(&last, 999), "older seq");
	cr_assert(!mp_seq_accept(&last, 1), "much older seq");
	cr_assert_eq(last, 1000, "a refused seq leaves state alone");
	cr_assert(mp_seq_accept(&last, 1001));
	cr_assert(mp_seq_accept(&last, 5000000000ULL));
	cr_assert(!mp_seq_accept(&last, 1001));
	cr_assert(mp_seq_accept(&last, UINT64_MAX));
	cr_assert(!mp_seq_accept(&last, UINT64_MAX));
	cr_assert_eq(last, UINT64_MAX);
}

Test(member_proto, made_since_start)
{
	uint64_t	 start = 1700000000ull * 1000000000ull;

	cr_assert(mp_seq_since(start, start), "made at the start");
	cr_assert(mp_seq_since(start + 1, start));
	cr_assert(mp_seq_since(UINT64_MAX, start));
	cr_assert(!mp_seq_since(start - 1, start), "1 ns before the start");
	cr_assert(!mp_seq_since(0, start));
	cr_assert(mp_seq_since(0, 0), "a receiver with no start takes all");
}

Test(member_proto, replay_of_encoded_messages)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	uint8_t		 old[MP_MAX_LEN], cur[MP_MAX_LEN];
	struct mp_msg	 m = mpt_full(MP_SESSION), p;
	uint64_t	 last = 0;
	ssize_t		 no, nc;

	m.seq = 1700000000000000000ULL;
	no = mp_encode(old, sizeof(old), &src, &m, mpt_key);
	m.seq += 1;
	nc = mp_encode(cur, sizeof(cur), &src, &m, mpt_key);

	p = mpt_accept(old, (size_t)no, &src);
	cr_assert(mp_seq_accept(&last, p.seq));
	p = mpt_accept(cur, (size_t)nc, &src);
	cr_assert(mp_seq_accept(&last, p.seq));
	/* Both still authentic, neither fresh any more. */
	p = mpt_accept(cur, (size_t)nc, &src);
	cr_assert(!mp_seq_accept(&last, p.seq));
	p = mpt_accept(old, (size_t)no, &src);
	cr_assert(!mp_seq_accept(&last, p.seq));
}

/* A claim captured and sent again is refused like any other message. */
Test(member_proto, replay_of_flow_claim)
{
	struct in6_addr	 src = mpt_addr("2001:db8:1::10");
	uint8_t		 buf[MP_MAX_LEN];
	struct mp_msg	 m = mpt_full(MP_FLOW_CLAIM), p;
	uint64_t	 last = 0;
	ssize_t		 n;

	m.seq = 1700000000000000000ULL;
	n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
	cr_assert_gt(n, 0);
	p = mpt_accept(buf, (size_t)n, &src);
	cr_assert(mp_seq_accept(&last, p.seq));
	p = mpt_accept(buf, (size_t)n, &src);
	cr_assert(!mp_seq_accept(&last, p.seq), "the same claim again");
}

/* FLOW: 21 bytes, client, client port, group port, protocol. */
Test(member_proto, flow_tlv_layout)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	uint8_t		 buf[MP_MAX_LEN];
	struct mp_msg	 m = mpt_full(MP_FLOW_QUERY), q;
	static const uint8_t want[2 + 21] = {
		11, 21, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0x10, 0xc3, 0x50, 0x00, 80, 6,
	};
	ssize_t		 n;

	n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
	cr_assert_eq(n, MP_MIN_LEN + (ssize_t)sizeof(want));
	cr_assert_eq(buf[MP_OFF_TLV_LEN + 1], sizeof(want));
	cr_assert_eq(memcmp(buf + MP_OFF_TLV, want, sizeof(want)), 0);

	/* Wrong length, a client that is no unicast, protocol 0. */
	for (int c = 0; c < 3; c++) {
		uint8_t	 tlv[2 + 22];
		size_t	 tl = sizeof(want);

		memcpy(tlv, want, sizeof(want));
		if (c == 0) {
			tlv[1] = 22;
			tlv[23] = 0;
			tl = sizeof(tlv);
		} else if (c == 1) {
			memset(tlv + 2, 0, 16);
		} else
			tlv[22] = 0;
		n = (ssize_t)mpt_raw(buf, MP_VERSION, MP_FLOW_CLAIM, tlv, tl,
		    &src, mpt_key);
		cr_assert_eq(mp_verify(buf, (size_t)n, &src, mpt_key), 0);
		cr_assert_eq(mp_parse_tlvs(buf, (size_t)n, &q),
		    MP_REASON_MALFORMED, "case %d", c);
	}
	/* FLOW is required. */
	n = (ssize_t)mpt_raw(buf, MP_VERSION, MP_FLOW_QUERY, NULL, 0, &src,
	    mpt_key);
	cr_assert_eq(mp_parse_tlvs(buf, (size_t)n, &q), MP_REASON_MALFORMED);
}

Test(member_proto, freshness_window)
{
	uint64_t	 now = 1700000000000000000ULL;
	uint64_t	 w = MP_DEFAULT_SEQ_WINDOW;

	cr_assert(mp_seq_fresh(now, now, w));
	cr_assert(mp_seq_fresh(now - w, now, w));
	cr_assert(mp_seq_fresh(now + w, now, w));
	cr_assert(!mp_seq_fresh(now - w - 1, now, w));
	cr_assert(!mp_seq_fresh(now + w + 1, now, w));
	cr_assert(!mp_seq_fresh(0, now, w));
	cr_assert(!mp_seq_fresh(UINT64_MAX, now, w));
	cr_assert(mp_seq_fresh(5, 0, 10));
	cr_assert(mp_seq_fresh(UINT64_MAX - 5, UINT64_MAX, 10));
}

/* Every prefix, each in a heap block of its exact size (for ASan). */
Test(member_proto, truncated_at_every_length)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	struct mp_msg	 m = mpt_full(MP_JOIN), p;
	uint8_t		 buf[MP_MAX_LEN + 1];
	ssize_t		 n;

	n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
	cr_assert_gt(n, MP_MIN_LEN);
	for (size_t len = 0; len < (size_t)n; len++) {
		uint8_t	*t = malloc(len ? len : 1);

		cr_assert_not_null(t);
		memcpy(t, buf, len);
		cr_assert_eq(mp_peek(t, len, &p), MP_REASON_MALFORMED,
		    "length %zu", len);
		cr_assert_eq(mp_verify(t, len, &src, mpt_key), -1,
		    "length %zu", len);
		cr_assert_eq(mp_parse_tlvs(t, len, &p), MP_REASON_MALFORMED,
		    "length %zu", len);
		free(t);
	}

	/* One trailing byte too many. */
	buf[n] = 0;
	cr_assert_eq(mp_peek(buf, (size_t)n + 1, &p), MP_REASON_MALFORMED);
	cr_assert_eq(mp_verify(buf, (size_t)n + 1, &src, mpt_key), -1);
}

/* A short message whose TLV length field was shrunk to match. */
Test(member_proto, truncated_with_consistent_length)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	struct mp_msg	 m = mpt_full(MP_REPORT), p;
	uint8_t		 buf[MP_MAX_LEN];
	ssize_t		 n;
	size_t		 tl;

	n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
	tl = (size_t)n - MP_MIN_LEN;
	cr_assert_gt(tl, 6);
	buf[MP_OFF_TLV_LEN] = 0;
	buf[MP_OFF_TLV_LEN + 1] = (uint8_t)(tl - 6);
	cr_assert_eq(mp_peek(buf, (size_t)n - 6, &p), 0);
	cr_assert_eq(mp_verify(buf, (size_t)n - 6, &src, mpt_key), -1);
}

Test(member_proto, peek_rejects_bad_headers)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	uint8_t		 buf[MP_MAX_LEN + 64];
	struct mp_msg	 p;
	size_t		 len;
	static const uint8_t bad_types[] = {
		0, 11, 12, 200, 255
	};

	len = mpt_raw(buf, MP_VERSION, MP_JOIN, NULL, 0, &src, mpt_key);
	cr_assert_eq(mp_peek(buf, len, &p), 0);

	len = mpt_raw(buf, 0, MP_JOIN, NULL, 0, &src, mpt_key);
	cr_assert_eq(mp_peek(buf, len, &p), MP_REASON_MALFORMED, "version 0");
	len = mpt_raw(buf, 2, MP_JOIN, NULL, 0, &src, mpt_key);
	cr_assert_eq(mp_peek(buf, len, &p), MP_REASON_MALFORMED, "version 2");
	cr_assert_eq(mp_parse_tlvs(buf, len, &p), MP_REASON_MALFORMED);

	for (size_t i = 0; i < sizeof(bad_types); i++) {
		len = mpt_raw(buf, MP_VERSION, bad_types[i], NULL, 0, &src,
		    mpt_key);
		cr_assert_eq(mp_verify(buf, len, &src, mpt_key), 0);
		cr_assert_eq(mp_peek(buf, len, &p), MP_REASON_MALFORMED,
		    "type %u", bad_types[i]);
		cr_assert_eq(mp_parse_tlvs(buf, len, &p), MP_REASON_MALFORMED);
	}

	/* Group or member multicast, unspecified or loopback. */
	static const char *const bad_addrs[] = { "ff02::1", "::", "::1" };
	for (size_t i = 0; i < 3; i++) {
		struct in6_addr	 a = mpt_addr(bad_addrs[i]);

		len = mpt_raw(buf, MP_VERSION, MP_JOIN, NULL, 0, &src,
		    mpt_key);
		memcpy(buf + MP_OFF_GROUP, a.s6_addr, 16);
		cr_assert_eq(mp_peek(buf, len, &p), MP_REASON_MALFORMED,
		    "group %s", bad_addrs[i]);
		len = mpt_raw(buf, MP_VERSION, MP_JOIN, NULL, 0, &src,
		    mpt_key);
		memcpy(buf + MP_OFF_MEMBER, a.s6_addr, 16);
		cr_assert_eq(mp_peek(buf, len, &p), MP_REASON_MALFORMED,
		    "member %s", bad_addrs[i]);
	}

	/* A TLV area of exactly MP_MAX_TLV bytes, then one more. */
	{
		uint8_t	 tlv[MP_MAX_TLV + 1];

		memset(tlv, 0, sizeof(tlv));
		tlv[0] = 0xf0;		/* unknown, 252 bytes: 0..253 */
		tlv[1] = 252;
		tlv[254] = 0xf1;	/* unknown, empty: 254..255 */
		tlv[255] = 0;
		len = mpt_raw(buf, MP_VERSION, MP_REPORT, tlv, MP_MAX_TLV,
		    &src, mpt_key);
		cr_assert_eq(len, MP_MAX_LEN);
		cr_assert_eq(mp_peek(buf, len, &p), 0);
		cr_assert_eq(mp_verify(buf, len, &src, mpt_key), 0);
		cr_assert_eq(mp_parse_tlvs(buf, len, &p), 0, "exactly full");

		tlv[1] = 253;		/* now 0..254, one byte left over */
		len = mpt_raw(buf, MP_VERSION, MP_REPORT, tlv, MP_MAX_TLV,
		    &src, mpt_key);
		cr_assert_eq(mp_parse_tlvs(buf, len, &p), MP_REASON_MALFORMED,
		    "a 1-byte tail is a cut TLV header");

		len = mpt_raw(buf, MP_VERSION, MP_REPORT, tlv, MP_MAX_TLV + 1,
		    &src, mpt_key);
		cr_assert_eq(len, MP_MAX_LEN + 1);
		cr_assert_eq(mp_peek(buf, len, &p), MP_REASON_MALFORMED);
		cr_assert_eq(mp_verify(buf, len, &src, mpt_key), -1);
		cr_assert_eq(mp_parse_tlvs(buf, len, &p), MP_REASON_MALFORMED);
	}
}

/* Authentic messages whose TLVs are wrong: refused by parse only. */
Test(member_proto, tlv_errors)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	uint8_t		 buf[MP_MAX_LEN];
	struct mp_msg	 p;
	size_t		 len;
	static const struct {
		uint8_t		 type;
		uint8_t		 tlv[16];
		size_t		 len;
		const char	*what;
	} bad[] = {
		{ MP_REPORT, { 4, 1, 50, 3 }, 4, "header cut after type" },
		{ MP_REPORT, { 4 }, 1, "lone type byte" },
		{ MP_REPORT, { 4, 2, 50 }, 3, "value overruns area" },
		{ MP_REPORT, { 0xf0, 5, 1, 2, 3 }, 5, "unknown overruns" },
		{ MP_REPORT, { 4, 2, 50, 0 }, 4, "LOAD of 2 bytes" },
		{ MP_REPORT, { 3, 2, 0, 1 }, 4, "SESSIONS of 2 bytes" },
		{ MP_REPORT, { 3, 0 }, 2, "SESSIONS of 0 bytes" },
		{ MP_REPORT, { 4, 1, 50, 4, 1, 60 }, 6, "duplicate LOAD" },
		{ MP_REPORT, { 4, 1, 50, 0xf0, 0, 4, 1, 50 }, 8,
		    "duplicate LOAD around an unknown TLV" },
		{ MP_REPORT, { 4, 1, 101 }, 3, "LOAD 101" },
		{ MP_REPORT, { 6, 1, 2 }, 3, "HEALTH 2" },
		{ MP_SESSION, { 2, 1, 3 }, 3, "SESSION_OP 3" },
		{ MP_SESSION, { 2, 1, 0 }, 3, "SESSION_OP 0" },
		{ MP_SESSION, { 0 }, 0, "SESSION without op or count" },
		{ MP_SESSION, { 0xf0, 1, 1 }, 3,
		    "SESSION with only an unknown TLV" },
		{ MP_REJECT, { 0 }, 0, "REJECT without REASON" },
		{ MP_REJECT, { 1, 1, 0 }, 3, "REASON 0" },
		{ MP_JOIN, { 8, 2, 0, 0 }, 4, "HOLD_TIME 0" },
		{ MP_ACCEPT, { 10, 2, 0, 0 }, 4, "INTERVAL 0" },
		{ MP_ACCEPT, { 8, 1, 5 }, 3, "HOLD_TIME of 1 byte" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = mpt_raw(buf, MP_VERSION, bad[i].type, bad[i].tlv,
		    bad[i].len, &src, mpt_key);
		cr_assert_eq(mp_peek(buf, len, &p), 0, "%s", bad[i].what);
		cr_assert_eq(mp_verify(buf, len, &src, mpt_key), 0, "%s",
		    bad[i].what);
		cr_assert_eq(mp_parse_tlvs(buf, len, &p), MP_REASON_MALFORMED,
		    "%s", bad[i].what);
	}
}

Test(member_proto, unknown_tlvs_skipped)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	uint8_t		 buf[MP_MAX_LEN];
	struct mp_msg	 p;
	size_t		 len;
	static const uint8_t tlv[] = {
		0xc8, 3, 0xff, 0xff, 0xff,	/* unknown type 200 */
		4, 1, 17,			/* LOAD 17 */
		0, 0,				/* type 0: unknown, empty */
		1, 3, 9, 9, 9,			/* REASON, not for REPORT */
		11, 1, 1,			/* the next type to come */
		3, 4, 0, 0, 0, 5,		/* SESSIONS 5 */
		0xfe, 0,			/* unknown, empty, at the end */
	};

	len = mpt_raw(buf, MP_VERSION, MP_REPORT, tlv, sizeof(tlv), &src,
	    mpt_key);
	p = mpt_accept(buf, len, &src);
	cr_assert_eq(p.present, MP_HAS_LOAD | MP_HAS_SESSIONS);
	cr_assert_eq(p.load, 17);
	cr_assert_eq(p.sessions, 5);
	cr_assert_eq(p.reason, 0, "REASON is not decoded in a REPORT");
}

Test(member_proto, encode_small_buffer)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	struct mp_msg	 m = mpt_full(MP_REPORT);
	uint8_t		 buf[MP_MAX_LEN + 16];
	ssize_t		 n;

	n = mp_encode(buf, sizeof(buf), &src, &m, mpt_key);
	cr_assert_gt(n, 0);
	for (size_t cap = 0; cap < (size_t)n; cap++) {
		memset(buf, 0x5a, sizeof(buf));
		cr_assert_eq(mp_encode(buf, cap, &src, &m, mpt_key), -1,
		    "cap %zu", cap);
		for (size_t i = cap; i < sizeof(buf); i++)
			cr_assert_eq(buf[i], 0x5a, "wrote byte %zu past cap "
			    "%zu", i, cap);
	}
	cr_assert_eq(mp_encode(buf, (size_t)n, &src, &m, mpt_key), n);
}

Test(member_proto, encode_refuses_invalid)
{
	struct in6_addr	 src = mpt_addr("fe80::1");
	uint8_t		 buf[MP_MAX_LEN];
	struct mp_msg	 m;

#define REFUSE(what) cr_assert_eq(mp_encode(buf, sizeof(buf), &src, &m, \
	mpt_key), -1, what)
	m = mpt_full(MP_REPORT);
	m.type = 0; REFUSE("type 0");
	m = mpt_full(MP_FLOW_QUERY);
	m.present = 0; REFUSE("FLOW_QUERY without FLOW");
	m = mpt_full(MP_FLOW_CLAIM);
	m.present = 0; REFUSE("FLOW_CLAIM without FLOW");
	m = mpt_full(MP_FLOW_CLAIM);
	m.flow.proto = 0; REFUSE("FLOW protocol 0");
	m = mpt_full(MP_FLOW_QUERY);
	m.flow.client = mpt_addr("ff02::1"); REFUSE("FLOW multicast client");
	m = mpt_full(MP_REPORT);
	m.type = 11; REFUSE("type 11");
	m = mpt_full(MP_REPORT);
	m.present |= MP_HAS_REASON; REFUSE("REASON in REPORT");
	m = mpt_full(MP_JOIN);
	m.present |= MP_HAS(0); REFUSE("TLV 0");
	m = mpt_full(MP_JOIN);
	m.present |= MP_HAS(20); REFUSE("undefined TLV bit");
	m = mpt_full(MP_REPORT);
	m.load = 101; REFUSE("LOAD 101");
	m = mpt_full(MP_REPORT);
	m.health = 2; REFUSE("HEALTH 2");
	m = mpt_full(MP_SESSION);
	m.session_op = 0; REFUSE("SESSION_OP 0");
	m = mpt_full(MP_SESSION);
	m.present = 0; REFUSE("SESSION empty");
	m = mpt_full(MP_REJECT);
	m.present = 0; REFUSE("REJECT without REASON");
	m = mpt_full(MP_REJECT);
	m.reason = 0; REFUSE("REASON 0");
	m = mpt_full(MP_JOIN);
	m.hold_time = 0; REFUSE("HOLD_TIME 0");
	m = mpt_full(MP_ACCEPT);
	m.interval = 0; REFUSE("INTERVAL 0");
	m = mpt_full(MP_JOIN);
	m.group = mpt_addr("ff0e::1"); REFUSE("multicast group");
	m = mpt_full(MP_JOIN);
	m.member = mpt_addr("::"); REFUSE("unspecified member");
#undef REFUSE

	/* SESSION with only the count is valid, as is one with only op. */
	m = mpt_full(MP_SESSION);
	m.present = MP_HAS_SESSIONS;
	cr_assert_gt(mp_encode(buf, sizeof(buf), &src, &m, mpt_key), 0);
	m.present = MP_HAS_SESSION_OP;
	cr_assert_gt(mp_encode(buf, sizeof(buf), &src, &m, mpt_key), 0);
	/* Values at the edges of their ranges. */
	m = mpt_full(MP_REPORT);
	m.load = 100;
	m.health = MP_HEALTH_DOWN;
	m.weight = 0;
	m.sessions = UINT32_MAX;
	cr_assert_gt(mp_encode(buf, sizeof(buf), &src, &m, mpt_key), 0);
	/* Any version asked for, version 1 written. */
	m.version = 9;
	cr_assert_gt(mp_encode(buf, sizeof(buf), &src, &m, mpt_key), 0);
	cr_assert_eq(buf[0], MP_VERSION);
	m = mpt_full(MP_REJECT);
	m.reason = 200;		/* a reason from a later version */
	cr_assert_gt(mp_encode(buf, sizeof(buf), &src, &m, mpt_key), 0);
	cr_assert_eq(mpt_accept(buf, MP_MIN_LEN + 3, &src).reason, 200);
}

Test(member_proto, ip6_header_checks)
{
	struct in6_addr	 ll = mpt_addr("fe80::1");
	struct in6_addr	 gl = mpt_addr("2001:db8:1::10");
	struct in6_addr	 rtr = mpt_addr("fe80::ff:1");
	struct in6_addr	 all = mpt_addr("ff02::1");
	struct in6_addr	 allr = mpt_addr("ff02::2");
	struct in6_addr	 unspec = mpt_addr("::");

	cr_assert_eq(mp_check_ip6(255, &ll, &rtr, MP_JOIN), 0);
	cr_assert_eq(mp_check_ip6(255, &gl, &rtr, MP_REPORT), 0);
	cr_assert_eq(mp_check_ip6(255, &rtr, &gl, MP_ACCEPT), 0);
	cr_assert_eq(mp_check_ip6(255, &ll, &all, MP_ANNOUNCE), 0);
	for (int h = 0; h < 255; h++)
		cr_assert_eq(mp_check_ip6((uint8_t)h, &ll, &rtr, MP_JOIN),
		    MP_REASON_MALFORMED, "hop limit %d", h);
	cr_assert_eq(mp_check_ip6(254, &ll, &all, MP_ANNOUNCE),
	    MP_REASON_MALFORMED);
	cr_assert_eq(mp_check_ip6(255, &ll, &rtr, MP_ANNOUNCE),
	    MP_REASON_MALFORMED, "ANNOUNCE goes to ff02::1");
	cr_assert_eq(mp_check_ip6(255, &ll, &allr, MP_ANNOUNCE),
	    MP_REASON_MALFORMED);
	cr_assert_eq(mp_check_ip6(255, &ll, &all, MP_JOIN),
	    MP_REASON_MALFORMED, "only ANNOUNCE is multicast");
	cr_assert_eq(mp_check_ip6(255, &unspec, &rtr, MP_JOIN),
	    MP_REASON_MALFORMED);
	cr_assert_eq(mp_check_ip6(255, &all, &rtr, MP_JOIN),
	    MP_REASON_MALFORMED);
}

Test(member_proto, key_from_hex)
{
	uint8_t		 key[MP_KEY_LEN], before[MP_KEY_LEN];
	char		 hex[80];

	for (int i = 0; i < MP_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", mpt_key[i]);
	cr_assert_eq(mp_key_from_hex(hex, key), 0);
	cr_assert_eq(memcmp(key, mpt_key, MP_KEY_LEN), 0);

	cr_assert_eq(mp_key_from_hex("00112233445566778899AABBCCDDEEFF"
	    "00112233445566778899aabbccddeeff", key), 0);
	cr_assert_eq(key[10], 0xaa);
	cr_assert_eq(key[31], 0xff);

	memcpy(before, key, sizeof(key));
	hex[63] = '\0';
	cr_assert_eq(mp_key_from_hex(hex, key), -1, "63 digits");
	for (int i = 0; i < MP_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", mpt_key[i]);
	strcat(hex, "0");
	cr_assert_eq(mp_key_from_hex(hex, key), -1, "65 digits");
	hex[64] = '\0';
	hex[17] = 'g';
	cr_assert_eq(mp_key_from_hex(hex, key), -1, "non-hex digit");
	hex[17] = ' ';
	cr_assert_eq(mp_key_from_hex(hex, key), -1, "space");
	hex[17] = ':';
	cr_assert_eq(mp_key_from_hex(hex, key), -1, "colon");
	cr_assert_eq(mp_key_from_hex("", key), -1);
	cr_assert_eq(memcmp(key, before, MP_KEY_LEN), 0,
	    "key untouched on failure");
}

Test(member_proto, names)
{
	cr_assert_str_eq(mp_type_name(MP_JOIN), "join");
	cr_assert_str_eq(mp_type_name(MP_LEAVE_ACK), "leave_ack");
	cr_assert_str_eq(mp_type_name(MP_REPORT), "report");
	cr_assert_str_eq(mp_type_name(MP_FLOW_CLAIM), "flow_claim");
	cr_assert_str_eq(mp_type_name(0), "unknown");
	cr_assert_str_eq(mp_type_name(11), "unknown");
	cr_assert_str_eq(mp_type_name(-1), "unknown");
	cr_assert_str_eq(mp_reason_name(0), "ok");
	cr_assert_str_eq(mp_reason_name(MP_REASON_REPLAY), "replay");
	cr_assert_str_eq(mp_reason_name(MP_REASON_RATE_LIMITED),
	    "rate_limited");
	cr_assert_str_eq(mp_reason_name(MP_REASON_NOT_MEMBER), "not_member");
	cr_assert_str_eq(mp_reason_name(10), "unknown");
	cr_assert_str_eq(mp_reason_name(-3), "unknown");
}
