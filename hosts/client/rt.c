/*
 * The direct path in the kernel: per connection a policy rule (TCP, its
 * ports, destination A/128) pointing at the table of its pair (A, U),
 * whose route to A/128 is "encap seg6 mode inline segs U" via the next
 * hop towards U.  Every rule and route carries the protocol CL_RTPROT.
 *
 * Builders and parsers are pure and write what "ip -6 rule add ..." and
 * "ip -6 route add ..." send, attribute for attribute; the socket half
 * sends them with nl_talk().
 */
#include <sys/socket.h>
#include <netinet/in.h>		/* before the linux/ headers */
#include <linux/fib_rules.h>
#include <linux/lwtunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seg6.h>
#include <linux/seg6_iptunnel.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "rthdr.h"

/* The SRH of "segs U" in inline mode: Segment List [::, U], SL 1. */
#define CL_SRH_LEN	(sizeof(struct ipv6_sr_hdr) + 2 * 16)

#define CL_FLUSH_MAX	(2 * CL_MAX_MAX)	/* messages kept by a flush */

static uint32_t
cl_seq(void)
{
	static uint32_t	 seq;

	if (++seq == 0)
		seq = 1;
	return seq;
}

static uint16_t
cl_new_flags(bool add)
{
	return NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL :
	    0);
}

/* A zeroed request of NL_REQ_SIZE bytes at buf, NULL if cap is less. */
static struct nlmsghdr *
cl_msg_start(uint8_t *buf, size_t cap, uint16_t type, uint16_t flags,
    uint32_t seq)
{
	if (cap < NL_REQ_SIZE)
		return NULL;
	memset(buf, 0, NL_REQ_SIZE);
	return nl_put_header(buf, type, flags, seq);
}

/* The struct rtmsg of a request for one IPv6 host route. */
static struct rtmsg *
cl_rtmsg(struct nlmsghdr *nlh)
{
	struct rtmsg	*rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	return rtm;
}

size_t
cl_rule_msg(uint8_t *buf, size_t cap, bool add, const struct cl_conn *c,
    uint32_t priority, uint32_t table, uint32_t seq)
{
	struct nlmsghdr			*nlh;
	struct fib_rule_hdr		*frh;
	struct fib_rule_port_range	 sport = { c->lport, c->lport };
	struct fib_rule_port_range	 dport = { c->rport, c->rport };

	if ((nlh = cl_msg_start(buf, cap, add ? RTM_NEWRULE : RTM_DELRULE,
	    cl_new_flags(add), seq)) == NULL)
		return 0;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET6;
	frh->dst_len = 128;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	frh->action = FR_ACT_TO_TBL;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, priority);
	mnl_attr_put_u8(nlh, FRA_IP_PROTO, IPPROTO_TCP);
	mnl_attr_put(nlh, FRA_SPORT_RANGE, sizeof(sport), &sport);
	mnl_attr_put(nlh, FRA_DPORT_RANGE, sizeof(dport), &dport);
	mnl_attr_put(nlh, FRA_DST, 16, c->any.s6_addr);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, CL_RTPROT);
	return nlh->nlmsg_len;
}

