/*
 * Neighbour discovery: the state machine table, and the cache driven
 * through nd_output()/nd_input()/nd_tick() on an interface whose frames
 * go to a pcap file, on a clock the test moves.
 */
#include <criterion/criterion.h>

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "pbuf.h"
#include "route.h"
#include "nd.h"
#include "iface.h"
#include "router.h"

Test(nd_fsm, stale_entry_is_used_then_probed)
{
	struct nd_transition t;

	t = nd_fsm(ND_STALE, NDE_SEND);
	cr_assert_eq(t.next, ND_DELAY);
	cr_assert_eq(t.action, NDA_START_DELAY);
	t = nd_fsm(ND_DELAY, NDE_TIMEOUT);
	cr_assert_eq(t.next, ND_PROBE);
	cr_assert_eq(t.action, NDA_SEND_UCAST_NS);
	t = nd_fsm(ND_PROBE, NDE_PROBES_DONE);
	cr_assert_eq(t.next, ND_FAILED);
	cr_assert_eq(t.action, NDA_FAIL);
}

Test(nd_fsm, incomplete_resolves_or_fails)
{
	struct nd_transition t;

	t = nd_fsm(ND_FAILED, NDE_SEND);
	cr_assert_eq(t.next, ND_INCOMPLETE);
	cr_assert_eq(t.action, NDA_SEND_MCAST_NS);
	t = nd_fsm(ND_INCOMPLETE, NDE_SEND);
	cr_assert_eq(t.next, ND_INCOMPLETE);
	cr_assert_eq(t.action, NDA_NONE);
	t = nd_fsm(ND_INCOMPLETE, NDE_TIMEOUT);
	cr_assert_eq(t.action, NDA_SEND_MCAST_NS);
	t = nd_fsm(ND_INCOMPLETE, NDE_NA_SOLICITED);
	cr_assert_eq(t.next, ND_REACHABLE);
	cr_assert_eq(t.action, NDA_FLUSH_QUEUE);
	t = nd_fsm(ND_INCOMPLETE, NDE_NA_UNSOLICITED);
	cr_assert_eq(t.next, ND_STALE);
	cr_assert_eq(t.action, NDA_FLUSH_QUEUE);
	t = nd_fsm(ND_INCOMPLETE, NDE_PROBES_DONE);
	cr_assert_eq(t.next, ND_FAILED);
	cr_assert_eq(t.action, NDA_FAIL);
}

Test(nd_fsm, reachable_ages_and_reacts_to_new_address)
{
	cr_assert_eq(nd_fsm(ND_REACHABLE, NDE_TIMEOUT).next, ND_STALE);
	cr_assert_eq(nd_fsm(ND_REACHABLE, NDE_NA_UNSOLICITED).next, ND_STALE);
	cr_assert_eq(nd_fsm(ND_REACHABLE, NDE_LLADDR_SEEN).next, ND_STALE);
	cr_assert_eq(nd_fsm(ND_REACHABLE, NDE_NA_SAME).next, ND_REACHABLE);
	cr_assert_eq(nd_fsm(ND_REACHABLE, NDE_SEND).action, NDA_NONE);
	for (int s = 0; s < ND_STATE_MAX; s++) {
		/* A solicited NA confirms reachability from any known state. */
		if (s == ND_FAILED)
			continue;
		cr_assert_eq(nd_fsm(s, NDE_NA_SOLICITED).next, ND_REACHABLE,
		    "state %s", nd_state_names[s]);
	}
}

Test(nd_fsm, out_of_range_is_harmless)
{
	struct nd_transition t = nd_fsm(ND_STATE_MAX, NDE_SEND);

	cr_assert_eq(t.action, NDA_NONE);
	t = nd_fsm(ND_STALE, NDE_MAX);
	cr_assert_eq(t.action, NDA_NONE);
}

/* A router with one interface whose transmissions land in a pcap file. */
struct ndfix {
	struct router	 r;
	struct iface	 ifp;
	char		 path[64];
};

