/*
 * The E-BB message codec: round trips for every type and path length,
 * the byte layout of docs/ebb.md written by hand and tagged with
 * libsodium's one-shot HMAC, every single-bit flip and every truncation
 * refused, keys, source binding, and each field limit on both sides.
 */
#include <arpa/inet.h>
#include <string.h>

#include <sodium.h>
#include <criterion/criterion.h>

#include "ebb_proto.h"

static struct ebb_key	 ebt_key = { .id = 0x0102 };
static struct ebb_key	 ebt_other = { .id = 0x0304 };

static struct in6_addr
ebt_addr(const char *s)
{
	struct in6_addr	 a;

	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1, "bad address %s", s);
	return a;
}

static void
ebt_setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	for (int i = 0; i < EBB_KEY_LEN; i++) {
		ebt_key.key[i] = (uint8_t)(0xa0 + i);
		ebt_other.key[i] = (uint8_t)(0x30 + 3 * i);
	}
}

TestSuite(ebb_proto, .init = ebt_setup);

/* A message of type t with every field of struct ebb_msg set. */
static struct ebb_msg
ebt_full(int t, unsigned int npath)
{
	struct ebb_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)t;
	m.key_id = 0xeeee;	/* not what is sent: the key's id is */
	m.seq = 0x1122334455667788ULL + (uint64_t)t;
	m.sender = ebt_addr("2001:db8:ff::2");
	m.req_id = 0xa1b2c3d4;
	m.origin = ebt_addr("2001:db8:ff::1");
	m.group = ebt_addr("2001:db8:a::53");
	m.npath = (uint8_t)npath;
	for (unsigned int i = 0; i < EBB_MAX_PATH; i++) {
		m.path[i] = ebt_addr("2001:db8:ff::");
		m.path[i].s6_addr[15] = (uint8_t)(i + 1);
	}
	m.hops = (uint8_t)(npath < EBB_MAX_PATH ? npath : EBB_MAX_PATH);
	m.bw_mbit = 40;
	m.server = ebt_addr("2001:db8:3::10");
	m.load_pct = 35;
	m.kbit = 2000;
	m.lifetime_ms = 30000;
	return m;
}

/* What a receiver gets back from ebt_full(): only the type's fields. */
static struct ebb_msg
ebt_expect(const struct ebb_msg *m)
{
	struct ebb_msg	 e = *m;

	e.key_id = ebt_key.id;
	for (unsigned int i = e.npath; i < EBB_MAX_PATH; i++)
		memset(&e.path[i], 0, sizeof(e.path[i]));
	if (e.type != EBB_ANSWER) {
		memset(&e.server, 0, sizeof(e.server));
		e.load_pct = 0;
	}
	if (e.type == EBB_DISCOVER || e.type == EBB_ANSWER) {
		e.kbit = 0;
		e.lifetime_ms = 0;
	}
	return e;
}

/* Tag len bytes at buf again, with the one-shot HMAC over src || body. */
static void
ebt_retag(uint8_t *buf, size_t len, const struct in6_addr *src,
    const struct ebb_key *k)
{
	uint8_t		 in[16 + EBB_MAX_LEN];

	cr_assert_geq(len, EBB_TAG_LEN);
	memcpy(in, src->s6_addr, 16);
	memcpy(in + 16, buf, len - EBB_TAG_LEN);
	crypto_auth_hmacsha256(buf + len - EBB_TAG_LEN, in,
	    16 + len - EBB_TAG_LEN, k->key);
}

static size_t
ebt_encode(const struct ebb_msg *m, const struct in6_addr *src,
    uint8_t *buf)
{
	int	 n = ebb_encode(m, &ebt_key, src, buf, EBB_MAX_LEN);

	cr_assert_gt(n, 0, "%s with %u routers not encoded",
	    ebb_type_name(m->type), m->npath);
	return (size_t)n;
}

static enum ebb_err
ebt_decode(const uint8_t *buf, size_t len, const struct in6_addr *src,
    struct ebb_msg *m)
{
	struct ebb_key	 keys[2] = { ebt_other, ebt_key };

	return ebb_decode(buf, len, src, keys, 2, m);
}

