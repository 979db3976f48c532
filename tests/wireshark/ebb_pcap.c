/*
 * ebb-pcap FILE: write E-BB messages encoded by common/ebb_proto.c as
 * Ethernet/IPv6/UDP frames to port 5300 into the pcap FILE, and print
 * on stdout, as JSON, what each frame holds: the fields given to the
 * encoder for a well-formed message (and whether its tag was spoilt),
 * or the expert message a dissector must raise for a malformed one.  check_ebb.py compares the two.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <sodium.h>

#include "cksum.h"
#include "ebb_proto.h"
#include "wire.h"

#define FRAME_MAX	(14 + 40 + 8 + EBB_MAX_LEN)

static const struct ebb_key key = { .id = 7, .key = "E-BB dissector test key, 32 byt" };

static struct in6_addr
addr(const char *s)
{
	struct in6_addr	 a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

static void
json_addr(const char *name, const struct in6_addr *a)
{
	char	 s[INET6_ADDRSTRLEN];

	printf(", \"%s\": \"%s\"", name, inet_ntop(AF_INET6, a, s, sizeof(s)));
}

/* One frame from fe80::1 to fe80::2, UDP 5300 to 5300. */
static void
dump(pcap_dumper_t *d, int n, const uint8_t *msg, size_t len)
{
	static const uint8_t	 eth[14] = { 0x02, 0, 0, 0, 0, 0x02,
	    0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd };
	struct in6_addr		 src = addr("fe80::1"), dst = addr("fe80::2");
	uint8_t			 f[FRAME_MAX], *ip = f + 14, *udp = ip + 40;
	struct pcap_pkthdr	 h;

	memcpy(f, eth, sizeof(eth));
	memset(ip, 0, 40);
	ip[0] = 0x60;
	wr16(ip + 4, (uint16_t)(8 + len));
	ip[6] = IPPROTO_UDP;
	ip[7] = 255;
	memcpy(ip + 8, &src, 16);
	memcpy(ip + 24, &dst, 16);
	wr16(udp, EBB_PORT);
	wr16(udp + 2, EBB_PORT);
	wr16(udp + 4, (uint16_t)(8 + len));
	wr16(udp + 6, 0);
	memcpy(udp + 8, msg, len);
	wr16(udp + 6, cksum_ip6(&src, &dst, IPPROTO_UDP, udp, 8 + len));

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = 1700000000 + n;
	h.caplen = h.len = (bpf_u_int32)(14 + 40 + 8 + len);
	pcap_dump((u_char *)d, &h, f);
}

/* A message with npath routers, every field of its type set. */
static struct ebb_msg
msg(int type, unsigned int npath)
{
	struct ebb_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)type;
	m.seq = 1700000000123456789ULL + (uint64_t)type;
	m.sender = addr("2001:db8:ff::2");
	m.req_id = 0x10000 + (uint32_t)type;
	m.origin = addr("2001:db8:ff::1");
	m.group = addr("2001:db8:a::53");
	m.npath = (uint8_t)npath;
	for (unsigned int i = 0; i < npath; i++) {
		m.path[i] = addr("2001:db8:ff::");
		m.path[i].s6_addr[15] = (uint8_t)(i + 1);
	}
	m.hops = (uint8_t)npath;
	m.bw_mbit = 30 + (uint32_t)type;
	if (type == EBB_ANSWER) {
		m.server = addr("2001:db8:3::10");
		m.load_pct = 35;
	} else if (type != EBB_DISCOVER) {
		m.kbit = 1000 * (uint32_t)type;
		m.lifetime_ms = 30000;
	}
	return m;
}

static void
json_msg(const struct ebb_msg *m, size_t len)
{
	printf("\"type\": \"%s\", \"len\": %zu, \"key_id\": %u, "
	    "\"npath\": %u, \"hops\": %u, \"seq\": %llu, \"req_id\": %u, "
	    "\"bw_mbit\": %u", ebb_type_name(m->type), len, key.id, m->npath,
	    m->hops, (unsigned long long)m->seq, m->req_id, m->bw_mbit);
	json_addr("sender", &m->sender);
	json_addr("origin", &m->origin);
	json_addr("group", &m->group);
	if (m->type == EBB_ANSWER) {
		json_addr("server", &m->server);
		printf(", \"load\": %u", m->load_pct);
	} else if (m->type != EBB_DISCOVER) {
		printf(", \"kbit\": %u, \"lifetime_ms\": %u", m->kbit,
		    m->lifetime_ms);
	}
	printf(", \"path\": [");
	for (unsigned int i = 0; i < m->npath; i++) {
		char	 s[INET6_ADDRSTRLEN];

		printf("%s\"%s\"", i ? ", " : "",
		    inet_ntop(AF_INET6, &m->path[i], s, sizeof(s)));
	}
	printf("]");
}

