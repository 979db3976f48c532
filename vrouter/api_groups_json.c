/*
 * JSON views of anycast groups, members and flows as the REST API shows
 * them, and the parsers of member patches and flow queries.  Counters
 * come from the tables in api_counters.c.  Pure: no I/O, no router state
 * beyond the objects given.  docs/openapi.yaml describes every field.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "addr.h"
#include "iface.h"
#include "anycast.h"
#include "flow.h"
#include "ebb.h"
#include "api.h"

/* ---------------------------------------------------------------------- */
/* JSON views: pure */

/* Milliseconds since then_ns; null when then_ns is 0 (never). */
static json_t *
json_ago(uint64_t then_ns, uint64_t now_ns)
{
	if (then_ns == 0)
		return json_null();
	return api_json_u64(now_ns > then_ns ?
	    (now_ns - then_ns) / 1000000 : 0);
}

static json_t *
json_ratios(const struct score_ratios *r)
{
	return json_pack("{s:I, s:I, s:I}",
	    "hop", (json_int_t)r->hop,
	    "load", (json_int_t)r->load,
	    "bandwidth", (json_int_t)r->bw);
}

/* The score's raw inputs, each with where it comes from. */
static json_t *
json_inputs(const struct member *m)
{
	struct member_inputs	 in;

	member_inputs(m, &in);
	return json_pack("{s:{s:I, s:s}, s:{s:I, s:s}, s:{s:I, s:s}}",
	    "hops", "value", (json_int_t)in.hops,
	    "source", input_src_name(in.hops_src),
	    "load_pct", "value", (json_int_t)in.load_pct,
	    "source", input_src_name(in.load_src),
	    "bandwidth_mbps", "value", (json_int_t)in.bw_mbps,
	    "source", input_src_name(in.bw_src));
}

json_t *
api_json_profiles(const struct group *g, uint64_t now_ns)
{
	const struct score_profiles	*p = &g->conf.profiles;
	const struct profile_state	*st = &g->profile;
	json_t				*o;

	o = json_pack("{s:b, s:s, s:o, s:I, s:I, s:o, s:o, s:I, s:I, s:I}",
	    "enabled", p->enabled,
	    "active", p->enabled ? profile_name(st->active) : "normal",
	    "ratios", json_ratios(&g->pstate.ratios),
	    "utilization_pct", (json_int_t)group_util_pct(g),
	    "switches", (json_int_t)st->switches,
	    "normal", json_ratios(&p->ratios[PROFILE_NORMAL]),
	    "congested", json_ratios(&p->ratios[PROFILE_CONGESTED]),
	    "congested_above", (json_int_t)p->congested_above,
	    "normal_below", (json_int_t)p->normal_below,
	    "hold_ms", (json_int_t)p->hold_ms);
	if (o != NULL)
		json_object_set_new(o, "last_switch_ms_ago",
		    json_ago(st->switches > 0 ? st->last_switch_ms * 1000000 :
		    0, now_ns));
	return o;
}

/* Every refusal reason but "ok", zero or not: a stable shape. */
json_t *
api_json_mp_reasons(const uint64_t fail[MP_REASON_SLOTS])
{
	json_t	*o = json_object();
	int	 i;

	for (i = MP_REASON_NONE + 1; i <= MP_REASON_MAX &&
	    i < MP_REASON_SLOTS; i++)
		json_object_set_new(o, mp_reason_name(i), api_json_u64(fail[i]));
	return o;
}

json_t *
api_json_group_counters(const struct group_stats *st)
{
	json_t	*o = api_json_stats(st, api_group_counters);

	json_object_set_new(o, "auth_failures",
	    api_json_mp_reasons(st->auth_fail));
	return o;
}

json_t *
api_json_member_counters(const struct member_stats *st)
{
	return api_json_stats(st, api_member_counters);
}

