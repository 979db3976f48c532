/*
 * log.c: leveled logging for vrouter and the host programs, to stderr
 * (optionally stamped with the time and the program's name) or syslog,
 * with libevent's own messages routed in.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#define LOG_LVL_WARN	0
#define LOG_LVL_INFO	1
#define LOG_LVL_DEBUG	2

/* log_init() flags */
#define LOG_F_STDERR	0x1	/* stderr; otherwise syslog under ident */
#define LOG_F_TIME	0x2	/* stderr lines start with the time */
#define LOG_F_IDENT	0x4	/* stderr lines start with "ident: " */

extern int log_level;
void	log_init(const char *ident, int level, int flags);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug_(const char *, ...) __attribute__((format(printf, 1, 2)));
#define log_debug(...) do {						\
	if (log_level >= LOG_LVL_DEBUG)					\
		log_debug_(__VA_ARGS__);				\
} while (0)
__attribute__((noreturn)) void fatal(const char *, ...)
    __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *, ...)
    __attribute__((format(printf, 1, 2)));
void	log_route_libevent(void);

#endif /* COMMON_LOG_H */
