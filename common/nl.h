/*
 * nl.c: one netlink request and its answer, over libmnl, for the router
 * (moving its TAP devices) and the member agent (addresses, routes,
 * sock_diag dumps).  The answer is read to its end (NLMSG_DONE, an ACK
 * or an NLMSG_ERROR); nl_parse(), which checks one datagram of it, is
 * pure.
 */
#ifndef COMMON_NL_H
#define COMMON_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* Room for any request built here: a header and a few attributes. */
#define NL_REQ_SIZE	256

/*
 * Pure: the netlink header of a request at buf, which has room for it
 * (MNL_NLMSG_HDRLEN bytes): libmnl's, with type, flags and seq set.
 */
struct nlmsghdr *nl_put_header(void *buf, uint16_t type, uint16_t flags,
	    uint32_t seq);

/* How an answer is read, and how it ended. */
struct nl_answer {
	uint32_t	 seq;		/* of the request; 0: not checked */
	uint32_t	 portid;	/* ours; 0: not checked */
	uint16_t	 type;		/* the data messages wanted */
	mnl_cb_t	 cb;		/* called for each (NULL: none); returns
					   MNL_CB_OK, or MNL_CB_ERROR when the
					   message is malformed */
	void		*arg;		/* cb's */
	bool		 done;		/* NLMSG_DONE or an ACK came */
	int		 error;		/* errno of the failure, 0: malformed */
};

/*
 * Pure: one datagram of an answer.  Calls a->cb for each message of
 * type a->type; sets a->done at NLMSG_DONE or an ACK.  Returns 0; -1
 * on a datagram that does not end where its last message does, on a
 * message cb rejects (a->error 0), on an NLMSG_ERROR (a->error its
 * errno) and on what libmnl checks (a->error EPROTO for another seq,
 * ESRCH for another port, EINTR for a dump the kernel interrupted).
 */
int	 nl_parse(const void *buf, size_t len, struct nl_answer *a);
/* A socket of bus, bound: NULL with errno on failure. */
struct mnl_socket *nl_open(int bus);
/*
 * Send req on nl and read its answer to its end, into a (seq and portid
 * filled in from req and nl).  0, or -1 with errno (EPROTO when the
 * answer is malformed); after a failure the rest of the answer is
 * drained, so that nl can serve the next request.
 */
int	 nl_talk(struct mnl_socket *nl, const struct nlmsghdr *req,
	    struct nl_answer *a);
/* nl_talk() on a socket of bus opened for this request alone. */
int	 nl_request(int bus, const struct nlmsghdr *req, struct nl_answer *a);

#endif /* COMMON_NL_H */
