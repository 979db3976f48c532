/*
 * Private to the REST API files (api*.c): the request being answered,
 * the reply helpers and the handlers the dispatch table in api.c names.
 * Every handler ends in exactly one api_reply(), api_error() or
 * api_send().
 */
#ifndef VROUTER_API_H
#define VROUTER_API_H

#include <jansson.h>

#include "vrouter.h"

struct evhttp_request;
struct evbuffer;

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

/* api.c */
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

/* api_metrics.c: GET /metrics, Prometheus text exposition format */
void	 api_metrics(struct router *, struct evbuffer *);

#endif /* VROUTER_API_H */