static struct ndfix *
ndfix_new(uint32_t neigh_max, uint32_t queue)
{
	struct ndfix	*f = calloc(1, sizeof(*f));
	int		 fd;

	cr_assert_not_null(f);
	f->r.conf = config_new();
	f->r.conf->neigh_max = neigh_max;
	f->r.conf->neigh_queue = queue;
	f->r.conf->pbufs = 256;
	f->r.pcap_mode = true;
	f->r.now_ns = 1000000000ull;
	pbuf_pool_init(256);
	f->r.rt = rtable_new();
	f->r.local = rtable_new();
	tb_init(&f->r.icmp_rl, 1000, 1000, f->r.now_ns);
	nd_init(&f->r);

	strcpy(f->path, "/tmp/test_nd_XXXXXX");
	fd = mkstemp(f->path);
	cr_assert(fd >= 0);
	close(fd);
	f->ifp.router = &f->r;
	f->ifp.name = f->ifp.conf.name;
	strcpy(f->ifp.conf.name, "t0");
	f->ifp.kind = IFACE_PCAP;
	f->ifp.mtu = 1500;
	memcpy(f->ifp.mac, "\x02\x00\x00\x00\x00\x01", 6);
	eui64_linklocal(&f->ifp.lladdr, f->ifp.mac);
	f->ifp.addrs[0].addr = f->ifp.lladdr;
	f->ifp.addrs[0].plen = 64;
	parse_prefix("2001:db8:1::1/64", &f->ifp.addrs[1].addr,
	    &f->ifp.addrs[1].plen);
	f->ifp.naddrs = 2;
	f->ifp.pout_dead = pcap_open_dead(DLT_EN10MB, 65535);
	f->ifp.pout = pcap_dump_open(f->ifp.pout_dead, f->path);
	cr_assert_not_null(f->ifp.pout);
	f->r.ifaces[0] = &f->ifp;
	f->r.nifaces = 1;
	return f;
}

/* Frames written so far: ICMPv6 types in order. */
static int
ndfix_sent(struct ndfix *f, uint8_t *types, int max)
{
	char			 ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr	*h;
	const u_char		*d;
	pcap_t			*p;
	int			 n = 0;

	pcap_dump_flush(f->ifp.pout);
	p = pcap_open_offline(f->path, ebuf);
	cr_assert_not_null(p, "%s", ebuf);
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (n < max)
			types[n] = h->caplen > 54 && d[20] == 58 ? d[54] : 0;
		n++;
	}
	pcap_close(p);
	return n;
}

static void
ndfix_free(struct ndfix *f)
{
	nd_shutdown(&f->r);
	pcap_dump_close(f->ifp.pout);
	pcap_close(f->ifp.pout_dead);
	unlink(f->path);
	rtable_free(f->r.rt);
	rtable_free(f->r.local);
	config_free(f->r.conf);
	free(f);
}

/* A UDP packet from 2001:db8:2::5 to dst, as received on the interface. */
static struct pbuf *
udp_packet(struct ndfix *f, const char *dst)
{
	struct pbuf	*pb = pbuf_alloc();
	uint8_t		*ip6;
	struct in6_addr	 a;

	cr_assert_not_null(pb);
	memset(pb->data, 0, 14 + 48);
	pb->data[12] = 0x86;
	pb->data[13] = 0xdd;
	ip6 = pb->data + 14;
	ip6[0] = 0x60;
	ip6[5] = 8;
	ip6[6] = 17;
	ip6[7] = 63;
	inet_pton(AF_INET6, "2001:db8:2::5", &a);
	memcpy(ip6 + 8, &a, 16);
	inet_pton(AF_INET6, dst, &a);
	memcpy(ip6 + 24, &a, 16);
	ip6[41] = 9;
	ip6[43] = 9;
	ip6[45] = 8;
	pb->len = 14 + 48;
	pb->in = &f->ifp;
	return pb;
}

static void
advance(struct ndfix *f, uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t += TICK_MS) {
		f->r.now_ns += TICK_MS * 1000000ull;
		nd_tick(&f->r);
	}
}

Test(nd_cache, unresolved_neighbour_gets_three_ns_then_fails)
{
	struct ndfix	*f = ndfix_new(64, 4);
	struct in6_addr	 a;
	struct neighbor	*n;
	uint8_t		 types[16];
	unsigned int	 before = pbuf_available();

	inet_pton(AF_INET6, "2001:db8:1::10", &a);
	for (int i = 0; i < 6; i++)
		nd_output(&f->r, &f->ifp, &a, udp_packet(f, "2001:db8:1::10"));
	n = nd_find(&f->r, &f->ifp, &a);
	cr_assert_not_null(n);
	cr_assert_eq(n->state, ND_INCOMPLETE);
	cr_assert_eq(n->qlen, 4, "queue bounded by neighbor_queue");
	cr_assert_eq(f->ifp.stats.drop[DROP_NEIGH_QUEUE_FULL], 2);
	cr_assert_eq(ndfix_sent(f, types, 16), 1);
	cr_assert_eq(types[0], ND_NEIGHBOR_SOLICIT_);

	advance(f, 1000);
	cr_assert_eq(ndfix_sent(f, types, 16), 2);
	advance(f, 1000);
	cr_assert_eq(ndfix_sent(f, types, 16), 3);
	advance(f, 1000);
	cr_assert_null(nd_find(&f->r, &f->ifp, &a), "entry removed");
	cr_assert_eq(f->ifp.stats.drop[DROP_ADDR_UNREACH], 4);
	/* Four address-unreachable errors went back towards the source. */
	cr_assert_eq(f->ifp.stats.errors_out, 4);
	cr_assert_eq(pbuf_available(), before, "every buffer returned");
	ndfix_free(f);
}