static size_t
encode(const struct ebb_msg *m, uint8_t *buf)
{
	struct in6_addr	 src = addr("fe80::1");
	int		 n = ebb_encode(m, &key, &src, buf, EBB_MAX_LEN);

	if (n < 0) {
		fprintf(stderr, "ebb-pcap: %s not encoded\n",
		    ebb_type_name(m->type));
		exit(1);
	}
	return (size_t)n;
}

/* Bytes the codec refuses: what to change, and what must be said. */
struct bad {
	int		 type;
	unsigned int	 npath;
	size_t		 off;		/* byte to set, or SIZE_MAX */
	uint8_t		 val;
	long		 delta;		/* added to the length */
	const char	*expert;
};

static const struct bad bads[] = {
	{ EBB_DISCOVER, 1, SIZE_MAX, 0, -(72 + 16 + 32 - 50),
	    "Shorter than header and tag (50 bytes)" },
	{ EBB_ANSWER, 2, SIZE_MAX, 0, -16,
	    "Length 140 bytes, but a ANSWER with 2 routers has 156" },
	{ EBB_RESERVE, 1, EBB_OFF_VERSION, 2, 0, "Unknown version" },
	{ EBB_RESERVE, 1, EBB_OFF_TYPE, 9, 0, "Unknown type" },
	{ EBB_DISCOVER, 16, EBB_OFF_NPATH, 17, 16,
	    "Path longer than 16 routers" },
	{ EBB_DISCOVER, 2, EBB_OFF_HOPS, 17, 0, "Hop count over 16" },
	{ EBB_ANSWER, 1, EBB_HDR_LEN + 16, 101, 0, "Load over 100 %" },
	{ EBB_ANSWER, 1, EBB_HDR_LEN, 0xff, 0,
	    "Server is unspecified, loopback or multicast" },
	{ EBB_RELEASE, 1, EBB_OFF_GROUP, 0xff, 0,
	    "Group is unspecified, loopback or multicast" },
};

int
main(int argc, char **argv)
{
	static const unsigned int npaths[] = { 0, 1, 3, 2, 2, 2, 16 };
	uint8_t		 buf[EBB_MAX_LEN + 16];
	pcap_t		*dead;
	pcap_dumper_t	*d;
	int		 n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: ebb-pcap FILE\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if ((dead = pcap_open_dead(DLT_EN10MB, 65535)) == NULL ||
	    (d = pcap_dump_open(dead, argv[1])) == NULL) {
		fprintf(stderr, "ebb-pcap: %s: %s\n", argv[1],
		    dead ? pcap_geterr(dead) : "pcap_open_dead");
		return 1;
	}

	printf("{\"key\": \"");
	for (size_t i = 0; i < EBB_KEY_LEN; i++)
		printf("%02x", key.key[i]);
	printf("\", \"frames\": [\n");
	for (int t = EBB_DISCOVER; t < EBB_TYPE_MAX; t++) {
		struct ebb_msg	 m = msg(t, npaths[t]);
		size_t		 len = encode(&m, buf);

		dump(d, ++n, buf, len);
		printf("%s  {\"frame\": %d, ", n > 1 ? ",\n" : "", n);
		json_msg(&m, len);
		printf("}");
	}
	{
		/* Well formed, but its tag has one bit wrong. */
		struct ebb_msg	 m = msg(EBB_RESERVE, 2);
		size_t		 len = encode(&m, buf);

		buf[len - 1] ^= 1;
		dump(d, ++n, buf, len);
		printf(",\n  {\"frame\": %d, \"bad_tag\": true, ", n);
		json_msg(&m, len);
		printf("}");
	}
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad	*b = &bads[i];
		struct ebb_msg		 m = msg(b->type, b->npath);
		size_t			 len = encode(&m, buf);

		if (b->delta > 0)
			memset(buf + len, 0x33, (size_t)b->delta);
		len = (size_t)((long)len + b->delta);
		if (b->off != SIZE_MAX)
			buf[b->off] = b->val;
		dump(d, ++n, buf, len);
		printf(",\n  {\"frame\": %d, \"len\": %zu, \"malformed\": "
		    "\"%s\"}", n, len, b->expert);
	}
	printf("\n]}\n");
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}
