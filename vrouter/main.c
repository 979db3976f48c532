/*
 * vrouter: a userspace IPv6 router on TAP interfaces in network
 * namespaces.  Start-up, signals and the event loop.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "log.h"
#include "iface.h"
#include "router.h"
#include "api.h"

#define DEFAULT_CONFIG		"/etc/vrouter/vrouter.json"
#define DEFAULT_LINGER_MS	3000

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: vrouter [-dhtV] [-c config] [-L linger-ms]\n"
	    "  -c config     JSON configuration (default %s)\n"
	    "  -d            debug logging\n"
	    "  -t            check the configuration and exit\n"
	    "  -L ms         fixture mode: virtual time to run after the "
	    "last input frame\n"
	    "  -V            print the version\n", DEFAULT_CONFIG);
	exit(2);
}

static void
signal_cb(int sig, short ev, void *arg)
{
	struct router	*r = arg;

	(void)ev;
	log_info("%s: %s, shutting down", __func__, strsignal(sig));
	event_base_loopbreak(r->base);
}

static bool
config_is_pcap(const struct config *conf)
{
	return conf->nifaces > 0 && conf->ifaces[0].pcap_in[0] != '\0';
}

/*
 * The epoll changelist folds the changes made to a descriptor between two
 * waits into one epoll_ctl: evhttp turns a connection's read and write
 * interest off and on again for every request, four calls without it
 * and two with it (docs/performance.md).  It misbehaves only with
 * descriptors cloned by dup(), which vrouter does not make.
 */
static struct event_base *
base_new(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	if ((cfg = event_config_new()) == NULL)
		return NULL;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

static void
make_token(struct router *r)
{
	unsigned char	 raw[16];

	if (r->conf->api_token[0] != '\0') {
		snprintf(r->api_token, sizeof(r->api_token), "%s",
		    r->conf->api_token);
		return;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(r->api_token, sizeof(r->api_token), raw, sizeof(raw));
	/* Printed once so that an operator can use the write API. */
	fprintf(stderr, "vrouter: generated API token: %s\n", r->api_token);
}

int
main(int argc, char *argv[])
{
	struct router	 router;
	struct router	*r = &router;
	struct config	*conf;
	const char	*path = DEFAULT_CONFIG;
	char		 err[512], *end;
	uint64_t	 linger = DEFAULT_LINGER_MS;
	int		 ch, debug = 0, check = 0;
	bool		 pcap_mode;

	while ((ch = getopt(argc, argv, "c:dhL:tV")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'L':
			linger = strtoull(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0')
				usage();
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("vrouter %s\n", VROUTER_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("vrouter", debug ? LOG_LVL_DEBUG : LOG_LVL_INFO,
	    LOG_F_STDERR | LOG_F_TIME);
	conf = config_new();
	if (config_load(path, conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "vrouter: %s: %s\n", path, err);
		config_free(conf);
		return 1;
	}
	if (check) {
		printf("vrouter: %s: configuration OK\n", path);
		config_free(conf);
		return 0;
	}
	if (!debug)
		log_level = conf->log_level;
	if (sodium_init() == -1)
		fatalx("libsodium initialisation failed");
	log_route_libevent();
	signal(SIGPIPE, SIG_IGN);

	memset(r, 0, sizeof(*r));
	pcap_mode = config_is_pcap(conf);
	if ((r->base = base_new()) == NULL)
		fatalx("cannot create the event base");
	if (router_init(r, conf, pcap_mode, err, sizeof(err)) == -1 ||
	    (conf->api_enabled && (make_token(r), api_start(r, err,
	    sizeof(err))) == -1)) {
		log_warnx("%s", err);
		router_shutdown(r);
		event_base_free(r->base);
		config_free(conf);
		return 1;
	}

	if (pcap_mode) {
		pcapio_run(r, linger);
	} else {
		r->sig_ev[0] = evsignal_new(r->base, SIGINT, signal_cb, r);
		r->sig_ev[1] = evsignal_new(r->base, SIGTERM, signal_cb, r);
		event_add(r->sig_ev[0], NULL);
		event_add(r->sig_ev[1], NULL);
		log_info("vrouter %s running with %d interfaces",
		    VROUTER_VERSION, r->nifaces);
		event_base_dispatch(r->base);
		event_free(r->sig_ev[0]);
		event_free(r->sig_ev[1]);
	}
	router_shutdown(r);
	event_base_free(r->base);
	config_free(conf);
	return 0;
}
