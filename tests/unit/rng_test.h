/*
 * A seeded random source for the randomized unit tests: splitmix64,
 * the seed from an environment variable so a failure can be replayed.
 */
#ifndef RNG_TEST_H
#define RNG_TEST_H

#include <stdint.h>
#include <stdlib.h>

/* splitmix64: the next value of the sequence *state walks. */
static inline uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The seed in environment variable var, else dflt. */
static inline uint64_t
seed_from_env(const char *var, uint64_t dflt)
{
	const char	*s = getenv(var);

	return s != NULL ? strtoull(s, NULL, 0) : dflt;
}

#endif
