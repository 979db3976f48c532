/*
 * The API's JSON views of anycast groups, members and flows, its parsers
 * of member patches and flow queries, and the configuration parser's
 * single-object entry points the API uses.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "iface.h"
#include "anycast.h"
#include "flow.h"
#include "api.h"
#include "json_test.h"

#define MS	1000000ull		/* ns */

static struct group	 ag_group;	/* too large for the stack */

static bool
ag_addr_is(const struct in6_addr *a, const char *s)
{
	struct in6_addr	 b = jt_addr(s);

	return memcmp(a, &b, sizeof(b)) == 0;
}

static void
ag_bool(json_t *o, const char *key, bool want)
{
	json_t	*v = json_object_get(o, key);

	cr_assert(json_is_boolean(v), "%s is not a boolean", key);
	cr_assert_eq(json_is_true(v), want, "%s", key);
}

/* A group 2001:db8:ac::1 with default ratios and one member in use. */
static struct member *
ag_setup(void)
{
	struct member	*m;

	memset(&ag_group, 0, sizeof(ag_group));
	ag_group.conf.addr = jt_addr("2001:db8:ac::1");
	ag_group.conf.policy = POLICY_SCORE;
	ag_group.conf.rh_mode = RH_MODE_EXP;
	ag_group.conf.ratios.hop = 30;
	ag_group.conf.ratios.load = 60;
	ag_group.conf.ratios.bw = 10;
	ag_group.pstate.ratios = ag_group.conf.ratios;	/* as group_add() */
	ag_group.conf.max_members = 64;
	m = &ag_group.members[0];
	m->used = true;
	m->group = &ag_group;
	m->id = 1;
	m->addr = jt_addr("2001:db8:11::10");
	m->is_static = true;
	m->state = MS_UP;
	m->health = true;
	m->weight = 100;
	m->hops = 2;
	m->bandwidth = 100;
	return m;
}

TestSuite(api_groups);

Test(api_groups, member)
{
	static struct iface	 ifp;
	static const uint8_t	 mac[6] = { 0x02, 0, 0, 0, 0x11, 0x10 };
	struct member		*m = ag_setup();
	json_t			*o, *c;

	memset(&ifp, 0, sizeof(ifp));
	snprintf(ifp.conf.name, sizeof(ifp.conf.name), "s1");
	ifp.name = ifp.conf.name;
	m->ifp = &ifp;
	m->sessions = 3;
	m->flows = 5;
	m->load_pct = 40;
	m->capacity = 1000;
	m->stats.selections = 9;
	m->stats.probes_lost = 2;

	/* Never probed, never heard from, MAC unknown. */
	o = api_json_member(m, NULL, 1000 * MS);
	cr_assert_not_null(o);
	jt_str(o, "address", "2001:db8:11::10");
	jt_str(o, "interface", "s1");
	jt_null(o, "mac");
	jt_str(o, "state", "up");
	jt_null(o, "down_reason");
	jt_str(o, "source", "static");
	jt_int(o, "sessions", 3);
	jt_int(o, "flows", 5);
	jt_int(o, "effective_sessions", 5);
	jt_int(o, "load_pct", 40);
	jt_int(o, "capacity", 1000);
	ag_bool(o, "health", true);
	jt_int(o, "weight", 100);
	ag_bool(o, "draining", false);
	jt_int(o, "hops", 2);
	jt_int(o, "bandwidth_mbps", 100);
	jt_null(o, "last_probe_ms_ago");
	jt_null(o, "probe_rtt_us");
	jt_null(o, "last_report_ms_ago");
	c = json_object_get(o, "counters");
	jt_int(c, "selections", 9);
	jt_int(c, "probes_lost", 2);
	jt_int(c, "probes_ok", 0);
	cr_assert_eq(json_object_size(c), 8);
	json_decref(o);

	/* Probed and answered, reporting, down, MAC known, draining. */
	m->last_probe_ns = 750 * MS;
	m->probe_rtt_ns = 123456;
	m->stats.probes_ok = 1;
	m->stats.reports = 1;
	m->last_report_ns = 400 * MS;
	m->sessions = 8;
	m->draining = true;
	m->state = MS_DOWN;
	m->why = MW_HEALTH;
	m->health = false;
	o = api_json_member(m, mac, 1000 * MS);
	jt_str(o, "mac", "02:00:00:00:11:10");
	jt_str(o, "state", "down");
	jt_str(o, "down_reason", "health");
	jt_int(o, "effective_sessions", 8);
	ag_bool(o, "health", false);
	ag_bool(o, "draining", true);
	jt_int(o, "last_probe_ms_ago", 250);
	jt_int(o, "probe_rtt_us", 123);
	jt_int(o, "last_report_ms_ago", 600);
	json_decref(o);

	/* A joined member has been heard from by joining. */
	m->is_static = false;
	m->stats.reports = 0;
	m->state = MS_JOINING;
	o = api_json_member(m, NULL, 1000 * MS);
	jt_str(o, "source", "joined");
	jt_str(o, "state", "joining");
	jt_null(o, "down_reason");
	jt_int(o, "last_report_ms_ago", 600);
	json_decref(o);
}

