/*
 * The anycast part of the configuration: "groups" (anycast address,
 * ".any" name, policy, routing-header mode, probing, membership keys and
 * static members) and "flows" (the flow table's size and idle timeouts).
 * Groups are parsed after the interfaces, which they are checked against.
 * Key material is never quoted in a message.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "config_json.h"
#include "dns.h"

#define DEFAULT_GROUP_MEMBERS	64
#define DEFAULT_REPORT_MS	1000
#define MIN_REPORT_MS		100
#define MAX_REPORT_MS		60000
#define DEFAULT_MISSES		3
#define MAX_MISSES		100
#define DEFAULT_GRACE_MS	10000
#define MAX_GRACE_MS		3600000
#define DEFAULT_JOIN_RATE	20
#define MAX_JOIN_RATE		10000

#define DEFAULT_PROBE_FRESH_MS	2000
#define MAX_PROBE_FRESH_MS	3600000
#define DEFAULT_PROBE_TIMEOUT_MS 500
#define MIN_PROBE_TIMEOUT_MS	10
#define MAX_PROBE_TIMEOUT_MS	60000
#define DEFAULT_PROBE_INTERVAL_MS 1000
#define MIN_PROBE_INTERVAL_MS	100
#define MAX_PROBE_INTERVAL_MS	3600000
#define DEFAULT_PROBE_RISE	2
#define DEFAULT_PROBE_FALL	2
#define MAX_PROBE_COUNT		100
#define DEFAULT_RETEST_MS	1000
#define MIN_RETEST_MS		100
#define MAX_RETEST_MS		3600000
#define DEFAULT_RETEST_MAX_MS	30000
#define MAX_RETEST_MAX_MS	86400000
#define DEFAULT_PENDING_MAX	64
#define MAX_PENDING_MAX		4096

#define DEFAULT_MEMBER_HOPS	1
#define MAX_MEMBER_HOPS		255
#define DEFAULT_MEMBER_BW	100		/* Mbit/s */
#define MAX_MEMBER_BW		100000
#define MAX_MEMBER_CAPACITY	10000000

#define DEFAULT_FLOWS_MAX	65536
#define MIN_FLOWS_MAX		16
#define MAX_FLOWS_MAX		16777216
#define DEFAULT_FLOW_SYN_MS	10000
#define DEFAULT_FLOW_EST_MS	300000
#define DEFAULT_FLOW_FIN_MS	10000
#define DEFAULT_FLOW_UDP_MS	30000
#define DEFAULT_FLOW_OTHER_MS	30000
#define DEFAULT_FLOW_RECOVER_MS	200
#define MAX_FLOW_RECOVER_MS	5000
#define MIN_FLOW_TIMEOUT_MS	100
#define MAX_FLOW_TIMEOUT_MS	86400000
#define DEFAULT_FLOW_HIGH_PCT	90
#define DEFAULT_FLOW_LOW_PCT	80

#define DNS_LABEL_MAX		63

static void	 group_defaults(struct cfg_group *);
static int	 parse_group(struct cfgp *, json_t *, const char *, int);
static int	 parse_address(struct cfgp *, json_t *, const char *,
		    struct in6_addr *);
static int	 check_group_addr(struct cfgp *, const char *, int);
static int	 parse_dns_name(struct cfgp *, json_t *, const char *, int);
static int	 parse_kinds(struct cfgp *, json_t *, const char *,
		    struct cfg_group *);
static int	 parse_score(struct cfgp *, json_t *, const char *,
		    struct score_ratios *);
static int	 group_profiles(struct cfgp *, json_t *, const char *,
		    struct cfg_group *);
static int	 parse_probe(struct cfgp *, json_t *, const char *,
		    struct cfg_probe *);
static int	 parse_key(struct cfgp *, json_t *, const char *,
		    struct cfg_key *);
static int	 parse_members(struct cfgp *, json_t *, const char *, int);
static int	 parse_member(struct cfgp *, json_t *, const char *, int,
		    struct cfg_member *);
static int	 own_address(const struct config *, const struct in6_addr *);
static int	 hexval(char);

/* ---------------------------------------------------------------------- */
/* groups */

