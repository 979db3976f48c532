/*
 * util.c: allocation that aborts on failure (start-up and control
 * paths only; the data path never allocates) and the monotonic clock.
 */
#ifndef COMMON_UTIL_H
#define COMMON_UTIL_H

#include <stddef.h>
#include <stdint.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
uint64_t mono_ns(void);

#endif /* COMMON_UTIL_H */
