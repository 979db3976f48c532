/*
 * The shim's rtnetlink messages, byte for byte against what iproute2
 * sends for the same rule and route (captured with strace -e sendmsg
 * -xx, sequence number 7):
 *
 *   ip -6 rule add priority 100 ipproto tcp sport 41000 dport 80 \
 *       to 2001:db8:ac::1/128 table 44100 protocol 172
 *   ip -6 route add 2001:db8:ac::1/128 encap seg6 mode inline \
 *       segs 2001:db8:21::10 via fe80::1 dev <ifindex 2> table 44100 \
 *       proto 172
 *
 * and the parsers of route answers and dumps.
 */
#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../hosts/client/client.h"

static const uint8_t ip_rule_add[96] = {
	0x60, 0x00, 0x00, 0x00, 0x20, 0x00, 0x05, 0x06, 0x07, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0a, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x64, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x16, 0x00, 0x06, 0x00, 0x00, 0x00, 0x08, 0x00, 0x17, 0x00,
	0x28, 0xa0, 0x28, 0xa0, 0x08, 0x00, 0x18, 0x00, 0x50, 0x00, 0x50, 0x00,
	0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xac, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x0f, 0x00,
	0x44, 0xac, 0x00, 0x00, 0x05, 0x00, 0x15, 0x00, 0xac, 0x00, 0x00, 0x00,
};

static const uint8_t ip_route_add[144] = {
	0x90, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, 0x07, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0a, 0x80, 0x00, 0x00, 0x00, 0xac, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0xac, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x34, 0x00, 0x16, 0x80, 0x30, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x04, 0x04, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x10, 0x06, 0x00, 0x15, 0x00, 0x05, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x05, 0x00, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x0f, 0x00,
	0x44, 0xac, 0x00, 0x00, 0x08, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00,
};

static struct cl_conn
crt_conn(void)
{
	struct cl_conn	 c;

	memset(&c, 0, sizeof(c));
	inet_pton(AF_INET6, "2001:db8:ac::1", &c.any);
	inet_pton(AF_INET6, "2001:db8:21::10", &c.member);
	c.lport = 41000;
	c.rport = 80;
	return c;
}

Test(client_rt, rule_as_ip_sends_it)
{
	_Alignas(struct nlmsghdr) uint8_t buf[NL_REQ_SIZE];
	struct cl_conn	 c = crt_conn();
	size_t		 len;

	len = cl_rule_msg(buf, sizeof(buf), true, &c, 100, 44100, 7);
	cr_assert_eq(len, sizeof(ip_rule_add));
	cr_expect_arr_eq(buf, ip_rule_add, len);
	cr_expect(cl_rule_is_ours((const void *)buf));

	/* Delete: the same attributes, so that the kernel finds the rule. */
	len = cl_rule_msg(buf, sizeof(buf), false, &c, 100, 44100, 7);
	cr_assert_eq(len, sizeof(ip_rule_add));
	cr_expect_eq(((struct nlmsghdr *)(void *)buf)->nlmsg_type, RTM_DELRULE);
	cr_expect_eq(((struct nlmsghdr *)(void *)buf)->nlmsg_flags,
	    NLM_F_REQUEST | NLM_F_ACK);
	cr_expect_arr_eq(buf + 16, ip_rule_add + 16, len - 16);
	cr_expect_eq(cl_rule_msg(buf, 64, true, &c, 100, 44100, 7), 0,
	    "too small a buffer");
}

Test(client_rt, route_as_ip_sends_it)
{
	_Alignas(struct nlmsghdr) uint8_t buf[NL_REQ_SIZE];
	struct cl_conn	 c = crt_conn();
	struct in6_addr	 gw;
	size_t		 len;

	inet_pton(AF_INET6, "fe80::1", &gw);
	len = cl_route_msg(buf, sizeof(buf), true, &c.any, &c.member, &gw, 2,
	    44100, 7);
	cr_assert_eq(len, sizeof(ip_route_add));
	cr_expect_arr_eq(buf, ip_route_add, len);
	cr_expect(cl_route_is_ours((const void *)buf));
}

