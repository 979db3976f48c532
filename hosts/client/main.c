/*
 * anycast-client: start-up, the event loop, and clean-up.
 *
 * Start-up is strict: every problem is one line and exit status 1.
 * Then one libevent loop: the capture (a reply with a routing header
 * puts its connection on the direct path), the socket poll (ended and
 * idle connections leave it), the status socket and signals.  What a
 * previous run left is removed at start, everything at exit.
 */
#include <sys/socket.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include "client.h"
#include "util.h"

#define CL_VERSION	"1.0"

struct client {
	struct cl_opts		 o;
	struct cl_maps		 maps;
	struct cl_counters	 k;
	struct cl_socks		 socks;
	struct mnl_socket	*rt;		/* NETLINK_ROUTE */
	struct mnl_socket	*diag;		/* NETLINK_SOCK_DIAG */
	pcap_t			*pcap;
	int			 ctl;		/* status socket */
	bool			 diag_warned;
	struct event_base	*base;
	struct event		*ev_pcap, *ev_poll, *ev_ctl, *ev_sig[2];
};

static struct client	 client;

static const char *
cl_priv_hint(int e)
{
	return e == EPERM || e == EACCES ? " (needs root, or CAP_NET_ADMIN "
	    "and CAP_NET_RAW)" : "";
}

/* Put a learnt connection on the direct path: table first, then rule. */
static void
cl_install(struct client *cl, const struct cl_conn *c)
{
	struct cl_map	*e;
	struct cl_table	*t;
	uint32_t	 table;
	bool		 fresh;

	if ((e = cl_maps_find(&cl->maps, &c->any, c->lport, c->rport)) != NULL) {
		if (!IN6_ARE_ADDR_EQUAL(&e->c.member, &c->member))
			log_debug("%s port %u: member %s, not %s: kept",
			    fmt_addr(&c->any), c->lport, fmt_addr(&e->c.member),
			    fmt_addr(&c->member));
		return;
	}
	if ((e = cl_maps_reserve(&cl->maps, c, &fresh)) == NULL) {
		if (cl->k.full++ == 0)
			log_warnx("table full (%u connections): new ones stay "
			    "on the router's path", cl->o.max);
		return;
	}
	t = &cl->maps.tables[e->table];
	table = cl->o.table_base + e->table;
	if (fresh) {
		if (cl_rt_nexthop(cl->rt, &c->member, &t->gw, &t->oif) == -1) {
			log_warnx("no route to member %s: %s", fmt_addr(&c->member),
			    strerror(errno));
			cl->k.errors++;
			return;
		}
		if (cl_rt_route(cl->rt, true, t, table) == -1 &&
		    errno != EEXIST) {
			log_warnx("cannot add the route to %s via %s in table "
			    "%u: %s", fmt_addr(&c->any), fmt_addr(&c->member),
			    table, strerror(errno));
			cl->k.errors++;
			return;
		}
	}
	if (cl_rt_rule(cl->rt, true, c, cl->o.priority, table) == -1 &&
	    errno != EEXIST) {
		log_warnx("cannot add the rule for %s port %u: %s",
		    fmt_addr(&c->any), c->lport, strerror(errno));
		cl->k.errors++;
		if (fresh)
			(void)cl_rt_route(cl->rt, false, t, table);
		return;
	}
	cl_maps_commit(&cl->maps, e, mono_ns());
	cl->k.learned++;
	log_debug("%s port %u -> %u: member %s, table %u", fmt_addr(&c->any),
	    c->lport, c->rport, fmt_addr(&c->member), table);
}

static void
cl_remove(struct client *cl, struct cl_map *e, const char *why)
{
	uint32_t	 table = cl->o.table_base + e->table;

	if (cl_rt_rule(cl->rt, false, &e->c, cl->o.priority, table) == -1)
		log_warnx("cannot remove the rule for %s port %u: %s",
		    fmt_addr(&e->c.any), e->c.lport, strerror(errno));
	log_debug("%s port %u: %s", fmt_addr(&e->c.any), e->c.lport, why);
	if (cl_maps_release(&cl->maps, e) && cl_rt_route(cl->rt, false,
	    &cl->maps.tables[e->table], table) == -1)
		log_warnx("cannot remove the route of table %u: %s", table,
		    strerror(errno));
}

