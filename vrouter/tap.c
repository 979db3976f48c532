/*
 * TAP devices: IFF_TAP | IFF_NO_PI | IFF_VNET_HDR with checksum, TSO and
 * (where the kernel has it) USO offloads, so that hosts hand TCP and
 * segmented UDP to the router as GSO super-frames that it forwards whole.  Each device is moved into its host's network
 * namespace, renamed and brought up there; the file descriptor keeps
 * working after the move.
 *
 * Devices are persistent (TUNSETPERSIST): when vrouter dies, each host
 * keeps its interface, addresses and routes, and the next vrouter
 * re-attaches to the device where it now lives.  A TAP is found by the
 * name it has in the namespace the device was moved to, and TUNSETIFF
 * looks names up in the namespace /dev/net/tun was opened in: the open
 * happens inside the interface's namespace (setns() there and back).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <libmnl/libmnl.h>

#include "log.h"
#include "nl.h"
#include "pbuf.h"
#include "iface.h"
#include "fwd.h"
#include "router.h"
#include "ripng.h"

/*
 * One RTM_NEWLINK moves the device into the namespace (when nsfd >= 0),
 * names it there, sets its MTU and brings it up.  0, or -1 with errno.
 */
static int
tap_setlink(int ifindex, int nsfd, const char *newname, uint32_t mtu)
{
	_Alignas(struct nlmsghdr) uint8_t buf[NL_REQ_SIZE];
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifi;
	struct nl_answer	 a = { .cb = NULL };	/* an ACK only */

	nlh = nl_put_header(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	/* The name is shorter than IFNAMSIZ: the three fit in buf. */
	if (nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_request(NETLINK_ROUTE, nlh, &a);
}

#define TAP_FLAGS	(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)
#define TAP_OFFLOAD	(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)
#define TAP_OFFLOAD_USO	(TUN_F_USO4 | TUN_F_USO6)

/*
 * /dev/net/tun attached to the device called name in the current
 * namespace, made persistent, its offloads set; creates the device when
 * there is none.  The fd, or -1 with err set.
 */
static int
tap_attach(const char *name, char *err, size_t errlen)
{
	struct ifreq	 ifr;
	int		 fd;

	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK)) ==
	    -1) {
		snprintf(err, errlen, "/dev/net/tun: %s%s", strerror(errno),
		    errno == EACCES || errno == EPERM ? " (run as root)" : "");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = TAP_FLAGS;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		snprintf(err, errlen, "TUNSETIFF %s: %s%s", name,
		    strerror(errno), errno == EBUSY ?
		    " (another vrouter holds it)" : errno == EINVAL ?
		    " (a device of that name that is not a TAP)" : "");
		goto fail;
	}
	/* UDP segmentation where the kernel has it (6.2), else without. */
	if (ioctl(fd, TUNSETOFFLOAD, TAP_OFFLOAD | TAP_OFFLOAD_USO) == -1 &&
	    ioctl(fd, TUNSETOFFLOAD, TAP_OFFLOAD) == -1) {
		snprintf(err, errlen, "TUNSETOFFLOAD %s: %s", name,
		    strerror(errno));
		goto fail;
	}
	if (ioctl(fd, TUNSETPERSIST, 1) == -1) {
		snprintf(err, errlen, "TUNSETPERSIST %s: %s", name,
		    strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* The network namespace of ifp, or -1 with err set. */
static int
tap_netns_open(const struct iface *ifp, char *err, size_t errlen)
{
	char	 nspath[PATH_MAX];
	int	 nsfd;

	if (ifp->conf.netns[0] == '/')
		snprintf(nspath, sizeof(nspath), "%s", ifp->conf.netns);
	else
		snprintf(nspath, sizeof(nspath), "/run/netns/%s",
		    ifp->conf.netns);
	if ((nsfd = open(nspath, O_RDONLY | O_CLOEXEC)) == -1)
		snprintf(err, errlen, "network namespace %s: %s",
		    ifp->conf.netns, strerror(errno));
	return nsfd;
}

/*
 * Re-attach to the TAP a previous vrouter left in ifp's namespace under
 * its ifname.  The fd; -1 with *err empty when there is no such device
 * (create one), -1 with err set on a failure.
 */
static int
tap_reattach(struct iface *ifp, int nsfd, char *err, size_t errlen)
{
	int	 self, fd = -1, ifindex;

	err[0] = '\0';
	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "/proc/self/ns/net: %s", strerror(errno));
		return -1;
	}
	if (setns(nsfd, CLONE_NEWNET) == -1) {
		snprintf(err, errlen, "setns %s: %s", ifp->conf.netns,
		    strerror(errno));
		close(self);
		return -1;
	}
	/* No device of that name: nothing to re-attach to, create one. */
	if ((ifindex = (int)if_nametoindex(ifp->conf.ifname)) != 0 &&
	    (fd = tap_attach(ifp->conf.ifname, err, errlen)) != -1 &&
	    tap_setlink(ifindex, -1, ifp->conf.ifname, ifp->mtu) == -1) {
		snprintf(err, errlen, "%s: setting %s up in %s: %s",
		    ifp->conf.name, ifp->conf.ifname, ifp->conf.netns,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	/* Back home, or every later socket would open in the host's netns. */
	if (setns(self, CLONE_NEWNET) == -1)
		fatal("%s: setns back to vrouter's namespace", __func__);
	close(self);
	return fd;
}

int
tap_open(struct iface *ifp, char *err, size_t errlen)
{
	struct ifreq	 ifr;
	int		 fd = -1, nsfd = -1, s, ifindex;

	if (ifp->conf.netns[0] != '\0') {
		if ((nsfd = tap_netns_open(ifp, err, errlen)) == -1)
			return -1;
		if ((fd = tap_reattach(ifp, nsfd, err, errlen)) != -1) {
			log_info("%s: %s re-attached to %s in %s", __func__,
			    ifp->name, ifp->conf.ifname, ifp->conf.netns);
			goto done;
		}
		if (err[0] != '\0')
			goto fail;
	}
	if ((fd = tap_attach(ifp->conf.name, err, errlen)) == -1)
		goto fail;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifp->conf.name);
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
	if (tap_setlink(ifindex, nsfd, ifp->conf.ifname, ifp->mtu) == -1) {
		snprintf(err, errlen, "%s: moving to %s as %s: %s",
		    ifp->conf.name, nsfd >= 0 ? ifp->conf.netns : "this namespace",
		    ifp->conf.ifname, strerror(errno));
		goto fail;
	}
done:
	if (nsfd >= 0)
		close(nsfd);
	ifp->fd = fd;
	ifp->kind = IFACE_TAP;
	return 0;
fail:
	if (nsfd >= 0)
		close(nsfd);
	if (fd >= 0) {
		/* A device made here and left half set up goes away. */
		(void)ioctl(fd, TUNSETPERSIST, 0);
		close(fd);
	}
	return -1;
}

/*
 * keep: leave the device for the next vrouter (hosts keep their
 * interface); otherwise it disappears with the fd.
 */
void
tap_close(struct iface *ifp, bool keep)
{
	if (ifp->ev != NULL) {
		event_free(ifp->ev);
		ifp->ev = NULL;
	}
	if (ifp->fd >= 0) {
		if (!keep)
			(void)ioctl(ifp->fd, TUNSETPERSIST, 0);
		close(ifp->fd);
		ifp->fd = -1;
	}
}

static void
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
			break;
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
			break;
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
	ripng_flush(r);		/* a group emptied: tell the neighbours now */
}

int
tap_start(struct iface *ifp, char *err, size_t errlen)
{
	struct router	*r = ifp->router;

	if (r->uring != NULL)
		return tap_uring_add(ifp, err, errlen);
	ifp->ev = event_new(r->base, ifp->fd, EV_READ | EV_PERSIST,
	    tap_read_cb, ifp);
	if (ifp->ev == NULL || event_add(ifp->ev, NULL) == -1)
		fatalx("%s: event_add", __func__);
	return 0;
}

void
tap_write(struct iface *ifp, struct pbuf *pb)
{
	struct iovec	 iov[2];
	ssize_t		 n;

	if (ifp->router->uring != NULL) {
		tap_uring_write(ifp, pb);
		return;
	}
	iov[0].iov_base = &pb->vnet;
	iov[0].iov_len = sizeof(pb->vnet);
	iov[1].iov_base = pb->data;
	iov[1].iov_len = pb->len;
	n = writev(ifp->fd, iov, 2);
	/* A full TAP queue drops like a full wire would; no retry. */
	iface_xmit_done(ifp, pb, n == (ssize_t)(sizeof(pb->vnet) + pb->len) ?
	    DROP_NONE : DROP_TX_ERROR);
}
