/*
 * Session counting: the TCP connections on the anycast address, read
 * from the kernel with NETLINK_SOCK_DIAG (inet_diag), and the difference
 * between two readings, which becomes SESSION start/end messages
 * (paper 1 §3.4: "service start" and "service end").
 *
 * The request builder, the answer parser and the set operations are
 * pure; ma_diag_query() is the only I/O.
 */
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "agent.h"
#include "nl.h"

/*
 * Live connections only: one that either side has begun to close
 * (FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING) or that has closed
 * (TIME_WAIT, CLOSE) has ended its service.
 */
#define MA_DIAG_STATES	((1u << TCP_ESTABLISHED) | (1u << TCP_SYN_RECV))

static uint32_t
ma_diag_states(const struct ma_diag_filter *f)
{
	return f->states != 0 ? f->states : MA_DIAG_STATES;
}

/* The filter program: one S_COND on the local address (and port). */
#define MA_DIAG_BC_LEN	(sizeof(struct inet_diag_bc_op) + \
			    sizeof(struct inet_diag_hostcond) + 16)

size_t
ma_diag_request(uint8_t *buf, size_t cap, const struct ma_diag_filter *f,
    uint32_t seq)
{
	struct nlmsghdr		*nlh;
	struct inet_diag_req_v2	*req;
	struct inet_diag_bc_op	 op;
	struct inet_diag_hostcond cond;
	uint8_t			 bc[MA_DIAG_BC_LEN];

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*req)))
		return 0;
	nlh = nl_put_header(buf, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP,
	    seq);
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET6;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ma_diag_states(f);

	/* yes: past the end (accept); no: 4 beyond it (reject). */
	memset(&op, 0, sizeof(op));
	op.code = INET_DIAG_BC_S_COND;
	op.yes = MA_DIAG_BC_LEN;
	op.no = MA_DIAG_BC_LEN + 4;
	memset(&cond, 0, sizeof(cond));
	cond.family = AF_INET6;
	cond.prefix_len = 128;
	cond.port = f->lport != 0 ? f->lport : -1;
	memcpy(bc, &op, sizeof(op));
	memcpy(bc + sizeof(op), &cond, sizeof(cond));
	memcpy(bc + sizeof(op) + sizeof(cond), f->laddr.s6_addr, 16);
	if (!mnl_attr_put_check(nlh, cap, INET_DIAG_REQ_BYTECODE, sizeof(bc),
	    bc))
		return 0;
	return nlh->nlmsg_len;
}

/* What a dump is read into. */
struct ma_diag_dump {
	const struct ma_diag_filter	*f;
	struct ma_sset			*set;
};

/* One inet_diag_msg: add it to the set if it is a session we count. */
static int
ma_diag_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct ma_diag_dump	*d = arg;
	const struct ma_diag_filter *f = d->f;
	struct inet_diag_msg	 dm;
	struct ma_sess		 s;
	struct in6_addr		 laddr;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(dm))
		return MNL_CB_ERROR;
	memcpy(&dm, mnl_nlmsg_get_payload(nlh), sizeof(dm));
	if (dm.idiag_family != AF_INET6)
		return MNL_CB_OK;
	if (dm.idiag_state >= 32 ||
	    !(ma_diag_states(f) & (1u << dm.idiag_state)))
		return MNL_CB_OK;
	memcpy(laddr.s6_addr, dm.id.idiag_src, 16);
	if (!IN6_ARE_ADDR_EQUAL(&laddr, &f->laddr))
		return MNL_CB_OK;
	memset(&s, 0, sizeof(s));
	memcpy(s.raddr.s6_addr, dm.id.idiag_dst, 16);
	s.lport = ntohs(dm.id.idiag_sport);
	s.rport = ntohs(dm.id.idiag_dport);
	if (f->lport != 0 && s.lport != f->lport)
		return MNL_CB_OK;
	if (IN6_ARE_ADDR_EQUAL(&s.raddr, &f->laddr) ||
	    IN6_IS_ADDR_LOOPBACK(&s.raddr))
		return MNL_CB_OK;
	return ma_sset_add(d->set, &s) == -1 ? MNL_CB_ERROR : MNL_CB_OK;
}

int
ma_diag_parse(const uint8_t *buf, size_t len, const struct ma_diag_filter *f,
    struct ma_sset *set, bool *done, int *error)
{
	struct ma_diag_dump	 d = { f, set };
	struct nl_answer	 a = { .type = SOCK_DIAG_BY_FAMILY,
				       .cb = ma_diag_msg, .arg = &d };

