/*
 * JSON views of the router's objects as the REST API shows them, and
 * the parser of capture requests.  Pure: no I/O, no router state
 * beyond the object given.  docs/openapi.yaml describes every field.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "addr.h"
#include "route.h"
#include "nd.h"
#include "iface.h"
#include "router.h"
#include "ripng.h"
#include "api.h"

static json_t	*json_prefix(const struct in6_addr *, uint8_t);
static json_t	*json_time(const struct timeval *);

static json_t *
json_prefix(const struct in6_addr *a, uint8_t plen)
{
	char	buf[INET6_ADDRSTRLEN + 5];

	snprintf(buf, sizeof(buf), "%s/%u", fmt_addr(a), plen);
	return json_string(buf);
}

/* RFC 3339 in UTC with milliseconds; null for a zero time. */
static json_t *
json_time(const struct timeval *tv)
{
	struct tm	tm;
	time_t		t = tv->tv_sec;
	char		buf[64];

	if (tv->tv_sec == 0 && tv->tv_usec == 0)
		return json_null();
	if (gmtime_r(&t, &tm) == NULL)
		return json_null();
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(tv->tv_usec / 1000));
	return json_string(buf);
}

/* Every drop reason, zero or not, so that clients see a stable shape. */
static json_t *
json_drops(const uint64_t drop[DROP_MAX])
{
	json_t	*o = json_object();
	int	 i;

	for (i = DROP_NONE + 1; i < DROP_MAX; i++)
		json_object_set_new(o, drop_names[i], api_json_u64(drop[i]));
	return o;
}

json_t *
api_json_counters(const struct iface_stats *st)
{
	json_t	*o = api_json_stats(st, api_iface_counters);

	json_object_set_new(o, "drops", api_json_u64(st->drops));
	json_object_set_new(o, "drop", json_drops(st->drop));
	return o;
}

json_t *
api_json_router_counters(const struct router_stats *st)
{
	json_t	*o = api_json_stats(st, api_router_counters);

	json_object_set_new(o, "drops", json_drops(st->drop));
	return o;
}

/* An emulated link: its settings, queue and counters; null when off. */
static json_t *
json_emulation(const struct linkem *em)
{
	if (em == NULL)
		return json_null();
	return json_pack("{s:f, s:f, s:f, s:f, s:i, s:i, s:o}",
	    "delay_ms", em->c.delay_us / 1000.0,
	    "jitter_ms", em->c.jitter_us / 1000.0,
	    "loss_percent", em->c.loss_ppm / (LINKEM_PPM / 100.0),
	    "rate_mbit", em->c.rate_bps / 1e6,
	    "limit", (int)em->c.limit,
	    "queued", (int)em->qlen,
	    "counters", api_json_stats(&em->st, api_linkem_counters));
}

json_t *
api_json_iface(const struct iface *ifp)
{
	json_t	*addrs;
	int	 i;

	addrs = json_array();
	for (i = 0; i < ifp->naddrs; i++)
		json_array_append_new(addrs, json_prefix(&ifp->addrs[i].addr,
		    ifp->addrs[i].plen));
	return json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:I, s:o, "
	    "s:{s:b, s:I}, s:o, s:o, s:{s:I, s:f, s:f, s:I, s:I, s:I}}",
	    "name", ifp->name,
	    "netns", ifp->conf.netns[0] != '\0' ? ifp->conf.netns : NULL,
	    "ifname", ifp->conf.ifname[0] != '\0' ? ifp->conf.ifname : NULL,
	    "kind", ifp->kind == IFACE_PCAP ? "pcap" : "tap",
	    "mac", fmt_mac(ifp->mac),
	    "mtu", (json_int_t)ifp->mtu,
	    "addresses", addrs,
	    "ra", "enabled", ifp->conf.ra_enabled,
	    "interval", (json_int_t)ifp->conf.ra_interval,
	    "counters", api_json_counters(&ifp->stats),
	    "emulation", json_pack("{s:o, s:o}",
	    "in", json_emulation(ifp->em[LINKEM_IN]),
	    "out", json_emulation(ifp->em[LINKEM_OUT])),
	    "link",
	    "capacity_mbit", (json_int_t)iface_capacity_mbit(ifp),
	    "rx_mbit", ifp->rx_rate.bps / 1e6,
	    "tx_mbit", ifp->tx_rate.bps / 1e6,
	    "reserved_kbit", (json_int_t)ifp->reserved_kbit,
	    "residual_mbit", (json_int_t)iface_residual_mbit(ifp),
	    "util_percent", (json_int_t)iface_util_pct(ifp));
}

json_t *
api_json_route(const struct route *rt, uint64_t now_ns)
{
	json_t	*o;

	o = json_pack("{s:o, s:s, s:s?, s:s?, s:o, s:o}",
	    "prefix", json_prefix(&rt->prefix, rt->plen),
	    "type", route_type_name(rt->type),
	    "via", rt->has_gw ? fmt_addr(&rt->gw) : NULL,
	    "interface", rt->ifp != NULL ? rt->ifp->name : NULL,
	    "packets", api_json_u64(rt->packets),
	    "bytes", api_json_u64(rt->bytes));
	if (rt->type == ROUTE_RIPNG) {
		json_object_set_new(o, "metric", json_integer(rt->metric));
		json_object_set_new(o, "tag", json_integer(rt->tag));
		json_object_set_new(o, "age_ms", json_integer((json_int_t)
		    ((now_ns > rt->updated_ns ? now_ns - rt->updated_ns : 0) /
		    1000000)));
	}
	return o;
}

