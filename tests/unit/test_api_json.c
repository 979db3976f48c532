/*
 * The API's JSON views of interfaces, routes, neighbours and captures,
 * and the parser of capture requests.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <event2/buffer.h>
#include <jansson.h>

#include "route.h"
#include "nd.h"
#include "iface.h"
#include "anycast.h"
#include "router.h"
#include "flow.h"
#include "api.h"
#include "json_test.h"

Test(api_json, counters_list_every_counter_and_reason)
{
	struct iface_stats	 st;
	json_t			*o, *drop;
	int			 d;

	memset(&st, 0, sizeof(st));
	st.rx_packets = 11;
	st.tx_bytes = 1ull << 40;
	st.errors_ratelimited = 3;
	st.mcast_not_joined = 9;
	st.drops = 7;
	st.drop[DROP_NO_ROUTE] = 5;
	st.drop[DROP_BAD_CSUM] = 2;
	o = api_json_counters(&st);
	cr_assert_not_null(o);
	jt_int(o, "rx_packets", 11);
	jt_int(o, "tx_bytes", 1ll << 40);
	jt_int(o, "errors_ratelimited", 3);
	jt_int(o, "drops", 7);
	jt_int(o, "rs_in", 0);
	jt_int(o, "echo_out", 0);
	jt_int(o, "mcast_not_joined", 9);
	/* 22 counters and the drop object */
	cr_assert_eq(json_object_size(o), 23);
	drop = json_object_get(o, "drop");
	cr_assert(json_is_object(drop));
	cr_assert_eq(json_object_size(drop), DROP_MAX - 1);
	for (d = DROP_NONE + 1; d < DROP_MAX; d++)
		jt_int(drop, drop_names[d], (json_int_t)st.drop[d]);
	jt_int(drop, "no_route", 5);
	cr_assert_null(json_object_get(drop, "none"));
	json_decref(o);
}

Test(api_json, router_counters)
{
	struct router_stats	 st;
	json_t			*o;

	memset(&st, 0, sizeof(st));
	st.forwarded = 100;
	st.drop[DROP_HLIM_EXCEEDED] = 4;
	o = api_json_router_counters(&st);
	jt_int(o, "forwarded", 100);
	jt_int(o, "local_in", 0);
	jt_int(json_object_get(o, "drops"), "hop_limit_exceeded", 4);
	cr_assert_eq(json_object_size(json_object_get(o, "drops")),
	    DROP_MAX - 1);
	json_decref(o);
}