/* Paper 2, Table 2: ratios 30:60:10, route 3 is chosen with 64. */
Test(api_groups, member_scores_reproduce_paper_2_table_2)
{
	static const struct {
		uint32_t	 hops, load, bw;
		json_int_t	 hop_n, load_n, bw_n, score;
	} t[] = {
		{ 2, 90, 20, 86, 10, 20, 34 },
		{ 2, 80, 50, 86, 20, 50, 43 },
		{ 3, 35, 40, 71, 65, 40, 64 },
		{ 2, 80, 30, 86, 20, 30, 41 },
	};
	struct member	*m = ag_setup();
	json_t		*o, *s, *r;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m->hops = t[i].hops;
		m->load_pct = t[i].load;
		m->bandwidth = t[i].bw;
		o = api_json_member(m, NULL, 0);
		s = json_object_get(o, "score");
		cr_assert(json_is_object(s), "route %zu", i + 1);
		jt_int(s, "hop", t[i].hop_n);
		jt_int(s, "load", t[i].load_n);
		jt_int(s, "bandwidth", t[i].bw_n);
		jt_int(s, "score", t[i].score);
		/* The raw inputs, a static member's all configured. */
		s = json_object_get(o, "inputs");
		jt_int(json_object_get(s, "hops"), "value", t[i].hops);
		jt_int(json_object_get(s, "load_pct"), "value", t[i].load);
		jt_int(json_object_get(s, "bandwidth_mbps"), "value",
		    t[i].bw);
		cr_assert_str_eq(json_string_value(json_object_get(
		    json_object_get(s, "load_pct"), "source")), "configured");
		s = json_object_get(o, "score");
		r = json_object_get(s, "ratios");
		jt_int(r, "hop", 30);
		jt_int(r, "load", 60);
		jt_int(r, "bandwidth", 10);
		json_decref(o);
	}
}

