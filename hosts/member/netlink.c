/*
 * rtnetlink and sysctls: the member's unicast address, the router (the
 * default gateway), the anycast address on lo, and the switches the
 * direct path needs (seg6_enabled).
 *
 * Requests are built with libmnl; answers are parsed by pure functions
 * over byte buffers (nl_parse() and libmnl's attribute walk), the fixed
 * headers read with memcpy, every length checked.
 */
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "agent.h"
#include "nl.h"

#define MA_ATTR_MAX	32	/* above every attribute type looked at */

/* An attribute looked at: its libmnl type and exact payload size. */
struct ma_attr_rule {
	enum mnl_attr_data_type	 type;	/* MNL_TYPE_UNSPEC: not looked at */
	size_t			 len;	/* 0: any */
};

static const struct ma_attr_rule ma_addr_rules[MA_ATTR_MAX] = {
	[IFA_ADDRESS]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[IFA_FLAGS]	= { MNL_TYPE_U32, sizeof(uint32_t) },
};

static const struct ma_attr_rule ma_route_rules[MA_ATTR_MAX] = {
	[RTA_GATEWAY]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[RTA_OIF]	= { MNL_TYPE_U32, sizeof(uint32_t) },
	[RTA_TABLE]	= { MNL_TYPE_U32, sizeof(uint32_t) },
	[RTA_MULTIPATH]	= { MNL_TYPE_BINARY, 0 },
};

/* The attributes of one message or next hop, each pointing into it. */
struct ma_attrs {
	const struct nlattr		*tb[MA_ATTR_MAX];
	const struct ma_attr_rule	*rules;
	const uint8_t			*next;	/* past the last one walked */
};

