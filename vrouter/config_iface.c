/*
 * The "interfaces" of the configuration: names, addresses, router
 * advertisements, captures and packet-fixture mode, and the checks that
 * span interfaces (unique names, addresses and MACs).
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "config_json.h"

static void	 iface_defaults(struct cfg_iface *);
static void	 mac_derive(uint8_t *, const struct cfg_iface *);
static int	 parse_iface(struct cfgp *, json_t *, const char *, int);
static int	 parse_iface_names(struct cfgp *, json_t *, const char *, int);
static int	 parse_mac_key(struct cfgp *, json_t *, const char *, int);
static int	 parse_addrs(struct cfgp *, json_t *, const char *, int);
static int	 parse_ra(struct cfgp *, json_t *, const char *,
		    struct cfg_iface *, bool *);
static int	 parse_ra_prefix(struct cfgp *, json_t *, const char *,
		    struct cfg_prefix *);
static void	 ra_default_prefixes(struct cfg_iface *);
static int	 parse_capture(struct cfgp *, json_t *, const char *,
		    struct cfg_capture *);
static int	 parse_pcap(struct cfgp *, json_t *, const char *,
		    struct cfg_iface *);
static int	 check_modes(struct cfgp *);
static int	 check_macs(struct cfgp *);

static void
iface_defaults(struct cfg_iface *ifc)
{
	memset(ifc, 0, sizeof(*ifc));
	ifc->ebb = -1;
	ifc->mtu = DEFAULT_MTU;
	ifc->ra_interval = DEFAULT_RA_INTERVAL_S;
	ifc->ra_lifetime = DEFAULT_RA_LIFETIME_S;
	ifc->ra_hop_limit = DEFAULT_HOP_LIMIT;
	ifc->ra_mtu = true;
	ifc->ra_dns = true;
	ifc->capture.direction = CAP_BOTH;
}

/* 02:76:72 ("vr", locally administered) and 24 bits of FNV-1a(name). */
static void
/*
 * FNV-1a of the name, or of "name@netns/ifname" for an interface placed
 * in a namespace, so that routers sharing a link (a bridge in a lab)
 * with interfaces of the same name get different MACs.
 */
