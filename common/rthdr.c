/*
 * Routing-header insertion and removal for anycast (DESIGN.md §3.1).
 *
 * Transport checksums are never touched.  RFC 8200 §8.1: when a packet
 * carries a Routing header, the destination in the upper-layer
 * pseudo-header is the final destination, the last address the packet
 * will be delivered to.  In every mode that is the anycast address A:
 * EXP and RH0 leave the destination A with Segments Left 0, and the SRH
 * puts A in Segment List[0], the final segment, while the destination
 * field names U only on the way there.  The member's kernel verifies
 * against A, which is what the client summed over, so the checksum
 * (complete, or the pseudo-header seed of a NEEDS_CSUM frame) stays
 * right as it is.  rthdr_remove() restores the destination to that
 * final address for the same reason.
 *
 * Every check runs before the first write, so a refused frame is
 * untouched.
 */
#include <string.h>

#include "pkt.h"
#include "rthdr.h"
#include "util.h"
#include "wire.h"

static bool
vnet_gso(const struct virtio_net_hdr *vnet)
{
	return vnet != NULL && (vnet->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) !=
	    VIRTIO_NET_HDR_GSO_NONE;
}

/*
 * UDP segmentation: gso_size is each datagram's payload, which the
 * sender chose and the receiver sees; headers inserted in front make
 * each packet longer and leave it alone.  TCP segments are re-cut: the
 * MSS shrinks by what was inserted.
 */
static bool
vnet_gso_tcp(const struct virtio_net_hdr *vnet)
{
	return vnet_gso(vnet) &&
	    VNET_GSO_KIND(vnet) != VIRTIO_NET_HDR_GSO_UDP_L4;
}