json_t *
api_json_member(const struct member *m, const uint8_t *mac, uint64_t now_ns)
{
	struct score_parts	 sp;
	json_t			*o;
	bool			 heard;

	member_score(m, &sp);
	/* A static member is in the group without ever saying a word. */
	heard = !m->is_static || m->stats.reports > 0 ||
	    m->stats.session_msgs > 0;
	o = json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:s, s:I, s:I, s:I, "
	    "s:I, s:I, s:b, s:I, s:b, s:I, s:I}",
	    "address", fmt_addr(&m->addr),
	    "interface", m->ifp != NULL ? m->ifp->name : NULL,
	    "mac", mac != NULL ? fmt_mac(mac) : NULL,
	    "state", m->state < MS_MAX ? member_state_names[m->state] :
	    "unknown",
	    "down_reason", m->state == MS_DOWN ? member_why_name(m->why) :
	    NULL,
	    "source", m->is_static ? "static" : "joined",
	    "sessions", (json_int_t)m->sessions,
	    "flows", (json_int_t)m->flows,
	    "effective_sessions", (json_int_t)member_sessions(m),
	    "load_pct", (json_int_t)m->load_pct,
	    "capacity", (json_int_t)m->capacity,
	    "health", m->health,
	    "weight", (json_int_t)m->weight,
	    "draining", m->draining,
	    "hops", (json_int_t)m->hops,
	    "bandwidth_mbps", (json_int_t)m->bandwidth);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "last_probe_ms_ago",
	    json_ago(m->last_probe_ns, now_ns));
	json_object_set_new(o, "probe_rtt_us", m->stats.probes_ok > 0 ?
	    api_json_u64(m->probe_rtt_ns / 1000) : json_null());
	json_object_set_new(o, "last_report_ms_ago", heard ?
	    json_ago(m->last_report_ns, now_ns) : json_null());
	json_object_set_new(o, "inputs", json_inputs(m));
	json_object_set_new(o, "score", json_pack("{s:I, s:I, s:I, s:I, s:o}",
	    "hop", (json_int_t)sp.hop_n,
	    "load", (json_int_t)sp.load_n,
	    "bandwidth", (json_int_t)sp.bw_n,
	    "score", (json_int_t)sp.score,
	    "ratios", json_ratios(&m->group->pstate.ratios)));
	json_object_set_new(o, "remote", json_boolean(m->remote));
	if (m->remote && m->ebb != NULL && m->ebb->used)
		json_object_set_new(o, "ebb", api_json_ebb_route(m->ebb,
		    now_ns));
	json_object_set_new(o, "counters", api_json_member_counters(&m->stats));
	return o;
}

json_t *
api_json_group(const struct group *g, json_t *members)
{
	const struct cfg_group	*c = &g->conf;
	const struct cfg_probe	*pr = &c->probe;
	char			 any[CFG_NAME_LEN + 8];
	json_t			*keys;
	uint64_t		 flows = 0;
	int			 i;

	if (members == NULL)
		members = json_array();
	keys = json_array();
	for (i = 0; i < c->nkeys; i++)	/* ids only, never key bytes */
		json_array_append_new(keys, json_integer(c->keys[i].id));
	for (i = 0; i < CFG_MAX_MEMBERS; i++)
		if (g->members[i].used)
			flows += g->members[i].flows;
	snprintf(any, sizeof(any), "%s.any.", c->name);
	return json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:o, "
	    "s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, "
	    "s:o, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:o, s:o, s:o}",
	    "address", fmt_addr(&c->addr),
	    "name", c->name[0] != '\0' ? c->name : NULL,
	    "any_name", c->name[0] != '\0' ? any : NULL,
	    "policy", policy_name(c->policy),
	    "rh_mode", rh_mode_name(c->rh_mode),
	    "score", json_ratios(&c->ratios),
	    "probe",
	    "fresh_ms", (json_int_t)pr->fresh_ms,
	    "timeout_ms", (json_int_t)pr->timeout_ms,
	    "interval_ms", (json_int_t)pr->interval_ms,
	    "rise", (json_int_t)pr->rise,
	    "fall", (json_int_t)pr->fall,
	    "retest_ms", (json_int_t)pr->retest_ms,
	    "retest_max_ms", (json_int_t)pr->retest_max_ms,
	    "pending_max", (json_int_t)pr->pending_max,
	    "keys", keys,
	    "max_members", (json_int_t)c->max_members,
	    "report_ms", (json_int_t)c->report_ms,
	    "misses", (json_int_t)c->misses,
	    "grace_ms", (json_int_t)c->grace_ms,
	    "join_rate", (json_int_t)c->join_rate,
	    "udp_pin", c->udp_pin,
	    "pending", (json_int_t)g->pending,
	    "flows", api_json_u64(flows),
	    "members", members,
	    "counters", api_json_group_counters(&g->stats));
}

static json_t *
json_proto(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return json_string("tcp");
	case IPPROTO_UDP_:
		return json_string("udp");
	case IPPROTO_ICMPV6_:
		return json_string("icmpv6");
	default:
		return json_integer(proto);
	}
}

json_t *
api_json_flow(const struct flow *f, const struct in6_addr *member,
    uint64_t now_ns)
{
	char	client[INET6_ADDRSTRLEN], group[INET6_ADDRSTRLEN];
	char	mbuf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &f->key.client, client, sizeof(client));
	inet_ntop(AF_INET6, &f->key.group, group, sizeof(group));
	if (member != NULL)
		inet_ntop(AF_INET6, member, mbuf, sizeof(mbuf));
	return json_pack("{s:s, s:I, s:s, s:I, s:o, s:s?, s:s, s:o, s:o, "
	    "s:o, s:o, s:o, s:o}",
	    "client", client,
	    "client_port", (json_int_t)f->key.cport,
	    "group", group,
	    "group_port", (json_int_t)f->key.gport,
	    "proto", json_proto(f->key.proto),
	    "member", member != NULL ? mbuf : NULL,
	    "state", flow_state_name(f->state),
	    "age_ms", api_json_u64(now_ns > f->created_ns ?
	    (now_ns - f->created_ns) / 1000000 : 0),
	    "idle_ms", api_json_u64(now_ns > f->last_ns ?
	    (now_ns - f->last_ns) / 1000000 : 0),
	    "packets_in", api_json_u64(f->packets_in),
	    "bytes_in", api_json_u64(f->bytes_in),
	    "packets_out", api_json_u64(f->packets_out),
	    "bytes_out", api_json_u64(f->bytes_out));
}

