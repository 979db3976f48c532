/*
 * vrouterctl without a router: the API's answers (as the API writes
 * them) rendered line by line, and command lines turned into requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "../../tools/vrouterctl/ctl.h"

/* Render VIEW over the JSON text and compare with the lines, NULL-ended. */
static void
expect_lines(const char *view, const char *text, const char *const *want)
{
	struct ctl_lines	 l = { NULL, 0, 0 };
	json_error_t		 jerr;
	json_t			*j = json_loads(text, 0, &jerr);
	char			 err[128];
	size_t			 i;

	cr_assert_not_null(j, "bad test JSON: %s", jerr.text);
	cr_assert_not_null(ctl_view_find(view), "no view %s", view);
	cr_assert_eq(ctl_view_render(ctl_view_find(view), j, &l, err,
	    sizeof(err)), 0, "%s: %s", view, err);
	for (i = 0; want[i] != NULL && i < l.n; i++)
		cr_expect_str_eq(l.v[i], want[i], "%s line %zu:\n got  \"%s\"\n want \"%s\"", view,
		    i, l.v[i], want[i]);
	cr_expect_null(want[i], "%s: %zu lines, more expected", view, l.n);
	cr_expect_eq(i, l.n, "%s: %zu lines, %zu expected", view, l.n, i);
	ctl_lines_free(&l);
	json_decref(j);
}

Test(ctl_view, routes_aligned_numbers_right_null_dash)
{
	static const char *const want[] = {
		"PREFIX            TYPE       VIA              INTERFACE  "
		    "PACKETS  BYTES",
		"2001:db8:99::/48  static     2001:db8:11::10  s1               "
		    "0      0",
		"2001:db8:1::/64   connected  -                c1               "
		    "3    312",
		NULL
	};

	expect_lines("routes", "{\"routes\": ["
	    "{\"prefix\": \"2001:db8:99::/48\", \"type\": \"static\", "
	    "\"via\": \"2001:db8:11::10\", \"interface\": \"s1\", "
	    "\"packets\": 0, \"bytes\": 0},"
	    "{\"prefix\": \"2001:db8:1::/64\", \"type\": \"connected\", "
	    "\"via\": null, \"interface\": \"c1\", \"packets\": 3, "
	    "\"bytes\": 312}]}", want);
}

Test(ctl_view, empty_list_is_the_header)
{
	static const char *const want[] = {
		"ID  INTERFACE  DIR  RUNNING  PACKETS  BYTES  FILTER  PATH",
		NULL
	};

	expect_lines("captures", "{\"captures\": []}", want);
}

Test(ctl_view, one_object_is_one_row_booleans_yes_no)
{
	static const char *const want[] = {
		"ID  INTERFACE  DIR   RUNNING  PACKETS  BYTES  FILTER  PATH",
		" 2  -          both  yes            5    520  -       "
		    "/tmp/cap2-all.pcap",
		NULL
	};

	expect_lines("captures", "{\"id\": 2, \"interface\": null, "
	    "\"direction\": \"both\", \"filter\": null, \"running\": true, "
	    "\"packets\": 5, \"bytes\": 520, \"path\": \"/tmp/cap2-all.pcap\"}",
	    want);
}

Test(ctl_view, interfaces_nested_counters_and_address_lists)
{
	static const char *const want[] = {
		"NAME  NETNS  IFNAME  MAC                 MTU  RX_PKTS  TX_PKTS  "
		    "DROPS  ADDRESSES",
		"c1    c1     eth0    02:00:00:00:01:01  1500       13        9  "
		    "    6  fe80::ff:fe00:101/64,2001:db8:1::1/64",
		"s1    -      -       02:00:00:00:01:02  9000        0        0  "
		    "    0  -",
		NULL
	};

	expect_lines("interfaces", "{\"interfaces\": ["
	    "{\"name\": \"c1\", \"netns\": \"c1\", \"ifname\": \"eth0\", "
	    "\"mac\": \"02:00:00:00:01:01\", \"mtu\": 1500, \"addresses\": "
	    "[\"fe80::ff:fe00:101/64\", \"2001:db8:1::1/64\"], \"counters\": "
	    "{\"rx_packets\": 13, \"tx_packets\": 9, \"drops\": 6}},"
	    "{\"name\": \"s1\", \"netns\": null, \"ifname\": null, "
	    "\"mac\": \"02:00:00:00:01:02\", \"mtu\": 9000, \"addresses\": [], "
	    "\"counters\": {\"rx_packets\": 0, \"tx_packets\": 0, "
	    "\"drops\": 0}}]}", want);
}

