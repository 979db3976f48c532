/*
 * GET /metrics: the router's counters in the Prometheus text
 * exposition format (version 0.0.4).  Every family has HELP and TYPE
 * lines and all of its samples together, as the format requires.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "pbuf.h"
#include "route.h"
#include "nd.h"
#include "iface.h"
#include "anycast.h"
#include "router.h"
#include "flow.h"
#include "addr.h"
#include "ripng.h"
#include "ebb.h"
#include "api.h"

/*
 * Families named otherwise than their counter: promtool reads the
 * "ns" of Neighbor Solicitation counters as nanoseconds.
 */
static const struct {
	const char	*counter;
	const char	*family;
} metrics_renames[] = {
	{ "ns_in",	"neighbor_solicits_in" },
	{ "ns_out",	"neighbor_solicits_out" },
};

/* The family of a counter, without the "vrouter_" and "_total". */
static const char *
metrics_family(const char *counter)
{
	size_t	i;

	for (i = 0; i < sizeof(metrics_renames) / sizeof(metrics_renames[0]);
	    i++)
		if (strcmp(metrics_renames[i].counter, counter) == 0)
			return metrics_renames[i].family;
	return counter;
}

/* A label value with '\', '"' and newlines escaped. */
static const char *
metrics_label(char *buf, size_t len, const char *s)
{
	size_t	i = 0;

	for (; *s != '\0' && i + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			buf[i++] = '\\';
			buf[i++] = *s;
		} else if (*s == '\n') {
			buf[i++] = '\\';
			buf[i++] = 'n';
		} else
			buf[i++] = *s;
	}
	buf[i] = '\0';
	return buf;
}

static void
metrics_head(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP vrouter_%s %s\n# TYPE vrouter_%s %s\n",
	    name, help, name, type);
}

static void
metrics_gauge(struct evbuffer *b, const char *name, const char *help,
    unsigned long long v)
{
	metrics_head(b, name, "gauge", help);
	evbuffer_add_printf(b, "vrouter_%s %llu\n", name, v);
}

/* One unlabelled counter family per row: vrouter_<prefix><name>_total. */
static void
metrics_totals(struct evbuffer *b, const char *prefix,
    const struct api_counter *c, const void *stats)
{
	char	 name[64];

	for (; c->name != NULL; c++) {
		snprintf(name, sizeof(name), "%s%s_total", prefix, c->name);
		metrics_head(b, name, "counter", c->help);
		evbuffer_add_printf(b, "vrouter_%s %llu\n", name,
		    (unsigned long long)api_counter_value(stats, c));
	}
}

struct metrics_nd {
	unsigned long long	 count[ND_STATE_MAX];
};

static void
metrics_nd_cb(const struct neighbor *n, void *arg)
{
	struct metrics_nd	*m = arg;

	if (n->state < ND_STATE_MAX)
		m->count[n->state]++;
}

typedef uint64_t (*metrics_group_fn)(const struct group *, const void *);
typedef uint64_t (*metrics_member_fn)(const struct member *, const void *);

static uint64_t
group_counter(const struct group *g, const void *c)
{
	return api_counter_value(&g->stats, c);
}

static uint64_t
group_members(const struct group *g, const void *arg)
{
	uint64_t	n = 0;

	(void)arg;
	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		n += g->members[i].used;
	return n;
}

static uint64_t
group_flows(const struct group *g, const void *arg)
{
	uint64_t	n = 0;

	(void)arg;
	for (int i = 0; i < CFG_MAX_MEMBERS; i++)
		if (g->members[i].used)
			n += g->members[i].flows;
	return n;
}

static uint64_t
group_pending(const struct group *g, const void *arg)
{
	(void)arg;
	return g->pending;
}

static uint64_t
member_counter(const struct member *m, const void *c)
{
	return api_counter_value(&m->stats, c);
}

static uint64_t
member_flows(const struct member *m, const void *arg)
{
	(void)arg;
	return m->flows;
}

static uint64_t
member_sessions_reported(const struct member *m, const void *arg)
{
	(void)arg;
	return m->sessions;
}

static uint64_t
member_draining(const struct member *m, const void *arg)
{
	(void)arg;
	return m->draining;
}

static uint64_t
member_load(const struct member *m, const void *arg)
{
	(void)arg;
	return m->load_pct;
}