/*
 * {"weight": 1..65535, "drain": true|false, "load": 0..100}, at least
 * one of them.
 */
int
api_json_member_patch(json_t *obj, struct api_member_patch *mp, char *err,
    size_t errlen)
{
	const char	*key;
	json_t		*v;
	json_int_t	 w;

	memset(mp, 0, sizeof(*mp));
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "the body must be a JSON object");
		return -1;
	}
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "weight") == 0) {
			w = json_is_integer(v) ? json_integer_value(v) : -1;
			if (w < POLICY_WEIGHT_MIN || w > POLICY_WEIGHT_MAX) {
				snprintf(err, errlen, "body.weight: must be "
				    "an integer between %d and %d",
				    POLICY_WEIGHT_MIN, POLICY_WEIGHT_MAX);
				return -1;
			}
			mp->has_weight = true;
			mp->weight = (uint32_t)w;
		} else if (strcmp(key, "load") == 0) {
			w = json_is_integer(v) ? json_integer_value(v) : -1;
			if (w < 0 || w > 100) {
				snprintf(err, errlen, "body.load: must be "
				    "an integer between 0 and 100");
				return -1;
			}
			mp->has_load = true;
			mp->load = (uint32_t)w;
		} else if (strcmp(key, "drain") == 0) {
			if (!json_is_boolean(v)) {
				snprintf(err, errlen, "body.drain: must be "
				    "true or false");
				return -1;
			}
			mp->has_drain = true;
			mp->drain = json_is_true(v);
		} else {
			snprintf(err, errlen, "unknown key \"%.64s\" at body",
			    key);
			return -1;
		}
	}
	if (!mp->has_weight && !mp->has_drain && !mp->has_load) {
		snprintf(err, errlen, "nothing to change: give \"weight\", "
		    "\"drain\" or \"load\"");
		return -1;
	}
	return 0;
}

/* A decimal integer of at most max, digits only. */
static int
query_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;

	if (*s == '\0' || strlen(s) > 20)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/*
 * ?group=ADDR, and with paged ?offset=N&limit=M too.  Each parameter
 * at most once; any other is an error.
 */
int
api_flow_query(const char *query, bool paged, struct api_flow_query *q,
    char *err, size_t errlen)
{
	struct evkeyvalq	 kv;
	struct evkeyval		*e;
	uint64_t		 n;
	bool			 seen_off = false, seen_lim = false;
	int			 rc = -1;

	memset(q, 0, sizeof(*q));
	q->limit = API_FLOWS_LIMIT;
	if (query == NULL || *query == '\0')
		return 0;
	TAILQ_INIT(&kv);
	if (evhttp_parse_query_str(query, &kv) == -1) {
		snprintf(err, errlen, "bad query string");
		goto done;
	}
	TAILQ_FOREACH(e, &kv, next) {
		if ((strcmp(e->key, "group") == 0 && q->has_group) ||
		    (strcmp(e->key, "offset") == 0 && seen_off) ||
		    (strcmp(e->key, "limit") == 0 && seen_lim)) {
			snprintf(err, errlen, "%s: given twice", e->key);
			goto done;
		}
		if (strcmp(e->key, "group") == 0) {
			if (inet_pton(AF_INET6, e->value, &q->group) != 1) {
				snprintf(err, errlen, "group: \"%.64s\" is not "
				    "an IPv6 address", e->value);
				goto done;
			}
			q->has_group = true;
		} else if (paged && strcmp(e->key, "offset") == 0) {
			if (query_uint(e->value, UINT32_MAX, &n) == -1) {
				snprintf(err, errlen, "offset: must be an "
				    "integer between 0 and %u", UINT32_MAX);
				goto done;
			}
			q->offset = (size_t)n;
			seen_off = true;
		} else if (paged && strcmp(e->key, "limit") == 0) {
			if (query_uint(e->value, API_FLOWS_LIMIT_MAX,
			    &n) == -1) {
				snprintf(err, errlen, "limit: must be an "
				    "integer between 0 and %d",
				    API_FLOWS_LIMIT_MAX);
				goto done;
			}
			q->limit = (size_t)n;
			seen_lim = true;
		} else {
			snprintf(err, errlen, "unknown parameter \"%.32s\"",
			    e->key);
			goto done;
		}
	}
	rc = 0;
 done:
	evhttp_clear_headers(&kv);
	return rc;
}
