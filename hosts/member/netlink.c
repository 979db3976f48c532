/*
 * rtnetlink and sysctls: the member's unicast address, the router (the
 * default gateway), the anycast address on lo, and the switches the
 * direct path needs (seg6_enabled).
 *
 * Messages are built and parsed by pure functions over byte buffers,
 * read with memcpy (no alignment assumed), every length checked.
 */
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

#define MA_NL_BUF	32768
#define MA_RTA_MAX	32

/* Attribute types of interest, each pointing into the message. */
struct ma_rta {
	const uint8_t	*p[MA_RTA_MAX];
	size_t		 len[MA_RTA_MAX];
};

/* Index the attributes in len bytes at p.  -1 when one overruns. */
static int
ma_rta_parse(const uint8_t *p, size_t len, struct ma_rta *tb)
{
	struct rtattr	 rta;
	size_t		 off = 0;

	memset(tb, 0, sizeof(*tb));
	while (len - off >= sizeof(rta)) {
		memcpy(&rta, p + off, sizeof(rta));
		if (rta.rta_len < sizeof(rta) || rta.rta_len > len - off)
			return -1;
		if (rta.rta_type < MA_RTA_MAX && tb->p[rta.rta_type] == NULL) {
			tb->p[rta.rta_type] = p + off + RTA_LENGTH(0);
			tb->len[rta.rta_type] = rta.rta_len - RTA_LENGTH(0);
		}
		off += RTA_ALIGN(rta.rta_len);
		if (off > len)
			break;
	}
	return 0;
}

static bool
ma_rta_u32(const struct ma_rta *tb, int type, uint32_t *v)
{
	if (tb->p[type] == NULL || tb->len[type] < sizeof(*v))
		return false;
	memcpy(v, tb->p[type], sizeof(*v));
	return true;
}

/*
 * Walk the netlink messages of one datagram, calling fn for those of
 * type want.  NLMSG_DONE sets *done; NLMSG_ERROR sets *done too, and
 * *error when it is not an ACK.
 */
static int
ma_nl_walk(const uint8_t *buf, size_t len, uint16_t want, bool *done,
    int *error, int (*fn)(const uint8_t *, size_t, void *), void *arg)
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
		if (nh.nlmsg_type == NLMSG_DONE) {
			*done = true;
			return 0;
		}
		if (nh.nlmsg_type == NLMSG_ERROR) {
			if (nh.nlmsg_len < NLMSG_HDRLEN + sizeof(e))
				return -1;
			memcpy(&e, buf + off + NLMSG_HDRLEN, sizeof(e));
			*done = true;
			if (e != 0) {
				*error = -e;
				return -1;
			}
			return 0;
		}
		if (fn != NULL && nh.nlmsg_type == want &&
		    fn(buf + off + NLMSG_HDRLEN, nh.nlmsg_len - NLMSG_HDRLEN,
		    arg) == -1)
			return -1;
		off += NLMSG_ALIGN(nh.nlmsg_len);
	}
	return 0;
}

static int
ma_addr_one(const uint8_t *p, size_t len, void *arg)
{
	struct ma_addr_pick	*pick = arg;
	struct ifaddrmsg	 ifa;
	struct ma_rta		 tb;
	uint32_t		 flags;

	if (len < sizeof(ifa))
		return -1;
	memcpy(&ifa, p, sizeof(ifa));
	if (ma_rta_parse(p + NLMSG_ALIGN(sizeof(ifa)),
	    len - NLMSG_ALIGN(sizeof(ifa)), &tb) == -1)
		return -1;
	if (ifa.ifa_family != AF_INET6 || (int)ifa.ifa_index != pick->ifindex ||
	    ifa.ifa_scope != RT_SCOPE_UNIVERSE || pick->found)
		return 0;
	if (tb.p[IFA_ADDRESS] == NULL || tb.len[IFA_ADDRESS] != 16)
		return 0;
	if (pick->match && memcmp(tb.p[IFA_ADDRESS], pick->want.s6_addr,
	    16) != 0)
		return 0;
	if (!ma_rta_u32(&tb, IFA_FLAGS, &flags))
		flags = ifa.ifa_flags;
	if (flags & (IFA_F_DADFAILED | IFA_F_DEPRECATED))
		return 0;
	if (flags & IFA_F_TENTATIVE) {
		pick->tentative = true;
		return 0;
	}
	memcpy(pick->addr.s6_addr, tb.p[IFA_ADDRESS], 16);
	pick->found = true;
	return 0;
}

int
ma_addr_parse(const uint8_t *buf, size_t len, struct ma_addr_pick *p,
    bool *done, int *error)
{
	return ma_nl_walk(buf, len, RTM_NEWADDR, done, error, ma_addr_one, p);
}