static void
receive_na(struct ndfix *f, const char *target, const uint8_t mac[6],
    bool solicited)
{
	struct pbuf	*pb = pbuf_alloc();
	struct in6_addr	 src, dst;
	struct pkt	 p;
	uint8_t		*ip6 = pb->data + 14;

	inet_pton(AF_INET6, target, &src);
	dst = f->ifp.addrs[1].addr;
	memcpy(pb->data, f->ifp.mac, 6);
	memcpy(pb->data + 6, mac, 6);
	pb->data[12] = 0x86;
	pb->data[13] = 0xdd;
	memset(ip6 + 44, 0, 28);
	ip6[44] = solicited ? (ND_NA_FLAG_SOLICITED_ | ND_NA_FLAG_OVERRIDE_) :
	    ND_NA_FLAG_OVERRIDE_;
	memcpy(ip6 + 48, &src, 16);
	ip6[64] = ND_OPT_TARGET_LINKADDR_;
	ip6[65] = 1;
	memcpy(ip6 + 66, mac, 6);
	pb->len = 14 + (uint32_t)icmp6_finish(ip6, &src, &dst, 255,
	    ND_NEIGHBOR_ADVERT_, 0, 28);
	cr_assert_eq(pkt_parse(pb->data, pb->len, &p), DROP_NONE);
	nd_input(&f->r, &f->ifp, pb, &p);
	pbuf_free(pb);
}

Test(nd_cache, na_flushes_the_queue_and_entry_ages)
{
	struct ndfix	*f = ndfix_new(64, 8);
	const uint8_t	 mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x10 };
	struct in6_addr	 a;
	struct neighbor	*n;
	uint8_t		 types[16];

	inet_pton(AF_INET6, "2001:db8:1::10", &a);
	nd_output(&f->r, &f->ifp, &a, udp_packet(f, "2001:db8:1::10"));
	nd_output(&f->r, &f->ifp, &a, udp_packet(f, "2001:db8:1::10"));
	receive_na(f, "2001:db8:1::10", mac, true);
	n = nd_find(&f->r, &f->ifp, &a);
	cr_assert_not_null(n);
	cr_assert_eq(n->state, ND_REACHABLE);
	cr_assert_eq(memcmp(n->mac, mac, 6), 0);
	cr_assert_eq(n->qlen, 0);
	cr_assert_eq(ndfix_sent(f, types, 16), 3, "NS + two parked packets");
	cr_assert_eq(types[1], 0);	/* UDP, not ICMPv6 */

	advance(f, REACHABLE_TIME_MS + TICK_MS);
	cr_assert_eq(n->state, ND_STALE);
	nd_output(&f->r, &f->ifp, &a, udp_packet(f, "2001:db8:1::10"));
	cr_assert_eq(n->state, ND_DELAY);
	cr_assert_eq(ndfix_sent(f, types, 16), 4, "sent at once from STALE");
	advance(f, DELAY_FIRST_PROBE_MS + TICK_MS);
	cr_assert_eq(n->state, ND_PROBE);
	cr_assert_eq(ndfix_sent(f, types, 16), 5);
	cr_assert_eq(types[4], ND_NEIGHBOR_SOLICIT_);
	receive_na(f, "2001:db8:1::10", mac, true);
	cr_assert_eq(n->state, ND_REACHABLE);
	ndfix_free(f);
}

Test(nd_cache, unsolicited_na_creates_nothing)
{
	struct ndfix	*f = ndfix_new(64, 8);
	const uint8_t	 mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x11 };
	struct in6_addr	 a;

	inet_pton(AF_INET6, "2001:db8:1::11", &a);
	receive_na(f, "2001:db8:1::11", mac, false);
	cr_assert_null(nd_find(&f->r, &f->ifp, &a));
	ndfix_free(f);
}