#define CTL_GROUP(addr, members)					\
	"{\"address\": \"" addr "\", \"name\": null, \"policy\": "	\
	"\"maglev\", \"rh_mode\": \"srh\", \"flows\": 1, \"pending\": 0,"\
	" \"counters\": {\"packets\": 9}, \"members\": [" members "]}"
#define CTL_MEMBER(addr, state, why, drain)				\
	"{\"address\": \"" addr "\", \"interface\": \"s1\", "		\
	"\"source\": \"static\", \"state\": \"" state "\", "		\
	"\"down_reason\": " why ", \"draining\": " drain ", "		\
	"\"sessions\": 0, \"flows\": 1, \"load_pct\": 0, \"weight\": 100,"\
	" \"score\": {\"score\": 88}, \"probe_rtt_us\": null, "		\
	"\"counters\": {\"selections\": 1}}"

Test(ctl_view, groups_count_members_and_those_up)
{
	static const char *const want[] = {
		"ADDRESS         NAME  POLICY  RH   MEMBERS  UP  FLOWS  PENDING  "
		    "PACKETS",
		"2001:db8:ac::1  -     maglev  srh        2   1      1        0  "
		    "      9",
		NULL
	};

	expect_lines("groups", "{\"groups\": [" CTL_GROUP("2001:db8:ac::1",
	    CTL_MEMBER("2001:db8:11::10", "up", "null", "false") ","
	    CTL_MEMBER("2001:db8:11::11", "down", "\"probe\"", "true"))
	    "]}", want);
}

Test(ctl_view, members_of_every_group_with_their_group)
{
	static const char *const want[] = {
		"GROUP           ADDRESS          INTERFACE  SOURCE  STATE"
		    "        DRAIN  SESSIONS  FLOWS  LOAD%  WEIGHT  SCORE  RTT_US"
		    "  SELECTIONS",
		"2001:db8:ac::1  2001:db8:11::10  s1         static  up"
		    "           no            0      1      0     100     88"
		    "       -           1",
		"2001:db8:ac::2  2001:db8:11::11  s1         static  down(probe)"
		    "  yes           0      1      0     100     88       -"
		    "           1",
		NULL
	};

	expect_lines("members", "{\"groups\": ["
	    CTL_GROUP("2001:db8:ac::1", CTL_MEMBER("2001:db8:11::10", "up",
	    "null", "false")) ","
	    CTL_GROUP("2001:db8:ac::2", CTL_MEMBER("2001:db8:11::11", "down",
	    "\"probe\"", "true")) "]}", want);
}

Test(ctl_view, members_of_one_group_and_a_member_alone)
{
	static const char *const group[] = {
		"GROUP           ADDRESS          INTERFACE  SOURCE  STATE  DRAIN"
		    "  SESSIONS  FLOWS  LOAD%  WEIGHT  SCORE  RTT_US  SELECTIONS",
		"2001:db8:ac::1  2001:db8:11::10  s1         static  up     no   "
		    "         0      1      0     100     88       -           1",
		NULL
	};
	static const char *const alone[] = {
		"GROUP  ADDRESS          INTERFACE  SOURCE  STATE  DRAIN"
		    "  SESSIONS  FLOWS  LOAD%  WEIGHT  SCORE  RTT_US  SELECTIONS",
		"-      2001:db8:11::10  s1         static  up     no   "
		    "         0      1      0     100     88       -           1",
		NULL
	};

	expect_lines("members", CTL_GROUP("2001:db8:ac::1",
	    CTL_MEMBER("2001:db8:11::10", "up", "null", "false")), group);
	expect_lines("members", CTL_MEMBER("2001:db8:11::10", "up", "null",
	    "false"), alone);
}

