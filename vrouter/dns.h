/*
 * The ".any" DNS responder (paper 1 §3.3): dns_any.c answers one query
 * from the groups' names (pure, ldns for the wire format), dns_zone.c
 * writes the "any." zone as text, dns_udp.c and dns_tcp.c are the glue
 * that takes a UDP datagram or a TCP segment to the router's port 53
 * and sends the answer back.
 */
#ifndef VROUTER_DNS_H
#define VROUTER_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iface;
struct pbuf;
struct pkt;
struct router;

#define DNS_PORT		53
#define DNS_ZONE		"any"		/* the apex, one label */
#define DNS_NS_LABEL		"ns"		/* the router: ns.any. */
#define DNS_UDP_PLAIN		512		/* RFC 1035 without EDNS */
#define DNS_UDP_MAX		4096		/* our EDNS buffer size */
#define DNS_EDNS_ADVERTISED	1232		/* what our OPT offers */
#define DNS_DEFAULT_TTL		60
#define DNS_NAME_TEXT		256		/* a name as text, with NUL */
#define DNS_SOA_REFRESH		3600
#define DNS_SOA_RETRY		600
#define DNS_SOA_EXPIRE		86400

/*
 * The responder's counters (see IFACE_COUNTERS in iface.h): every query
 * lands in exactly one of the outcome counters or one of the drops.
 */
#define DNS_COUNTERS(X)							\
	X(queries,	"DNS queries received on port 53.")		\
	X(answers,	"DNS answers sent.")				\
	X(noerror,	"Answers with the records asked for.")		\
	X(nodata,	"Answers for a name that exists, without the type " \
	    "asked for.")						\
	X(nxdomain,	"Answers for a name under any. that does not exist.") \
	X(refused,	"Answers refusing a name outside any. or a class " \
	    "other than IN.")						\
	X(notimp,	"Answers to an opcode other than QUERY.")	\
	X(badvers,	"Answers to an EDNS version other than 0.")	\
	X(truncated,	"Answers cut to the header (TC set) to fit.")	\
	X(malformed,	"Queries dropped: not a single well-formed " \
	    "question.")						\
	X(oversize,	"Queries dropped: longer than 512 bytes (4096 " \
	    "with EDNS).")						\
	X(errors,	"Queries left unanswered for want of memory or a " \
	    "buffer.")							\
	X(tcp_connections, "TCP connections to port 53 (SYN answered).") \
	X(tcp_resets,	"TCP segments to port 53 answered with a reset.")

struct dns_stats {
#define X(f, help) uint64_t f;
	DNS_COUNTERS(X)
#undef X
};

/* What a query came to: the answer's kind, or why none was sent. */
enum dns_outcome {
	DNS_NOERROR,
	DNS_NODATA,
	DNS_NXDOMAIN,
	DNS_REFUSED,
	DNS_NOTIMP,
	DNS_BADVERS,
	DNS_MALFORMED,		/* dropped */
	DNS_OVERSIZE,		/* dropped */
	DNS_ERROR,		/* dropped: no memory */
};

/* One name of the zone: "www.example.edu" (without ".any") and A. */
struct dns_entry {
	const char		*name;
	const struct in6_addr	*addr;
};

/* The zone as one query (or one export) sees it; nothing is owned. */
struct dns_zone {
	const struct dns_entry	*entries;
	size_t			 nentries;
	const struct in6_addr	*ns_addrs;	/* AAAA of ns.any. */
	size_t			 nns;
	uint32_t		 serial;
	uint32_t		 ttl;
};

/* dns_any.c: answer one query; pure */
/*
 * Answer the query in q (qlen bytes) from zone into out (outcap bytes,
 * at least DNS_UDP_MAX).  tcp lifts the UDP size limits.  Returns the
 * answer's length, 0 when nothing is to be sent; *outcome says why.
 */
size_t	 dns_answer(const uint8_t *q, size_t qlen, bool tcp,
	    const struct dns_zone *, uint8_t *out, size_t outcap,
	    enum dns_outcome *);
/* The zone's serial: a hash of its names and addresses. */
uint32_t dns_zone_serial(const struct dns_entry *, size_t);
/* Count an outcome in the matching counter. */
void	 dns_count(struct dns_stats *, enum dns_outcome, const uint8_t *answer,
	    size_t len);

/* dns_zone.c: the zone as master-file text (RFC 1035 §5) */
/* A NUL-terminated string the caller frees with free(), or NULL. */
char	*dns_zone_text(const struct dns_zone *);

/* dns_udp.c: the glue on the data path */
/*
 * The zone of the running router: the groups with a name, the router's
 * addresses (ns_hint first, when not NULL).  Fills caller-owned arrays
 * of the sizes below.
 */
#define DNS_MAX_NS	8
void	 dns_zone_of(struct router *, const struct in6_addr *ns_hint,
	    struct dns_entry *entries, struct in6_addr *ns_addrs,
	    struct dns_zone *);
/*
 * The address ns.any. has in an answer to a query sent to dst on ifp:
 * dst, or the interface's first global address when dst is link-local.
 */
const struct in6_addr *dns_ns_addr(const struct iface *,
	    const struct in6_addr *dst);
/* Does any group have a name (RAs then carry RDNSS and DNSSL)? */
bool	 dns_active(const struct router *);
/* A UDP datagram to port 53 of the router; reads pb, frees nothing. */
void	 dns_udp_input(struct router *, struct iface *, const struct pbuf *,
	    const struct pkt *);

/* dns_tcp.c: one query per TCP connection, without state */
void	 dns_tcp_input(struct router *, struct iface *, const struct pbuf *,
	    const struct pkt *);

#endif /* VROUTER_DNS_H */
