/*
 * The command line of anycast-client.  Pure: every problem is one line
 * in the caller's buffer.
 *
 * Every option is one row of cl_options, from which getopt's tables and
 * the usage text are built; each row names the parser of its argument.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "client.h"

#define CL_STR(x)	CL_STR2(x)
#define CL_STR2(x)	#x

struct cl_opt;
typedef int (*cl_opt_fn)(struct cl_opts *, const struct cl_opt *,
    const char *, char *, size_t);

struct cl_opt {
	const char	*name;		/* long option */
	int		 ch;		/* short option, 0: none */
	const char	*arg;		/* its argument in the usage, NULL: none */
	cl_opt_fn	 parse;		/* 0, -1 (message in err), 1, 2 */
	size_t		 off;		/* the field in struct cl_opts */
	uint32_t	 min, max;	/* numbers */
	const char	*help;
};

#define CL_FIELD(f)	.off = offsetof(struct cl_opts, f)

/* "-A" or "--max": how the message names the option. */
static const char *
cl_optname(const struct cl_opt *opt)
{
	static char	 name[32];

	if (opt->ch != 0)
		snprintf(name, sizeof(name), "-%c", opt->ch);
	else
		snprintf(name, sizeof(name), "--%s", opt->name);
	return name;
}

static int
cl_arg_uint(struct cl_opts *o, const struct cl_opt *opt, const char *arg,
    char *err, size_t errlen)
{
	unsigned long	 v;
	char		*end;

	errno = 0;
	v = isdigit((unsigned char)arg[0]) ? strtoul(arg, &end, 10) : 0;
	if (!isdigit((unsigned char)arg[0]) || errno != 0 || *end != '\0' ||
	    v < opt->min || v > opt->max)
		return errf(err, errlen, "%s %s: must be %u-%u",
		    cl_optname(opt), arg, opt->min, opt->max);
	*(uint32_t *)(void *)((char *)o + opt->off) = (uint32_t)v;
	return 0;
}

static int
cl_arg_str(struct cl_opts *o, const struct cl_opt *opt, const char *arg,
    char *err, size_t errlen)
{
	if (arg[0] == '\0' || strlen(arg) >= opt->max)
		return errf(err, errlen, "%s: must be 1-%u characters",
		    cl_optname(opt), opt->max - 1);
	memcpy((char *)o + opt->off, arg, strlen(arg) + 1);
	return 0;
}

/* -A PREFIX: 2001:db8:ac::/64, or an address alone (/128). */
static int
cl_arg_prefix(struct cl_opts *o, const struct cl_opt *opt, const char *arg,
    char *err, size_t errlen)
{
	struct cl_prefix	*p;

	if (o->nprefixes == CL_MAX_PREFIXES)
		return errf(err, errlen, "%s: at most %d prefixes",
		    cl_optname(opt), CL_MAX_PREFIXES);
	p = &o->prefixes[o->nprefixes];
	if (parse_prefix(arg, &p->addr, &p->plen) == -1 ||
	    IN6_IS_ADDR_MULTICAST(&p->addr) || IN6_IS_ADDR_LINKLOCAL(&p->addr))
		return errf(err, errlen, "%s %s: not a global IPv6 address "
		    "or prefix", cl_optname(opt), arg);
	prefix_mask(&p->addr, p->plen);
	o->nprefixes++;
	return 0;
}

static int
cl_arg_flag(struct cl_opts *o, const struct cl_opt *opt, const char *arg,
    char *err, size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	*(bool *)((char *)o + opt->off) = true;
	return 0;
}

/* Returns opt->min: 1 for --help, 2 for --version. */
static int
cl_arg_exit(struct cl_opts *o, const struct cl_opt *opt, const char *arg,
    char *err, size_t errlen)
{
	(void)o, (void)arg, (void)err, (void)errlen;
	return (int)opt->min;
}

/* In the order of the usage text. */
static const struct cl_opt cl_options[] = {
	{ "interface", 'i', "IFACE", cl_arg_str, CL_FIELD(ifname),
	    .max = IF_NAMESIZE,
	    .help = "where replies arrive (default " CL_DEFAULT_IFACE ")" },
	{ "anycast", 'A', "PREFIX", cl_arg_prefix,
	    .help = "learn only from replies of these anycast\n"
	    "addresses (repeatable; default: any)" },
	{ "max", 'm', "N", cl_arg_uint, CL_FIELD(max), 1, CL_MAX_MAX,
	    "connections on the direct path at once\n"
	    "(default " CL_STR(CL_DEFAULT_MAX) ")" },
	{ "idle", 't', "SECONDS", cl_arg_uint, CL_FIELD(idle_s), 0, CL_MAX_IDLE,
	    "remove a connection idle that long, 0: never\n"
	    "(default " CL_STR(CL_DEFAULT_IDLE) ")" },
	{ "poll", 0, "MS", cl_arg_uint, CL_FIELD(poll_ms), CL_MIN_POLL,
	    CL_MAX_POLL, "how often the sockets are read (default "
	    CL_STR(CL_DEFAULT_POLL) ")" },
	{ "priority", 'P', "N", cl_arg_uint, CL_FIELD(priority), 1, 32765,
	    "priority of the policy rules (default "
	    CL_STR(CL_DEFAULT_PRIORITY) ")" },
	{ "table-base", 'T', "N", cl_arg_uint, CL_FIELD(table_base), 256,
	    4000000000u, "first routing table used (default "
	    CL_STR(CL_DEFAULT_TABLE_BASE) ")" },
	{ "control", 'S', "PATH", cl_arg_str, CL_FIELD(control), .max = 108,
	    .help = "status socket (default " CL_DEFAULT_CONTROL ")" },
	{ "status", 's', NULL, cl_arg_flag, CL_FIELD(status),
	    .help = "print the mappings of the running shim" },
	{ "json", 'j', NULL, cl_arg_flag, CL_FIELD(json),
	    .help = "with -s: the JSON document" },
	{ "debug", 'd', NULL, cl_arg_flag, CL_FIELD(debug),
	    .help = "log every reply learnt from and every poll" },
	{ "help", 'h', NULL, cl_arg_exit, .min = 1, .help = "print this text" },
	{ "version", 'V', NULL, cl_arg_exit, .min = 2,
	    .help = "print the version" },
};
#define CL_NOPTIONS	(sizeof(cl_options) / sizeof(cl_options[0]))
#define CL_LONG_BASE	256

