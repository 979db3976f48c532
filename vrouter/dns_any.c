/*
 * Answers for the "any." zone (paper 1 §3.3): <name>.any. AAAA is the
 * anycast address of the group with that name.  The query is parsed and
 * the answer built with ldns; this file decides what goes in it.  Pure:
 * no I/O, no globals, no logging; ldns allocates per query and
 * everything is freed before returning.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "dns.h"
#include "dns_rr.h"

#define DNS_MAX_LABELS	128

/* Where the question's name falls in the zone. */
enum dns_where {
	W_OUTSIDE,		/* not under any. */
	W_APEX,			/* any. */
	W_NS,			/* ns.any., the router */
	W_ENTRY,		/* a group's name */
	W_ENT,			/* above a group's name: exists, no data */
	W_NONE,			/* under any., no such name */
};

/*
 * Split the wire name into dotted text without the root and compare
 * its last label with "any"; *rest gets the part before ".any".
 * Labels holding dots or bytes outside A-Z a-z 0-9 - _ cannot name
 * anything of ours: *rest is then "" and W_NONE follows.
 */
static enum dns_where
dns_where(const ldns_rdf *qname, const struct dns_zone *z, size_t *entry)
{
	const uint8_t	*w = ldns_rdf_data(qname);
	size_t		 wlen = ldns_rdf_size(qname), off = 0, n, tlen = 0;
	size_t		 starts[DNS_MAX_LABELS], nlabels = 0, i, elen;
	char		 text[DNS_NAME_TEXT];
	bool		 plain = true;

	while (off < wlen && w[off] != 0) {
		n = w[off];
		if (off + 1 + n > wlen || nlabels == DNS_MAX_LABELS ||
		    tlen + n + 1 >= sizeof(text))
			return W_OUTSIDE;	/* ldns checked; be safe */
		starts[nlabels++] = tlen;
		for (i = 0; i < n; i++) {
			uint8_t	c = w[off + 1 + i];

			if (!isalnum(c) && c != '-' && c != '_')
				plain = false;
			text[tlen + i] = (char)c;
		}
		tlen += n;
		text[tlen++] = '.';
		off += 1 + n;
	}
	if (nlabels == 0)
		return W_OUTSIDE;
	text[--tlen] = '\0';		/* no trailing dot */
	/* By length too: a label may hold a NUL byte. */
	if (tlen - starts[nlabels - 1] != strlen(DNS_ZONE) ||
	    strncasecmp(text + starts[nlabels - 1], DNS_ZONE,
	    strlen(DNS_ZONE)) != 0)
		return W_OUTSIDE;
	if (nlabels == 1)
		return W_APEX;
	if (!plain)
		return W_NONE;
	/* text is now the name without ".any" */
	text[starts[nlabels - 1] - 1] = '\0';
	tlen = strlen(text);
	if (strcasecmp(text, DNS_NS_LABEL) == 0)
		return W_NS;
	for (i = 0; i < z->nentries; i++)
		if (strcasecmp(text, z->entries[i].name) == 0) {
			*entry = i;
			return W_ENTRY;
		}
	/* An empty non-terminal (RFC 8020: NODATA, not NXDOMAIN). */
	for (i = 0; i < z->nentries; i++) {
		elen = strlen(z->entries[i].name);
		if (elen > tlen + 1 && z->entries[i].name[elen - tlen - 1] ==
		    '.' && strcasecmp(z->entries[i].name + elen - tlen,
		    text) == 0)
			return W_ENT;
	}
	return W_NONE;
}

static ldns_rr *
rr_new(const ldns_rdf *owner, ldns_rr_type type, uint32_t ttl)
{
	ldns_rr	*rr;

	if ((rr = ldns_rr_new()) == NULL)
		return NULL;
	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	return rr;
}

/* Push rdf onto rr; false (and rdf freed) when either is missing. */
static bool
rr_push(ldns_rr *rr, ldns_rdf *rdf)
{
	if (rr == NULL || rdf == NULL || !ldns_rr_push_rdf(rr, rdf)) {
		ldns_rdf_deep_free(rdf);
		return false;
	}
	return true;
}

