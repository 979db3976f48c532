/*
 * config_parse(), config_load() and config_parse_route(): the documented
 * example, the defaults of a minimal file, and one case per validation
 * rule, each checked for the key path its message must name.  JSON in
 * this file is written with single quotes, turned into double quotes
 * before parsing.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "vrouter.h"

#define IFACE_A	"{'name':'a','addresses':['2001:db8::1/64']}"
#define IFACE_B	"{'name':'b','addresses':['2001:db8:2::1/64']}"
#define MINIMAL	"{'interfaces':[" IFACE_A "]}"

/* The example of docs/config.md (without "pcap", see pcap_example). */
#define EXAMPLE \
"{\n" \
"  'api': { 'enabled': true, 'listen': '::1', 'port': 8080,\n" \
"           'token': 's3cret-s3cret-s3cret' },\n" \
"  'capture_dir': '/tmp/vrouter-captures',\n" \
"  'log_level': 'info',\n" \
"  'limits': { 'neighbors': 1024, 'neighbor_queue': 16,\n" \
"              'icmp_errors_per_sec': 100, 'icmp_burst': 50,\n" \
"              'buffers': 1024 },\n" \
"  'interfaces': [\n" \
"    { 'name': 'c1', 'netns': 'c1', 'ifname': 'eth0',\n" \
"      'mac': '02:00:00:00:01:01', 'mtu': 1500,\n" \
"      'addresses': ['2001:db8:1::1/64'],\n" \
"      'ra': { 'enabled': true, 'interval': 30, 'lifetime': 1800,\n" \
"              'hop_limit': 64, 'mtu': true,\n" \
"              'prefixes': [ { 'prefix': '2001:db8:1::/64',\n" \
"                              'valid': 86400, 'preferred': 14400,\n" \
"                              'onlink': true, 'autonomous': true } ] },\n" \
"      'capture': { 'filter': 'icmp6', 'direction': 'both',\n" \
"                   'max_bytes': 10485760, 'rotate': 3 } }\n" \
"  ],\n" \
"  'routes': [ { 'prefix': '2001:db8:99::/48', 'via': '2001:db8:1::10',\n" \
"                'interface': 'c1' } ]\n" \
"}\n"

/* Single quotes to double quotes; the caller frees. */
static char *
dq(const char *s)
{
	char	*j = strdup(s);

	cr_assert_not_null(j);
	for (char *c = j; *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	return j;
}

static int
parse(struct config *conf, const char *sq, char *err, size_t errlen)
{
	char	*j = dq(sq);
	int	 rc;

	err[0] = '\0';
	rc = config_parse(j, strlen(j), conf, err, errlen);
	free(j);
	return rc;
}

static struct config *
parse_ok(const char *sq)
{
	struct config	*conf = config_new();
	char		 err[512];

	cr_assert_eq(parse(conf, sq, err, sizeof(err)), 0,
	    "unexpected error: %s", err);
	return conf;
}

/* The parse must fail with a message holding both needles. */
static void
parse_err(const char *sq, const char *n1, const char *n2)
{
	struct config	*conf = config_new();
	char		 err[512];

	cr_assert_eq(parse(conf, sq, err, sizeof(err)), -1,
	    "accepted: %s", sq);
	cr_assert(strstr(err, n1) != NULL, "\"%s\" not in \"%s\"", n1, err);
	if (n2 != NULL)
		cr_assert(strstr(err, n2) != NULL, "\"%s\" not in \"%s\"", n2,
		    err);
	config_free(conf);
}

static void
expect_addr(const struct in6_addr *a, const char *s)
{
	struct in6_addr	 want;

	cr_assert_eq(inet_pton(AF_INET6, s, &want), 1);
	cr_assert(memcmp(a, &want, sizeof(want)) == 0, "%s", s);
}

static void
expect_mac(const uint8_t *mac, const char *s)
{
	char	buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	cr_assert_str_eq(buf, s);
}

/* FNV-1a, 32 bits, as the documentation defines the derived MAC. */
static uint32_t
fnv1a(const char *s)
{
	uint32_t	h = 0x811c9dc5;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 0x01000193;
	}
	return h;
}

TestSuite(config);

