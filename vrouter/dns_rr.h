/*
 * dns_any.c: the records of the "any." zone as ldns objects, shared by
 * the answers (dns_any.c) and the zone's text (dns_zone.c).  Private to
 * the dns_*.c files.  Each returns a new record the caller frees with
 * ldns_rr_free(), or NULL when memory ran out.
 */
#ifndef VROUTER_DNS_RR_H
#define VROUTER_DNS_RR_H

#include <ldns/ldns.h>

#include "dns.h"

ldns_rr	*dns_rr_soa(const ldns_rdf *apex, const struct dns_zone *);
ldns_rr	*dns_rr_ns(const ldns_rdf *apex, uint32_t ttl);
ldns_rr	*dns_rr_aaaa(const ldns_rdf *owner, const struct in6_addr *,
	    uint32_t ttl);

#endif /* VROUTER_DNS_RR_H */
