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

#include "log.h"
#include "config.h"

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
	cr_assert(c->keep_taps);
	cr_assert_eq(c->neigh_max, 1024);
	cr_assert_eq(c->neigh_queue, 16);
	cr_assert_eq(c->icmp_rate, 100);
	cr_assert_eq(c->icmp_burst, 50);
	cr_assert_eq(c->pbufs, 1024);
	cr_assert_eq(c->io_backend, CFG_IO_AUTO);
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

	/* Two routers' "t1" on one bridge: the namespace side tells them. */
	c = parse_ok("{'interfaces':[{'name':'t1','netns':'t1','ifname':'ra'}]}");
	d = parse_ok("{'interfaces':[{'name':'t1','netns':'t1','ifname':'rb'}]}");
	cr_assert(memcmp(c->ifaces[0].mac, d->ifaces[0].mac, 6) != 0);
	/* FNV-1a of "t1@t1/ra", as docs/config.md defines it */
	expect_mac(c->ifaces[0].mac, "02:76:72:db:4c:33");
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
			    "'debug','keep_taps':false,'limits':{"
			    "'icmp_errors_per_sec':0},"
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
	cr_assert_not(c->keep_taps);
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

Test(config, io_backend)
{
	struct config	*c;

	c = parse_ok("{'io':{'backend':'readv'},'interfaces':[" IFACE_A "]}");
	cr_assert_eq(c->io_backend, CFG_IO_READV);
	config_free(c);
	c = parse_ok("{'io':{'backend':'uring'},'interfaces':[" IFACE_A "]}");
	cr_assert_eq(c->io_backend, CFG_IO_URING);
	config_free(c);
	c = parse_ok("{'io':{},'interfaces':[" IFACE_A "]}");
	cr_assert_eq(c->io_backend, CFG_IO_AUTO);
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
ERR(keep_taps, "{'keep_taps':1,'interfaces':[" IFACE_A "]}",
    "keep_taps", NULL)
ERR(io_backend, "{'io':{'backend':'epoll'},'interfaces':[" IFACE_A "]}",
    "io.backend: must be \"uring\" or \"readv\"", "epoll")
ERR(io_unknown_key, "{'io':{'backend':'readv','queue':8},'interfaces':["
    IFACE_A "]}", "unknown key \"queue\" at io", NULL)
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

/* ---------------------------------------------------------------------- */
/* anycast groups and the flow table */

#define G_IFACES \
	"'interfaces':[{'name':'c1','addresses':['2001:db8:1::1/64']}," \
	"{'name':'s1','addresses':['2001:db8:11::1/64']}]"
#define GROUPS(x)	"{" G_IFACES ",'groups':[" x "]}"
#define G1(x)		GROUPS("{'address':'2001:db8:ac::1'," x "}")
#define FLOWS(x)	"{" G_IFACES ",'flows':{" x "}}"
#define KEY_HEX \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/*
 * Distinctive enough that any 8 characters of it in a message are a
 * leak.  jansson quotes the token it stopped at when that is at most 20
 * characters long, so a problem early in a string is the case to watch.
 */
#define SECRET_A	"5ec2e75ec2e7a11c"
#define SECRET_B	"e0ddba11c0ffee0ddfacade5ec2e75ec2e7a11ce0ddba11c"
#define SECRET		SECRET_A SECRET_B

/* The anycast example of docs/config.md. */
#define GROUP_EXAMPLE \
"{\n" \
"  'interfaces': [\n" \
"    { 'name': 'c1', 'addresses': ['2001:db8:1::1/64'] },\n" \
"    { 'name': 's1', 'addresses': ['2001:db8:11::1/64'] }\n" \
"  ],\n" \
"  'groups': [\n" \
"    { 'address': '2001:db8:ac::1',\n" \
"      'name': 'www.example.edu',\n" \
"      'policy': 'least-sessions',\n" \
"      'rh_mode': 'exp',\n" \
"      'score': { 'hop': 30, 'load': 60, 'bandwidth': 10 },\n" \
"      'probe': { 'fresh_ms': 2000, 'timeout_ms': 500, 'interval_ms': 1000,\n" \
"                 'rise': 2, 'fall': 2, 'retest_ms': 1000,\n" \
"                 'retest_max_ms': 30000, 'pending_max': 64 },\n" \
"      'keys': [ { 'id': 1, 'key': '" KEY_HEX "' } ],\n" \
"      'max_members': 64, 'report_ms': 1000, 'misses': 3,\n" \
"      'grace_ms': 10000, 'join_rate': 20,\n" \
"      'members': [ { 'address': '2001:db8:11::10', 'interface': 's1',\n" \
"                     'weight': 100, 'hops': 2, 'bandwidth': 100,\n" \
"                     'capacity': 0 },\n" \
"                   { 'address': '2001:db8:11::11', 'hops': 3,\n" \
"                     'bandwidth': 40 } ] }\n" \
"  ],\n" \
"  'flows': { 'max': 65536, 'syn_ms': 10000, 'established_ms': 300000,\n" \
"             'fin_ms': 10000, 'udp_ms': 30000, 'other_ms': 30000 }\n" \
"}\n"

static void
expect_default_probe(const struct cfg_probe *pr)
{
	cr_assert_eq(pr->fresh_ms, 2000);
	cr_assert_eq(pr->timeout_ms, 500);
	cr_assert_eq(pr->interval_ms, 1000);
	cr_assert_eq(pr->rise, 2);
	cr_assert_eq(pr->fall, 2);
	cr_assert_eq(pr->retest_ms, 1000);
	cr_assert_eq(pr->retest_max_ms, 30000);
	cr_assert_eq(pr->pending_max, 64);
}

static void
expect_default_flows(const struct cfg_flows *f)
{
	cr_assert_eq(f->max, 65536);
	cr_assert_eq(f->syn_ms, 10000);
	cr_assert_eq(f->established_ms, 300000);
	cr_assert_eq(f->fin_ms, 10000);
	cr_assert_eq(f->udp_ms, 30000);
	cr_assert_eq(f->other_ms, 30000);
	cr_assert_eq(f->high_water_pct, 90);
	cr_assert_eq(f->low_water_pct, 80);
}

/* No 8 consecutive characters of the secret appear in the message. */
static void
expect_no_leak(const char *err, const char *secret)
{
	char	 win[9];
	size_t	 i, n = strlen(secret);

	for (i = 0; i + 8 <= n; i++) {
		memcpy(win, secret + i, 8);
		win[8] = '\0';
		cr_assert(strstr(err, win) == NULL, "secret echoed: %s", err);
	}
}

TestSuite(config_group);

Test(config_group, example)
{
	struct config		*c = parse_ok(GROUP_EXAMPLE);
	struct cfg_group	*g = &c->groups[0];
	uint8_t			 key[CFG_KEY_LEN];

	for (int i = 0; i < CFG_KEY_LEN; i++)
		key[i] = (uint8_t)i;
	cr_assert_eq(c->ngroups, 1);
	expect_addr(&g->addr, "2001:db8:ac::1");
	cr_assert_str_eq(g->name, "www.example.edu");
	cr_assert_eq(g->policy, POLICY_LEAST_SESSIONS);
	cr_assert_eq(g->rh_mode, RH_MODE_EXP);
	cr_assert_eq(g->ratios.hop, 30);
	cr_assert_eq(g->ratios.load, 60);
	cr_assert_eq(g->ratios.bw, 10);
	expect_default_probe(&g->probe);
	cr_assert_eq(g->nkeys, 1);
	cr_assert_eq(g->keys[0].id, 1);
	cr_assert(memcmp(g->keys[0].key, key, CFG_KEY_LEN) == 0);
	cr_assert_eq(g->max_members, 64);
	cr_assert_eq(g->report_ms, 1000);
	cr_assert_eq(g->misses, 3);
	cr_assert_eq(g->grace_ms, 10000);
	cr_assert_eq(g->join_rate, 20);
	cr_assert_eq(g->nmembers, 2);
	expect_addr(&g->members[0].addr, "2001:db8:11::10");
	cr_assert_str_eq(g->members[0].iface, "s1");
	cr_assert_eq(g->members[0].weight, 100);
	cr_assert_eq(g->members[0].hops, 2);
	cr_assert_eq(g->members[0].bandwidth, 100);
	cr_assert_eq(g->members[0].capacity, 0);
	expect_addr(&g->members[1].addr, "2001:db8:11::11");
	cr_assert_str_eq(g->members[1].iface, "");
	cr_assert_eq(g->members[1].hops, 3);
	cr_assert_eq(g->members[1].bandwidth, 40);
	expect_default_flows(&c->flows);
	config_free(c);
}

Test(config_group, defaults)
{
	struct config		*c = parse_ok(G1("'members':[{'address':"
				    "'2001:db8:11::10'}]"));
	struct config		*m = parse_ok(MINIMAL);
	struct cfg_group	*g = &c->groups[0];

	cr_assert_eq(c->ngroups, 1);
	cr_assert_str_eq(g->name, "");
	cr_assert_eq(g->policy, POLICY_LEAST_SESSIONS);
	cr_assert_eq(g->rh_mode, RH_MODE_EXP);
	cr_assert_eq(g->ratios.hop, 30);
	cr_assert_eq(g->ratios.load, 60);
	cr_assert_eq(g->ratios.bw, 10);
	expect_default_probe(&g->probe);
	cr_assert_eq(g->nkeys, 0);
	cr_assert_eq(g->max_members, 64);
	cr_assert_eq(g->report_ms, 1000);
	cr_assert_eq(g->misses, 3);
	cr_assert_eq(g->grace_ms, 10000);
	cr_assert_eq(g->join_rate, 20);
	cr_assert_eq(g->nmembers, 1);
	cr_assert_str_eq(g->members[0].iface, "");
	cr_assert_eq(g->members[0].weight, 100);
	cr_assert_eq(g->members[0].hops, 1);
	cr_assert_eq(g->members[0].bandwidth, 100);
	cr_assert_eq(g->members[0].capacity, 0);
	expect_default_flows(&c->flows);

	/* no "groups" and no "flows" */
	cr_assert_eq(m->ngroups, 0);
	cr_assert_not_null(m->groups);
	expect_default_flows(&m->flows);
	config_free(c);
	config_free(m);

	/* and a fresh config holds the same before any parse */
	c = config_new();
	cr_assert_eq(c->ngroups, 0);
	expect_default_flows(&c->flows);
	config_free(c);
}

/* Every value away from its default, to see each one parsed. */
Test(config_group, values)
{
	struct config		*c = parse_ok("{" G_IFACES ",'groups':["
	    "{'address':'2001:db8:ac::1','name':'Dns-1.example',"
	    "'policy':'score','rh_mode':'srh',"
	    "'score':{'hop':0,'load':100,'bandwidth':0},"
	    "'probe':{'fresh_ms':3600000,'timeout_ms':10,'interval_ms':0,"
	    "'rise':1,'fall':100,'retest_ms':100,'retest_max_ms':86400000,"
	    "'pending_max':4096},"
	    "'keys':[{'id':65535,'key':'" KEY_HEX "'},{'id':1,'key':"
	    "'FFEEDDCCBBAA99887766554433221100ffeeddccbbaa99887766554433221100'"
	    "}],'max_members':2,'report_ms':60000,'misses':100,'grace_ms':0,"
	    "'join_rate':10000,'members':[{'address':'2001:db8:11::10',"
	    "'interface':'c1','weight':65535,'hops':0,'bandwidth':100000,"
	    "'capacity':10000000},{'address':'fd00::10','weight':1,'hops':255,"
	    "'bandwidth':0}]},"
	    "{'address':'fd00:ac::2','policy':'maglev','rh_mode':'none',"
	    "'probe':{'retest_ms':60000},'max_members':1,'report_ms':100,"
	    "'misses':1,'grace_ms':3600000,'join_rate':1,"
	    "'members':[{'address':'2001:db8:11::10'}]}"
	    "],'flows':{'max':16,'syn_ms':100,'established_ms':86400000,"
	    "'fin_ms':101,'udp_ms':102,'other_ms':103,"
	    "'high_water_percent':100,'low_water_percent':0}}");
	struct cfg_group	*g = &c->groups[0], *h = &c->groups[1];

	cr_assert_eq(c->ngroups, 2);
	cr_assert_str_eq(g->name, "Dns-1.example");
	cr_assert_eq(g->policy, POLICY_SCORE);
	cr_assert_eq(g->rh_mode, RH_MODE_SRH);
	cr_assert_eq(g->ratios.hop, 0);
	cr_assert_eq(g->ratios.load, 100);
	cr_assert_eq(g->ratios.bw, 0);
	cr_assert_eq(g->probe.fresh_ms, 3600000);
	cr_assert_eq(g->probe.timeout_ms, 10);
	cr_assert_eq(g->probe.interval_ms, 0);
	cr_assert_eq(g->probe.rise, 1);
	cr_assert_eq(g->probe.fall, 100);
	cr_assert_eq(g->probe.retest_ms, 100);
	cr_assert_eq(g->probe.retest_max_ms, 86400000);
	cr_assert_eq(g->probe.pending_max, 4096);
	cr_assert_eq(g->nkeys, 2);
	cr_assert_eq(g->keys[0].id, 65535);
	cr_assert_eq(g->keys[1].id, 1);
	cr_assert_eq(g->keys[1].key[0], 0xff);
	cr_assert_eq(g->keys[1].key[1], 0xee);
	cr_assert_eq(g->keys[1].key[31], 0x00);
	cr_assert_eq(g->max_members, 2);
	cr_assert_eq(g->report_ms, 60000);
	cr_assert_eq(g->misses, 100);
	cr_assert_eq(g->grace_ms, 0);
	cr_assert_eq(g->join_rate, 10000);
	cr_assert_eq(g->nmembers, 2);
	cr_assert_str_eq(g->members[0].iface, "c1");
	cr_assert_eq(g->members[0].weight, 65535);
	cr_assert_eq(g->members[0].hops, 0);
	cr_assert_eq(g->members[0].bandwidth, 100000);
	cr_assert_eq(g->members[0].capacity, 10000000);
	expect_addr(&g->members[1].addr, "fd00::10");
	cr_assert_eq(g->members[1].weight, 1);
	cr_assert_eq(g->members[1].hops, 255);
	cr_assert_eq(g->members[1].bandwidth, 0);

	expect_addr(&h->addr, "fd00:ac::2");
	cr_assert_eq(h->policy, POLICY_MAGLEV);
	cr_assert_eq(h->rh_mode, RH_MODE_NONE);
	/* the backoff cap follows a first retest set above its default */
	cr_assert_eq(h->probe.retest_ms, 60000);
	cr_assert_eq(h->probe.retest_max_ms, 60000);
	cr_assert_eq(h->max_members, 1);
	/* one server may serve several groups */
	expect_addr(&h->members[0].addr, "2001:db8:11::10");

	cr_assert_eq(c->flows.max, 16);
	cr_assert_eq(c->flows.syn_ms, 100);
	cr_assert_eq(c->flows.established_ms, 86400000);
	cr_assert_eq(c->flows.fin_ms, 101);
	cr_assert_eq(c->flows.udp_ms, 102);
	cr_assert_eq(c->flows.high_water_pct, 100);
	cr_assert_eq(c->flows.low_water_pct, 0);
	cr_assert_eq(c->flows.other_ms, 103);
	config_free(c);
}

Test(config_group, policies_and_modes)
{
	char		 sq[512];
	struct config	*c;
	enum rh_mode	 mode;
	int		 i;

	for (i = 0; i < POLICY_MAX; i++) {
		snprintf(sq, sizeof(sq), G1("'policy':'%s'"),
		    policy_name((enum policy_kind)i));
		c = parse_ok(sq);
		cr_assert_eq(c->groups[0].policy, (enum policy_kind)i);
		config_free(c);
	}
	for (i = 0; i < RH_MODE_MAX; i++) {
		cr_assert_eq(rh_mode_from_name(rh_mode_name((enum rh_mode)i),
		    &mode), 0);
		cr_assert_eq(mode, (enum rh_mode)i);
		snprintf(sq, sizeof(sq), G1("'rh_mode':'%s'"),
		    rh_mode_name((enum rh_mode)i));
		c = parse_ok(sq);
		cr_assert_eq(c->groups[0].rh_mode, (enum rh_mode)i);
		config_free(c);
	}
	cr_assert_str_eq(rh_mode_name(RH_MODE_EXP), "exp");
	cr_assert_str_eq(rh_mode_name(RH_MODE_RH0), "rh0");
	cr_assert_str_eq(rh_mode_name(RH_MODE_SRH), "srh");
	cr_assert_str_eq(rh_mode_name(RH_MODE_NONE), "none");
	cr_assert_str_eq(rh_mode_name(RH_MODE_MAX), "unknown");
	mode = RH_MODE_SRH;
	cr_assert_eq(rh_mode_from_name("EXP", &mode), -1);
	cr_assert_eq(rh_mode_from_name("", &mode), -1);
	cr_assert_eq(rh_mode_from_name(NULL, &mode), -1);
	cr_assert_eq(mode, RH_MODE_SRH, "left alone on failure");
}

Test(config_group, names)
{
	char		 label[64], name[CFG_NAME_LEN], sq[1024];
	struct config	*c;

	/* a 63-character label, and a 127-character name */
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(sq, sizeof(sq), G1("'name':'%s.edu'"), label);
	c = parse_ok(sq);
	cr_assert_eq(strlen(c->groups[0].name), 67);
	config_free(c);
	snprintf(name, sizeof(name), "%s.%s", label, label);
	name[CFG_NAME_LEN - 1] = '\0';
	cr_assert_eq(strlen(name), 127);
	snprintf(sq, sizeof(sq), G1("'name':'%s'"), name);
	c = parse_ok(sq);
	cr_assert_str_eq(c->groups[0].name, name);
	config_free(c);
	/* one more is too long */
	snprintf(sq, sizeof(sq), G1("'name':'%sb'"), name);
	parse_err(sq, "groups[0].name", "at most 127");
	/* 64 characters in one label */
	snprintf(sq, sizeof(sq), G1("'name':'%sa.edu'"), label);
	parse_err(sq, "groups[0].name", "longer than 63");

	/* single labels, digits, inner hyphens, "any" as a label */
	c = parse_ok(GROUPS("{'address':'2001:db8:ac::1','name':'localhost'},"
	    "{'address':'2001:db8:ac::2','name':'9.x-y.any.edu'},"
	    "{'address':'2001:db8:ac::3','name':'any'},"
	    "{'address':'2001:db8:ac::4','name':''},"
	    "{'address':'2001:db8:ac::5','name':''}"));
	cr_assert_eq(c->ngroups, 5);
	cr_assert_str_eq(c->groups[1].name, "9.x-y.any.edu");
	cr_assert_str_eq(c->groups[4].name, "");
	config_free(c);
}

Test(config_group, limits)
{
	size_t		 size = 256 + CFG_MAX_GROUPS * 64;
	char		*sq = malloc(size);
	struct config	*c;
	size_t		 o;
	int		 n;

	cr_assert_not_null(sq);
	o = (size_t)snprintf(sq, size, "{" G_IFACES ",'groups':[");
	for (n = 0; n < CFG_MAX_GROUPS; n++)
		o += (size_t)snprintf(sq + o, size - o,
		    "%s{'address':'2001:db8:ac::%x'}", n ? "," : "", n + 1);
	snprintf(sq + o, size - o, "]}");
	c = parse_ok(sq);
	cr_assert_eq(c->ngroups, CFG_MAX_GROUPS);
	expect_addr(&c->groups[CFG_MAX_GROUPS - 1].addr, "2001:db8:ac::40");
	config_free(c);
	snprintf(sq + o, size - o, ",{'address':'2001:db8:ad::1'}]}");
	parse_err(sq, "groups: at most 64 groups", NULL);
	free(sq);

	/* CFG_MAX_MEMBERS members, and keys up to CFG_MAX_KEYS */
	size = 512 + CFG_MAX_MEMBERS * 48 + CFG_MAX_KEYS * 96;
	sq = malloc(size);
	cr_assert_not_null(sq);
	o = (size_t)snprintf(sq, size, "{" G_IFACES ",'groups':[{'address':"
	    "'2001:db8:ac::1','keys':[");
	for (n = 0; n < CFG_MAX_KEYS; n++)
		o += (size_t)snprintf(sq + o, size - o,
		    "%s{'id':%d,'key':'%s'}", n ? "," : "", n + 1, KEY_HEX);
	o += (size_t)snprintf(sq + o, size - o, "],'members':[");
	for (n = 0; n < CFG_MAX_MEMBERS; n++)
		o += (size_t)snprintf(sq + o, size - o,
		    "%s{'address':'2001:db8:11::%x'}", n ? "," : "", n + 0x100);
	snprintf(sq + o, size - o, "]}]}");
	c = parse_ok(sq);
	cr_assert_eq(c->groups[0].nkeys, CFG_MAX_KEYS);
	cr_assert_eq(c->groups[0].keys[CFG_MAX_KEYS - 1].id, CFG_MAX_KEYS);
	cr_assert_eq(c->groups[0].nmembers, CFG_MAX_MEMBERS);
	config_free(c);
	snprintf(sq + o, size - o, ",{'address':'2001:db8:11::1ff'}]}]}");
	parse_err(sq, "groups[0].members: 65 members, more than max_members "
	    "(64)", NULL);
	free(sq);
}

/* Groups follow the same all-or-nothing rule as the rest. */
Test(config_group, atomic_and_reusable)
{
	struct config		*c = parse_ok(GROUP_EXAMPLE);
	struct cfg_group	*groups = c->groups;
	char			 err[512];

	cr_assert_eq(parse(c, G1("'members':[{'address':'2001:db8:11::10'},"
	    "{'address':'2001:db8:11::10'}]"), err, sizeof(err)), -1);
	cr_assert_eq(c->ngroups, 1);
	cr_assert_str_eq(c->groups[0].name, "www.example.edu");
	cr_assert_eq(c->groups[0].nmembers, 2);
	cr_assert_eq(c->groups[0].nkeys, 1);

	cr_assert_eq(parse(c, GROUPS("{'address':'2001:db8:ac::7'},"
	    "{'address':'2001:db8:ac::8','policy':'random'}"), err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(c->groups, groups, "the group array stays in place");
	cr_assert_eq(c->ngroups, 2);
	expect_addr(&c->groups[0].addr, "2001:db8:ac::7");
	cr_assert_str_eq(c->groups[0].name, "");
	cr_assert_eq(c->groups[0].nkeys, 0);
	cr_assert_eq(c->groups[0].nmembers, 0);
	cr_assert_eq(c->groups[1].policy, POLICY_RANDOM);

	cr_assert_eq(parse(c, MINIMAL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c->ngroups, 0);
	config_free(c);
}

/* Group keys never appear in a message, however the file is wrong. */
Test(config_group, keys_are_never_echoed)
{
	static const char *const docs[] = {
		/* not hexadecimal, too short, too long */
		G1("'keys':[{'id':1,'key':'" SECRET "g'}]"),
		G1("'keys':[{'id':1,'key':'g" SECRET "'}]"),
		G1("'keys':[{'id':1,'key':'x" SECRET "'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET "0'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET "000000000000'}]"),
		/* a good key, then a problem next to it */
		G1("'keys':[{'id':1,'key':'" SECRET "'},{'id':1,'key':'"
		    SECRET "'}]"),
		G1("'keys':[{'id':0,'key':'" SECRET "'}]"),
		G1("'keys':[{'key':'" SECRET "'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET "','k':1}]"),
		G1("'keys':[{'id':1,'key':'" SECRET "'}],'score':{'hop':1}"),
		G1("'keys':[{'id':1,'key':['" SECRET "']}]"),
		G1("'keys':[{'id':1,'key':'" SECRET "'},1,2,3,4]"),
		/* malformed JSON inside and around the key string */
		G1("'keys':[{'id':1,'key':'" SECRET "\\q'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET_A "\\q" SECRET_B "'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET_A "\x01" SECRET_B "'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET_A "\xff" SECRET_B "'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET_A "\\u0g" SECRET_B "'}]"),
		G1("'keys':[{'id':1,'key' '" SECRET_A "'}]"),
		"{'groups':[{'keys':[{'key':'" SECRET_A,
		G1("'keys':[{'id':1,'key':'" SECRET "\\u12'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET "\x01'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET "\xff'}]"),
		G1("'keys':[{'id':1,'key' '" SECRET "'}]"),
		G1("'keys':[{'id':1,'key':'" SECRET "' 'x'}]"),
		"{'groups':[{'keys':[{'key':'" SECRET,
		/* the API token too */
		"{'api':{'token':'" SECRET "\\q'},'interfaces':[]}",
		"{'api':{'token' '" SECRET "'},'interfaces':[]}",
		"{'api':{'token':'" SECRET_A "\\q'},'interfaces':[]}",
		"{'api':{'token' '" SECRET_A "'},'interfaces':[]}",
		"{'api':{'token':'" SECRET_A "\x01'},'interfaces':[]}",
	};
	struct config	*c = config_new();
	char		 err[512];
	size_t		 i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cr_assert_eq(parse(c, docs[i], err, sizeof(err)), -1,
		    "accepted: %s", docs[i]);
		cr_assert(err[0] != '\0');
		expect_no_leak(err, SECRET);
	}
	config_free(c);
}

/* jansson's "near" survives for tokens that are not strings, and keys. */
Test(config_group, syntax_messages)
{
	struct config	*c = config_new();
	char		 err[512];

	cr_assert_eq(parse(c, "{'interfaces':[}", err, sizeof(err)), -1);
	cr_assert(strstr(err, "near '}'") != NULL, "%s", err);
	cr_assert_eq(parse(c, "{'interfaces':[],'interfaces':[]}", err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "duplicate object key near '\"interfaces\"'") !=
	    NULL, "%s", err);
	cr_assert_eq(parse(c, "{'interfaces':[{'name':'a\\q'}]}", err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "line 1 column") && strstr(err, "invalid escape"),
	    "%s", err);
	config_free(c);
}

/* The API's entry points: one group, one member, a patch. */
Test(config_group, api_objects)
{
	struct config		*c = parse_ok(GROUP_EXAMPLE);
	struct cfg_group	 g, *live = &c->groups[0];
	struct cfg_member	 m;
	char			 err[512];
	json_t			*o;

	o = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "address",
	    "2001:db8:ad::1", "name", "dns", "members", "address",
	    "2001:db8:11::20", "interface", "s1");
	cr_assert_eq(config_parse_group(o, "body", &g, c, err, sizeof(err)),
	    0, "%s", err);
	expect_addr(&g.addr, "2001:db8:ad::1");
	cr_assert_str_eq(g.name, "dns");
	cr_assert_eq(g.policy, POLICY_LEAST_SESSIONS);
	expect_default_probe(&g.probe);
	cr_assert_eq(g.nmembers, 1);
	cr_assert_str_eq(g.members[0].iface, "s1");
	json_decref(o);

	/* checked against the interfaces of the running config */
	o = json_pack("{s:s}", "address", "2001:db8:1::1");
	cr_assert_eq(config_parse_group(o, "body", &g, c, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "body.address") && strstr(err, "own address"),
	    "%s", err);
	json_decref(o);
	o = json_pack("{s:s, s:s}", "address", "2001:db8:ad::1", "color",
	    "red");
	cr_assert_eq(config_parse_group(o, "body", &g, c, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "unknown key \"color\" at body") != NULL, "%s",
	    err);
	json_decref(o);

	o = json_pack("{s:s, s:i}", "address", "2001:db8:11::30", "weight",
	    7);
	cr_assert_eq(config_parse_member(o, "body", &m, live, c, err,
	    sizeof(err)), 0, "%s", err);
	expect_addr(&m.addr, "2001:db8:11::30");
	cr_assert_eq(m.weight, 7);
	cr_assert_eq(m.hops, 1);
	json_decref(o);
	o = json_pack("{s:s}", "address", "2001:db8:ac::1");
	cr_assert_eq(config_parse_member(o, "body", &m, live, c, err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "body.address") &&
	    strstr(err, "group's own address"), "%s", err);
	json_decref(o);
	o = json_pack("{s:s, s:s}", "address", "2001:db8:11::30",
	    "interface", "s9");
	cr_assert_eq(config_parse_member(o, "body", &m, live, c, err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "body.interface: no interface named \"s9\"") !=
	    NULL, "%s", err);
	json_decref(o);

	/* without ref any valid interface name is kept, as for routes */
	o = json_pack("{s:s, s:s}", "address", "2001:db8:11::30",
	    "interface", "s9");
	cr_assert_eq(config_parse_member(o, "body", &m, NULL, NULL, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(m.iface, "s9");
	json_decref(o);

	/* a patch applies whole or not at all */
	o = json_pack("{s:s, s:{s:i, s:i, s:i}}", "policy", "score", "score",
	    "hop", 50, "load", 50, "bandwidth", 0);
	cr_assert_eq(config_patch_group(o, "body", live, err, sizeof(err)),
	    0, "%s", err);
	cr_assert_eq(live->policy, POLICY_SCORE);
	cr_assert_eq(live->ratios.hop, 50);
	cr_assert_eq(live->rh_mode, RH_MODE_EXP);
	json_decref(o);
	o = json_pack("{s:s, s:{s:i}}", "rh_mode", "srh", "probe", "rise", 0);
	cr_assert_eq(config_patch_group(o, "body", live, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "body.probe.rise") != NULL, "%s", err);
	cr_assert_eq(live->rh_mode, RH_MODE_EXP);
	cr_assert_eq(live->probe.rise, 2);
	json_decref(o);
	o = json_pack("{s:[]}", "members");
	cr_assert_eq(config_patch_group(o, "body", live, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "unknown key \"members\" at body") != NULL,
	    "%s", err);
	json_decref(o);
	config_free(c);
}

#define GERR(name, json, n1, n2)					\
	Test(config_group, err_##name) { parse_err(json, n1, n2); }

#define M1(x)	G1("'members':[{'address':'2001:db8:11::10'," x "}]")

GERR(groups_type, "{" G_IFACES ",'groups':{}}", "groups: must be an array",
    NULL)
GERR(group_type, GROUPS("'2001:db8:ac::1'"),
    "groups[0]: must be an object", NULL)
GERR(group_unknown_key, G1("'anycast':true"),
    "unknown key \"anycast\" at groups[0]", NULL)
GERR(address_missing, GROUPS("{'name':'www'}"),
    "groups[0]: missing required key \"address\"", NULL)
GERR(address_type, GROUPS("{'address':1}"),
    "groups[0].address: must be a string", NULL)
GERR(address_bad, GROUPS("{'address':'2001:db8:ac::zz'}"),
    "groups[0].address: \"2001:db8:ac::zz\" is not an IPv6 address", NULL)
GERR(address_prefix, GROUPS("{'address':'2001:db8:ac::1/64'}"),
    "groups[0].address", "not an IPv6 address")
GERR(address_multicast, GROUPS("{'address':'ff0e::1'}"),
    "groups[0].address", "multicast")
GERR(address_linklocal, GROUPS("{'address':'fe80::1'}"),
    "groups[0].address", "link-local")
GERR(address_loopback, GROUPS("{'address':'::1'}"),
    "groups[0].address", "loopback")
GERR(address_unspecified, GROUPS("{'address':'::'}"),
    "groups[0].address", "unspecified")
GERR(duplicate_group, GROUPS("{'address':'2001:db8:ac::1'},"
    "{'address':'2001:db8:ac::2'},{'address':'2001:db8:AC:0::1'}"),
    "groups[2].address: duplicate group 2001:db8:ac::1 (also groups[0])",
    NULL)
GERR(address_is_interface, GROUPS("{'address':'2001:db8:11::1'}"),
    "groups[0].address: 2001:db8:11::1 is the router's own address on "
    "interfaces[1]", NULL)
GERR(address_is_member, GROUPS("{'address':'2001:db8:ac::1','members':"
    "[{'address':'2001:db8:11::10'}]},{'address':'2001:db8:11::10'}"),
    "groups[1].address", "groups[0].members[0]")
GERR(name_type, G1("'name':5"), "groups[0].name: must be a string", NULL)
GERR(name_any, G1("'name':'www.example.edu.any'"),
    "groups[0].name: \"www.example.edu.any\" ends in \".any\"",
    "write \"www.example.edu\"")
GERR(name_any_upper, G1("'name':'www.example.edu.ANY'"),
    "groups[0].name", "\".any\"")
GERR(name_label_hyphen, G1("'name':'www.-example.edu'"),
    "groups[0].name", "starts or ends with \"-\"")
GERR(name_label_trailing_hyphen, G1("'name':'www-.example.edu'"),
    "groups[0].name", "starts or ends with \"-\"")
GERR(name_characters, G1("'name':'www_1.example.edu'"),
    "groups[0].name: \"www_1.example.edu\" has characters", NULL)
GERR(name_space, G1("'name':'www example'"), "groups[0].name", "characters")
GERR(name_empty_label, G1("'name':'www..edu'"), "groups[0].name",
    "empty label")
GERR(name_trailing_dot, G1("'name':'www.example.edu.'"), "groups[0].name",
    "empty label")
GERR(name_duplicate, GROUPS("{'address':'2001:db8:ac::1','name':'Www.Ex'},"
    "{'address':'2001:db8:ac::2','name':'www.ex'}"),
    "groups[1].name: duplicate name \"www.ex\" (also groups[0])", NULL)
GERR(policy_unknown, G1("'policy':'fewest'"),
    "groups[0].policy: must be \"least-sessions\", ", "not \"fewest\"")
GERR(policy_lists_all, G1("'policy':'fewest'"), "groups[0].policy",
    " or \"score\"")
GERR(policy_type, G1("'policy':1"), "groups[0].policy: must be a string",
    NULL)
GERR(rh_mode_unknown, G1("'rh_mode':'rh2'"),
    "groups[0].rh_mode: must be \"exp\", \"rh0\", \"srh\" or \"none\", "
    "not \"rh2\"", NULL)
GERR(score_sum, G1("'score':{'hop':30,'load':60,'bandwidth':20}"),
    "groups[0].score: hop, load and bandwidth must sum to 100, not 110",
    NULL)
GERR(score_partial_sum, G1("'score':{'hop':50}"), "groups[0].score",
    "not 120 (50 + 60 + 10)")
GERR(score_range, G1("'score':{'hop':101,'load':0,'bandwidth':0}"),
    "groups[0].score.hop: must be an integer between 0 and 100", NULL)
GERR(score_negative, G1("'score':{'bandwidth':-10}"),
    "groups[0].score.bandwidth", NULL)
GERR(score_unknown_key, G1("'score':{'bw':10}"),
    "unknown key \"bw\" at groups[0].score", NULL)
GERR(score_type, G1("'score':[30,60,10]"),
    "groups[0].score: must be an object", NULL)
GERR(probe_unknown_key, G1("'probe':{'retries':3}"),
    "unknown key \"retries\" at groups[0].probe", NULL)
GERR(probe_retest_max, G1("'probe':{'retest_ms':2000,'retest_max_ms':1000}"),
    "groups[0].probe.retest_max_ms: 1000 is less than retest_ms (2000)",
    NULL)
GERR(probe_retest_max_high, G1("'probe':{'retest_max_ms':86400001}"),
    "groups[0].probe.retest_max_ms", "86400000")
GERR(probe_retest, G1("'probe':{'retest_ms':99}"),
    "groups[0].probe.retest_ms", "100 and 3600000")
GERR(probe_interval, G1("'probe':{'interval_ms':50}"),
    "groups[0].probe.interval_ms: must be 0 (no background probes)", NULL)
GERR(probe_timeout, G1("'probe':{'timeout_ms':9}"),
    "groups[0].probe.timeout_ms", "10 and 60000")
GERR(probe_fresh, G1("'probe':{'fresh_ms':3600001}"),
    "groups[0].probe.fresh_ms", NULL)
GERR(probe_rise, G1("'probe':{'rise':0}"), "groups[0].probe.rise",
    "1 and 100")
GERR(probe_fall, G1("'probe':{'fall':101}"), "groups[0].probe.fall", NULL)
GERR(probe_pending, G1("'probe':{'pending_max':4097}"),
    "groups[0].probe.pending_max", "1 and 4096")
GERR(keys_type, G1("'keys':{}"), "groups[0].keys: must be an array", NULL)
GERR(key_type, G1("'keys':['" KEY_HEX "']"),
    "groups[0].keys[0]: must be an object", NULL)
GERR(key_bad_hex, G1("'keys':[{'id':1,'key':'" SECRET "'},{'id':2,'key':"
    "'0g0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'}]"),
    "groups[0].keys[1].key: has characters other than 0-9 a-f A-F", NULL)
GERR(key_short, G1("'keys':[{'id':1,'key':'0011'}]"),
    "groups[0].keys[0].key: must be 64 hexadecimal characters (32 bytes), "
    "not 4", NULL)
GERR(key_long, G1("'keys':[{'id':1,'key':'" KEY_HEX "00'}]"),
    "groups[0].keys[0].key", "not 66")
GERR(key_zero, G1("'keys':[{'id':1,'key':'"
    "0000000000000000000000000000000000000000000000000000000000000000'}]"),
    "groups[0].keys[0].key: must not be all zero", NULL)
GERR(key_missing, G1("'keys':[{'id':1}]"),
    "groups[0].keys[0]: missing required key \"key\"", NULL)
GERR(key_id_missing, G1("'keys':[{'key':'" KEY_HEX "'}]"),
    "groups[0].keys[0]: missing required key \"id\"", NULL)
GERR(key_id_zero, G1("'keys':[{'id':0,'key':'" KEY_HEX "'}]"),
    "groups[0].keys[0].id: must be an integer between 1 and 65535", NULL)
GERR(key_id_high, G1("'keys':[{'id':65536,'key':'" KEY_HEX "'}]"),
    "groups[0].keys[0].id", NULL)
GERR(key_id_duplicate, G1("'keys':[{'id':7,'key':'" KEY_HEX "'},{'id':8,"
    "'key':'" KEY_HEX "'},{'id':7,'key':'" SECRET "'}]"),
    "groups[0].keys[2].id: duplicate key id 7 (also groups[0].keys[0])",
    NULL)
GERR(key_unknown_key, G1("'keys':[{'id':1,'key':'" KEY_HEX "','alg':1}]"),
    "unknown key \"alg\" at groups[0].keys[0]", NULL)
GERR(keys_too_many, G1("'keys':[{'id':1,'key':'" KEY_HEX "'},{'id':2,'key':'"
    KEY_HEX "'},{'id':3,'key':'" KEY_HEX "'},{'id':4,'key':'" KEY_HEX "'},"
    "{'id':5,'key':'" KEY_HEX "'}]"), "groups[0].keys: at most 4 keys", NULL)
GERR(max_members_zero, G1("'max_members':0"),
    "groups[0].max_members: must be an integer between 1 and 64", NULL)
GERR(max_members_high, G1("'max_members':65"), "groups[0].max_members",
    NULL)
GERR(report_ms, G1("'report_ms':99"), "groups[0].report_ms",
    "100 and 60000")
GERR(misses, G1("'misses':0"), "groups[0].misses", "1 and 100")
GERR(grace_ms, G1("'grace_ms':3600001"), "groups[0].grace_ms", NULL)
GERR(join_rate, G1("'join_rate':0"), "groups[0].join_rate", "1 and 10000")
GERR(members_type, G1("'members':{}"),
    "groups[0].members: must be an array", NULL)
GERR(member_type, G1("'members':['2001:db8:11::10']"),
    "groups[0].members[0]: must be an object", NULL)
GERR(member_address_missing, G1("'members':[{'weight':1}]"),
    "groups[0].members[0]: missing required key \"address\"", NULL)
GERR(member_address_bad, G1("'members':[{'address':'2001:db8:11::10'},"
    "{'address':'s1'}]"),
    "groups[0].members[1].address: \"s1\" is not an IPv6 address", NULL)
GERR(member_linklocal, G1("'members':[{'address':'fe80::10',"
    "'interface':'s1'}]"), "groups[0].members[0].address", "link-local")
GERR(member_multicast, G1("'members':[{'address':'ff02::1'}]"),
    "groups[0].members[0].address", "multicast")
GERR(member_duplicate, G1("'members':[{'address':'2001:db8:11::10'},"
    "{'address':'2001:db8:11::11'},{'address':'2001:db8:11:0::10'}]"),
    "groups[0].members[2].address: duplicate member 2001:db8:11::10 (also "
    "groups[0].members[0])", NULL)
GERR(member_is_group, G1("'members':[{'address':'2001:db8:ac::1'}]"),
    "groups[0].members[0].address: 2001:db8:ac::1 is the group's own "
    "address", NULL)
GERR(member_is_other_group, GROUPS("{'address':'2001:db8:ac::1'},"
    "{'address':'2001:db8:ac::2','members':[{'address':'2001:db8:ac::1'}]}"),
    "groups[1].members[0].address", "address of groups[0]")
GERR(member_is_router, G1("'members':[{'address':'2001:db8:11::1'}]"),
    "groups[0].members[0].address", "own address on interfaces[1]")
GERR(member_iface_unknown, M1("'interface':'s9'"),
    "groups[0].members[0].interface: no interface named \"s9\"", NULL)
GERR(member_iface_name, M1("'interface':'s/1'"),
    "groups[0].members[0].interface", "characters")
GERR(too_many_members, G1("'max_members':2,'members':[{'address':"
    "'2001:db8:11::10'},{'address':'2001:db8:11::11'},{'address':"
    "'2001:db8:11::12'}]"),
    "groups[0].members: 3 members, more than max_members (2)", NULL)
GERR(member_weight, M1("'weight':0"),
    "groups[0].members[0].weight: must be an integer between 1 and 65535",
    NULL)
GERR(member_hops, M1("'hops':256"), "groups[0].members[0].hops",
    "0 and 255")
GERR(member_bandwidth, M1("'bandwidth':100001"),
    "groups[0].members[0].bandwidth", "0 and 100000")
GERR(member_capacity, M1("'capacity':10000001"),
    "groups[0].members[0].capacity", "0 and 10000000")
GERR(member_unknown_key, M1("'port':80"),
    "unknown key \"port\" at groups[0].members[0]", NULL)
GERR(flows_type, "{" G_IFACES ",'flows':[]}", "flows: must be an object",
    NULL)
GERR(flows_unknown_key, FLOWS("'tcp_ms':1000"),
    "unknown key \"tcp_ms\" at flows", NULL)
GERR(flows_max_low, FLOWS("'max':15"),
    "flows.max: must be an integer between 16 and 16777216", NULL)
GERR(flows_max_high, FLOWS("'max':16777217"), "flows.max", NULL)
GERR(flows_syn, FLOWS("'syn_ms':99"),
    "flows.syn_ms: must be an integer between 100 and 86400000", NULL)
GERR(flows_established, FLOWS("'established_ms':86400001"),
    "flows.established_ms", NULL)
GERR(flows_fin, FLOWS("'fin_ms':0"), "flows.fin_ms", NULL)
GERR(flows_udp, FLOWS("'udp_ms':'30s'"), "flows.udp_ms", NULL)
GERR(flows_other, FLOWS("'other_ms':1.5"), "flows.other_ms", NULL)
GERR(flows_high_water, FLOWS("'high_water_percent':101"),
    "flows.high_water_percent: must be an integer between 0 and 100", NULL)
GERR(flows_low_water, FLOWS("'low_water_percent':100"),
    "flows.low_water_percent", NULL)
GERR(flows_water_order, FLOWS("'high_water_percent':50,"
    "'low_water_percent':50"),
    "flows.low_water_percent: 50 is not below high_water_percent 50", NULL)
Test(config, flood_mode_off)
{
	struct config	*c = parse_ok(FLOWS("'high_water_percent':0,"
	    "'low_water_percent':95"));

	cr_assert_eq(c->flows.high_water_pct, 0, "0 turns flood mode off");
	config_free(c);
}

Test(config, ripng_defaults_and_scaled_timers)
{
	struct config	*conf = parse_ok(MINIMAL);

	cr_assert(!conf->ripng.enabled);
	cr_assert(!conf->ifaces[0].ripng.enabled);
	config_free(conf);

	conf = parse_ok("{'interfaces':[{'name':'a','addresses':"
	    "['2001:db8::1/64'],'ripng':{'cost':3}}],"
	    "'ripng':{'update_interval':1,'tag':7,"
	    "'export':{'static':false}}}");
	cr_assert(conf->ripng.enabled);
	cr_assert_eq(conf->ripng.update_s, 1);
	cr_assert_eq(conf->ripng.timeout_s, 6, "timeout 6 x update");
	cr_assert_eq(conf->ripng.garbage_s, 4, "garbage 4 x update");
	cr_assert_eq(conf->ripng.tag, 7);
	cr_assert(conf->ripng.export_connected);
	cr_assert(!conf->ripng.export_static);
	cr_assert(conf->ripng.export_anycast);
	cr_assert(conf->ifaces[0].ripng.enabled);
	cr_assert_eq(conf->ifaces[0].ripng.cost, 3);
	config_free(conf);

	conf = parse_ok("{'interfaces':[" IFACE_A "],'ripng':{}}");
	cr_assert_eq(conf->ripng.update_s, 30);
	cr_assert_eq(conf->ripng.timeout_s, 180);
	cr_assert_eq(conf->ripng.garbage_s, 120);
	config_free(conf);
}

Test(config, ripng_errors)
{
	parse_err("{'interfaces':[" IFACE_A "],'ripng':{'update_interval':0}}",
	    "ripng.update_interval", "between 1 and 3600");
	parse_err("{'interfaces':[" IFACE_A "],'ripng':{'update_interval':5,"
	    "'timeout':5}}", "ripng.timeout", "longer than update_interval");
	parse_err("{'interfaces':[" IFACE_A "],'ripng':{'tag':65536}}",
	    "ripng.tag", NULL);
	parse_err("{'interfaces':[" IFACE_A "],'ripng':{'export':{'bgp':1}}}",
	    "ripng.export", "bgp");
	parse_err("{'interfaces':[{'name':'a','ripng':{'cost':16}}]}",
	    "interfaces[0].ripng.cost", "between 1 and 15");
	parse_err("{'interfaces':[{'name':'a','ripng':{'cost':1,'hello':1}}]}",
	    "interfaces[0].ripng", "hello");
}

Test(config, emulation)
{
	struct config	*c = parse_ok("{'interfaces':[{'name':'a',"
	    "'emulation':{'out':{'delay_ms':20,'jitter_ms':0.5,"
	    "'loss_percent':10,'rate_mbit':50,'limit':100},'in':{}}}]}");
	const struct linkem_conf *o = &c->ifaces[0].emulation[LINKEM_OUT];

	cr_assert_eq(o->delay_us, 20000);
	cr_assert_eq(o->jitter_us, 500);
	cr_assert_eq(o->loss_ppm, 100000);
	cr_assert_eq(o->rate_bps, 50000000);
	cr_assert_eq(o->limit, 100);
	cr_assert(!linkem_active(&c->ifaces[0].emulation[LINKEM_IN]));
	config_free(c);

	parse_err("{'interfaces':[{'name':'a','emulation':{'out':"
	    "{'loss_percent':101}}}]}", "interfaces[0].emulation.out."
	    "loss_percent", "between 0 and 100");
	parse_err("{'interfaces':[{'name':'a','emulation':{'out':"
	    "{'delay_ms':'20'}}}]}", "emulation.out.delay_ms", "a number");
	parse_err("{'interfaces':[{'name':'a','emulation':{'up':{}}}]}",
	    "interfaces[0].emulation", "up");
	parse_err("{'interfaces':[{'name':'a','emulation':{'in':"
	    "{'limit':0}}}]}", "emulation.in.limit", "between 1 and 4096");
}

/* Paper 2's two ratio profiles, and a static member's configured load. */
Test(config_group, profiles)
{
	struct config		*c = parse_ok(G1("'policy':'score',"
	    "'profiles':{'congested':{'hop':10,'load':20,'bandwidth':70},"
	    "'congested_above':90,'normal_below':40,'hold_ms':250},"
	    "'members':[{'address':'2001:db8:11::10','load':35}]"));
	struct cfg_group	*g = &c->groups[0];

	cr_assert(g->profiles.enabled);
	/* Left out: the defaults; the normal profile is the score's. */
	cr_assert_eq(g->profiles.ratios[PROFILE_NORMAL].load, 60);
	cr_assert_eq(g->ratios.load, 60);
	cr_assert_eq(g->profiles.ratios[PROFILE_CONGESTED].bw, 70);
	cr_assert_eq(g->profiles.congested_above, 90);
	cr_assert_eq(g->profiles.normal_below, 40);
	cr_assert_eq(g->profiles.hold_ms, 250);
	cr_assert_eq(g->members[0].load, 35);
	config_free(c);
	/* Without "profiles": one profile, never switched. */
	c = parse_ok(G1("'policy':'score'"));
	cr_assert(!c->groups[0].profiles.enabled);
	cr_assert_eq(c->groups[0].profiles.ratios[PROFILE_CONGESTED].bw, 50);
	config_free(c);
}

GERR(profiles_and_score, G1("'score':{'hop':30,'load':60,'bandwidth':10},"
    "'profiles':{}"), "groups[0]: \"score\" and \"profiles\" exclude",
    NULL)
GERR(profiles_unknown_key, G1("'profiles':{'busy':{}}"),
    "unknown key \"busy\" at groups[0].profiles", NULL)
GERR(profiles_sum, G1("'profiles':{'congested':{'bandwidth':60}}"),
    "groups[0].profiles.congested: hop, load and bandwidth must sum to "
    "100", NULL)
GERR(profiles_thresholds, G1("'profiles':{'congested_above':50,"
    "'normal_below':50}"),
    "groups[0].profiles: normal_below must be below congested_above",
    NULL)
GERR(profiles_above_range, G1("'profiles':{'congested_above':101}"),
    "groups[0].profiles.congested_above: must be an integer between 1 "
    "and 100", NULL)
GERR(profiles_hold, G1("'profiles':{'hold_ms':3600001}"),
    "groups[0].profiles.hold_ms", NULL)
GERR(member_load_range, M1("'load':101"),
    "groups[0].members[0].load: must be an integer between 0 and 100",
    NULL)