static void
cl_pcap_one(u_char *arg, const struct pcap_pkthdr *h, const u_char *frame)
{
	struct client	*cl = (struct client *)(void *)arg;
	struct cl_conn	 c;

	if (cl_learn(frame, h->caplen, cl->o.prefixes, cl->o.nprefixes,
	    &c) == 0)
		cl_install(cl, &c);
}

static void
cl_pcap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client	*cl = arg;

	(void)fd, (void)what;
	if (pcap_dispatch(cl->pcap, -1, cl_pcap_one, (u_char *)cl) == -1)
		log_warnx("capture: %s", pcap_geterr(cl->pcap));
}

static void
cl_timer_ms(struct event *ev, uint32_t ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

/* Connections whose socket is gone or closing, or idle, leave. */
static void
cl_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client		*cl = arg;
	const struct cl_sock	*s;
	struct cl_map		*e;
	uint32_t		 i;

	(void)fd, (void)what;
	if (cl->maps.n > 0 && cl_diag_query(cl->diag, &cl->socks) == -1) {
		if (!cl->diag_warned)
			log_warnx("cannot read the sockets: %s",
			    strerror(errno));
		cl->diag_warned = true;
	} else if (cl->maps.n > 0) {
		cl->diag_warned = false;
		for (i = 0; i < cl->maps.max; i++) {
			e = &cl->maps.v[i];
			if (!e->used)
				continue;
			s = cl_socks_find(&cl->socks, &e->c.any, e->c.lport,
			    e->c.rport);
			if (s == NULL) {
				cl->k.closed++;
				cl_remove(cl, e, "connection ended");
			} else if (cl->o.idle_s != 0 &&
			    s->idle_ms / 1000 >= cl->o.idle_s) {
				cl->k.idle++;
				cl_remove(cl, e, "idle");
			}
		}
	}
	cl_timer_ms(cl->ev_poll, cl->o.poll_ms);
}

static void
cl_ctl_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client	*cl = arg;
	json_t		*doc;

	(void)what;
	doc = cl_status_json(&cl->maps, &cl->k, &cl->o, mono_ns());
	cl_status_answer(fd, doc);
	json_decref(doc);
}

static void
cl_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct client	*cl = arg;

	(void)what;
	log_info("%s: removing %u connections from the direct path",
	    strsignal(sig), cl->maps.n);
	event_base_loopbreak(cl->base);
}

static void
cl_open_pcap(struct client *cl)
{
	char			 errbuf[PCAP_ERRBUF_SIZE], filter[1024];
	struct bpf_program	 prog;

	if ((cl->pcap = pcap_create(cl->o.ifname, errbuf)) == NULL)
		fatalx("cannot capture on %s: %s", cl->o.ifname, errbuf);
	if (pcap_set_snaplen(cl->pcap, CL_SNAPLEN) != 0 ||
	    pcap_set_immediate_mode(cl->pcap, 1) != 0 ||
	    pcap_activate(cl->pcap) < 0)
		fatalx("cannot capture on %s: %s%s", cl->o.ifname,
		    pcap_geterr(cl->pcap), cl_priv_hint(EPERM));
	if (pcap_datalink(cl->pcap) != DLT_EN10MB)
		fatalx("%s is not an Ethernet interface", cl->o.ifname);
	(void)pcap_setdirection(cl->pcap, PCAP_D_IN);
	if (cl_bpf_filter(filter, sizeof(filter), cl->o.prefixes,
	    cl->o.nprefixes) == -1 || pcap_compile(cl->pcap, &prog, filter, 1,
	    PCAP_NETMASK_UNKNOWN) == -1 || pcap_setfilter(cl->pcap,
	    &prog) == -1)
		fatalx("capture filter \"%s\": %s", filter,
		    pcap_geterr(cl->pcap));
	pcap_freecode(&prog);
	if (pcap_setnonblock(cl->pcap, 1, errbuf) == -1)
		fatalx("capture: %s", errbuf);
	log_debug("capture filter: %s", filter);
}

