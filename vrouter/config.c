/*
 * The JSON configuration: defaults, then parsing and validation of the
 * whole document before any of it is used.  Every problem is an error
 * naming the key path, e.g. "interfaces[1].addresses[0]: bad prefix ...";
 * unknown keys are errors everywhere.  Interfaces are in config_iface.c,
 * anycast groups and the flow table in config_group.c; docs/config.md
 * describes the format.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "addr.h"
#include "pbuf.h"
#include "config_json.h"
#include "dns.h"

#define CFG_MAX_FILE		(1024 * 1024)

#define DEFAULT_API_LISTEN	"::1"
#define DEFAULT_API_PORT	8080
#define MIN_TOKEN_LEN		16
#define MAX_TOKEN_LEN		128
#define DEFAULT_CAPTURE_DIR	"/tmp/vrouter-captures"
#define MIN_NEIGH_MAX		16
#define MAX_NEIGH_MAX		1048576
#define MAX_NEIGH_QUEUE		1024
#define MAX_ICMP_RATE		100000
#define MIN_PBUFS		64
#define MAX_PBUFS		65536
#define MAX_DNS_TTL		86400

static void	 config_defaults(struct config *);
static const char *syntax_text(json_error_t *);
static int	 parse_root(struct cfgp *, json_t *);
static int	 parse_api(struct cfgp *, json_t *);
static int	 parse_limits(struct cfgp *, json_t *);
static int	 parse_io(struct cfgp *, json_t *);
static int	 parse_dns(struct cfgp *, json_t *);
static int	 parse_routes(struct cfgp *, json_t *);
static int	 route_parse(struct cfgp *, json_t *, const char *,
		    struct cfg_route *);

/* ---------------------------------------------------------------------- */
/* messages and key paths */

int
cfg_err(struct cfgp *p, const char *fmt, ...)
{
	va_list	ap;

	if (p->err != NULL && p->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *
cfg_quote(char *buf, size_t len, const char *s)
{
	size_t	 o = 0;
	char	 tmp[8];
	int	 n;

	buf[o++] = '"';
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			n = snprintf(tmp, sizeof(tmp), "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n = snprintf(tmp, sizeof(tmp), "\\x%02x", ch);
		else
			n = snprintf(tmp, sizeof(tmp), "%c", ch);
		/* keep room for '...', the closing quote and the NUL */
		if (o + (size_t)n + 5 > len) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, tmp, (size_t)n);
		o += (size_t)n;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static const char *
pathf(char *buf, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, CFG_PATH_LEN, fmt, ap);
	va_end(ap);
	return buf;
}

const char *
cfg_path(char *buf, const char *path, const char *key)
{
	if (*path == '\0')
		return pathf(buf, "%s", key);
	return pathf(buf, "%s.%s", path, key);
}

const char *
cfg_index(char *buf, const char *path, size_t i)
{
	return pathf(buf, "%s[%zu]", path, i);
}

/* ---------------------------------------------------------------------- */
/* typed members */

int
cfg_object(struct cfgp *p, json_t *obj, const char *path)
{
	if (!json_is_object(obj))
		return cfg_err(p, "%s: must be an object", path);
	return 0;
}

int
cfg_keys(struct cfgp *p, json_t *obj, const char *path,
    const char *const *keys)
{
	const char	*key;
	json_t		*v;
	char		 q[CFG_QUOTE_LEN];
	int		 i;

	json_object_foreach(obj, key, v) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(key, keys[i]) == 0)
				break;
		if (keys[i] == NULL)
			return cfg_err(p, "unknown key %s at %s",
			    cfg_quote(q, sizeof(q), key),
			    *path == '\0' ? "top level" : path);
	}
	return 0;
}

json_t *
cfg_member(struct cfgp *p, json_t *obj, const char *path, const char *key,
    int type, bool required, int *rc)
{
	static const char *const what[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
		[JSON_TRUE] = "true or false", [JSON_FALSE] = "true or false",
	};
	char	 kp[CFG_PATH_LEN];
	json_t	*v;
	int	 t;

	*rc = 0;
	if ((v = json_object_get(obj, key)) == NULL) {
		if (required)
			*rc = cfg_err(p, "%s: missing required key \"%s\"",
			    *path == '\0' ? "configuration" : path, key);
		return NULL;
	}
	t = json_typeof(v);
	if (type == JSON_TRUE && t == JSON_FALSE)
		t = JSON_TRUE;
	if (type != -1 && t != type) {
		*rc = cfg_err(p, "%s: must be %s", cfg_path(kp, path, key),
		    what[type]);
		return NULL;
	}
	return v;
}

