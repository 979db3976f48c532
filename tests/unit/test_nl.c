/*
 * nl_parse(): one datagram of a netlink answer, as libmnl walks it plus
 * the checks it leaves to its caller (a datagram that does not end
 * where its last message does), and nl_put_header().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <criterion/criterion.h>

#include "nl.h"

#define NLT_TYPE	RTM_NEWADDR

struct nlt_seen {
	int	 n;
	int	 reject_at;	/* return MNL_CB_ERROR for this one; 0: none */
};

static int
nlt_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlt_seen	*s = arg;

	cr_assert_eq(nlh->nlmsg_type, NLT_TYPE);
	return ++s->n == s->reject_at ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Append a message of type with plen payload bytes; returns the end. */
static size_t
nlt_msg(uint8_t *buf, size_t off, uint16_t type, uint16_t flags,
    uint32_t seq, size_t plen)
{
	struct nlmsghdr	 nh;

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = (uint32_t)NLMSG_LENGTH(plen);
	nh.nlmsg_type = type;
	nh.nlmsg_flags = flags;
	nh.nlmsg_seq = seq;
	memset(buf + off, 0, NLMSG_SPACE(plen));
	memcpy(buf + off, &nh, sizeof(nh));
	return off + NLMSG_SPACE(plen);
}

static size_t
nlt_error(uint8_t *buf, size_t off, int error)
{
	struct nlmsgerr	 e;

	memset(&e, 0, sizeof(e));
	e.error = error;
	off = nlt_msg(buf, off, NLMSG_ERROR, 0, 0, sizeof(e));
	memcpy(buf + off - NLMSG_ALIGN(sizeof(e)), &e, sizeof(e));
	return off;
}

static struct nl_answer
nlt_answer(struct nlt_seen *s)
{
	struct nl_answer	 a = { .type = NLT_TYPE, .cb = nlt_cb, .arg = s };

	memset(s, 0, sizeof(*s));
	return a;
}

Test(nl, data_then_done)
{
	_Alignas(struct nlmsghdr) uint8_t buf[512];
	struct nlt_seen		 s;
	struct nl_answer	 a = nlt_answer(&s);
	size_t			 len = 0;

	len = nlt_msg(buf, len, NLT_TYPE, NLM_F_MULTI, 0, 8);
	len = nlt_msg(buf, len, RTM_NEWROUTE, NLM_F_MULTI, 0, 12);
	len = nlt_msg(buf, len, NLMSG_NOOP, 0, 0, 0);
	len = nlt_msg(buf, len, NLT_TYPE, NLM_F_MULTI, 0, 8);
	cr_assert_eq(nl_parse(buf, len, &a), 0);
	cr_assert_eq(s.n, 2, "only the wanted type reaches cb");
	cr_assert(!a.done);

	/* NLMSG_DONE ends the answer; what follows it is not read. */
	len = nlt_msg(buf, len, NLMSG_DONE, NLM_F_MULTI, 0, 4);
	len = nlt_msg(buf, len, NLT_TYPE, NLM_F_MULTI, 0, 8);
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len, &a), 0);
	cr_assert(a.done);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(a.error, 0);

	/* An empty datagram is nothing yet. */
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, 0, &a), 0);
	cr_assert(!a.done);
}

Test(nl, ack_and_errors)
{
	_Alignas(struct nlmsghdr) uint8_t buf[256];
	struct nlt_seen		 s;
	struct nl_answer	 a = nlt_answer(&s);
	size_t			 len;

	len = nlt_error(buf, 0, 0);
	cr_assert_eq(nl_parse(buf, len, &a), 0);
	cr_assert(a.done);
	cr_assert_eq(a.error, 0);

	len = nlt_error(buf, 0, -EEXIST);
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(a.error, EEXIST);

	/* Some subsystems give the errno positive. */
	len = nlt_error(buf, 0, EPERM);
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(a.error, EPERM);

	/* A message cb rejects is malformed: no errno. */
	len = nlt_msg(buf, 0, NLT_TYPE, 0, 0, 8);
	len = nlt_msg(buf, len, NLT_TYPE, 0, 0, 8);
	a = nlt_answer(&s);
	s.reject_at = 1;
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(a.error, 0);
}