static void
group_defaults(struct cfg_group *g)
{
	memset(g, 0, sizeof(*g));
	g->policy = POLICY_LEAST_SESSIONS;
	g->rh_mode = RH_MODE_EXP;
	g->ratios.hop = SCORE_RATIO_HOP_DEFAULT;
	g->ratios.load = SCORE_RATIO_LOAD_DEFAULT;
	g->ratios.bw = SCORE_RATIO_BW_DEFAULT;
	profile_defaults(&g->profiles);
	g->probe.fresh_ms = DEFAULT_PROBE_FRESH_MS;
	g->probe.timeout_ms = DEFAULT_PROBE_TIMEOUT_MS;
	g->probe.interval_ms = DEFAULT_PROBE_INTERVAL_MS;
	g->probe.rise = DEFAULT_PROBE_RISE;
	g->probe.fall = DEFAULT_PROBE_FALL;
	g->probe.retest_ms = DEFAULT_RETEST_MS;
	g->probe.retest_max_ms = DEFAULT_RETEST_MAX_MS;
	g->probe.pending_max = DEFAULT_PENDING_MAX;
	g->max_members = DEFAULT_GROUP_MEMBERS;
	g->report_ms = DEFAULT_REPORT_MS;
	g->misses = DEFAULT_MISSES;
	g->grace_ms = DEFAULT_GRACE_MS;
	g->join_rate = DEFAULT_JOIN_RATE;
	g->udp_pin = true;
}

int
cfg_parse_groups(struct cfgp *p, json_t *arr)
{
	char	 path[CFG_PATH_LEN];
	json_t	*v;
	size_t	 i;

	if (json_array_size(arr) > CFG_MAX_GROUPS)
		return cfg_err(p, "groups: at most %d groups", CFG_MAX_GROUPS);
	json_array_foreach(arr, i, v) {
		cfg_index(path, "groups", i);
		if (parse_group(p, v, path, (int)i) == -1)
			return -1;
		p->conf->ngroups++;
	}
	return 0;
}