Test(api_groups, group)
{
	static const char	 hexkey[] = "a5a5a5a5";
	struct member		*m = ag_setup();
	json_t			*o, *a, *c, *af, *p, *k;
	char			*dump;
	int			 i;

	ag_group.conf.keys[0].id = 7;
	ag_group.conf.keys[1].id = 9;
	memset(ag_group.conf.keys[0].key, 0xa5, CFG_KEY_LEN);
	memset(ag_group.conf.keys[1].key, 0xa5, CFG_KEY_LEN);
	ag_group.conf.nkeys = 2;
	ag_group.conf.probe.timeout_ms = 500;
	ag_group.conf.probe.interval_ms = 1000;
	ag_group.conf.probe.pending_max = 64;
	ag_group.conf.report_ms = 1000;
	ag_group.conf.misses = 3;
	ag_group.conf.grace_ms = 10000;
	ag_group.conf.join_rate = 20;
	ag_group.conf.udp_pin = true;
	ag_group.pending = 4;
	m->flows = 2;
	ag_group.members[5] = *m;
	ag_group.members[5].flows = 3;
	ag_group.members[6] = *m;
	ag_group.members[6].used = false;	/* a free slot counts nothing */
	ag_group.members[6].flows = 100;
	ag_group.stats.unreachables = 6;
	ag_group.stats.auth_fail[MP_REASON_BAD_TAG] = 2;
	ag_group.stats.auth_fail[MP_REASON_NOT_MEMBER] = 1;

	a = json_array();
	json_array_append_new(a, api_json_member(m, NULL, 0));
	o = api_json_group(&ag_group, a);
	cr_assert_not_null(o);
	jt_str(o, "address", "2001:db8:ac::1");
	jt_null(o, "name");
	jt_null(o, "any_name");
	jt_str(o, "policy", "score");
	jt_str(o, "rh_mode", "exp");
	jt_int(json_object_get(o, "score"), "hop", 30);
	jt_int(json_object_get(o, "score"), "bandwidth", 10);
	p = json_object_get(o, "probe");
	jt_int(p, "timeout_ms", 500);
	jt_int(p, "interval_ms", 1000);
	jt_int(p, "pending_max", 64);
	cr_assert_eq(json_object_size(p), 8);
	k = json_pack("[i, i]", 7, 9);
	cr_assert(json_equal(json_object_get(o, "keys"), k) == 1);
	json_decref(k);
	jt_int(o, "max_members", 64);
	jt_int(o, "report_ms", 1000);
	jt_int(o, "misses", 3);
	jt_int(o, "grace_ms", 10000);
	jt_int(o, "join_rate", 20);
	cr_assert(json_is_true(json_object_get(o, "udp_pin")));
	jt_int(o, "pending", 4);
	jt_int(o, "flows", 5);
	cr_assert_eq(json_array_size(json_object_get(o, "members")), 1);
	c = json_object_get(o, "counters");
	for (i = 0; api_group_counters[i].name != NULL; i++)
		cr_assert(json_is_integer(json_object_get(c,
		    api_group_counters[i].name)), "%s",
		    api_group_counters[i].name);
	jt_int(c, "unreachables", 6);
	cr_assert_eq(json_object_size(c), (size_t)i + 1);
	af = json_object_get(c, "auth_failures");
	cr_assert_eq(json_object_size(af), MP_REASON_MAX);
	jt_int(af, "bad_tag", 2);
	jt_int(af, "not_member", 1);
	jt_int(af, "replay", 0);
	cr_assert_null(json_object_get(af, "ok"));
	/* Key ids, never key bytes. */
	dump = json_dumps(o, 0);
	cr_assert_null(strstr(dump, hexkey), "%s", dump);
	free(dump);
	json_decref(o);

	snprintf(ag_group.conf.name, sizeof(ag_group.conf.name),
	    "www.example.edu");
	o = api_json_group(&ag_group, NULL);
	jt_str(o, "name", "www.example.edu");
	jt_str(o, "any_name", "www.example.edu.any.");
	cr_assert_eq(json_array_size(json_object_get(o, "members")), 0);
	json_decref(o);
}