/* A family with one sample per group, labelled by its address. */
static void
metrics_per_group(struct router *r, struct evbuffer *b, const char *name,
    const char *type, const char *help, metrics_group_fn fn, const void *arg)
{
	const struct group	*g;
	char			 ga[INET6_ADDRSTRLEN];

	metrics_head(b, name, type, help);
	for (int i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		inet_ntop(AF_INET6, &g->conf.addr, ga, sizeof(ga));
		evbuffer_add_printf(b, "vrouter_%s{group=\"%s\"} %llu\n", name,
		    ga, (unsigned long long)fn(g, arg));
	}
}

/* A family with one sample per member of every group. */
static void
metrics_per_member(struct router *r, struct evbuffer *b, const char *name,
    const char *type, const char *help, metrics_member_fn fn,
    const void *arg)
{
	const struct group	*g;
	const struct member	*m;
	char			 ga[INET6_ADDRSTRLEN], ma[INET6_ADDRSTRLEN];

	metrics_head(b, name, type, help);
	for (int i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		inet_ntop(AF_INET6, &g->conf.addr, ga, sizeof(ga));
		for (int j = 0; j < CFG_MAX_MEMBERS; j++) {
			m = &g->members[j];
			if (!m->used)
				continue;
			inet_ntop(AF_INET6, &m->addr, ma, sizeof(ma));
			evbuffer_add_printf(b, "vrouter_%s{group=\"%s\","
			    "member=\"%s\"} %llu\n", name, ga, ma,
			    (unsigned long long)fn(m, arg));
		}
	}
}

static uint64_t
group_profile_switches(const struct group *g, const void *arg)
{
	(void)arg;
	return g->profile.switches;
}

static uint64_t
group_utilization(const struct group *g, const void *arg)
{
	(void)arg;
	return group_util_pct(g);
}

/* One sample per group and profile: 1 for the active one. */
static void
metrics_group_profiles(struct router *r, struct evbuffer *b)
{
	const struct group	*g;
	char			 ga[INET6_ADDRSTRLEN];

	metrics_head(b, "group_profile", "gauge",
	    "1 for the group's active ratio profile, 0 for the other.");
	for (int i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		inet_ntop(AF_INET6, &g->conf.addr, ga, sizeof(ga));
		for (int k = 0; k < PROFILE_MAX; k++)
			evbuffer_add_printf(b, "vrouter_group_profile{group="
			    "\"%s\",profile=\"%s\"} %d\n", ga,
			    profile_name(k),
			    g->profile.active == (enum score_profile)k);
	}
}

/* Refusals by group and reason. */
static void
metrics_group_auth(struct router *r, struct evbuffer *b)
{
	const struct group	*g;
	char			 ga[INET6_ADDRSTRLEN];

	metrics_head(b, "group_auth_failures_total", "counter",
	    "Membership messages refused, by group and reason.");
	for (int i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		inet_ntop(AF_INET6, &g->conf.addr, ga, sizeof(ga));
		for (int k = MP_REASON_NONE + 1; k <= MP_REASON_MAX &&
		    k < MP_REASON_SLOTS; k++)
			evbuffer_add_printf(b, "vrouter_group_auth_failures_"
			    "total{group=\"%s\",reason=\"%s\"} %llu\n", ga,
			    mp_reason_name(k),
			    (unsigned long long)g->stats.auth_fail[k]);
	}
}

/* One sample per member and state: 1 for the member's own. */
static void
metrics_member_states(struct router *r, struct evbuffer *b)
{
	const struct group	*g;
	const struct member	*m;
	char			 ga[INET6_ADDRSTRLEN], ma[INET6_ADDRSTRLEN];

	metrics_head(b, "member_state", "gauge",
	    "1 for the member's state, 0 for the others.");
	for (int i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		inet_ntop(AF_INET6, &g->conf.addr, ga, sizeof(ga));
		for (int j = 0; j < CFG_MAX_MEMBERS; j++) {
			m = &g->members[j];
			if (!m->used)
				continue;
			inet_ntop(AF_INET6, &m->addr, ma, sizeof(ma));
			for (int k = 0; k < MS_MAX; k++)
				evbuffer_add_printf(b, "vrouter_member_state{"
				    "group=\"%s\",member=\"%s\",state="
				    "\"%s\"} %d\n", ga, ma,
				    member_state_names[k],
				    m->state == (enum member_state)k);
		}
	}
}