mac_derive(uint8_t *mac, const struct cfg_iface *ifc)
{
	char		key[IFNAMSIZ + CFG_NETNS_LEN + IFNAMSIZ + 2];
	uint32_t	h = 2166136261u;

	if (ifc->netns[0] != '\0')
		snprintf(key, sizeof(key), "%s@%s/%s", ifc->name, ifc->netns,
		    ifc->ifname);
	else
		snprintf(key, sizeof(key), "%s", ifc->name);
	for (const unsigned char *s = (const unsigned char *)key; *s; s++) {
		h ^= *s;
		h *= 16777619u;
	}
	mac[0] = 0x02;
	mac[1] = 0x76;
	mac[2] = 0x72;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

int
cfg_parse_ifaces(struct cfgp *p, json_t *arr)
{
	char	 path[CFG_PATH_LEN];
	json_t	*v;
	size_t	 i;

	if (json_array_size(arr) == 0)
		return cfg_err(p, "interfaces: at least one interface is "
		    "required");
	if (json_array_size(arr) > CFG_MAX_IFACES)
		return cfg_err(p, "interfaces: at most %d interfaces",
		    CFG_MAX_IFACES);
	json_array_foreach(arr, i, v) {
		cfg_index(path, "interfaces", i);
		if (parse_iface(p, v, path, (int)i) == -1)
			return -1;
		p->conf->nifaces++;
	}
	if (check_modes(p) == -1 || check_macs(p) == -1)
		return -1;
	return 0;
}

static int
parse_iface(struct cfgp *p, json_t *obj, const char *path, int idx)
{
	static const char *const keys[] = { "name", "netns", "ifname", "mac",
	    "mtu", "capacity_mbit", "addresses", "ra", "capture", "pcap",
	    "ripng", "ebb", "emulation", NULL };
	struct cfg_iface	*ifc = &p->conf->ifaces[idx];
	char			 kp[CFG_PATH_LEN];
	bool			 have_prefixes = false, ebb;
	json_t			*v;
	int			 rc;

	iface_defaults(ifc);
	if (cfg_object(p, obj, path) == -1 ||
	    cfg_keys(p, obj, path, keys) == -1 ||
	    parse_iface_names(p, obj, path, idx) == -1 ||
	    parse_mac_key(p, obj, path, idx) == -1 ||
	    cfg_u32(p, obj, path, "mtu", MIN_MTU, MAX_MTU, &ifc->mtu) == -1 ||
	    cfg_u32(p, obj, path, "capacity_mbit", 0, MAX_CAPACITY_MBIT,
	    &ifc->capacity_mbit) == -1 ||
	    parse_addrs(p, obj, path, idx) == -1)
		return -1;

	if ((v = cfg_member(p, obj, path, "ra", JSON_OBJECT, false, &rc)) !=
	    NULL)
		rc = parse_ra(p, v, cfg_path(kp, path, "ra"), ifc,
		    &have_prefixes);
	if (rc == -1)
		return -1;
	if (!have_prefixes)
		ra_default_prefixes(ifc);

	if ((v = cfg_member(p, obj, path, "capture", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = parse_capture(p, v, cfg_path(kp, path, "capture"),
		    &ifc->capture);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, obj, path, "ripng", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = cfg_parse_iface_ripng(p, v, cfg_path(kp, path, "ripng"),
		    &ifc->ripng);
	if (rc == -1)
		return -1;
	if (json_object_get(obj, "ebb") != NULL) {
		if (cfg_bool(p, obj, path, "ebb", &ebb) == -1)
			return -1;
		ifc->ebb = ebb;
	}

	if ((v = cfg_member(p, obj, path, "emulation", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = cfg_parse_emulation(p, v, cfg_path(kp, path, "emulation"),
		    ifc->emulation);
	if (rc == -1)
		return -1;

	if ((v = cfg_member(p, obj, path, "pcap", JSON_OBJECT, false, &rc)) !=
	    NULL)
		rc = parse_pcap(p, v, cfg_path(kp, path, "pcap"), ifc);
	return rc;
}

/* name, netns and ifname, each unique where it must be. */
static int
parse_iface_names(struct cfgp *p, json_t *obj, const char *path, int idx)
{
	struct config		*c = p->conf;
	struct cfg_iface	*ifc = &c->ifaces[idx], *o;
	const char		*name, *netns = NULL, *ifname = NULL;
	char			 kp[CFG_PATH_LEN], q[CFG_QUOTE_LEN];
	json_t			*v;
	int			 rc, i;

	if ((v = cfg_member(p, obj, path, "name", JSON_STRING, true, &rc)) ==
	    NULL)
		return -1;
	name = json_string_value(v);
	if (cfg_name(p, cfg_path(kp, path, "name"), name, IFNAMSIZ - 1) == -1)
		return -1;
	for (i = 0; i < idx; i++)
		if (strcmp(c->ifaces[i].name, name) == 0)
			return cfg_err(p, "%s: duplicate interface %s (also "
			    "interfaces[%d])", kp,
			    cfg_quote(q, sizeof(q), name), i);
	memcpy(ifc->name, name, strlen(name) + 1);

	if (cfg_str(p, obj, path, "netns", &netns) == -1)
		return -1;
	if (netns != NULL) {
		if (cfg_name(p, cfg_path(kp, path, "netns"), netns,
		    CFG_NETNS_LEN - 1) == -1)
			return -1;
		memcpy(ifc->netns, netns, strlen(netns) + 1);
	}

	if (cfg_str(p, obj, path, "ifname", &ifname) == -1)
		return -1;
	if (ifname == NULL)
		ifname = name;
	else if (cfg_name(p, cfg_path(kp, path, "ifname"), ifname,
	    IFNAMSIZ - 1) == -1)
		return -1;
	memcpy(ifc->ifname, ifname, strlen(ifname) + 1);
	for (i = 0; i < idx; i++) {
		o = &c->ifaces[i];
		if (strcmp(o->netns, ifc->netns) == 0 &&
		    strcmp(o->ifname, ifc->ifname) == 0)
			return cfg_err(p, "%s: %s is already used by "
			    "interfaces[%d] in %s%s",
			    cfg_path(kp, path, "ifname"),
			    cfg_quote(q, sizeof(q), ifc->ifname), i,
			    *ifc->netns ? "netns " : "the current namespace",
			    *ifc->netns ? ifc->netns : "");
	}
	return 0;
}

static int
parse_mac_key(struct cfgp *p, json_t *obj, const char *path, int idx)
{
	static const uint8_t	 zero[ETH_ALEN_];
	uint8_t			*mac = p->conf->ifaces[idx].mac;
	const char		*s = NULL;
	char			 kp[CFG_PATH_LEN], q[CFG_QUOTE_LEN];

	if (cfg_str(p, obj, path, "mac", &s) == -1)
		return -1;
	if (s == NULL) {
		mac_derive(mac, &p->conf->ifaces[idx]);
		return 0;
	}
	cfg_path(kp, path, "mac");
	if (parse_mac(s, mac) == -1)
		return cfg_err(p, "%s: bad MAC address %s", kp,
		    cfg_quote(q, sizeof(q), s));
	if (mac[0] & 0x01)
		return cfg_err(p, "%s: %s is a multicast MAC address", kp,
		    cfg_quote(q, sizeof(q), s));
	if (memcmp(mac, zero, ETH_ALEN_) == 0)
		return cfg_err(p, "%s: the MAC address must not be all zero",
		    kp);
	p->mac_given[idx] = true;
	return 0;
}

static int
parse_addrs(struct cfgp *p, json_t *obj, const char *path, int idx)
{
	struct config		*c = p->conf;
	struct cfg_iface	*ifc = &c->ifaces[idx];
	struct cfg_addr		*a;
	const char		*why;
	char			 kp[CFG_PATH_LEN], ap[CFG_PATH_LEN];
	char			 q[CFG_QUOTE_LEN];
	json_t			*arr, *v;
	size_t			 n;
	int			 rc, i, j;

	if ((arr = cfg_member(p, obj, path, "addresses", JSON_ARRAY, false,
	    &rc)) == NULL)
		return rc;
	cfg_path(kp, path, "addresses");
	if (json_array_size(arr) > CFG_MAX_ADDRS)
		return cfg_err(p, "%s: at most %d addresses", kp,
		    CFG_MAX_ADDRS);
	json_array_foreach(arr, n, v) {
		cfg_index(ap, kp, n);
		a = &ifc->addrs[n];
		if (!json_is_string(v))
			return cfg_err(p, "%s: must be a string", ap);
		if (cfg_net(p, ap, json_string_value(v), &a->addr, &a->plen,
		    NET_NEED_LEN) == -1)
			return -1;
		cfg_quote(q, sizeof(q), json_string_value(v));
		if (a->plen == 0)
			return cfg_err(p, "%s: %s: the prefix length must be "
			    "1 to 128", ap, q);
		if ((why = cfg_unicast_problem(&a->addr)) != NULL)
			return cfg_err(p, "%s: %s %s", ap, q, why);
		if (IN6_IS_ADDR_LINKLOCAL(&a->addr))
			return cfg_err(p, "%s: %s is link-local (the "
			    "link-local address is automatic)", ap, q);
		for (i = 0; i <= idx; i++)
			for (j = 0; j < c->ifaces[i].naddrs; j++)
				if (memcmp(&c->ifaces[i].addrs[j].addr,
				    &a->addr, sizeof(a->addr)) == 0)
					return cfg_err(p, "%s: duplicate "
					    "address %s (also interfaces[%d]."
					    "addresses[%d])", ap, q, i, j);
		ifc->naddrs++;
	}
	return 0;
}

static int
parse_ra(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_iface *ifc, bool *have_prefixes)
{
	static const char *const keys[] = { "enabled", "interval",
	    "lifetime", "hop_limit", "mtu", "prefixes", "dns", NULL };
	struct cfg_prefix	*pf;
	uint32_t		 hlim = ifc->ra_hop_limit;
	char			 kp[CFG_PATH_LEN], pp[CFG_PATH_LEN];
	json_t			*arr, *v;
	size_t			 n;
	int			 rc, i;

	if (cfg_keys(p, obj, path, keys) == -1 ||
	    cfg_bool(p, obj, path, "enabled", &ifc->ra_enabled) == -1 ||
	    cfg_u32(p, obj, path, "interval", MIN_RA_INTERVAL_S,
	    MAX_RA_INTERVAL_S, &ifc->ra_interval) == -1 ||
	    cfg_u32(p, obj, path, "lifetime", 0, MAX_RA_LIFETIME_S,
	    &ifc->ra_lifetime) == -1 ||
	    cfg_u32(p, obj, path, "hop_limit", 0, 255, &hlim) == -1 ||
	    cfg_bool(p, obj, path, "mtu", &ifc->ra_mtu) == -1 ||
	    cfg_bool(p, obj, path, "dns", &ifc->ra_dns) == -1)
		return -1;
	ifc->ra_hop_limit = (uint8_t)hlim;
	/* RFC 4861 6.2.1: AdvDefaultLifetime is 0 or >= MaxRtrAdvInterval */
	if (ifc->ra_lifetime != 0 && ifc->ra_lifetime < ifc->ra_interval)
		return cfg_err(p, "%s: must be 0 or at least the interval "
		    "(%u)", cfg_path(kp, path, "lifetime"), ifc->ra_interval);

	if ((arr = cfg_member(p, obj, path, "prefixes", JSON_ARRAY, false,
	    &rc)) == NULL)
		return rc;
	*have_prefixes = true;
	cfg_path(kp, path, "prefixes");
	if (json_array_size(arr) > CFG_MAX_PREFIXES)
		return cfg_err(p, "%s: at most %d prefixes", kp,
		    CFG_MAX_PREFIXES);
	json_array_foreach(arr, n, v) {
		cfg_index(pp, kp, n);
		pf = &ifc->prefixes[n];
		if (parse_ra_prefix(p, v, pp, pf) == -1)
			return -1;
		for (i = 0; i < ifc->nprefixes; i++)
			if (ifc->prefixes[i].plen == pf->plen &&
			    memcmp(&ifc->prefixes[i].prefix, &pf->prefix,
			    sizeof(pf->prefix)) == 0)
				return cfg_err(p, "%s: duplicate prefix (also "
				    "%s[%d])", pp, kp, i);
		ifc->nprefixes++;
	}
	return 0;
}

/* An object, or a string as shorthand for one with the defaults. */
static int
parse_ra_prefix(struct cfgp *p, json_t *v, const char *path,
    struct cfg_prefix *pf)
{
	static const char *const keys[] = { "prefix", "valid", "preferred",
	    "onlink", "autonomous", NULL };
	const char	*s, *sp;
	char		 kp[CFG_PATH_LEN], q[CFG_QUOTE_LEN];
	json_t		*sv;
	int		 rc;

	memset(pf, 0, sizeof(*pf));
	pf->valid = DEFAULT_PREFIX_VALID_S;
	pf->preferred = DEFAULT_PREFIX_PREF_S;
	pf->onlink = true;
	pf->autonomous = true;
	if (json_is_string(v)) {
		s = json_string_value(v);
		sp = path;
	} else if (json_is_object(v)) {
		if (cfg_keys(p, v, path, keys) == -1 ||
		    (sv = cfg_member(p, v, path, "prefix", JSON_STRING, true,
		    &rc)) == NULL ||
		    cfg_u32(p, v, path, "valid", 0, UINT32_MAX,
		    &pf->valid) == -1 ||
		    cfg_u32(p, v, path, "preferred", 0, UINT32_MAX,
		    &pf->preferred) == -1 ||
		    cfg_bool(p, v, path, "onlink", &pf->onlink) == -1 ||
		    cfg_bool(p, v, path, "autonomous", &pf->autonomous) == -1)
			return -1;
		s = json_string_value(sv);
		sp = cfg_path(kp, path, "prefix");
	} else
		return cfg_err(p, "%s: must be a prefix string or an object",
		    path);

	if (cfg_net(p, sp, s, &pf->prefix, &pf->plen,
	    NET_NEED_LEN | NET_NO_HOST) == -1)
		return -1;
	if (IN6_IS_ADDR_MULTICAST(&pf->prefix) ||
	    IN6_IS_ADDR_LINKLOCAL(&pf->prefix))
		return cfg_err(p, "%s: %s is not a global or unique-local "
		    "prefix", sp, cfg_quote(q, sizeof(q), s));
	if (pf->preferred > pf->valid)
		return cfg_err(p, "%s: %u exceeds the valid lifetime (%u)",
		    cfg_path(kp, path, "preferred"), pf->preferred, pf->valid);
	return 0;
}

/* Without "prefixes", advertise the /64 of every /64 address. */
static void
ra_default_prefixes(struct cfg_iface *ifc)
{
	struct cfg_prefix	*pf;
	struct in6_addr		 net;
	int			 i, j;

	for (i = 0; i < ifc->naddrs; i++) {
		if (ifc->addrs[i].plen != 64)
			continue;
		net = ifc->addrs[i].addr;
		prefix_mask(&net, 64);
		for (j = 0; j < ifc->nprefixes; j++)
			if (memcmp(&ifc->prefixes[j].prefix, &net,
			    sizeof(net)) == 0)
				break;
		if (j < ifc->nprefixes || ifc->nprefixes == CFG_MAX_PREFIXES)
			continue;
		pf = &ifc->prefixes[ifc->nprefixes++];
		pf->prefix = net;
		pf->plen = 64;
		pf->valid = DEFAULT_PREFIX_VALID_S;
		pf->preferred = DEFAULT_PREFIX_PREF_S;
		pf->onlink = true;
		pf->autonomous = true;
	}
}

static int
parse_capture(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_capture *cap)
{
	static const char *const keys[] = { "enabled", "filter", "direction",
	    "max_bytes", "rotate", NULL };
	const char	*filter = NULL, *dir = NULL;
	char		 kp[CFG_PATH_LEN], q[CFG_QUOTE_LEN];

	cap->enabled = true;
	if (cfg_keys(p, obj, path, keys) == -1 ||
	    cfg_bool(p, obj, path, "enabled", &cap->enabled) == -1 ||
	    cfg_str(p, obj, path, "filter", &filter) == -1 ||
	    cfg_str(p, obj, path, "direction", &dir) == -1 ||
	    cfg_uint(p, obj, path, "max_bytes", 0, INT64_MAX,
	    &cap->max_bytes) == -1 ||
	    cfg_u32(p, obj, path, "rotate", 0, CAPTURE_MAX_ROTATE,
	    &cap->rotate) == -1)
		return -1;
	if (filter != NULL && cfg_copy(p, cfg_path(kp, path, "filter"), filter,
	    cap->filter, sizeof(cap->filter)) == -1)
		return -1;
	if (dir != NULL && capture_dir_from_name(dir, &cap->direction) == -1)
		return cfg_err(p, "%s: must be \"rx\", \"tx\" or \"both\", "
		    "not %s", cfg_path(kp, path, "direction"),
		    cfg_quote(q, sizeof(q), dir));
	if (cap->max_bytes != 0 && cap->max_bytes < CAPTURE_MIN_BYTES)
		return cfg_err(p, "%s: must be 0 (no limit) or at least %d",
		    cfg_path(kp, path, "max_bytes"), CAPTURE_MIN_BYTES);
	return 0;
}

static int
parse_pcap(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_iface *ifc)
{
	static const char *const keys[] = { "in", "out", NULL };
	json_t	*in, *out;
	char	 kp[CFG_PATH_LEN];
	int	 rc;

	if (cfg_keys(p, obj, path, keys) == -1 ||
	    (in = cfg_member(p, obj, path, "in", JSON_STRING, true,
	    &rc)) == NULL ||
	    (out = cfg_member(p, obj, path, "out", JSON_STRING, true,
	    &rc)) == NULL)
		return -1;
	if (json_string_length(in) == 0)
		return cfg_err(p, "%s: must not be empty",
		    cfg_path(kp, path, "in"));
	if (json_string_length(out) == 0)
		return cfg_err(p, "%s: must not be empty",
		    cfg_path(kp, path, "out"));
	if (strcmp(json_string_value(in), json_string_value(out)) == 0)
		return cfg_err(p, "%s: must differ from \"in\"",
		    cfg_path(kp, path, "out"));
	if (cfg_copy(p, cfg_path(kp, path, "in"), json_string_value(in),
	    ifc->pcap_in, sizeof(ifc->pcap_in)) == -1 ||
	    cfg_copy(p, cfg_path(kp, path, "out"), json_string_value(out),
	    ifc->pcap_out, sizeof(ifc->pcap_out)) == -1)
		return -1;
	return 0;
}

/* Packet-fixture mode ("pcap") is all or nothing, and has no netns. */
static int
check_modes(struct cfgp *p)
{
	struct config	*c = p->conf;
	int		 i, j, first = -1;

	for (i = 0; i < c->nifaces; i++)
		if (c->ifaces[i].pcap_in[0] != '\0' && first == -1)
			first = i;
	if (first == -1)
		return 0;
	for (i = 0; i < c->nifaces; i++) {
		if (c->ifaces[i].pcap_in[0] == '\0')
			return cfg_err(p, "interfaces[%d]: \"pcap\" is "
			    "required because interfaces[%d] \"%s\" uses "
			    "packet-fixture mode", i, first,
			    c->ifaces[first].name);
		if (c->ifaces[i].netns[0] != '\0')
			return cfg_err(p, "interfaces[%d].netns: not allowed "
			    "with \"pcap\" (packet-fixture mode)", i);
		for (j = 0; j < i; j++)
			if (strcmp(c->ifaces[i].pcap_out,
			    c->ifaces[j].pcap_out) == 0 ||
			    strcmp(c->ifaces[i].pcap_out,
			    c->ifaces[j].pcap_in) == 0 ||
			    strcmp(c->ifaces[i].pcap_in,
			    c->ifaces[j].pcap_out) == 0)
				return cfg_err(p, "interfaces[%d].pcap: "
				    "shares an output file with "
				    "interfaces[%d]", i, j);
	}
	return 0;
}

static int
check_macs(struct cfgp *p)
{
	struct config	*c = p->conf;
	const uint8_t	*m;
	char		 buf[18];
	int		 i, j;

	for (i = 1; i < c->nifaces; i++)
		for (j = 0; j < i; j++) {
			if (memcmp(c->ifaces[i].mac, c->ifaces[j].mac,
			    ETH_ALEN_) != 0)
				continue;
			m = c->ifaces[i].mac;
			snprintf(buf, sizeof(buf),
			    "%02x:%02x:%02x:%02x:%02x:%02x",
			    m[0], m[1], m[2], m[3], m[4], m[5]);
			if (p->mac_given[i])
				return cfg_err(p, "interfaces[%d].mac: "
				    "duplicate MAC address %s (also "
				    "interfaces[%d])", i, buf, j);
			return cfg_err(p, "interfaces[%d].mac: the MAC derived "
			    "from the name, %s, is used by interfaces[%d]; "
			    "set \"mac\"", i, buf, j);
		}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* link emulation */

static int
parse_em_dir(struct cfgp *p, json_t *obj, const char *path,
    struct linkem_conf *c)
{
	static const char *const keys[] = { "delay_ms", "jitter_ms",
	    "loss_percent", "rate_mbit", "limit", NULL };
	double		 delay = 0, jitter = 0, loss = 0, rate = 0;
	uint32_t	 limit = LINKEM_DEFAULT_LIMIT;

	if (cfg_object(p, obj, path) == -1 ||
	    cfg_keys(p, obj, path, keys) == -1 ||
	    cfg_real(p, obj, path, "delay_ms", 0,
	    LINKEM_MAX_DELAY_US / 1000, &delay) == -1 ||
	    cfg_real(p, obj, path, "jitter_ms", 0,
	    LINKEM_MAX_DELAY_US / 1000, &jitter) == -1 ||
	    cfg_real(p, obj, path, "loss_percent", 0, 100, &loss) == -1 ||
	    cfg_real(p, obj, path, "rate_mbit", 0, 1000000, &rate) == -1 ||
	    cfg_u32(p, obj, path, "limit", 1, LINKEM_MAX_LIMIT, &limit) == -1)
		return -1;
	c->delay_us = (uint32_t)(delay * 1000 + 0.5);
	c->jitter_us = (uint32_t)(jitter * 1000 + 0.5);
	c->loss_ppm = (uint32_t)(loss * (LINKEM_PPM / 100) + 0.5);
	c->rate_bps = (uint64_t)(rate * 1e6 + 0.5);
	c->limit = limit;
	return 0;
}

int
cfg_parse_emulation(struct cfgp *p, json_t *obj, const char *path,
    struct linkem_conf *em)
{
	static const char *const keys[] = { "in", "out", NULL };
	static const char *const dirs[LINKEM_DIRS] = {
		[LINKEM_IN] = "in", [LINKEM_OUT] = "out",
	};
	char		 kp[CFG_PATH_LEN];
	json_t		*v;

	if (cfg_object(p, obj, path) == -1 ||
	    cfg_keys(p, obj, path, keys) == -1)
		return -1;
	for (int d = 0; d < LINKEM_DIRS; d++) {
		if ((v = json_object_get(obj, dirs[d])) == NULL)
			continue;
		memset(&em[d], 0, sizeof(em[d]));
		if (parse_em_dir(p, v, cfg_path(kp, path, dirs[d]),
		    &em[d]) == -1)
			return -1;
	}
	return 0;
}

int
config_parse_emulation(json_t *obj, const char *where,
    struct linkem_conf em[LINKEM_DIRS], char *err, size_t errlen)
{
	struct cfgp	 p = { .err = err, .errlen = errlen };
	struct linkem_conf tmp[LINKEM_DIRS];

	memcpy(tmp, em, sizeof(tmp));
	if (cfg_parse_emulation(&p, obj, where, tmp) == -1)
		return -1;
	memcpy(em, tmp, sizeof(tmp));
	return 0;
}