Test(config, example)
{
	struct config		*c = parse_ok(EXAMPLE);
	struct cfg_iface	*i = &c->ifaces[0];
	struct cfg_prefix	*pf = &i->prefixes[0];

	cr_assert(c->api_enabled);
	cr_assert_str_eq(c->api_listen, "::1");
	cr_assert_eq(c->api_port, 8080);
	cr_assert_str_eq(c->api_token, "s3cret-s3cret-s3cret");
	cr_assert_str_eq(c->capture_dir, "/tmp/vrouter-captures");
	cr_assert_eq(c->log_level, LOG_LVL_INFO);
	cr_assert_eq(c->neigh_max, 1024);
	cr_assert_eq(c->neigh_queue, 16);
	cr_assert_eq(c->icmp_rate, 100);
	cr_assert_eq(c->icmp_burst, 50);
	cr_assert_eq(c->pbufs, 1024);

	cr_assert_eq(c->nifaces, 1);
	cr_assert_str_eq(i->name, "c1");
	cr_assert_str_eq(i->netns, "c1");
	cr_assert_str_eq(i->ifname, "eth0");
	expect_mac(i->mac, "02:00:00:00:01:01");
	cr_assert_eq(i->mtu, 1500);
	cr_assert_eq(i->naddrs, 1);
	expect_addr(&i->addrs[0].addr, "2001:db8:1::1");
	cr_assert_eq(i->addrs[0].plen, 64);
	cr_assert(i->ra_enabled);
	cr_assert_eq(i->ra_interval, 30);
	cr_assert_eq(i->ra_lifetime, 1800);
	cr_assert_eq(i->ra_hop_limit, 64);
	cr_assert(i->ra_mtu);
	cr_assert_eq(i->nprefixes, 1);
	expect_addr(&pf->prefix, "2001:db8:1::");
	cr_assert_eq(pf->plen, 64);
	cr_assert_eq(pf->valid, 86400);
	cr_assert_eq(pf->preferred, 14400);
	cr_assert(pf->onlink && pf->autonomous);
	cr_assert(i->capture.enabled);
	cr_assert_str_eq(i->capture.filter, "icmp6");
	cr_assert_eq(i->capture.direction, CAP_BOTH);
	cr_assert_eq(i->capture.max_bytes, 10485760);
	cr_assert_eq(i->capture.rotate, 3);
	cr_assert_str_eq(i->pcap_in, "");

	cr_assert_eq(c->nroutes, 1);
	expect_addr(&c->routes[0].prefix, "2001:db8:99::");
	cr_assert_eq(c->routes[0].plen, 48);
	cr_assert(c->routes[0].has_via);
	expect_addr(&c->routes[0].via, "2001:db8:1::10");
	cr_assert_str_eq(c->routes[0].iface, "c1");
	config_free(c);
}

Test(config, minimal_defaults)
{
	struct config		*c = parse_ok(MINIMAL);
	struct cfg_iface	*i = &c->ifaces[0];
	uint32_t		 h = fnv1a("a");
	uint8_t			 mac[6] = { 0x02, 0x76, 0x72,
				    (uint8_t)(h >> 16), (uint8_t)(h >> 8),
				    (uint8_t)h };

	cr_assert(c->api_enabled);
	cr_assert_str_eq(c->api_listen, "::1");
	cr_assert_eq(c->api_port, 8080);
	cr_assert_str_eq(c->api_token, "");
	cr_assert_str_eq(c->capture_dir, "/tmp/vrouter-captures");
	cr_assert_eq(c->log_level, LOG_LVL_INFO);
	cr_assert_eq(c->neigh_max, 1024);
	cr_assert_eq(c->neigh_queue, 16);
	cr_assert_eq(c->icmp_rate, 100);
	cr_assert_eq(c->icmp_burst, 50);
	cr_assert_eq(c->pbufs, 1024);
	cr_assert_eq(c->nroutes, 0);
	cr_assert_not_null(c->routes);

	cr_assert_eq(c->nifaces, 1);
	cr_assert_str_eq(i->name, "a");
	cr_assert_str_eq(i->netns, "");
	cr_assert_str_eq(i->ifname, "a");
	cr_assert(memcmp(i->mac, mac, 6) == 0);
	cr_assert_eq(i->mtu, 1500);
	cr_assert_not(i->ra_enabled);
	cr_assert_eq(i->ra_interval, 30);
	cr_assert_eq(i->ra_lifetime, 1800);
	cr_assert_eq(i->ra_hop_limit, 64);
	cr_assert(i->ra_mtu);
	/* the /64 of the address, advertised with default lifetimes */
	cr_assert_eq(i->nprefixes, 1);
	expect_addr(&i->prefixes[0].prefix, "2001:db8::");
	cr_assert_eq(i->prefixes[0].plen, 64);
	cr_assert_eq(i->prefixes[0].valid, 86400);
	cr_assert_eq(i->prefixes[0].preferred, 14400);
	cr_assert(i->prefixes[0].onlink && i->prefixes[0].autonomous);
	cr_assert_not(i->capture.enabled);
	cr_assert_eq(i->capture.direction, CAP_BOTH);
	cr_assert_str_eq(i->pcap_in, "");
	cr_assert_str_eq(i->pcap_out, "");
	config_free(c);
}