int
cfg_bool(struct cfgp *p, json_t *obj, const char *path, const char *key,
    bool *out)
{
	json_t	*v;
	int	 rc;

	if ((v = cfg_member(p, obj, path, key, JSON_TRUE, false, &rc)) != NULL)
		*out = json_is_true(v);
	return rc;
}

int
cfg_uint(struct cfgp *p, json_t *obj, const char *path, const char *key,
    uint64_t min, uint64_t max, uint64_t *out)
{
	char		 kp[CFG_PATH_LEN];
	json_t		*v;
	json_int_t	 n;

	if ((v = json_object_get(obj, key)) == NULL)
		return 0;
	n = json_is_integer(v) ? json_integer_value(v) : -1;
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return cfg_err(p, "%s: must be an integer between %llu and "
		    "%llu", cfg_path(kp, path, key), (unsigned long long)min,
		    (unsigned long long)max);
	*out = (uint64_t)n;
	return 0;
}

int
cfg_u32(struct cfgp *p, json_t *obj, const char *path, const char *key,
    uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t	v = *out;

	if (cfg_uint(p, obj, path, key, min, max, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int
cfg_real(struct cfgp *p, json_t *obj, const char *path, const char *key,
    double min, double max, double *out)
{
	char		 kp[CFG_PATH_LEN];
	json_t		*v;
	double		 n;

	if ((v = json_object_get(obj, key)) == NULL)
		return 0;
	n = json_is_number(v) ? json_number_value(v) : -1;
	if (!json_is_number(v) || !(n >= min && n <= max))
		return cfg_err(p, "%s: must be a number between %g and %g",
		    cfg_path(kp, path, key), min, max);
	*out = n;
	return 0;
}

int
cfg_str(struct cfgp *p, json_t *obj, const char *path, const char *key,
    const char **out)
{
	json_t	*v;
	int	 rc;

	if ((v = cfg_member(p, obj, path, key, JSON_STRING, false, &rc)) !=
	    NULL)
		*out = json_string_value(v);
	return rc;
}

int
cfg_copy(struct cfgp *p, const char *path, const char *s, char *dst,
    size_t size)
{
	size_t	len = strlen(s);

	if (len >= size)
		return cfg_err(p, "%s: too long (at most %zu characters)",
		    path, size - 1);
	memcpy(dst, s, len + 1);
	return 0;
}

int
cfg_name(struct cfgp *p, const char *path, const char *s, size_t max)
{
	char	 q[CFG_QUOTE_LEN];
	size_t	 len = strlen(s);

	if (len == 0)
		return cfg_err(p, "%s: must not be empty", path);
	if (len > max)
		return cfg_err(p, "%s: %s is too long (at most %zu characters)",
		    path, cfg_quote(q, sizeof(q), s), max);
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return cfg_err(p, "%s: %s is not a valid name", path,
		    cfg_quote(q, sizeof(q), s));
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") != len)
		return cfg_err(p, "%s: %s has characters other than A-Z a-z "
		    "0-9 _ . -", path, cfg_quote(q, sizeof(q), s));
	return 0;
}

int
cfg_net(struct cfgp *p, const char *path, const char *s,
    struct in6_addr *addr, uint8_t *plen, int flags)
{
	struct in6_addr	 masked;
	char		 q[CFG_QUOTE_LEN];

	if ((flags & NET_NEED_LEN) && strchr(s, '/') == NULL)
		return cfg_err(p, "%s: %s needs a prefix length, as in "
		    "\"2001:db8::1/64\"", path, cfg_quote(q, sizeof(q), s));
	if (parse_prefix(s, addr, plen) == -1)
		return cfg_err(p, "%s: bad prefix %s", path,
		    cfg_quote(q, sizeof(q), s));
	masked = *addr;
	prefix_mask(&masked, *plen);
	if ((flags & NET_NO_HOST) && memcmp(&masked, addr, sizeof(masked)))
		return cfg_err(p, "%s: host bits set in %s", path,
		    cfg_quote(q, sizeof(q), s));
	return 0;
}

const char *
cfg_unicast_problem(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_MULTICAST(a))
		return "is a multicast address";
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return "is the unspecified address";
	if (IN6_IS_ADDR_LOOPBACK(a))
		return "is the loopback address";
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* defaults */

static void
config_defaults(struct config *c)
{
	struct cfg_route	*routes = c->routes;
	struct cfg_group	*groups = c->groups;

	memset(c, 0, sizeof(*c));
	c->routes = routes;
	c->groups = groups;
	c->api_enabled = true;
	snprintf(c->api_listen, sizeof(c->api_listen), "%s",
	    DEFAULT_API_LISTEN);
	c->api_port = DEFAULT_API_PORT;
	snprintf(c->capture_dir, sizeof(c->capture_dir), "%s",
	    DEFAULT_CAPTURE_DIR);
	c->log_level = LOG_LVL_INFO;
	c->keep_taps = true;
	c->neigh_max = DEFAULT_NEIGH_MAX;
	c->neigh_queue = DEFAULT_NEIGH_QUEUE;
	c->icmp_rate = DEFAULT_ICMP_RATE;
	c->icmp_burst = DEFAULT_ICMP_BURST;
	c->pbufs = DEFAULT_PBUFS;
	cfg_flows_defaults(&c->flows);
	c->dns_enabled = true;
	c->dns_ttl = DNS_DEFAULT_TTL;
	cfg_ripng_defaults(&c->ripng);
	cfg_ebb_defaults(&c->ebb);
}

/* ---------------------------------------------------------------------- */
/* top level */

static int
parse_root(struct cfgp *p, json_t *root)
{
	static const char *const keys[] = { "api", "capture_dir",
	    "log_level", "keep_taps", "limits", "interfaces", "routes",
	    "groups", "flows", "dns", "ripng", "ebb", "io",
	    NULL };
	static const char *const levels[] = {
		[LOG_LVL_WARN] = "warn", [LOG_LVL_INFO] = "info",
		[LOG_LVL_DEBUG] = "debug",
	};
	struct config	*c = p->conf;
	const char	*dir = NULL, *level = NULL;
	char		 q[CFG_QUOTE_LEN];
	json_t		*v;
	int		 rc, i;

	if (!json_is_object(root))
		return cfg_err(p, "configuration: must be a JSON object");
	if (cfg_keys(p, root, "", keys) == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "api", JSON_OBJECT, false, &rc)) !=
	    NULL)
		rc = parse_api(p, v);
	if (rc == -1)
		return -1;

	if (cfg_str(p, root, "", "capture_dir", &dir) == -1)
		return -1;
	if (dir != NULL) {
		if (*dir != '/')
			return cfg_err(p, "capture_dir: %s is not an absolute "
			    "path", cfg_quote(q, sizeof(q), dir));
		if (cfg_copy(p, "capture_dir", dir, c->capture_dir,
		    sizeof(c->capture_dir)) == -1)
			return -1;
	}

	if (cfg_str(p, root, "", "log_level", &level) == -1)
		return -1;
	if (level != NULL) {
		for (i = 0; i <= LOG_LVL_DEBUG; i++)
			if (strcmp(level, levels[i]) == 0)
				break;
		if (i > LOG_LVL_DEBUG)
			return cfg_err(p, "log_level: must be \"warn\", "
			    "\"info\" or \"debug\", not %s",
			    cfg_quote(q, sizeof(q), level));
		c->log_level = i;
	}

	if (cfg_bool(p, root, "", "keep_taps", &c->keep_taps) == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "io", JSON_OBJECT, false, &rc)) !=
	    NULL)
		rc = parse_io(p, v);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "limits", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = parse_limits(p, v);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "dns", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = parse_dns(p, v);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "interfaces", JSON_ARRAY, true,
	    &rc)) == NULL || cfg_parse_ifaces(p, v) == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "routes", JSON_ARRAY, false,
	    &rc)) != NULL)
		rc = parse_routes(p, v);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "groups", JSON_ARRAY, false,
	    &rc)) != NULL)
		rc = cfg_parse_groups(p, v);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "flows", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = cfg_parse_flows(p, v);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "ripng", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = cfg_parse_ripng(p, v);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, root, "", "ebb", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = cfg_parse_ebb(p, v);
	if (rc == -1)
		return -1;
	return cfg_check_ebb(p);
}

