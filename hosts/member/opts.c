/*
 * The command line of anycast-member.  Pure apart from reading the key
 * file of -K: every problem is one line in the caller's buffer.
 *
 * Every option is one row of ma_options: getopt's tables and the usage
 * text are built from it, and its parser is one per kind of argument.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "util.h"
#include "agent.h"

#define MA_KEYFILE_MAX	4096
#define MA_STR(x)	MA_STR2(x)
#define MA_STR2(x)	#x

/* Where a parse is: the options, and what only the end can settle. */
struct ma_parse {
	struct ma_opts	*o;
	const char	*keyfile;	/* -K given last: read at the end */
	bool		 have_key;	/* -k given last */
	char		*err;
	size_t		 errlen;
};

struct ma_opt {
	const char	*name;		/* long option */
	int		 ch;		/* short option, 0: none */
	const char	*arg;		/* its argument in the usage, NULL: none */
	/* 0, -1 with the message in ps->err, 1 (--help), 2 (--version) */
	int		(*parse)(struct ma_parse *ps, const struct ma_opt *opt,
			    const char *arg);
	size_t		 off;		/* the field in struct ma_opts */
	size_t		 size;		/* and its size */
	size_t		 have;		/* a bool set once given, 0: none */
	uint32_t	 min, max;	/* numbers */
	const char	*bad;		/* what is wrong with a bad argument */
	const char	*help;		/* usage; '\n' continues the text */
};

#define MA_FIELD(f)	.off = offsetof(struct ma_opts, f),		\
			.size = sizeof(((struct ma_opts *)NULL)->f)
#define MA_HAVE(f)	.have = offsetof(struct ma_opts, f)
/* No flag can sit where the group does, so .have 0 means "none". */
_Static_assert(offsetof(struct ma_opts, group) == 0, "group first");

/*
 * "-p 0: not a port (1-65535)": the option as its short form if it has
 * one.  arg NULL leaves the value out (it may be a key).
 */
static int
ma_bad(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	char	 name[32];

	if (opt->ch != 0)
		snprintf(name, sizeof(name), "-%c", opt->ch);
	else
		snprintf(name, sizeof(name), "--%s", opt->name);
	if (arg == NULL)
		return errf(ps->err, ps->errlen, "%s: %s", name, opt->bad);
	return errf(ps->err, ps->errlen, "%s %s: %s", name, arg, opt->bad);
}

static void *
ma_field(struct ma_parse *ps, const struct ma_opt *opt)
{
	return (char *)ps->o + opt->off;
}

/* A decimal integer min..max, nothing else.  0 or -1. */
static int
ma_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long	 v;
	char		*end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A unicast address, link-local too: what a router may be. */
static bool
ma_unicast(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	    !IN6_IS_ADDR_MULTICAST(a);
}

/* A global unicast address: what a group or a member must be. */
static bool
ma_global(const struct in6_addr *a)
{
	return ma_unicast(a) && !IN6_IS_ADDR_LINKLOCAL(a) &&
	    !IN6_IS_ADDR_V4MAPPED(a) && !IN6_IS_ADDR_V4COMPAT(a);
}

