/*
 * The REST API (evhttp + jansson).  The router starts and stops it with
 * api_start() and api_stop(); everything else here is private to the
 * API's files (api*.c): the request being answered, the reply helpers,
 * the handlers the dispatch table in api.c names, the JSON views and the
 * counter tables.  Every handler ends in exactly one api_reply(),
 * api_error() or api_send().
 */
#ifndef VROUTER_API_H
#define VROUTER_API_H

#include <net/if.h>
#include <netinet/in.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "member_proto.h"

struct capture;
struct evbuffer;
struct evhttp_request;
struct flow;
struct flow_table;
struct group;
struct group_stats;
struct iface;
struct iface_stats;
struct member;
struct member_stats;
struct neighbor;
struct route;
struct router;
struct router_stats;

#define API_MAX_SEGS		8
#define API_MAX_ARGS		2

struct api_call {
	struct router		*r;
	struct evhttp_request	*req;
	int			 method;		/* EVHTTP_REQ_* */
	char			*seg[API_MAX_SEGS];	/* decoded path */
	int			 nseg;
	const char		*arg[API_MAX_ARGS];	/* segments for "*" */
	const char		*query;			/* raw, or NULL */
};

/* api.c: REST API (evhttp + jansson) */
int	 api_start(struct router *, char *err, size_t errlen);
void	 api_stop(struct router *);

/* api_path.c: request paths, pure */
int	 api_path_split(const char *path, char *seg[API_MAX_SEGS], int *nseg);
bool	 api_path_match(char *const seg[], int nseg, const char *pattern,
	    const char *arg[API_MAX_ARGS]);

/* api_json.c: JSON views of the router's objects; new references */
struct json_t *api_json_counters(const struct iface_stats *);
struct json_t *api_json_router_counters(const struct router_stats *);
struct json_t *api_json_iface(const struct iface *);
struct json_t *api_json_route(const struct route *, uint64_t now_ns);
struct ripng_entry;
struct ripng_nbr;
struct json_t *api_json_ripng_entry(const struct ripng_entry *, uint64_t);
struct json_t *api_json_ripng_nbr(const struct ripng_nbr *, uint64_t);
struct json_t *api_json_neighbor(const struct neighbor *, uint64_t now_ns);
struct json_t *api_json_capture(const struct capture *);
/* A capture as POST /api/v1/captures asks for it. */
struct api_capture_req {
	char		 iface[IFNAMSIZ];	/* "" = every interface */
	int		 direction;		/* CAP_* */
	char		 filter[256];
	uint64_t	 max_bytes;
	uint32_t	 rotate;
};
/* Defaults for absent keys; unknown keys and bad types are errors. */
int	 api_json_capture_req(struct json_t *, struct api_capture_req *,
	    char *err, size_t errlen);

