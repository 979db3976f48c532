/*
 * libFuzzer target for the membership protocol codec.
 *
 * Three passes over each input:
 *  1. the receiver's order as is: peek, verify under a fixed key, parse;
 *  2. parse alone, which must be safe on any bytes;
 *  3. the input with its last MP_TAG_LEN bytes replaced by a valid tag,
 *     so that the fuzzer reaches past verify: whatever parse accepts
 *     must encode again and parse back to the same message.
 * Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "member_proto.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t fz_key[MP_KEY_LEN] = {
	0x6d, 0x65, 0x6d, 0x62, 0x65, 0x72, 0x2d, 0x70,
	0x72, 0x6f, 0x74, 0x6f, 0x2d, 0x66, 0x75, 0x7a,
	0x7a, 0x2d, 0x6b, 0x65, 0x79, 0x2d, 0x30, 0x31,
	0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
};

static const struct in6_addr fz_src = {
	.s6_addr = { 0xfe, 0x80, [15] = 0x01 }
};

static bool
fz_same(const struct mp_msg *a, const struct mp_msg *b)
{
	if (a->type != b->type || a->key_id != b->key_id ||
	    a->flags != b->flags || a->seq != b->seq ||
	    a->present != b->present ||
	    memcmp(&a->group, &b->group, sizeof(a->group)) != 0 ||
	    memcmp(&a->member, &b->member, sizeof(a->member)) != 0)
		return false;
#define FIELD(f, bit) if ((a->present & (bit)) && a->f != b->f) return false
	FIELD(reason, MP_HAS_REASON);
	FIELD(session_op, MP_HAS_SESSION_OP);
	FIELD(sessions, MP_HAS_SESSIONS);
	FIELD(load, MP_HAS_LOAD);
	FIELD(capacity, MP_HAS_CAPACITY);
	FIELD(health, MP_HAS_HEALTH);
	FIELD(weight, MP_HAS_WEIGHT);
	FIELD(hold_time, MP_HAS_HOLD_TIME);
	FIELD(bandwidth, MP_HAS_BANDWIDTH);
	FIELD(interval, MP_HAS_INTERVAL);
#undef FIELD
	if ((a->present & MP_HAS_FLOW) &&
	    memcmp(&a->flow, &b->flow, sizeof(a->flow)) != 0)
		return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool	 ready;
	struct mp_msg	 m, m2;
	uint8_t		 buf[MP_MAX_LEN], out[MP_MAX_LEN];
	uint8_t		 mac_in[16 + MP_MAX_LEN];
	ssize_t		 n;
	uint8_t		*copy;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}

	/* Exact-size heap copy: any read past the end is an ASan report. */
	if ((copy = fz_exact_copy(data, size)) == NULL)
		return 0;

	/* 1. As a receiver sees it. */
	if (mp_peek(copy, size, &m) == 0 &&
	    mp_verify(copy, size, &fz_src, fz_key) == 0)
		(void)mp_parse_tlvs(copy, size, &m);

	/* 2. Parse alone. */
	(void)mp_parse_tlvs(copy, size, &m);
	free(copy);

	/* 3. Re-tagged, then round-tripped. */
	if (size < MP_MIN_LEN || size > MP_MAX_LEN)
		return 0;
	memcpy(buf, data, size - MP_TAG_LEN);
	memcpy(mac_in, fz_src.s6_addr, 16);
	memcpy(mac_in + 16, buf, size - MP_TAG_LEN);
	crypto_auth_hmacsha256(buf + size - MP_TAG_LEN, mac_in,
	    16 + size - MP_TAG_LEN, fz_key);
	if (mp_peek(buf, size, &m) != 0)
		return 0;
	if (mp_verify(buf, size, &fz_src, fz_key) != 0)
		abort();	/* framed, correctly tagged, yet refused */
	if (mp_parse_tlvs(buf, size, &m) != 0)
		return 0;
	n = mp_encode(out, sizeof(out), &fz_src, &m, fz_key);
	if (n < MP_MIN_LEN || (size_t)n > size)
		abort();	/* parse accepted what encode refuses */
	if (mp_peek(out, (size_t)n, &m2) != 0 ||
	    mp_verify(out, (size_t)n, &fz_src, fz_key) != 0 ||
	    mp_parse_tlvs(out, (size_t)n, &m2) != 0 || !fz_same(&m, &m2))
		abort();
	return 0;
}
