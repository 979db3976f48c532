/*
 * The data path: fwd.c (receive, classify, forward, emit) and icmp6.c
 * (echo and errors, RFC 4443).
 */
#ifndef VROUTER_FWD_H
#define VROUTER_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

struct iface;
struct pbuf;
struct pkt;
struct router;

/* Size of each IPv6 packet the frame stands for (GSO: per segment). */
uint32_t wire_ip_size(const struct pbuf *, const struct pkt *);
/* Process one received frame; takes ownership of pb. */
void	 router_input(struct router *, struct iface *, struct pbuf *);
/* The same, after the interface's emulated link (if any). */
void	 router_receive(struct router *, struct iface *, struct pbuf *);
/* Forward by longest-prefix match; takes ownership of pb. */
void	 forward(struct router *, struct iface *, struct pbuf *,
	    struct pkt *);
/*
 * Route and send an IPv6 packet the router originated (pb->data at the
 * Ethernet header, to be filled).  Takes ownership of pb.
 */
void	 ip6_output(struct router *, struct pbuf *);
/* Fill in the Ethernet header and transmit; takes ownership of pb. */
void	 iface_output(struct iface *, struct pbuf *, const uint8_t dst[6]);
/*
 * Capture and transmit a whole frame (after the emulated link); takes
 * ownership of pb.  The backend ends every frame it is given with
 * iface_xmit_done(), at once (readv, pcap) or when the write completes
 * (io_uring).
 */
void	 iface_xmit(struct iface *, struct pbuf *);
/* Count pb as sent (DROP_NONE) or dropped for why, and free it. */
void	 iface_xmit_done(struct iface *, struct pbuf *, enum drop_reason why);

/*
 * A UDP datagram to one of the router's own services: its length and
 * checksum right (a drop counted on ifp when not).
 */
bool	 udp_payload_ok(struct iface *, const struct pbuf *,
	    const struct pkt *);

void	 icmp6_input(struct router *, struct iface *, struct pbuf *,
	    const struct pkt *);
/*
 * Send an ICMPv6 error about the frame in pb (not consumed), subject to
 * RFC 4443 §2.4 (never about an error, a multicast destination or an
 * unspecified/multicast source) and the rate limit.
 */
void	 icmp6_error(struct router *, struct iface *, const struct pbuf *,
	    const struct pkt *, uint8_t type, uint8_t code, uint32_t param);

#endif /* VROUTER_FWD_H */