Test(config, derived_macs)
{
	struct config	*c = parse_ok("{'interfaces':[" IFACE_A "," IFACE_B
			    "]}");
	struct config	*d = parse_ok("{'interfaces':[" IFACE_B "]}");

	cr_assert_eq(c->ifaces[0].mac[0] & 0x03, 0x02,
	    "locally administered unicast");
	cr_assert(memcmp(c->ifaces[0].mac, c->ifaces[1].mac, 6) != 0);
	/* stable: the same name gives the same MAC in another document */
	cr_assert(memcmp(c->ifaces[1].mac, d->ifaces[0].mac, 6) == 0);
	config_free(c);
	config_free(d);
}

Test(config, default_prefixes)
{
	struct config		*c = parse_ok("{'interfaces':[{'name':'a',"
				    "'addresses':['2001:db8:5::1/64',"
				    "'2001:db8:5::2/64','2001:db8:6::1/48',"
				    "'2001:db8:7::9/64']}]}");
	struct cfg_iface	*i = &c->ifaces[0];

	/* one per distinct /64; the /48 address advertises nothing */
	cr_assert_eq(i->naddrs, 4);
	cr_assert_eq(i->nprefixes, 2);
	expect_addr(&i->prefixes[0].prefix, "2001:db8:5::");
	expect_addr(&i->prefixes[1].prefix, "2001:db8:7::");
	config_free(c);
}

Test(config, ra_prefixes_shorthand_and_empty)
{
	struct config	*c = parse_ok("{'interfaces':[{'name':'a',"
			    "'addresses':['2001:db8::1/64'],'ra':{'enabled':"
			    "true,'prefixes':['2001:db8:9::/56',{'prefix':"
			    "'fd00:1::/64','valid':600,'preferred':0,"
			    "'autonomous':false}]}},{'name':'b','ra':"
			    "{'prefixes':[]},'addresses':['2001:db8:2::1/64']"
			    "}]}");
	struct cfg_prefix *pf = c->ifaces[0].prefixes;

	cr_assert_eq(c->ifaces[0].nprefixes, 2);
	expect_addr(&pf[0].prefix, "2001:db8:9::");
	cr_assert_eq(pf[0].plen, 56);
	cr_assert_eq(pf[0].valid, 86400);
	cr_assert_eq(pf[0].preferred, 14400);
	cr_assert(pf[0].onlink && pf[0].autonomous);
	expect_addr(&pf[1].prefix, "fd00:1::");
	cr_assert_eq(pf[1].valid, 600);
	cr_assert_eq(pf[1].preferred, 0);
	cr_assert(pf[1].onlink);
	cr_assert_not(pf[1].autonomous);
	/* an explicit empty list advertises no prefix */
	cr_assert_eq(c->ifaces[1].nprefixes, 0);
	config_free(c);
}

Test(config, other_values)
{
	struct config	*c = parse_ok("{'api':{'enabled':false,'listen':"
			    "'127.0.0.1','port':1,'token':''},'log_level':"
			    "'debug','limits':{'icmp_errors_per_sec':0},"
			    "'interfaces':[{'name':'x-1.y_z','netns':'ns',"
			    "'mtu':65521,'capture':{'direction':'rx',"
			    "'max_bytes':0}},{'name':'b','capture':{"
			    "'direction':'tx','enabled':false,'max_bytes':"
			    "65536,'rotate':100}}]}");

	cr_assert_not(c->api_enabled);
	cr_assert_str_eq(c->api_listen, "127.0.0.1");
	cr_assert_eq(c->api_port, 1);
	cr_assert_str_eq(c->api_token, "");
	cr_assert_eq(c->log_level, LOG_LVL_DEBUG);
	cr_assert_eq(c->icmp_rate, 0);
	cr_assert_str_eq(c->ifaces[0].ifname, "x-1.y_z");
	cr_assert_eq(c->ifaces[0].naddrs, 0);
	cr_assert_eq(c->ifaces[0].nprefixes, 0);
	cr_assert_eq(c->ifaces[0].mtu, 65521);
	cr_assert(c->ifaces[0].capture.enabled);
	cr_assert_eq(c->ifaces[0].capture.direction, CAP_RX);
	cr_assert_not(c->ifaces[1].capture.enabled);
	cr_assert_eq(c->ifaces[1].capture.direction, CAP_TX);
	cr_assert_eq(c->ifaces[1].capture.rotate, 100);
	config_free(c);
}

