/*
 * The REST API: evhttp on the router's event base, JSON through
 * jansson.  Requests are dispatched from one static table of
 * {methods, path, handler, auth}; every handler ends in exactly one
 * api_reply() or api_error().  Reads are open, writes need
 * "Authorization: Bearer <token>".  docs/openapi.yaml is the contract.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <sodium.h>

#include "log.h"
#include "pbuf.h"
#include "route.h"
#include "nd.h"
#include "iface.h"
#include "router.h"
#include "api.h"

#define API_MAX_BODY		(64 * 1024)
#define API_MAX_HEADERS		(8 * 1024)
#define API_TIMEOUT_S		10
#define API_BACKLOG		64
#define API_JSON_FLAGS		(JSON_INDENT(2) | JSON_PRESERVE_ORDER)

#define M_GET		EVHTTP_REQ_GET
#define M_POST		EVHTTP_REQ_POST
#define M_DELETE	EVHTTP_REQ_DELETE
#define M_PATCH		EVHTTP_REQ_PATCH
#define V1		"/api/v1"

struct api_endpoint {
	int		 method;
	const char	*path;		/* "*" matches one segment */
	void		(*handler)(struct api_call *);
	bool		 auth;
};

static void	api_status(struct api_call *);
static void	api_ifaces(struct api_call *);
static void	api_iface(struct api_call *);
static void	api_iface_patch(struct api_call *);
static void	api_neighbors(struct api_call *);
static void	api_counters(struct api_call *);
static void	api_prometheus(struct api_call *);

/* method, path, handler, whether the bearer token is needed */
static const struct api_endpoint api_endpoints[] = {
	{ M_GET,	V1 "/status",		api_status, false },
	{ M_GET,	V1 "/interfaces",	api_ifaces, false },
	{ M_GET,	V1 "/interfaces/*",	api_iface, false },
	{ M_PATCH,	V1 "/interfaces/*",	api_iface_patch, true },
	{ M_GET,	V1 "/routes",		api_routes, false },
	{ M_POST,	V1 "/routes",		api_route_add, true },
	{ M_DELETE,	V1 "/routes",		api_route_del, true },
	{ M_GET,	V1 "/routes/*",		api_route_get, false },
	{ M_DELETE,	V1 "/routes/*",		api_route_del, true },
	{ M_GET,	V1 "/neighbors",	api_neighbors, false },
	{ M_GET,	V1 "/ripng",		api_ripng, false },
	{ M_GET,	V1 "/ebb",		api_ebb, false },
	{ M_GET,	V1 "/counters",		api_counters, false },
	{ M_GET,	V1 "/captures",		api_captures, false },
	{ M_POST,	V1 "/captures",		api_capture_add, true },
	{ M_GET,	V1 "/captures/*",	api_capture_get, false },
	{ M_DELETE,	V1 "/captures/*",	api_capture_del, true },
	{ M_POST,	V1 "/captures/*/stop",	api_capture_stop, true },
	{ M_GET,	V1 "/captures/*/pcap",	api_capture_pcap, false },
	{ M_GET,	V1 "/captures/*/stream", api_capture_stream, false },
	{ M_GET,	V1 "/groups",		api_groups, false },
	{ M_POST,	V1 "/groups",		api_group_add, true },
	{ M_GET,	V1 "/groups/*",		api_group_get, false },
	{ M_PATCH,	V1 "/groups/*",		api_group_patch, true },
	{ M_DELETE,	V1 "/groups/*",		api_group_del, true },
	{ M_GET,	V1 "/groups/*/members",	api_members, false },
	{ M_POST,	V1 "/groups/*/members",	api_member_add, true },
	{ M_GET,	V1 "/groups/*/members/*", api_member_get, false },
	{ M_PATCH,	V1 "/groups/*/members/*", api_member_patch, true },
	{ M_DELETE,	V1 "/groups/*/members/*", api_member_del, true },
	{ M_GET,	V1 "/flows",		api_flows, false },
	{ M_DELETE,	V1 "/flows",		api_flows_flush, true },
	{ M_GET,	V1 "/dns/zone",		api_dns_zone, false },
	{ M_GET,	V1 "/openapi.yaml",	api_openapi, false },
	{ M_GET,	"/metrics",		api_prometheus, false },
	{ M_GET,	"/",			api_static, false },
	{ M_GET,	"/web/*",		api_static, false },
};
#define API_NENDPOINTS	(sizeof(api_endpoints) / sizeof(api_endpoints[0]))

static const struct {
	int		 method;
	const char	*name;
} api_methods[] = {
	{ EVHTTP_REQ_GET, "GET" }, { EVHTTP_REQ_HEAD, "HEAD" },
	{ EVHTTP_REQ_POST, "POST" }, { EVHTTP_REQ_PUT, "PUT" },
	{ EVHTTP_REQ_DELETE, "DELETE" }, { EVHTTP_REQ_OPTIONS, "OPTIONS" },
	{ EVHTTP_REQ_PATCH, "PATCH" },
};