Test(api_groups, flow)
{
	struct flow	 f;
	struct in6_addr	 u = jt_addr("2001:db8:11::10"), c;
	json_t		*o;

	memset(&f, 0, sizeof(f));
	ag_setup();
	c = jt_addr("2001:db8:1::20");
	flow_key_set(&f.key, &c, &ag_group.conf.addr, 40000, 443,
	    IPPROTO_TCP_);
	f.state = FLOW_ESTABLISHED;
	f.created_ns = 100 * MS;
	f.last_ns = 900 * MS;
	f.packets_in = 4;
	f.bytes_in = 400;
	f.packets_out = 3;
	f.bytes_out = 3000;
	o = api_json_flow(&f, &u, 1000 * MS);
	cr_assert_not_null(o);
	jt_str(o, "client", "2001:db8:1::20");
	jt_int(o, "client_port", 40000);
	jt_str(o, "group", "2001:db8:ac::1");
	jt_int(o, "group_port", 443);
	jt_str(o, "proto", "tcp");
	jt_str(o, "member", "2001:db8:11::10");
	jt_str(o, "state", "established");
	jt_int(o, "age_ms", 900);
	jt_int(o, "idle_ms", 100);
	jt_int(o, "packets_in", 4);
	jt_int(o, "bytes_in", 400);
	jt_int(o, "packets_out", 3);
	jt_int(o, "bytes_out", 3000);
	json_decref(o);

	f.key.proto = IPPROTO_UDP_;
	f.state = FLOW_UDP;
	o = api_json_flow(&f, NULL, 0);
	jt_str(o, "proto", "udp");
	jt_null(o, "member");
	jt_int(o, "age_ms", 0);
	json_decref(o);
	f.key.proto = IPPROTO_ICMPV6_;
	o = api_json_flow(&f, NULL, 0);
	jt_str(o, "proto", "icmpv6");
	json_decref(o);
	f.key.proto = 132;	/* SCTP: by number */
	o = api_json_flow(&f, NULL, 0);
	jt_int(o, "proto", 132);
	json_decref(o);
}

Test(api_groups, mp_reasons)
{
	uint64_t	 fail[MP_REASON_SLOTS] = { 0 };
	json_t		*o;
	int		 i;

	for (i = 0; i < MP_REASON_SLOTS; i++)
		fail[i] = (uint64_t)i * 10;
	o = api_json_mp_reasons(fail);
	cr_assert_eq(json_object_size(o), MP_REASON_MAX);
	for (i = MP_REASON_NONE + 1; i <= MP_REASON_MAX; i++)
		jt_int(o, mp_reason_name(i), i * 10);
	jt_int(o, "unknown_key", MP_REASON_UNKNOWN_KEY * 10);
	json_decref(o);
}

Test(api_groups, member_patch)
{
	static const struct {
		const char	*body;
		int		 rc;
		bool		 has_weight, has_drain, drain;
		uint32_t	 weight;
		const char	*err;
	} t[] = {
		{ "{\"weight\": 5}", 0, true, false, false, 5, NULL },
		{ "{\"drain\": true}", 0, false, true, true, 0, NULL },
		{ "{\"drain\": false, \"weight\": 65535}", 0, true, true,
		    false, 65535, NULL },
		{ "{\"weight\": 1}", 0, true, false, false, 1, NULL },
		{ "{}", -1, false, false, false, 0, "nothing to change" },
		{ "{\"weight\": 0}", -1, false, false, false, 0,
		    "body.weight: must be an integer between 1 and 65535" },
		{ "{\"weight\": 65536}", -1, false, false, false, 0,
		    "body.weight" },
		{ "{\"weight\": -3}", -1, false, false, false, 0,
		    "body.weight" },
		{ "{\"weight\": 2.5}", -1, false, false, false, 0,
		    "body.weight" },
		{ "{\"weight\": \"5\"}", -1, false, false, false, 0,
		    "body.weight" },
		{ "{\"drain\": 1}", -1, false, false, false, 0,
		    "body.drain: must be true or false" },
		{ "{\"drain\": null}", -1, false, false, false, 0,
		    "body.drain" },
		{ "{\"weight\": 5, \"state\": \"up\"}", -1, false, false,
		    false, 0, "unknown key \"state\" at body" },
		{ "[1]", -1, false, false, false, 0, "JSON object" },
		{ "{\"load\": 101}", -1, false, false, false, 0,
		    "body.load: must be an integer between 0 and 100" },
		{ "{\"load\": -1}", -1, false, false, false, 0,
		    "body.load" },
		{ "{\"load\": \"35\"}", -1, false, false, false, 0,
		    "body.load" },
	};
	struct api_member_patch	 mp;
	char			 err[256];
	json_t			*j;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		j = jt_parse(t[i].body);
		err[0] = '\0';
		cr_assert_eq(api_json_member_patch(j, &mp, err, sizeof(err)),
		    t[i].rc, "%s: %s", t[i].body, err);
		json_decref(j);
		if (t[i].rc == -1) {
			cr_assert_not_null(strstr(err, t[i].err), "%s: %s",
			    t[i].body, err);
			continue;
		}
		cr_assert_eq(mp.has_weight, t[i].has_weight, "%s", t[i].body);
		cr_assert_eq(mp.has_drain, t[i].has_drain, "%s", t[i].body);
		if (mp.has_weight)
			cr_assert_eq(mp.weight, t[i].weight, "%s", t[i].body);
		if (mp.has_drain)
			cr_assert_eq(mp.drain, t[i].drain, "%s", t[i].body);
	}
}

