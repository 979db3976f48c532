/*
 * The command line of anycast-member.  Pure apart from reading the key
 * file of -K: every problem is one line in the caller's buffer.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "agent.h"

#define MA_KEYFILE_MAX	4096

enum {
	OPT_HEALTH_TCP = 256,
	OPT_HEALTH_CMD,
	OPT_LOAD_CMD,
	OPT_CAPACITY,
	OPT_WEIGHT,
	OPT_BANDWIDTH,
	OPT_INTERVAL,
	OPT_SESSION_RATE,
	OPT_KEEP_ADDRESS,
};

static const struct option ma_longopts[] = {
	{ "group",		required_argument, NULL, 'g' },
	{ "key",		required_argument, NULL, 'k' },
	{ "key-file",		required_argument, NULL, 'K' },
	{ "address",		required_argument, NULL, 'a' },
	{ "interface",		required_argument, NULL, 'i' },
	{ "router",		required_argument, NULL, 'r' },
	{ "port",		required_argument, NULL, 'p' },
	{ "health-tcp",		required_argument, NULL, OPT_HEALTH_TCP },
	{ "health-cmd",		required_argument, NULL, OPT_HEALTH_CMD },
	{ "load-cmd",		required_argument, NULL, OPT_LOAD_CMD },
	{ "capacity",		required_argument, NULL, OPT_CAPACITY },
	{ "weight",		required_argument, NULL, OPT_WEIGHT },
	{ "bandwidth",		required_argument, NULL, OPT_BANDWIDTH },
	{ "interval",		required_argument, NULL, OPT_INTERVAL },
	{ "session-rate",	required_argument, NULL, OPT_SESSION_RATE },
	{ "keep-address",	no_argument,	   NULL, OPT_KEEP_ADDRESS },
	{ "debug",		no_argument,	   NULL, 'd' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL,			0,		   NULL, 0 }
};

void
ma_usage(FILE *f)
{
	fprintf(f,
	    "usage: %s -g GROUP_ADDR (-k KEYID:HEXKEY | -K KEYFILE)\n"
	    "       [-a UNICAST_ADDR] [-i IFACE] [-r ROUTER_ADDR] [-p PORT]\n"
	    "       [--health-tcp PORT | --health-cmd CMD] [--load-cmd CMD]\n"
	    "       [--capacity N] [--weight N] [--bandwidth MBITS]\n"
	    "       [--interval MS] [--session-rate N] [--keep-address] [-d]\n"
	    "\n"
	    "  -g, --group ADDR       anycast address to serve (required)\n"
	    "  -k, --key ID:HEX       key id (1-65535) and 64 hex digits\n"
	    "  -K, --key-file FILE    file holding ID:HEX on its first line\n"
	    "  -a, --address ADDR     member (unicast) address; default: the\n"
	    "                         first global address of IFACE\n"
	    "  -i, --interface IFACE  link to the router (default %s)\n"
	    "  -r, --router ADDR      router address; default: the default\n"
	    "                         gateway on IFACE\n"
	    "  -p, --port PORT        service port: only its sessions count,\n"
	    "                         and it is the default health check\n"
	    "      --health-tcp PORT  healthy while [GROUP]:PORT accepts TCP\n"
	    "      --health-cmd CMD   healthy while CMD exits 0\n"
	    "      --load-cmd CMD     CMD prints the load in percent\n"
	    "      --capacity N       sessions this member can hold\n"
	    "      --weight N         relative weight, 0: no new sessions\n"
	    "      --bandwidth MBITS  residual bandwidth to report\n"
	    "      --interval MS      report interval to propose (default %d)\n"
	    "      --session-rate N   session messages per second before\n"
	    "                         changes go as a count (default %d)\n"
	    "      --keep-address     leave GROUP on lo at exit\n"
	    "  -d, --debug            log every message\n",
	    MA_NAME, MA_DEFAULT_IFACE, MA_DEFAULT_INTERVAL,
	    MA_DEFAULT_SESSION_RATE);
}

static int
ma_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static int
ma_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
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

/* A global unicast address: what a group or a member must be. */
static bool
ma_global(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	    !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_LINKLOCAL(a) &&
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
		return ma_err(err, errlen, "key file %s: %s", path,
		    strerror(errno));
	while (len < MA_KEYFILE_MAX &&
	    (n = read(fd, text + len, MA_KEYFILE_MAX - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			rv = errno;
			close(fd);
			return ma_err(err, errlen, "key file %s: %s", path,
			    strerror(rv));
		}
		len += (size_t)n;
	}
	close(fd);
	text[len] = '\0';
	rv = ma_keyfile_parse(text, &o->key_id, o->key);
	sodium_memzero(text, sizeof(text));
	if (rv == -1)
		return ma_err(err, errlen, "key file %s: expected a line "
		    "KEYID:HEXKEY (key id 1-65535, 64 hex digits)", path);
	return 0;
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

int
ma_opts_parse(int argc, char *argv[], struct ma_opts *o, char *err,
    size_t errlen)
{
	const char	*keyfile = NULL;
	bool		 have_group = false, have_key = false;
	bool		 health_tcp = false;
	uint32_t	 v;
	int		 ch;

	ma_opts_defaults(o);
	optind = 0;		/* glibc: full reset */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":g:k:K:a:i:r:p:dhV",
	    ma_longopts, NULL)) != -1) {
		switch (ch) {
		case 'g':
			if (inet_pton(AF_INET6, optarg, &o->group) != 1 ||
			    !ma_global(&o->group))
				return ma_err(err, errlen, "-g %s: not a "
				    "global unicast IPv6 address", optarg);
			have_group = true;
			break;
		case 'k':
			if (ma_key_parse(optarg, &o->key_id, o->key) == -1)
				return ma_err(err, errlen, "-k: expected "
				    "KEYID:HEXKEY (key id 1-65535, 64 hex "
				    "digits)");
			have_key = true;
			keyfile = NULL;
			break;
		case 'K':
			keyfile = optarg;
			have_key = false;
			break;
		case 'a':
			if (inet_pton(AF_INET6, optarg, &o->unicast) != 1 ||
			    !ma_global(&o->unicast))
				return ma_err(err, errlen, "-a %s: not a "
				    "global unicast IPv6 address", optarg);
			o->have_unicast = true;
			break;
		case 'i':
			if (optarg[0] == '\0' ||
			    strlen(optarg) >= sizeof(o->ifname) ||
			    strchr(optarg, '/') != NULL)
				return ma_err(err, errlen, "-i %s: not an "
				    "interface name", optarg);
			snprintf(o->ifname, sizeof(o->ifname), "%s", optarg);
			break;
		case 'r':
			if (inet_pton(AF_INET6, optarg, &o->router) != 1 ||
			    IN6_IS_ADDR_UNSPECIFIED(&o->router) ||
			    IN6_IS_ADDR_LOOPBACK(&o->router) ||
			    IN6_IS_ADDR_MULTICAST(&o->router))
				return ma_err(err, errlen, "-r %s: not a "
				    "unicast IPv6 address", optarg);
			o->have_router = true;
			break;
		case 'p':
			if (ma_u32(optarg, 1, 65535, &v) == -1)
				return ma_err(err, errlen, "-p %s: not a "
				    "port (1-65535)", optarg);
			o->port = (uint16_t)v;
			break;
		case OPT_HEALTH_TCP:
			if (ma_u32(optarg, 1, 65535, &v) == -1)
				return ma_err(err, errlen, "--health-tcp %s: "
				    "not a port (1-65535)", optarg);
			o->health_port = (uint16_t)v;
			health_tcp = true;
			break;
		case OPT_HEALTH_CMD:
			if (optarg[0] == '\0')
				return ma_err(err, errlen, "--health-cmd: "
				    "empty command");
			o->health_cmd = optarg;
			break;
		case OPT_LOAD_CMD:
			if (optarg[0] == '\0')
				return ma_err(err, errlen, "--load-cmd: "
				    "empty command");
			o->load_cmd = optarg;
			break;
		case OPT_CAPACITY:
			if (ma_u32(optarg, 1, MA_MAX_CAPACITY, &v) == -1)
				return ma_err(err, errlen, "--capacity %s: "
				    "must be 1-%u", optarg, MA_MAX_CAPACITY);
			o->capacity = v;
			break;
		case OPT_WEIGHT:
			if (ma_u32(optarg, 0, UINT16_MAX, &v) == -1)
				return ma_err(err, errlen, "--weight %s: "
				    "must be 0-65535", optarg);
			o->weight = (uint16_t)v;
			o->have_weight = true;
			break;
		case OPT_BANDWIDTH:
			if (ma_u32(optarg, 0, UINT32_MAX, &v) == -1)
				return ma_err(err, errlen, "--bandwidth %s: "
				    "not a number of Mbit/s", optarg);
			o->bandwidth = v;
			o->have_bandwidth = true;
			break;
		case OPT_INTERVAL:
			if (ma_u32(optarg, MA_MIN_INTERVAL, MA_MAX_INTERVAL,
			    &v) == -1)
				return ma_err(err, errlen, "--interval %s: "
				    "must be %d-%d ms", optarg,
				    MA_MIN_INTERVAL, MA_MAX_INTERVAL);
			o->interval_ms = (uint16_t)v;
			break;
		case OPT_SESSION_RATE:
			if (ma_u32(optarg, 1, MA_MAX_SESSION_RATE, &v) == -1)
				return ma_err(err, errlen, "--session-rate "
				    "%s: must be 1-%d", optarg,
				    MA_MAX_SESSION_RATE);
			o->session_rate = v;
			break;
		case OPT_KEEP_ADDRESS:
			o->keep_address = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'h':
			return 1;
		case 'V':
			return 2;
		case ':':
			return ma_err(err, errlen, "%s needs an argument",
			    argv[optind - 1]);
		default:
			return ma_err(err, errlen, "unknown option %s",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return ma_err(err, errlen, "unexpected argument \"%s\"",
		    argv[optind]);
	if (!have_group)
		return ma_err(err, errlen, "no group: give the anycast "
		    "address with -g");
	if (health_tcp && o->health_cmd != NULL)
		return ma_err(err, errlen, "--health-tcp and --health-cmd "
		    "exclude each other");
	if (keyfile != NULL) {
		if (ma_keyfile_read(keyfile, o, err, errlen) == -1)
			return -1;
		have_key = true;
	}
	if (!have_key)
		return ma_err(err, errlen, "no key: give -k KEYID:HEXKEY or "
		    "-K KEYFILE");
	if (o->have_unicast && IN6_ARE_ADDR_EQUAL(&o->unicast, &o->group))
		return ma_err(err, errlen, "-a: the member address must "
		    "differ from the group address");

	if (health_tcp)
		o->health = MA_HEALTH_TCP;
	else if (o->health_cmd != NULL)
		o->health = MA_HEALTH_CMD;
	else if (o->port != 0) {
		o->health = MA_HEALTH_TCP;
		o->health_port = o->port;
	}
	return 0;
}
