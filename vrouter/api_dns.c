/*
 * GET /api/v1/dns/zone: the "any." zone that the router answers, as a
 * master file a real name server loads (Knot, NSD, BIND).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "router.h"
#include "dns.h"
#include "api.h"

void
api_dns_zone(struct api_call *call)
{
	struct dns_entry	 entries[CFG_MAX_GROUPS];
	struct in6_addr		 ns[DNS_MAX_NS];
	struct dns_zone		 z;
	struct evbuffer		*buf;
	char			*text;

	dns_zone_of(call->r, NULL, entries, ns, &z);
	if ((text = dns_zone_text(&z)) == NULL) {
		api_error(call, 500, "out of memory");
		return;
	}
	if ((buf = evbuffer_new()) == NULL ||
	    evbuffer_add(buf, text, strlen(text)) == -1) {
		if (buf != NULL)
			evbuffer_free(buf);
		free(text);
		api_error(call, 500, "out of memory");
		return;
	}
	free(text);
	api_set_header(call, "Content-Type", "text/dns");
	api_set_header(call, "Cache-Control", "no-store");
	api_send(call, 200, buf);
	evbuffer_free(buf);
}
