/*
 * libFuzzer target for what the client shim learns from a received
 * frame (hosts/client/learn.c).  The input is an Ethernet frame.
 *
 * cl_learn() must never read outside the frame, and what it accepts must
 * agree with the parsers it builds on: a TCP segment with a routing
 * header, whose ports and source it reports, naming a member other than
 * the source; with a prefix that excludes the source it must refuse.
 * Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hosts/client/client.h"
#include "pkt.h"
#include "rthdr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cl_prefix	 none;
	struct cl_conn		 c;
	struct pkt		 p;
	struct in6_addr		 u;
	uint8_t			*frame, type, segleft;

	/* An exactly sized copy: ASan sees any read past the end. */
	if ((frame = malloc(len == 0 ? 1 : len)) == NULL)
		return 0;
	memcpy(frame, data, len);
	if (cl_learn(frame, len, NULL, 0, &c) == 0) {
		if (pkt_parse(frame, len, &p) != DROP_NONE ||
		    p.proto != IPPROTO_TCP || p.rh_off == 0 ||
		    rthdr_peek(frame, len, &type, &segleft, &u) == -1 ||
		    !IN6_ARE_ADDR_EQUAL(&u, &c.member) ||
		    !IN6_ARE_ADDR_EQUAL(&p.src, &c.any) ||
		    IN6_ARE_ADDR_EQUAL(&c.any, &c.member) ||
		    p.sport != c.rport || p.dport != c.lport)
			abort();
		/* ff00::/8 holds no source cl_learn() accepts. */
		memset(&none, 0, sizeof(none));
		none.addr.s6_addr[0] = 0xff;
		none.plen = 8;
		if (cl_learn(frame, len, &none, 1, &c) == 0)
			abort();
	}
	free(frame);
	return 0;
}
