/*
 * Packet-fixture mode: interfaces bound to pcap files instead of TAPs.
 * Input files are merged by timestamp and replayed on a virtual clock, so
 * a whole-pipeline test is deterministic and needs no privileges; what
 * each interface transmits goes to its output file, stamped with the
 * virtual time.
 */
#include <string.h>

#include <pcap/pcap.h>

#include "log.h"
#include "pbuf.h"
#include "iface.h"
#include "fwd.h"
#include "router.h"

#define PCAPIO_SNAPLEN	262144

int
pcapio_open(struct iface *ifp, char *err, size_t errlen)
{
	char	 ebuf[PCAP_ERRBUF_SIZE];

	if ((ifp->pin = pcap_open_offline(ifp->conf.pcap_in, ebuf)) == NULL) {
		snprintf(err, errlen, "%s: %s", ifp->conf.pcap_in, ebuf);
		return -1;
	}
	if (pcap_datalink(ifp->pin) != DLT_EN10MB) {
		snprintf(err, errlen, "%s: not an Ethernet capture",
		    ifp->conf.pcap_in);
		goto fail;
	}
	ifp->pout_dead = pcap_open_dead(DLT_EN10MB, PCAPIO_SNAPLEN);
	if ((ifp->pout = pcap_dump_open(ifp->pout_dead,
	    ifp->conf.pcap_out)) == NULL) {
		snprintf(err, errlen, "%s: %s", ifp->conf.pcap_out,
		    pcap_geterr(ifp->pout_dead));
		pcap_close(ifp->pout_dead);
		ifp->pout_dead = NULL;
		goto fail;
	}
	ifp->kind = IFACE_PCAP;
	ifp->fd = -1;
	return 0;
fail:
	pcap_close(ifp->pin);
	ifp->pin = NULL;
	return -1;
}

void
pcapio_close(struct iface *ifp)
{
	if (ifp->pout != NULL) {
		pcap_dump_close(ifp->pout);
		ifp->pout = NULL;
	}
	if (ifp->pout_dead != NULL) {
		pcap_close(ifp->pout_dead);
		ifp->pout_dead = NULL;
	}
	if (ifp->pin != NULL) {
		pcap_close(ifp->pin);
		ifp->pin = NULL;
	}
}

int
pcapio_write(struct iface *ifp, struct pbuf *pb)
{
	struct pcap_pkthdr	 h;

	router_walltime(ifp->router, &h.ts);
	h.caplen = h.len = pb->len;
	pcap_dump((u_char *)ifp->pout, &h, pb->data);
	return 0;
}

/* The next frame of one input, read ahead. */
struct pending {
	struct pbuf	*pb;
	uint64_t	 ts_ns;
};

static void
pcapio_next(struct iface *ifp, struct pending *pd)
{
	struct pcap_pkthdr	*h;
	const u_char		*data;

	pd->pb = NULL;
	if (ifp->pin == NULL || pcap_next_ex(ifp->pin, &h, &data) != 1)
		return;
	if ((pd->pb = pbuf_alloc()) == NULL)
		fatalx("%s: out of buffers", __func__);
	pd->pb->len = h->caplen < PBUF_DATA ? h->caplen : PBUF_DATA;
	memcpy(pd->pb->data, data, pd->pb->len);
	pd->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull +
	    (uint64_t)h->ts.tv_usec * 1000ull;
}

/* Run the clock forward to t, firing the periodic work on the way. */
static void
advance(struct router *r, uint64_t *next_tick, uint64_t t)
{
	while (*next_tick <= t) {
		r->now_ns = *next_tick;
		router_tick(r);
		*next_tick += TICK_MS * 1000000ull;
	}
	r->now_ns = t;
}

int
pcapio_run(struct router *r, uint64_t linger_ms)
{
	struct pending	 pd[CFG_MAX_IFACES];
	uint64_t	 next_tick = 0, last = 0;
	bool		 started = false;
	int		 i, best;

	for (i = 0; i < r->nifaces; i++)
		pcapio_next(r->ifaces[i], &pd[i]);
	for (;;) {
		best = -1;
		for (i = 0; i < r->nifaces; i++)
			if (pd[i].pb != NULL && (best == -1 ||
			    pd[i].ts_ns < pd[best].ts_ns))
				best = i;
		if (best == -1)
			break;
		if (!started) {
			/* The clock starts at the first frame. */
			r->now_ns = r->start_ns = next_tick = pd[best].ts_ns;
			router_tick(r);
			next_tick += TICK_MS * 1000000ull;
			started = true;
		}
		if (pd[best].ts_ns > r->now_ns)
			advance(r, &next_tick, pd[best].ts_ns);
		last = r->now_ns;
		router_input(r, r->ifaces[best], pd[best].pb);
		pcapio_next(r->ifaces[best], &pd[best]);
	}
	if (started)
		advance(r, &next_tick, last + linger_ms * 1000000ull);
	return 0;
}