Test(ctl_view, status_keys_in_order)
{
	static const char *const want[] = {
		"KEY       VALUE",
		"version   0.1.0",
		"uptime_s  38",
		"mode      tap",
		NULL
	};

	expect_lines("status", "{\"version\": \"0.1.0\", \"uptime_s\": 38, "
	    "\"mode\": \"tap\"}", want);
}

Test(ctl_view, counters_by_path_zeros_left_out)
{
	static const char *const want[] = {
		"COUNTER                   VALUE",
		"router.forwarded              6",
		"router.drops.not_for_us      13",
		"interfaces.c1.rx_packets  12345",
		"dns.queries                   1",
		NULL
	};

	expect_lines("counters", "{\"router\": {\"forwarded\": 6, "
	    "\"drops\": {\"short_frame\": 0, \"not_for_us\": 13}}, "
	    "\"interfaces\": {\"c1\": {\"rx_packets\": 12345, \"drop\": "
	    "{\"no_route\": 0}}}, \"anycast\": {}, \"dns\": {\"queries\": 1}}",
	    want);
}

Test(ctl_view, unexpected_answer)
{
	struct ctl_lines	 l = { NULL, 0, 0 };
	json_t			*j = json_loads("[1, 2]", 0, NULL);
	char			 err[128];

	cr_assert_eq(ctl_view_render(ctl_view_find("routes"), j, &l, err,
	    sizeof(err)), -1);
	cr_expect_str_eq(err, "unexpected answer for routes");
	cr_expect_eq(l.n, 0);
	json_decref(j);
	cr_expect_null(ctl_view_find("nonesuch"));
}

/* ---------------------------------------------------------------------- */
/* command lines */

struct ctl_case {
	char		*argv[10];
	const char	*method;	/* NULL: a usage error, msg */
	const char	*path;
	const char	*body;		/* compact JSON, NULL: none */
	const char	*msg;
};

static const struct ctl_case ctl_cases[] = {
	{ { "show", "status" }, "GET", "/api/v1/status", NULL, NULL },
	{ { "show", "members" }, "GET", "/api/v1/groups", NULL, NULL },
	{ { "show", "members", "2001:db8:ac::1" }, "GET",
	    "/api/v1/groups/2001:db8:ac::1", NULL, NULL },
	{ { "show", "flows", "2001:db8:ac::1" }, "GET",
	    "/api/v1/flows?group=2001:db8:ac::1", NULL, NULL },
	{ { "show", "members", "a/b?c" }, "GET", "/api/v1/groups/a%2Fb%3Fc",
	    NULL, NULL },
	{ { "group", "policy", "2001:db8:ac::1", "round-robin" }, "PATCH",
	    "/api/v1/groups/2001:db8:ac::1", "{\"policy\":\"round-robin\"}",
	    NULL },
	{ { "member", "drain", "2001:db8:ac::1", "2001:db8:11::10" },
	    "PATCH", "/api/v1/groups/2001:db8:ac::1/members/2001:db8:11::10",
	    "{\"drain\":true}", NULL },
	{ { "member", "undrain", "A", "U" }, "PATCH",
	    "/api/v1/groups/A/members/U", "{\"drain\":false}", NULL },
	{ { "member", "weight", "A", "U", "250" }, "PATCH",
	    "/api/v1/groups/A/members/U", "{\"weight\":250}", NULL },
	{ { "member", "weight", "A", "U", "-1" }, NULL, NULL, NULL,
	    "weight -1: not a number" },
	{ { "capture", "start" }, "POST", "/api/v1/captures", "{}", NULL },
	{ { "capture", "start", "interface", "c1", "filter", "icmp6 and "
	    "ip6[40] == 128", "max-bytes", "65536" }, "POST",
	    "/api/v1/captures", "{\"interface\":\"c1\",\"filter\":\"icmp6 and "
	    "ip6[40] == 128\",\"max_bytes\":65536}", NULL },
	{ { "capture", "start", "interface" }, NULL, NULL, NULL,
	    "capture start: interface needs a value" },
	{ { "capture", "start", "iface", "c1" }, NULL, NULL, NULL,
	    "capture start: unknown keyword \"iface\"" },
	{ { "capture", "stop", "3" }, "POST", "/api/v1/captures/3/stop", NULL,
	    NULL },
	{ { "capture", "get", "3", "out.pcap" }, "GET",
	    "/api/v1/captures/3/pcap", NULL, NULL },
	{ { "capture", "delete", "3" }, "DELETE", "/api/v1/captures/3", NULL,
	    NULL },
	{ { "flows", "flush" }, "DELETE", "/api/v1/flows", NULL, NULL },
	{ { "show", "routes", "extra" }, NULL, NULL, NULL,
	    "usage: vrouterctl show routes" },
	{ { "member", "drain", "A" }, NULL, NULL, NULL,
	    "usage: vrouterctl member drain A U" },
	{ { "show" }, NULL, NULL, NULL, "show what?: expected show status, "
	    "interfaces, routes, neighbors, groups, members, flows, counters" },
	{ { "member", "kick", "A", "U" }, NULL, NULL, NULL, "member kick: "
	    "expected member drain, undrain, weight" },
	{ { "frobnicate", "all" }, NULL, NULL, NULL,
	    "unknown command \"frobnicate\"" },
};