Test(api_json, interface)
{
	static struct iface	 ifp;
	static const uint8_t	 mac[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	json_t			*o, *a;

	memset(&ifp, 0, sizeof(ifp));
	snprintf(ifp.conf.name, sizeof(ifp.conf.name), "c1");
	snprintf(ifp.conf.netns, sizeof(ifp.conf.netns), "vr-c1");
	snprintf(ifp.conf.ifname, sizeof(ifp.conf.ifname), "eth0");
	ifp.name = ifp.conf.name;
	ifp.kind = IFACE_TAP;
	memcpy(ifp.mac, mac, 6);
	ifp.mtu = 1500;
	ifp.addrs[0].addr = jt_addr("fe80::ff:fe00:a");
	ifp.addrs[0].plen = 64;
	ifp.addrs[1].addr = jt_addr("2001:db8:1::1");
	ifp.addrs[1].plen = 64;
	ifp.naddrs = 2;
	ifp.conf.ra_enabled = true;
	ifp.conf.ra_interval = 30;
	ifp.stats.rx_packets = 9;

	o = api_json_iface(&ifp);
	cr_assert_not_null(o);
	jt_str(o, "name", "c1");
	jt_str(o, "netns", "vr-c1");
	jt_str(o, "ifname", "eth0");
	jt_str(o, "kind", "tap");
	jt_str(o, "mac", "02:00:00:00:00:0a");
	jt_int(o, "mtu", 1500);
	cr_assert_null(json_object_get(o, "up"));
	a = json_object_get(o, "addresses");
	cr_assert_eq(json_array_size(a), 2);
	cr_assert_str_eq(json_string_value(json_array_get(a, 0)),
	    "fe80::ff:fe00:a/64");
	cr_assert_str_eq(json_string_value(json_array_get(a, 1)),
	    "2001:db8:1::1/64");
	cr_assert(json_is_true(json_object_get(json_object_get(o, "ra"),
	    "enabled")));
	jt_int(json_object_get(o, "ra"), "interval", 30);
	jt_int(json_object_get(o, "counters"), "rx_packets", 9);
	jt_int(json_object_get(o, "link"), "capacity_mbit", 1000);
	jt_int(json_object_get(o, "link"), "residual_mbit", 1000);
	json_decref(o);

	/* No namespace: null, not "". */
	ifp.conf.netns[0] = ifp.conf.ifname[0] = '\0';
	ifp.kind = IFACE_PCAP;
	o = api_json_iface(&ifp);
	jt_null(o, "netns");
	jt_null(o, "ifname");
	jt_str(o, "kind", "pcap");
	json_decref(o);
}

Test(api_json, routes)
{
	static struct iface	 ifp;
	struct route		 rt;
	json_t			*o;

	memset(&ifp, 0, sizeof(ifp));
	snprintf(ifp.conf.name, sizeof(ifp.conf.name), "m1");
	ifp.name = ifp.conf.name;
	memset(&rt, 0, sizeof(rt));
	rt.prefix = jt_addr("2001:db8:99::");
	rt.plen = 48;
	rt.type = ROUTE_STATIC;
	rt.has_gw = true;
	rt.gw = jt_addr("fe80::1");
	rt.ifp = &ifp;
	rt.packets = 3;
	rt.bytes = 300;
	o = api_json_route(&rt, 0);
	jt_str(o, "prefix", "2001:db8:99::/48");
	jt_str(o, "type", "static");
	jt_str(o, "via", "fe80::1");
	jt_str(o, "interface", "m1");
	jt_int(o, "packets", 3);
	jt_int(o, "bytes", 300);
	json_decref(o);

	rt.type = ROUTE_CONNECTED;
	rt.has_gw = false;
	rt.prefix = jt_addr("::");
	rt.plen = 0;
	o = api_json_route(&rt, 0);
	jt_str(o, "prefix", "::/0");
	jt_str(o, "type", "connected");
	jt_null(o, "via");
	cr_assert_null(json_object_get(o, "metric"));
	json_decref(o);

	/* A learned route shows its metric, tag and age. */
	rt.type = ROUTE_RIPNG;
	rt.has_gw = true;
	rt.metric = 4;
	rt.tag = 9;
	rt.updated_ns = 1000000000ull;
	o = api_json_route(&rt, 3500000000ull);
	jt_str(o, "type", "ripng");
	jt_str(o, "via", "fe80::1");
	jt_int(o, "metric", 4);
	jt_int(o, "tag", 9);
	jt_int(o, "age_ms", 2500);
	json_decref(o);
}

Test(api_json, neighbors)
{
	static struct iface	 ifp;
	struct neighbor		 n;
	json_t			*o;

	memset(&ifp, 0, sizeof(ifp));
	snprintf(ifp.conf.name, sizeof(ifp.conf.name), "c1");
	ifp.name = ifp.conf.name;
	memset(&n, 0, sizeof(n));
	n.addr = jt_addr("2001:db8:1::2");
	n.ifp = &ifp;
	n.state = ND_INCOMPLETE;
	n.qlen = 2;
	n.updated_ns = 1000000000ull;
	o = api_json_neighbor(&n, 3500000000ull);
	jt_str(o, "address", "2001:db8:1::2");
	jt_str(o, "interface", "c1");
	jt_null(o, "mac");
	jt_str(o, "state", "incomplete");
	cr_assert(json_is_false(json_object_get(o, "router")));
	jt_int(o, "queued", 2);
	jt_int(o, "age_ms", 2500);
	json_decref(o);

	memcpy(n.mac, "\x02\x00\x00\x00\x00\x02", 6);
	n.state = ND_REACHABLE;
	n.is_router = true;
	n.qlen = 0;
	o = api_json_neighbor(&n, 500);		/* clock behind: age 0 */
	jt_str(o, "mac", "02:00:00:00:00:02");
	jt_str(o, "state", "reachable");
	cr_assert(json_is_true(json_object_get(o, "router")));
	jt_int(o, "age_ms", 0);
	json_decref(o);
}

Test(api_json, capture)
{
	struct capture	 c;
	json_t		*o;

	memset(&c, 0, sizeof(c));
	c.id = 7;
	c.direction = CAP_RX;
	snprintf(c.path, sizeof(c.path), "/var/tmp/cap7-all.pcap");
	c.running = true;
	c.packets = 4;
	c.bytes = 400;
	c.max_bytes = 1 << 20;
	c.rotate = 2;
	c.files = 5;
	c.started.tv_sec = 1700000000;		/* 2023-11-14T22:13:20Z */
	c.started.tv_usec = 123456;
	o = api_json_capture(&c);
	jt_int(o, "id", 7);
	jt_null(o, "interface");
	jt_str(o, "direction", "rx");
	jt_null(o, "filter");
	cr_assert(json_is_true(json_object_get(o, "running")));
	jt_int(o, "packets", 4);
	jt_int(o, "bytes", 400);
	jt_int(o, "files", 3);		/* current + rotate kept */
	jt_int(o, "rotations", 5);
	jt_str(o, "path", "/var/tmp/cap7-all.pcap");
	jt_int(o, "max_bytes", 1 << 20);
	jt_int(o, "rotate", 2);
	jt_str(o, "started", "2023-11-14T22:13:20.123Z");
	jt_null(o, "stopped");
	json_decref(o);

	snprintf(c.iface, sizeof(c.iface), "m1");
	snprintf(c.filter, sizeof(c.filter), "icmp6");
	c.direction = CAP_BOTH;
	c.running = false;
	c.files = 1;
	c.stopped.tv_sec = 1700000060;
	o = api_json_capture(&c);
	jt_str(o, "interface", "m1");
	jt_str(o, "filter", "icmp6");
	jt_str(o, "direction", "both");
	jt_int(o, "files", 2);
	jt_str(o, "stopped", "2023-11-14T22:14:20.000Z");
	json_decref(o);
}

Test(api_json, capture_request)
{
	struct api_capture_req	 cr;
	char			 err[256];
	json_t			*j;

	j = jt_parse("{}");
	cr_assert_eq(api_json_capture_req(j, &cr, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_str_eq(cr.iface, "");
	cr_assert_eq(cr.direction, CAP_BOTH);
	cr_assert_str_eq(cr.filter, "");
	cr_assert_eq(cr.max_bytes, 0);
	cr_assert_eq(cr.rotate, 0);
	json_decref(j);

	j = jt_parse("{\"interface\": \"c1\", \"direction\": \"tx\", "
	    "\"filter\": \"icmp6 and ip6[40] == 128\", "
	    "\"max_bytes\": 10000000000, \"rotate\": 5}");
	cr_assert_eq(api_json_capture_req(j, &cr, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_str_eq(cr.iface, "c1");
	cr_assert_eq(cr.direction, CAP_TX);
	cr_assert_str_eq(cr.filter, "icmp6 and ip6[40] == 128");
	cr_assert_eq(cr.max_bytes, 10000000000ull);
	cr_assert_eq(cr.rotate, 5);
	json_decref(j);

	j = jt_parse("{\"interface\": null, \"filter\": null, "
	    "\"direction\": \"rx\"}");
	cr_assert_eq(api_json_capture_req(j, &cr, err, sizeof(err)), 0);
	cr_assert_str_eq(cr.iface, "");
	cr_assert_eq(cr.direction, CAP_RX);
	json_decref(j);
}

Test(api_json, capture_request_errors)
{
	static const struct {
		const char	*body;
		const char	*msg;
	} cases[] = {
		{ "[]", "object" },
		{ "{\"iface\": \"c1\"}", "unknown key \"iface\"" },
		{ "{\"interface\": 1}", "interface" },
		{ "{\"interface\": \"abcdefghijklmnopq\"}", "interface" },
		{ "{\"direction\": \"in\"}", "direction" },
		{ "{\"direction\": 1}", "direction" },
		{ "{\"filter\": true}", "filter" },
		{ "{\"max_bytes\": -1}", "max_bytes" },
		{ "{\"max_bytes\": \"1M\"}", "max_bytes" },
		{ "{\"max_bytes\": 1.5}", "max_bytes" },
		{ "{\"rotate\": 4294967296}", "rotate" },
		{ "{\"rotate\": null}", "rotate" },
	};
	struct api_capture_req	 cr;
	char			 err[256], longf[400];
	json_t			*j;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = jt_parse(cases[i].body);
		err[0] = '\0';
		cr_assert_eq(api_json_capture_req(j, &cr, err, sizeof(err)),
		    -1, "%s accepted", cases[i].body);
		cr_assert(strstr(err, cases[i].msg) != NULL, "%s: %s",
		    cases[i].body, err);
		json_decref(j);
	}

	memset(longf, 'a', sizeof(longf) - 1);
	longf[sizeof(longf) - 1] = '\0';
	j = json_pack("{s:s}", "filter", longf);
	cr_assert_eq(api_json_capture_req(j, &cr, err, sizeof(err)), -1);
	cr_assert(strstr(err, "filter") != NULL, "%s", err);
	json_decref(j);

	/* An embedded NUL would cut the filter short silently. */
	j = json_pack("{s:s%}", "filter", "udp\0 or tcp", (size_t)10);
	cr_assert_eq(api_json_capture_req(j, &cr, err, sizeof(err)), -1);
	json_decref(j);
}

/* Every counter of a set has a row, and the JSON view shows each row. */
static size_t
aj_rows(const struct api_counter *c)
{
	size_t	n = 0;

	for (; c->name != NULL; c++)
		n++;
	return n;
}

Test(api_json, counter_tables_cover_the_structs)
{
	struct iface_stats	 st;
	json_t			*o;
	const struct api_counter *c;
	uint64_t		 v = 1;

	cr_assert_eq(aj_rows(api_iface_counters),
	    offsetof(struct iface_stats, drops) / sizeof(uint64_t));
	cr_assert_eq(aj_rows(api_router_counters),
	    offsetof(struct router_stats, drop) / sizeof(uint64_t));
	cr_assert_eq(aj_rows(api_group_counters),
	    offsetof(struct group_stats, auth_fail) / sizeof(uint64_t));
	cr_assert_eq(aj_rows(api_member_counters),
	    sizeof(struct member_stats) / sizeof(uint64_t));
	cr_assert_eq(aj_rows(api_flow_counters),
	    sizeof(struct flow_stats) / sizeof(uint64_t));

	/* Distinct values land under their own names. */
	memset(&st, 0, sizeof(st));
	for (c = api_iface_counters; c->name != NULL; c++, v++)
		memcpy((char *)&st + c->off, &v, sizeof(v));
	st.drops = 999;
	o = api_json_counters(&st);
	v = 1;
	for (c = api_iface_counters; c->name != NULL; c++, v++)
		jt_int(o, c->name, (json_int_t)v);
	jt_int(o, "drops", 999);
	cr_assert_eq(json_object_size(o), aj_rows(api_iface_counters) + 2);
	json_decref(o);
}

/*
 * api_json_dump() gathers json_dump_callback()'s pieces in a buffer of
 * its own: the bytes must be json_dumps()'s with the API's indentation,
 * a newline after them, appended to what the evbuffer held, for bodies
 * smaller and larger than that buffer and for one string larger still.
 */
static void
aj_dump_check(json_t *j)
{
	struct evbuffer	*b = evbuffer_new();
	char		*want, *got;
	size_t		 n;
	json_t		*back;

	cr_assert_not_null(b);
	evbuffer_add(b, "prefix", 6);
	cr_assert_eq(api_json_dump(j, b), 0);
	want = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	cr_assert_not_null(want);
	n = evbuffer_get_length(b);
	cr_assert_eq(n, 6 + strlen(want) + 1, "%zu bytes, want %zu", n,
	    6 + strlen(want) + 1);
	got = (char *)evbuffer_pullup(b, -1);
	cr_assert(memcmp(got, "prefix", 6) == 0);
	cr_assert(memcmp(got + 6, want, strlen(want)) == 0);
	cr_assert_eq(got[n - 1], '\n');
	back = json_loadb(got + 6, n - 6, 0, NULL);
	cr_assert(json_equal(back, j));
	json_decref(back);
	free(want);
	evbuffer_free(b);
}

Test(api_json, dump_small_large_and_long_string)
{
	json_t	*small, *large, *a;
	char	*s, key[16];
	int	 i;

	small = jt_parse("{\"version\": \"0.1.0\", \"uptime_s\": 12, "
	    "\"io\": \"readv\", \"list\": [1, 2.5, null, true]}");
	aj_dump_check(small);

	large = json_object();
	a = json_array();
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(large, key, json_integer(i * 7919));
		json_array_append_new(a, json_string(key));
	}
	json_object_set_new(large, "names", a);
	s = malloc(10001);
	cr_assert_not_null(s);
	for (i = 0; i < 10000; i++)
		s[i] = 'a' + i % 26;
	s[10000] = '\0';
	json_object_set_new(large, "long", json_string(s));
	aj_dump_check(large);
	free(s);
	json_decref(small);
	json_decref(large);
}
