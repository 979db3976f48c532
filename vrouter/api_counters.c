/*
 * The counter sets by name, generated from the lists next to each stats
 * struct (IFACE_COUNTERS, ROUTER_COUNTERS, GROUP_COUNTERS,
 * MEMBER_COUNTERS, FLOW_COUNTERS, DNS_COUNTERS, RIPNG_COUNTERS, EBB_COUNTERS), and the JSON writer of one set.  The
 * JSON views and GET /metrics both walk these tables, so a counter added
 * to a list shows in both.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "iface.h"
#include "anycast.h"
#include "router.h"
#include "flow.h"
#include "ripng.h"
#include "ebb.h"
#include "api.h"

#define ROW(type, f, h)		{ #f, offsetof(type, f), h },
#define END			{ NULL, 0, NULL }

const struct api_counter api_iface_counters[] = {
#define X(f, h) ROW(struct iface_stats, f, h)
	IFACE_COUNTERS(X)
#undef X
	END
};

const struct api_counter api_router_counters[] = {
#define X(f, h) ROW(struct router_stats, f, h)
	ROUTER_COUNTERS(X)
#undef X
	END
};

const struct api_counter api_group_counters[] = {
#define X(f, h) ROW(struct group_stats, f, h)
	GROUP_COUNTERS(X)
#undef X
	END
};

const struct api_counter api_member_counters[] = {
#define X(f, h) ROW(struct member_stats, f, h)
	MEMBER_COUNTERS(X)
#undef X
	END
};

const struct api_counter api_flow_counters[] = {
#define X(f, h) ROW(struct flow_stats, f, h)
	FLOW_COUNTERS(X)
#undef X
	END
};

/* Flows in the table by kind: {"embryonic": n, ...}. */
json_t *
api_json_flow_kinds(const struct flow_table *t)
{
	json_t	*o = json_object();

	for (int k = 0; k < FLOW_NKINDS; k++)
		json_object_set_new(o, flow_kind_name((enum flow_kind)k),
		    api_json_u64(flow_count_kind(t, (enum flow_kind)k)));
	return o;
}

const struct api_counter api_dns_counters[] = {
#define X(f, h) ROW(struct dns_stats, f, h)
	DNS_COUNTERS(X)
#undef X
	END
};

uint64_t
api_counter_value(const void *stats, const struct api_counter *c)
{
	uint64_t	v;

	memcpy(&v, (const char *)stats + c->off, sizeof(v));
	return v;
}

/*
 * Counters are unsigned 64-bit; JSON integers here are signed 64-bit,
 * which no counter reaches in practice.  Clamp rather than wrap.
 */
json_t *
api_json_u64(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX :
	    (json_int_t)v);
}

json_t *
api_json_stats(const void *stats, const struct api_counter *c)
{
	json_t	*o = json_object();

	for (; c->name != NULL; c++)
		json_object_set_new(o, c->name,
		    api_json_u64(api_counter_value(stats, c)));
	return o;
}

const struct api_counter api_ripng_counters[] = {
#define X(f, h) ROW(struct ripng_stats, f, h)
	RIPNG_COUNTERS(X)
#undef X
	END
};

const struct api_counter api_ebb_counters[] = {
#define X(f, h) ROW(struct ebb_stats, f, h)
	EBB_COUNTERS(X)
#undef X
	END
};

const struct api_counter api_linkem_counters[] = {
#define X(f, h) ROW(struct linkem_stats, f, h)
	LINKEM_COUNTERS(X)
#undef X
	END
};
