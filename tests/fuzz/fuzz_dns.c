/*
 * libFuzzer target for dns_answer(): any input is a DNS query over UDP
 * and over TCP, against a zone of two names.  An answer must fit the
 * size allowed and be a well-formed response to the same id, with one
 * question; a dropped query is counted as malformed or oversize.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>

#include <ldns/ldns.h>

#include "dns.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
one(const uint8_t *data, size_t size, bool tcp, const struct dns_zone *z)
{
	static uint8_t		 out[65535];
	enum dns_outcome	 o;
	ldns_pkt		*a = NULL;
	size_t			 n;

	n = dns_answer(data, size, tcp, z, out, tcp ? sizeof(out) :
	    DNS_UDP_MAX, &o);
	if (n == 0) {
		if (o != DNS_MALFORMED && o != DNS_OVERSIZE && o != DNS_ERROR)
			abort();
		return;
	}
	if (o == DNS_MALFORMED || o == DNS_OVERSIZE || o == DNS_ERROR)
		abort();
	if (!tcp && n > DNS_UDP_MAX)
		abort();
	if (ldns_wire2pkt(&a, out, n) != LDNS_STATUS_OK)
		abort();
	if (!ldns_pkt_qr(a) || ldns_pkt_qdcount(a) != 1 ||
	    ldns_pkt_id(a) != (data[0] << 8 | data[1]))
		abort();
	ldns_pkt_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct in6_addr	 a1, a2, ns;
	static struct dns_entry	 e[2];
	struct dns_zone		 z;

	if (e[0].name == NULL) {
		inet_pton(AF_INET6, "2001:db8:ac::1", &a1);
		inet_pton(AF_INET6, "2001:db8:ac::2", &a2);
		inet_pton(AF_INET6, "2001:db8::1", &ns);
		e[0].name = "www.example.edu";
		e[0].addr = &a1;
		e[1].name = "mail";
		e[1].addr = &a2;
	}
	z.entries = e;
	z.nentries = 2;
	z.ns_addrs = &ns;
	z.nns = 1;
	z.serial = 1;
	z.ttl = 60;
	one(data, size, false, &z);
	one(data, size, true, &z);
	return 0;
}
