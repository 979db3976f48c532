/*
 * The shim's sock_diag dump: the request asks for every open TCP/IPv6
 * socket with tcp_info; each answer message becomes a socket with its
 * idle time, found again by (remote address, ports).
 */
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../hosts/client/client.h"

Test(client_diag, request)
{
	_Alignas(struct nlmsghdr) uint8_t buf[NL_REQ_SIZE];
	struct inet_diag_req_v2	*req;
	size_t			 len;

	len = cl_diag_request(buf, sizeof(buf), 5);
	cr_assert_eq(len, MNL_NLMSG_HDRLEN + sizeof(*req));
	req = mnl_nlmsg_get_payload((void *)buf);
	cr_expect_eq(req->sdiag_family, AF_INET6);
	cr_expect_eq(req->sdiag_protocol, IPPROTO_TCP);
	cr_expect(req->idiag_states & (1 << 1), "ESTABLISHED");
	cr_expect(req->idiag_states & (1 << 2), "SYN_SENT");
	cr_expect(req->idiag_states & (1 << 4), "FIN_WAIT1");
	cr_expect(!(req->idiag_states & (1 << 6)), "not TIME_WAIT");
	cr_expect(!(req->idiag_states & (1 << 10)), "not LISTEN");
	cr_expect_eq(req->idiag_ext, 1 << (INET_DIAG_INFO - 1));
}

static void
cdt_msg(uint8_t *buf, const char *raddr, uint16_t lport, uint16_t rport,
    uint32_t sent_ms, uint32_t recv_ms)
{
	struct nlmsghdr		*nlh;
	struct inet_diag_msg	*dm;
	struct tcp_info		 ti;

	memset(buf, 0, 512);
	nlh = nl_put_header(buf, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1);
	dm = mnl_nlmsg_put_extra_header(nlh, sizeof(*dm));
	dm->idiag_family = AF_INET6;
	dm->idiag_state = 1;
	dm->id.idiag_sport = htons(lport);
	dm->id.idiag_dport = htons(rport);
	inet_pton(AF_INET6, raddr, dm->id.idiag_dst);
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_last_data_sent = sent_ms;
	ti.tcpi_last_data_recv = recv_ms;
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
}

Test(client_diag, parse_sort_find)
{
	_Alignas(struct nlmsghdr) uint8_t buf[512];
	struct cl_socks		 s = { 0 };
	const struct cl_sock	*f;
	struct in6_addr		 a;

	cdt_msg(buf, "2001:db8:ac::1", 41001, 80, 9000, 4000);
	cr_assert_eq(cl_diag_msg((void *)buf, &s), MNL_CB_OK);
	cdt_msg(buf, "2001:db8:ac::1", 41000, 80, 100, 200);
	cr_assert_eq(cl_diag_msg((void *)buf, &s), MNL_CB_OK);
	cdt_msg(buf, "2001:db8:1::1", 41000, 80, 0, 0);
	cr_assert_eq(cl_diag_msg((void *)buf, &s), MNL_CB_OK);
	cl_socks_sort(&s);
	cr_assert_eq(s.n, 3);
	inet_pton(AF_INET6, "2001:db8:ac::1", &a);
	f = cl_socks_find(&s, &a, 41001, 80);
	cr_assert_not_null(f);
	cr_expect_eq(f->idle_ms, 4000, "the shorter of sent and received");
	f = cl_socks_find(&s, &a, 41000, 80);
	cr_assert_not_null(f);
	cr_expect_eq(f->idle_ms, 100);
	cr_expect_null(cl_socks_find(&s, &a, 41002, 80));
	cr_expect_null(cl_socks_find(&s, &a, 41000, 81));

	/* Short: refused; no tcp_info: idle 0. */
	((struct nlmsghdr *)(void *)buf)->nlmsg_len = MNL_NLMSG_HDRLEN + 8;
	cr_expect_eq(cl_diag_msg((void *)buf, &s), MNL_CB_ERROR);
	cdt_msg(buf, "2001:db8:ac::2", 1, 2, 5, 5);
	((struct nlmsghdr *)(void *)buf)->nlmsg_len = MNL_NLMSG_HDRLEN +
	    sizeof(struct inet_diag_msg);
	cr_assert_eq(cl_diag_msg((void *)buf, &s), MNL_CB_OK);
	cr_expect_eq(s.v[s.n - 1].idle_ms, 0);
	cl_socks_free(&s);
}