Test(ebb_proto, round_trip_every_type)
{
	static const unsigned int npaths[] = { 0, 1, 3, EBB_MAX_PATH };
	static const size_t tlen[] = { 0, 0, 20, 8, 8, 8, 8 };
	struct in6_addr	 src = ebt_addr("fe80::1");
	uint8_t		 buf[EBB_MAX_LEN];

	for (int t = EBB_DISCOVER; t < EBB_TYPE_MAX; t++) {
		for (size_t i = 0; i < sizeof(npaths) / sizeof(npaths[0]);
		    i++) {
			struct ebb_msg	 m = ebt_full(t, npaths[i]), d, e;
			size_t		 n = ebt_encode(&m, &src, buf);

			cr_assert_eq(n, 72 + tlen[t] + 16 * npaths[i] + 32,
			    "%s: %zu bytes", ebb_type_name(t), n);
			cr_assert_eq(n, ebb_msg_len(t, npaths[i]));
			cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_OK,
			    "%s with %u routers", ebb_type_name(t),
			    npaths[i]);
			e = ebt_expect(&m);
			cr_assert_eq(memcmp(&d, &e, sizeof(d)), 0,
			    "%s with %u routers: decoded differs",
			    ebb_type_name(t), npaths[i]);
		}
	}
}

/* The layout of docs/ebb.md, written byte by byte. */
Test(ebb_proto, layout_by_hand)
{
	struct in6_addr	 src = ebt_addr("fe80::2");
	struct ebb_msg	 m = ebt_full(EBB_ANSWER, 2);
	uint8_t		 want[EBB_MAX_LEN], buf[EBB_MAX_LEN];
	size_t		 n;

	memset(want, 0, sizeof(want));
	want[0] = 1;
	want[1] = EBB_ANSWER;
	want[2] = 0x01; want[3] = 0x02;		/* key id */
	want[6] = 2;				/* npath */
	want[7] = 2;				/* hops */
	for (int i = 0; i < 8; i++)
		want[8 + i] = (uint8_t)(m.seq >> (56 - 8 * i));
	memcpy(want + 16, m.sender.s6_addr, 16);
	want[32] = 0xa1; want[33] = 0xb2; want[34] = 0xc3; want[35] = 0xd4;
	want[39] = 40;				/* Mbit/s */
	memcpy(want + 40, m.origin.s6_addr, 16);
	memcpy(want + 56, m.group.s6_addr, 16);
	memcpy(want + 72, m.server.s6_addr, 16);
	want[88] = 35;				/* load, then 3 zero bytes */
	memcpy(want + 92, m.path[0].s6_addr, 16);
	memcpy(want + 108, m.path[1].s6_addr, 16);
	ebt_retag(want, 156, &src, &ebt_key);

	n = ebt_encode(&m, &src, buf);
	cr_assert_eq(n, 156);
	cr_assert_eq(memcmp(buf, want, n), 0, "ANSWER bytes differ");

	m = ebt_full(EBB_RESERVE_NAK, 1);
	n = ebt_encode(&m, &src, buf);
	cr_assert_eq(n, 72 + 8 + 16 + 32);
	cr_assert_eq(buf[1], EBB_RESERVE_NAK);
	cr_assert_eq(memcmp(buf + 72, "\x00\x00\x07\xd0\x00\x00\x75\x30", 8),
	    0, "kbit 2000, lifetime 30000 ms");
	cr_assert_eq(memcmp(buf + 80, m.path[0].s6_addr, 16), 0);
	memcpy(want, buf, n);
	ebt_retag(want, n, &src, &ebt_key);
	cr_assert_eq(memcmp(buf, want, n), 0, "RESERVE_NAK tag differs");
}

Test(ebb_proto, every_bit_flip_rejected)
{
	struct in6_addr	 src = ebt_addr("fe80::1");
	uint8_t		 buf[EBB_MAX_LEN];

	for (int t = EBB_DISCOVER; t < EBB_TYPE_MAX; t++) {
		struct ebb_msg	 m = ebt_full(t, 2), d;
		size_t		 n = ebt_encode(&m, &src, buf);

		for (size_t bit = 0; bit < 8 * n; bit++) {
			enum ebb_err	 e;

			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			e = ebt_decode(buf, n, &src, &d);
			cr_assert_neq(e, EBB_OK, "%s: flip of bit %zu of byte "
			    "%zu accepted", ebb_type_name(t), bit % 8,
			    bit / 8);
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_OK);
	}
}

Test(ebb_proto, truncation_at_every_length)
{
	struct in6_addr	 src = ebt_addr("fe80::1");
	uint8_t		 buf[EBB_MAX_LEN];

	for (int t = EBB_DISCOVER; t < EBB_TYPE_MAX; t++) {
		struct ebb_msg	 m = ebt_full(t, 3), d;
		size_t		 n = ebt_encode(&m, &src, buf);

		for (size_t len = 0; len < n; len++) {
			enum ebb_err	 e = ebt_decode(buf, len, &src, &d);

			cr_assert(e == (len < EBB_MIN_LEN ? EBB_E_short :
			    EBB_E_length), "%s cut to %zu bytes: %s",
			    ebb_type_name(t), len, ebb_err_name(e));
		}
		/* One byte more is refused too. */
		cr_assert_eq(ebt_decode(buf, n + 1, &src, &d), EBB_E_length);
	}
}