static int
ma_attr_cb(const struct nlattr *attr, void *arg)
{
	struct ma_attrs			*at = arg;
	const struct ma_attr_rule	*r;
	uint16_t			 type = mnl_attr_get_type(attr);

	at->next = (const uint8_t *)attr + MNL_ALIGN(attr->nla_len);
	if (type >= MA_ATTR_MAX || at->tb[type] != NULL)
		return MNL_CB_OK;
	r = &at->rules[type];
	if (r->type != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate2(attr, r->type, r->len) == 0)
		at->tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * Index the attributes in len bytes at p: the first valid one of each
 * type the rules name.  -1 when one overruns the rest, where libmnl's
 * walk stops without a word; a rest too short for an attribute is
 * padding.
 */
static int
ma_attr_index(const void *p, size_t len, const struct ma_attr_rule *rules,
    struct ma_attrs *at)
{
	memset(at, 0, sizeof(*at));
	at->rules = rules;
	at->next = p;
	(void)mnl_attr_parse_payload(p, len, ma_attr_cb, at);
	return (const uint8_t *)p + len - at->next >=
	    (ptrdiff_t)sizeof(struct nlattr) ? -1 : 0;
}

/*
 * The fixed header of hdrlen bytes of an rtnetlink message, into hdr,
 * and its attributes, walked over the message's exact length (not to
 * its aligned end, as mnl_attr_parse() would).  -1 when the message is
 * too short or malformed.
 */
static int
ma_msg_parse(const struct nlmsghdr *nlh, void *hdr, size_t hdrlen,
    const struct ma_attr_rule *rules, struct ma_attrs *at)
{
	size_t	 len = mnl_nlmsg_get_payload_len(nlh);

	if (len < MNL_ALIGN(hdrlen))
		return -1;
	memcpy(hdr, mnl_nlmsg_get_payload(nlh), hdrlen);
	return ma_attr_index(mnl_nlmsg_get_payload_offset(nlh, hdrlen),
	    len - MNL_ALIGN(hdrlen), rules, at);
}

int
ma_nl_parse(const uint8_t *buf, size_t len, struct nl_answer *a,
    bool *done, int *error)
{
	int	 rv = nl_parse(buf, len, a);

	if (a->done)
		*done = true;
	*error = a->error;
	return rv;
}

static int
ma_addr_one(const struct nlmsghdr *nlh, void *arg)
{
	struct ma_addr_pick	*pick = arg;
	struct ifaddrmsg	 ifa;
	struct ma_attrs		 at;
	uint32_t		 flags;

	if (ma_msg_parse(nlh, &ifa, sizeof(ifa), ma_addr_rules, &at) == -1)
		return MNL_CB_ERROR;
	if (ifa.ifa_family != AF_INET6 || (int)ifa.ifa_index != pick->ifindex ||
	    ifa.ifa_scope != RT_SCOPE_UNIVERSE || pick->found)
		return MNL_CB_OK;
	if (at.tb[IFA_ADDRESS] == NULL)
		return MNL_CB_OK;
	if (pick->match && memcmp(mnl_attr_get_payload(at.tb[IFA_ADDRESS]),
	    pick->want.s6_addr, 16) != 0)
		return MNL_CB_OK;
	flags = at.tb[IFA_FLAGS] != NULL ? mnl_attr_get_u32(at.tb[IFA_FLAGS]) :
	    ifa.ifa_flags;
	if (flags & (IFA_F_DADFAILED | IFA_F_DEPRECATED))
		return MNL_CB_OK;
	if (flags & IFA_F_TENTATIVE) {
		pick->tentative = true;
		return MNL_CB_OK;
	}
	memcpy(pick->addr.s6_addr, mnl_attr_get_payload(at.tb[IFA_ADDRESS]),
	    16);
	pick->found = true;
	return MNL_CB_OK;
}

int
ma_addr_parse(const uint8_t *buf, size_t len, struct ma_addr_pick *p,
    bool *done, int *error)
{
	struct nl_answer	 a = { .type = RTM_NEWADDR, .cb = ma_addr_one,
				       .arg = p };

	return ma_nl_parse(buf, len, &a, done, error);
}

struct ma_route_pick {
	int		 ifindex;
	struct in6_addr	*gw;
	bool		*found;
};

/* The first next hop of a multipath route that leaves ifindex. */
static int
ma_route_multipath(const uint8_t *p, size_t len, struct ma_route_pick *rp)
{
	struct rtnexthop	 nh;
	struct ma_attrs		 at;
	size_t			 off = 0;

	while (len - off >= sizeof(nh)) {
		memcpy(&nh, p + off, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > len - off)
			return MNL_CB_ERROR;
		if (ma_attr_index(p + off + RTNH_LENGTH(0),
		    nh.rtnh_len - RTNH_LENGTH(0), ma_route_rules, &at) == -1)
			return MNL_CB_ERROR;
		if (nh.rtnh_ifindex == rp->ifindex &&
		    at.tb[RTA_GATEWAY] != NULL) {
			memcpy(rp->gw->s6_addr,
			    mnl_attr_get_payload(at.tb[RTA_GATEWAY]), 16);
			*rp->found = true;
			return MNL_CB_OK;
		}
		off += RTNH_ALIGN(nh.rtnh_len);
		if (off > len)
			break;
	}
	return MNL_CB_OK;
}

static int
ma_route_one(const struct nlmsghdr *nlh, void *arg)
{
	struct ma_route_pick	*rp = arg;
	struct rtmsg		 rtm;
	struct ma_attrs		 at;
	uint32_t		 table;

	if (ma_msg_parse(nlh, &rtm, sizeof(rtm), ma_route_rules, &at) == -1)
		return MNL_CB_ERROR;
	if (*rp->found || rtm.rtm_family != AF_INET6 || rtm.rtm_dst_len != 0 ||
	    rtm.rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	table = at.tb[RTA_TABLE] != NULL ? mnl_attr_get_u32(at.tb[RTA_TABLE]) :
	    rtm.rtm_table;
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	if (at.tb[RTA_MULTIPATH] != NULL)
		return ma_route_multipath(
		    mnl_attr_get_payload(at.tb[RTA_MULTIPATH]),
		    mnl_attr_get_payload_len(at.tb[RTA_MULTIPATH]), rp);
	if (at.tb[RTA_OIF] == NULL ||
	    (int)mnl_attr_get_u32(at.tb[RTA_OIF]) != rp->ifindex ||
	    at.tb[RTA_GATEWAY] == NULL)
		return MNL_CB_OK;
	memcpy(rp->gw->s6_addr, mnl_attr_get_payload(at.tb[RTA_GATEWAY]), 16);
	*rp->found = true;
	return MNL_CB_OK;
}

int
ma_route_parse(const uint8_t *buf, size_t len, int ifindex,
    struct in6_addr *gw, bool *found, bool *done, int *error)
{
	struct ma_route_pick	 rp = { ifindex, gw, found };
	struct nl_answer	 a = { .type = RTM_NEWROUTE, .cb = ma_route_one,
				       .arg = &rp };

	return ma_nl_parse(buf, len, &a, done, error);
}

size_t
ma_addr_request(uint8_t *buf, size_t cap, bool add, int ifindex,
    const struct in6_addr *addr, uint8_t plen, uint32_t flags, uint32_t seq)
{
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	uint16_t		 nlflags = NLM_F_REQUEST | NLM_F_ACK;

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*ifa)))
		return 0;
	if (add)
		nlflags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh = nl_put_header(buf, add ? RTM_NEWADDR : RTM_DELADDR, nlflags, seq);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	if (!mnl_attr_put_check(nlh, cap, IFA_LOCAL, sizeof(*addr), addr) ||
	    !mnl_attr_put_check(nlh, cap, IFA_ADDRESS, sizeof(*addr), addr) ||
	    !mnl_attr_put_u32_check(nlh, cap, IFA_FLAGS, flags))
		return 0;
	return nlh->nlmsg_len;
}

