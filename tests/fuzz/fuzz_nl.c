/*
 * libFuzzer target for nl_parse(): one netlink datagram as the kernel
 * might answer, with a data callback that walks the attributes of
 * RTM_NEWADDR messages the way the member agent does.  nl_parse() must
 * never read outside the datagram, and must report the datagram's end
 * (done) or a failure consistently: a failure leaves done alone and an
 * errno in error only for NLMSG_ERROR and what libmnl checks.
 */
#include <linux/rtnetlink.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fz_attr_cb(const struct nlattr *at, void *arg)
{
	size_t	*n = arg;

	if (mnl_attr_type_valid(at, IFA_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_get_type(at) == IFA_ADDRESS &&
	    mnl_attr_validate2(at, MNL_TYPE_BINARY, 16) < 0)
		return MNL_CB_ERROR;
	(*n)++;
	return MNL_CB_OK;
}

static int
fz_msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	size_t	*n = arg;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifaddrmsg))
		return MNL_CB_ERROR;
	if (mnl_attr_parse(nlh, sizeof(struct ifaddrmsg), fz_attr_cb, n) !=
	    MNL_CB_OK)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct nl_answer	 a;
	size_t			 n = 0;
	uint8_t			*buf;
	int			 rv;

	/* An exact copy, so that a read past the end is caught. */
	if ((buf = malloc(len > 0 ? len : 1)) == NULL)
		return 0;
	memcpy(buf, data, len);
	memset(&a, 0, sizeof(a));
	a.type = RTM_NEWADDR;
	a.cb = fz_msg_cb;
	a.arg = &n;
	rv = nl_parse(buf, len, &a);
	if (rv != 0 && rv != -1)
		abort();
	if (rv == 0 && a.error != 0)
		abort();
	free(buf);
	return 0;
}