/* Groups and members, labelled "group" and "member" by address. */
static void
metrics_groups(struct router *r, struct evbuffer *b)
{
	const struct api_counter *c;
	char			 name[64];

	for (c = api_group_counters; c->name != NULL; c++) {
		snprintf(name, sizeof(name), "group_%s_total", c->name);
		metrics_per_group(r, b, name, "counter", c->help,
		    group_counter, c);
	}
	metrics_group_auth(r, b);
	metrics_per_group(r, b, "group_members", "gauge",
	    "Members of the group, static and joined.", group_members, NULL);
	metrics_per_group(r, b, "group_flows", "gauge",
	    "Open flows pinned to the group's members.", group_flows, NULL);
	metrics_per_group(r, b, "group_pending", "gauge",
	    "Packets parked while members are probed.", group_pending, NULL);
	metrics_per_group(r, b, "group_profile_switches_total", "counter",
	    "Switches between the normal and congested ratio profiles.",
	    group_profile_switches, NULL);
	metrics_per_group(r, b, "group_utilization_percent", "gauge",
	    "Highest utilisation of the links towards the group's members.",
	    group_utilization, NULL);
	metrics_group_profiles(r, b);

	for (c = api_member_counters; c->name != NULL; c++) {
		snprintf(name, sizeof(name), "member_%s_total", c->name);
		metrics_per_member(r, b, name, "counter", c->help,
		    member_counter, c);
	}
	metrics_per_member(r, b, "member_flows", "gauge",
	    "Open flows pinned to the member.", member_flows, NULL);
	metrics_per_member(r, b, "member_sessions", "gauge",
	    "Sessions the member reported.", member_sessions_reported, NULL);
	metrics_per_member(r, b, "member_draining", "gauge",
	    "1 while the member is drained: it takes no new flows.",
	    member_draining, NULL);
	metrics_per_member(r, b, "member_load_percent", "gauge",
	    "Load the member reported, in percent.", member_load, NULL);
	metrics_member_states(r, b);
}

/* The membership protocol, the flow table, then each group. */
static void
metrics_anycast(struct router *r, struct evbuffer *b)
{
	int			 k, n = 0;

	metrics_head(b, "membership_messages_in_total", "counter",
	    "Membership messages received.");
	evbuffer_add_printf(b, "vrouter_membership_messages_in_total %llu\n",
	    (unsigned long long)r->stats.mp_in);
	metrics_head(b, "membership_messages_out_total", "counter",
	    "Membership messages sent.");
	evbuffer_add_printf(b, "vrouter_membership_messages_out_total %llu\n",
	    (unsigned long long)r->stats.mp_out);
	metrics_head(b, "membership_failures_total", "counter",
	    "Membership messages refused, all groups, by reason.");
	for (k = MP_REASON_NONE + 1; k <= MP_REASON_MAX &&
	    k < MP_REASON_SLOTS; k++)
		evbuffer_add_printf(b, "vrouter_membership_failures_total{"
		    "reason=\"%s\"} %llu\n", mp_reason_name(k),
		    (unsigned long long)r->stats.mp_fail[k]);

	if (r->flows != NULL) {
		metrics_gauge(b, "flows", "Flows in the flow table.",
		    (unsigned long long)flow_count(r->flows));
		metrics_gauge(b, "flows_capacity", "Size of the flow table.",
		    flow_capacity(r->flows));
		metrics_gauge(b, "flows_flood", "1 while the flow table is in "
		    "flood mode (past its high-water mark).",
		    flow_flood(r->flows));
		metrics_head(b, "flows_by_kind", "gauge", "Flows in the flow "
		    "table by kind: embryonic (TCP, no ACK from the client), "
		    "connected, datagram.");
		for (k = 0; k < FLOW_NKINDS; k++)
			evbuffer_add_printf(b, "vrouter_flows_by_kind{kind=\"%s\"} "
			    "%zu\n", flow_kind_name((enum flow_kind)k),
			    flow_count_kind(r->flows, (enum flow_kind)k));
		metrics_totals(b, "flows_", api_flow_counters,
		    flow_stats(r->flows));
	}
	for (k = 0; k < r->ngroups; k++)
		n += r->groups[k] != NULL;
	metrics_gauge(b, "groups", "Anycast groups.", (unsigned long long)n);
	metrics_groups(r, b);
}

