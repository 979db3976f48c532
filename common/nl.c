/*
 * One netlink request and its answer, over libmnl.  libmnl walks the
 * messages and handles NLMSG_DONE, ACKs and NLMSG_ERROR; what it leaves
 * to its caller is a datagram whose last message overruns it (its walk
 * stops there without a word), checked here.
 */
#include <sys/socket.h>
#include <linux/netlink.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "nl.h"

/* The largest datagram the kernel builds for a dump. */
#define NL_DUMP_SIZE	32768

struct nlmsghdr *
nl_put_header(void *buf, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr	*nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

struct nl_walk {
	struct nl_answer	*a;
	bool			 bad;	/* cb rejected a message */
};

static int
nl_data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_walk	*w = arg;

	if (w->a->cb == NULL || nlh->nlmsg_type != w->a->type)
		return MNL_CB_OK;
	if (w->a->cb(nlh, w->a->arg) != MNL_CB_OK) {
		w->bad = true;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/*
 * Whether the messages of the datagram lie inside it and end where it
 * does (the last one's padding may be cut).  Checked before libmnl walks
 * the datagram: its mnl_nlmsg_ok() compares the length as an int, so a
 * length above INT_MAX passes and the walk leaves the buffer.
 */
static bool
nl_whole(const uint8_t *buf, size_t len)
{
	struct nlmsghdr	 nh;
	size_t		 off = 0;

	while (len - off >= sizeof(nh)) {
		memcpy(&nh, buf + off, sizeof(nh));
		if (nh.nlmsg_len < sizeof(nh) || nh.nlmsg_len > len - off)
			return false;
		if (NLMSG_ALIGN(nh.nlmsg_len) >= len - off)
			return true;
		off += NLMSG_ALIGN(nh.nlmsg_len);
	}
	return off == len;
}

int
nl_parse(const void *buf, size_t len, struct nl_answer *a)
{
	struct nl_walk	 w = { a, false };
	int		 rv;

	a->error = 0;
	if (len > INT_MAX || !nl_whole(buf, len))
		return -1;
	rv = mnl_cb_run(buf, len, a->seq, a->portid, nl_data_cb, &w);
	if (rv == MNL_CB_STOP) {
		a->done = true;
		return 0;
	}
	if (rv == MNL_CB_ERROR) {
		if (!w.bad)
			a->error = errno;
		return -1;
	}
	return 0;
}

struct mnl_socket *
nl_open(int bus)
{
	struct mnl_socket	*nl;
	int			 saved;

	if ((nl = mnl_socket_open2(bus, SOCK_CLOEXEC)) == NULL)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		saved = errno;
		mnl_socket_close(nl);
		errno = saved;
		return NULL;
	}
	return nl;
}

int
nl_talk(struct mnl_socket *nl, const struct nlmsghdr *req,
    struct nl_answer *a)
{
	static _Alignas(struct nlmsghdr) uint8_t buf[NL_DUMP_SIZE];
	ssize_t		 n = 0;
	int		 error;

	a->seq = req->nlmsg_seq;
	a->portid = mnl_socket_get_portid(nl);
	a->done = false;
	a->error = 0;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) == -1)
		return -1;
	while (!a->done) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || nl_parse(buf, (size_t)n, a) == -1)
			break;
	}
	if (a->done)
		return 0;
	error = n == -1 ? errno : a->error != 0 ? a->error : EPROTO;
	while (recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	errno = error;
	return -1;
}

int
nl_request(int bus, const struct nlmsghdr *req, struct nl_answer *a)
{
	struct mnl_socket	*nl;
	int			 rv, saved;

	if ((nl = nl_open(bus)) == NULL)
		return -1;
	rv = nl_talk(nl, req, a);
	saved = errno;
	mnl_socket_close(nl);
	errno = saved;
	return rv;
}