int
main(int argc, char *argv[])
{
	static const int sigs[] = { SIGTERM, SIGINT };
	struct client	*cl = &client;
	char		 err[512];
	size_t		 i;
	int		 rv;

	rv = cl_opts_parse(argc, argv, &cl->o, err, sizeof(err));
	if (rv == 1) {
		cl_usage(stdout);
		return 0;
	}
	if (rv == 2) {
		printf("%s %s\n", CL_NAME, CL_VERSION);
		return 0;
	}
	log_init(CL_NAME, cl->o.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO,
	    LOG_F_STDERR | LOG_F_IDENT);
	if (rv == -1)
		fatalx("%s (see %s --help)", err, CL_NAME);
	if (cl->o.status)
		return cl_status_query(cl->o.control, cl->o.json, stdout);
	signal(SIGPIPE, SIG_IGN);

	if ((cl->rt = nl_open(NETLINK_ROUTE)) == NULL ||
	    (cl->diag = nl_open(NETLINK_SOCK_DIAG)) == NULL)
		fatalx("cannot open a netlink socket: %s", strerror(errno));
	if ((rv = cl_rt_flush(cl->rt)) == -1)
		fatalx("cannot remove the rules and routes of a previous run: "
		    "%s%s", strerror(errno), cl_priv_hint(errno));
	if (rv > 0)
		log_info("removed %d rules and routes left by a previous run",
		    rv);
	cl_open_pcap(cl);
	if (cl_maps_init(&cl->maps, cl->o.max) == -1)
		fatalx("out of memory");
	if ((cl->ctl = cl_status_listen(cl->o.control, err,
	    sizeof(err))) == -1)
		fatalx("%s", err);

	log_route_libevent();
	if ((cl->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	for (i = 0; i < NITEMS(sigs); i++) {
		cl->ev_sig[i] = evsignal_new(cl->base, sigs[i], cl_signal_cb,
		    cl);
		if (cl->ev_sig[i] == NULL || evsignal_add(cl->ev_sig[i],
		    NULL) == -1)
			fatalx("cannot handle signals");
	}
	cl->ev_pcap = event_new(cl->base, pcap_get_selectable_fd(cl->pcap),
	    EV_READ | EV_PERSIST, cl_pcap_cb, cl);
	cl->ev_ctl = event_new(cl->base, cl->ctl, EV_READ | EV_PERSIST,
	    cl_ctl_cb, cl);
	cl->ev_poll = evtimer_new(cl->base, cl_poll_cb, cl);
	if (cl->ev_pcap == NULL || cl->ev_ctl == NULL || cl->ev_poll == NULL ||
	    event_add(cl->ev_pcap, NULL) == -1 || event_add(cl->ev_ctl,
	    NULL) == -1)
		fatalx("cannot create events");
	cl_timer_ms(cl->ev_poll, cl->o.poll_ms);
	log_info("watching %s for routing headers; up to %u connections, "
	    "rules at priority %u, tables %u-%u, status on %s", cl->o.ifname,
	    cl->o.max, cl->o.priority, cl->o.table_base,
	    cl->o.table_base + cl->o.max - 1, cl->o.control);
	event_base_dispatch(cl->base);

	for (i = 0; i < cl->maps.max; i++)
		if (cl->maps.v[i].used)
			cl_remove(cl, &cl->maps.v[i], "exit");
	if ((rv = cl_rt_flush(cl->rt)) > 0)
		log_warnx("removed %d more rules and routes of ours", rv);
	(void)unlink(cl->o.control);
	for (i = 0; i < NITEMS(sigs); i++)
		event_free(cl->ev_sig[i]);
	event_free(cl->ev_pcap);
	event_free(cl->ev_ctl);
	event_free(cl->ev_poll);
	event_base_free(cl->base);
	pcap_close(cl->pcap);
	close(cl->ctl);
	cl_maps_free(&cl->maps);
	cl_socks_free(&cl->socks);
	mnl_socket_close(cl->rt);
	mnl_socket_close(cl->diag);
	log_info("exiting");
	return 0;
}
