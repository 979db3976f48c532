/*
 * GET /metrics: the router's counters in the Prometheus text
 * exposition format (version 0.0.4).  Every family has HELP and TYPE
 * lines and all of its samples together, as the format requires.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "api.h"
#include "flow.h"
#include "member_proto.h"

static const struct {
	const char	*name;		/* without vrouter_ and _total */
	size_t		 off;
	const char	*help;
} metrics_iface[] = {
#define M(f, h) { #f, offsetof(struct iface_stats, f), h }
	M(rx_packets, "Frames received."),
	M(rx_bytes, "Bytes received."),
	M(tx_packets, "Frames sent."),
	M(tx_bytes, "Bytes sent."),
	M(rx_gso, "GSO super-frames received."),
	M(tx_gso, "GSO super-frames sent."),
	M(forwarded, "Packets received on the interface and forwarded."),
	M(local_in, "Packets received and addressed to the router."),
	M(icmp_in, "ICMPv6 messages received."),
	M(icmp_out, "ICMPv6 messages sent."),
	M(ns_in, "Neighbor Solicitations received."),
	M(na_in, "Neighbor Advertisements received."),
	M(ns_out, "Neighbor Solicitations sent."),
	M(na_out, "Neighbor Advertisements sent."),
	M(rs_in, "Router Solicitations received."),
	M(ra_out, "Router Advertisements sent."),
	M(echo_in, "Echo Requests received."),
	M(echo_out, "Echo Replies sent."),
	M(errors_out, "ICMPv6 errors sent."),
	M(errors_ratelimited, "ICMPv6 errors suppressed by the rate limit."),
#undef M
};

static const struct {
	const char	*name;
	size_t		 off;
	const char	*help;
} metrics_router[] = {
#define M(f, h) { #f, offsetof(struct router_stats, f), h }
	M(forwarded, "Packets forwarded, all interfaces."),
	M(local_in, "Packets addressed to the router, all interfaces."),
	M(errors_out, "ICMPv6 errors sent, all interfaces."),
	M(errors_ratelimited, "ICMPv6 errors suppressed, all interfaces."),
#undef M
};

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

static const struct {
	const char	*name;
	size_t		 off;
	const char	*help;
} metrics_flow[] = {
#define M(f, h) { #f, offsetof(struct flow_stats, f), h }
	M(inserted, "Flows added to the flow table."),
	M(expired, "Flows removed after their idle timeout."),
	M(evicted, "Live flows removed to make room."),
	M(removed, "Flows removed by a flush, a member leaving or a new "
	    "choice."),
#undef M
};

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

/* Groups and members, labelled "group" and "member" by address. */
static void
metrics_groups(struct router *r, struct evbuffer *b)
{
	const struct api_counter *c;
	const struct group	*g;
	const struct member	*m;
	char			 name[64], ga[INET6_ADDRSTRLEN];
	char			 ma[INET6_ADDRSTRLEN];
	int			 i, j, k;

	for (c = api_group_counters; c->name != NULL; c++) {
		snprintf(name, sizeof(name), "group_%s_total", c->name);
		metrics_per_group(r, b, name, "counter", c->help,
		    group_counter, c);
	}
	metrics_head(b, "group_auth_failures_total", "counter",
	    "Membership messages refused, by group and reason.");
	for (i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		inet_ntop(AF_INET6, &g->conf.addr, ga, sizeof(ga));
		for (k = MP_REASON_NONE + 1; k <= MP_REASON_MAX &&
		    k < GROUP_AUTH_REASONS; k++)
			evbuffer_add_printf(b, "vrouter_group_auth_failures_"
			    "total{group=\"%s\",reason=\"%s\"} %llu\n", ga,
			    mp_reason_name(k),
			    (unsigned long long)g->stats.auth_fail[k]);
	}
	metrics_per_group(r, b, "group_members", "gauge",
	    "Members of the group, static and joined.", group_members, NULL);
	metrics_per_group(r, b, "group_flows", "gauge",
	    "Open flows pinned to the group's members.", group_flows, NULL);
	metrics_per_group(r, b, "group_pending", "gauge",
	    "Packets parked while members are probed.", group_pending, NULL);

	for (c = api_member_counters; c->name != NULL; c++) {
		snprintf(name, sizeof(name), "member_%s_total", c->name);
		metrics_per_member(r, b, name, "counter", c->help,
		    member_counter, c);
	}
	metrics_per_member(r, b, "member_flows", "gauge",
	    "Open flows pinned to the member.", member_flows, NULL);
	metrics_per_member(r, b, "member_sessions", "gauge",
	    "Sessions the member reported.", member_sessions_reported, NULL);
	metrics_per_member(r, b, "member_load_percent", "gauge",
	    "Load the member reported, in percent.", member_load, NULL);
	metrics_head(b, "member_state", "gauge",
	    "1 for the member's state, 0 for the others.");
	for (i = 0; i < r->ngroups; i++) {
		if ((g = r->groups[i]) == NULL)
			continue;
		inet_ntop(AF_INET6, &g->conf.addr, ga, sizeof(ga));
		for (j = 0; j < CFG_MAX_MEMBERS; j++) {
			m = &g->members[j];
			if (!m->used)
				continue;
			inet_ntop(AF_INET6, &m->addr, ma, sizeof(ma));
			for (k = 0; k < MS_MAX; k++)
				evbuffer_add_printf(b, "vrouter_member_state{"
				    "group=\"%s\",member=\"%s\",state="
				    "\"%s\"} %d\n", ga, ma,
				    member_state_names[k],
				    m->state == (enum member_state)k);
		}
	}
}

