/*
 * Leveled logging to stderr or syslog, with libevent's own messages
 * routed in.  Messages follow "%s: ..." with the calling function's name.
 * Shared by vrouter and the host programs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"

int		 log_level = LOG_LVL_INFO;
static int	 log_flags = LOG_F_STDERR;
static const char *log_ident = "";

void
log_init(const char *ident, int level, int flags)
{
	log_ident = ident;
	log_level = level;
	log_flags = flags;
	if (flags & LOG_F_STDERR)
		setvbuf(stderr, NULL, _IOLBF, 0);
	else
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char	msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_flags & LOG_F_STDERR) {
		struct timespec	ts;
		struct tm	tm;
		char		tbuf[32];

		if (log_flags & LOG_F_TIME) {
			clock_gettime(CLOCK_REALTIME, &ts);
			localtime_r(&ts.tv_sec, &tm);
			strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
			fprintf(stderr, "%s.%03ld ", tbuf, ts.tv_nsec / 1000000);
		}
		if (log_flags & LOG_F_IDENT)
			fprintf(stderr, "%s: ", log_ident);
		fprintf(stderr, "%s%s%s\n", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
	} else
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_LVL_INFO)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug_(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

static void
log_libevent(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

static void
fatal_libevent(int err)
{
	fatalx("libevent: fatal error %d", err);
}

void
log_route_libevent(void)
{
	event_set_log_callback(log_libevent);
	event_set_fatal_callback(fatal_libevent);
}
