/*
 * anycast-member: start-up, the event loop, and clean-up.
 *
 * Start-up is strict: every problem is one line and exit status 1.
 * Then one libevent loop: the raw ICMPv6 socket, the join/report/leave
 * timers (ctl.c), the session poll (diag.c), health checks (health.c)
 * and signals.  SIGTERM or SIGINT leave the group and remove the
 * anycast address from lo.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "agent.h"

#define MA_VERSION	"1.0"
#define MA_POLL_MS	200	/* while waiting for an address or route */
#define MA_ADDR_READY_MS 2000	/* for the anycast address on lo */

static struct agent	 agent;

static void
ma_sleep_ms(unsigned int ms)
{
	struct timespec	 ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static const char *
ma_priv_hint(int e)
{
	return e == EPERM || e == EACCES ? " (needs root, or CAP_NET_RAW and "
	    "CAP_NET_ADMIN)" : "";
}

/* U: -a, or the first global address of the interface, once usable. */
static void
ma_pick_unicast(struct agent *a)
{
	struct ma_addr_pick	 p;
	int			 waited = 0, rv;

	if (a->o.have_unicast) {
		a->unicast = a->o.unicast;
		return;
	}
	for (;;) {
		if ((rv = ma_nl_global_addr(a->ifindex, NULL, &p)) == -1)
			fatalx("cannot read the addresses of %s: %s",
			    a->o.ifname, strerror(errno));
		if (rv == 0)
			break;
		if (waited >= MA_WAIT_MS)
			fatalx("no global address on %s%s: give one with -a",
			    a->o.ifname, p.tentative ? " (one is still "
			    "tentative: duplicate address detection)" : "");
		if (waited == 0)
			log_info("waiting for a global address on %s",
			    a->o.ifname);
		ma_sleep_ms(MA_POLL_MS);
		waited += MA_POLL_MS;
	}
	a->unicast = p.addr;
}

/* The router: -r, or the default gateway on the interface. */
static void
ma_pick_router(struct agent *a)
{
	int	 waited = 0, rv;

	if (a->o.have_router) {
		a->router = a->o.router;
		a->router_given = true;
		return;
	}
	for (;;) {
		if ((rv = ma_nl_default_gw(a->ifindex, &a->router)) == -1)
			fatalx("cannot read the routes: %s", strerror(errno));
		if (rv == 0)
			return;
		if (waited >= MA_WAIT_MS)
			fatalx("no default route on %s after %d s: give the "
			    "router's address with -r", a->o.ifname,
			    MA_WAIT_MS / 1000);
		if (waited == 0)
			log_info("waiting for a default route on %s",
			    a->o.ifname);
		ma_sleep_ms(MA_POLL_MS);
		waited += MA_POLL_MS;
	}
}

/* A raw socket bound to U: retried while U is still tentative. */
static void
ma_open_socket(struct agent *a)
{
	char	 err[256];
	int	 waited = 0;

	while (ma_ctl_socket(a, err, sizeof(err)) == -1) {
		if (errno != EADDRNOTAVAIL || waited >= MA_WAIT_MS)
			fatalx("%s", err);
		ma_sleep_ms(MA_POLL_MS);
		waited += MA_POLL_MS;
	}
}

/* lo must be up for the anycast address to be delivered locally. */
static void
ma_lo_up(void)
{
	struct ifreq	 ifr;
	int		 s;

	if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1)
			fatalx("cannot bring lo up: %s%s", strerror(errno),
			    ma_priv_hint(errno));
		log_info("brought lo up");
	}
	close(s);
}

/*
 * Whether the kernel routes ADDR to this host: a UDP socket connected to
 * a local address gets that address as its source, one routed away gets
 * the outgoing interface's.
 */
static bool
ma_route_is_local(const struct in6_addr *addr)
{
	struct sockaddr_in6	 sin6, src;
	socklen_t		 len = sizeof(src);
	bool			 local = false;
	int			 s;

	if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = *addr;
	sin6.sin6_port = htons(9);	/* discard; nothing is sent */
	if (connect(s, (struct sockaddr *)&sin6, sizeof(sin6)) == 0 &&
	    getsockname(s, (struct sockaddr *)&src, &len) == 0)
		local = IN6_ARE_ADDR_EQUAL(&src.sin6_addr, addr);
	close(s);
	return local;
}

static void
ma_add_address(struct agent *a)
{
	struct ma_addr_pick	 p;
	int			 rv, waited;

	rv = ma_nl_addr(true, a->lo_index, &a->o.group, 128, IFA_F_NODAD);
	if (rv == -EEXIST) {
		log_info("%s/128 already on lo", fmt_addr(&a->o.group));
		return;
	}
	if (rv != 0)
		fatalx("cannot add %s/128 to lo: %s%s", fmt_addr(&a->o.group),
		    strerror(-rv), ma_priv_hint(-rv));
	a->addr_added = true;
	log_debug("added %s/128 to lo", fmt_addr(&a->o.group));
	/*
	 * Even without DAD the kernel finishes adding the address (and
	 * its local route) asynchronously: until then a connection to it
	 * would leave through the default route.
	 */
	for (waited = 0; waited < MA_ADDR_READY_MS; waited += 10) {
		if (ma_nl_global_addr(a->lo_index, &a->o.group, &p) != 1 &&
		    ma_route_is_local(&a->o.group))
			return;
		ma_sleep_ms(10);
	}
	log_warnx("%s/128 on lo is not ready yet", fmt_addr(&a->o.group));
}