/* A dump request for RTM_GETADDR / RTM_GETROUTE, IPv6 only. */
static struct nlmsghdr *
ma_dump_request(void *buf, uint16_t type)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;	/* ifaddrmsg's family is at the same place */

	nlh = nl_put_header(buf, type, NLM_F_REQUEST | NLM_F_DUMP, 1);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	return nlh;
}

int
ma_nl_global_addr(int ifindex, const struct in6_addr *want,
    struct ma_addr_pick *p)
{
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];
	struct nl_answer	 a = { .type = RTM_NEWADDR, .cb = ma_addr_one,
				       .arg = p };

	memset(p, 0, sizeof(*p));
	p->ifindex = ifindex;
	if (want != NULL) {
		p->match = true;
		p->want = *want;
	}
	if (nl_request(NETLINK_ROUTE, ma_dump_request(req, RTM_GETADDR),
	    &a) == -1)
		return -1;
	return p->found ? 0 : 1;
}

int
ma_nl_default_gw(int ifindex, struct in6_addr *gw)
{
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];
	bool			 found = false;
	struct ma_route_pick	 rp = { ifindex, gw, &found };
	struct nl_answer	 a = { .type = RTM_NEWROUTE, .cb = ma_route_one,
				       .arg = &rp };

	if (nl_request(NETLINK_ROUTE, ma_dump_request(req, RTM_GETROUTE),
	    &a) == -1)
		return -1;
	return found ? 0 : 1;
}

int
ma_nl_addr(bool add, int ifindex, const struct in6_addr *addr, uint8_t plen,
    uint32_t flags)
{
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];
	struct nl_answer	 a = { .cb = NULL };	/* an ACK only */

	if (ma_addr_request(req, sizeof(req), add, ifindex, addr, plen, flags,
	    1) == 0)
		return -EMSGSIZE;
	if (nl_request(NETLINK_ROUTE, (const void *)req, &a) == -1)
		return errno != 0 ? -errno : -EPROTO;
	return 0;
}

int
ma_sysctl_set(const char *path, const char *value)
{
	char	 file[256];
	size_t	 len = strlen(value);
	int	 fd, saved;

	if ((size_t)snprintf(file, sizeof(file), "/proc/sys/%s", path) >=
	    sizeof(file)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(file, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	if (write(fd, value, len) != (ssize_t)len) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}