/* The membership protocol, the flow table, then each group. */
static void
metrics_anycast(struct router *r, struct evbuffer *b)
{
	const struct flow_stats	*fs;
	const uint64_t		*v;
	char			 name[64];
	size_t			 i;
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
	    k < GROUP_AUTH_REASONS; k++)
		evbuffer_add_printf(b, "vrouter_membership_failures_total{"
		    "reason=\"%s\"} %llu\n", mp_reason_name(k),
		    (unsigned long long)r->stats.mp_fail[k]);

	if (r->flows != NULL) {
		metrics_gauge(b, "flows", "Flows in the flow table.",
		    (unsigned long long)flow_count(r->flows));
		metrics_gauge(b, "flows_capacity", "Size of the flow table.",
		    flow_capacity(r->flows));
		fs = flow_stats(r->flows);
		for (i = 0; i < sizeof(metrics_flow) / sizeof(metrics_flow[0]);
		    i++) {
			v = (const uint64_t *)(const void *)((const char *)fs +
			    metrics_flow[i].off);
			snprintf(name, sizeof(name), "flows_%s_total",
			    metrics_flow[i].name);
			metrics_head(b, name, "counter", metrics_flow[i].help);
			evbuffer_add_printf(b, "vrouter_%s %llu\n", name,
			    (unsigned long long)*v);
		}
	}
	for (k = 0; k < r->ngroups; k++)
		n += r->groups[k] != NULL;
	metrics_gauge(b, "groups", "Anycast groups.", (unsigned long long)n);
	metrics_groups(r, b);
}