static int
parse_api(struct cfgp *p, json_t *obj)
{
	static const char *const keys[] = { "enabled", "listen", "port",
	    "token", "web_root", NULL };
	struct config	*c = p->conf;
	const char	*listen = NULL, *token = NULL, *root = NULL;
	struct in6_addr	 a6;
	struct in_addr	 a4;
	uint32_t	 port = c->api_port;
	char		 q[CFG_QUOTE_LEN];
	size_t		 i, len;

	if (cfg_keys(p, obj, "api", keys) == -1 ||
	    cfg_bool(p, obj, "api", "enabled", &c->api_enabled) == -1 ||
	    cfg_str(p, obj, "api", "listen", &listen) == -1 ||
	    cfg_u32(p, obj, "api", "port", 1, 65535, &port) == -1 ||
	    cfg_str(p, obj, "api", "token", &token) == -1 ||
	    cfg_str(p, obj, "api", "web_root", &root) == -1)
		return -1;
	c->api_port = (uint16_t)port;

	/* Only the form here: whether it exists is checked at start. */
	if (root != NULL) {
		if (*root != '/')
			return cfg_err(p, "api.web_root: %s is not an absolute "
			    "path", cfg_quote(q, sizeof(q), root));
		if (cfg_copy(p, "api.web_root", root, c->api_web_root,
		    sizeof(c->api_web_root)) == -1)
			return -1;
	}

	if (listen != NULL) {
		if (strlen(listen) >= sizeof(c->api_listen) ||
		    (inet_pton(AF_INET6, listen, &a6) != 1 &&
		    inet_pton(AF_INET, listen, &a4) != 1))
			return cfg_err(p, "api.listen: %s is not an IPv6 or "
			    "IPv4 address", cfg_quote(q, sizeof(q), listen));
		memcpy(c->api_listen, listen, strlen(listen) + 1);
	}

	/* "" asks for a generated token; the value is never echoed. */
	if (token != NULL && *token != '\0') {
		len = strlen(token);
		for (i = 0; i < len; i++)
			if (token[i] <= ' ' || token[i] > '~')
				break;
		if (len < MIN_TOKEN_LEN || len > MAX_TOKEN_LEN || i < len)
			return cfg_err(p, "api.token: must be %d to %d "
			    "printable ASCII characters without spaces",
			    MIN_TOKEN_LEN, MAX_TOKEN_LEN);
		memcpy(c->api_token, token, len + 1);
	}
	return 0;
}