	return ma_nl_parse(buf, len, &a, done, error);
}

struct mnl_socket *
ma_diag_open(void)
{
	return nl_open(NETLINK_SOCK_DIAG);
}

void
ma_diag_close(struct mnl_socket *nl)
{
	if (nl != NULL)
		mnl_socket_close(nl);
}

int
ma_diag_query(struct mnl_socket *nl, const struct ma_diag_filter *f,
    struct ma_sset *set)
{
	static uint32_t		 seq;
	_Alignas(struct nlmsghdr) uint8_t req[NL_REQ_SIZE];
	struct ma_diag_dump	 d = { f, set };
	struct nl_answer	 a = { .type = SOCK_DIAG_BY_FAMILY,
				       .cb = ma_diag_msg, .arg = &d };

	ma_sset_clear(set);
	if (++seq == 0)
		seq = 1;
	if (ma_diag_request(req, sizeof(req), f, seq) == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	if (nl_talk(nl, (const void *)req, &a) == -1)
		return -1;
	ma_sset_sort(set);
	return 0;
}

int
ma_diag_holds(struct mnl_socket *nl, const struct in6_addr *laddr,
    const struct mp_flow *fl)
{
	struct ma_diag_filter	 f;
	struct ma_sset		 set = { 0 };
	int			 rv = 0;

	memset(&f, 0, sizeof(f));
	f.laddr = *laddr;
	f.lport = fl->gport;
	f.states = MA_DIAG_HELD;
	if (ma_diag_query(nl, &f, &set) == -1) {
		ma_sset_free(&set);
		return -1;
	}
	for (size_t i = 0; i < set.n; i++)
		if (set.v[i].rport == fl->cport &&
		    IN6_ARE_ADDR_EQUAL(&set.v[i].raddr, &fl->client))
			rv = 1;
	ma_sset_free(&set);
	return rv;
}

int
ma_sess_cmp(const struct ma_sess *a, const struct ma_sess *b)
{
	int	 c;

	if ((c = memcmp(&a->raddr, &b->raddr, sizeof(a->raddr))) != 0)
		return c;
	if (a->rport != b->rport)
		return a->rport < b->rport ? -1 : 1;
	if (a->lport != b->lport)
		return a->lport < b->lport ? -1 : 1;
	return 0;
}

static int
ma_sess_qcmp(const void *a, const void *b)
{
	return ma_sess_cmp(a, b);
}

int
ma_sset_add(struct ma_sset *set, const struct ma_sess *s)
{
	struct ma_sess	*v;
	size_t		 cap;

	if (set->n == set->cap) {
		if (set->cap >= MA_MAX_SESSIONS)
			return -1;
		cap = set->cap == 0 ? 64 : set->cap * 2;
		if ((v = reallocarray(set->v, cap, sizeof(*v))) == NULL)
			return -1;
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = *s;
	return 0;
}

void
ma_sset_sort(struct ma_sset *set)
{
	size_t	 i, j;

	if (set->n < 2)
		return;
	qsort(set->v, set->n, sizeof(set->v[0]), ma_sess_qcmp);
	for (i = 1, j = 1; i < set->n; i++)
		if (ma_sess_cmp(&set->v[i], &set->v[j - 1]) != 0)
			set->v[j++] = set->v[i];
	set->n = j;
}

void
ma_sset_clear(struct ma_sset *set)
{
	set->n = 0;
}

void
ma_sset_free(struct ma_sset *set)
{
	free(set->v);
	memset(set, 0, sizeof(*set));
}

size_t
ma_sset_diff(const struct ma_sset *old, const struct ma_sset *cur,
    void (*cb)(void *, const struct ma_sess *, int), void *arg)
{
	size_t	 i = 0, j = 0, changes = 0;
	int	 c;

	while (i < old->n || j < cur->n) {
		if (i == old->n)
			c = 1;
		else if (j == cur->n)
			c = -1;
		else
			c = ma_sess_cmp(&old->v[i], &cur->v[j]);
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		changes++;
		if (c < 0) {
			if (cb != NULL)
				cb(arg, &old->v[i], MP_SESSION_END);
			i++;
		} else {
			if (cb != NULL)
				cb(arg, &cur->v[j], MP_SESSION_START);
			j++;
		}
	}
	return changes;
}
