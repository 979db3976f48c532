/*
 * Logging: one line per event on stderr, "anycast-member: ...", debug
 * lines only with -d.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent.h"

static bool	 ma_debug;

static void
ma_vlog(const char *fmt, va_list ap)
{
	char	 line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s: %s\n", MA_NAME, line);
}

void
ma_log_init(bool debug)
{
	ma_debug = debug;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void
ma_log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ma_vlog(fmt, ap);
	va_end(ap);
}

void
ma_log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ma_vlog(fmt, ap);
	va_end(ap);
}

void
ma_log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!ma_debug)
		return;
	va_start(ap, fmt);
	ma_vlog(fmt, ap);
	va_end(ap);
}

void
ma_fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ma_vlog(fmt, ap);
	va_end(ap);
	exit(1);
}

const char *
ma_addr(const struct in6_addr *a)
{
	static char	 buf[4][INET6_ADDRSTRLEN];
	static int	 next;
	char		*s = buf[next];

	next = (next + 1) % 4;
	if (inet_ntop(AF_INET6, a, s, INET6_ADDRSTRLEN) == NULL)
		snprintf(s, INET6_ADDRSTRLEN, "?");
	return s;
}