Test(ebb_proto, keys)
{
	struct in6_addr	 src = ebt_addr("fe80::1");
	struct ebb_msg	 m = ebt_full(EBB_DISCOVER, 1), d;
	struct ebb_key	 same_id = ebt_other;
	uint8_t		 buf[EBB_MAX_LEN];
	size_t		 n = ebt_encode(&m, &src, buf);

	cr_assert_eq(ebb_decode(buf, n, &src, &ebt_other, 1, &d), EBB_E_key);
	cr_assert_eq(ebb_decode(buf, n, &src, NULL, 0, &d), EBB_E_key);
	same_id.id = ebt_key.id;
	cr_assert_eq(ebb_decode(buf, n, &src, &same_id, 1, &d), EBB_E_tag);
	cr_assert_eq(ebb_decode(buf, n, &src, &ebt_key, 1, &d), EBB_OK);
	cr_assert_eq(d.key_id, ebt_key.id);

	/* Tagged with the other key: found by its id. */
	n = (size_t)ebb_encode(&m, &ebt_other, &src, buf, sizeof(buf));
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_OK);
	cr_assert_eq(d.key_id, ebt_other.id);
}

Test(ebb_proto, source_address_bound)
{
	struct in6_addr	 src = ebt_addr("fe80::1");
	struct in6_addr	 other = ebt_addr("fe80::3");
	struct ebb_msg	 m = ebt_full(EBB_ANSWER, 2), d;
	uint8_t		 buf[EBB_MAX_LEN];
	size_t		 n = ebt_encode(&m, &src, buf);

	cr_assert_eq(ebt_decode(buf, n, &other, &d), EBB_E_tag);
	for (int i = 0; i < 16; i++)
		cr_assert_eq(d.origin.s6_addr[i], 0, "nothing decoded");
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_OK);
}

Test(ebb_proto, path_limits)
{
	struct in6_addr	 src = ebt_addr("fe80::1");
	struct ebb_msg	 m = ebt_full(EBB_DISCOVER, EBB_MAX_PATH), d;
	uint8_t		 buf[EBB_MAX_LEN];
	size_t		 n;

	m.npath = EBB_MAX_PATH + 1;
	cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, sizeof(buf)), -1);
	m.npath = EBB_MAX_PATH;
	m.hops = EBB_MAX_PATH + 1;
	cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, sizeof(buf)), -1);
	m.hops = EBB_MAX_PATH;
	n = ebt_encode(&m, &src, buf);

	/* 17 routers: one more id, npath 17, tagged properly. */
	memcpy(buf + n - EBB_TAG_LEN, m.path[0].s6_addr, 16);
	n += 16;
	buf[EBB_OFF_NPATH] = EBB_MAX_PATH + 1;
	ebt_retag(buf, n, &src, &ebt_key);
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_path);
	cr_assert_eq(ebb_msg_len(EBB_DISCOVER, EBB_MAX_PATH + 1), 0);

	/* A hop count beyond the path limit, tagged properly. */
	n = ebt_encode(&m, &src, buf);
	buf[EBB_OFF_HOPS] = EBB_MAX_PATH + 1;
	ebt_retag(buf, n, &src, &ebt_key);
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_path);
}

/*
 * The address at offset off of a message of type t (an ANSWER's server,
 * the group) set to bad: refused by the encoder, and by the decoder when
 * the bytes are tagged by hand.
 */
static void
ebt_bad_addr(int t, size_t off, const char *bad)
{
	struct in6_addr	 src = ebt_addr("fe80::1"), a = ebt_addr(bad);
	struct ebb_msg	 m = ebt_full(t, 1), d;
	uint8_t		 buf[EBB_MAX_LEN];
	size_t		 n = ebt_encode(&m, &src, buf);

	memcpy(buf + off, a.s6_addr, 16);
	ebt_retag(buf, n, &src, &ebt_key);
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_field,
	    "%s with %s at %zu decoded", ebb_type_name(t), bad, off);
	memcpy(off == EBB_OFF_GROUP ? &m.group : &m.server, &a, sizeof(a));
	cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, sizeof(buf)), -1,
	    "%s with %s at %zu encoded", ebb_type_name(t), bad, off);
}

