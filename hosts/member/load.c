/*
 * The LOAD value of REPORTs: from the session count and the capacity
 * when the member has one, otherwise from the host's load average.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

uint8_t
ma_load_pct(uint32_t sessions, uint32_t capacity, double loadavg1, long ncpu)
{
	double	 pct;

	if (capacity > 0) {
		uint64_t	 p = (uint64_t)sessions * 100 / capacity;

		return (uint8_t)(p > 100 ? 100 : p);
	}
	if (ncpu < 1)
		ncpu = 1;
	if (!(loadavg1 > 0))		/* also NaN */
		return 0;
	pct = loadavg1 * 100.0 / (double)ncpu;
	if (pct >= 100.0)
		return 100;
	return (uint8_t)(pct + 0.5);
}

/* A non-negative decimal number, optionally with a fraction. */
static int
ma_number(const char *s, const char **endp, double *v)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(*v))
		return -1;
	*endp = end;
	return 0;
}

int
ma_load_from_text(const char *s, uint8_t *pct)
{
	const char	*end;
	double		 v;

	if (ma_number(s, &end, &v) == -1)
		return -1;
	if (*end == '%')
		end++;
	end += strspn(end, " \t\r\n");
	if (*end != '\0' || v > 100.0)
		return -1;
	*pct = (uint8_t)(v + 0.5);
	return 0;
}

int
ma_loadavg_from_text(const char *s, double *avg)
{
	const char	*end;

	if (ma_number(s, &end, avg) == -1)
		return -1;
	if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\0')
		return -1;
	return 0;
}

int
ma_loadavg_read(double *avg)
{
	char	 buf[128];
	ssize_t	 n;
	int	 fd;

	if ((fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return ma_loadavg_from_text(buf, avg);
}