static int
parse_limits(struct cfgp *p, json_t *obj)
{
	static const char *const keys[] = { "neighbors", "neighbor_queue",
	    "icmp_errors_per_sec", "icmp_burst", "buffers", NULL };
	struct config	*c = p->conf;

	if (cfg_keys(p, obj, "limits", keys) == -1 ||
	    cfg_u32(p, obj, "limits", "neighbors", MIN_NEIGH_MAX,
	    MAX_NEIGH_MAX, &c->neigh_max) == -1 ||
	    cfg_u32(p, obj, "limits", "neighbor_queue", 1, MAX_NEIGH_QUEUE,
	    &c->neigh_queue) == -1 ||
	    cfg_u32(p, obj, "limits", "icmp_errors_per_sec", 0, MAX_ICMP_RATE,
	    &c->icmp_rate) == -1 ||
	    cfg_u32(p, obj, "limits", "icmp_burst", 1, MAX_ICMP_RATE,
	    &c->icmp_burst) == -1 ||
	    cfg_u32(p, obj, "limits", "buffers", MIN_PBUFS, MAX_PBUFS,
	    &c->pbufs) == -1)
		return -1;
	return 0;
}

/* TAP I/O: "uring" or "readv"; absent, the first that works. */
static int
parse_io(struct cfgp *p, json_t *obj)
{
	static const char *const keys[] = { "backend", NULL };
	const char	*b = NULL;
	char		 q[CFG_QUOTE_LEN];

	if (cfg_keys(p, obj, "io", keys) == -1 ||
	    cfg_str(p, obj, "io", "backend", &b) == -1)
		return -1;
	if (b == NULL)
		return 0;
	if (strcmp(b, "uring") == 0)
		p->conf->io_backend = CFG_IO_URING;
	else if (strcmp(b, "readv") == 0)
		p->conf->io_backend = CFG_IO_READV;
	else
		return cfg_err(p, "io.backend: must be \"uring\" or "
		    "\"readv\", not %s", cfg_quote(q, sizeof(q), b));
	return 0;
}