Test(api_groups, member_patch_load)
{
	struct api_member_patch	 mp;
	char			 err[256];
	json_t			*j;

	j = jt_parse("{\"load\": 35}");
	cr_assert_eq(api_json_member_patch(j, &mp, err, sizeof(err)), 0, "%s",
	    err);
	json_decref(j);
	cr_assert(mp.has_load && !mp.has_weight && !mp.has_drain);
	cr_assert_eq(mp.load, 35);
	j = jt_parse("{\"load\": 0, \"weight\": 7}");
	cr_assert_eq(api_json_member_patch(j, &mp, err, sizeof(err)), 0, "%s",
	    err);
	json_decref(j);
	cr_assert(mp.has_load && mp.has_weight);
	cr_assert_eq(mp.load, 0);
}

/* A joined member's bandwidth is its link's residual, unless it says less. */
Test(api_groups, member_inputs_sources)
{
	static struct iface	 ifp;
	struct member		*m = ag_setup();
	struct member_inputs	 in;

	memset(&ifp, 0, sizeof(ifp));
	ifp.conf.capacity_mbit = 40;
	m->ifp = &ifp;
	member_inputs(m, &in);
	cr_assert_eq(in.bw_src, SRC_CONFIGURED);	/* static */
	cr_assert_eq(in.bw_mbps, 100);
	cr_assert_eq(in.hops_src, SRC_CONFIGURED);
	m->is_static = false;
	m->hops = 1;
	m->load_pct = 20;
	member_inputs(m, &in);
	cr_assert_eq(in.bw_src, SRC_MEASURED);
	cr_assert_eq(in.bw_mbps, 40);			/* idle link */
	cr_assert_eq(in.hops_src, SRC_MEASURED);
	cr_assert_eq(in.load_src, SRC_REPORTED);
	m->bandwidth = 25;
	m->bw_reported = true;
	member_inputs(m, &in);
	cr_assert_eq(in.bw_src, SRC_REPORTED);
	cr_assert_eq(in.bw_mbps, 25);
	m->bandwidth = 60;
	member_inputs(m, &in);
	cr_assert_eq(in.bw_src, SRC_MEASURED);
	cr_assert_eq(in.bw_mbps, 40);
	cr_assert_str_eq(input_src_name(SRC_REPORTED), "reported");
}