Test(nl, framing)
{
	_Alignas(struct nlmsghdr) uint8_t buf[256];
	struct nlmsghdr		 nh;
	struct nlt_seen		 s;
	struct nl_answer	 a;
	size_t			 len;

	/*
	 * A datagram that is not whole is refused before any of its
	 * messages is handed to the callback.
	 */

	/* Bytes after the last message, too few for another. */
	len = nlt_msg(buf, 0, NLT_TYPE, 0, 0, 8);
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len + 8, &a), -1);
	cr_assert_eq(s.n, 0);

	/* A message that claims more than the datagram holds. */
	len = nlt_msg(buf, 0, NLT_TYPE, 0, 0, 8);
	len = nlt_msg(buf, len, NLT_TYPE, 0, 0, 8);
	memcpy(&nh, buf + len / 2, sizeof(nh));
	nh.nlmsg_len += 4;
	memcpy(buf + len / 2, &nh, sizeof(nh));
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(s.n, 0);

	/* A length above INT_MAX (libmnl compares it as an int). */
	memcpy(&nh, buf + len / 2, sizeof(nh));
	nh.nlmsg_len = 0xabac5d54;
	memcpy(buf + len / 2, &nh, sizeof(nh));
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(s.n, 0);

	/* One shorter than its own header. */
	memcpy(&nh, buf, sizeof(nh));
	nh.nlmsg_len = 8;
	memcpy(buf, &nh, sizeof(nh));
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(s.n, 0);

	/* A last message of unaligned length, its padding cut: whole. */
	len = nlt_msg(buf, 0, NLT_TYPE, 0, 0, 6);
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len - 2, &a), 0);
	cr_assert_eq(s.n, 1);
}

Test(nl, seq_port_and_interrupted_dumps)
{
	_Alignas(struct nlmsghdr) uint8_t buf[256];
	struct nlmsghdr		 nh;
	struct nlt_seen		 s;
	struct nl_answer	 a;
	size_t			 len;

	len = nlt_msg(buf, 0, NLT_TYPE, NLM_F_MULTI, 7, 8);
	a = nlt_answer(&s);
	a.seq = 7;
	cr_assert_eq(nl_parse(buf, len, &a), 0);
	a.seq = 8;
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(a.error, EPROTO);

	memcpy(&nh, buf, sizeof(nh));
	nh.nlmsg_pid = 4242;
	memcpy(buf, &nh, sizeof(nh));
	a = nlt_answer(&s);
	a.portid = 4242;
	cr_assert_eq(nl_parse(buf, len, &a), 0);
	a.portid = 4243;
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(a.error, ESRCH);

	len = nlt_msg(buf, 0, NLT_TYPE, NLM_F_MULTI | NLM_F_DUMP_INTR, 0, 8);
	a = nlt_answer(&s);
	cr_assert_eq(nl_parse(buf, len, &a), -1);
	cr_assert_eq(a.error, EINTR);
}

/* Every truncation of an answer: no overread, no end seen too early. */
Test(nl, truncations)
{
	_Alignas(struct nlmsghdr) uint8_t buf[512];
	struct nlt_seen		 s;
	struct nl_answer	 a;
	size_t			 len = 0;
	uint8_t			*copy;

	for (int i = 0; i < 5; i++)
		len = nlt_msg(buf, len, NLT_TYPE, NLM_F_MULTI, 0,
		    (size_t)(4 + 4 * i));
	len = nlt_msg(buf, len, NLMSG_DONE, NLM_F_MULTI, 0, 4);
	for (size_t n = 0; n < len; n++) {
		copy = malloc(n == 0 ? 1 : n);
		memcpy(copy, buf, n);
		a = nlt_answer(&s);
		cr_assert(nl_parse(copy, n, &a) == 0 || a.error == 0);
		cr_assert(!a.done, "done at %zu of %zu bytes", n, len);
		cr_assert_leq(s.n, 5);
		free(copy);
	}
}

Test(nl, put_header)
{
	_Alignas(struct nlmsghdr) uint8_t buf[NL_REQ_SIZE];
	struct nlmsghdr		*nlh;

	memset(buf, 0xee, sizeof(buf));
	nlh = nl_put_header(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 9);
	cr_assert_eq((void *)nlh, (void *)buf);
	cr_assert_eq(nlh->nlmsg_len, NLMSG_HDRLEN);
	cr_assert_eq(nlh->nlmsg_type, RTM_GETLINK);
	cr_assert_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	cr_assert_eq(nlh->nlmsg_seq, 9);
	cr_assert_eq(nlh->nlmsg_pid, 0);
}
