/*
 * util.c: allocation that aborts on failure (start-up and control
 * paths only; the data path never allocates), the monotonic clock, the
 * names of enum values, and error messages into a caller's buffer.
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

/* Names of enum values, kept as arrays indexed by value. */
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
/* names[i], or "unknown" when i is out of range or has no name. */
const char *name_get(const char *const *names, size_t n, long i);
/* The index of name among names, or -1 (a NULL name included). */
int	 name_find(const char *const *names, size_t n, const char *name);

/* The message into err[errlen]; returns -1, for "return errf(...)". */
int	 errf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));

#endif /* COMMON_UTIL_H */