static int
parse_group(struct cfgp *p, json_t *obj, const char *path, int idx)
{
	static const char *const keys[] = { "address", "name", "policy",
	    "rh_mode", "score", "profiles", "probe", "keys", "max_members",
	    "report_ms", "misses", "grace_ms", "join_rate", "udp_pin",
	    "members", "ebb", NULL };
	struct cfg_group	*g = &p->conf->groups[idx];
	char			 kp[CFG_PATH_LEN];
	json_t			*v;
	int			 rc;

	group_defaults(g);
	if (cfg_object(p, obj, path) == -1 ||
	    cfg_keys(p, obj, path, keys) == -1 ||
	    parse_address(p, obj, path, &g->addr) == -1 ||
	    check_group_addr(p, path, idx) == -1 ||
	    parse_dns_name(p, obj, path, idx) == -1 ||
	    parse_kinds(p, obj, path, g) == -1)
		return -1;

	if ((v = cfg_member(p, obj, path, "score", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = parse_score(p, v, cfg_path(kp, path, "score"), &g->ratios);
	if (rc == -1 || group_profiles(p, obj, path, g) == -1)
		return -1;
	if ((v = cfg_member(p, obj, path, "probe", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = parse_probe(p, v, cfg_path(kp, path, "probe"), &g->probe);
	if (rc == -1)
		return -1;

	if (cfg_parse_keys(p, obj, path, g->keys, &g->nkeys) == -1 ||
	    cfg_bool(p, obj, path, "ebb", &g->ebb) == -1 ||
	    cfg_u32(p, obj, path, "max_members", 1, CFG_MAX_MEMBERS,
	    &g->max_members) == -1 ||
	    cfg_u32(p, obj, path, "report_ms", MIN_REPORT_MS, MAX_REPORT_MS,
	    &g->report_ms) == -1 ||
	    cfg_u32(p, obj, path, "misses", 1, MAX_MISSES, &g->misses) == -1 ||
	    cfg_u32(p, obj, path, "grace_ms", 0, MAX_GRACE_MS,
	    &g->grace_ms) == -1 ||
	    cfg_u32(p, obj, path, "join_rate", 1, MAX_JOIN_RATE,
	    &g->join_rate) == -1 ||
	    cfg_bool(p, obj, path, "udp_pin", &g->udp_pin) == -1)
		return -1;
	return parse_members(p, obj, path, idx);
}

/* The required "address" of obj: a global unicast address. */
static int
parse_address(struct cfgp *p, json_t *obj, const char *path,
    struct in6_addr *a)
{
	const char	*s, *why;
	char		 kp[CFG_PATH_LEN], q[CFG_QUOTE_LEN];
	json_t		*v;
	int		 rc;

	if ((v = cfg_member(p, obj, path, "address", JSON_STRING, true,
	    &rc)) == NULL)
		return -1;
	s = json_string_value(v);
	cfg_path(kp, path, "address");
	cfg_quote(q, sizeof(q), s);
	if (inet_pton(AF_INET6, s, a) != 1)
		return cfg_err(p, "%s: %s is not an IPv6 address", kp, q);
	if ((why = cfg_unicast_problem(a)) == NULL &&
	    IN6_IS_ADDR_LINKLOCAL(a))
		why = "is link-local";
	if (why != NULL)
		return cfg_err(p, "%s: %s %s (a global unicast address is "
		    "needed)", kp, q, why);
	return 0;
}

/* Not the router's, nor another group's address or member. */
static int
check_group_addr(struct cfgp *p, const char *path, int idx)
{
	struct config		*c = p->conf;
	const struct in6_addr	*a = &c->groups[idx].addr;
	char			 buf[INET6_ADDRSTRLEN];
	int			 i, j;

	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	if ((i = own_address(c, a)) != -1)
		return cfg_err(p, "%s.address: %s is the router's own address "
		    "on interfaces[%d]", path, buf, i);
	for (i = 0; i < idx; i++) {
		if (memcmp(&c->groups[i].addr, a, sizeof(*a)) == 0)
			return cfg_err(p, "%s.address: duplicate group %s "
			    "(also groups[%d])", path, buf, i);
		for (j = 0; j < c->groups[i].nmembers; j++)
			if (memcmp(&c->groups[i].members[j].addr, a,
			    sizeof(*a)) == 0)
				return cfg_err(p, "%s.address: %s is the "
				    "address of groups[%d].members[%d]", path,
				    buf, i, j);
	}
	return 0;
}

/*
 * The group's name under ".any": a DNS name of letters, digits and
 * hyphens, written without the ".any" that vrouter adds.
 */
static int
parse_dns_name(struct cfgp *p, json_t *obj, const char *path, int idx)
{
	struct config	*c = p->conf;
	const char	*s = NULL, *l, *dot;
	char		 kp[CFG_PATH_LEN], q[CFG_QUOTE_LEN], q2[CFG_QUOTE_LEN];
	char		 bare[CFG_NAME_LEN + 4];
	size_t		 len, n;
	int		 i;

	if (cfg_str(p, obj, path, "name", &s) == -1)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	cfg_path(kp, path, "name");
	cfg_quote(q, sizeof(q), s);
	len = strlen(s);
	if (len > 4 && strcasecmp(s + len - 4, ".any") == 0) {
		snprintf(bare, sizeof(bare), "%.*s", (int)(len - 4), s);
		return cfg_err(p, "%s: %s ends in \".any\", which vrouter adds "
		    "itself; write %s", kp, q, cfg_quote(q2, sizeof(q2), bare));
	}
	if (len >= CFG_NAME_LEN)
		return cfg_err(p, "%s: %s is too long (at most %d characters)",
		    kp, q, CFG_NAME_LEN - 1);
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-.") != len)
		return cfg_err(p, "%s: %s has characters other than A-Z a-z "
		    "0-9 - and the dots between labels", kp, q);
	for (l = s; ; l = dot + 1) {
		dot = strchr(l, '.');
		n = dot != NULL ? (size_t)(dot - l) : strlen(l);
		if (n == 0)
			return cfg_err(p, "%s: %s has an empty label (no "
			    "leading, trailing or double dots)", kp, q);
		if (n > DNS_LABEL_MAX)
			return cfg_err(p, "%s: %s has a label longer than %d "
			    "characters", kp, q, DNS_LABEL_MAX);
		if (l[0] == '-' || l[n - 1] == '-')
			return cfg_err(p, "%s: %s has a label that starts or "
			    "ends with \"-\"", kp, q);
		if (dot == NULL)
			break;
	}
	if (strcasecmp(s, DNS_NS_LABEL) == 0)
		return cfg_err(p, "%s: %s is the router's own name (%s.%s.)",
		    kp, q, DNS_NS_LABEL, DNS_ZONE);
	for (i = 0; i < idx; i++)
		if (strcasecmp(c->groups[i].name, s) == 0)
			return cfg_err(p, "%s: duplicate name %s (also "
			    "groups[%d])", kp, q, i);
	memcpy(c->groups[idx].name, s, len + 1);
	return 0;
}

/* "policy" and "rh_mode", each one of a fixed list of names. */
static int
parse_kinds(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_group *g)
{
	const char	*pol = NULL, *mode = NULL;
	char		 kp[CFG_PATH_LEN], q[CFG_QUOTE_LEN], names[256];
	size_t		 o = 0;
	int		 i;

	if (cfg_str(p, obj, path, "policy", &pol) == -1 ||
	    cfg_str(p, obj, path, "rh_mode", &mode) == -1)
		return -1;
	if (pol != NULL && policy_from_name(pol, &g->policy) == -1) {
		names[0] = '\0';
		for (i = 0; i < POLICY_MAX && o < sizeof(names); i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o,
			    "%s\"%s\"", i == 0 ? "" : i == POLICY_MAX - 1 ?
			    " or " : ", ", policy_name((enum policy_kind)i));
		return cfg_err(p, "%s: must be %s, not %s",
		    cfg_path(kp, path, "policy"), names,
		    cfg_quote(q, sizeof(q), pol));
	}
	if (mode != NULL && rh_mode_from_name(mode, &g->rh_mode) == -1)
		return cfg_err(p, "%s: must be \"exp\", \"rh0\", \"srh\" or "
		    "\"none\", not %s", cfg_path(kp, path, "rh_mode"),
		    cfg_quote(q, sizeof(q), mode));
	return 0;
}

/* Paper 2's ratios [hop : load : bandwidth], in percent. */
static int
parse_score(struct cfgp *p, json_t *obj, const char *path,
    struct score_ratios *r)
{
	static const char *const keys[] = { "hop", "load", "bandwidth",
	    NULL };

	if (cfg_keys(p, obj, path, keys) == -1 ||
	    cfg_u32(p, obj, path, "hop", 0, 100, &r->hop) == -1 ||
	    cfg_u32(p, obj, path, "load", 0, 100, &r->load) == -1 ||
	    cfg_u32(p, obj, path, "bandwidth", 0, 100, &r->bw) == -1)
		return -1;
	if (!policy_ratios_valid(r))
		return cfg_err(p, "%s: hop, load and bandwidth must sum to "
		    "100, not %u (%u + %u + %u)", path,
		    r->hop + r->load + r->bw, r->hop, r->load, r->bw);
	return 0;
}

/*
 * "profiles": {"normal": {...}, "congested": {...}, "congested_above",
 * "normal_below", "hold_ms"}; keys left out keep their values.
 */
static int
parse_profiles(struct cfgp *p, json_t *obj, const char *path,
    struct score_profiles *pr)
{
	static const char *const keys[] = { "normal", "congested",
	    "congested_above", "normal_below", "hold_ms", NULL };
	char		 kp[CFG_PATH_LEN];
	const char	*why;
	json_t		*v;
	int		 rc, i;

	if (cfg_keys(p, obj, path, keys) == -1)
		return -1;
	for (i = 0; i < PROFILE_MAX; i++) {
		if ((v = cfg_member(p, obj, path, profile_name(i), JSON_OBJECT,
		    false, &rc)) != NULL)
			rc = parse_score(p, v, cfg_path(kp, path,
			    profile_name(i)), &pr->ratios[i]);
		if (rc == -1)
			return -1;
	}
	if (cfg_u32(p, obj, path, "congested_above", 1, 100,
	    &pr->congested_above) == -1 ||
	    cfg_u32(p, obj, path, "normal_below", 0, 99,
	    &pr->normal_below) == -1 ||
	    cfg_u32(p, obj, path, "hold_ms", 0, PROFILE_HOLD_MS_MAX,
	    &pr->hold_ms) == -1)
		return -1;
	if ((why = profile_check(pr)) != NULL)
		return cfg_err(p, "%s: %s", path, why);
	pr->enabled = true;
	return 0;
}

/* "profiles" of a group, which replace its "score". */
static int
group_profiles(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_group *g)
{
	char	 kp[CFG_PATH_LEN];
	json_t	*v;
	int	 rc;

	if ((v = cfg_member(p, obj, path, "profiles", JSON_OBJECT, false,
	    &rc)) == NULL)
		return rc;
	if (json_object_get(obj, "score") != NULL)
		return cfg_err(p, "%s: \"score\" and \"profiles\" exclude "
		    "each other (profiles.normal is the score's ratios)",
		    path);
	if (parse_profiles(p, v, cfg_path(kp, path, "profiles"),
	    &g->profiles) == -1)
		return -1;
	g->ratios = g->profiles.ratios[PROFILE_NORMAL];
	return 0;
}

static int
parse_probe(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_probe *pr)
{
	static const char *const keys[] = { "fresh_ms", "timeout_ms",
	    "interval_ms", "rise", "fall", "retest_ms", "retest_max_ms",
	    "pending_max", NULL };
	char	 kp[CFG_PATH_LEN];

	if (cfg_keys(p, obj, path, keys) == -1 ||
	    cfg_u32(p, obj, path, "fresh_ms", 0, MAX_PROBE_FRESH_MS,
	    &pr->fresh_ms) == -1 ||
	    cfg_u32(p, obj, path, "timeout_ms", MIN_PROBE_TIMEOUT_MS,
	    MAX_PROBE_TIMEOUT_MS, &pr->timeout_ms) == -1 ||
	    cfg_u32(p, obj, path, "interval_ms", 0, MAX_PROBE_INTERVAL_MS,
	    &pr->interval_ms) == -1 ||
	    cfg_u32(p, obj, path, "rise", 1, MAX_PROBE_COUNT,
	    &pr->rise) == -1 ||
	    cfg_u32(p, obj, path, "fall", 1, MAX_PROBE_COUNT,
	    &pr->fall) == -1 ||
	    cfg_u32(p, obj, path, "retest_ms", MIN_RETEST_MS, MAX_RETEST_MS,
	    &pr->retest_ms) == -1)
		return -1;
	if (pr->interval_ms != 0 && pr->interval_ms < MIN_PROBE_INTERVAL_MS)
		return cfg_err(p, "%s: must be 0 (no background probes) or "
		    "an integer between %d and %d",
		    cfg_path(kp, path, "interval_ms"), MIN_PROBE_INTERVAL_MS,
		    MAX_PROBE_INTERVAL_MS);
	/* the backoff cap follows a first retest set above it */
	if (json_object_get(obj, "retest_max_ms") == NULL) {
		if (pr->retest_max_ms < pr->retest_ms)
			pr->retest_max_ms = pr->retest_ms;
	} else if (cfg_u32(p, obj, path, "retest_max_ms", MIN_RETEST_MS,
	    MAX_RETEST_MAX_MS, &pr->retest_max_ms) == -1)
		return -1;
	if (pr->retest_max_ms < pr->retest_ms)
		return cfg_err(p, "%s: %u is less than retest_ms (%u)",
		    cfg_path(kp, path, "retest_max_ms"), pr->retest_max_ms,
		    pr->retest_ms);
	if (cfg_u32(p, obj, path, "pending_max", 1, MAX_PENDING_MAX,
	    &pr->pending_max) == -1)
		return -1;
	return 0;
}

/* "keys" of obj: membership keys of a group, or the E-BB's region keys. */
int
cfg_parse_keys(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_key *keys, int *nkeys)
{
	char	 kp[CFG_PATH_LEN], ip[CFG_PATH_LEN];
	json_t	*arr, *v;
	size_t	 n;
	int	 rc, i;

	if ((arr = cfg_member(p, obj, path, "keys", JSON_ARRAY, false,
	    &rc)) == NULL)
		return rc;
	cfg_path(kp, path, "keys");
	if (json_array_size(arr) > CFG_MAX_KEYS)
		return cfg_err(p, "%s: at most %d keys", kp, CFG_MAX_KEYS);
	json_array_foreach(arr, n, v) {
		cfg_index(ip, kp, n);
		if (parse_key(p, v, ip, &keys[n]) == -1)
			return -1;
		for (i = 0; i < *nkeys; i++)
			if (keys[i].id == keys[n].id)
				return cfg_err(p, "%s.id: duplicate key id %u "
				    "(also %s[%d])", ip, keys[n].id, kp, i);
		(*nkeys)++;
	}
	return 0;
}

/* One key: an id and 32 bytes in hex.  The key is never quoted. */
static int
parse_key(struct cfgp *p, json_t *obj, const char *path, struct cfg_key *k)
{
	static const char *const keys[] = { "id", "key", NULL };
	static const uint8_t	 zero[CFG_KEY_LEN];
	const char		*s;
	char			 kp[CFG_PATH_LEN];
	uint32_t		 id = 0;
	json_t			*v;
	size_t			 i, len;
	int			 rc;

	memset(k, 0, sizeof(*k));
	if (cfg_object(p, obj, path) == -1 ||
	    cfg_keys(p, obj, path, keys) == -1 ||
	    cfg_member(p, obj, path, "id", -1, true, &rc) == NULL ||
	    cfg_u32(p, obj, path, "id", 1, UINT16_MAX, &id) == -1 ||
	    (v = cfg_member(p, obj, path, "key", JSON_STRING, true,
	    &rc)) == NULL)
		return -1;
	k->id = (uint16_t)id;
	s = json_string_value(v);
	len = json_string_length(v);
	cfg_path(kp, path, "key");
	if (len != 2 * CFG_KEY_LEN)
		return cfg_err(p, "%s: must be %d hexadecimal characters (%d "
		    "bytes), not %zu characters", kp, 2 * CFG_KEY_LEN,
		    CFG_KEY_LEN, len);
	for (i = 0; i < CFG_KEY_LEN; i++) {
		if (hexval(s[2 * i]) == -1 || hexval(s[2 * i + 1]) == -1)
			return cfg_err(p, "%s: has characters other than 0-9 "
			    "a-f A-F", kp);
		k->key[i] = (uint8_t)(hexval(s[2 * i]) << 4 |
		    hexval(s[2 * i + 1]));
	}
	if (memcmp(k->key, zero, sizeof(zero)) == 0)
		return cfg_err(p, "%s: must not be all zero", kp);
	return 0;
}

static int
parse_members(struct cfgp *p, json_t *obj, const char *path, int idx)
{
	struct cfg_group	*g = &p->conf->groups[idx];
	struct cfg_member	*m;
	char			 kp[CFG_PATH_LEN], mp[CFG_PATH_LEN];
	char			 buf[INET6_ADDRSTRLEN];
	json_t			*arr, *v;
	size_t			 n;
	int			 rc, i;

	if ((arr = cfg_member(p, obj, path, "members", JSON_ARRAY, false,
	    &rc)) == NULL)
		return rc;
	cfg_path(kp, path, "members");
	if (json_array_size(arr) > g->max_members)
		return cfg_err(p, "%s: %zu members, more than max_members (%u)",
		    kp, json_array_size(arr), g->max_members);
	json_array_foreach(arr, n, v) {
		cfg_index(mp, kp, n);
		m = &g->members[n];
		if (parse_member(p, v, mp, idx, m) == -1)
			return -1;
		for (i = 0; i < g->nmembers; i++)
			if (memcmp(&g->members[i].addr, &m->addr,
			    sizeof(m->addr)) == 0)
				return cfg_err(p, "%s.address: duplicate "
				    "member %s (also %s[%d])", mp,
				    inet_ntop(AF_INET6, &m->addr, buf,
				    sizeof(buf)), kp, i);
		g->nmembers++;
	}
	return 0;
}

static int
parse_member(struct cfgp *p, json_t *obj, const char *path, int idx,
    struct cfg_member *m)
{
	static const char *const keys[] = { "address", "interface", "weight",
	    "hops", "bandwidth", "capacity", "load", NULL };
	struct config		*c = p->conf;
	const char		*ifname = NULL;
	char			 kp[CFG_PATH_LEN], buf[INET6_ADDRSTRLEN];
	int			 i;

	memset(m, 0, sizeof(*m));
	m->weight = POLICY_WEIGHT_DEFAULT;
	m->hops = DEFAULT_MEMBER_HOPS;
	m->bandwidth = DEFAULT_MEMBER_BW;
	if (cfg_object(p, obj, path) == -1 ||
	    cfg_keys(p, obj, path, keys) == -1 ||
	    parse_address(p, obj, path, &m->addr) == -1)
		return -1;

	inet_ntop(AF_INET6, &m->addr, buf, sizeof(buf));
	cfg_path(kp, path, "address");
	for (i = 0; i <= idx; i++)
		if (memcmp(&c->groups[i].addr, &m->addr, sizeof(m->addr)) == 0)
			return i == idx ?
			    cfg_err(p, "%s: %s is the group's own address", kp,
			    buf) :
			    cfg_err(p, "%s: %s is the address of groups[%d]",
			    kp, buf, i);
	if ((i = own_address(c, &m->addr)) != -1)
		return cfg_err(p, "%s: %s is the router's own address on "
		    "interfaces[%d]", kp, buf, i);

	if (cfg_str(p, obj, path, "interface", &ifname) == -1)
		return -1;
	if (ifname != NULL) {
		cfg_path(kp, path, "interface");
		if (cfg_name(p, kp, ifname, IFNAMSIZ - 1) == -1)
			return -1;
		for (i = 0; i < c->nifaces; i++)
			if (strcmp(c->ifaces[i].name, ifname) == 0)
				break;
		/* no interfaces at all: a single member checked without ref */
		if (i == c->nifaces && c->nifaces > 0)
			return cfg_err(p, "%s: no interface named \"%s\"", kp,
			    ifname);
		memcpy(m->iface, ifname, strlen(ifname) + 1);
	}

	if (cfg_u32(p, obj, path, "weight", POLICY_WEIGHT_MIN,
	    POLICY_WEIGHT_MAX, &m->weight) == -1 ||
	    cfg_u32(p, obj, path, "hops", 0, MAX_MEMBER_HOPS,
	    &m->hops) == -1 ||
	    cfg_u32(p, obj, path, "bandwidth", 0, MAX_MEMBER_BW,
	    &m->bandwidth) == -1 ||
	    cfg_u32(p, obj, path, "capacity", 0, MAX_MEMBER_CAPACITY,
	    &m->capacity) == -1 ||
	    cfg_u32(p, obj, path, "load", 0, 100, &m->load) == -1)
		return -1;
	return 0;
}

/* The interface holding the address, or -1. */
static int
own_address(const struct config *c, const struct in6_addr *a)
{
	int	i, j;

	for (i = 0; i < c->nifaces; i++)
		for (j = 0; j < c->ifaces[i].naddrs; j++)
			if (memcmp(&c->ifaces[i].addrs[j].addr, a,
			    sizeof(*a)) == 0)
				return i;
	return -1;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* one object at a time, for the API */

/*
 * A configuration holding only what single objects are checked against:
 * the interfaces of ref (names, the router's own addresses) and, as
 * groups[0], the address of the group a member is for.
 */
static struct config *
scratch_config(const struct config *ref, const struct in6_addr *group)
{
	struct config	*c;

	c = xcalloc(1, sizeof(*c));
	c->groups = xcalloc(1, sizeof(*c->groups));
	if (ref != NULL) {
		memcpy(c->ifaces, ref->ifaces,
		    (size_t)ref->nifaces * sizeof(c->ifaces[0]));
		c->nifaces = ref->nifaces;
	}
	if (group != NULL)
		c->groups[0].addr = *group;
	return c;
}

static void
scratch_free(struct config *c)
{
	explicit_bzero(c->groups, sizeof(*c->groups));	/* keys */
	free(c->groups);
	free(c);
}

int
config_parse_group(json_t *obj, const char *where, struct cfg_group *g,
    const struct config *ref, char *err, size_t errlen)
{
	struct cfgp	 p = { .err = err, .errlen = errlen };
	int		 rc;

	p.conf = scratch_config(ref, NULL);
	if ((rc = parse_group(&p, obj, where, 0)) == 0)
		*g = p.conf->groups[0];
	scratch_free(p.conf);
	return rc;
}

int
config_parse_member(json_t *obj, const char *where, struct cfg_member *m,
    const struct cfg_group *g, const struct config *ref, char *err,
    size_t errlen)
{
	struct cfgp	 p = { .err = err, .errlen = errlen };
	int		 rc;

	p.conf = scratch_config(ref, g != NULL ? &g->addr : NULL);
	rc = parse_member(&p, obj, where, 0, m);
	scratch_free(p.conf);
	return rc;
}

/*
 * "policy", "rh_mode", "score", "profiles" and "probe" of a live group.
 * Keys left out keep their values, in "score", "profiles" and "probe"
 * too; "score" alone turns profiles off, "profiles" turns them on;
 * everything is checked before anything changes.
 */
int
config_patch_group(json_t *obj, const char *where, struct cfg_group *g,
    char *err, size_t errlen)
{
	static const char *const keys[] = { "policy", "rh_mode", "score",
	    "profiles", "probe", NULL };
	struct cfgp		 p = { .err = err, .errlen = errlen };
	struct cfg_group	*ng;
	char			 kp[CFG_PATH_LEN];
	json_t			*v;
	int			 rc = -1;

	ng = xcalloc(1, sizeof(*ng));
	ng->policy = g->policy;
	ng->rh_mode = g->rh_mode;
	ng->ratios = g->ratios;
	ng->profiles = g->profiles;
	ng->probe = g->probe;
	if (cfg_object(&p, obj, where) == -1 ||
	    cfg_keys(&p, obj, where, keys) == -1 ||
	    parse_kinds(&p, obj, where, ng) == -1)
		goto done;
	if ((v = cfg_member(&p, obj, where, "score", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = parse_score(&p, v, cfg_path(kp, where, "score"),
		    &ng->ratios);
	if (rc == -1)
		goto done;
	if (v != NULL && json_object_get(obj, "profiles") == NULL)
		ng->profiles.enabled = false;	/* plain ratios again */
	if ((rc = group_profiles(&p, obj, where, ng)) == -1)
		goto done;
	if ((v = cfg_member(&p, obj, where, "probe", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = parse_probe(&p, v, cfg_path(kp, where, "probe"),
		    &ng->probe);
	if (rc == -1)
		goto done;
	g->policy = ng->policy;
	g->rh_mode = ng->rh_mode;
	g->ratios = ng->ratios;
	g->profiles = ng->profiles;
	g->probe = ng->probe;
 done:
	free(ng);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* flows */

void
cfg_flows_defaults(struct cfg_flows *f)
{
	f->max = DEFAULT_FLOWS_MAX;
	f->syn_ms = DEFAULT_FLOW_SYN_MS;
	f->established_ms = DEFAULT_FLOW_EST_MS;
	f->fin_ms = DEFAULT_FLOW_FIN_MS;
	f->udp_ms = DEFAULT_FLOW_UDP_MS;
	f->other_ms = DEFAULT_FLOW_OTHER_MS;
	f->recover_ms = DEFAULT_FLOW_RECOVER_MS;
	f->high_water_pct = DEFAULT_FLOW_HIGH_PCT;
	f->low_water_pct = DEFAULT_FLOW_LOW_PCT;
}

int
cfg_parse_flows(struct cfgp *p, json_t *obj)
{
	static const char *const keys[] = { "max", "syn_ms",
	    "established_ms", "fin_ms", "udp_ms", "other_ms", "recover_ms",
	    "high_water_percent", "low_water_percent", NULL };
	struct cfg_flows	*f = &p->conf->flows;

	if (cfg_keys(p, obj, "flows", keys) == -1 ||
	    cfg_u32(p, obj, "flows", "max", MIN_FLOWS_MAX, MAX_FLOWS_MAX,
	    &f->max) == -1 ||
	    cfg_u32(p, obj, "flows", "syn_ms", MIN_FLOW_TIMEOUT_MS,
	    MAX_FLOW_TIMEOUT_MS, &f->syn_ms) == -1 ||
	    cfg_u32(p, obj, "flows", "established_ms", MIN_FLOW_TIMEOUT_MS,
	    MAX_FLOW_TIMEOUT_MS, &f->established_ms) == -1 ||
	    cfg_u32(p, obj, "flows", "fin_ms", MIN_FLOW_TIMEOUT_MS,
	    MAX_FLOW_TIMEOUT_MS, &f->fin_ms) == -1 ||
	    cfg_u32(p, obj, "flows", "udp_ms", MIN_FLOW_TIMEOUT_MS,
	    MAX_FLOW_TIMEOUT_MS, &f->udp_ms) == -1 ||
	    cfg_u32(p, obj, "flows", "other_ms", MIN_FLOW_TIMEOUT_MS,
	    MAX_FLOW_TIMEOUT_MS, &f->other_ms) == -1 ||
	    cfg_u32(p, obj, "flows", "recover_ms", 0, MAX_FLOW_RECOVER_MS,
	    &f->recover_ms) == -1 ||
	    cfg_u32(p, obj, "flows", "high_water_percent", 0, 100,
	    &f->high_water_pct) == -1 ||
	    cfg_u32(p, obj, "flows", "low_water_percent", 0, 99,
	    &f->low_water_pct) == -1)
		return -1;
	if (f->high_water_pct != 0 && f->low_water_pct >= f->high_water_pct)
		return cfg_err(p, "flows.low_water_percent: %u is not below "
		    "high_water_percent %u", f->low_water_pct,
		    f->high_water_pct);
	return 0;
}
