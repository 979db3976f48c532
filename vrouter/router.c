/*
 * The router object: builds interfaces, addresses and routes from the
 * configuration, owns the clock and the periodic tick, and tears it all
 * down again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "addr.h"
#include "pbuf.h"
#include "route.h"
#include "nd.h"
#include "iface.h"
#include "anycast.h"
#include "router.h"
#include "ripng.h"
#include "ebb.h"
#include "api.h"

void
router_clock(struct router *r)
{
	if (!r->pcap_mode)
		r->now_ns = mono_ns();
}

void
router_tick(struct router *r)
{
	iface_meter_tick(r);
	nd_tick(r);
	ra_tick(r);
	anycast_tick(r);
	ripng_tick(r);
	ebb_tick(r);
	capture_tick(r);
	tap_uring_tick(r);
	if (r->pcap_mode)
		iface_em_tick(r);	/* live mode: a timer per queue */
}

static void
tick_cb(int fd, short ev, void *arg)
{
	struct router	*r = arg;

	(void)fd;
	(void)ev;
	router_clock(r);
	router_tick(r);
}

static int
iface_add_addr(struct router *r, struct iface *ifp, const struct in6_addr *a,
    uint8_t plen, char *err, size_t errlen)
{
	if (rtable_insert(r->local, a, 128, ifp) == -1) {
		snprintf(err, errlen, "%s: address %s is in use", ifp->name,
		    fmt_addr(a));
		return -1;
	}
	ifp->addrs[ifp->naddrs].addr = *a;
	ifp->addrs[ifp->naddrs].plen = plen;
	ifp->naddrs++;
	return 0;
}

static int
iface_create(struct router *r, const struct cfg_iface *c, char *err,
    size_t errlen)
{
	struct iface	*ifp;

	ifp = xcalloc(1, sizeof(*ifp));
	ifp->router = r;
	ifp->index = r->nifaces;
	ifp->conf = *c;
	ifp->name = ifp->conf.name;
	ifp->fd = -1;
	memcpy(ifp->mac, c->mac, ETH_ALEN_);
	ifp->mtu = c->mtu;
	r->ifaces[r->nifaces++] = ifp;

	eui64_linklocal(&ifp->lladdr, ifp->mac);
	if (iface_add_addr(r, ifp, &ifp->lladdr, 64, err, errlen) == -1)
		return -1;
	for (int i = 0; i < c->naddrs; i++) {
		if (iface_add_addr(r, ifp, &c->addrs[i].addr, c->addrs[i].plen,
		    err, errlen) == -1)
			return -1;
		route_add_connected(r, ifp, &c->addrs[i].addr,
		    c->addrs[i].plen);
	}
	ra_init_iface(r, ifp);

	if (r->pcap_mode) {
		if (pcapio_open(ifp, err, errlen) == -1)
			return -1;
	} else {
		if (tap_open(ifp, err, errlen) == -1 ||
		    tap_start(ifp, err, errlen) == -1)
			return -1;
	}
	log_info("%s: %s%s%s as %s, mac %s, mtu %u", __func__, ifp->name,
	    c->netns[0] ? " in netns " : "", c->netns, c->ifname,
	    fmt_mac(ifp->mac), ifp->mtu);
	for (int d = 0; d < LINKEM_DIRS; d++)
		iface_set_emulation(ifp, d, &c->emulation[d]);
	return 0;
}

/*
 * The TAPs' backend: io_uring where it works (or as configured), else
 * readv/writev.
 */
static int
io_start(struct router *r, char *err, size_t errlen)
{
	char	 why[256];

	if (r->conf->io_backend == CFG_IO_READV)
		return 0;
	if (tap_uring_init(r, why, sizeof(why)) == 0) {
		log_info("%s: TAP I/O through io_uring", __func__);
		return 0;
	}
	if (r->conf->io_backend == CFG_IO_AUTO) {
		log_info("%s: TAP I/O through readv (%s)", __func__, why);
		return 0;
	}
	snprintf(err, errlen, "io.backend uring: %s", why);
	return -1;
}

