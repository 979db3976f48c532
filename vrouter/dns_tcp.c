/*
 * DNS over TCP (RFC 7766) without a TCP stack: one query per
 * connection, answered statelessly.  A SYN gets a SYN-ACK whose
 * sequence number is a keyed hash of the connection (a SYN cookie), so
 * nothing is kept per connection; a segment holding the whole
 * length-prefixed query, acknowledging that cookie, gets the answer with
 * FIN; a FIN gets its ACK; pure ACKs are taken silently; anything else
 * gets a RST.  A query split over several segments is refused with a
 * RST (our answers and the queries for them fit one segment).
 */
#include <string.h>

#include <sodium.h>

#include "cksum.h"
#include "log.h"
#include "pbuf.h"
#include "iface.h"
#include "fwd.h"
#include "router.h"
#include "dns.h"
#include "wire.h"

#define DNS_TCP_WINDOW	65535

static uint8_t	 cookie_key[crypto_shorthash_KEYBYTES];
static bool	 cookie_keyed;

/* The sequence number of our SYN-ACK for this connection. */
static uint32_t
cookie(const struct pkt *p, uint32_t client_isn)
{
	uint8_t		 in[16 + 16 + 2 + 2 + 4];
	uint8_t		 h[crypto_shorthash_BYTES];

	if (!cookie_keyed) {
		if (sodium_init() == -1)
			fatalx("%s: libsodium", __func__);
		randombytes_buf(cookie_key, sizeof(cookie_key));
		cookie_keyed = true;
	}
	memcpy(in, &p->src, 16);
	memcpy(in + 16, &p->dst, 16);
	in[32] = (uint8_t)(p->sport >> 8);
	in[33] = (uint8_t)p->sport;
	in[34] = (uint8_t)(p->dport >> 8);
	in[35] = (uint8_t)p->dport;
	memcpy(in + 36, &client_isn, 4);
	crypto_shorthash(h, in, sizeof(in), cookie_key);
	return rd32(h);
}

/* Send one segment with the payload already at ip6 + 60. */
static void
send_seg(struct router *r, struct iface *ifp, struct pbuf *pb,
    const struct pkt *p, uint32_t seq, uint32_t ack, uint8_t flags,
    size_t len)
{
	struct tcp_seg	 t;

	t.sport = p->dport;
	t.dport = p->sport;
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.window = DNS_TCP_WINDOW;
	pb->len = ETH_HLEN_ + (uint32_t)tcp6_finish(pb->data + ETH_HLEN_,
	    &p->dst, &p->src, DEFAULT_HOP_LIMIT, &t, len);
	pb->in = ifp;
	if (flags & TCP_RST_)
		r->dns.tcp_resets++;
	ip6_output(r, pb);
}

/* The answer to the query in data, length-prefixed at ip6 + 60. */
static size_t
answer(struct router *r, struct iface *ifp, const struct pkt *p,
    const uint8_t *data, uint8_t *out)
{
	struct dns_entry	 entries[CFG_MAX_GROUPS];
	struct in6_addr		 ns[1];
	struct dns_zone		 z;
	enum dns_outcome	 o;
	size_t			 qlen, cap, len;

	qlen = (size_t)data[0] << 8 | data[1];
	/* One segment of ours: the link's MTU bounds the answer. */
	cap = ifp->mtu - IP6_HLEN - 20 - 2;
	dns_zone_of(r, dns_ns_addr(ifp, &p->dst), entries, ns, &z);
	len = dns_answer(data + 2, qlen, true, &z, out + 2, cap, &o);
	dns_count(&r->dns, o, out + 2, len);
	if (len == 0)
		return 0;
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	return len + 2;
}

void
dns_tcp_input(struct router *r, struct iface *ifp, const struct pbuf *req,
    const struct pkt *p)
{
	const uint8_t	*tcp = req->data + p->l4_off, *data;
	struct pbuf	*pb;
	size_t		 hlen, dlen, len;
	uint32_t	 seq, ack;
	uint8_t		 fl;

	hlen = p->l4_len >= 20 ? (size_t)(tcp[12] >> 4) * 4 : 0;
	if (hlen < 20 || hlen > p->l4_len) {
		iface_count_drop(ifp, DROP_TRUNC_L4);
		return;
	}
	if (!(req->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    cksum_ip6(&p->src, &p->dst, IPPROTO_TCP_, tcp, p->l4_len) != 0) {
		iface_count_drop(ifp, DROP_BAD_CSUM);
		return;
	}
	seq = rd32(tcp + 4);
	ack = rd32(tcp + 8);
	fl = tcp[13];
	data = tcp + hlen;
	dlen = p->l4_len - hlen;
	if (fl & TCP_RST_)
		return;
	if ((fl & (TCP_SYN_ | TCP_ACK_)) == 0)
		return;			/* RFC 9293 §3.10.7.4: drop */
	if ((fl & TCP_SYN_) == 0 && dlen == 0 && (fl & TCP_FIN_) == 0)
		return;			/* an ACK of ours */
	if ((pb = pbuf_alloc()) == NULL) {
		iface_count_drop(ifp, DROP_NO_BUFFER);
		return;
	}
	if ((fl & (TCP_SYN_ | TCP_ACK_)) == TCP_SYN_) {
		r->dns.tcp_connections++;
		send_seg(r, ifp, pb, p, cookie(p, seq), seq + 1,
		    TCP_SYN_ | TCP_ACK_, 0);
		return;
	}
	if ((fl & TCP_SYN_) != 0) {
		send_seg(r, ifp, pb, p, ack, 0, TCP_RST_, 0);
		return;
	}
	if (dlen == 0) {
		/* FIN after our answer: acknowledge it. */
		send_seg(r, ifp, pb, p, ack, seq + 1, TCP_ACK_, 0);
		return;
	}
	/* The query: first bytes after our SYN-ACK, whole, in one segment. */
	if (ack - 1 != cookie(p, seq - 1) || dlen < 2 ||
	    dlen < 2 + ((size_t)data[0] << 8 | data[1]) ||
	    (len = answer(r, ifp, p, data, pb->data + ETH_HLEN_ +
	    IP6_HLEN + 20)) == 0) {
		send_seg(r, ifp, pb, p, ack, 0, TCP_RST_, 0);
		return;
	}
	send_seg(r, ifp, pb, p, ack, seq + (uint32_t)dlen +
	    ((fl & TCP_FIN_) ? 1 : 0), TCP_ACK_ | TCP_PSH_ | TCP_FIN_, len);
}