static void
ma_del_address(struct agent *a)
{
	int	 rv;

	if (a->o.keep_address)
		return;
	rv = ma_nl_addr(false, a->lo_index, &a->o.group, 128, 0);
	if (rv == 0)
		log_info("removed %s/128 from lo", fmt_addr(&a->o.group));
	else if (rv != -EADDRNOTAVAIL)
		log_warnx("cannot remove %s/128 from lo: %s",
		    fmt_addr(&a->o.group), strerror(-rv));
}

/* What the direct path (an SRH ending in the anycast address) needs. */
static void
ma_sysctls(struct agent *a)
{
	const char	*ifs[] = { "all", a->o.ifname, "lo" };
	char		 path[128];
	size_t		 i;

	for (i = 0; i < sizeof(ifs) / sizeof(ifs[0]); i++) {
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/seg6_enabled",
		    ifs[i]);
		if (ma_sysctl_set(path, "1") == -1)
			log_warnx("cannot set %s=1: %s (the direct path "
			    "will not work)", path, strerror(errno));
	}
}

static void
ma_diag_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent		*a = arg;
	struct ma_diag_filter	 f;
	struct ma_sset		 tmp;

	(void)fd;
	(void)what;
	memset(&f, 0, sizeof(f));
	f.laddr = a->o.group;
	f.lport = a->o.port;
	if (ma_diag_query(a->diag, &f, &a->scratch) == -1) {
		if (!a->diag_warned)
			log_warnx("cannot count sessions: %s",
			    strerror(errno));
		a->diag_warned = true;
	} else {
		a->diag_warned = false;
		tmp = a->sessions;
		a->sessions = a->scratch;
		a->scratch = tmp;
		if (a->sessions_valid)
			ma_ctl_sessions_changed(a, &a->scratch);
		a->sessions_valid = true;
	}
	ma_timer_ms(a->ev_diag, a->o.interval_ms < MA_DIAG_POLL_MS ?
	    a->o.interval_ms : MA_DIAG_POLL_MS);
}

static void
ma_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct agent	*a = arg;

	(void)what;
	if (sig == SIGCHLD)
		ma_health_sigchld(a);
	else
		ma_ctl_leave(a);
}

static void
ma_event_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

int
main(int argc, char *argv[])
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGCHLD };
	struct agent	*a = &agent;
	char		 err[512];
	size_t		 i;
	int		 rv;

	rv = ma_opts_parse(argc, argv, &a->o, err, sizeof(err));
	if (rv == 1) {
		ma_usage(stdout);
		return 0;
	}
	if (rv == 2) {
		printf("%s %s\n", MA_NAME, MA_VERSION);
		return 0;
	}
	log_init(MA_NAME, a->o.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO,
	    LOG_F_STDERR | LOG_F_IDENT);
	if (rv == -1)
		fatalx("%s (see %s --help)", err, MA_NAME);
	if (sodium_init() < 0)
		fatalx("cannot initialise libsodium");
	signal(SIGPIPE, SIG_IGN);
	a->sock = -1;
	a->exit_code = 1;

	if ((a->sock = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_ICMPV6)) == -1)
		fatalx("cannot open a raw ICMPv6 socket: %s%s",
		    strerror(errno), ma_priv_hint(errno));
	if ((a->ifindex = (int)if_nametoindex(a->o.ifname)) == 0)
		fatalx("interface %s not found (in this network namespace)",
		    a->o.ifname);
	if ((a->lo_index = (int)if_nametoindex("lo")) == 0)
		fatalx("interface lo not found");
	ma_pick_unicast(a);
	ma_pick_router(a);
	ma_open_socket(a);
	if ((a->diag = ma_diag_open()) == NULL)
		fatalx("cannot open a NETLINK_SOCK_DIAG socket: %s",
		    strerror(errno));
	ma_lo_up();
	ma_add_address(a);
	ma_sysctls(a);

	event_set_log_callback(ma_event_log);
	if ((a->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		a->ev_sig[i] = evsignal_new(a->base, sigs[i], ma_signal_cb, a);
		if (a->ev_sig[i] == NULL || evsignal_add(a->ev_sig[i],
		    NULL) == -1)
			fatalx("cannot handle signals");
	}
	if ((a->ev_diag = evtimer_new(a->base, ma_diag_cb, a)) == NULL)
		fatalx("cannot create events");
	ma_health_init(a);
	log_info("group %s, member %s on %s, router %s, key id %u",
	    fmt_addr(&a->o.group), fmt_addr(&a->unicast), a->o.ifname,
	    fmt_addr(&a->router), a->o.key_id);

	ma_diag_cb(-1, 0, a);	/* a session count for the first REPORT */
	ma_health_start(a);
	ma_ctl_start(a);
	event_base_dispatch(a->base);

	ma_del_address(a);
	ma_health_free(a);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		event_free(a->ev_sig[i]);
	event_free(a->ev_diag);
	event_free(a->ev_sock);
	event_free(a->ev_join);
	event_free(a->ev_report);
	event_free(a->ev_leave);
	event_base_free(a->base);
	ma_sset_free(&a->sessions);
	ma_sset_free(&a->scratch);
	ma_diag_close(a->diag);
	close(a->sock);
	sodium_memzero(a->o.key, sizeof(a->o.key));
	return a->exit_code;
}