ldns_rr *
dns_rr_aaaa(const ldns_rdf *owner, const struct in6_addr *a, uint32_t ttl)
{
	ldns_rr	*rr = rr_new(owner, LDNS_RR_TYPE_AAAA, ttl);

	if (!rr_push(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA,
	    sizeof(*a), a))) {
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

ldns_rr *
dns_rr_ns(const ldns_rdf *apex, uint32_t ttl)
{
	ldns_rr	*rr = rr_new(apex, LDNS_RR_TYPE_NS, ttl);

	if (!rr_push(rr, ldns_dname_new_frm_str(DNS_NS_LABEL "." DNS_ZONE
	    "."))) {
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

/* The SOA of the zone; its minimum is the TTL of negative answers. */
ldns_rr *
dns_rr_soa(const ldns_rdf *apex, const struct dns_zone *z)
{
	ldns_rr	*rr = rr_new(apex, LDNS_RR_TYPE_SOA, z->ttl);

	if (!rr_push(rr, ldns_dname_new_frm_str(DNS_NS_LABEL "." DNS_ZONE
	    ".")) ||
	    !rr_push(rr, ldns_dname_new_frm_str("hostmaster." DNS_ZONE ".")) ||
	    !rr_push(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32,
	    z->serial)) ||
	    !rr_push(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD,
	    DNS_SOA_REFRESH)) ||
	    !rr_push(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD,
	    DNS_SOA_RETRY)) ||
	    !rr_push(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD,
	    DNS_SOA_EXPIRE)) ||
	    !rr_push(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD,
	    z->ttl))) {
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

/* Push rr into a section of a; false when rr is NULL or not taken. */
static bool
add(ldns_pkt *a, ldns_pkt_section s, ldns_rr *rr)
{
	if (rr == NULL)
		return false;
	if (!ldns_pkt_push_rr(a, s, rr)) {
		ldns_rr_free(rr);
		return false;
	}
	return true;
}

/*
 * The records of the answer for a name under any.; the outcome, or
 * DNS_ERROR when memory ran out.
 */
static enum dns_outcome
fill(ldns_pkt *a, const ldns_rdf *qname, ldns_rr_type qtype,
    enum dns_where where, size_t entry, const struct dns_zone *z)
{
	ldns_rdf	*apex;
	bool		 any = qtype == LDNS_RR_TYPE_ANY, ok = true;
	size_t		 n = 0, i;

	if ((apex = ldns_dname_new_frm_str(DNS_ZONE ".")) == NULL)
		return DNS_ERROR;
	switch (where) {
	case W_APEX:
		if (any || qtype == LDNS_RR_TYPE_SOA) {
			ok = ok && add(a, LDNS_SECTION_ANSWER,
			    dns_rr_soa(apex, z));
			n++;
		}
		if (any || qtype == LDNS_RR_TYPE_NS) {
			ok = ok && add(a, LDNS_SECTION_ANSWER,
			    dns_rr_ns(apex, z->ttl));
			n++;
		}
		if (qtype == LDNS_RR_TYPE_NS) {
			/* glue-like: where ns.any. is */
			ldns_rdf *ns = ldns_dname_new_frm_str(DNS_NS_LABEL
			    "." DNS_ZONE ".");

			for (i = 0; ok && ns != NULL && i < z->nns; i++)
				ok = add(a, LDNS_SECTION_ADDITIONAL,
				    dns_rr_aaaa(ns, &z->ns_addrs[i], z->ttl));
			ok = ok && ns != NULL;
			ldns_rdf_deep_free(ns);
		}
		break;
	case W_NS:
		if (any || qtype == LDNS_RR_TYPE_AAAA)
			for (i = 0; ok && i < z->nns; i++, n++)
				ok = add(a, LDNS_SECTION_ANSWER,
				    dns_rr_aaaa(qname, &z->ns_addrs[i], z->ttl));
		break;
	case W_ENTRY:
		if (any || qtype == LDNS_RR_TYPE_AAAA) {
			ok = add(a, LDNS_SECTION_ANSWER,
			    dns_rr_aaaa(qname, z->entries[entry].addr, z->ttl));
			n++;
		}
		break;
	default:
		break;
	}
	if (ok && n == 0)
		ok = add(a, LDNS_SECTION_AUTHORITY, dns_rr_soa(apex, z));
	ldns_rdf_deep_free(apex);
	if (!ok)
		return DNS_ERROR;
	if (n > 0)
		return DNS_NOERROR;
	if (where == W_NONE) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_NXDOMAIN);
		return DNS_NXDOMAIN;
	}
	return DNS_NODATA;
}