json_t *
api_json_ripng_entry(const struct ripng_entry *e, uint64_t now_ns)
{
	return json_pack("{s:o, s:i, s:i, s:s, s:s, s:I, s:s, s:b}",
	    "prefix", json_prefix(&e->prefix, e->plen),
	    "metric", (int)e->metric,
	    "tag", (int)e->tag,
	    "via", fmt_addr(&e->gw),
	    "interface", e->ifp->name,
	    "age_ms", (json_int_t)((now_ns - (e->gc_ns != 0 ? e->gc_ns :
	    e->updated_ns)) / 1000000),
	    "state", e->gc_ns != 0 ? "garbage" : "live",
	    "installed", e->rt != NULL);
}

json_t *
api_json_ripng_nbr(const struct ripng_nbr *n, uint64_t now_ns)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:i}",
	    "address", fmt_addr(&n->addr),
	    "interface", n->ifp->name,
	    "last_heard_ms", (json_int_t)((now_ns - n->last_ns) / 1000000),
	    "known_ms", (json_int_t)((now_ns - n->first_ns) / 1000000),
	    "responses", api_json_u64(n->responses),
	    "requests", api_json_u64(n->requests),
	    "bad_packets", api_json_u64(n->bad_packets),
	    "bad_routes", api_json_u64(n->bad_routes),
	    "routes", (int)n->routes);
}

json_t *
api_json_neighbor(const struct neighbor *n, uint64_t now_ns)
{
	uint64_t	 age = 0;
	const char	*state = "unknown";

	if (now_ns > n->updated_ns)
		age = now_ns - n->updated_ns;
	if (n->state < ND_STATE_MAX)
		state = nd_state_names[n->state];
	return json_pack("{s:s, s:s?, s:s?, s:s, s:b, s:I, s:o}",
	    "address", fmt_addr(&n->addr),
	    "interface", n->ifp != NULL ? n->ifp->name : NULL,
	    "mac", n->state == ND_INCOMPLETE || n->state == ND_FAILED ?
	    NULL : fmt_mac(n->mac),
	    "state", state,
	    "router", n->is_router,
	    "queued", (json_int_t)n->qlen,
	    "age_ms", api_json_u64(age / 1000000));
}

json_t *
api_json_capture(const struct capture *c)
{
	uint32_t	 kept = c->files < c->rotate ? c->files : c->rotate;

	return json_pack("{s:I, s:s?, s:s, s:s?, s:b, s:o, s:o, s:I, s:I, "
	    "s:s, s:o, s:I, s:o, s:o, s:I, s:o}",
	    "id", (json_int_t)c->id,
	    "interface", c->iface[0] != '\0' ? c->iface : NULL,
	    "direction", capture_dir_name(c->direction),
	    "filter", c->filter[0] != '\0' ? c->filter : NULL,
	    "running", c->running,
	    "packets", api_json_u64(c->packets),
	    "bytes", api_json_u64(c->bytes),
	    "files", (json_int_t)kept + 1,
	    "rotations", (json_int_t)c->files,
	    "path", c->path,
	    "max_bytes", api_json_u64(c->max_bytes),
	    "rotate", (json_int_t)c->rotate,
	    "started", json_time(&c->started),
	    "stopped", c->running ? json_null() : json_time(&c->stopped),
	    "streams", (json_int_t)c->nstreams,
	    "stream_drops", api_json_u64(c->stream_drops));
}

/*
 * {"interface": "c1" | null, "direction": "rx" | "tx" | "both",
 *  "filter": "..." | null, "max_bytes": n, "rotate": n}, all optional.
 * Only the shape is checked here; capture_start() checks the values.
 */
int
api_json_capture_req(json_t *obj, struct api_capture_req *req, char *err,
    size_t errlen)
{
	const char	*key, *s;
	json_t		*v;

	memset(req, 0, sizeof(*req));
	req->direction = CAP_BOTH;
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "the body must be a JSON object");
		return -1;
	}
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "interface") == 0 ||
		    strcmp(key, "filter") == 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_string(v)) {
				snprintf(err, errlen, "%s: must be a string "
				    "or null", key);
				return -1;
			}
			s = json_string_value(v);
			if (strlen(s) != json_string_length(v)) {
				snprintf(err, errlen, "%s: contains a NUL",
				    key);
				return -1;
			}
			if (key[0] == 'i') {
				if (strlen(s) >= sizeof(req->iface)) {
					snprintf(err, errlen, "interface: no "
					    "interface \"%.32s\"", s);
					return -1;
				}
				memcpy(req->iface, s, strlen(s) + 1);
			} else {
				if (strlen(s) >= sizeof(req->filter)) {
					snprintf(err, errlen, "filter: longer "
					    "than %zu bytes",
					    sizeof(req->filter) - 1);
					return -1;
				}
				memcpy(req->filter, s, strlen(s) + 1);
			}
		} else if (strcmp(key, "direction") == 0) {
			s = json_string_value(v);
			if (capture_dir_from_name(s, &req->direction) == -1) {
				snprintf(err, errlen, "direction: must be "
				    "\"rx\", \"tx\" or \"both\"");
				return -1;
			}
		} else if (strcmp(key, "max_bytes") == 0 ||
		    strcmp(key, "rotate") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    (key[0] == 'r' &&
			    json_integer_value(v) > (json_int_t)UINT32_MAX)) {
				snprintf(err, errlen, "%s: must be a "
				    "non-negative integer", key);
				return -1;
			}
			if (key[0] == 'm')
				req->max_bytes =
				    (uint64_t)json_integer_value(v);
			else
				req->rotate = (uint32_t)json_integer_value(v);
		} else {
			snprintf(err, errlen, "unknown key \"%.64s\"", key);
			return -1;
		}
	}
	return 0;
}