static int
crt_attr(const struct nlattr *attr, void *arg)
{
	const struct nlattr	**tb = arg;

	if (mnl_attr_get_type(attr) <= RTA_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

Test(client_rt, route_delete_names_dst_table_protocol)
{
	_Alignas(struct nlmsghdr) uint8_t buf[NL_REQ_SIZE];
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct cl_conn	 c = crt_conn();
	struct nlmsghdr	*nlh = (void *)buf;
	struct rtmsg	*rtm;

	cl_route_msg(buf, sizeof(buf), false, &c.any, &c.member, NULL, 0,
	    70000, 9);
	cr_expect_eq(nlh->nlmsg_type, RTM_DELROUTE);
	rtm = mnl_nlmsg_get_payload(nlh);
	cr_expect_eq(rtm->rtm_protocol, CL_RTPROT);
	cr_expect_eq(rtm->rtm_dst_len, 128);
	cr_assert_eq(mnl_attr_parse(nlh, sizeof(*rtm), crt_attr, tb),
	    MNL_CB_OK);
	cr_assert_not_null(tb[RTA_DST]);
	cr_expect_arr_eq(mnl_attr_get_payload(tb[RTA_DST]), c.any.s6_addr, 16);
	cr_assert_not_null(tb[RTA_TABLE]);
	cr_expect_eq(mnl_attr_get_u32(tb[RTA_TABLE]), 70000);
	cr_expect_null(tb[RTA_ENCAP]);
	cr_expect_null(tb[RTA_OIF]);
}

/* An answer to RTM_GETROUTE: gateway and interface; on-link: no gateway. */
Test(client_rt, nexthop_of_an_answer)
{
	_Alignas(struct nlmsghdr) uint8_t buf[NL_REQ_SIZE];
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;
	struct in6_addr	 gw, want, u;
	uint32_t	 oif = 0;

	inet_pton(AF_INET6, "fe80::76:1", &want);
	inet_pton(AF_INET6, "2001:db8:21::10", &u);
	cr_assert_gt(cl_route_get_msg(buf, sizeof(buf), &u, 1), 0);
	memset(buf, 0, sizeof(buf));
	nlh = nl_put_header(buf, RTM_NEWROUTE, 0, 1);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	mnl_attr_put(nlh, RTA_DST, 16, &u);
	mnl_attr_put(nlh, RTA_GATEWAY, 16, &want);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	cr_assert_eq(cl_route_nexthop(nlh, &gw, &oif), 0);
	cr_expect(IN6_ARE_ADDR_EQUAL(&gw, &want));
	cr_expect_eq(oif, 3);
	cr_expect(!cl_route_is_ours(nlh), "protocol 0");

	memset(buf, 0, sizeof(buf));
	nlh = nl_put_header(buf, RTM_NEWROUTE, 0, 1);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	mnl_attr_put_u32(nlh, RTA_OIF, 4);
	cr_assert_eq(cl_route_nexthop(nlh, &gw, &oif), 0);
	cr_expect(IN6_IS_ADDR_UNSPECIFIED(&gw));
	cr_expect_eq(oif, 4);

	memset(buf, 0, sizeof(buf));
	nlh = nl_put_header(buf, RTM_NEWROUTE, 0, 1);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	mnl_attr_put(nlh, RTA_GATEWAY, 15, &want);
	cr_expect_eq(cl_route_nexthop(nlh, &gw, &oif), -1, "bad gateway");
}

/* A rule of someone else, or without a protocol, is left alone. */
Test(client_rt, rules_of_others)
{
	uint8_t		 buf[sizeof(ip_rule_add)];

	memcpy(buf, ip_rule_add, sizeof(buf));
	buf[sizeof(buf) - 4] = 186;	/* FRA_PROTOCOL: bgp */
	cr_expect(!cl_rule_is_ours((const void *)buf));
	((struct nlmsghdr *)(void *)buf)->nlmsg_len = sizeof(buf) - 8;
	cr_expect(!cl_rule_is_ours((const void *)buf), "no FRA_PROTOCOL");
	memcpy(buf, ip_rule_add, sizeof(buf));
	buf[16] = AF_INET;
	cr_expect(!cl_rule_is_ours((const void *)buf), "IPv4");
}