struct ma_route_pick {
	int		 ifindex;
	struct in6_addr	*gw;
	bool		*found;
};

/* The first next hop of a multipath route that leaves ifindex. */
static int
ma_route_multipath(const uint8_t *p, size_t len, struct ma_route_pick *rp)
{
	struct rtnexthop	 nh;
	struct ma_rta		 tb;
	size_t			 off = 0;

	while (len - off >= sizeof(nh)) {
		memcpy(&nh, p + off, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > len - off)
			return -1;
		if (ma_rta_parse(p + off + RTNH_LENGTH(0),
		    nh.rtnh_len - RTNH_LENGTH(0), &tb) == -1)
			return -1;
		if (nh.rtnh_ifindex == rp->ifindex &&
		    tb.p[RTA_GATEWAY] != NULL && tb.len[RTA_GATEWAY] == 16) {
			memcpy(rp->gw->s6_addr, tb.p[RTA_GATEWAY], 16);
			*rp->found = true;
			return 0;
		}
		off += RTNH_ALIGN(nh.rtnh_len);
		if (off > len)
			break;
	}
	return 0;
}

static int
ma_route_one(const uint8_t *p, size_t len, void *arg)
{
	struct ma_route_pick	*rp = arg;
	struct rtmsg		 rtm;
	struct ma_rta		 tb;
	uint32_t		 table, oif;

	if (len < sizeof(rtm))
		return -1;
	memcpy(&rtm, p, sizeof(rtm));
	if (ma_rta_parse(p + NLMSG_ALIGN(sizeof(rtm)),
	    len - NLMSG_ALIGN(sizeof(rtm)), &tb) == -1)
		return -1;
	if (*rp->found || rtm.rtm_family != AF_INET6 || rtm.rtm_dst_len != 0 ||
	    rtm.rtm_type != RTN_UNICAST)
		return 0;
	if (!ma_rta_u32(&tb, RTA_TABLE, &table))
		table = rtm.rtm_table;
	if (table != RT_TABLE_MAIN)
		return 0;
	if (tb.p[RTA_MULTIPATH] != NULL)
		return ma_route_multipath(tb.p[RTA_MULTIPATH],
		    tb.len[RTA_MULTIPATH], rp);
	if (!ma_rta_u32(&tb, RTA_OIF, &oif) || (int)oif != rp->ifindex)
		return 0;
	if (tb.p[RTA_GATEWAY] == NULL || tb.len[RTA_GATEWAY] != 16)
		return 0;
	memcpy(rp->gw->s6_addr, tb.p[RTA_GATEWAY], 16);
	*rp->found = true;
	return 0;
}

int
ma_route_parse(const uint8_t *buf, size_t len, int ifindex,
    struct in6_addr *gw, bool *found, bool *done, int *error)
{
	struct ma_route_pick	 rp = { ifindex, gw, found };

	return ma_nl_walk(buf, len, RTM_NEWROUTE, done, error, ma_route_one,
	    &rp);
}

/* Append one attribute; the caller has checked the room. */
static size_t
ma_rta_put(uint8_t *buf, size_t off, uint16_t type, const void *data,
    size_t len)
{
	struct rtattr	 rta;

	rta.rta_type = type;
	rta.rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(buf + off, &rta, sizeof(rta));
	memcpy(buf + off + RTA_LENGTH(0), data, len);
	return off + RTA_SPACE(len);
}

size_t
ma_addr_request(uint8_t *buf, size_t cap, bool add, int ifindex,
    const struct in6_addr *addr, uint8_t plen, uint32_t flags, uint32_t seq)
{
	struct nlmsghdr		 nh;
	struct ifaddrmsg	 ifa;
	size_t			 len, off;

	len = NLMSG_SPACE(sizeof(ifa)) + 2 * RTA_SPACE(16) +
	    RTA_SPACE(sizeof(flags));
	if (cap < len)
		return 0;
	memset(buf, 0, len);

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = (uint32_t)len;
	nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nh.nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	nh.nlmsg_seq = seq;
	memcpy(buf, &nh, sizeof(nh));

	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = AF_INET6;
	ifa.ifa_prefixlen = plen;
	ifa.ifa_flags = (uint8_t)flags;
	ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	ifa.ifa_index = (uint32_t)ifindex;
	memcpy(buf + NLMSG_HDRLEN, &ifa, sizeof(ifa));

	off = NLMSG_SPACE(sizeof(ifa));
	off = ma_rta_put(buf, off, IFA_LOCAL, addr->s6_addr, 16);
	off = ma_rta_put(buf, off, IFA_ADDRESS, addr->s6_addr, 16);
	off = ma_rta_put(buf, off, IFA_FLAGS, &flags, sizeof(flags));
	return off;
}

