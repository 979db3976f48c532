/*
 * RIPng packet codec (RFC 2080 §2.1): see ripng_proto.h.
 */
#include <string.h>

#include "addr.h"
#include "wire.h"
#include "ripng_proto.h"

#define IP6_UDP_LEN	(40 + 8)

static const char *const err_names[RIPNG_E_MAX] = {
	[RIPNG_OK] = "ok",
#define X(n, help) [RIPNG_E_##n] = #n,
	RIPNG_ERRORS(X)
#undef X
};

static const char *const err_help[RIPNG_E_MAX] = {
	[RIPNG_OK] = "No error.",
#define X(n, help) [RIPNG_E_##n] = help,
	RIPNG_ERRORS(X)
#undef X
};

const char *
ripng_err_name(enum ripng_err e)
{
	return (unsigned)e < RIPNG_E_MAX ? err_names[e] : "unknown";
}

const char *
ripng_err_help(enum ripng_err e)
{
	return (unsigned)e < RIPNG_E_MAX ? err_help[e] : "";
}

enum ripng_err
ripng_parse_hdr(const uint8_t *b, size_t len, uint8_t *cmd)
{
	if (len < RIPNG_HDR_LEN)
		return RIPNG_E_short;
	if ((len - RIPNG_HDR_LEN) % RIPNG_RTE_LEN != 0)
		return RIPNG_E_length;
	if (b[0] != RIPNG_CMD_REQUEST && b[0] != RIPNG_CMD_RESPONSE)
		return RIPNG_E_command;
	if (b[1] != RIPNG_VERSION)
		return RIPNG_E_version;
	if (b[2] != 0 || b[3] != 0)
		return RIPNG_E_reserved;
	*cmd = b[0];
	return RIPNG_OK;
}

enum ripng_err
ripng_check_ip6(uint8_t cmd, const struct in6_addr *src, uint16_t sport,
    uint8_t hlim)
{
	if (cmd == RIPNG_CMD_REQUEST)
		return RIPNG_OK;
	if (!IN6_IS_ADDR_LINKLOCAL(src) || sport != RIPNG_PORT)
		return RIPNG_E_source;
	if (hlim != RIPNG_HOP_LIMIT)
		return RIPNG_E_hop_limit;
	return RIPNG_OK;
}

void
ripng_iter_init(struct ripng_iter *it, const uint8_t *b, size_t len)
{
	it->p = b + RIPNG_HDR_LEN;
	it->end = b + len;
	memset(&it->nexthop, 0, sizeof(it->nexthop));
}

static void
count(uint64_t *bad, enum ripng_err e)
{
	if (bad != NULL)
		bad[e]++;
}

/* Host bits beyond plen. */
static bool
host_bits(const struct in6_addr *a, uint8_t plen)
{
	struct in6_addr	 m = *a;

	prefix_mask(&m, plen);
	return memcmp(&m, a, sizeof(m)) != 0;
}

static enum ripng_err
rte_check(const struct ripng_rte *r)
{
	if (r->plen > 128)
		return RIPNG_E_bad_plen;
	if (r->metric == 0 || r->metric > RIPNG_INFINITY)
		return RIPNG_E_bad_metric;
	if (IN6_IS_ADDR_MULTICAST(&r->prefix) ||
	    IN6_IS_ADDR_LINKLOCAL(&r->prefix) || host_bits(&r->prefix, r->plen))
		return RIPNG_E_bad_prefix;
	return RIPNG_OK;
}

bool
ripng_next(struct ripng_iter *it, struct ripng_rte *r, uint64_t *bad)
{
	enum ripng_err	 e;

	for (; it->end - it->p >= RIPNG_RTE_LEN; it->p += RIPNG_RTE_LEN) {
		memcpy(&r->prefix, it->p, sizeof(r->prefix));
		r->tag = rd16(it->p + 16);
		r->plen = it->p[18];
		r->metric = it->p[19];
		if (r->metric == RIPNG_METRIC_NEXTHOP) {
			/* §2.1.1: not link-local means "use the sender". */
			if (IN6_IS_ADDR_LINKLOCAL(&r->prefix))
				it->nexthop = r->prefix;
			else {
				if (!IN6_IS_ADDR_UNSPECIFIED(&r->prefix))
					count(bad, RIPNG_E_bad_nexthop);
				memset(&it->nexthop, 0, sizeof(it->nexthop));
			}
			continue;
		}
		if ((e = rte_check(r)) != RIPNG_OK) {
			count(bad, e);
			continue;
		}
		it->p += RIPNG_RTE_LEN;
		return true;
	}
	return false;
}

bool
ripng_is_whole_request(const uint8_t *b, size_t len)
{
	static const uint8_t zero[16];

	return len == RIPNG_HDR_LEN + RIPNG_RTE_LEN &&
	    b[0] == RIPNG_CMD_REQUEST &&
	    memcmp(b + RIPNG_HDR_LEN, zero, 16) == 0 &&
	    b[RIPNG_HDR_LEN + 18] == 0 &&
	    b[RIPNG_HDR_LEN + 19] == RIPNG_INFINITY;
}

size_t
ripng_build(uint8_t *buf, size_t cap, uint8_t cmd,
    const struct ripng_rte *rtes, size_t n, size_t *used)
{
	uint8_t	*p;
	size_t	 i;

	*used = 0;
	if (cap < RIPNG_HDR_LEN)
		return 0;
	buf[0] = cmd;
	buf[1] = RIPNG_VERSION;
	buf[2] = buf[3] = 0;
	p = buf + RIPNG_HDR_LEN;
	for (i = 0; i < n && (size_t)(buf + cap - p) >= RIPNG_RTE_LEN; i++) {
		memcpy(p, &rtes[i].prefix, 16);
		wr16(p + 16, rtes[i].tag);
		p[18] = rtes[i].plen;
		p[19] = rtes[i].metric;
		p += RIPNG_RTE_LEN;
	}
	*used = i;
	return (size_t)(p - buf);
}

size_t
ripng_rtes_per_packet(uint32_t mtu)
{
	if (mtu < IP6_UDP_LEN + RIPNG_HDR_LEN + RIPNG_RTE_LEN)
		return 0;
	return (mtu - IP6_UDP_LEN - RIPNG_HDR_LEN) / RIPNG_RTE_LEN;
}