const char *
router_io_name(const struct router *r)
{
	if (r->pcap_mode)
		return "pcap";
	return r->uring != NULL ? "uring" : "readv";
}

int
router_init(struct router *r, struct config *conf, bool pcap_mode,
    char *err, size_t errlen)
{
	struct timeval	 tv = { 0, TICK_MS * 1000 };
	char		 why[256];

	r->conf = conf;
	r->pcap_mode = pcap_mode;
	TAILQ_INIT(&r->captures);
	r->next_capture_id = 1;
	if (!pcap_mode) {
		r->now_ns = r->start_ns = mono_ns();
		gettimeofday(&r->wall_base, NULL);
	}
	pbuf_pool_init(conf->pbufs);
	r->rt = rtable_new();
	r->local = rtable_new();
	nd_init(r);
	tb_init(&r->icmp_rl, conf->icmp_rate, conf->icmp_burst, r->now_ns);

	if (!pcap_mode && io_start(r, err, errlen) == -1)
		return -1;
	for (int i = 0; i < conf->nifaces; i++)
		if (iface_create(r, &conf->ifaces[i], err, errlen) == -1)
			return -1;
	for (int i = 0; i < conf->nroutes; i++) {
		if (route_add(r, &conf->routes[i], why, sizeof(why)) != 0) {
			snprintf(err, errlen, "routes[%d]: %s", i, why);
			return -1;
		}
	}
	anycast_init(r);
	for (int i = 0; i < conf->ngroups; i++) {
		if (group_add(r, &conf->groups[i], why, sizeof(why)) == -1) {
			snprintf(err, errlen, "groups[%d]: %s", i, why);
			return -1;
		}
	}
	ripng_init(r);
	ebb_init(r);
	for (int i = 0; i < r->nifaces; i++) {
		const struct cfg_capture *cc = &r->ifaces[i]->conf.capture;

		if (!cc->enabled)
			continue;
		if (capture_start(r, r->ifaces[i]->name, cc->direction,
		    cc->filter, cc->max_bytes, cc->rotate, why,
		    sizeof(why)) == NULL) {
			snprintf(err, errlen, "interfaces[%d].capture: %s", i,
			    why);
			return -1;
		}
	}
	if (!pcap_mode) {
		r->tick_ev = event_new(r->base, -1, EV_PERSIST, tick_cb, r);
		if (r->tick_ev == NULL || event_add(r->tick_ev, &tv) == -1)
			fatalx("%s: tick event", __func__);
	}
	return 0;
}

void
router_shutdown(struct router *r)
{
	router_clock(r);
	if (!r->pcap_mode)
		ra_shutdown(r);
	if (r->http != NULL)
		api_stop(r);
	capture_shutdown(r);
	if (r->tick_ev != NULL) {
		event_free(r->tick_ev);
		r->tick_ev = NULL;
	}
	ripng_shutdown(r);	/* before the groups and the TAPs go */
	ebb_shutdown(r);
	if (r->anycast != NULL)
		anycast_shutdown(r);
	free(r->mp_rl);
	r->mp_rl = NULL;
	if (r->nd != NULL)
		nd_shutdown(r);
	tap_uring_stop(r);	/* before the TAPs close */
	for (int i = 0; i < r->nifaces; i++) {
		struct iface	*ifp = r->ifaces[i];

		iface_em_free(ifp);
		if (ifp->kind == IFACE_PCAP)
			pcapio_close(ifp);
		else
			tap_close(ifp, r->conf->keep_taps);
		free(ifp);
	}
	r->nifaces = 0;
	if (r->rt != NULL) {
		route_flush(r);
		rtable_free(r->rt);
		r->rt = NULL;
	}
	if (r->local != NULL) {
		rtable_free(r->local);
		r->local = NULL;
	}
	/* The pool is one allocation: a leak checker cannot see into it. */
	if (pbuf_available() != r->conf->pbufs)
		log_warnx("%s: %u packet buffers not returned", __func__,
		    r->conf->pbufs - pbuf_available());
}