static void
metrics_info(struct router *r, struct evbuffer *b)
{
	metrics_head(b, "info", "gauge", "Version and mode of the router.");
	evbuffer_add_printf(b, "vrouter_info{version=\"%s\",mode=\"%s\"} 1\n",
	    VROUTER_VERSION, r->pcap_mode ? "pcap" : "tap");
	metrics_head(b, "uptime_seconds", "gauge",
	    "Seconds since the router started.");
	evbuffer_add_printf(b, "vrouter_uptime_seconds %.3f\n",
	    (double)(r->now_ns - r->start_ns) / 1e9);
}

/* One family per interface counter, then the drops by reason. */
static void
metrics_ifaces(struct router *r, struct evbuffer *b)
{
	const struct api_counter *c;
	struct iface		*ifp;
	char			 name[64], l[IFNAMSIZ * 2 + 1];
	int			 k, d;

	metrics_head(b, "interface_mtu", "gauge", "MTU of the interface.");
	for (k = 0; k < r->nifaces; k++) {
		ifp = r->ifaces[k];
		evbuffer_add_printf(b, "vrouter_interface_mtu{interface="
		    "\"%s\"} %u\n", metrics_label(l, sizeof(l), ifp->name),
		    ifp->mtu);
	}
	for (c = api_iface_counters; c->name != NULL; c++) {
		snprintf(name, sizeof(name), "%s_total",
		    metrics_family(c->name));
		metrics_head(b, name, "counter", c->help);
		for (k = 0; k < r->nifaces; k++) {
			ifp = r->ifaces[k];
			evbuffer_add_printf(b, "vrouter_%s{interface=\"%s\"} "
			    "%llu\n", name, metrics_label(l, sizeof(l),
			    ifp->name), (unsigned long long)
			    api_counter_value(&ifp->stats, c));
		}
	}
	metrics_head(b, "drops_total", "counter",
	    "Packets dropped, by interface and reason.");
	for (k = 0; k < r->nifaces; k++) {
		ifp = r->ifaces[k];
		metrics_label(l, sizeof(l), ifp->name);
		for (d = DROP_NONE + 1; d < DROP_MAX; d++)
			evbuffer_add_printf(b, "vrouter_drops_total{interface="
			    "\"%s\",reason=\"%s\"} %llu\n", l, drop_names[d],
			    (unsigned long long)ifp->stats.drop[d]);
	}
}

static void
metrics_router(struct router *r, struct evbuffer *b)
{
	int	 d;

	metrics_totals(b, "router_", api_router_counters, &r->stats);
	metrics_head(b, "router_drops_total", "counter",
	    "Packets dropped, all interfaces, by reason.");
	for (d = DROP_NONE + 1; d < DROP_MAX; d++)
		evbuffer_add_printf(b, "vrouter_router_drops_total{reason="
		    "\"%s\"} %llu\n", drop_names[d],
		    (unsigned long long)r->stats.drop[d]);
}

/* Sizes of the tables and pools. */
static void
metrics_tables(struct router *r, struct evbuffer *b)
{
	struct metrics_nd	 nd;
	int			 d;

	metrics_gauge(b, "routes", "Routes in the routing table.",
	    (unsigned long long)rtable_count(r->rt));
	metrics_gauge(b, "neighbors", "Entries in the neighbor cache.",
	    nd_count(r));
	memset(&nd, 0, sizeof(nd));
	nd_walk(r, metrics_nd_cb, &nd);
	metrics_head(b, "neighbors_by_state", "gauge",
	    "Entries in the neighbor cache, by state.");
	for (d = 0; d < ND_STATE_MAX; d++)
		evbuffer_add_printf(b, "vrouter_neighbors_by_state{state="
		    "\"%s\"} %llu\n", nd_state_names[d], nd.count[d]);
	metrics_gauge(b, "buffers_free", "Free packet buffers.",
	    pbuf_available());
}

