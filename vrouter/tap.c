/*
 * TAP devices: IFF_TAP | IFF_NO_PI | IFF_VNET_HDR with checksum and TSO
 * offloads, so that hosts hand TCP to the router as GSO super-frames that
 * it forwards whole.  Each device is moved into its host's network
 * namespace, renamed and brought up there; the file descriptor keeps
 * working after the move, and the device disappears when it is closed.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "pbuf.h"
#include "iface.h"
#include "fwd.h"
#include "router.h"

#define NL_BUFSIZE	1024

static void
nl_addattr(struct nlmsghdr *nh, size_t max, int type, const void *data,
    size_t len)
{
	struct rtattr	*rta;
	size_t		 rlen = RTA_LENGTH(len);

	if (NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rlen) > max)
		fatalx("%s: netlink message too long", __func__);
	rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)rlen;
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = (uint32_t)(NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rlen));
}

/*
 * One RTM_NEWLINK moves the device into the namespace (when nsfd >= 0),
 * names it there, sets its MTU and brings it up.
 */
static int
tap_setlink(int ifindex, int nsfd, const char *newname, uint32_t mtu,
    char *err, size_t errlen)
{
	union {
		struct nlmsghdr	nh;
		char		buf[NL_BUFSIZE];
	} req, resp;
	struct ifinfomsg	*ifi;
	struct nlmsgerr		*nerr;
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK };
	int			 s, rc = -1;
	ssize_t			 n;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	ifi = NLMSG_DATA(&req.nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (nsfd >= 0) {
		uint32_t fd = (uint32_t)nsfd;

		nl_addattr(&req.nh, sizeof(req), IFLA_NET_NS_FD, &fd,
		    sizeof(fd));
	}
	nl_addattr(&req.nh, sizeof(req), IFLA_IFNAME, newname,
	    strlen(newname) + 1);
	nl_addattr(&req.nh, sizeof(req), IFLA_MTU, &mtu, sizeof(mtu));

	if ((s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		return -1;
	}
	if (sendto(s, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1) {
		snprintf(err, errlen, "netlink send: %s", strerror(errno));
		goto done;
	}
	if ((n = recv(s, &resp, sizeof(resp), 0)) < (ssize_t)NLMSG_LENGTH(
	    sizeof(*nerr)) || resp.nh.nlmsg_type != NLMSG_ERROR) {
		snprintf(err, errlen, "netlink: unexpected answer");
		goto done;
	}
	nerr = NLMSG_DATA(&resp.nh);
	if (nerr->error != 0) {
		snprintf(err, errlen, "%s", strerror(-nerr->error));
		goto done;
	}
	rc = 0;
done:
	close(s);
	return rc;
}

int
tap_open(struct iface *ifp, char *err, size_t errlen)
{
	struct ifreq	 ifr;
	char		 nspath[PATH_MAX], why[256];
	unsigned int	 offload = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	int		 fd, nsfd = -1, s, ifindex;

	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK)) ==
	    -1) {
		snprintf(err, errlen, "/dev/net/tun: %s%s", strerror(errno),
		    errno == EACCES || errno == EPERM ? " (run as root)" : "");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifp->conf.name);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		snprintf(err, errlen, "TUNSETIFF %s: %s", ifp->conf.name,
		    strerror(errno));
		goto fail;
	}
	if (ioctl(fd, TUNSETOFFLOAD, offload) == -1) {
		snprintf(err, errlen, "TUNSETOFFLOAD %s: %s", ifp->conf.name,
		    strerror(errno));
		goto fail;
	}
	if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    ioctl(s, SIOCGIFINDEX, &ifr) == -1) {
		snprintf(err, errlen, "SIOCGIFINDEX %s: %s", ifp->conf.name,
		    strerror(errno));
		if (s != -1)
			close(s);
		goto fail;
	}
	close(s);
	ifindex = ifr.ifr_ifindex;

	if (ifp->conf.netns[0] != '\0') {
		if (ifp->conf.netns[0] == '/')
			snprintf(nspath, sizeof(nspath), "%s", ifp->conf.netns);
		else
			snprintf(nspath, sizeof(nspath), "/run/netns/%s",
			    ifp->conf.netns);
		if ((nsfd = open(nspath, O_RDONLY | O_CLOEXEC)) == -1) {
			snprintf(err, errlen, "network namespace %s: %s",
			    ifp->conf.netns, strerror(errno));
			goto fail;
		}
	}
	if (tap_setlink(ifindex, nsfd, ifp->conf.ifname, ifp->mtu, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: moving to %s as %s: %s",
		    ifp->conf.name, nsfd >= 0 ? ifp->conf.netns : "this namespace",
		    ifp->conf.ifname, why);
		goto fail;
	}
	if (nsfd >= 0)
		close(nsfd);
	ifp->fd = fd;
	ifp->kind = IFACE_TAP;
	return 0;
fail:
	if (nsfd >= 0)
		close(nsfd);
	close(fd);
	return -1;
}

void
tap_close(struct iface *ifp)
{
	if (ifp->ev != NULL) {
		event_free(ifp->ev);
		ifp->ev = NULL;
	}
	if (ifp->fd >= 0) {
		close(ifp->fd);
		ifp->fd = -1;
	}
}

int
tap_write(struct iface *ifp, struct pbuf *pb)
{
	struct iovec	 iov[2];
	ssize_t		 n;

	iov[0].iov_base = &pb->vnet;
	iov[0].iov_len = sizeof(pb->vnet);
	iov[1].iov_base = pb->data;
	iov[1].iov_len = pb->len;
	n = writev(ifp->fd, iov, 2);
	/* A full TAP queue drops like a full wire would; no retry. */
	return n == (ssize_t)(sizeof(pb->vnet) + pb->len) ? 0 : -1;
}

void
tap_read_cb(int fd, short events, void *arg)
{
	struct iface	*ifp = arg;
	struct router	*r = ifp->router;
	struct pbuf	*pb;
	struct iovec	 iov[2];
	ssize_t		 n;

	(void)events;
	router_clock(r);
	for (int i = 0; i < TAP_BUDGET; i++) {
		if ((pb = pbuf_alloc()) == NULL) {
			iface_count_drop(ifp, DROP_NO_BUFFER);
			return;
		}
		iov[0].iov_base = &pb->vnet;
		iov[0].iov_len = sizeof(pb->vnet);
		iov[1].iov_base = pb->data;
		iov[1].iov_len = PBUF_DATA;
		n = readv(fd, iov, 2);
		if (n <= 0) {
			pbuf_free(pb);
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				log_warn("%s: %s", __func__, ifp->name);
			return;
		}
		if (n < (ssize_t)sizeof(pb->vnet)) {
			iface_count_drop(ifp, DROP_SHORT_FRAME);
			pbuf_free(pb);
			continue;
		}
		pb->len = (uint32_t)(n - (ssize_t)sizeof(pb->vnet));
		if (pb->len >= PBUF_DATA) {
			iface_count_drop(ifp, DROP_OVERSIZE);
			pbuf_free(pb);
			continue;
		}
		router_input(r, ifp, pb);
	}
}