static bool
vnet_csum(const struct virtio_net_hdr *vnet)
{
	return vnet != NULL && (vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

size_t
rthdr_len(enum rh_mode mode)
{
	switch (mode) {
	case RH_MODE_EXP:
	case RH_MODE_RH0:
		return RH_EXP_LEN;
	case RH_MODE_SRH:
		return RH_SRH_LEN;
	default:
		return 0;
	}
}

/*
 * Can the offload metadata follow n bytes inserted at frame offset at?
 * Headers the offsets point past must start at or after the insertion
 * point, and every field must still fit its 16 bits.
 */
static int
vnet_insert_ok(const struct virtio_net_hdr *vnet, uint32_t at, uint32_t n)
{
	if (vnet_csum(vnet) &&
	    (vnet->csum_start < at || vnet->csum_start + n > UINT16_MAX))
		return -1;
	if (vnet_gso(vnet)) {
		/* Each segment must keep at least one byte of payload. */
		if (vnet_gso_tcp(vnet) && vnet->gso_size <= n)
			return -1;
		if (vnet->hdr_len != 0 &&
		    (vnet->hdr_len < at || vnet->hdr_len + n > UINT16_MAX))
			return -1;
	}
	return 0;
}

int
rthdr_insert(uint8_t **data, uint32_t *len, size_t headroom,
    struct virtio_net_hdr *vnet, enum rh_mode mode,
    const struct in6_addr *addr)
{
	struct pkt	 p;
	uint8_t		*frame = *data, *ip6, *rh;
	uint32_t	 n, at, plen;
	uint8_t		 type;

	switch (mode) {
	case RH_MODE_NONE:
		return 0;
	case RH_MODE_EXP:
		type = RH_TYPE_EXP;
		break;
	case RH_MODE_RH0:
		type = RH_TYPE_RH0;
		break;
	case RH_MODE_SRH:
		type = RH_TYPE_SRH;
		break;
	default:
		return -1;
	}
	n = (uint32_t)rthdr_len(mode);

	if (pkt_parse(frame, *len, &p) != DROP_NONE)
		return -1;
	/* One routing header per packet (RFC 8200 §4.1). */
	if (p.rh_off != 0)
		return -1;
	/* The result must still parse: one more header in the chain. */
	if (p.n_ext >= PKT_MAX_EXT_HDRS)
		return -1;
	if (headroom < n || *len > UINT32_MAX - n)
		return -1;
	ip6 = frame + p.l3_off;
	plen = p.ip_len - IP6_HLEN;
	if (plen + n > IP6_MAX_PAYLOAD)
		return -1;

	/* After the Hop-by-Hop header when there is one (RFC 8200 §4.1). */
	at = p.l3_off + IP6_HLEN;
	if (ip6[6] == IPPROTO_HOPOPTS_)
		at += (uint32_t)(ip6[IP6_HLEN + 1] + 1) * 8;
	if (vnet_insert_ok(vnet, at, n) == -1)
		return -1;

	/* Checked: now move the headers back and write the new one. */
	memmove(frame - n, frame, at);
	frame -= n;
	ip6 = frame + p.l3_off;
	rh = frame + at;

	memset(rh, 0, n);
	if (ip6[6] == IPPROTO_HOPOPTS_) {
		rh[RH_OFF_NXT] = ip6[IP6_HLEN];
		ip6[IP6_HLEN] = IPPROTO_ROUTING_;
	} else {
		rh[RH_OFF_NXT] = ip6[6];
		ip6[6] = IPPROTO_ROUTING_;
	}
	rh[RH_OFF_LEN] = (uint8_t)(n / 8 - 1);
	rh[RH_OFF_TYPE] = type;
	if (mode == RH_MODE_SRH) {
		rh[RH_OFF_SEGLEFT] = 1;
		rh[RH_OFF_LASTENT] = 1;
		/* Segment List[0]: the final destination A; [1]: U, active. */
		memcpy(rh + RH_OFF_ADDRS, ip6 + 24, 16);
		memcpy(rh + RH_OFF_ADDRS + 16, addr, 16);
		memcpy(ip6 + 24, addr, 16);
	} else {
		rh[RH_OFF_SEGLEFT] = 0;
		memcpy(rh + RH_OFF_ADDRS, addr, 16);
	}
	wr16(ip6 + 4, (uint16_t)(plen + n));

	if (vnet_csum(vnet))
		vnet->csum_start = (uint16_t)(vnet->csum_start + n);
	if (vnet_gso(vnet)) {
		if (vnet->hdr_len != 0)
			vnet->hdr_len = (uint16_t)(vnet->hdr_len + n);
		if (vnet_gso_tcp(vnet))
			vnet->gso_size = (uint16_t)(vnet->gso_size - n);
	}

	*data = frame;
	*len += n;
	return (int)n;
}

int
rthdr_peek(const uint8_t *frame, size_t len, uint8_t *type,
    uint8_t *segleft, struct in6_addr *addr)
{
	struct pkt	 p;
	const uint8_t	*rh;
	unsigned int	 nseg, last;

	if (pkt_parse(frame, len, &p) != DROP_NONE || p.rh_off == 0)
		return -1;
	rh = frame + p.rh_off;
	/* pkt_parse() checked that the whole header lies in the frame. */
	nseg = rh[RH_OFF_LEN] / 2;

	switch (rh[RH_OFF_TYPE]) {
	case RH_TYPE_RH0:
	case RH_TYPE_EXP:
		if (nseg < 1)
			return -1;
		memcpy(addr, rh + RH_OFF_ADDRS, 16);
		break;
	case RH_TYPE_SRH:
		/* Segments past Last Entry are TLVs, not addresses. */
		last = rh[RH_OFF_LASTENT];
		if (nseg > last + 1)
			nseg = last + 1;
		if (nseg < 1)
			return -1;
		memcpy(addr, rh + RH_OFF_ADDRS + (nseg >= 2 ? 16 : 0), 16);
		break;
	default:
		return -1;
	}
	*type = rh[RH_OFF_TYPE];
	*segleft = rh[RH_OFF_SEGLEFT];
	return 0;
}

/* Length of the extension header of type nh at h; the chain is valid. */
static uint32_t
ext_len(uint8_t nh, const uint8_t *h)
{
	if (nh == IPPROTO_FRAGMENT_)
		return 8;
	if (nh == IPPROTO_AH_)
		return (uint32_t)(h[1] + 2) * 4;
	return (uint32_t)(h[1] + 1) * 8;
}

int
rthdr_remove(uint8_t **data, uint32_t *len, struct virtio_net_hdr *vnet)
{
	struct pkt	 p;
	uint8_t		*frame = *data, *ip6, *rh;
	const uint8_t	*final = NULL;
	uint32_t	 n, nhpos, off, rh_end;
	unsigned int	 nseg;

	if (pkt_parse(frame, *len, &p) != DROP_NONE || p.rh_off == 0)
		return -1;
	ip6 = frame + p.l3_off;
	rh = frame + p.rh_off;
	n = (uint32_t)(rh[RH_OFF_LEN] + 1) * 8;
	rh_end = p.rh_off + n;
	nseg = rh[RH_OFF_LEN] / 2;

	switch (rh[RH_OFF_TYPE]) {
	case RH_TYPE_RH0:
	case RH_TYPE_EXP:
		if (rh[RH_OFF_SEGLEFT] == 0)
			break;
		/* Not at the end of its path: deliver to its end. */
		if (nseg < 1)
			return -1;
		final = rh + RH_OFF_ADDRS + (nseg - 1) * 16;
		break;
	case RH_TYPE_SRH:
		if (nseg < 1)
			return -1;
		final = rh + RH_OFF_ADDRS;
		break;
	default:
		return -1;
	}

	/* The byte that names the routing header: walk the valid chain. */
	nhpos = p.l3_off + 6;
	off = p.l3_off + IP6_HLEN;
	while (off < p.rh_off) {
		uint8_t	 t = frame[nhpos];

		nhpos = off;
		off += ext_len(t, frame + off);
	}
	if (off != p.rh_off || frame[nhpos] != IPPROTO_ROUTING_)
		return -1;

	if (vnet_csum(vnet) && vnet->csum_start < rh_end)
		return -1;
	if (vnet_gso(vnet)) {
		if (vnet_gso_tcp(vnet) && vnet->gso_size + n > UINT16_MAX)
			return -1;
		if (vnet->hdr_len != 0 && vnet->hdr_len < rh_end)
			return -1;
	}

	/* Checked: fix the headers in front, then move them forward. */
	frame[nhpos] = rh[RH_OFF_NXT];
	wr16(ip6 + 4, (uint16_t)(rd16(ip6 + 4) - n));
	if (final != NULL)
		memmove(ip6 + 24, final, 16);
	memmove(frame + n, frame, p.rh_off);

	if (vnet_csum(vnet))
		vnet->csum_start = (uint16_t)(vnet->csum_start - n);
	if (vnet_gso(vnet)) {
		if (vnet->hdr_len != 0)
			vnet->hdr_len = (uint16_t)(vnet->hdr_len - n);
		if (vnet_gso_tcp(vnet))
			vnet->gso_size = (uint16_t)(vnet->gso_size + n);
	}

	*data = frame + n;
	*len -= n;
	return (int)n;
}

static const char *const rh_mode_names[RH_MODE_MAX] = {
	[RH_MODE_EXP] = "exp",
	[RH_MODE_RH0] = "rh0",
	[RH_MODE_SRH] = "srh",
	[RH_MODE_NONE] = "none",
};

const char *
rh_mode_name(enum rh_mode mode)
{
	return name_get(rh_mode_names, NITEMS(rh_mode_names), mode);
}

int
rh_mode_from_name(const char *name, enum rh_mode *mode)
{
	int	 i;

	if ((i = name_find(rh_mode_names, NITEMS(rh_mode_names), name)) == -1)
		return -1;
	*mode = (enum rh_mode)i;
	return 0;
}
