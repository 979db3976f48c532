/*
 * One request to the router's API over libevent's HTTP client, on an
 * event base of its own: connect, send, read the whole answer, return.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "util.h"
#include "ctl.h"

#define CTL_TIMEOUT_S	10

static const struct {
	const char		*name;
	enum evhttp_cmd_type	 cmd;
} ctl_methods[] = {
	{ "GET", EVHTTP_REQ_GET }, { "POST", EVHTTP_REQ_POST },
	{ "PATCH", EVHTTP_REQ_PATCH }, { "DELETE", EVHTTP_REQ_DELETE },
};

static const struct {
	enum evhttp_request_error	 code;
	const char			*what;
} ctl_reqerrs[] = {
	{ EVREQ_HTTP_TIMEOUT, "timed out" },
	{ EVREQ_HTTP_EOF, "connection closed" },
	{ EVREQ_HTTP_INVALID_HEADER, "bad answer" },
	{ EVREQ_HTTP_BUFFER_ERROR, "connection failed" },
	{ EVREQ_HTTP_REQUEST_CANCEL, "cancelled" },
	{ EVREQ_HTTP_DATA_TOO_LONG, "answer too long" },
};

struct ctl_exchange {
	struct ctl_answer	*ans;
	const char		*what;		/* libevent's reason */
};

/* The host (brackets gone) and port of an http:// URL. */
static int
ctl_url(const char *api, char *host, size_t hostlen, int *port, char *err,
    size_t errlen)
{
	struct evhttp_uri	*uri;
	const char		*h, *scheme;
	size_t			 n;

	if ((uri = evhttp_uri_parse(api)) == NULL ||
	    (scheme = evhttp_uri_get_scheme(uri)) == NULL ||
	    strcmp(scheme, "http") != 0 ||
	    (h = evhttp_uri_get_host(uri)) == NULL || *h == '\0') {
		if (uri != NULL)
			evhttp_uri_free(uri);
		snprintf(err, errlen, "%s: not an http://HOST[:PORT] URL", api);
		return -1;
	}
	if (h[0] == '[')
		h++;
	n = strcspn(h, "]");
	snprintf(host, hostlen, "%.*s", (int)n, h);
	*port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
	evhttp_uri_free(uri);
	return 0;
}

static void
ctl_error_cb(enum evhttp_request_error code, void *arg)
{
	struct ctl_exchange	*x = arg;
	size_t			 i;

	for (i = 0; i < NITEMS(ctl_reqerrs); i++)
		if (ctl_reqerrs[i].code == code)
			x->what = ctl_reqerrs[i].what;
}

static void
ctl_done_cb(struct evhttp_request *req, void *arg)
{
	struct ctl_exchange	*x = arg;
	struct evbuffer		*in;
	size_t			 len;

	if (req == NULL || evhttp_request_get_response_code(req) == 0)
		return;
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	x->ans->code = evhttp_request_get_response_code(req);
	x->ans->body = xmalloc(len + 1);
	evbuffer_remove(in, x->ans->body, len);
	x->ans->body[len] = '\0';
	x->ans->len = len;
}

static struct evhttp_request *
ctl_request(struct ctl_exchange *x, const char *host, int port,
    const char *token, const struct ctl_req *r)
{
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	char			 auth[CTL_TOKEN_MAX + 16], len[24];
	char			 authority[300];
	char			*body;

	if ((req = evhttp_request_new(ctl_done_cb, x)) == NULL)
		return NULL;
	evhttp_request_set_error_cb(req, ctl_error_cb);
	h = evhttp_request_get_output_headers(req);
	snprintf(authority, sizeof(authority), strchr(host, ':') != NULL ?
	    "[%s]:%d" : "%s:%d", host, port);
	evhttp_add_header(h, "Host", authority);
	evhttp_add_header(h, "User-Agent", "vrouterctl");
	evhttp_add_header(h, "Connection", "close");
	if (r->auth && token != NULL && *token != '\0') {
		snprintf(auth, sizeof(auth), "Bearer %s", token);
		evhttp_add_header(h, "Authorization", auth);
	}
	if (r->body != NULL && (body = json_dumps(r->body, JSON_COMPACT)) !=
	    NULL) {
		/* libevent adds Content-Length to POST and PUT only. */
		snprintf(len, sizeof(len), "%zu", strlen(body));
		evhttp_add_header(h, "Content-Type", "application/json");
		evhttp_add_header(h, "Content-Length", len);
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    strlen(body));
		free(body);
	}
	return req;
}

static int
ctl_method(const char *name, enum evhttp_cmd_type *cmd)
{
	size_t	i;

	for (i = 0; i < NITEMS(ctl_methods); i++)
		if (strcmp(ctl_methods[i].name, name) == 0) {
			*cmd = ctl_methods[i].cmd;
			return 0;
		}
	return -1;
}

/*
 * libevent does not keep why a connection failed: a blocking connect
 * of our own asks again.  0, or the errno.
 */
static int
ctl_connect_errno(const char *host, int port)
{
	struct addrinfo	 hints, *ai;
	struct timeval	 tv = { CTL_TIMEOUT_S, 0 };
	char		 service[8];
	int		 fd, rc = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &ai) != 0)
		return EHOSTUNREACH;
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
	    -1)
		rc = errno;
	else if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)) == -1 || connect(fd, ai->ai_addr, ai->ai_addrlen) ==
	    -1)
		rc = errno;
	if (fd != -1)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

static void
ctl_no_answer(const char *api, const char *host, int port,
    const struct ctl_exchange *x, char *err, size_t errlen)
{
	int	 e = ctl_connect_errno(host, port);

	if (e == ECONNREFUSED)
		snprintf(err, errlen, "%s: connection refused; is vrouter "
		    "running?", api);
	else if (e != 0)
		snprintf(err, errlen, "%s: %s", api, strerror(e));
	else
		snprintf(err, errlen, "%s: %s", api, x->what != NULL ?
		    x->what : "no answer");
}

int
ctl_http(const char *api, const char *token, const struct ctl_req *r,
    struct ctl_answer *ans, char *err, size_t errlen)
{
	struct event_base		*base;
	struct evhttp_connection	*conn;
	struct evhttp_request		*req;
	struct ctl_exchange		 x = { ans, NULL };
	enum evhttp_cmd_type		 cmd;
	char				 host[256];
	int				 port;

	memset(ans, 0, sizeof(*ans));
	if (ctl_url(api, host, sizeof(host), &port, err, errlen) == -1)
		return -1;
	if (ctl_method(r->method, &cmd) == -1) {
		snprintf(err, errlen, "method %s unknown", r->method);
		return -1;
	}
	if ((base = event_base_new()) == NULL ||
	    (conn = evhttp_connection_base_new(base, NULL, host,
	    (unsigned short)port)) == NULL) {
		snprintf(err, errlen, "libevent failed to start");
		if (base != NULL)
			event_base_free(base);
		return -1;
	}
	evhttp_connection_set_timeout(conn, CTL_TIMEOUT_S);
	if ((req = ctl_request(&x, host, port, token, r)) != NULL &&
	    evhttp_make_request(conn, req, cmd, r->path) == 0)
		event_base_dispatch(base);
	evhttp_connection_free(conn);
	event_base_free(base);
	if (ans->code == 0) {
		ctl_no_answer(api, host, port, &x, err, errlen);
		return -1;
	}
	return 0;
}

void
ctl_answer_clear(struct ctl_answer *ans)
{
	free(ans->body);
	memset(ans, 0, sizeof(*ans));
}