static const struct {
	int		 code;
	const char	*reason;
} api_reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 409, "Conflict" }, { 500, "Internal Server Error" },
};

/* ---------------------------------------------------------------------- */
/* replies */

static const char *
api_method_name(int method)
{
	size_t	i;

	for (i = 0; i < sizeof(api_methods) / sizeof(api_methods[0]); i++)
		if (api_methods[i].method == method)
			return api_methods[i].name;
	return "?";
}

static const char *
api_reason(int code)
{
	size_t	i;

	for (i = 0; i < sizeof(api_reasons) / sizeof(api_reasons[0]); i++)
		if (api_reasons[i].code == code)
			return api_reasons[i].reason;
	return "Unknown";
}

/*
 * json_dump_callback() hands over a token or an indent at a time; an
 * evbuffer_add() for each took a third of the dump's time
 * (docs/performance.md), so they are gathered here first.
 */
struct api_json_buf {
	struct evbuffer	*out;
	size_t		 len;
	char		 data[4096];
};

static int
api_json_flush(struct api_json_buf *jb)
{
	int	rc;

	rc = evbuffer_add(jb->out, jb->data, jb->len);
	jb->len = 0;
	return rc;
}

static int
api_json_out(const char *buf, size_t len, void *arg)
{
	struct api_json_buf	*jb = arg;

	if (jb->len + len > sizeof(jb->data) && api_json_flush(jb) == -1)
		return -1;
	if (len > sizeof(jb->data))
		return evbuffer_add(jb->out, buf, len);
	memcpy(jb->data + jb->len, buf, len);
	jb->len += len;
	return 0;
}

int
api_json_dump(json_t *j, struct evbuffer *out)
{
	struct api_json_buf	jb;

	jb.out = out;
	jb.len = 0;
	if (json_dump_callback(j, api_json_out, &jb, API_JSON_FLAGS) == -1 ||
	    api_json_out("\n", 1, &jb) == -1)
		return -1;
	return api_json_flush(&jb);
}

void
api_send(struct api_call *call, int code, struct evbuffer *body)
{
	log_debug("%s: %s %s: %d", __func__, api_method_name(call->method),
	    evhttp_request_get_uri(call->req), code);
	evhttp_send_reply(call->req, code, api_reason(code), body);
}

void
api_set_header(struct api_call *call, const char *key, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(call->req), key,
	    value);
}

void
api_reply(struct api_call *call, int code, json_t *body)
{
	struct evbuffer	*buf;

	api_set_header(call, "Cache-Control", "no-store");
	if (body == NULL && code != 204) {
		code = 500;
		body = json_pack("{s:s}", "error", "out of memory");
	}
	if (body == NULL) {
		api_send(call, code, NULL);
		return;
	}
	if ((buf = evbuffer_new()) == NULL || api_json_dump(body, buf) == -1) {
		log_warnx("%s: cannot build the response", __func__);
		if (buf != NULL)
			evbuffer_free(buf);
		json_decref(body);
		api_send(call, 500, NULL);
		return;
	}
	json_decref(body);
	api_set_header(call, "Content-Type", "application/json");
	api_send(call, code, buf);
	evbuffer_free(buf);
}

void
api_error(struct api_call *call, int code, const char *fmt, ...)
{
	char	msg[512], *p;
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages quote the request: keep JSON strings valid UTF-8. */
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	api_reply(call, code, json_pack("{s:s}", "error", msg));
}

/* ---------------------------------------------------------------------- */
/* requests */