void
cl_usage(FILE *f)
{
	const struct cl_opt	*opt;
	const char		*p, *eol;
	char			 flags[64];
	size_t			 i;
	int			 n;

	fprintf(f, "usage: %s [-i IFACE] [-A PREFIX]... [-m N] [-t SECONDS] "
	    "[--poll MS]\n"
	    "       [-P N] [-T N] [-S PATH] [-d]\n"
	    "       %s -s [-j] [-S PATH]\n\n", CL_NAME, CL_NAME);
	for (i = 0; i < CL_NOPTIONS; i++) {
		opt = &cl_options[i];
		n = opt->ch != 0 ? snprintf(flags, sizeof(flags), "-%c, --%s",
		    opt->ch, opt->name) : snprintf(flags, sizeof(flags),
		    "    --%s", opt->name);
		if (opt->arg != NULL && n > 0 && (size_t)n < sizeof(flags))
			snprintf(flags + n, sizeof(flags) - (size_t)n, " %s",
			    opt->arg);
		fprintf(f, "  %-22s  ", flags);
		for (p = opt->help; (eol = strchr(p, '\n')) != NULL;
		    p = eol + 1)
			fprintf(f, "%.*s\n%26s", (int)(eol - p), p, "");
		fprintf(f, "%s\n", p);
	}
}

int
cl_opts_parse(int argc, char *argv[], struct cl_opts *o, char *err,
    size_t errlen)
{
	struct option		 longopts[CL_NOPTIONS + 1];
	char			 shortopts[2 * CL_NOPTIONS + 2], *sp = shortopts;
	const struct cl_opt	*opt;
	size_t			 i;
	int			 ch, rv;

	memset(o, 0, sizeof(*o));
	snprintf(o->ifname, sizeof(o->ifname), "%s", CL_DEFAULT_IFACE);
	snprintf(o->control, sizeof(o->control), "%s", CL_DEFAULT_CONTROL);
	o->max = CL_DEFAULT_MAX;
	o->idle_s = CL_DEFAULT_IDLE;
	o->poll_ms = CL_DEFAULT_POLL;
	o->priority = CL_DEFAULT_PRIORITY;
	o->table_base = CL_DEFAULT_TABLE_BASE;

	*sp++ = ':';
	for (i = 0; i < CL_NOPTIONS; i++) {
		opt = &cl_options[i];
		longopts[i] = (struct option){ opt->name, opt->arg != NULL ?
		    required_argument : no_argument, NULL,
		    CL_LONG_BASE + (int)i };
		if (opt->ch != 0) {
			*sp++ = (char)opt->ch;
			if (opt->arg != NULL)
				*sp++ = ':';
		}
	}
	longopts[CL_NOPTIONS] = (struct option){ NULL, 0, NULL, 0 };
	*sp = '\0';

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		opt = NULL;
		if (ch >= CL_LONG_BASE && ch < CL_LONG_BASE + (int)CL_NOPTIONS)
			opt = &cl_options[ch - CL_LONG_BASE];
		for (i = 0; opt == NULL && i < CL_NOPTIONS; i++)
			if (cl_options[i].ch == ch)
				opt = &cl_options[i];
		if (opt == NULL)
			return errf(err, errlen, ch == ':' ? "%s needs an "
			    "argument" : "unknown option %s", argv[optind - 1]);
		if ((rv = opt->parse(o, opt, optarg, err, errlen)) != 0)
			return rv;
	}
	if (optind < argc)
		return errf(err, errlen, "unexpected argument \"%s\"",
		    argv[optind]);
	if ((uint64_t)o->table_base + o->max > UINT32_MAX - 1)
		return errf(err, errlen, "-T %u with -m %u: the tables would "
		    "pass 2^32", o->table_base, o->max);
	if (o->json && !o->status)
		return errf(err, errlen, "-j goes with -s");
	return 0;
}
