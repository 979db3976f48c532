/*
 * The "any." zone as master-file text (RFC 1035 §5), for a real name
 * server (GET /api/v1/dns/zone): the SOA, the NS, where ns.any. is, and
 * one AAAA per group with a name.  The records are those the responder
 * answers with (dns_rr.h), written by ldns.  Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns.h"
#include "dns_rr.h"

/* Append rr as text to b and free it; false when anything failed. */
static bool
put(ldns_buffer *b, ldns_rr *rr)
{
	ldns_status	 st;

	if (rr == NULL)
		return false;
	st = ldns_rr2buffer_str(b, rr);
	ldns_rr_free(rr);
	return st == LDNS_STATUS_OK;
}

char *
dns_zone_text(const struct dns_zone *z)
{
	ldns_buffer	*b;
	ldns_rdf	*apex, *ns, *owner;
	char		 name[DNS_NAME_TEXT];
	char		*text = NULL;
	bool		 ok;
	size_t		 i;

	if ((b = ldns_buffer_new(4096)) == NULL)
		return NULL;
	apex = ldns_dname_new_frm_str(DNS_ZONE ".");
	ns = ldns_dname_new_frm_str(DNS_NS_LABEL "." DNS_ZONE ".");
	ok = apex != NULL && ns != NULL &&
	    ldns_buffer_printf(b, "; the %s. zone of vrouter, serial %u\n"
	    "$ORIGIN %s.\n$TTL %u\n", DNS_ZONE, z->serial, DNS_ZONE,
	    z->ttl) >= 0 &&
	    put(b, dns_rr_soa(apex, z)) && put(b, dns_rr_ns(apex, z->ttl));
	for (i = 0; ok && i < z->nns; i++)
		ok = put(b, dns_rr_aaaa(ns, &z->ns_addrs[i], z->ttl));
	for (i = 0; ok && i < z->nentries; i++) {
		snprintf(name, sizeof(name), "%s.%s.", z->entries[i].name,
		    DNS_ZONE);
		if ((owner = ldns_dname_new_frm_str(name)) == NULL) {
			ok = false;
			break;
		}
		ok = put(b, dns_rr_aaaa(owner, z->entries[i].addr, z->ttl));
		ldns_rdf_deep_free(owner);
	}
	ldns_rdf_deep_free(apex);
	ldns_rdf_deep_free(ns);
	if (ok && ldns_buffer_status_ok(b))
		text = ldns_buffer_export2str(b);
	ldns_buffer_free(b);
	return text;
}