/* api.c: helpers of the handlers */
/* Append j as the API writes it, indented, with a final newline. */
int	 api_json_dump(json_t *j, struct evbuffer *);
void	 api_send(struct api_call *, int code, struct evbuffer *);
/* Reply with a JSON body (stolen; NULL only for 204). */
void	 api_reply(struct api_call *, int code, json_t *);
void	 api_error(struct api_call *, int code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The body as a JSON object (new reference), or NULL and a message. */
json_t	*api_body(struct api_call *, char *err, size_t errlen);
void	 api_set_header(struct api_call *, const char *, const char *);

/* api_routes.c */
void	 api_routes(struct api_call *);
void	 api_route_get(struct api_call *);
void	 api_route_add(struct api_call *);
void	 api_route_del(struct api_call *);

/* api_captures.c */
void	 api_captures(struct api_call *);
void	 api_capture_get(struct api_call *);
void	 api_capture_add(struct api_call *);
void	 api_capture_del(struct api_call *);
void	 api_capture_stop(struct api_call *);
void	 api_capture_pcap(struct api_call *);
void	 api_capture_stream(struct api_call *);

/* api_groups.c: anycast groups, members, flows */
void	 api_groups(struct api_call *);
void	 api_group_get(struct api_call *);
void	 api_group_add(struct api_call *);
void	 api_group_patch(struct api_call *);
void	 api_group_del(struct api_call *);
void	 api_members(struct api_call *);
void	 api_member_get(struct api_call *);
void	 api_member_add(struct api_call *);
void	 api_member_patch(struct api_call *);
void	 api_member_del(struct api_call *);
void	 api_flows(struct api_call *);
void	 api_flows_flush(struct api_call *);
/* The "anycast" section of GET /api/v1/counters; a new reference. */
json_t	*api_anycast_counters(struct router *);

/* api_dns.c: GET /api/v1/dns/zone */
void	 api_dns_zone(struct api_call *);

/* api_ripng.c: GET /api/v1/ripng */
void	 api_ripng(struct api_call *);
struct ripng_stats;
struct json_t *api_ripng_errors(const struct ripng_stats *);

/* api_ebb.c: GET /api/v1/ebb */
void	 api_ebb(struct api_call *);
struct ebb_stats;
struct ebb_route;
struct json_t *api_ebb_errors(const struct ebb_stats *);
/* A route cache entry (a remote member's path); a new reference. */
struct json_t *api_json_ebb_route(const struct ebb_route *, uint64_t now_ns);

/* api_counters.c: each counter set by name, NULL-ended */
struct api_counter {
	const char	*name;
	size_t		 off;		/* of the uint64_t in its stats struct */
	const char	*help;
};
extern const struct api_counter api_iface_counters[];
extern const struct api_counter api_router_counters[];
extern const struct api_counter api_group_counters[];
extern const struct api_counter api_member_counters[];
extern const struct api_counter api_flow_counters[];
extern const struct api_counter api_dns_counters[];
extern const struct api_counter api_ripng_counters[];
extern const struct api_counter api_ebb_counters[];
extern const struct api_counter api_linkem_counters[];
uint64_t api_counter_value(const void *stats, const struct api_counter *);
/* Counters clamp to JSON's signed 64-bit integers; new references. */
json_t	*api_json_u64(uint64_t);
json_t	*api_json_stats(const void *stats, const struct api_counter *);
json_t	*api_json_flow_kinds(const struct flow_table *);

/*
 * Pure JSON views (new references).  A member's mac is NULL when
 * unknown; api_json_group() takes the members array (NULL: empty).
 */
json_t	*api_json_group(const struct group *, json_t *members);
/* The group's ratio profiles and which is active (now_ns: the clock). */
json_t	*api_json_profiles(const struct group *, uint64_t now_ns);
json_t	*api_json_group_counters(const struct group_stats *);
json_t	*api_json_member(const struct member *, const uint8_t *mac,
	    uint64_t now_ns);
json_t	*api_json_member_counters(const struct member_stats *);
/* Membership refusals by reason name, "ok" left out. */
json_t	*api_json_mp_reasons(const uint64_t fail[MP_REASON_SLOTS]);
/* member is NULL when the flow's member is gone. */
json_t	*api_json_flow(const struct flow *, const struct in6_addr *member,
	    uint64_t now_ns);

/* PATCH /api/v1/groups/{addr}/members/{unicast} */
struct api_member_patch {
	bool		 has_weight;
	uint32_t	 weight;
	bool		 has_drain;
	bool		 drain;
	bool		 has_load;	/* static members only */
	uint32_t	 load;
};
int	 api_json_member_patch(json_t *, struct api_member_patch *,
	    char *err, size_t errlen);

/* ?group=&offset=&limit= of /api/v1/flows (offset, limit: paged only) */
#define API_FLOWS_LIMIT		100
#define API_FLOWS_LIMIT_MAX	1000
struct api_flow_query {
	bool		 has_group;
	struct in6_addr	 group;
	size_t		 offset;
	size_t		 limit;
};
int	 api_flow_query(const char *query, bool paged,
	    struct api_flow_query *, char *err, size_t errlen);

/* api_metrics.c: GET /metrics, Prometheus text exposition format */
void	 api_metrics(struct router *, struct evbuffer *);

/* api_static.c: the dashboard's files and the API document */
/*
 * Find the web root and the API document at start (r->web_root,
 * r->openapi; "" when there is none).
 */
void	 api_static_init(struct router *);
void	 api_static(struct api_call *);
/* GET /api/v1/openapi.yaml: the document found at start, or a 404. */
void	 api_openapi(struct api_call *);
/* Content-Type for a servable file name, or NULL. */
const char *api_static_type(const char *);

#endif /* VROUTER_API_H */