Test(ctl_cmd, table_of_command_lines)
{
	const struct ctl_case	*c;
	struct ctl_req		 req;
	char			 err[256], *body;
	size_t			 i;
	int			 argc, rc;

	for (i = 0; i < sizeof(ctl_cases) / sizeof(ctl_cases[0]); i++) {
		c = &ctl_cases[i];
		for (argc = 0; c->argv[argc] != NULL; argc++)
			;
		err[0] = '\0';
		rc = ctl_cmd_parse(argc, c->argv, &req, err,
		    sizeof(err));
		if (c->method == NULL) {
			cr_expect_eq(rc, -1, "case %zu accepted", i);
			cr_expect_str_eq(err, c->msg, "case %zu", i);
			ctl_req_clear(&req);
			continue;
		}
		cr_expect_eq(rc, 0, "case %zu: %s", i, err);
		cr_expect_str_eq(req.method, c->method, "case %zu", i);
		cr_expect_str_eq(req.path, c->path, "case %zu", i);
		cr_expect_eq(req.auth, strcmp(c->method, "GET") != 0);
		body = req.body != NULL ? json_dumps(req.body, JSON_COMPACT |
		    JSON_PRESERVE_ORDER) : NULL;
		if (c->body == NULL)
			cr_expect_null(body, "case %zu: body %s", i, body);
		else
			cr_expect_str_eq(body != NULL ? body : "(none)",
			    c->body, "case %zu", i);
		free(body);
		ctl_req_clear(&req);
	}
}

Test(ctl_cmd, capture_get_writes_a_file_or_stdout)
{
	char *const	 to_file[] = { "capture", "get", "7", "x.pcap" };
	char *const	 to_stdout[] = { "capture", "get", "7", "-" };
	struct ctl_req	 req;
	char		 err[64];

	cr_assert_eq(ctl_cmd_parse(4, to_file, &req, err, sizeof(err)), 0);
	cr_expect(req.raw);
	cr_expect_str_eq(req.out, "x.pcap");
	cr_expect_null(req.view);
	ctl_req_clear(&req);
	cr_assert_eq(ctl_cmd_parse(4, to_stdout, &req, err, sizeof(err)), 0);
	cr_expect_null(req.out);
	ctl_req_clear(&req);
}

Test(ctl_cmd, usage_lists_every_command)
{
	struct ctl_lines	 l = { NULL, 0, 0 };

	ctl_cmd_usage(&l);
	cr_assert_gt(l.n, 10);
	cr_expect_str_eq(l.v[0], "show status");
	cr_expect_str_eq(l.v[5], "show members [A]");
	ctl_lines_free(&l);
}
