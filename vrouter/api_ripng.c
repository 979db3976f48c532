/*
 * GET /api/v1/ripng: the RIPng timers, neighbours, learned routes,
 * counters and errors by reason.
 */
#include <jansson.h>

#include "route.h"
#include "iface.h"
#include "router.h"
#include "ripng.h"
#include "api.h"

struct rib_walk {
	json_t		*a;
	uint64_t	 now_ns;
};

static void
rib_cb(const struct ripng_entry *e, void *arg)
{
	struct rib_walk	*w = arg;

	json_array_append_new(w->a, api_json_ripng_entry(e, w->now_ns));
}

json_t *
api_ripng_errors(const struct ripng_stats *st)
{
	json_t	*o = json_object();

	for (int i = RIPNG_OK + 1; i < RIPNG_E_MAX; i++)
		json_object_set_new(o, ripng_err_name(i),
		    api_json_u64(st->errors[i]));
	return o;
}

void
api_ripng(struct api_call *call)
{
	struct router		*r = call->r;
	const struct cfg_ripng	*c = &r->conf->ripng;
	const struct ripng_nbr	*n;
	struct rib_walk		 w = { json_array(), r->now_ns };
	json_t			*nbrs = json_array();
	uint64_t		 next;
	int			 count;

	if (!ripng_enabled(r)) {
		json_decref(w.a);
		json_decref(nbrs);
		api_reply(call, 200, json_pack("{s:b}", "enabled", 0));
		return;
	}
	n = ripng_nbrs(r, &count);
	for (int i = 0; i < count; i++)
		if (n[i].used)
			json_array_append_new(nbrs,
			    api_json_ripng_nbr(&n[i], r->now_ns));
	ripng_walk(r, rib_cb, &w);
	next = ripng_next_update_ns(r);
	api_reply(call, 200, json_pack("{s:b, s:i, s:i, s:i, s:i, s:I, "
	    "s:o, s:o, s:o, s:o}",
	    "enabled", 1,
	    "update_interval", (int)c->update_s,
	    "timeout", (int)c->timeout_s,
	    "garbage", (int)c->garbage_s,
	    "tag", (int)c->tag,
	    "next_update_ms", (json_int_t)(next > r->now_ns ?
	    (next - r->now_ns) / 1000000 : 0),
	    "neighbors", nbrs,
	    "routes", w.a,
	    "counters", api_json_stats(ripng_stats(r), api_ripng_counters),
	    "errors", api_ripng_errors(ripng_stats(r))));
}
