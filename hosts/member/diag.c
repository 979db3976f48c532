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
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

/*
 * Live connections only: one that either side has begun to close
 * (FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING) or that has closed
 * (TIME_WAIT, CLOSE) has ended its service.
 */
#define MA_DIAG_STATES	((1u << TCP_ESTABLISHED) | (1u << TCP_SYN_RECV))
#define MA_DIAG_RCVBUF	65536

/* The filter program: one S_COND on the local address (and port). */
#define MA_DIAG_BC_LEN	(sizeof(struct inet_diag_bc_op) + \
			    sizeof(struct inet_diag_hostcond) + 16)

size_t
ma_diag_request(uint8_t *buf, size_t cap, const struct ma_diag_filter *f,
    uint32_t seq)
{
	struct nlmsghdr		 nh;
	struct inet_diag_req_v2	 req;
	struct rtattr		 rta;
	struct inet_diag_bc_op	 op;
	struct inet_diag_hostcond cond;
	size_t			 off, len;

	len = NLMSG_LENGTH(sizeof(req)) + RTA_LENGTH(MA_DIAG_BC_LEN);
	if (cap < len)
		return 0;
	memset(buf, 0, len);

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = (uint32_t)len;
	nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nh.nlmsg_seq = seq;
	memcpy(buf, &nh, sizeof(nh));
	off = NLMSG_HDRLEN;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = AF_INET6;
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_states = MA_DIAG_STATES;
	memcpy(buf + off, &req, sizeof(req));
	off += NLMSG_ALIGN(sizeof(req));

	memset(&rta, 0, sizeof(rta));
	rta.rta_type = INET_DIAG_REQ_BYTECODE;
	rta.rta_len = (unsigned short)RTA_LENGTH(MA_DIAG_BC_LEN);
	memcpy(buf + off, &rta, sizeof(rta));
	off += RTA_LENGTH(0);

	/* yes: past the end (accept); no: 4 beyond it (reject). */
	memset(&op, 0, sizeof(op));
	op.code = INET_DIAG_BC_S_COND;
	op.yes = MA_DIAG_BC_LEN;
	op.no = MA_DIAG_BC_LEN + 4;
	memcpy(buf + off, &op, sizeof(op));
	off += sizeof(op);
	memset(&cond, 0, sizeof(cond));
	cond.family = AF_INET6;
	cond.prefix_len = 128;
	cond.port = f->lport != 0 ? f->lport : -1;
	memcpy(buf + off, &cond, sizeof(cond));
	off += sizeof(cond);
	memcpy(buf + off, f->laddr.s6_addr, 16);
	return len;
}

/* One inet_diag_msg: add it to set if it is a session we count. */
static int
ma_diag_msg(const uint8_t *p, size_t len, const struct ma_diag_filter *f,
    struct ma_sset *set)
{
	struct inet_diag_msg	 dm;
	struct ma_sess		 s;
	struct in6_addr		 laddr;

	if (len < sizeof(dm))
		return -1;
	memcpy(&dm, p, sizeof(dm));
	if (dm.idiag_family != AF_INET6)
		return 0;
	if (dm.idiag_state != TCP_ESTABLISHED &&
	    dm.idiag_state != TCP_SYN_RECV)
		return 0;
	memcpy(laddr.s6_addr, dm.id.idiag_src, 16);
	if (!IN6_ARE_ADDR_EQUAL(&laddr, &f->laddr))
		return 0;
	memset(&s, 0, sizeof(s));
	memcpy(s.raddr.s6_addr, dm.id.idiag_dst, 16);
	s.lport = ntohs(dm.id.idiag_sport);
	s.rport = ntohs(dm.id.idiag_dport);
	if (f->lport != 0 && s.lport != f->lport)
		return 0;
	if (IN6_ARE_ADDR_EQUAL(&s.raddr, &f->laddr) ||
	    IN6_IS_ADDR_LOOPBACK(&s.raddr))
		return 0;
	return ma_sset_add(set, &s);
}

int
ma_diag_parse(const uint8_t *buf, size_t len, const struct ma_diag_filter *f,
    struct ma_sset *set, bool *done, int *error)
{
	struct nlmsghdr	 nh;
	size_t		 off = 0;
	int		 e;

	*error = 0;
	while (off < len) {
		if (len - off < sizeof(nh))
			return -1;
		memcpy(&nh, buf + off, sizeof(nh));
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > len - off)
			return -1;
		switch (nh.nlmsg_type) {
		case NLMSG_DONE:
			*done = true;
			return 0;
		case NLMSG_ERROR:
			if (nh.nlmsg_len < NLMSG_HDRLEN + sizeof(e))
				return -1;
			memcpy(&e, buf + off + NLMSG_HDRLEN, sizeof(e));
			if (e != 0) {
				*error = -e;
				return -1;
			}
			break;
		case SOCK_DIAG_BY_FAMILY:
			if (ma_diag_msg(buf + off + NLMSG_HDRLEN,
			    nh.nlmsg_len - NLMSG_HDRLEN, f, set) == -1)
				return -1;
			break;
		default:
			break;
		}
		off += NLMSG_ALIGN(nh.nlmsg_len);
	}
	return 0;
}

int
ma_diag_open(void)
{
	return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG);
}

int
ma_diag_query(int fd, const struct ma_diag_filter *f, struct ma_sset *set)
{
	static uint32_t		 seq;
	static uint8_t		 buf[MA_DIAG_RCVBUF];
	struct sockaddr_nl	 nl;
	size_t			 len;
	ssize_t			 n;
	bool			 done = false;
	int			 error;

	ma_sset_clear(set);
	len = ma_diag_request(buf, sizeof(buf), f, ++seq);
	memset(&nl, 0, sizeof(nl));
	nl.nl_family = AF_NETLINK;
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&nl, sizeof(nl)) == -1)
		return -1;
	while (!done) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPROTO;
			return -1;
		}
		if (ma_diag_parse(buf, (size_t)n, f, set, &done,
		    &error) == -1) {
			errno = error != 0 ? error : EPROTO;
			/* Drain the rest of this dump before the next. */
			while (!done && recv(fd, buf, sizeof(buf),
			    MSG_DONTWAIT) > 0)
				;
			return -1;
		}
	}
	ma_sset_sort(set);
	return 0;
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
