/*
 * Routing headers for anycast (DESIGN.md §3.1, paper 1 §3.5): the
 * router tells a member which of its unicast addresses U a flow to the
 * anycast address A was given to, and the client shim later learns the
 * pairing from the reply.
 *
 * Pure functions over an Ethernet frame in a caller-owned buffer: no
 * I/O, no globals, no logging, no allocation.  Insertion grows the frame
 * towards the front, into headroom the caller guarantees, and moves only
 * the headers in front of the new one (Ethernet, IPv6, a Hop-by-Hop
 * header), never the payload.  GSO super-frames are adjusted, not
 * segmented.  On any failure the frame and the offload metadata are
 * left exactly as they were.
 *
 * virtio_net_hdr fields are in host byte order, as the TAP device uses
 * them when no TUNSETVNETLE/BE is set.
 */
#ifndef COMMON_RTHDR_H
#define COMMON_RTHDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet.h"


/* Routing-header modes of an anycast group (DESIGN.md §3.1). */
enum rh_mode { RH_MODE_EXP, RH_MODE_RH0, RH_MODE_SRH, RH_MODE_NONE, RH_MODE_MAX };
/* "exp", "rh0", "srh", "none"; "unknown" for anything else. */
const char *rh_mode_name(enum rh_mode);
int	 rh_mode_from_name(const char *, enum rh_mode *);

#define RH_TYPE_RH0	0	/* RFC 5095 deprecated, SL=0 is ignored */
#define RH_TYPE_SRH	4	/* RFC 8754 */
#define RH_TYPE_EXP	253	/* RFC 4727 experimental */

#define RH_EXP_LEN	24	/* type 0/253 header with one address */
#define RH_SRH_LEN	40	/* SRH with two segments */

/* Routing header layout: bytes from its start. */
#define RH_OFF_NXT	0
#define RH_OFF_LEN	1	/* Hdr Ext Len, 8-byte units past the first 8 */
#define RH_OFF_TYPE	2
#define RH_OFF_SEGLEFT	3
#define RH_OFF_LASTENT	4	/* SRH: index of the last segment */
#define RH_OFF_ADDRS	8	/* first address / Segment List[0] */

/* Bytes the header of a mode adds to a packet; 0 for none. */
size_t	 rthdr_len(enum rh_mode);

/*
 * Insert a routing header into the Ethernet frame at *data (*len bytes),
 * directly after the IPv6 header or after its Hop-by-Hop header.  The
 * headroom bytes before *data must be writable; the frame moves back by
 * rthdr_len(mode) bytes and *data and *len follow.
 *
 *  EXP, RH0  Routing Type 253 or 0, Segments Left 0, one address: addr
 *            (the member U).  The destination (A) is unchanged.
 *  SRH       The destination becomes addr (U); Segment List[0] is the
 *            old destination (A), Segment List[1] is U, Segments Left 1.
 *  NONE      Nothing; returns 0.
 *
 * With NEEDS_CSUM, csum_start moves with the transport header; with GSO,
 * hdr_len grows (when set) and gso_size shrinks by the inserted bytes so
 * that every segment keeps the size the sender chose for its path.  vnet
 * may be NULL for a frame without offload metadata.
 *
 * Returns the bytes inserted, or -1 when the frame does not parse as
 * IPv6, already has a routing header, the headroom is too small, the
 * payload length would pass 65535 or the offload metadata is
 * inconsistent with the frame.
 */
int	 rthdr_insert(uint8_t **data, uint32_t *len, size_t headroom,
	    struct virtio_net_hdr *vnet, enum rh_mode, const struct in6_addr *);

/*
 * The first routing header of a frame: its type, Segments Left and the
 * address it carries (type 0/253: the first address; SRH: Segment
 * List[1] when present, else Segment List[0]).  Returns 0, or -1 when
 * the frame is malformed, has no routing header or one of another type.
 */
int	 rthdr_peek(const uint8_t *frame, size_t len, uint8_t *type,
	    uint8_t *segleft, struct in6_addr *addr);

/*
 * Remove the first routing header of the frame at *data (*len bytes):
 * the headers in front of it move forward, *data and *len follow, and
 * the offload metadata is adjusted back.  The destination becomes the
 * final one the header names (SRH: Segment List[0]; type 0/253 with
 * Segments Left > 0: the last address), so transport checksums stay
 * valid.  The inverse of rthdr_insert().  Returns the bytes removed, or
 * -1, leaving the frame untouched, when the frame is malformed, has no
 * routing header of type 0, 4 or 253, or its offload metadata does not
 * fit it.
 */
int	 rthdr_remove(uint8_t **data, uint32_t *len,
	    struct virtio_net_hdr *vnet);

#endif /* COMMON_RTHDR_H */