/* The answer's header and question, from the query. */
static ldns_pkt *
answer_new(const ldns_pkt *q)
{
	ldns_pkt	*a;
	ldns_rr		*qrr;

	if ((a = ldns_pkt_new()) == NULL)
		return NULL;
	ldns_pkt_set_id(a, ldns_pkt_id(q));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_opcode(a, ldns_pkt_get_opcode(q));
	ldns_pkt_set_rd(a, ldns_pkt_rd(q));
	ldns_pkt_set_cd(a, ldns_pkt_cd(q));
	if (ldns_pkt_qdcount(q) == 1) {
		qrr = ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(q), 0));
		if (!add(a, LDNS_SECTION_QUESTION, qrr)) {
			ldns_pkt_free(a);
			return NULL;
		}
	}
	if (ldns_pkt_edns(q)) {
		ldns_pkt_set_edns_udp_size(a, DNS_EDNS_ADVERTISED);
		ldns_pkt_set_edns_version(a, 0);
		ldns_pkt_set_edns_do(a, ldns_pkt_edns_do(q));
	}
	return a;
}

/*
 * The wire form of a into out when it fits limit; its length either way,
 * 0 on error.  Names are not compressed: our answers are short, and
 * ldns's compression (a tree of names per answer) cost more than
 * building the rest.
 */
static size_t
wire(const ldns_pkt *a, size_t limit, uint8_t *out)
{
	ldns_buffer	*b;
	size_t		 len = 0;

	if ((b = ldns_buffer_new(DNS_UDP_PLAIN)) == NULL)
		return 0;
	if (ldns_pkt2buffer_wire_compress(b, a, NULL) == LDNS_STATUS_OK &&
	    ldns_buffer_status_ok(b)) {
		len = ldns_buffer_position(b);
		if (len <= limit)
			memcpy(out, ldns_buffer_begin(b), len);
	}
	ldns_buffer_free(b);
	return len;
}

/* Wire bytes of a into out, within limit; TC and no records if over. */
static size_t
emit(ldns_pkt *a, size_t limit, uint8_t *out)
{
	size_t		 len;

	if ((len = wire(a, limit, out)) <= limit)
		return len;
	ldns_rr_list_deep_free(ldns_pkt_answer(a));
	ldns_rr_list_deep_free(ldns_pkt_authority(a));
	ldns_rr_list_deep_free(ldns_pkt_additional(a));
	ldns_pkt_set_answer(a, ldns_rr_list_new());
	ldns_pkt_set_authority(a, ldns_rr_list_new());
	ldns_pkt_set_additional(a, ldns_rr_list_new());
	ldns_pkt_set_ancount(a, 0);
	ldns_pkt_set_nscount(a, 0);
	ldns_pkt_set_arcount(a, 0);
	ldns_pkt_set_tc(a, true);
	if ((len = wire(a, limit, out)) > limit)
		return 0;
	return len;
}

size_t
dns_answer(const uint8_t *qbuf, size_t qlen, bool tcp,
    const struct dns_zone *z, uint8_t *out, size_t outcap,
    enum dns_outcome *outcome)
{
	ldns_pkt	*q = NULL, *a = NULL;
	const ldns_rr	*qrr;
	enum dns_where	 where = W_OUTSIDE;
	enum dns_outcome res;
	size_t		 entry = 0, limit, len = 0;