/* 2001:db8:1::<host> resolved: a packet for it, then its NA. */
static void
resolve_neighbour(struct ndfix *f, unsigned int host, const uint8_t mac[6])
{
	char		 buf[64];
	struct in6_addr	 a;

	snprintf(buf, sizeof(buf), "2001:db8:1::%x", host);
	inet_pton(AF_INET6, buf, &a);
	nd_output(&f->r, &f->ifp, &a, udp_packet(f, buf));
	receive_na(f, buf, mac, true);
}

Test(nd_cache, cache_is_capped_and_evicts_stale)
{
	struct ndfix	*f = ndfix_new(16, 4);
	const uint8_t	 mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x12 };
	struct in6_addr	 a;

	/* Sixteen resolved neighbours fill the cache, then go STALE. */
	for (int i = 0; i < 16; i++)
		resolve_neighbour(f, 0x100 + i, mac);
	cr_assert_eq(nd_count(&f->r), 16);
	advance(f, REACHABLE_TIME_MS + TICK_MS);
	/* A seventeenth evicts the oldest STALE entry. */
	inet_pton(AF_INET6, "2001:db8:1::999", &a);
	nd_output(&f->r, &f->ifp, &a, udp_packet(f, "2001:db8:1::999"));
	cr_assert_eq(nd_count(&f->r), 16);
	cr_assert_not_null(nd_find(&f->r, &f->ifp, &a));
	inet_pton(AF_INET6, "2001:db8:1::100", &a);
	cr_assert_null(nd_find(&f->r, &f->ifp, &a));
	ndfix_free(f);
}

/* A full cache of unresolved entries gives up the oldest of them. */
Test(nd_cache, full_cache_of_incomplete_entries_churns)
{
	struct ndfix	*f = ndfix_new(16, 4);
	char		 buf[64];
	struct in6_addr	 a;

	for (int i = 0; i < 17; i++) {
		snprintf(buf, sizeof(buf), "2001:db8:1::%x", 0x200 + i);
		inet_pton(AF_INET6, buf, &a);
		nd_output(&f->r, &f->ifp, &a, udp_packet(f, buf));
	}
	cr_assert_eq(nd_count(&f->r), 16);
	cr_assert_eq(f->ifp.stats.drop[DROP_NEIGH_CACHE_FULL], 0);
	cr_assert_eq(f->r.stats.neigh_evicted_incomplete, 1);
	cr_assert_not_null(nd_find(&f->r, &f->ifp, &a), "the newest is in");
	inet_pton(AF_INET6, "2001:db8:1::200", &a);
	cr_assert_null(nd_find(&f->r, &f->ifp, &a), "the oldest went");
	ndfix_free(f);
}

/*
 * RFC 6583: packets to 5000 unused addresses of a connected /64 while
 * the cache of 32 holds 8 reachable and 8 stale neighbours.  Only the
 * scan's own unresolved entries are given up; every neighbour that
 * answered stays, a packet to one goes out at once, and a new neighbour
 * resolved in the middle of the scan gets in and stays.
 */
