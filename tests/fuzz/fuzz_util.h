/*
 * Helpers shared by the libFuzzer targets.
 */
#ifndef TESTS_FUZZ_UTIL_H
#define TESTS_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The input in a heap block of exactly its size, so that any read past
 * its end is an ASan report (libFuzzer's own buffer may be larger).
 * NULL only when memory runs out: skip the input then.
 */
static inline uint8_t *
fz_exact_copy(const uint8_t *data, size_t size)
{
	uint8_t	*copy = malloc(size ? size : 1);

	if (copy != NULL && size)
		memcpy(copy, data, size);
	return copy;
}

#endif /* TESTS_FUZZ_UTIL_H */