Test(api_groups, flow_query)
{
	static const struct {
		const char	*q;
		bool		 paged;
		int		 rc;
		bool		 has_group;
		size_t		 offset, limit;
		const char	*err;
	} t[] = {
		{ NULL, true, 0, false, 0, API_FLOWS_LIMIT, NULL },
		{ "", true, 0, false, 0, API_FLOWS_LIMIT, NULL },
		{ "group=2001:db8:ac::1", true, 0, true, 0, API_FLOWS_LIMIT,
		    NULL },
		{ "group=2001%3Adb8%3Aac%3A%3A1&offset=20&limit=5", true, 0,
		    true, 20, 5, NULL },
		{ "limit=0", true, 0, false, 0, 0, NULL },
		{ "limit=1000", true, 0, false, 0, 1000, NULL },
		{ "offset=4294967295", true, 0, false, 4294967295u,
		    API_FLOWS_LIMIT, NULL },
		{ "group=2001:db8:ac::1", false, 0, true, 0, API_FLOWS_LIMIT,
		    NULL },
		{ "limit=1001", true, -1, false, 0, 0,
		    "limit: must be an integer between 0 and 1000" },
		{ "limit=-1", true, -1, false, 0, 0, "limit:" },
		{ "limit=", true, -1, false, 0, 0, "limit:" },
		{ "limit=1x", true, -1, false, 0, 0, "limit:" },
		{ "offset=4294967296", true, -1, false, 0, 0, "offset:" },
		{ "offset=99999999999999999999999", true, -1, false, 0, 0,
		    "offset:" },
		{ "group=zzz", true, -1, false, 0, 0,
		    "group: \"zzz\" is not an IPv6 address" },
		{ "group=2001:db8::/64", true, -1, false, 0, 0, "group:" },
		{ "limit=1&limit=2", true, -1, false, 0, 0,
		    "limit: given twice" },
		{ "group=2001:db8::1&group=2001:db8::2", true, -1, false, 0, 0,
		    "group: given twice" },
		{ "sort=age", true, -1, false, 0, 0,
		    "unknown parameter \"sort\"" },
		{ "offset=1", false, -1, false, 0, 0,
		    "unknown parameter \"offset\"" },
		{ "limit=5", false, -1, false, 0, 0,
		    "unknown parameter \"limit\"" },
	};
	struct api_flow_query	 q;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(api_flow_query(t[i].q, t[i].paged, &q, err,
		    sizeof(err)), t[i].rc, "%s: %s", t[i].q, err);
		if (t[i].rc == -1) {
			cr_assert_not_null(strstr(err, t[i].err), "%s: %s",
			    t[i].q, err);
			continue;
		}
		cr_assert_eq(q.has_group, t[i].has_group, "%s", t[i].q);
		cr_assert_eq(q.offset, t[i].offset, "%s", t[i].q);
		cr_assert_eq(q.limit, t[i].limit, "%s", t[i].q);
		if (q.has_group)
			cr_assert(ag_addr_is(&q.group, "2001:db8:ac::1"), "%s",
			    t[i].q);
	}
}

/* ---------------------------------------------------------------------- */
/* the configuration's single-object parsers */

static struct config *
ag_config(void)
{
	static const char json[] = "{\"interfaces\": ["
	    "{\"name\": \"c1\", \"addresses\": [\"2001:db8:1::1/64\"]},"
	    "{\"name\": \"s1\", \"addresses\": [\"2001:db8:11::1/64\"]}]}";
	struct config	*c = config_new();
	char		 err[256];

	cr_assert_eq(config_parse(json, sizeof(json) - 1, c, err,
	    sizeof(err)), 0, "%s", err);
	return c;
}

TestSuite(api_groups_config);

