/*
 * Source-bound HMAC-SHA256 tags: see srctag.h.
 */
#include <sodium.h>

#include "srctag.h"

void
srctag(uint8_t tag[SRCTAG_LEN], const struct in6_addr *src,
    const uint8_t *buf, size_t len, const uint8_t key[SRCTAG_KEY_LEN])
{
	crypto_auth_hmacsha256_state	 st;

	crypto_auth_hmacsha256_init(&st, key, SRCTAG_KEY_LEN);
	crypto_auth_hmacsha256_update(&st, src->s6_addr, sizeof(src->s6_addr));
	crypto_auth_hmacsha256_update(&st, buf, len);
	crypto_auth_hmacsha256_final(&st, tag);
	sodium_memzero(&st, sizeof(st));
}

int
srctag_verify(const struct in6_addr *src, const uint8_t *buf, size_t len,
    const uint8_t key[SRCTAG_KEY_LEN])
{
	uint8_t		 tag[SRCTAG_LEN];
	int		 rv;

	srctag(tag, src, buf, len, key);
	rv = sodium_memcmp(tag, buf + len, SRCTAG_LEN);
	sodium_memzero(tag, sizeof(tag));
	return rv == 0 ? 0 : -1;
}