/* The .any responder (dns.h). */
static int
parse_dns(struct cfgp *p, json_t *obj)
{
	static const char *const keys[] = { "enabled", "ttl", NULL };
	struct config	*c = p->conf;

	if (cfg_keys(p, obj, "dns", keys) == -1 ||
	    cfg_bool(p, obj, "dns", "enabled", &c->dns_enabled) == -1 ||
	    cfg_u32(p, obj, "dns", "ttl", 0, MAX_DNS_TTL, &c->dns_ttl) == -1)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* routes */

static int
parse_routes(struct cfgp *p, json_t *arr)
{
	struct config		*c = p->conf;
	struct cfg_route	*rt, *o;
	char			 path[CFG_PATH_LEN], buf[INET6_ADDRSTRLEN];
	json_t			*v;
	size_t			 n;
	int			 i, j;

	if (json_array_size(arr) > CFG_MAX_ROUTES)
		return cfg_err(p, "routes: at most %d routes", CFG_MAX_ROUTES);
	json_array_foreach(arr, n, v) {
		cfg_index(path, "routes", n);
		rt = &c->routes[n];
		if (route_parse(p, v, path, rt) == -1)
			return -1;
		if (rt->iface[0] != '\0') {
			for (i = 0; i < c->nifaces; i++)
				if (strcmp(c->ifaces[i].name, rt->iface) == 0)
					break;
			if (i == c->nifaces)
				return cfg_err(p, "%s.interface: no interface "
				    "named \"%s\"", path, rt->iface);
		}
		for (i = 0; rt->has_via && i < c->nifaces; i++)
			for (j = 0; j < c->ifaces[i].naddrs; j++)
				if (memcmp(&c->ifaces[i].addrs[j].addr,
				    &rt->via, sizeof(rt->via)) == 0)
					return cfg_err(p, "%s.via: %s is the "
					    "router's own address on "
					    "interfaces[%d]", path,
					    inet_ntop(AF_INET6, &rt->via, buf,
					    sizeof(buf)), i);
		for (i = 0; i < c->nroutes; i++) {
			o = &c->routes[i];
			if (o->plen == rt->plen && memcmp(&o->prefix,
			    &rt->prefix, sizeof(rt->prefix)) == 0)
				return cfg_err(p, "%s.prefix: duplicate route "
				    "%s/%u (also routes[%d])", path,
				    inet_ntop(AF_INET6, &rt->prefix, buf,
				    sizeof(buf)), rt->plen, i);
		}
		c->nroutes++;
	}
	return 0;
}

/* One route object; the interface name is checked by the caller. */
static int
route_parse(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_route *rt)
{
	static const char *const keys[] = { "prefix", "via", "interface",
	    NULL };
	const char	*via = NULL, *ifname = NULL, *why;
	char		 kp[CFG_PATH_LEN], q[CFG_QUOTE_LEN];
	json_t		*v;
	int		 rc;

	memset(rt, 0, sizeof(*rt));
	if (cfg_object(p, obj, path) == -1 ||
	    cfg_keys(p, obj, path, keys) == -1 ||
	    (v = cfg_member(p, obj, path, "prefix", JSON_STRING, true,
	    &rc)) == NULL ||
	    cfg_net(p, cfg_path(kp, path, "prefix"), json_string_value(v),
	    &rt->prefix, &rt->plen, NET_NO_HOST) == -1 ||
	    cfg_str(p, obj, path, "via", &via) == -1 ||
	    cfg_str(p, obj, path, "interface", &ifname) == -1)
		return -1;
	if (rt->plen >= 8 && IN6_IS_ADDR_MULTICAST(&rt->prefix))
		return cfg_err(p, "%s: %s is a multicast prefix", kp,
		    cfg_quote(q, sizeof(q), json_string_value(v)));

	if (ifname != NULL) {
		if (cfg_name(p, cfg_path(kp, path, "interface"), ifname,
		    IFNAMSIZ - 1) == -1)
			return -1;
		memcpy(rt->iface, ifname, strlen(ifname) + 1);
	}
	if (via != NULL) {
		cfg_path(kp, path, "via");
		cfg_quote(q, sizeof(q), via);
		if (inet_pton(AF_INET6, via, &rt->via) != 1)
			return cfg_err(p, "%s: %s is not an IPv6 address", kp,
			    q);
		if ((why = cfg_unicast_problem(&rt->via)) != NULL)
			return cfg_err(p, "%s: %s %s", kp, q, why);
		if (IN6_IS_ADDR_LINKLOCAL(&rt->via) && ifname == NULL)
			return cfg_err(p, "%s: the link-local next hop %s "
			    "needs \"interface\"", kp, q);
		rt->has_via = true;
	} else if (ifname == NULL)
		return cfg_err(p, "%s: a route needs \"via\", \"interface\" "
		    "or both", path);
	return 0;
}

int
config_parse_route(json_t *obj, const char *where, struct cfg_route *rt,
    char *err, size_t errlen)
{
	struct cfgp	p = { .err = err, .errlen = errlen };

	return route_parse(&p, obj, where, rt);
}

/* ---------------------------------------------------------------------- */
/* the public interface */

struct config *
config_new(void)
{
	struct config	*c;

	c = xcalloc(1, sizeof(*c));
	c->routes = xcalloc(CFG_MAX_ROUTES, sizeof(*c->routes));
	c->groups = xcalloc(CFG_MAX_GROUPS, sizeof(*c->groups));
	config_defaults(c);
	return c;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->routes);
	/* membership keys and the API token do not outlive the config */
	if (c->groups != NULL)
		explicit_bzero(c->groups, CFG_MAX_GROUPS * sizeof(*c->groups));
	free(c->groups);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

/*
 * jansson quotes the token it stopped at.  A string there may be a secret
 * (the API token, a group key, half read), so only the line and column
 * point at it; a duplicate key keeps its quoted name.
 */
static const char *
syntax_text(json_error_t *jerr)
{
	char	*near;

	if ((near = strstr(jerr->text, " near '\"")) != NULL &&
	    strncmp(jerr->text, "duplicate object key",
	    strlen("duplicate object key")) != 0)
		*near = '\0';
	return jerr->text;
}

/*
 * The document is parsed into a scratch config and copied over conf only
 * when all of it is valid, so a failed parse leaves conf as it was.
 */
int
config_parse(const char *json, size_t len, struct config *conf, char *err,
    size_t errlen)
{
	struct cfgp		 p = { .err = err, .errlen = errlen };
	struct cfg_route	*routes;
	struct cfg_group	*groups;
	json_error_t		 jerr;
	json_t			*root;
	int			 rc;

	if ((root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL)
		return cfg_err(&p, "line %d column %d: %s", jerr.line,
		    jerr.column, syntax_text(&jerr));
	p.conf = config_new();
	if ((rc = parse_root(&p, root)) == 0) {
		routes = conf->routes;
		groups = conf->groups;
		*conf = *p.conf;
		if (routes != NULL) {
			memcpy(routes, p.conf->routes,
			    (size_t)conf->nroutes * sizeof(*routes));
			conf->routes = routes;
		} else
			p.conf->routes = NULL;
		if (groups != NULL) {
			memcpy(groups, p.conf->groups,
			    (size_t)conf->ngroups * sizeof(*groups));
			/* no keys of the old groups linger past ngroups */
			explicit_bzero(groups + conf->ngroups,
			    (size_t)(CFG_MAX_GROUPS - conf->ngroups) *
			    sizeof(*groups));
			conf->groups = groups;
		} else
			p.conf->groups = NULL;
	}
	config_free(p.conf);
	json_decref(root);
	return rc;
}

int
config_load(const char *path, struct config *conf, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL, msg[512];
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) &&
	    st.st_size > CFG_MAX_FILE)) {
		snprintf(err, errlen, "%s: %s", path, S_ISDIR(st.st_mode) ?
		    strerror(EISDIR) : "larger than 1 MiB");
		goto done;
	}
	/* one byte more than allowed, to notice a pipe that is too long */
	buf = xmalloc(CFG_MAX_FILE + 1);
	while (len <= CFG_MAX_FILE) {
		if ((n = read(fd, buf + len, CFG_MAX_FILE + 1 - len)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CFG_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than 1 MiB", path);
		goto done;
	}
	if ((rc = config_parse(buf, len, conf, msg, sizeof(msg))) == -1)
		snprintf(err, errlen, "%s: %s", path, msg);
 done:
	if (fd != -1)
		close(fd);
	free(buf);
	return rc;
}