Test(api_groups_config, group)
{
	static const char	 key[] = "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f";
	static struct cfg_group	 g;
	struct config		*c = ag_config();
	char			 err[256], body[1024];
	json_t			*j;

	snprintf(body, sizeof(body), "{\"address\": \"2001:db8:ac::2\", "
	    "\"name\": \"www.example.edu\", \"policy\": \"maglev\", "
	    "\"probe\": {\"timeout_ms\": 200}, \"keys\": [{\"id\": 3, "
	    "\"key\": \"%s\"}], \"members\": [{\"address\": "
	    "\"2001:db8:11::10\", \"interface\": \"s1\", \"weight\": 7}]}",
	    key);
	j = jt_parse(body);
	cr_assert_eq(config_parse_group(j, "body", &g, c, err, sizeof(err)),
	    0, "%s", err);
	json_decref(j);
	cr_assert(ag_addr_is(&g.addr, "2001:db8:ac::2"));
	cr_assert_str_eq(g.name, "www.example.edu");
	cr_assert_eq(g.policy, POLICY_MAGLEV);
	cr_assert_eq(g.rh_mode, RH_MODE_EXP);
	cr_assert_eq(g.ratios.load, 60);
	cr_assert_eq(g.probe.timeout_ms, 200);
	cr_assert_eq(g.probe.interval_ms, 1000);
	cr_assert_eq(g.nkeys, 1);
	cr_assert_eq(g.keys[0].id, 3);
	cr_assert_eq(g.keys[0].key[31], 0x1f);
	cr_assert_eq(g.nmembers, 1);
	cr_assert_str_eq(g.members[0].iface, "s1");
	cr_assert_eq(g.members[0].weight, 7);
	cr_assert_eq(g.max_members, 64);

	/* Checked against ref's interfaces and addresses. */
	j = jt_parse("{\"address\": \"2001:db8:11::1\"}");
	cr_assert_eq(config_parse_group(j, "body", &g, c, err, sizeof(err)),
	    -1);
	cr_assert_str_eq(err, "body.address: 2001:db8:11::1 is the router's "
	    "own address on interfaces[1]");
	json_decref(j);
	j = jt_parse("{\"address\": \"2001:db8:ac::2\", \"members\": "
	    "[{\"address\": \"2001:db8:11::10\", \"interface\": \"x9\"}]}");
	cr_assert_eq(config_parse_group(j, "body", &g, c, err, sizeof(err)),
	    -1);
	cr_assert_str_eq(err, "body.members[0].interface: no interface named "
	    "\"x9\"");
	json_decref(j);
	j = jt_parse("{\"address\": \"2001:db8:ac::2\", \"color\": 1}");
	cr_assert_eq(config_parse_group(j, "body", &g, c, err, sizeof(err)),
	    -1);
	cr_assert_str_eq(err, "unknown key \"color\" at body");
	json_decref(j);

	/* Without ref: interfaces and the router's addresses unchecked. */
	j = jt_parse("{\"address\": \"2001:db8:11::1\", \"members\": "
	    "[{\"address\": \"2001:db8:11::10\", \"interface\": \"x9\"}]}");
	cr_assert_eq(config_parse_group(j, "", &g, NULL, err, sizeof(err)),
	    0, "%s", err);
	cr_assert_str_eq(g.members[0].iface, "x9");
	json_decref(j);
	j = jt_parse("{\"address\": \"2001:db8:11::1\", \"members\": "
	    "[{\"address\": \"2001:db8:11::1\"}]}");
	cr_assert_eq(config_parse_group(j, "", &g, NULL, err, sizeof(err)),
	    -1);
	cr_assert_str_eq(err, "members[0].address: 2001:db8:11::1 is the "
	    "group's own address");
	json_decref(j);
	config_free(c);
}