Test(config, pcap_mode)
{
	struct config	*c = parse_ok("{'interfaces':[{'name':'a','pcap':"
			    "{'in':'a-in.pcap','out':'a-out.pcap'}},{'name':"
			    "'b','pcap':{'in':'b-in.pcap','out':'b-out.pcap'"
			    "}}]}");

	cr_assert_str_eq(c->ifaces[0].pcap_in, "a-in.pcap");
	cr_assert_str_eq(c->ifaces[0].pcap_out, "a-out.pcap");
	cr_assert_str_eq(c->ifaces[1].pcap_out, "b-out.pcap");
	config_free(c);
}

/* The example as first drafted had both "netns" and "pcap". */
Test(config, example_with_pcap_and_netns)
{
	char	*sq = strdup(EXAMPLE), *at;
	char	 buf[4096];

	cr_assert_not_null(sq);
	at = strstr(sq, "'rotate': 3 }");
	cr_assert_not_null(at);
	at += strlen("'rotate': 3 }");
	snprintf(buf, sizeof(buf), "%.*s, 'pcap': { 'in': 'in.pcap', "
	    "'out': 'out.pcap' }%s", (int)(at - sq), sq, at);
	parse_err(buf, "interfaces[0].netns", "pcap");
	free(sq);
}

Test(config, routes)
{
	struct config	*c = parse_ok("{'interfaces':[" IFACE_A "," IFACE_B
			    "],'routes':[{'prefix':'::/0','via':"
			    "'2001:db8::fe'},{'prefix':'2001:db8:77::5',"
			    "'interface':'b'},{'prefix':'2001:db8:88::/48',"
			    "'via':'fe80::1','interface':'a'}]}");

	cr_assert_eq(c->nroutes, 3);
	cr_assert_eq(c->routes[0].plen, 0);
	cr_assert(c->routes[0].has_via);
	cr_assert_str_eq(c->routes[0].iface, "");
	/* an address alone is a /128 */
	cr_assert_eq(c->routes[1].plen, 128);
	cr_assert_not(c->routes[1].has_via);
	cr_assert_str_eq(c->routes[1].iface, "b");
	expect_addr(&c->routes[2].via, "fe80::1");
	config_free(c);
}

Test(config, many_routes)
{
	size_t		 size = 64 + CFG_MAX_ROUTES * 64;
	char		*sq = malloc(size);
	struct config	*c;
	size_t		 o;

	cr_assert_not_null(sq);
	o = (size_t)snprintf(sq, size, "{'interfaces':[" IFACE_A
	    "],'routes':[");
	for (int n = 0; n < CFG_MAX_ROUTES; n++)
		o += (size_t)snprintf(sq + o, size - o, "%s{'prefix':"
		    "'2001:db8:%x::/48','interface':'a'}", n ? "," : "",
		    n + 0x100);
	snprintf(sq + o, size - o, "]}");
	c = parse_ok(sq);
	cr_assert_eq(c->nroutes, CFG_MAX_ROUTES);
	expect_addr(&c->routes[CFG_MAX_ROUTES - 1].prefix,
	    "2001:db8:10ff::");
	config_free(c);

	/* one more is refused */
	snprintf(sq + o, size - o, ",{'prefix':'::/0','interface':'a'}]}");
	parse_err(sq, "routes", "at most");
	free(sq);
}