size_t
cl_route_msg(uint8_t *buf, size_t cap, bool add, const struct in6_addr *any,
    const struct in6_addr *member, const struct in6_addr *gw, uint32_t oif,
    uint32_t table, uint32_t seq)
{
	struct nlmsghdr			*nlh;
	struct rtmsg			*rtm;
	struct nlattr			*nest;
	uint8_t				 tun[sizeof(struct seg6_iptunnel_encap) +
					     CL_SRH_LEN];
	struct seg6_iptunnel_encap	 enc;
	struct ipv6_sr_hdr		 srh;

	if ((nlh = cl_msg_start(buf, cap, add ? RTM_NEWROUTE : RTM_DELROUTE,
	    cl_new_flags(add), seq)) == NULL)
		return 0;
	rtm = cl_rtmsg(nlh);
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = CL_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, 16, any->s6_addr);
	if (add) {
		memset(&enc, 0, sizeof(enc));
		enc.mode = SEG6_IPTUN_MODE_INLINE;
		memset(&srh, 0, sizeof(srh));
		srh.hdrlen = (CL_SRH_LEN >> 3) - 1;
		srh.type = RH_TYPE_SRH;
		srh.segments_left = 1;
		srh.first_segment = 1;
		memset(tun, 0, sizeof(tun));
		memcpy(tun, &enc, sizeof(enc));
		memcpy(tun + sizeof(enc), &srh, sizeof(srh));
		/* Segment List[0] stays ::, the kernel puts A there. */
		memcpy(tun + sizeof(enc) + sizeof(srh) + 16, member->s6_addr,
		    16);
		nest = mnl_attr_nest_start(nlh, RTA_ENCAP);
		mnl_attr_put(nlh, SEG6_IPTUNNEL_SRH, sizeof(tun), tun);
		mnl_attr_nest_end(nlh, nest);
		mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_SEG6);
		if (gw != NULL && !IN6_IS_ADDR_UNSPECIFIED(gw))
			mnl_attr_put(nlh, RTA_GATEWAY, 16, gw->s6_addr);
	}
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (add)
		mnl_attr_put_u32(nlh, RTA_OIF, oif);
	return nlh->nlmsg_len;
}

size_t
cl_route_get_msg(uint8_t *buf, size_t cap, const struct in6_addr *dst,
    uint32_t seq)
{
	struct nlmsghdr	*nlh;

	/* The ACK ends the answer for nl_talk(). */
	if ((nlh = cl_msg_start(buf, cap, RTM_GETROUTE, NLM_F_REQUEST |
	    NLM_F_ACK, seq)) == NULL)
		return 0;
	(void)cl_rtmsg(nlh);
	mnl_attr_put(nlh, RTA_DST, 16, dst->s6_addr);
	return nlh->nlmsg_len;
}

struct cl_nexthop {
	struct in6_addr	*gw;
	uint32_t	*oif;
	bool		 have_oif;
};

static int
cl_nexthop_attr(const struct nlattr *attr, void *arg)
{
	struct cl_nexthop	*nh = arg;

	switch (mnl_attr_get_type(attr)) {
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(attr) != 16)
			return MNL_CB_ERROR;
		memcpy(nh->gw->s6_addr, mnl_attr_get_payload(attr), 16);
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == -1)
			return MNL_CB_ERROR;
		*nh->oif = mnl_attr_get_u32(attr);
		nh->have_oif = true;
		break;
	}
	return MNL_CB_OK;
}

int
cl_route_nexthop(const struct nlmsghdr *nlh, struct in6_addr *gw,
    uint32_t *oif)
{
	struct cl_nexthop	 nh = { gw, oif, false };

	memset(gw, 0, sizeof(*gw));
	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg))
		return -1;
	if (mnl_attr_parse(nlh, sizeof(struct rtmsg), cl_nexthop_attr,
	    &nh) != MNL_CB_OK || !nh.have_oif)
		return -1;
	return 0;
}

static int
cl_rule_proto_attr(const struct nlattr *attr, void *arg)
{
	if (mnl_attr_get_type(attr) == FRA_PROTOCOL &&
	    mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
		*(bool *)arg = mnl_attr_get_u8(attr) == CL_RTPROT;
	return MNL_CB_OK;
}

bool
cl_rule_is_ours(const struct nlmsghdr *nlh)
{
	struct fib_rule_hdr	 frh;
	bool			 ours = false;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(frh))
		return false;
	memcpy(&frh, mnl_nlmsg_get_payload(nlh), sizeof(frh));
	if (frh.family != AF_INET6)
		return false;
	(void)mnl_attr_parse(nlh, sizeof(frh), cl_rule_proto_attr, &ours);
	return ours;
}

bool
cl_route_is_ours(const struct nlmsghdr *nlh)
{
	struct rtmsg	 rtm;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(rtm))
		return false;
	memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
	return rtm.rtm_family == AF_INET6 && rtm.rtm_protocol == CL_RTPROT;
}

/* ---------------------------------------------------------------------- */
/* the socket half */

static int
cl_nexthop_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cl_nexthop	*nh = arg;

	if (cl_route_nexthop(nlh, nh->gw, nh->oif) == -1)
		return MNL_CB_ERROR;
	nh->have_oif = true;
	return MNL_CB_OK;
}