Test(api_groups_config, member)
{
	static struct cfg_group	 g;
	struct cfg_member	 m;
	struct config		*c = ag_config();
	char			 err[256];
	json_t			*j;

	memset(&g, 0, sizeof(g));
	g.addr = jt_addr("2001:db8:ac::1");
	j = jt_parse("{\"address\": \"2001:db8:11::12\", \"hops\": 3, "
	    "\"bandwidth\": 40, \"capacity\": 9}");
	cr_assert_eq(config_parse_member(j, "body", &m, &g, c, err,
	    sizeof(err)), 0, "%s", err);
	json_decref(j);
	cr_assert(ag_addr_is(&m.addr, "2001:db8:11::12"));
	cr_assert_eq(m.weight, POLICY_WEIGHT_DEFAULT);
	cr_assert_eq(m.hops, 3);
	cr_assert_eq(m.bandwidth, 40);
	cr_assert_eq(m.capacity, 9);
	cr_assert_str_eq(m.iface, "");

	j = jt_parse("{\"address\": \"2001:db8:ac::1\"}");
	cr_assert_eq(config_parse_member(j, "body", &m, &g, c, err,
	    sizeof(err)), -1);
	cr_assert_str_eq(err, "body.address: 2001:db8:ac::1 is the group's "
	    "own address");
	json_decref(j);
	j = jt_parse("{\"address\": \"2001:db8:1::1\"}");
	cr_assert_eq(config_parse_member(j, "body", &m, &g, c, err,
	    sizeof(err)), -1);
	cr_assert_str_eq(err, "body.address: 2001:db8:1::1 is the router's "
	    "own address on interfaces[0]");
	json_decref(j);
	j = jt_parse("{\"address\": \"2001:db8:11::12\", \"weight\": 0}");
	cr_assert_eq(config_parse_member(j, "body", &m, &g, c, err,
	    sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "body.weight"), "%s", err);
	json_decref(j);
	config_free(c);
}

Test(api_groups_config, patch)
{
	static struct cfg_group	 g, before;
	char			 err[256];
	json_t			*j;
	size_t			 i;
	static const char *const bad[] = {
		"{\"name\": \"x\"}",
		"{\"policy\": \"fastest\"}",
		"{\"policy\": \"random\", \"rh_mode\": \"rh9\"}",
		"{\"policy\": \"random\", \"score\": {\"hop\": 50}}",
		"{\"score\": {\"hop\": 30, \"load\": 60, \"bw\": 10}}",
		"{\"probe\": {\"timeout_ms\": 5}}",
		"{\"probe\": {\"retest_ms\": 5000, \"retest_max_ms\": 1000}}",
		"{\"probe\": 3}",
	};

	memset(&g, 0, sizeof(g));
	g.policy = POLICY_LEAST_SESSIONS;
	g.rh_mode = RH_MODE_EXP;
	g.ratios = (struct score_ratios){ 30, 60, 10 };
	g.probe = (struct cfg_probe){ .fresh_ms = 0, .timeout_ms = 500,
	    .interval_ms = 1000, .rise = 2, .fall = 2, .retest_ms = 1000,
	    .retest_max_ms = 30000, .pending_max = 64 };
	before = g;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = jt_parse(bad[i]);
		err[0] = '\0';
		cr_assert_eq(config_patch_group(j, "body", &g, err,
		    sizeof(err)), -1, "%s", bad[i]);
		cr_assert_neq(err[0], '\0', "%s", bad[i]);
		cr_assert_eq(memcmp(&g, &before, sizeof(g)), 0,
		    "%s changed the group", bad[i]);
		json_decref(j);
	}

	j = jt_parse("{\"policy\": \"score\", \"rh_mode\": \"none\", "
	    "\"score\": {\"hop\": 20, \"load\": 70}, \"probe\": "
	    "{\"interval_ms\": 0, \"retest_ms\": 60000}}");
	cr_assert_eq(config_patch_group(j, "body", &g, err, sizeof(err)), 0,
	    "%s", err);
	json_decref(j);
	cr_assert_eq(g.policy, POLICY_SCORE);
	cr_assert_eq(g.rh_mode, RH_MODE_NONE);
	cr_assert_eq(g.ratios.hop, 20);
	cr_assert_eq(g.ratios.load, 70);
	cr_assert_eq(g.ratios.bw, 10);
	cr_assert_eq(g.probe.interval_ms, 0);
	cr_assert_eq(g.probe.timeout_ms, 500);
	cr_assert_eq(g.probe.retest_ms, 60000);
	cr_assert_eq(g.probe.retest_max_ms, 60000);	/* follows */

	j = jt_parse("{\"score\": {\"hop\": 50}}");
	cr_assert_eq(config_patch_group(j, "body", &g, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "body.score: hop, load and bandwidth must sum "
	    "to 100, not 130 (50 + 70 + 10)");
	json_decref(j);
}