/* A failed parse leaves the config as it was; a good one replaces it. */
Test(config, atomic_and_reusable)
{
	struct config		*c = parse_ok("{'interfaces':[" IFACE_A ","
				    IFACE_B "],'routes':[{'prefix':"
				    "'2001:db8:99::/48','interface':'b'}]}");
	struct cfg_route	*routes = c->routes;
	char			 err[256];

	cr_assert_eq(parse(c, "{'log_level':'debug','interfaces':["
	    "{'name':'z','mtu':1}]}", err, sizeof(err)), -1);
	cr_assert_eq(c->nifaces, 2);
	cr_assert_eq(c->nroutes, 1);
	cr_assert_eq(c->log_level, LOG_LVL_INFO);
	cr_assert_str_eq(c->ifaces[1].name, "b");

	cr_assert_eq(parse(c, "{'log_level':'warn','interfaces':["
	    "{'name':'z'}]}", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c->nifaces, 1);
	cr_assert_eq(c->nroutes, 0);
	cr_assert_eq(c->log_level, LOG_LVL_WARN);
	cr_assert_str_eq(c->ifaces[0].name, "z");
	cr_assert_eq(c->routes, routes, "the route array stays in place");
	config_free(c);
}

Test(config, parse_route_alone)
{
	struct cfg_route	 rt;
	char			 err[256];
	json_t			*o;

	/* no interface list to check against: any valid name is kept */
	o = json_pack("{s:s, s:s}", "prefix", "2001:db8:5::/64",
	    "interface", "nowhere");
	cr_assert_eq(config_parse_route(o, "body", &rt, err, sizeof(err)), 0,
	    "%s", err);
	cr_assert_str_eq(rt.iface, "nowhere");
	cr_assert_eq(rt.plen, 64);
	json_decref(o);

	o = json_pack("{s:s, s:s}", "prefix", "2001:db8:5::/64", "gw",
	    "2001:db8::1");
	cr_assert_eq(config_parse_route(o, "body", &rt, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "unknown key \"gw\" at body") != NULL, "%s",
	    err);
	json_decref(o);

	o = json_pack("{s:s}", "prefix", "2001:db8:5::/64");
	cr_assert_eq(config_parse_route(o, "body", &rt, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "body: ") != NULL, "%s", err);
	json_decref(o);

	o = json_pack("[]");
	cr_assert_eq(config_parse_route(o, "body", &rt, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "body: must be an object") != NULL, "%s", err);
	json_decref(o);
}

Test(config, messages_are_escaped_and_secret_free)
{
	struct config	*c = config_new();
	const char	*j = "{\"a\\u0001\\\"b\":1,\"interfaces\":[]}";
	const char	*t = "{\"api\":{\"token\":\"short secret\"},"
			    "\"interfaces\":[{\"name\":\"a\"}]}";
	char		 err[256];

	cr_assert_eq(config_parse(j, strlen(j), c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "unknown key \"a\\x01\\\"b\" at top level") !=
	    NULL, "%s", err);
	cr_assert_eq(config_parse(t, strlen(t), c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "api.token") != NULL, "%s", err);
	cr_assert(strstr(err, "secret") == NULL, "token echoed: %s", err);
	/* a short buffer gets a truncated, terminated message */
	cr_assert_eq(config_parse(t, strlen(t), c, err, 8), -1);
	cr_assert_eq(strlen(err), 7);
	config_free(c);
}

/* ---------------------------------------------------------------------- */
/* one case per rule: the JSON and what the message must contain */

#define ERR(name, json, n1, n2)						\
	Test(config, err_##name) { parse_err(json, n1, n2); }

#define IF1(x)	"{'interfaces':[{'name':'a'," x "}]}"
#define RT(x)	"{'interfaces':[" IFACE_A "," IFACE_B "],'routes':[" x "]}"

ERR(syntax, "{'interfaces':[}", "line 1 column", NULL)
ERR(duplicate_json_key, "{'interfaces':[],\n'interfaces':[]}", "line 2",
    "duplicate")
ERR(not_object, "[1]", "must be a JSON object", NULL)
ERR(no_interfaces, "{}", "missing required key \"interfaces\"", NULL)
ERR(empty_interfaces, "{'interfaces':[]}", "interfaces: at least one",
    NULL)
ERR(unknown_top, "{'foo':1,'interfaces':[" IFACE_A "]}",
    "unknown key \"foo\" at top level", NULL)
ERR(unknown_iface, IF1("'foo':1"), "unknown key \"foo\" at interfaces[0]",
    NULL)
ERR(unknown_ra, IF1("'ra':{'enable':true}"),
    "unknown key \"enable\" at interfaces[0].ra", NULL)
ERR(unknown_api, "{'api':{'bind':'::1'},'interfaces':[" IFACE_A "]}",
    "unknown key \"bind\" at api", NULL)
ERR(iface_not_object, "{'interfaces':['a']}",
    "interfaces[0]: must be an object", NULL)
ERR(missing_name, "{'interfaces':[{'mtu':1500}]}",
    "interfaces[0]: missing required key \"name\"", NULL)
ERR(bad_address, IF1("'addresses':['2001:db8::zz/64']"),
    "interfaces[0].addresses[0]: bad prefix", NULL)
ERR(plen_129, "{'interfaces':[" IFACE_A ",{'name':'b','addresses':"
    "['2001:db8::/129']}]}",
    "interfaces[1].addresses[0]: bad prefix \"2001:db8::/129\"", NULL)
ERR(plen_0, IF1("'addresses':['2001:db8::1/0']"),
    "interfaces[0].addresses[0]", "1 to 128")
ERR(address_without_length, IF1("'addresses':['2001:db8::1']"),
    "interfaces[0].addresses[0]", "prefix length")
ERR(multicast_address, IF1("'addresses':['2001:db8::1/64','ff02::1/64']"),
    "interfaces[0].addresses[1]", "multicast")
ERR(linklocal_address, IF1("'addresses':['fe80::1/64']"),
    "interfaces[0].addresses[0]", "link-local")
ERR(loopback_address, IF1("'addresses':['::1/128']"),
    "interfaces[0].addresses[0]", "loopback")
ERR(unspecified_address, IF1("'addresses':['::/64']"),
    "interfaces[0].addresses[0]", "unspecified")
ERR(address_not_string, IF1("'addresses':[64]"),
    "interfaces[0].addresses[0]: must be a string", NULL)
ERR(too_many_addresses, IF1("'addresses':['2001:db8::1/64',"
    "'2001:db8::2/64','2001:db8::3/64','2001:db8::4/64','2001:db8::5/64',"
    "'2001:db8::6/64','2001:db8::7/64','2001:db8::8/64','2001:db8::9/64']"),
    "interfaces[0].addresses: at most 8", NULL)
ERR(duplicate_address, "{'interfaces':[" IFACE_A ",{'name':'b',"
    "'addresses':['2001:db8::1/48']}]}",
    "interfaces[1].addresses[0]: duplicate address", "interfaces[0]")
ERR(duplicate_name, "{'interfaces':[{'name':'c1'},{'name':'c2'},"
    "{'name':'c1'}]}", "interfaces[2].name: duplicate interface \"c1\"",
    NULL)
ERR(name_too_long, IF1("'mtu':1500},{'name':'abcdefghijklmnop'"),
    "interfaces[1].name", "too long")
ERR(name_characters, "{'interfaces':[{'name':'a/b'}]}",
    "interfaces[0].name", "characters")
ERR(name_empty, "{'interfaces':[{'name':''}]}", "interfaces[0].name",
    "empty")
ERR(netns_dotdot, IF1("'netns':'..'"), "interfaces[0].netns", NULL)
ERR(netns_too_long, IF1("'netns':'"
    "0123456789012345678901234567890123456789012345678901234567890123'"),
    "interfaces[0].netns", "too long")
ERR(ifname_characters, IF1("'ifname':'eth 0'"), "interfaces[0].ifname",
    "characters")
ERR(ifname_pair, "{'interfaces':[{'name':'a','netns':'n','ifname':'eth0'},"
    "{'name':'b','netns':'n','ifname':'eth0'}]}", "interfaces[1].ifname",
    "interfaces[0]")
ERR(ifname_default_pair, "{'interfaces':[{'name':'a'},"
    "{'name':'b','ifname':'a'}]}", "interfaces[1].ifname", NULL)
ERR(bad_mac, IF1("'mac':'02:00:00:00:01'"), "interfaces[0].mac: bad MAC",
    NULL)
ERR(multicast_mac, IF1("'mac':'03:00:00:00:00:01'"), "interfaces[0].mac",
    "multicast")
ERR(zero_mac, IF1("'mac':'00:00:00:00:00:00'"), "interfaces[0].mac",
    "zero")
ERR(duplicate_mac, "{'interfaces':[{'name':'a','mac':'02:00:00:00:00:01'},"
    "{'name':'b','mac':'02:00:00:00:00:01'}]}",
    "interfaces[1].mac: duplicate MAC", NULL)
ERR(mtu_range, IF1("'mtu':1279"),
    "interfaces[0].mtu: must be an integer between 1280 and 65521", NULL)
ERR(mtu_high, IF1("'mtu':65522"), "interfaces[0].mtu", NULL)
ERR(mtu_string, IF1("'mtu':'1500'"),
    "interfaces[0].mtu: must be an integer", NULL)
ERR(mtu_real, IF1("'mtu':1500.0"), "interfaces[0].mtu: must be an integer",
    NULL)
ERR(bool_type, IF1("'ra':{'enabled':'yes'}"),
    "interfaces[0].ra.enabled: must be true or false", NULL)
ERR(ra_interval, IF1("'ra':{'interval':2}"), "interfaces[0].ra.interval",
    "3 and 1800")
ERR(ra_lifetime, IF1("'ra':{'interval':60,'lifetime':30}"),
    "interfaces[0].ra.lifetime", NULL)
ERR(ra_hop_limit, IF1("'ra':{'hop_limit':256}"),
    "interfaces[0].ra.hop_limit", NULL)
ERR(preferred_over_valid, IF1("'ra':{'prefixes':[{'prefix':'2001:db8::/64',"
    "'valid':100,'preferred':101}]}"),
    "interfaces[0].ra.prefixes[0].preferred", NULL)
ERR(ra_prefix_missing, IF1("'ra':{'prefixes':[{'valid':100}]}"),
    "interfaces[0].ra.prefixes[0]: missing required key \"prefix\"", NULL)
ERR(ra_prefix_plen, IF1("'ra':{'prefixes':['2001:db8::/129']}"),
    "interfaces[0].ra.prefixes[0]: bad prefix", NULL)
ERR(ra_prefix_host_bits, IF1("'ra':{'prefixes':[{'prefix':"
    "'2001:db8::1/64'}]}"), "interfaces[0].ra.prefixes[0].prefix",
    "host bits set")
ERR(ra_prefix_duplicate, IF1("'ra':{'prefixes':['2001:db8::/64',"
    "'2001:db8::/64']}"), "interfaces[0].ra.prefixes[1]", "duplicate")
ERR(ra_prefix_type, IF1("'ra':{'prefixes':[64]}"),
    "interfaces[0].ra.prefixes[0]", NULL)
ERR(capture_direction, IF1("'capture':{'direction':'in'}"),
    "interfaces[0].capture.direction", NULL)
ERR(capture_max_bytes, IF1("'capture':{'max_bytes':1000}"),
    "interfaces[0].capture.max_bytes", "65536")
ERR(capture_rotate, IF1("'capture':{'rotate':101}"),
    "interfaces[0].capture.rotate", NULL)
ERR(pcap_with_netns, IF1("'netns':'n','pcap':{'in':'i','out':'o'}"),
    "interfaces[0].netns", "pcap")
ERR(pcap_partial, "{'interfaces':[{'name':'a','pcap':{'in':'i','out':'o'}},"
    "{'name':'b'}]}", "interfaces[1]", "\"pcap\"")
ERR(pcap_missing_out, IF1("'pcap':{'in':'i'}"),
    "interfaces[0].pcap: missing required key \"out\"", NULL)
ERR(pcap_same_out, "{'interfaces':[{'name':'a','pcap':{'in':'i','out':'o'}},"
    "{'name':'b','pcap':{'in':'j','out':'o'}}]}", "interfaces[1].pcap", NULL)
ERR(api_listen, "{'api':{'listen':'localhost'},'interfaces':[" IFACE_A "]}",
    "api.listen", NULL)
ERR(api_port, "{'api':{'port':0},'interfaces':[" IFACE_A "]}",
    "api.port: must be an integer between 1 and 65535", NULL)
ERR(token_short, "{'api':{'token':'s3cret'},'interfaces':[" IFACE_A "]}",
    "api.token", "16 to 128")
ERR(capture_dir_relative, "{'capture_dir':'caps','interfaces':[" IFACE_A
    "]}", "capture_dir", "absolute")
ERR(log_level, "{'log_level':'trace','interfaces':[" IFACE_A "]}",
    "log_level", NULL)
ERR(limits_neighbors, "{'limits':{'neighbors':8},'interfaces':[" IFACE_A
    "]}", "limits.neighbors", NULL)
ERR(limits_buffers, "{'limits':{'buffers':-1},'interfaces':[" IFACE_A "]}",
    "limits.buffers", NULL)
ERR(routes_type, "{'interfaces':[" IFACE_A "],'routes':{}}",
    "routes: must be an array", NULL)
ERR(route_nowhere, RT("{'prefix':'2001:db8:99::/48'}"), "routes[0]",
    "\"via\"")
ERR(route_unknown_iface, RT("{'prefix':'2001:db8:99::/48','interface':'c'}"),
    "routes[0].interface", "no interface")
ERR(route_host_bits, RT("{'prefix':'2001:db8:99::1/48','interface':'a'}"),
    "routes[0].prefix: host bits set", NULL)
ERR(route_duplicate, RT("{'prefix':'2001:db8:99::/48','interface':'a'},"
    "{'prefix':'2001:db8:99::/48','via':'2001:db8::5'}"),
    "routes[1].prefix: duplicate route", "routes[0]")
ERR(route_linklocal_via, RT("{'prefix':'2001:db8:99::/48','via':'fe80::1'}"),
    "routes[0].via", "link-local")
ERR(route_multicast_via, RT("{'prefix':'2001:db8:99::/48','via':'ff02::1'}"),
    "routes[0].via", "multicast")
ERR(route_bad_via, RT("{'prefix':'2001:db8:99::/48','via':'2001:db8::/64'}"),
    "routes[0].via", NULL)
ERR(route_own_via, RT("{'prefix':'2001:db8:99::/48','via':'2001:db8::1'}"),
    "routes[0].via", "own address")
ERR(route_plen, RT("{'prefix':'2001:db8:99::/129','interface':'a'}"),
    "routes[0].prefix: bad prefix", NULL)
ERR(route_unknown_key, RT("{'prefix':'::/0','interface':'a','metric':1}"),
    "unknown key \"metric\" at routes[0]", NULL)

/* ---------------------------------------------------------------------- */
/* files */

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE	*f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

Test(config, load)
{
	char		 dir[] = "/tmp/test_config.XXXXXX", path[64], err[512];
	char		*j = dq(MINIMAL), *big;
	struct config	*c = config_new();
	size_t		 blen = 1024 * 1024 + 1;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vrouter.json", dir);

	cr_assert_eq(config_load(path, c, err, sizeof(err)), -1);
	cr_assert(strstr(err, path) && strstr(err, strerror(ENOENT)), "%s",
	    err);
	cr_assert_eq(config_load(dir, c, err, sizeof(err)), -1);
	cr_assert(strstr(err, strerror(EISDIR)) != NULL, "%s", err);

	write_file(path, j, strlen(j));
	cr_assert_eq(config_load(path, c, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(c->ifaces[0].name, "a");

	free(j);
	j = strdup("{\n\"interfaces\": [ {\"name\": 1} ]\n}");
	cr_assert_not_null(j);
	write_file(path, j, strlen(j));
	cr_assert_eq(config_load(path, c, err, sizeof(err)), -1);
	cr_assert(strstr(err, path) && strstr(err, "interfaces[0].name"),
	    "%s", err);

	/* whitespace makes a valid document too big */
	free(j);
	j = dq(MINIMAL);
	big = malloc(blen);
	cr_assert_not_null(big);
	memset(big, ' ', blen);
	memcpy(big, j, strlen(j));
	write_file(path, big, blen);
	cr_assert_eq(config_load(path, c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "1 MiB") != NULL, "%s", err);
	write_file(path, big, blen - 1);
	cr_assert_eq(config_load(path, c, err, sizeof(err)), 0, "%s", err);

	unlink(path);
	rmdir(dir);
	free(big);
	free(j);
	config_free(c);
}

/* tests/fixtures/configs, found from this file's path. */
static int
fixture_dir(char *buf, size_t len, const char *sub)
{
	const char	*unit = strstr(__FILE__, "unit/test_config.c");

	if (unit == NULL)
		return -1;
	snprintf(buf, len, "%.*sfixtures/configs/%s", (int)(unit - __FILE__),
	    __FILE__, sub);
	return 0;
}

/* Every fixture under sub parses (valid) or fails with its .err text. */
static void
run_fixtures(const char *sub, bool valid)
{
	struct config	*c = config_new();
	char		 dir[512], path[1024], want[256], err[512];
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	size_t		 n, seen = 0;

	if (fixture_dir(dir, sizeof(dir), sub) == -1 ||
	    (d = opendir(dir)) == NULL) {
		config_free(c);
		cr_skip_test("fixtures not found from %s", __FILE__);
	}
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (valid) {
			cr_expect_eq(config_load(path, c, err, sizeof(err)), 0,
			    "%s", err);
		} else {
			cr_expect_eq(config_load(path, c, err, sizeof(err)),
			    -1, "%s accepted", path);
			snprintf(path + strlen(path) - 5, 5, ".err");
			f = fopen(path, "r");
			cr_assert_not_null(f, "%s: %s", path, strerror(errno));
			cr_assert_not_null(fgets(want, sizeof(want), f));
			fclose(f);
			want[strcspn(want, "\n")] = '\0';
			cr_expect(strstr(err, want) != NULL,
			    "\"%s\" not in \"%s\"", want, err);
		}
		seen++;
	}
	closedir(d);
	config_free(c);
	cr_assert_gt(seen, 0, "no fixtures in %s", dir);
}

Test(config, fixtures_valid)
{
	run_fixtures("valid", true);
}

Test(config, fixtures_invalid)
{
	run_fixtures("invalid", false);
}