/* NULL for a missing body, bad JSON or anything but an object. */
json_t *
api_body(struct api_call *call, char *err, size_t errlen)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(call->req);
	size_t		 len = evbuffer_get_length(in);
	json_error_t	 jerr;
	json_t		*j;

	if (len == 0) {
		snprintf(err, errlen, "a JSON body is required");
		return NULL;
	}
	j = json_loadb((const char *)evbuffer_pullup(in, -1), len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		snprintf(err, errlen, "bad JSON at line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(err, errlen, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

static bool
api_authorized(struct api_call *call)
{
	unsigned char	 got[crypto_generichash_BYTES];
	unsigned char	 want[crypto_generichash_BYTES];
	const char	*h;
	const char	*token = call->r->api_token;

	h = evhttp_find_header(evhttp_request_get_input_headers(call->req),
	    "Authorization");
	if (h == NULL || token[0] == '\0' || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	/* Equal-length digests: a constant-time compare hides the length. */
	crypto_generichash(got, sizeof(got), (const unsigned char *)h,
	    strlen(h), NULL, 0);
	crypto_generichash(want, sizeof(want), (const unsigned char *)token,
	    strlen(token), NULL, 0);
	return sodium_memcmp(got, want, sizeof(got)) == 0;
}

static void
api_dispatch(struct evhttp_request *req, void *arg)
{
	struct api_call			 call;
	const struct api_endpoint	*ep = NULL;
	const struct evhttp_uri		*uri;
	const char			*path;
	char				 allow[64] = "";
	size_t				 i;
	int				 method, known = 0;

	memset(&call, 0, sizeof(call));
	call.r = arg;
	call.req = req;
	call.method = evhttp_request_get_command(req);
	router_clock(call.r);

	uri = evhttp_request_get_evhttp_uri(req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	call.query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	if (api_path_split(path, call.seg, &call.nseg) == -1) {
		api_error(&call, 404, "no such resource");
		goto done;
	}

	/* HEAD is a GET without the body; evhttp drops the body. */
	method = call.method == EVHTTP_REQ_HEAD ? EVHTTP_REQ_GET : call.method;
	for (i = 0; i < API_NENDPOINTS; i++) {
		if (!api_path_match(call.seg, call.nseg, api_endpoints[i].path,
		    call.arg))
			continue;
		if (api_endpoints[i].method == method) {
			ep = &api_endpoints[i];
			break;
		}
		known |= api_endpoints[i].method;
	}
	if (ep == NULL && known != 0) {
		for (i = 0; i < sizeof(api_methods) / sizeof(api_methods[0]);
		    i++) {
			if ((known & api_methods[i].method) == 0 &&
			    !(api_methods[i].method == EVHTTP_REQ_HEAD &&
			    (known & EVHTTP_REQ_GET)))
				continue;
			if (allow[0] != '\0')
				strncat(allow, ", ", sizeof(allow) -
				    strlen(allow) - 1);
			strncat(allow, api_methods[i].name, sizeof(allow) -
			    strlen(allow) - 1);
		}
		api_set_header(&call, "Allow", allow);
		api_error(&call, 405, "method %s not allowed here; allowed: "
		    "%s", api_method_name(call.method), allow);
	} else if (ep == NULL)
		api_error(&call, 404, "no such resource");
	else if (ep->auth && !api_authorized(&call)) {
		api_set_header(&call, "WWW-Authenticate",
		    "Bearer realm=\"vrouter\"");
		api_error(&call, 401, "a valid bearer token is required");
	} else
		ep->handler(&call);

 done:
	for (i = 0; i < (size_t)call.nseg; i++)
		free(call.seg[i]);
}

/* ---------------------------------------------------------------------- */
/* status, interfaces, neighbours, counters */

static void
api_status(struct api_call *call)
{
	struct router	*r = call->r;

	api_reply(call, 200, json_pack("{s:s, s:I, s:s, s:s, s:i, s:I, "
	    "s:I, s:I, s:I}",
	    "version", VROUTER_VERSION,
	    "uptime_s", (json_int_t)((r->now_ns - r->start_ns) / 1000000000ull),
	    "mode", r->pcap_mode ? "pcap" : "tap",
	    "io", router_io_name(r),
	    "interfaces", r->nifaces,
	    "routes", (json_int_t)rtable_count(r->rt),
	    "neighbors", (json_int_t)nd_count(r),
	    "buffers_free", (json_int_t)pbuf_available(),
	    "captures_running", (json_int_t)r->ncaptures_running));
}

static void
api_ifaces(struct api_call *call)
{
	json_t	*a = json_array();
	int	 i;

	for (i = 0; i < call->r->nifaces; i++)
		json_array_append_new(a, api_json_iface(call->r->ifaces[i]));
	api_reply(call, 200, json_pack("{s:o}", "interfaces", a));
}

static void
api_iface(struct api_call *call)
{
	struct iface	*ifp;

	if ((ifp = iface_find(call->r, call->arg[0])) == NULL)
		api_error(call, 404, "no interface \"%.32s\"", call->arg[0]);
	else
		api_reply(call, 200, api_json_iface(ifp));
}

/* {"emulation": {...}}: the interface's emulated link, at once. */
static void
api_iface_patch(struct api_call *call)
{
	static const char *const keys[] = { "emulation", NULL };
	struct linkem_conf	 em[LINKEM_DIRS];
	struct iface		*ifp;
	json_t			*body, *v;
	char			 err[256];
	const char		*k;

	if ((ifp = iface_find(call->r, call->arg[0])) == NULL) {
		api_error(call, 404, "no interface \"%.32s\"", call->arg[0]);
		return;
	}
	if ((body = api_body(call, err, sizeof(err))) == NULL) {
		api_error(call, 400, "%s", err);
		return;
	}
	json_object_foreach(body, k, v) {
		int	i;

		for (i = 0; keys[i] != NULL && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] == NULL) {
			api_error(call, 400, "unknown key \"%.32s\"", k);
			json_decref(body);
			return;
		}
	}
	memcpy(em, ifp->conf.emulation, sizeof(em));
	if ((v = json_object_get(body, "emulation")) != NULL &&
	    config_parse_emulation(v, "emulation", em, err, sizeof(err)) ==
	    -1) {
		api_error(call, 400, "%s", err);
		json_decref(body);
		return;
	}
	json_decref(body);
	for (int d = 0; d < LINKEM_DIRS; d++) {
		if (memcmp(&em[d], &ifp->conf.emulation[d], sizeof(em[d])) == 0)
			continue;
		ifp->conf.emulation[d] = em[d];
		iface_set_emulation(ifp, d, &em[d]);
	}
	api_reply(call, 200, api_json_iface(ifp));
}

struct api_nd_walk {
	json_t		*list;
	uint64_t	 now_ns;
};

static void
api_neighbor_cb(const struct neighbor *n, void *arg)
{
	struct api_nd_walk	*w = arg;

	json_array_append_new(w->list, api_json_neighbor(n, w->now_ns));
}

static void
api_neighbors(struct api_call *call)
{
	struct api_nd_walk	 w;

	w.list = json_array();
	w.now_ns = call->r->now_ns;
	nd_walk(call->r, api_neighbor_cb, &w);
	api_reply(call, 200, json_pack("{s:o}", "neighbors", w.list));
}

static void
api_counters(struct api_call *call)
{
	json_t	*ifs = json_object();
	int	 i;

	for (i = 0; i < call->r->nifaces; i++)
		json_object_set_new(ifs, call->r->ifaces[i]->name,
		    api_json_counters(&call->r->ifaces[i]->stats));
	api_reply(call, 200, json_pack("{s:o, s:o, s:o, s:o}",
	    "router", api_json_router_counters(&call->r->stats),
	    "interfaces", ifs,
	    "anycast", api_anycast_counters(call->r),
	    "dns", api_json_stats(&call->r->dns, api_dns_counters)));
}

static void
api_prometheus(struct api_call *call)
{
	struct evbuffer	*buf;

	if ((buf = evbuffer_new()) == NULL) {
		api_error(call, 500, "out of memory");
		return;
	}
	api_metrics(call->r, buf);
	api_set_header(call, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	api_send(call, 200, buf);
	evbuffer_free(buf);
}

/* ---------------------------------------------------------------------- */
/* the server */

static int
api_listen(const char *host, uint16_t port, char *where, size_t wherelen,
    char *err, size_t errlen)
{
	struct addrinfo	 hints, *ai;
	char		 service[8];
	int		 fd, on = 1, rc;

	snprintf(where, wherelen, strchr(host, ':') != NULL ? "[%s]:%u" :
	    "%s:%u", host, port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(service, sizeof(service), "%u", port);
	if ((rc = getaddrinfo(host, service, &hints, &ai)) != 0) {
		snprintf(err, errlen, "cannot bind %s: %s", where,
		    gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	/*
	 * No Nagle: a reply longer than one writev (GET /metrics) would
	 * otherwise hold its tail until the client's delayed ACK, 40 ms.
	 * Linux gives TCP_NODELAY to the connections a listener accepts.
	 */
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, API_BACKLOG) == -1) {
		snprintf(err, errlen, "cannot bind %s: %s", where,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int
api_start(struct router *r, char *err, size_t errlen)
{
	char	where[INET6_ADDRSTRLEN + 16];
	int	fd;

	if (sodium_init() == -1) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	if ((r->http = evhttp_new(r->base)) == NULL) {
		snprintf(err, errlen, "evhttp_new failed");
		return -1;
	}
	evhttp_set_max_body_size(r->http, API_MAX_BODY);
	evhttp_set_max_headers_size(r->http, API_MAX_HEADERS);
	evhttp_set_timeout(r->http, API_TIMEOUT_S);
	/* Let every method through so a wrong one gets 405 with Allow. */
	evhttp_set_allowed_methods(r->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(r->http, api_dispatch, r);

	if ((fd = api_listen(r->conf->api_listen, r->conf->api_port, where,
	    sizeof(where), err, errlen)) == -1 ||
	    evhttp_accept_socket_with_handle(r->http, fd) == NULL) {
		if (fd != -1) {
			close(fd);
			snprintf(err, errlen, "cannot listen on %s", where);
		}
		evhttp_free(r->http);
		r->http = NULL;
		return -1;
	}
	log_info("%s: REST API on http://%s/api/v1/", __func__, where);
	api_static_init(r);
	if (r->web_root[0] != '\0')
		log_info("%s: dashboard on http://%s/ from %s", __func__,
		    where, r->web_root);
	return 0;
}

void
api_stop(struct router *r)
{
	if (r->http == NULL)
		return;
	evhttp_free(r->http);
	r->http = NULL;
}