Test(nd_cache, scan_of_unused_addresses)
{
	struct ndfix	*f = ndfix_new(32, 4);
	const uint8_t	 mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x13 };
	char		 buf[64];
	struct in6_addr	 a;
	struct neighbor	*n;
	int		 sent;

	for (int i = 0; i < 16; i++) {
		resolve_neighbour(f, 0x100 + i, mac);
		if (i == 7)	/* the first eight go stale */
			advance(f, REACHABLE_TIME_MS + TICK_MS);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "2001:db8:1::%x:%x", 0xdead,
		    0x1000 + i);
		inet_pton(AF_INET6, buf, &a);
		nd_output(&f->r, &f->ifp, &a, udp_packet(f, buf));
		if (i == 2500) {
			inet_pton(AF_INET6, "2001:db8:1::77", &a);
			nd_output(&f->r, &f->ifp, &a,
			    udp_packet(f, "2001:db8:1::77"));
			receive_na(f, "2001:db8:1::77", mac, true);
		}
		if (i % 100 == 0)
			advance(f, TICK_MS);
	}
	cr_assert_eq(nd_count(&f->r), 32);
	cr_assert_eq(f->r.stats.neigh_evicted_stale, 0);
	cr_assert_gt(f->r.stats.neigh_evicted_incomplete, 4900);
	for (int i = 0; i < 16; i++) {
		snprintf(buf, sizeof(buf), "2001:db8:1::%x", 0x100 + i);
		inet_pton(AF_INET6, buf, &a);
		n = nd_find(&f->r, &f->ifp, &a);
		cr_assert_not_null(n, "%s pushed out by the scan", buf);
		cr_assert(n->state != ND_INCOMPLETE && n->state != ND_FAILED);
	}
	inet_pton(AF_INET6, "2001:db8:1::77", &a);
	n = nd_find(&f->r, &f->ifp, &a);
	cr_assert_not_null(n, "a neighbour resolved during the scan");
	cr_assert_eq(n->state, ND_REACHABLE);
	/* Traffic to a known neighbour leaves at once, no NS first. */
	sent = ndfix_sent(f, NULL, 0);
	inet_pton(AF_INET6, "2001:db8:1::10f", &a);
	nd_output(&f->r, &f->ifp, &a, udp_packet(f, "2001:db8:1::10f"));
	cr_assert_eq(ndfix_sent(f, NULL, 0), sent + 1);
	cr_assert_eq(nd_find(&f->r, &f->ifp, &a)->state, ND_REACHABLE);
	ndfix_free(f);
}

/*
 * A flood towards 200 unresolved addresses: all entries together park
 * at most a quarter of the buffers (64 of 256), the rest are dropped and
 * counted, and every entry still solicits and fails in time.
 */
Test(nd_cache, parked_packets_are_capped_over_all_entries)
{
	struct ndfix	*f = ndfix_new(256, 4);
	unsigned int	 before = pbuf_available(), parked = 0;
	char		 buf[64];
	struct in6_addr	 a;
	struct neighbor	*n;

	for (int i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "2001:db8:1::%x", 0x1000 + i);
		inet_pton(AF_INET6, buf, &a);
		nd_output(&f->r, &f->ifp, &a, udp_packet(f, buf));
		nd_output(&f->r, &f->ifp, &a, udp_packet(f, buf));
	}
	cr_assert_eq(nd_count(&f->r), 200);
	for (int i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "2001:db8:1::%x", 0x1000 + i);
		inet_pton(AF_INET6, buf, &a);
		n = nd_find(&f->r, &f->ifp, &a);
		cr_assert_not_null(n);
		cr_assert_eq(n->state, ND_INCOMPLETE);
		parked += n->qlen;
	}
	cr_assert_eq(parked, 64, "parked %u", parked);
	cr_assert_eq(f->ifp.stats.drop[DROP_NEIGH_QUEUE_FULL], 400 - 64);
	cr_assert_eq(pbuf_available(), before - 64);
	cr_assert_eq(ndfix_sent(f, NULL, 0), 200, "one NS per entry");
	advance(f, 3000);
	cr_assert_eq(nd_count(&f->r), 0);
	cr_assert_eq(f->ifp.stats.drop[DROP_ADDR_UNREACH], 64);
	cr_assert_eq(pbuf_available(), before, "every buffer returned");
	ndfix_free(f);
}

/*
 * With no buffer free, a solicitation cannot be sent, yet it counts: the
 * entry fails after three of them and gives its parked packet back.
 */
Test(nd_cache, entry_fails_when_no_buffer_is_free)
{
	struct ndfix	*f = ndfix_new(64, 4);
	struct pbuf	*held = NULL, *pb, *pkt;
	unsigned int	 before = pbuf_available();
	struct in6_addr	 a;

	pkt = udp_packet(f, "2001:db8:1::10");
	while ((pb = pbuf_alloc()) != NULL) {
		pb->next = held;
		held = pb;
	}
	inet_pton(AF_INET6, "2001:db8:1::10", &a);
	nd_output(&f->r, &f->ifp, &a, pkt);
	cr_assert_not_null(nd_find(&f->r, &f->ifp, &a));
	cr_assert_eq(ndfix_sent(f, NULL, 0), 0, "no buffer for the NS");
	advance(f, 3000);
	cr_assert_null(nd_find(&f->r, &f->ifp, &a), "the entry failed");
	cr_assert_eq(f->ifp.stats.drop[DROP_ADDR_UNREACH], 1);
	for (; held != NULL; held = pb) {
		pb = held->next;
		pbuf_free(held);
	}
	cr_assert_eq(pbuf_available(), before, "every buffer returned");
	ndfix_free(f);
}
