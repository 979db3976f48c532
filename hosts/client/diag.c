/*
 * The TCP sockets of this host, read with NETLINK_SOCK_DIAG: a
 * connection on the direct path ends when its socket is gone or closing
 * (TIME_WAIT, CLOSE), and is idle by its tcp_info.  The whole table is
 * dumped (a client holds few sockets) and sorted for lookups.
 *
 * The request builder and the message parser are pure; cl_diag_query()
 * is the only I/O.
 */
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Every state but LISTEN, TIME_WAIT and CLOSE (linux/tcp_states.h). */
#define CL_DIAG_STATES	(0xfffu & ~((1u << 10) | (1u << 6) | (1u << 7)))

size_t
cl_diag_request(uint8_t *buf, size_t cap, uint32_t seq)
{
	struct nlmsghdr		*nlh;
	struct inet_diag_req_v2	*req;

	if (cap < NL_REQ_SIZE)
		return 0;
	memset(buf, 0, NL_REQ_SIZE);
	nlh = nl_put_header(buf, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST |
	    NLM_F_DUMP, seq);
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET6;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = CL_DIAG_STATES;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	return nlh->nlmsg_len;
}

/* Idle: since data (or, failing that, anything) last went either way. */
static uint32_t
cl_diag_idle(const struct nlattr *info)
{
	struct tcp_info	 ti;
	size_t		 len = mnl_attr_get_payload_len(info);
	uint32_t	 idle;

	/* Older kernels send a shorter struct; the fields used are early. */
	if (len < offsetof(struct tcp_info, tcpi_last_ack_recv) +
	    sizeof(ti.tcpi_last_ack_recv))
		return 0;
	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, mnl_attr_get_payload(info), len < sizeof(ti) ? len :
	    sizeof(ti));
	idle = ti.tcpi_last_data_sent;
	if (ti.tcpi_last_data_recv < idle)
		idle = ti.tcpi_last_data_recv;
	return idle;
}

int
cl_diag_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct cl_socks		*socks = arg;
	struct inet_diag_msg	 dm;
	const struct nlattr	*attr;
	struct cl_sock		*s, *v;
	size_t			 cap;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(dm))
		return MNL_CB_ERROR;
	memcpy(&dm, mnl_nlmsg_get_payload(nlh), sizeof(dm));
	if (dm.idiag_family != AF_INET6)
		return MNL_CB_OK;
	if (socks->n == socks->cap) {
		if (socks->cap >= CL_MAX_SOCKETS)
			return MNL_CB_ERROR;
		cap = socks->cap == 0 ? 64 : socks->cap * 2;
		if ((v = reallocarray(socks->v, cap, sizeof(*v))) == NULL)
			return MNL_CB_ERROR;
		socks->v = v;
		socks->cap = cap;
	}
	s = &socks->v[socks->n];
	memset(s, 0, sizeof(*s));
	memcpy(s->raddr.s6_addr, dm.id.idiag_dst, 16);
	s->lport = ntohs(dm.id.idiag_sport);
	s->rport = ntohs(dm.id.idiag_dport);
	mnl_attr_for_each(attr, nlh, sizeof(dm)) {
		if (mnl_attr_get_type(attr) == INET_DIAG_INFO)
			s->idle_ms = cl_diag_idle(attr);
	}
	socks->n++;
	return MNL_CB_OK;
}

static int
cl_sock_cmp(const void *pa, const void *pb)
{
	const struct cl_sock	*a = pa, *b = pb;
	int			 c;

	if ((c = memcmp(&a->raddr, &b->raddr, sizeof(a->raddr))) != 0)
		return c;
	if (a->lport != b->lport)
		return a->lport < b->lport ? -1 : 1;
	if (a->rport != b->rport)
		return a->rport < b->rport ? -1 : 1;
	return 0;
}

void
cl_socks_sort(struct cl_socks *socks)
{
	if (socks->n > 1)
		qsort(socks->v, socks->n, sizeof(socks->v[0]), cl_sock_cmp);
}

const struct cl_sock *
cl_socks_find(const struct cl_socks *socks, const struct in6_addr *raddr,
    uint16_t lport, uint16_t rport)
{
	struct cl_sock	 key;

	if (socks->n == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.raddr = *raddr;
	key.lport = lport;
	key.rport = rport;
	return bsearch(&key, socks->v, socks->n, sizeof(key), cl_sock_cmp);
}

void
cl_socks_free(struct cl_socks *socks)
{
	free(socks->v);
	memset(socks, 0, sizeof(*socks));
}

int
cl_diag_query(struct mnl_socket *nl, struct cl_socks *socks)
{
	static uint32_t		 seq;
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];
	struct nl_answer	 a = { .type = SOCK_DIAG_BY_FAMILY,
				       .cb = cl_diag_msg, .arg = socks };

	socks->n = 0;
	if (++seq == 0)
		seq = 1;
	cl_diag_request(req, sizeof(req), seq);
	if (nl_talk(nl, (const void *)req, &a) == -1)
		return -1;
	cl_socks_sort(socks);
	return 0;
}