int
cl_rt_nexthop(struct mnl_socket *nl, const struct in6_addr *dst,
    struct in6_addr *gw, uint32_t *oif)
{
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];
	struct cl_nexthop	 nh = { gw, oif, false };
	struct nl_answer	 a = { .type = RTM_NEWROUTE, .cb = cl_nexthop_cb,
				       .arg = &nh };

	cl_route_get_msg(req, sizeof(req), dst, cl_seq());
	if (nl_talk(nl, (const void *)req, &a) == -1)
		return -1;
	if (!nh.have_oif) {
		errno = ENETUNREACH;
		return -1;
	}
	return 0;
}

static int
cl_rt_send(struct mnl_socket *nl, const uint8_t *req)
{
	struct nl_answer	 a = { .type = 0 };

	return nl_talk(nl, (const void *)req, &a);
}

int
cl_rt_rule(struct mnl_socket *nl, bool add, const struct cl_conn *c,
    uint32_t priority, uint32_t table)
{
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];

	cl_rule_msg(req, sizeof(req), add, c, priority, table, cl_seq());
	return cl_rt_send(nl, req);
}

int
cl_rt_route(struct mnl_socket *nl, bool add, const struct cl_table *t,
    uint32_t table)
{
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];

	cl_route_msg(req, sizeof(req), add, &t->any, &t->member, &t->gw,
	    t->oif, table, cl_seq());
	return cl_rt_send(nl, req);
}

/* The messages of a dump that are ours, copied to be sent back. */
struct cl_flush {
	bool		(*ours)(const struct nlmsghdr *);
	uint8_t		**v;
	size_t		 n;
};

static int
cl_flush_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cl_flush	*f = arg;
	uint8_t		*copy;

	if (!f->ours(nlh) || f->n == CL_FLUSH_MAX)
		return MNL_CB_OK;
	if ((copy = malloc(nlh->nlmsg_len)) == NULL)
		return MNL_CB_ERROR;
	memcpy(copy, nlh, nlh->nlmsg_len);
	f->v[f->n++] = copy;
	return MNL_CB_OK;
}

/*
 * Dump type (rules or routes), then send each message of ours back as
 * del: the kernel deletes what matches every attribute it names.
 */
static int
cl_flush_one(struct mnl_socket *nl, uint16_t get, uint16_t type,
    uint16_t del, bool (*ours)(const struct nlmsghdr *))
{
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];
	struct cl_flush		 f = { ours, NULL, 0 };
	struct nl_answer	 a = { .type = type, .cb = cl_flush_cb,
				       .arg = &f };
	struct nlmsghdr		*nlh;
	struct rtgenmsg		*g;
	size_t			 i;
	int			 removed = 0, saved;

	if ((f.v = calloc(CL_FLUSH_MAX, sizeof(*f.v))) == NULL)
		return -1;
	memset(req, 0, sizeof(req));
	nlh = nl_put_header(req, get, NLM_F_REQUEST | NLM_F_DUMP, cl_seq());
	/* A struct rtmsg's room: the rule and route dumps both take it. */
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	g->rtgen_family = AF_INET6;
	if (nl_talk(nl, nlh, &a) == -1)
		removed = -1;
	for (i = 0; i < f.n; i++) {
		nlh = (struct nlmsghdr *)(void *)f.v[i];
		nlh->nlmsg_type = del;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = cl_seq();
		if (removed >= 0 && cl_rt_send(nl, f.v[i]) == 0)
			removed++;
		free(f.v[i]);
	}
	saved = errno;
	free(f.v);
	errno = saved;
	return removed;
}

int
cl_rt_flush(struct mnl_socket *nl)
{
	int	 rules, routes;

	/* Rules first: none may point at a table that is being emptied. */
	if ((rules = cl_flush_one(nl, RTM_GETRULE, RTM_NEWRULE, RTM_DELRULE,
	    cl_rule_is_ours)) == -1)
		return -1;
	if ((routes = cl_flush_one(nl, RTM_GETROUTE, RTM_NEWROUTE,
	    RTM_DELROUTE, cl_route_is_ours)) == -1)
		return -1;
	return rules + routes;
}