int
ma_key_parse(const char *s, uint16_t *id, uint8_t key[MP_KEY_LEN])
{
	char		 num[8];
	const char	*sep;
	size_t		 n;
	uint32_t	 v;

	sep = strpbrk(s, ": \t");
	if (sep == NULL || (n = (size_t)(sep - s)) == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (ma_u32(num, 1, UINT16_MAX, &v) == -1)
		return -1;
	while (*sep == ':' || *sep == ' ' || *sep == '\t')
		sep++;
	if (mp_key_from_hex(sep, key) == -1)
		return -1;
	*id = (uint16_t)v;
	return 0;
}

int
ma_keyfile_parse(const char *text, uint16_t *id, uint8_t key[MP_KEY_LEN])
{
	char		 line[256];
	const char	*p = text, *eol;
	size_t		 n;
	int		 rv;

	while (*p != '\0') {
		eol = strchr(p, '\n');
		n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		while (n > 0 && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (n > 0 && *p != '#') {
			if (n >= sizeof(line))
				return -1;
			memcpy(line, p, n);
			line[n] = '\0';
			rv = ma_key_parse(line, id, key);
			sodium_memzero(line, sizeof(line));
			return rv;
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return -1;
}

static int
ma_keyfile_read(const char *path, struct ma_opts *o, char *err,
    size_t errlen)
{
	char	 text[MA_KEYFILE_MAX + 1];
	ssize_t	 n;
	size_t	 len = 0;
	int	 fd, rv;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errf(err, errlen, "key file %s: %s", path,
		    strerror(errno));
	while (len < MA_KEYFILE_MAX &&
	    (n = read(fd, text + len, MA_KEYFILE_MAX - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			rv = errno;
			close(fd);
			return errf(err, errlen, "key file %s: %s", path,
			    strerror(rv));
		}
		len += (size_t)n;
	}
	close(fd);
	text[len] = '\0';
	rv = ma_keyfile_parse(text, &o->key_id, o->key);
	sodium_memzero(text, sizeof(text));
	if (rv == -1)
		return errf(err, errlen, "key file %s: expected a line "
		    "KEYID:HEXKEY (key id 1-65535, 64 hex digits)", path);
	return 0;
}

static int
ma_arg_addr(struct ma_parse *ps, const struct ma_opt *opt, const char *arg,
    bool (*ok)(const struct in6_addr *))
{
	struct in6_addr	 a;

	if (inet_pton(AF_INET6, arg, &a) != 1 || !ok(&a))
		return ma_bad(ps, opt, arg);
	memcpy(ma_field(ps, opt), &a, sizeof(a));
	return 0;
}

static int
ma_arg_global(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	return ma_arg_addr(ps, opt, arg, ma_global);
}

static int
ma_arg_unicast(struct ma_parse *ps, const struct ma_opt *opt,
    const char *arg)
{
	return ma_arg_addr(ps, opt, arg, ma_unicast);
}

/* Into a uint16_t or a uint32_t field: the limits keep it in range. */
static int
ma_arg_uint(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	void		*field = ma_field(ps, opt);
	uint32_t	 v;

	if (ma_u32(arg, opt->min, opt->max, &v) == -1)
		return ma_bad(ps, opt, arg);
	if (opt->size == sizeof(uint16_t))
		*(uint16_t *)field = (uint16_t)v;
	else
		*(uint32_t *)field = v;
	return 0;
}

/* A shell command, kept as a pointer into argv. */
static int
ma_arg_cmd(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	if (arg[0] == '\0')
		return ma_bad(ps, opt, NULL);
	*(const char **)ma_field(ps, opt) = arg;
	return 0;
}

/* A cgroup directory: an absolute path, read when the agent starts. */
static int
ma_arg_cgroup(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	if (arg[0] != '/')
		return ma_bad(ps, opt, arg);
	*(const char **)ma_field(ps, opt) = arg;
	return 0;
}

static int
ma_arg_ifname(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	if (arg[0] == '\0' || strlen(arg) >= opt->size ||
	    strchr(arg, '/') != NULL)
		return ma_bad(ps, opt, arg);
	snprintf(ma_field(ps, opt), opt->size, "%s", arg);
	return 0;
}

/* -k and -K replace each other: the last one given counts. */
static int
ma_arg_key(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	if (ma_key_parse(arg, &ps->o->key_id, ps->o->key) == -1)
		return ma_bad(ps, opt, NULL);
	ps->have_key = true;
	ps->keyfile = NULL;
	return 0;
}

static int
ma_arg_keyfile(struct ma_parse *ps, const struct ma_opt *opt,
    const char *arg)
{
	(void)opt;
	ps->keyfile = arg;
	ps->have_key = false;
	return 0;
}

static int
ma_arg_flag(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	(void)arg;
	*(bool *)ma_field(ps, opt) = true;
	return 0;
}

static int
ma_arg_help(struct ma_parse *ps, const struct ma_opt *opt, const char *arg)
{
	(void)ps, (void)opt, (void)arg;
	return 1;
}

static int
ma_arg_version(struct ma_parse *ps, const struct ma_opt *opt,
    const char *arg)
{
	(void)ps, (void)opt, (void)arg;
	return 2;
}

#define MA_NOT_GLOBAL	"not a global unicast IPv6 address"
#define MA_NOT_PORT	"not a port (1-65535)"

/* In the order of the usage text. */
static const struct ma_opt ma_options[] = {
	{ "group", 'g', "ADDR", ma_arg_global, MA_FIELD(group),
	    .bad = MA_NOT_GLOBAL,
	    .help = "anycast address to serve (required)" },
	{ "key", 'k', "ID:HEX", ma_arg_key,
	    .bad = "expected KEYID:HEXKEY (key id 1-65535, 64 hex digits)",
	    .help = "key id (1-65535) and 64 hex digits" },
	{ "key-file", 'K', "FILE", ma_arg_keyfile,
	    .help = "file holding ID:HEX on its first line" },
	{ "address", 'a', "ADDR", ma_arg_global, MA_FIELD(unicast),
	    MA_HAVE(have_unicast), .bad = MA_NOT_GLOBAL,
	    .help = "member (unicast) address; default: the\n"
	    "first global address of IFACE" },
	{ "interface", 'i', "IFACE", ma_arg_ifname, MA_FIELD(ifname),
	    .bad = "not an interface name",
	    .help = "link to the router (default " MA_DEFAULT_IFACE ")" },
	{ "router", 'r', "ADDR", ma_arg_unicast, MA_FIELD(router),
	    MA_HAVE(have_router), .bad = "not a unicast IPv6 address",
	    .help = "router address; default: the default\n"
	    "gateway on IFACE" },
	{ "port", 'p', "PORT", ma_arg_uint, MA_FIELD(port),
	    .min = 1, .max = 65535, .bad = MA_NOT_PORT,
	    .help = "service port: only its sessions count,\n"
	    "and it is the default health check" },
	{ "health-tcp", 0, "PORT", ma_arg_uint, MA_FIELD(health_port),
	    .min = 1, .max = 65535, .bad = MA_NOT_PORT,
	    .help = "healthy while [GROUP]:PORT accepts TCP" },
	{ "health-cmd", 0, "CMD", ma_arg_cmd, MA_FIELD(health_cmd),
	    .bad = "empty command",
	    .help = "healthy while CMD exits 0" },
	{ "load-cmd", 0, "CMD", ma_arg_cmd, MA_FIELD(load_cmd),
	    .bad = "empty command",
	    .help = "CMD prints the load in percent" },
	{ "cgroup", 0, "DIR", ma_arg_cgroup, MA_FIELD(cgroup),
	    .bad = "not an absolute path",
	    .help = "load: the CPU used by this cgroup v2\n"
	    "against its cpu.max, per report interval" },
	{ "capacity", 0, "N", ma_arg_uint, MA_FIELD(capacity),
	    .min = 1, .max = MA_MAX_CAPACITY,
	    .bad = "must be 1-" MA_STR(MA_MAX_CAPACITY),
	    .help = "sessions this member can hold" },
	{ "weight", 0, "N", ma_arg_uint, MA_FIELD(weight),
	    MA_HAVE(have_weight), .min = 0, .max = UINT16_MAX,
	    .bad = "must be 0-65535",
	    .help = "relative weight, 0: no new sessions" },
	{ "bandwidth", 0, "MBITS", ma_arg_uint, MA_FIELD(bandwidth),
	    MA_HAVE(have_bandwidth), .min = 0, .max = UINT32_MAX,
	    .bad = "not a number of Mbit/s",
	    .help = "residual bandwidth to report" },
	{ "interval", 0, "MS", ma_arg_uint, MA_FIELD(interval_ms),
	    .min = MA_MIN_INTERVAL, .max = MA_MAX_INTERVAL,
	    .bad = "must be " MA_STR(MA_MIN_INTERVAL) "-"
	    MA_STR(MA_MAX_INTERVAL) " ms",
	    .help = "report interval to propose (default "
	    MA_STR(MA_DEFAULT_INTERVAL) ")" },
	{ "session-rate", 0, "N", ma_arg_uint, MA_FIELD(session_rate),
	    .min = 1, .max = MA_MAX_SESSION_RATE,
	    .bad = "must be 1-" MA_STR(MA_MAX_SESSION_RATE),
	    .help = "session messages per second before\n"
	    "changes go as a count (default "
	    MA_STR(MA_DEFAULT_SESSION_RATE) ")" },
	{ "keep-address", 0, NULL, ma_arg_flag, MA_FIELD(keep_address),
	    .help = "leave GROUP on lo at exit" },
	{ "debug", 'd', NULL, ma_arg_flag, MA_FIELD(debug),
	    .help = "log every message" },
	{ "help", 'h', NULL, ma_arg_help, .help = "print this text" },
	{ "version", 'V', NULL, ma_arg_version, .help = "print the version" },
};
#define MA_NOPTIONS	(sizeof(ma_options) / sizeof(ma_options[0]))
/* What getopt_long returns for the long form of ma_options[i]. */
#define MA_LONG_BASE	256

/* One option in the list of ma_usage(): flags in a column, then help. */
static void
ma_usage_option(FILE *f, const struct ma_opt *opt)
{
	char		 flags[64];
	const char	*p, *eol;
	int		 n;

	if (opt->ch != 0)
		n = snprintf(flags, sizeof(flags), "-%c, --%s", opt->ch,
		    opt->name);
	else
		n = snprintf(flags, sizeof(flags), "    --%s", opt->name);
	if (opt->arg != NULL && n >= 0 && (size_t)n < sizeof(flags))
		snprintf(flags + n, sizeof(flags) - (size_t)n, " %s",
		    opt->arg);
	fprintf(f, "  %-21s  ", flags);
	for (p = opt->help; (eol = strchr(p, '\n')) != NULL; p = eol + 1)
		fprintf(f, "%.*s\n%25s", (int)(eol - p), p, "");
	fprintf(f, "%s\n", p);
}

void
ma_usage(FILE *f)
{
	/* Which options go together is not in the table: the synopsis. */
	fprintf(f,
	    "usage: %s -g GROUP_ADDR (-k KEYID:HEXKEY | -K KEYFILE)\n"
	    "       [-a UNICAST_ADDR] [-i IFACE] [-r ROUTER_ADDR] [-p PORT]\n"
	    "       [--health-tcp PORT | --health-cmd CMD] [--load-cmd CMD]\n"
	    "       [--cgroup DIR] [--capacity N] [--weight N]\n"
	    "       [--bandwidth MBITS] [--interval MS] [--session-rate N]\n"
	    "       [--keep-address] [-d]\n"
	    "\n", MA_NAME);
	for (size_t i = 0; i < MA_NOPTIONS; i++)
		ma_usage_option(f, &ma_options[i]);
}

static void
ma_opts_defaults(struct ma_opts *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->ifname, sizeof(o->ifname), "%s", MA_DEFAULT_IFACE);
	o->interval_ms = MA_DEFAULT_INTERVAL;
	o->session_rate = MA_DEFAULT_SESSION_RATE;
	o->health = MA_HEALTH_ALWAYS;
}

/*
 * getopt's view of ma_options: the long form of row i returns
 * MA_LONG_BASE + i, the short form its letter.  A leading ':' tells a
 * missing argument (':') from an unknown option ('?').
 */
static void
ma_getopt_tables(struct option longopts[MA_NOPTIONS + 1],
    char shortopts[2 * MA_NOPTIONS + 2])
{
	char	*p = shortopts;

	*p++ = ':';
	for (size_t i = 0; i < MA_NOPTIONS; i++) {
		const struct ma_opt	*opt = &ma_options[i];

		longopts[i] = (struct option){ opt->name, opt->arg != NULL ?
		    required_argument : no_argument, NULL,
		    MA_LONG_BASE + (int)i };
		if (opt->ch != 0) {
			*p++ = (char)opt->ch;
			if (opt->arg != NULL)
				*p++ = ':';
		}
	}
	longopts[MA_NOPTIONS] = (struct option){ NULL, 0, NULL, 0 };
	*p = '\0';
}

static const struct ma_opt *
ma_option(int ch)
{
	if (ch >= MA_LONG_BASE && ch < MA_LONG_BASE + (int)MA_NOPTIONS)
		return &ma_options[ch - MA_LONG_BASE];
	for (size_t i = 0; i < MA_NOPTIONS; i++)
		if (ma_options[i].ch == ch)
			return &ma_options[i];
	return NULL;
}

/* What holds only for the whole line, in the order it is told. */
static int
ma_opts_check(struct ma_parse *ps)
{
	struct ma_opts	*o = ps->o;
	/* Neither -g nor --health-tcp takes 0: unset means not given. */
	bool		 have_group = !IN6_IS_ADDR_UNSPECIFIED(&o->group);
	bool		 health_tcp = o->health_port != 0;

	if (!have_group)
		return errf(ps->err, ps->errlen, "no group: give the "
		    "anycast address with -g");
	if (health_tcp && o->health_cmd != NULL)
		return errf(ps->err, ps->errlen, "--health-tcp and "
		    "--health-cmd exclude each other");
	if (o->load_cmd != NULL && o->cgroup != NULL)
		return errf(ps->err, ps->errlen, "--load-cmd and "
		    "--cgroup exclude each other");
	if (ps->keyfile != NULL) {
		if (ma_keyfile_read(ps->keyfile, o, ps->err, ps->errlen) == -1)
			return -1;
		ps->have_key = true;
	}
	if (!ps->have_key)
		return errf(ps->err, ps->errlen, "no key: give -k "
		    "KEYID:HEXKEY or -K KEYFILE");
	if (o->have_unicast && IN6_ARE_ADDR_EQUAL(&o->unicast, &o->group))
		return errf(ps->err, ps->errlen, "-a: the member address "
		    "must differ from the group address");
	return 0;
}

/* --health-tcp, else --health-cmd, else the service port of -p. */
static void
ma_opts_health(struct ma_opts *o)
{
	if (o->health_port != 0)
		o->health = MA_HEALTH_TCP;
	else if (o->health_cmd != NULL)
		o->health = MA_HEALTH_CMD;
	else if (o->port != 0) {
		o->health = MA_HEALTH_TCP;
		o->health_port = o->port;
	}
}

int
ma_opts_parse(int argc, char *argv[], struct ma_opts *o, char *err,
    size_t errlen)
{
	struct ma_parse		 ps = { .o = o, .err = err, .errlen = errlen };
	struct option		 longopts[MA_NOPTIONS + 1];
	char			 shortopts[2 * MA_NOPTIONS + 2];
	const struct ma_opt	*opt;
	int			 ch, rv;

	ma_opts_defaults(o);
	ma_getopt_tables(longopts, shortopts);
	optind = 0;		/* glibc: full reset */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		if ((opt = ma_option(ch)) == NULL) {
			if (ch == ':')
				return errf(err, errlen, "%s needs an "
				    "argument", argv[optind - 1]);
			return errf(err, errlen, "unknown option %s",
			    argv[optind - 1]);
		}
		if ((rv = opt->parse(&ps, opt, optarg)) != 0)
			return rv;
		if (opt->have != 0)
			*(bool *)((char *)o + opt->have) = true;
	}
	if (optind < argc)
		return errf(err, errlen, "unexpected argument \"%s\"",
		    argv[optind]);
	if (ma_opts_check(&ps) == -1)
		return -1;
	ma_opts_health(o);
	return 0;
}
