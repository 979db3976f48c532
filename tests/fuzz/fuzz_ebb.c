/*
 * libFuzzer target for the E-BB message codec.
 *
 * Two passes over each input:
 *  1. ebb_decode() on the bytes as they are, under a fixed key: any
 *     byte string must be safe, and is refused unless its tag is right;
 *  2. the input with its last EBB_TAG_LEN bytes replaced by a valid tag,
 *     so that the fuzzer reaches the fields: whatever decode accepts
 *     must encode again to the same bytes (but for the flags and the
 *     zero bytes of an ANSWER, which are not kept) and decode back to
 *     the same message; whatever it refuses after the tag leaves *m
 *     zeroed.
 * Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ebb_proto.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct ebb_key fz_keys[2] = {
	{ .id = 1, .key = "e-bb fuzz key 1, thirty-two byt" },
	{ .id = 0x0102, .key = "e-bb fuzz key 2, thirty-two byt" },
};

static const struct in6_addr fz_src = {
	.s6_addr = { 0xfe, 0x80, [15] = 0x01 }
};

static bool
fz_zero(const struct ebb_msg *m)
{
	static const struct ebb_msg	 zero;

	return memcmp(m, &zero, sizeof(*m)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 ready;
	const struct ebb_key	*key = NULL;
	struct ebb_msg		 m, m2;
	uint8_t			 buf[EBB_MAX_LEN], out[EBB_MAX_LEN];
	uint8_t			 mac_in[16 + EBB_MAX_LEN];
	uint8_t			*copy;
	enum ebb_err		 e;
	int			 n;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}

	/* 1. As a receiver sees it, from an exact-size heap copy. */
	if ((copy = fz_exact_copy(data, size)) == NULL)
		return 0;
	e = ebb_decode(copy, size, &fz_src, fz_keys, 2, &m);
	free(copy);
	if (e != EBB_OK && !fz_zero(&m))
		abort();	/* refused, yet something left in m */

	/* 2. Re-tagged under the key its id names, then round-tripped. */
	if (size < EBB_MIN_LEN || size > EBB_MAX_LEN)
		return 0;
	memcpy(buf, data, size);
	for (size_t i = 0; i < 2; i++)
		if (fz_keys[i].id == (buf[EBB_OFF_KEY_ID] << 8 |
		    buf[EBB_OFF_KEY_ID + 1]))
			key = &fz_keys[i];
	if (key != NULL) {
		memcpy(mac_in, fz_src.s6_addr, 16);
		memcpy(mac_in + 16, buf, size - EBB_TAG_LEN);
		crypto_auth_hmacsha256(buf + size - EBB_TAG_LEN, mac_in,
		    16 + size - EBB_TAG_LEN, key->key);
	}
	e = ebb_decode(buf, size, &fz_src, fz_keys, 2, &m);
	if (key != NULL && e == EBB_E_tag)
		abort();	/* correctly tagged, yet refused */
	if (e != EBB_OK) {
		if (!fz_zero(&m))
			abort();
		return 0;
	}
	if (key == NULL || m.key_id != key->id)
		abort();
	n = ebb_encode(&m, key, &fz_src, out, sizeof(out));
	if (n < 0 || (size_t)n != size)
		abort();	/* decode accepted what encode refuses */
	if (ebb_decode(out, (size_t)n, &fz_src, fz_keys, 2, &m2) != EBB_OK ||
	    memcmp(&m, &m2, sizeof(m)) != 0)
		abort();
	/* The same bytes, but for what the codec does not keep. */
	buf[EBB_OFF_FLAGS] = buf[EBB_OFF_FLAGS + 1] = 0;
	if (m.type == EBB_ANSWER)
		memset(buf + EBB_HDR_LEN + 17, 0, 3);
	if (memcmp(buf, out, size - EBB_TAG_LEN) != 0)
		abort();
	return 0;
}