	*outcome = DNS_MALFORMED;
	if (qlen > (tcp ? 65535 : DNS_UDP_MAX)) {
		*outcome = DNS_OVERSIZE;
		return 0;
	}
	if (qlen < LDNS_HEADER_SIZE || (qbuf[2] & 0x80) != 0)
		return 0;		/* short, or a response */
	if (ldns_wire2pkt(&q, qbuf, qlen) != LDNS_STATUS_OK)
		return 0;
	if (ldns_pkt_qdcount(q) != 1 ||
	    ldns_rr_list_rr_count(ldns_pkt_question(q)) != 1)
		goto done;
	if (!tcp && !ldns_pkt_edns(q) && qlen > DNS_UDP_PLAIN) {
		*outcome = DNS_OVERSIZE;
		goto done;
	}
	limit = DNS_UDP_PLAIN;
	if (tcp)
		limit = 65535;
	else if (ldns_pkt_edns(q) && ldns_pkt_edns_udp_size(q) > limit)
		limit = ldns_pkt_edns_udp_size(q) < DNS_UDP_MAX ?
		    ldns_pkt_edns_udp_size(q) : DNS_UDP_MAX;
	if (limit > outcap)
		limit = outcap;

	if ((a = answer_new(q)) == NULL) {
		*outcome = DNS_ERROR;
		goto done;
	}
	qrr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	if (ldns_pkt_get_opcode(q) != LDNS_PACKET_QUERY) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_NOTIMPL);
		res = DNS_NOTIMP;
	} else if (ldns_pkt_edns(q) && ldns_pkt_edns_version(q) != 0) {
		/* RFC 6891 §6.1.3: BADVERS (16) is extended rcode 1, rcode 0 */
		ldns_pkt_set_edns_extended_rcode(a, 1);
		res = DNS_BADVERS;
	} else if (ldns_rr_get_class(qrr) != LDNS_RR_CLASS_IN ||
	    ldns_rr_get_type(qrr) == LDNS_RR_TYPE_AXFR ||
	    ldns_rr_get_type(qrr) == LDNS_RR_TYPE_IXFR ||
	    (where = dns_where(ldns_rr_owner(qrr), z, &entry)) == W_OUTSIDE) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_REFUSED);
		res = DNS_REFUSED;
	} else {
		ldns_pkt_set_aa(a, true);
		res = fill(a, ldns_rr_owner(qrr), ldns_rr_get_type(qrr), where,
		    entry, z);
	}
	if (res == DNS_ERROR) {
		*outcome = DNS_ERROR;
		goto done;
	}
	if ((len = emit(a, limit, out)) == 0)
		*outcome = DNS_ERROR;
	else
		*outcome = res;
 done:
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	return len;
}

uint32_t
dns_zone_serial(const struct dns_entry *e, size_t n)
{
	uint32_t	 h = 2166136261u;
	const uint8_t	*b;
	size_t		 i, k;

	for (i = 0; i < n; i++) {
		for (b = (const uint8_t *)e[i].name; *b != '\0'; b++)
			h = (h ^ (uint8_t)tolower(*b)) * 16777619u;
		h = (h ^ '/') * 16777619u;
		b = (const uint8_t *)e[i].addr;
		for (k = 0; k < sizeof(*e[i].addr); k++)
			h = (h ^ b[k]) * 16777619u;
	}
	return h;
}

void
dns_count(struct dns_stats *s, enum dns_outcome o, const uint8_t *ans,
    size_t len)
{
	s->queries++;
	switch (o) {
	case DNS_NOERROR:	s->noerror++; break;
	case DNS_NODATA:	s->nodata++; break;
	case DNS_NXDOMAIN:	s->nxdomain++; break;
	case DNS_REFUSED:	s->refused++; break;
	case DNS_NOTIMP:	s->notimp++; break;
	case DNS_BADVERS:	s->badvers++; break;
	case DNS_MALFORMED:	s->malformed++; break;
	case DNS_OVERSIZE:	s->oversize++; break;
	case DNS_ERROR:		s->errors++; break;
	}
	if (len > 0) {
		s->answers++;
		if (len > 2 && (ans[2] & 0x02) != 0)
			s->truncated++;
	}
}
