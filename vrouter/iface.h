/*
 * Interfaces: iface.c (addresses, counters), tap.c (TAP devices with
 * virtio-net offloads), pcapio.c (the packet-fixture mode: pcap files
 * in place of TAPs, on a virtual clock).
 */
#ifndef VROUTER_IFACE_H
#define VROUTER_IFACE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "linkem.h"
#include "meter.h"
#include "pkt.h"
#include "tbucket.h"

struct event;
struct pbuf;
struct pcap;
struct pcap_dumper;
struct router;
struct tap_rx;

/*
 * The counters of an interface, each with its help text: the struct, the
 * API's JSON and the Prometheus families are all generated from this list.
 */
#define IFACE_COUNTERS(X)						\
	X(rx_packets,	"Frames received.")				\
	X(rx_bytes,	"Bytes received.")				\
	X(tx_packets,	"Frames sent.")					\
	X(tx_bytes,	"Bytes sent.")					\
	X(rx_gso,	"GSO super-frames received.")			\
	X(tx_gso,	"GSO super-frames sent.")			\
	X(forwarded,	"Packets received on the interface and forwarded.") \
	X(local_in,	"Packets received and addressed to the router.") \
	X(icmp_in,	"ICMPv6 messages received.")			\
	X(icmp_out,	"ICMPv6 messages sent.")			\
	X(ns_in,	"Neighbor Solicitations received.")		\
	X(na_in,	"Neighbor Advertisements received.")		\
	X(ns_out,	"Neighbor Solicitations sent.")			\
	X(na_out,	"Neighbor Advertisements sent.")		\
	X(rs_in,	"Router Solicitations received.")		\
	X(ra_out,	"Router Advertisements sent.")			\
	X(echo_in,	"Echo Requests received.")			\
	X(echo_out,	"Echo Replies sent.")				\
	X(errors_out,	"ICMPv6 errors sent.")				\
	X(errors_ratelimited, "ICMPv6 errors suppressed by the rate limit.") \
	X(mcast_not_joined, "Multicast packets to groups the router did not join (such as hosts' MLD reports): ignored, not a drop.")

struct iface_stats {
#define X(f, help) uint64_t f;
	IFACE_COUNTERS(X)
#undef X
	uint64_t	 drops;		/* all reasons: the sum of drop[] */
	uint64_t	 drop[DROP_MAX];
};

enum iface_kind { IFACE_TAP, IFACE_PCAP };

struct iface {
	struct router	*router;
	int		 index;		/* position in router->ifaces */
	struct cfg_iface conf;		/* copy of its configuration */
	char		*name;		/* = conf.name */
	enum iface_kind	 kind;
	uint8_t		 mac[ETH_ALEN_];
	uint32_t	 mtu;
	struct in6_addr	 lladdr;	/* link-local */
	struct cfg_addr	 addrs[CFG_MAX_ADDRS + 1];	/* [0] = link-local */
	int		 naddrs;
	int		 fd;		/* TAP */
	struct event	*ev;		/* readv backend: fd readable */
	struct tap_rx	*rx;		/* io_uring backend: its reads */
	struct pcap	*pin;		/* fixture mode */
	struct pcap_dumper *pout;
	struct pcap	*pout_dead;
	uint64_t	 ra_next_ns;	/* next unsolicited RA, 0 = now */
	uint32_t	 ra_initial;	/* initial RAs still to send fast */
	struct tbucket	 ra_rl;		/* RAs answering solicitations */
	struct iface_stats stats;
	struct linkem	*em[LINKEM_DIRS];	/* NULL: a plain wire */
	struct rate_meter rx_rate;	/* of stats.rx_bytes */
	struct rate_meter tx_rate;	/* of stats.tx_bytes */
	uint64_t	 reserved_kbit;	/* bandwidth reserved on the link */
};

#define DEFAULT_CAPACITY_MBIT	1000	/* a link of unknown capacity */

/*
 * The link's capacity in Mbit/s: configured ("capacity_mbit"), else the
 * lower rate of its emulation, else DEFAULT_CAPACITY_MBIT.
 */
uint32_t iface_capacity_mbit(const struct iface *);
/* Its busier direction's measured rate, in Mbit/s. */
uint32_t iface_rate_mbit(const struct iface *);
/* Capacity less the measured rate and the reservations, at least 0. */
uint32_t iface_residual_mbit(const struct iface *);
/* Utilisation of the link in percent (measured rate over capacity). */
uint32_t iface_util_pct(const struct iface *);
/* Fold the byte counters into the rate meters (the router's tick). */
void	 iface_meter_tick(struct router *);

struct iface *iface_find(struct router *, const char *name);
/* Is this one of the interface's unicast addresses? */
bool	 iface_has_addr(const struct iface *, const struct in6_addr *);
/* Does the router accept a packet for this multicast group here? */
bool	 iface_joined(const struct iface *, const struct in6_addr *);
/* A source address on this interface suited to reach dst. */
const struct in6_addr *iface_src_for(const struct iface *,
	    const struct in6_addr *dst);
void	 iface_count_drop(struct iface *, enum drop_reason);

/* tap.c */
int	 tap_open(struct iface *, char *err, size_t errlen);
/* Start reading: the router's backend (an io_uring, or readv). */
int	 tap_start(struct iface *, char *err, size_t errlen);
void	 tap_close(struct iface *, bool keep);
/* Takes pb: ends it with iface_xmit_done(), now or on completion. */
void	 tap_write(struct iface *, struct pbuf *);
#define TAP_BUDGET	64	/* frames read per wakeup and interface */

/*
 * tap_uring.c: the io_uring backend, one ring per router (r->uring).
 * tap_uring_init() fails (err set) where the kernel lacks what it needs;
 * the router then uses readv/writev.  tap_uring_stop() returns every
 * buffer and frees the ring, before the TAPs close.
 */
int	 tap_uring_init(struct router *, char *err, size_t errlen);
int	 tap_uring_add(struct iface *, char *err, size_t errlen);
void	 tap_uring_write(struct iface *, struct pbuf *);
void	 tap_uring_tick(struct router *);
void	 tap_uring_stop(struct router *);

/* pcapio.c: packet-fixture mode */
int	 pcapio_open(struct iface *, char *err, size_t errlen);
void	 pcapio_close(struct iface *);
int	 pcapio_write(struct iface *, struct pbuf *);
/* Replay every input in timestamp order on a virtual clock; returns 0. */
int	 pcapio_run(struct router *, uint64_t linger_ms);

/* iface_em.c: link emulation (linkem.h) on the interface */
int	 iface_set_emulation(struct iface *, enum linkem_dir,
	    const struct linkem_conf *);
/* Does the emulated link take pb (queued or dropped)? */
bool	 iface_em_hold(struct iface *, enum linkem_dir, struct pbuf *);
void	 iface_em_tick(struct router *);	/* the fixture mode's clock */
void	 iface_em_free(struct iface *);

#endif /* VROUTER_IFACE_H */