/* Request and dump headers for RTM_GETADDR / RTM_GETROUTE. */
static size_t
ma_dump_request(uint8_t *buf, size_t cap, uint16_t type, uint32_t seq)
{
	struct nlmsghdr	 nh;
	struct rtmsg	 rtm;	/* ifaddrmsg's family is at the same place */
	size_t		 len = NLMSG_LENGTH(sizeof(rtm));

	if (cap < len)
		return 0;
	memset(buf, 0, len);
	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = (uint32_t)len;
	nh.nlmsg_type = type;
	nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nh.nlmsg_seq = seq;
	memcpy(buf, &nh, sizeof(nh));
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = AF_INET6;
	memcpy(buf + NLMSG_HDRLEN, &rtm, sizeof(rtm));
	return len;
}

enum ma_nl_kind { MA_NL_ACK, MA_NL_ADDR, MA_NL_ROUTE };

struct ma_nl_job {
	enum ma_nl_kind		 kind;
	int			 ifindex;
	struct ma_addr_pick	*pick;
	struct in6_addr		*gw;
	bool			 found;
};

/* Send one request and read until its end.  0, or -1 with errno. */
static int
ma_nl_talk(const uint8_t *req, size_t reqlen, struct ma_nl_job *job)
{
	static uint8_t		 buf[MA_NL_BUF];
	struct sockaddr_nl	 nl;
	ssize_t			 n;
	bool			 done = false;
	int			 fd, rv = 0, error = 0;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	memset(&nl, 0, sizeof(nl));
	nl.nl_family = AF_NETLINK;
	if (sendto(fd, req, reqlen, 0, (struct sockaddr *)&nl,
	    sizeof(nl)) == -1) {
		error = errno;
		close(fd);
		errno = error;
		return -1;
	}
	while (!done && rv == 0) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			error = errno;
			rv = -1;
			break;
		}
		switch (job->kind) {
		case MA_NL_ACK:
			rv = ma_nl_walk(buf, (size_t)n, 0, &done, &error,
			    NULL, NULL);
			break;
		case MA_NL_ADDR:
			rv = ma_addr_parse(buf, (size_t)n, job->pick, &done,
			    &error);
			break;
		case MA_NL_ROUTE:
			rv = ma_route_parse(buf, (size_t)n, job->ifindex,
			    job->gw, &job->found, &done, &error);
			break;
		}
		if (rv == -1 && error == 0)
			error = EPROTO;
	}
	close(fd);
	errno = error;
	return rv;
}

int
ma_nl_global_addr(int ifindex, const struct in6_addr *want,
    struct ma_addr_pick *p)
{
	uint8_t			 req[64];
	struct ma_nl_job	 job;
	size_t			 len;

	memset(p, 0, sizeof(*p));
	p->ifindex = ifindex;
	if (want != NULL) {
		p->match = true;
		p->want = *want;
	}
	memset(&job, 0, sizeof(job));
	job.kind = MA_NL_ADDR;
	job.pick = p;
	len = ma_dump_request(req, sizeof(req), RTM_GETADDR, 1);
	if (ma_nl_talk(req, len, &job) == -1)
		return -1;
	return p->found ? 0 : 1;
}

int
ma_nl_default_gw(int ifindex, struct in6_addr *gw)
{
	uint8_t			 req[64];
	struct ma_nl_job	 job;
	size_t			 len;

	memset(&job, 0, sizeof(job));
	job.kind = MA_NL_ROUTE;
	job.ifindex = ifindex;
	job.gw = gw;
	len = ma_dump_request(req, sizeof(req), RTM_GETROUTE, 1);
	if (ma_nl_talk(req, len, &job) == -1)
		return -1;
	return job.found ? 0 : 1;
}

int
ma_nl_addr(bool add, int ifindex, const struct in6_addr *addr, uint8_t plen,
    uint32_t flags)
{
	uint8_t			 req[128];
	struct ma_nl_job	 job;
	size_t			 len;

	memset(&job, 0, sizeof(job));
	job.kind = MA_NL_ACK;
	len = ma_addr_request(req, sizeof(req), add, ifindex, addr, plen,
	    flags, 1);
	if (ma_nl_talk(req, len, &job) == -1)
		return errno != 0 ? -errno : -EPROTO;
	return 0;
}

int
ma_sysctl_set(const char *path, const char *value)
{
	char	 file[256];
	size_t	 len = strlen(value);
	int	 fd, saved;

	if ((size_t)snprintf(file, sizeof(file), "/proc/sys/%s", path) >=
	    sizeof(file)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(file, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	if (write(fd, value, len) != (ssize_t)len) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}