static void
metrics_captures(struct router *r, struct evbuffer *b)
{
	struct capture	*c;
	char		 l[IFNAMSIZ * 2 + 1];

	metrics_gauge(b, "captures_running", "Captures running.",
	    r->ncaptures_running);
	metrics_head(b, "capture_packets_total", "counter",
	    "Packets written by a capture.");
	TAILQ_FOREACH(c, &r->captures, entry)
		evbuffer_add_printf(b, "vrouter_capture_packets_total{capture="
		    "\"%u\",interface=\"%s\"} %llu\n", c->id, c->iface[0] ?
		    metrics_label(l, sizeof(l), c->iface) : "all",
		    (unsigned long long)c->packets);
	metrics_head(b, "capture_bytes_total", "counter",
	    "Bytes of the packets written by a capture.");
	TAILQ_FOREACH(c, &r->captures, entry)
		evbuffer_add_printf(b, "vrouter_capture_bytes_total{capture="
		    "\"%u\",interface=\"%s\"} %llu\n", c->id, c->iface[0] ?
		    metrics_label(l, sizeof(l), c->iface) : "all",
		    (unsigned long long)c->bytes);
}

/* RIPng: counters, errors by reason, neighbours and learned routes. */
static void
metrics_ripng(struct router *r, struct evbuffer *b)
{
	const struct ripng_stats *st = ripng_stats(r);
	const struct ripng_nbr	*n;
	char			 l[64];
	int			 count;

	if (st == NULL)
		return;
	metrics_totals(b, "ripng_", api_ripng_counters, st);
	metrics_head(b, "ripng_errors_total", "counter",
	    "RIPng packets or route entries refused, by reason.");
	for (int i = RIPNG_OK + 1; i < RIPNG_E_MAX; i++)
		evbuffer_add_printf(b, "vrouter_ripng_errors_total{reason="
		    "\"%s\"} %llu\n", ripng_err_name(i),
		    (unsigned long long)st->errors[i]);
	metrics_gauge(b, "ripng_routes", "Routes learned by RIPng.",
	    ripng_nroutes(r));
	n = ripng_nbrs(r, &count);
	metrics_head(b, "ripng_neighbor_routes", "gauge",
	    "Learned routes through each RIPng neighbour.");
	for (int i = 0; i < count; i++) {
		if (!n[i].used)
			continue;
		evbuffer_add_printf(b, "vrouter_ripng_neighbor_routes{interface="
		    "\"%s\",address=\"%s\"} %u\n", metrics_label(l, sizeof(l),
		    n[i].ifp->name), fmt_addr(&n[i].addr), n[i].routes);
	}
}

/* E-BB: the nine steps' counters, errors by reason, tables' sizes. */
static void
metrics_ebb(struct router *r, struct evbuffer *b)
{
	const struct ebb	*e = r->ebb;
	size_t			 nres = 0, nbrs = 0;

	if (e == NULL)
		return;
	metrics_totals(b, "ebb_", api_ebb_counters, &e->stats);
	metrics_head(b, "ebb_errors_total", "counter",
	    "E-BB messages refused by the codec, by reason.");
	for (int i = EBB_OK + 1; i < EBB_E_MAX; i++)
		evbuffer_add_printf(b, "vrouter_ebb_errors_total{reason="
		    "\"%s\"} %llu\n", ebb_err_name(i),
		    (unsigned long long)e->stats.errors[i]);
	for (size_t i = 0; i < EBB_RESV_MAX; i++)
		nres += e->resv[i].used;
	for (size_t i = 0; i < EBB_MAX_NBRS; i++)
		nbrs += e->nbrs[i].used;
	metrics_gauge(b, "ebb_routes", "Live entries of the E-BB's route "
	    "cache.", ebb_cache_count(e->cache, EBB_CACHE_MAX, NULL,
	    r->now_ns));
	metrics_gauge(b, "ebb_reservations", "Reservations held on this "
	    "router's links.", nres);
	metrics_gauge(b, "ebb_neighbors", "E-BB neighbours heard.", nbrs);
}

void
api_metrics(struct router *r, struct evbuffer *b)
{
	metrics_info(r, b);
	metrics_ifaces(r, b);
	metrics_router(r, b);
	metrics_tables(r, b);
	metrics_captures(r, b);
	metrics_anycast(r, b);
	metrics_totals(b, "dns_", api_dns_counters, &r->dns);
	metrics_ripng(r, b);
	metrics_ebb(r, b);
}