/* Each field rule, on encode and (bytes tagged by hand) on decode. */
Test(ebb_proto, field_limits)
{
	struct in6_addr	 src = ebt_addr("fe80::1");
	uint8_t		 buf[EBB_MAX_LEN];
	struct ebb_msg	 m, d;
	size_t		 n;

	m = ebt_full(EBB_ANSWER, 2);
	m.load_pct = 100;
	n = ebt_encode(&m, &src, buf);
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_OK);
	cr_assert_eq(d.load_pct, 100);
	buf[EBB_HDR_LEN + 16] = 101;
	ebt_retag(buf, n, &src, &ebt_key);
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_field);
	cr_assert_eq(d.load_pct, 0, "a refused message leaves m zeroed");
	m.load_pct = 101;
	cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, sizeof(buf)), -1);

	static const char *const bad[] = { "::", "::1", "ff02::1" };
	for (size_t i = 0; i < 3; i++) {
		ebt_bad_addr(EBB_ANSWER, EBB_HDR_LEN, bad[i]);
		ebt_bad_addr(EBB_RESERVE, EBB_OFF_GROUP, bad[i]);
	}

	/* Only an ANSWER has a server: the others' is not checked. */
	m = ebt_full(EBB_DISCOVER, 1);
	memset(&m.server, 0, sizeof(m.server));
	m.load_pct = 200;
	(void)ebt_encode(&m, &src, buf);
}

Test(ebb_proto, header_checks_before_the_tag)
{
	struct in6_addr	 src = ebt_addr("fe80::1");
	struct ebb_msg	 m = ebt_full(EBB_RELEASE, 1), d;
	uint8_t		 buf[EBB_MAX_LEN];
	size_t		 n = ebt_encode(&m, &src, buf);

	buf[EBB_OFF_VERSION] = 2;
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_version);
	buf[EBB_OFF_VERSION] = EBB_VERSION;
	buf[EBB_OFF_TYPE] = 0;
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_type);
	buf[EBB_OFF_TYPE] = EBB_TYPE_MAX;
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_type);
	/* RELEASE bytes called a DISCOVER: 8 bytes too many. */
	buf[EBB_OFF_TYPE] = EBB_DISCOVER;
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_length);
	buf[EBB_OFF_TYPE] = EBB_RELEASE;
	buf[EBB_OFF_NPATH] = 2;
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_length);
	buf[EBB_OFF_NPATH] = 1;
	/* Flags are covered by the tag, though no flag is defined. */
	buf[EBB_OFF_FLAGS] = 0x80;
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_E_tag);
	ebt_retag(buf, n, &src, &ebt_key);
	cr_assert_eq(ebt_decode(buf, n, &src, &d), EBB_OK);

	m.type = 0;
	cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, sizeof(buf)), -1);
	m.type = EBB_TYPE_MAX;
	cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, sizeof(buf)), -1);
}

Test(ebb_proto, buffer_too_small)
{
	struct in6_addr	 src = ebt_addr("fe80::1");
	uint8_t		 buf[EBB_MAX_LEN];

	for (int t = EBB_DISCOVER; t < EBB_TYPE_MAX; t++) {
		struct ebb_msg	 m = ebt_full(t, 4);
		size_t		 need = ebb_msg_len(t, 4);

		memset(buf, 0x5a, sizeof(buf));
		cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, need - 1), -1,
		    "%s in %zu bytes", ebb_type_name(t), need - 1);
		cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, 0), -1);
		for (size_t i = 0; i < sizeof(buf); i++)
			cr_assert_eq(buf[i], 0x5a, "byte %zu written", i);
		cr_assert_eq(ebb_encode(&m, &ebt_key, &src, buf, need),
		    (int)need);
		cr_assert_eq(buf[need], 0x5a, "written past the message");
	}
}

Test(ebb_proto, names)
{
	static const char *const types[] = { "unknown", "discover", "answer",
	    "reserve", "reserve_ack", "reserve_nak", "release", "unknown" };
	static const char *const errs[] = { "ok", "short", "version", "type",
	    "length", "path", "key", "tag", "field", "unknown" };

	for (int t = 0; t <= EBB_TYPE_MAX; t++)
		cr_assert_str_eq(ebb_type_name(t), types[t]);
	cr_assert_eq(EBB_E_MAX, 9);
	for (int e = 0; e <= EBB_E_MAX; e++) {
		cr_assert_str_eq(ebb_err_name(e), errs[e]);
		if (e < EBB_E_MAX)
			cr_assert_gt(strlen(ebb_err_help(e)), 0);
	}
	cr_assert_str_eq(ebb_err_help(EBB_E_MAX), "");
	cr_assert(strstr(ebb_err_help(EBB_E_tag), "HMAC") != NULL);
}
