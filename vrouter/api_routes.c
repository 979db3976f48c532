/*
 * REST API: the routing table.  GET lists or shows routes, POST adds a
 * static route from a body shaped like a configuration route, DELETE
 * removes one named in the path, the query or the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "log.h"
#include "addr.h"
#include "route.h"
#include "router.h"
#include "api.h"

struct route_walk {
	json_t		*a;
	uint64_t	 now_ns;
};

static void
api_route_cb(const struct in6_addr *prefix, uint8_t plen, void *value,
    void *arg)
{
	struct route_walk	*w = arg;

	(void)prefix;
	(void)plen;
	json_array_append_new(w->a, api_json_route(value, w->now_ns));
}

void
api_routes(struct api_call *call)
{
	json_t			*a = json_array();
	struct route_walk	 w = { a, call->r->now_ns };

	rtable_walk(call->r->rt, api_route_cb, &w);
	api_reply(call, 200, json_pack("{s:o}", "routes", a));
}

void
api_route_get(struct api_call *call)
{
	struct in6_addr	 prefix;
	uint8_t		 plen;
	struct route	*rt;

	if (parse_prefix(call->arg[0], &prefix, &plen) == -1) {
		api_error(call, 400, "bad prefix \"%.64s\"", call->arg[0]);
		return;
	}
	prefix_mask(&prefix, plen);
	if ((rt = rtable_exact(call->r->rt, &prefix, plen)) == NULL)
		api_error(call, 404, "no route for %s/%u", fmt_addr(&prefix),
		    plen);
	else
		api_reply(call, 200, api_json_route(rt, call->r->now_ns));
}

void
api_route_add(struct api_call *call)
{
	struct cfg_route	 cr;
	struct route		*rt;
	json_t			*body;
	char			 err[256], loc[128], pfx[64];
	char			*enc;
	int			 rc;

	if ((body = api_body(call, err, sizeof(err))) == NULL) {
		api_error(call, 400, "%s", err);
		return;
	}
	rc = config_parse_route(body, "", &cr, err, sizeof(err));
	json_decref(body);
	if (rc == -1) {
		api_error(call, 400, "%s", err);
		return;
	}
	switch (route_add(call->r, &cr, err, sizeof(err))) {
	case 0:
		break;
	case ROUTE_EINVAL:
		api_error(call, 400, "%s", err);
		return;
	case ROUTE_EEXIST:
		api_error(call, 409, "%s", err);
		return;
	default:
		api_error(call, 500, "%s", err);
		return;
	}
	prefix_mask(&cr.prefix, cr.plen);
	if ((rt = rtable_exact(call->r->rt, &cr.prefix, cr.plen)) == NULL) {
		api_error(call, 500, "route %s/%u added but not found",
		    fmt_addr(&cr.prefix), cr.plen);
		return;
	}
	log_info("%s: route %s/%u added through the API", __func__,
	    fmt_addr(&rt->prefix), rt->plen);
	snprintf(pfx, sizeof(pfx), "%s/%u", fmt_addr(&rt->prefix), rt->plen);
	if ((enc = evhttp_uriencode(pfx, -1, 0)) != NULL) {
		snprintf(loc, sizeof(loc), "/api/v1/routes/%s", enc);
		free(enc);
		api_set_header(call, "Location", loc);
	}
	api_reply(call, 201, api_json_route(rt, call->r->now_ns));
}

/*
 * The prefix to delete: from the path (/api/v1/routes/<prefix>), the
 * query (?prefix=) or a body {"prefix": "..."}, in that order.
 */
static int
api_route_del_prefix(struct api_call *call, char *out, size_t outlen,
    char *err, size_t errlen)
{
	struct evkeyvalq	 q;
	struct evkeyval		*kv;
	const char		*key;
	json_t			*body, *v;
	int			 rc = -1;

	if (call->arg[0] != NULL) {
		snprintf(out, outlen, "%s", call->arg[0]);
		return 0;
	}
	if (call->query != NULL && *call->query != '\0') {
		TAILQ_INIT(&q);
		if (evhttp_parse_query_str(call->query, &q) == -1) {
			snprintf(err, errlen, "bad query string");
			return -1;
		}
		TAILQ_FOREACH(kv, &q, next) {
			if (strcmp(kv->key, "prefix") != 0) {
				snprintf(err, errlen, "unknown parameter "
				    "\"%.32s\"", kv->key);
				goto done;
			}
			snprintf(out, outlen, "%s", kv->value);
			rc = 0;
		}
 done:
		evhttp_clear_headers(&q);
		if (rc == -1 && err[0] == '\0')
			snprintf(err, errlen, "prefix is required");
		return rc;
	}
	if ((body = api_body(call, err, errlen)) == NULL)
		return -1;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "prefix") != 0) {
			snprintf(err, errlen, "unknown key \"%.32s\"", key);
			json_decref(body);
			return -1;
		}
	}
	if ((v = json_object_get(body, "prefix")) == NULL ||
	    !json_is_string(v))
		snprintf(err, errlen, "prefix: a string is required");
	else {
		snprintf(out, outlen, "%s", json_string_value(v));
		rc = 0;
	}
	json_decref(body);
	return rc;
}

void
api_route_del(struct api_call *call)
{
	struct in6_addr	 prefix;
	uint8_t		 plen;
	char		 s[128], err[256] = "", pfx[64];

	if (api_route_del_prefix(call, s, sizeof(s), err, sizeof(err)) == -1) {
		api_error(call, 400, "%s", err);
		return;
	}
	if (parse_prefix(s, &prefix, &plen) == -1) {
		api_error(call, 400, "prefix: bad prefix \"%.64s\"", s);
		return;
	}
	prefix_mask(&prefix, plen);
	snprintf(pfx, sizeof(pfx), "%s/%u", fmt_addr(&prefix), plen);
	switch (route_del(call->r, &prefix, plen, err, sizeof(err))) {
	case 0:
		log_info("%s: route %s deleted through the API", __func__,
		    pfx);
		api_reply(call, 200, json_pack("{s:s}", "deleted", pfx));
		break;
	case ROUTE_ENOENT:
		api_error(call, 404, "%s", err);
		break;
	case ROUTE_EPERM:
		api_error(call, 409, "%s", err);
		break;
	case ROUTE_EINVAL:
		api_error(call, 400, "%s", err);
		break;
	default:
		api_error(call, 500, "%s", err);
		break;
	}
}