void
api_metrics(struct router *r, struct evbuffer *b)
{
	struct metrics_nd	 nd;
	struct capture		*c;
	struct iface		*ifp;
	const uint64_t		*v;
	char			 name[64], l1[IFNAMSIZ * 2 + 1];
	char			 l2[IFNAMSIZ * 2 + 1];
	size_t			 i;
	int			 k, d;

	metrics_head(b, "info", "gauge", "Version and mode of the router.");
	evbuffer_add_printf(b, "vrouter_info{version=\"%s\",mode=\"%s\"} 1\n",
	    VROUTER_VERSION, r->pcap_mode ? "pcap" : "tap");
	metrics_head(b, "uptime_seconds", "gauge",
	    "Seconds since the router started.");
	evbuffer_add_printf(b, "vrouter_uptime_seconds %.3f\n",
	    (double)(r->now_ns - r->start_ns) / 1e9);

	metrics_head(b, "interface_up", "gauge",
	    "Whether the interface is up.");
	for (k = 0; k < r->nifaces; k++) {
		ifp = r->ifaces[k];
		evbuffer_add_printf(b, "vrouter_interface_up{interface=\"%s\"} "
		    "%d\n", metrics_label(l1, sizeof(l1), ifp->name),
		    ifp->up ? 1 : 0);
	}
	metrics_head(b, "interface_mtu", "gauge", "MTU of the interface.");
	for (k = 0; k < r->nifaces; k++) {
		ifp = r->ifaces[k];
		evbuffer_add_printf(b, "vrouter_interface_mtu{interface="
		    "\"%s\"} %u\n", metrics_label(l1, sizeof(l1), ifp->name),
		    ifp->mtu);
	}
	for (i = 0; i < sizeof(metrics_iface) / sizeof(metrics_iface[0]);
	    i++) {
		snprintf(name, sizeof(name), "%s_total", metrics_iface[i].name);
		metrics_head(b, name, "counter", metrics_iface[i].help);
		for (k = 0; k < r->nifaces; k++) {
			ifp = r->ifaces[k];
			v = (const uint64_t *)(const void *)
			    ((const char *)&ifp->stats + metrics_iface[i].off);
			evbuffer_add_printf(b, "vrouter_%s{interface=\"%s\"} "
			    "%llu\n", name, metrics_label(l1, sizeof(l1),
			    ifp->name), (unsigned long long)*v);
		}
	}
	metrics_head(b, "drops_total", "counter",
	    "Packets dropped, by interface and reason.");
	for (k = 0; k < r->nifaces; k++) {
		ifp = r->ifaces[k];
		metrics_label(l1, sizeof(l1), ifp->name);
		for (d = DROP_NONE + 1; d < DROP_MAX; d++)
			evbuffer_add_printf(b, "vrouter_drops_total{interface="
			    "\"%s\",reason=\"%s\"} %llu\n", l1, drop_names[d],
			    (unsigned long long)ifp->stats.drop[d]);
	}

	for (i = 0; i < sizeof(metrics_router) / sizeof(metrics_router[0]);
	    i++) {
		snprintf(name, sizeof(name), "router_%s_total",
		    metrics_router[i].name);
		v = (const uint64_t *)(const void *)((const char *)&r->stats +
		    metrics_router[i].off);
		metrics_head(b, name, "counter", metrics_router[i].help);
		evbuffer_add_printf(b, "vrouter_%s %llu\n", name,
		    (unsigned long long)*v);
	}
	metrics_head(b, "router_drops_total", "counter",
	    "Packets dropped, all interfaces, by reason.");
	for (d = DROP_NONE + 1; d < DROP_MAX; d++)
		evbuffer_add_printf(b, "vrouter_router_drops_total{reason="
		    "\"%s\"} %llu\n", drop_names[d],
		    (unsigned long long)r->stats.drop[d]);

	metrics_gauge(b, "routes", "Routes in the routing table.",
	    (unsigned long long)rtable_count(r->rt));
	metrics_gauge(b, "neighbors", "Entries in the neighbor cache.",
	    r->nneighbors);
	memset(&nd, 0, sizeof(nd));
	nd_walk(r, metrics_nd_cb, &nd);
	metrics_head(b, "neighbors_by_state", "gauge",
	    "Entries in the neighbor cache, by state.");
	for (d = 0; d < ND_STATE_MAX; d++)
		evbuffer_add_printf(b, "vrouter_neighbors_by_state{state="
		    "\"%s\"} %llu\n", nd_state_names[d], nd.count[d]);
	metrics_gauge(b, "buffers_free", "Free packet buffers.",
	    pbuf_available());
	metrics_gauge(b, "captures_running", "Captures running.",
	    r->ncaptures_running);

	metrics_head(b, "capture_packets_total", "counter",
	    "Packets written by a capture.");
	TAILQ_FOREACH(c, &r->captures, entry)
		evbuffer_add_printf(b, "vrouter_capture_packets_total{capture="
		    "\"%u\",interface=\"%s\"} %llu\n", c->id, c->iface[0] ?
		    metrics_label(l2, sizeof(l2), c->iface) : "all",
		    (unsigned long long)c->packets);
	metrics_head(b, "capture_bytes_total", "counter",
	    "Bytes of the packets written by a capture.");
	TAILQ_FOREACH(c, &r->captures, entry)
		evbuffer_add_printf(b, "vrouter_capture_bytes_total{capture="
		    "\"%u\",interface=\"%s\"} %llu\n", c->id, c->iface[0] ?
		    metrics_label(l2, sizeof(l2), c->iface) : "all",
		    (unsigned long long)c->bytes);
	metrics_anycast(r, b);
}
