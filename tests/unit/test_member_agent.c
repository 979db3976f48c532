/*
 * The member agent's pure parts: the command line, key files, the
 * sock_diag request and the parsing of its answers over canned bytes,
 * session-set differences (against a naive model on random sets),
 * rtnetlink address/route parsing and the address request, load values
 * and sequence numbers.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../../hosts/member/agent.h"

#define MAT_KEY	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"
#define MAT_GROUP	"2001:db8:a::80"

static struct in6_addr
mat_addr(const char *s)
{
	struct in6_addr	 a;

	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1, "bad address %s", s);
	return a;
}

/* Parse a NULL-terminated argument list (argv[0] added). */
static int
mat_parse(struct ma_opts *o, char *err, size_t errlen, ...)
{
	char	*argv[32];
	int	 argc = 0;
	va_list	 ap;

	argv[argc++] = (char *)(uintptr_t)"anycast-member";
	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	err[0] = '\0';
	return ma_opts_parse(argc, argv, o, err, errlen);
}

TestSuite(member_agent);

/* ---------------------------------------------------------------- */
/* Options */

Test(member_agent, opts_minimal_defaults)
{
	struct ma_opts	 o;
	struct in6_addr	 g = mat_addr(MAT_GROUP);
	char		 err[256];

	cr_assert_eq(mat_parse(&o, err, sizeof(err), "-g", MAT_GROUP,
	    "-k", "7:" MAT_KEY, NULL), 0, "%s", err);
	cr_assert(IN6_ARE_ADDR_EQUAL(&o.group, &g));
	cr_assert_eq(o.key_id, 7);
	for (int i = 0; i < MP_KEY_LEN; i++)
		cr_assert_eq(o.key[i], i);
	cr_assert_str_eq(o.ifname, "eth0");
	cr_assert_eq(o.interval_ms, MA_DEFAULT_INTERVAL);
	cr_assert_eq(o.health, MA_HEALTH_ALWAYS);
	cr_assert_eq(o.port, 0);
	cr_assert_eq(o.capacity, 0);
	cr_assert(!o.have_unicast && !o.have_router && !o.have_weight);
	cr_assert(!o.debug && !o.keep_address);
	cr_assert_null(o.load_cmd);
}

Test(member_agent, opts_everything)
{
	struct ma_opts	 o;
	struct in6_addr	 u = mat_addr("2001:db8:1::10");
	struct in6_addr	 r = mat_addr("fe80::1");
	char		 err[256];

	cr_assert_eq(mat_parse(&o, err, sizeof(err), "--group", MAT_GROUP,
	    "--key", "65535:" MAT_KEY, "-a", "2001:db8:1::10", "-i", "veth7",
	    "-r", "fe80::1", "-p", "80", "--load-cmd", "echo 5",
	    "--capacity", "500", "--weight", "0", "--bandwidth", "100",
	    "--interval", "250", "--session-rate", "3", "--keep-address",
	    "-d", NULL), 0, "%s", err);
	cr_assert(o.have_unicast && IN6_ARE_ADDR_EQUAL(&o.unicast, &u));
	cr_assert(o.have_router && IN6_ARE_ADDR_EQUAL(&o.router, &r));
	cr_assert_str_eq(o.ifname, "veth7");
	cr_assert_eq(o.key_id, 65535);
	cr_assert_eq(o.port, 80);
	/* -p makes the service port the health check. */
	cr_assert_eq(o.health, MA_HEALTH_TCP);
	cr_assert_eq(o.health_port, 80);
	cr_assert_str_eq(o.load_cmd, "echo 5");
	cr_assert_eq(o.capacity, 500);
	cr_assert(o.have_weight);
	cr_assert_eq(o.weight, 0);
	cr_assert(o.have_bandwidth);
	cr_assert_eq(o.bandwidth, 100);
	cr_assert_eq(o.interval_ms, 250);
	cr_assert_eq(o.session_rate, 3);
	cr_assert(o.keep_address && o.debug);
}

Test(member_agent, opts_health_choices)
{
	struct ma_opts	 o;
	char		 err[256];

	cr_assert_eq(mat_parse(&o, err, sizeof(err), "-g", MAT_GROUP, "-k",
	    "1:" MAT_KEY, "-p", "80", "--health-tcp", "8080", NULL), 0);
	cr_assert_eq(o.health, MA_HEALTH_TCP);
	cr_assert_eq(o.health_port, 8080);
	cr_assert_eq(o.port, 80);

	cr_assert_eq(mat_parse(&o, err, sizeof(err), "-g", MAT_GROUP, "-k",
	    "1:" MAT_KEY, "-p", "80", "--health-cmd", "true", NULL), 0);
	cr_assert_eq(o.health, MA_HEALTH_CMD);
	cr_assert_str_eq(o.health_cmd, "true");

	cr_assert_eq(mat_parse(&o, err, sizeof(err), "-g", MAT_GROUP, "-k",
	    "1:" MAT_KEY, "--health-tcp", "1", "--health-cmd", "true",
	    NULL), -1);
	cr_assert(strstr(err, "exclude") != NULL, "%s", err);
}

Test(member_agent, opts_help_and_version)
{
	struct ma_opts	 o;
	char		 err[64];

	cr_assert_eq(mat_parse(&o, err, sizeof(err), "-h", NULL), 1);
	cr_assert_eq(mat_parse(&o, err, sizeof(err), "--version", NULL), 2);
}

struct mat_bad {
	const char	*args[6];
	const char	*msg;	/* part of the error message */
};

Test(member_agent, opts_errors)
{
	static const struct mat_bad cases[] = {
		{ { "-k", "1:" MAT_KEY }, "no group" },
		{ { "-g", MAT_GROUP }, "no key" },
		{ { "-g", "ff02::1", "-k", "1:" MAT_KEY }, "-g ff02::1" },
		{ { "-g", "fe80::1", "-k", "1:" MAT_KEY }, "-g fe80::1" },
		{ { "-g", "::1", "-k", "1:" MAT_KEY }, "-g ::1" },
		{ { "-g", "::", "-k", "1:" MAT_KEY }, "-g ::" },
		{ { "-g", "10.0.0.1", "-k", "1:" MAT_KEY }, "-g 10.0.0.1" },
		{ { "-g", MAT_GROUP, "-k", "0:" MAT_KEY }, "-k" },
		{ { "-g", MAT_GROUP, "-k", "65536:" MAT_KEY }, "-k" },
		{ { "-g", MAT_GROUP, "-k", "1:00" }, "-k" },
		{ { "-g", MAT_GROUP, "-k", MAT_KEY }, "-k" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY "00" }, "-k" },
		{ { "-g", MAT_GROUP, "-k", "x:" MAT_KEY }, "-k" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "-p", "0" }, "-p 0" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "-p", "65536" },
		    "-p 65536" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "-p", "+80" },
		    "-p +80" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "--interval", "10" },
		    "--interval 10" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "--interval",
		    "60001" }, "--interval" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "--capacity", "0" },
		    "--capacity" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "--weight",
		    "65536" }, "--weight" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "-a", MAT_GROUP },
		    "differ" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "-a", "fe80::2" },
		    "-a fe80::2" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "-r", "ff02::2" },
		    "-r ff02::2" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "-i",
		    "a-very-long-interface-name" }, "-i" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "--bogus" },
		    "unknown option --bogus" },
		{ { "-g", MAT_GROUP, "-k", "1:" MAT_KEY, "stray" },
		    "unexpected argument" },
		{ { "-g", MAT_GROUP, "-k" }, "needs an argument" },
		{ { "-g", MAT_GROUP, "-K", "/nonexistent/key" },
		    "/nonexistent/key" },
	};
	struct ma_opts	 o;
	char		 err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char	*argv[8];
		int	 argc = 0;

		argv[argc++] = (char *)(uintptr_t)"anycast-member";
		for (int j = 0; j < 6 && cases[i].args[j] != NULL; j++)
			argv[argc++] = (char *)(uintptr_t)cases[i].args[j];
		argv[argc] = NULL;
		err[0] = '\0';
		cr_assert_eq(ma_opts_parse(argc, argv, &o, err, sizeof(err)),
		    -1, "case %zu accepted", i);
		cr_assert(strstr(err, cases[i].msg) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
		/* Key material never appears in a message. */
		cr_assert(strstr(err, "0102030405") == NULL, "%s", err);
	}
}

Test(member_agent, key_parse_forms)
{
	uint8_t		 key[MP_KEY_LEN], upper[MP_KEY_LEN];
	uint16_t	 id = 0;
	char		 s[128];

	cr_assert_eq(ma_key_parse("1:" MAT_KEY, &id, key), 0);
	cr_assert_eq(id, 1);
	cr_assert_eq(ma_key_parse("42 " MAT_KEY, &id, upper), 0);
	cr_assert_eq(id, 42);
	cr_assert_eq(memcmp(key, upper, sizeof(key)), 0);
	snprintf(s, sizeof(s), "9:%s", MAT_KEY);
	for (char *p = s; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	cr_assert_eq(ma_key_parse(s, &id, upper), 0);
	cr_assert_eq(memcmp(key, upper, sizeof(key)), 0);
	cr_assert_eq(ma_key_parse(":" MAT_KEY, &id, key), -1);
	cr_assert_eq(ma_key_parse("1:", &id, key), -1);
	cr_assert_eq(ma_key_parse("", &id, key), -1);
	cr_assert_eq(ma_key_parse("1234567:" MAT_KEY, &id, key), -1);
}

Test(member_agent, keyfile_parse)
{
	uint8_t		 key[MP_KEY_LEN];
	uint16_t	 id = 0;

	cr_assert_eq(ma_keyfile_parse("# membership key\n\n   \n  3:" MAT_KEY
	    "  \r\n# trailing\n", &id, key), 0);
	cr_assert_eq(id, 3);
	cr_assert_eq(key[31], 0x1f);
	cr_assert_eq(ma_keyfile_parse("5:" MAT_KEY, &id, key), 0);
	cr_assert_eq(id, 5);
	cr_assert_eq(ma_keyfile_parse("", &id, key), -1);
	cr_assert_eq(ma_keyfile_parse("# only a comment\n", &id, key), -1);
	cr_assert_eq(ma_keyfile_parse("garbage\n1:" MAT_KEY, &id, key), -1);
}

Test(member_agent, opts_key_file)
{
	struct ma_opts	 o;
	char		 path[] = "/tmp/test_member_agent_XXXXXX";
	char		 err[256];
	const char	*text = "# key for the lab\n12:" MAT_KEY "\n";
	int		 fd;

	cr_assert_neq(fd = mkstemp(path), -1);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(mat_parse(&o, err, sizeof(err), "-g", MAT_GROUP,
	    "-K", path, NULL), 0, "%s", err);
	cr_assert_eq(o.key_id, 12);
	cr_assert_eq(o.key[0], 0x00);
	cr_assert_eq(o.key[16], 0x10);

	fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert_eq(write(fd, "12:abc\n", 7), 7);
	close(fd);
	cr_assert_eq(mat_parse(&o, err, sizeof(err), "-g", MAT_GROUP,
	    "-K", path, NULL), -1);
	cr_assert(strstr(err, "expected a line") != NULL, "%s", err);
	unlink(path);
}

/* ---------------------------------------------------------------- */
/* sock_diag */

Test(member_agent, diag_request_layout)
{
	struct ma_diag_filter	 f;
	struct nlmsghdr		 nh;
	struct inet_diag_req_v2	 req;
	struct rtattr		 rta;
	struct inet_diag_bc_op	 op;
	struct inet_diag_hostcond hc;
	uint8_t			 buf[256];
	size_t			 len, off;

	memset(&f, 0, sizeof(f));
	f.laddr = mat_addr(MAT_GROUP);
	cr_assert_eq(ma_diag_request(buf, 10, &f, 1), 0);
	len = ma_diag_request(buf, sizeof(buf), &f, 77);
	cr_assert_gt(len, 0);

	memcpy(&nh, buf, sizeof(nh));
	cr_assert_eq(nh.nlmsg_len, len);
	cr_assert_eq(nh.nlmsg_type, SOCK_DIAG_BY_FAMILY);
	cr_assert_eq(nh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	cr_assert_eq(nh.nlmsg_seq, 77);
	memcpy(&req, buf + NLMSG_HDRLEN, sizeof(req));
	cr_assert_eq(req.sdiag_family, AF_INET6);
	cr_assert_eq(req.sdiag_protocol, IPPROTO_TCP);
	cr_assert_eq(req.idiag_states,
	    (1u << TCP_ESTABLISHED) | (1u << TCP_SYN_RECV));

	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(req));
	memcpy(&rta, buf + off, sizeof(rta));
	cr_assert_eq(rta.rta_type, INET_DIAG_REQ_BYTECODE);
	cr_assert_eq(off + rta.rta_len, len);
	off += RTA_LENGTH(0);
	/* One host condition on the local address, 28 bytes. */
	cr_assert_eq(rta.rta_len - RTA_LENGTH(0), 28);
	memcpy(&op, buf + off, sizeof(op));
	cr_assert_eq(op.code, INET_DIAG_BC_S_COND);
	cr_assert_eq(op.yes, 28);
	cr_assert_eq(op.no, 32);
	memcpy(&hc, buf + off + sizeof(op), sizeof(hc));
	cr_assert_eq(hc.family, AF_INET6);
	cr_assert_eq(hc.prefix_len, 128);
	cr_assert_eq(hc.port, -1);
	cr_assert_eq(memcmp(buf + off + sizeof(op) + sizeof(hc),
	    f.laddr.s6_addr, 16), 0);

	f.lport = 443;
	len = ma_diag_request(buf, sizeof(buf), &f, 78);
	memcpy(&hc, buf + off + sizeof(op), sizeof(hc));
	cr_assert_eq(hc.port, 443);
}

/* Append one inet_diag_msg to a canned dump datagram. */
static size_t
mat_diag_msg(uint8_t *buf, size_t off, int family, int state,
    const char *laddr, uint16_t lport, const char *raddr, uint16_t rport)
{
	struct nlmsghdr		 nh;
	struct inet_diag_msg	 dm;
	struct in6_addr		 a;

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = NLMSG_LENGTH(sizeof(dm) + 8);	/* + an attribute */
	nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nh.nlmsg_flags = NLM_F_MULTI;
	memset(&dm, 0, sizeof(dm));
	dm.idiag_family = (uint8_t)family;
	dm.idiag_state = (uint8_t)state;
	dm.id.idiag_sport = htons(lport);
	dm.id.idiag_dport = htons(rport);
	a = mat_addr(laddr);
	memcpy(dm.id.idiag_src, &a, 16);
	a = mat_addr(raddr);
	memcpy(dm.id.idiag_dst, &a, 16);
	memset(buf + off, 0xee, NLMSG_ALIGN(nh.nlmsg_len));
	memcpy(buf + off, &nh, sizeof(nh));
	memcpy(buf + off + NLMSG_HDRLEN, &dm, sizeof(dm));
	return off + NLMSG_ALIGN(nh.nlmsg_len);
}

static size_t
mat_nl_done(uint8_t *buf, size_t off)
{
	struct nlmsghdr	 nh;
	int		 zero = 0;

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = NLMSG_LENGTH(sizeof(zero));
	nh.nlmsg_type = NLMSG_DONE;
	memcpy(buf + off, &nh, sizeof(nh));
	memcpy(buf + off + NLMSG_HDRLEN, &zero, sizeof(zero));
	return off + NLMSG_ALIGN(nh.nlmsg_len);
}

static size_t
mat_nl_error(uint8_t *buf, size_t off, int error)
{
	struct nlmsghdr	 nh;
	struct nlmsgerr	 e;

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = NLMSG_LENGTH(sizeof(e));
	nh.nlmsg_type = NLMSG_ERROR;
	memset(&e, 0, sizeof(e));
	e.error = error;
	memcpy(buf + off, &nh, sizeof(nh));
	memcpy(buf + off + NLMSG_HDRLEN, &e, sizeof(e));
	return off + NLMSG_ALIGN(nh.nlmsg_len);
}

/* A dump with one of each kind of socket the parser must sort out. */
static size_t
mat_diag_dump(uint8_t *buf)
{
	size_t	 off = 0;

	off = mat_diag_msg(buf, off, AF_INET6, TCP_ESTABLISHED, MAT_GROUP, 80,
	    "2001:db8:1::10", 40000);
	off = mat_diag_msg(buf, off, AF_INET6, TCP_SYN_RECV, MAT_GROUP, 80,
	    "2001:db8:2::10", 40001);
	/* Not ours: other local address, other port, other state. */
	off = mat_diag_msg(buf, off, AF_INET6, TCP_ESTABLISHED,
	    "2001:db8:a::81", 80, "2001:db8:1::10", 40002);
	off = mat_diag_msg(buf, off, AF_INET6, TCP_ESTABLISHED, MAT_GROUP, 22,
	    "2001:db8:1::10", 40003);
	off = mat_diag_msg(buf, off, AF_INET6, TCP_TIME_WAIT, MAT_GROUP, 80,
	    "2001:db8:1::10", 40004);
	off = mat_diag_msg(buf, off, AF_INET, TCP_ESTABLISHED, MAT_GROUP, 80,
	    "2001:db8:1::10", 40005);
	/* Local connections, e.g. the health check: not sessions. */
	off = mat_diag_msg(buf, off, AF_INET6, TCP_ESTABLISHED, MAT_GROUP, 80,
	    MAT_GROUP, 40006);
	off = mat_diag_msg(buf, off, AF_INET6, TCP_ESTABLISHED, MAT_GROUP, 80,
	    "::1", 40007);
	/* Duplicates are dropped by the sort. */
	off = mat_diag_msg(buf, off, AF_INET6, TCP_ESTABLISHED, MAT_GROUP, 80,
	    "2001:db8:1::10", 40000);
	return mat_nl_done(buf, off);
}

Test(member_agent, diag_parse_filters)
{
	struct ma_diag_filter	 f;
	struct ma_sset		 set = { 0 };
	struct in6_addr		 r1 = mat_addr("2001:db8:1::10");
	struct in6_addr		 r2 = mat_addr("2001:db8:2::10");
	uint8_t			 buf[4096];
	size_t			 len;
	bool			 done = false;
	int			 error = -1;

	memset(&f, 0, sizeof(f));
	f.laddr = mat_addr(MAT_GROUP);
	f.lport = 80;
	len = mat_diag_dump(buf);
	cr_assert_eq(ma_diag_parse(buf, len, &f, &set, &done, &error), 0);
	cr_assert(done);
	cr_assert_eq(error, 0);
	ma_sset_sort(&set);
	cr_assert_eq(set.n, 2);
	cr_assert(IN6_ARE_ADDR_EQUAL(&set.v[0].raddr, &r1));
	cr_assert_eq(set.v[0].rport, 40000);
	cr_assert_eq(set.v[0].lport, 80);
	cr_assert(IN6_ARE_ADDR_EQUAL(&set.v[1].raddr, &r2));
	cr_assert_eq(set.v[1].rport, 40001);

	/* Without a port, port 22 counts too. */
	f.lport = 0;
	ma_sset_clear(&set);
	done = false;
	cr_assert_eq(ma_diag_parse(buf, len, &f, &set, &done, &error), 0);
	ma_sset_sort(&set);
	cr_assert_eq(set.n, 3);
	ma_sset_free(&set);
}

/* A socket state, and whether a dump filtered by some states keeps it. */
struct mat_state {
	int	 state;
	bool	 kept;
};

/* One socket in each state through the parser with f.states = mask. */
static void
mat_states_kept(const struct mat_state *states, size_t n, uint32_t mask)
{
	struct ma_diag_filter	 f;
	struct ma_sset		 set = { 0 };
	uint8_t			 buf[4096];
	size_t			 len = 0, want = 0;
	bool			 done = false;
	int			 error = -1;

	memset(&f, 0, sizeof(f));
	f.laddr = mat_addr(MAT_GROUP);
	f.lport = 80;
	f.states = mask;
	for (size_t i = 0; i < n; i++) {
		len = mat_diag_msg(buf, len, AF_INET6, states[i].state,
		    MAT_GROUP, 80, "2001:db8:1::10", (uint16_t)(40000 + i));
		want += states[i].kept;
	}
	len = mat_nl_done(buf, len);
	cr_assert_eq(ma_diag_parse(buf, len, &f, &set, &done, &error), 0);
	cr_assert(done);
	ma_sset_sort(&set);
	cr_assert_eq(set.n, want, "%zu kept, want %zu", set.n, want);
	for (size_t i = 0; i < set.n; i++) {
		size_t	 j = set.v[i].rport - 40000;

		cr_assert_lt(j, n);
		cr_assert(states[j].kept, "state %d kept", states[j].state);
	}
	ma_sset_free(&set);
}

/*
 * Service end on the member's side: a connection that has begun to
 * close or has closed (FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING,
 * TIME_WAIT, CLOSE) is not a session, nor is a listener; only
 * ESTABLISHED and SYN_RECV ones are, whatever the kernel sends.
 */
Test(member_agent, diag_closing_states_are_not_sessions)
{
	static const struct mat_state states[] = {
		{ TCP_ESTABLISHED, true },	{ TCP_SYN_SENT, false },
		{ TCP_SYN_RECV, true },		{ TCP_FIN_WAIT1, false },
		{ TCP_FIN_WAIT2, false },	{ TCP_TIME_WAIT, false },
		{ TCP_CLOSE, false },		{ TCP_CLOSE_WAIT, false },
		{ TCP_LAST_ACK, false },	{ TCP_LISTEN, false },
		{ TCP_CLOSING, false },
	};

	mat_states_kept(states, sizeof(states) / sizeof(states[0]), 0);
}

/*
 * A flow the router asks about (FLOW_QUERY) is claimed while the
 * kernel holds it in any state from SYN_RECV until it has closed.
 */
Test(member_agent, diag_held_states)
{
	static const struct mat_state states[] = {
		{ TCP_ESTABLISHED, true },	{ TCP_SYN_SENT, false },
		{ TCP_SYN_RECV, true },		{ TCP_FIN_WAIT1, true },
		{ TCP_FIN_WAIT2, true },	{ TCP_TIME_WAIT, false },
		{ TCP_CLOSE, false },		{ TCP_CLOSE_WAIT, true },
		{ TCP_LAST_ACK, true },		{ TCP_LISTEN, false },
		{ TCP_CLOSING, true },
	};

	mat_states_kept(states, sizeof(states) / sizeof(states[0]),
	    MA_DIAG_HELD);
}

Test(member_agent, diag_parse_errors)
{
	struct ma_diag_filter	 f;
	struct ma_sset		 set = { 0 };
	uint8_t			 buf[4096];
	size_t			 len;
	bool			 done;
	int			 error;

	memset(&f, 0, sizeof(f));
	f.laddr = mat_addr(MAT_GROUP);

	len = mat_nl_error(buf, 0, -EPERM);
	done = false;
	cr_assert_eq(ma_diag_parse(buf, len, &f, &set, &done, &error), -1);
	cr_assert_eq(error, EPERM);

	/* An ACK (error 0) is no error. */
	len = mat_nl_error(buf, 0, 0);
	cr_assert_eq(ma_diag_parse(buf, len, &f, &set, &done, &error), 0);

	/* A message claiming more than the datagram holds. */
	len = mat_diag_dump(buf);
	buf[0] = 0xff;
	buf[1] = 0xff;
	cr_assert_eq(ma_diag_parse(buf, len, &f, &set, &done, &error), -1);

	/* A message too short for its payload. */
	len = mat_diag_msg(buf, 0, AF_INET6, TCP_ESTABLISHED, MAT_GROUP, 80,
	    "2001:db8:1::10", 1);
	{
		struct nlmsghdr	 nh;

		memcpy(&nh, buf, sizeof(nh));
		nh.nlmsg_len = NLMSG_LENGTH(10);
		memcpy(buf, &nh, sizeof(nh));
	}
	cr_assert_eq(ma_diag_parse(buf, len, &f, &set, &done, &error), -1);
	ma_sset_free(&set);
}

/* Every truncation of a valid dump is parsed safely. */
Test(member_agent, diag_parse_truncations)
{
	struct ma_diag_filter	 f;
	struct ma_sset		 set = { 0 };
	uint8_t			 buf[4096], *copy;
	size_t			 len;
	bool			 done;
	int			 error, rv;

	memset(&f, 0, sizeof(f));
	f.laddr = mat_addr(MAT_GROUP);
	len = mat_diag_dump(buf);
	for (size_t n = 0; n < len; n++) {
		/* An exact-size heap copy, so overreads would be caught. */
		copy = malloc(n == 0 ? 1 : n);
		memcpy(copy, buf, n);
		done = false;
		ma_sset_clear(&set);
		rv = ma_diag_parse(copy, n, &f, &set, &done, &error);
		cr_assert(rv == 0 || rv == -1);
		cr_assert(!done, "done at %zu of %zu bytes", n, len);
		free(copy);
	}
	ma_sset_free(&set);
}

/* ---------------------------------------------------------------- */
/* Session sets */

struct mat_changes {
	struct ma_sess	 s[64];
	int		 op[64];
	size_t		 n;
};

static void
mat_record(void *arg, const struct ma_sess *s, int op)
{
	struct mat_changes	*c = arg;

	cr_assert_lt(c->n, 64);
	c->s[c->n] = *s;
	c->op[c->n] = op;
	c->n++;
}

static struct ma_sess
mat_sess(const char *raddr, uint16_t rport, uint16_t lport)
{
	struct ma_sess	 s;

	memset(&s, 0, sizeof(s));
	s.raddr = mat_addr(raddr);
	s.rport = rport;
	s.lport = lport;
	return s;
}

Test(member_agent, sset_diff_known)
{
	struct ma_sset		 old = { 0 }, cur = { 0 };
	struct mat_changes	 c = { .n = 0 };
	struct ma_sess		 a = mat_sess("2001:db8::1", 1000, 80);
	struct ma_sess		 b = mat_sess("2001:db8::1", 1001, 80);
	struct ma_sess		 d = mat_sess("2001:db8::2", 1000, 80);
	struct ma_sess		 e = mat_sess("2001:db8::2", 1000, 443);

	ma_sset_add(&old, &b);
	ma_sset_add(&old, &a);
	ma_sset_add(&old, &a);
	ma_sset_sort(&old);
	cr_assert_eq(old.n, 2);
	ma_sset_add(&cur, &e);
	ma_sset_add(&cur, &b);
	ma_sset_add(&cur, &d);
	ma_sset_sort(&cur);

	cr_assert_eq(ma_sset_diff(&old, &cur, mat_record, &c), 3);
	cr_assert_eq(c.n, 3);
	cr_assert_eq(ma_sess_cmp(&c.s[0], &a), 0);
	cr_assert_eq(c.op[0], MP_SESSION_END);
	cr_assert_eq(ma_sess_cmp(&c.s[1], &d), 0);
	cr_assert_eq(c.op[1], MP_SESSION_START);
	cr_assert_eq(ma_sess_cmp(&c.s[2], &e), 0);
	cr_assert_eq(c.op[2], MP_SESSION_START);

	/* Same sets: nothing; to and from empty: everything. */
	cr_assert_eq(ma_sset_diff(&cur, &cur, NULL, NULL), 0);
	ma_sset_clear(&old);
	cr_assert_eq(ma_sset_diff(&old, &cur, NULL, NULL), 3);
	cr_assert_eq(ma_sset_diff(&cur, &old, NULL, NULL), 3);
	ma_sset_free(&old);
	ma_sset_free(&cur);
}

static bool
mat_in(const struct ma_sess *v, size_t n, const struct ma_sess *s)
{
	for (size_t i = 0; i < n; i++)
		if (ma_sess_cmp(&v[i], s) == 0)
			return true;
	return false;
}

struct mat_count {
	const struct ma_sess	*old, *cur;
	size_t			 nold, ncur;
	size_t			 starts, ends;
};

static void
mat_check(void *arg, const struct ma_sess *s, int op)
{
	struct mat_count	*c = arg;

	if (op == MP_SESSION_START) {
		cr_assert(mat_in(c->cur, c->ncur, s) &&
		    !mat_in(c->old, c->nold, s));
		c->starts++;
	} else {
		cr_assert(mat_in(c->old, c->nold, s) &&
		    !mat_in(c->cur, c->ncur, s));
		c->ends++;
	}
}

/* Random sets over a small key space, against a naive count. */
Test(member_agent, sset_diff_random)
{
	unsigned int	 seed = 12345;

	for (int round = 0; round < 200; round++) {
		struct ma_sess	 raw_old[40], raw_cur[40];
		struct ma_sset	 old = { 0 }, cur = { 0 };
		struct mat_count c;
		size_t		 no = (size_t)rand_r(&seed) % 40;
		size_t		 nc = (size_t)rand_r(&seed) % 40;
		size_t		 want_s = 0, want_e = 0;

		for (size_t i = 0; i < no; i++) {
			memset(&raw_old[i], 0, sizeof(raw_old[i]));
			raw_old[i].raddr.s6_addr[15] =
			    (uint8_t)(rand_r(&seed) % 3);
			raw_old[i].rport = (uint16_t)(rand_r(&seed) % 5);
			raw_old[i].lport = (uint16_t)(rand_r(&seed) % 2);
			ma_sset_add(&old, &raw_old[i]);
		}
		for (size_t i = 0; i < nc; i++) {
			memset(&raw_cur[i], 0, sizeof(raw_cur[i]));
			raw_cur[i].raddr.s6_addr[15] =
			    (uint8_t)(rand_r(&seed) % 3);
			raw_cur[i].rport = (uint16_t)(rand_r(&seed) % 5);
			raw_cur[i].lport = (uint16_t)(rand_r(&seed) % 2);
			ma_sset_add(&cur, &raw_cur[i]);
		}
		ma_sset_sort(&old);
		ma_sset_sort(&cur);
		for (size_t i = 1; i < old.n; i++)
			cr_assert_lt(ma_sess_cmp(&old.v[i - 1], &old.v[i]), 0);
		for (size_t i = 0; i < old.n; i++)
			if (!mat_in(cur.v, cur.n, &old.v[i]))
				want_e++;
		for (size_t i = 0; i < cur.n; i++)
			if (!mat_in(old.v, old.n, &cur.v[i]))
				want_s++;
		c.old = old.v;
		c.nold = old.n;
		c.cur = cur.v;
		c.ncur = cur.n;
		c.starts = c.ends = 0;
		cr_assert_eq(ma_sset_diff(&old, &cur, mat_check, &c),
		    want_s + want_e);
		cr_assert_eq(c.starts, want_s);
		cr_assert_eq(c.ends, want_e);
		/* Applying the changes to the old count gives the new one. */
		cr_assert_eq(old.n + c.starts - c.ends, cur.n);
		ma_sset_free(&old);
		ma_sset_free(&cur);
	}
}

/* ---------------------------------------------------------------- */
/* rtnetlink */

static size_t
mat_rta(uint8_t *buf, size_t off, uint16_t type, const void *data,
    size_t len)
{
	struct rtattr	 rta;

	rta.rta_type = type;
	rta.rta_len = (unsigned short)RTA_LENGTH(len);
	memset(buf + off, 0, RTA_SPACE(len));
	memcpy(buf + off, &rta, sizeof(rta));
	memcpy(buf + off + RTA_LENGTH(0), data, len);
	return off + RTA_SPACE(len);
}

/* Close the netlink message that starts at start, ending at end. */
static size_t
mat_nl_close(uint8_t *buf, size_t start, size_t end, uint16_t type)
{
	struct nlmsghdr	 nh;

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = (uint32_t)(end - start);
	nh.nlmsg_type = type;
	nh.nlmsg_flags = NLM_F_MULTI;
	memcpy(buf + start, &nh, sizeof(nh));
	return NLMSG_ALIGN(end);
}

static size_t
mat_route(uint8_t *buf, size_t off, uint8_t dst_len, uint8_t table,
    const char *gw, uint32_t oif)
{
	struct rtmsg	 rtm;
	struct in6_addr	 a = mat_addr(gw);
	size_t		 start = off;

	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = AF_INET6;
	rtm.rtm_dst_len = dst_len;
	rtm.rtm_table = table;
	rtm.rtm_protocol = RTPROT_RA;
	rtm.rtm_type = RTN_UNICAST;
	off += NLMSG_HDRLEN;
	memcpy(buf + off, &rtm, sizeof(rtm));
	off += NLMSG_ALIGN(sizeof(rtm));
	if (dst_len != 0)
		off = mat_rta(buf, off, RTA_DST, &a, 16);
	off = mat_rta(buf, off, RTA_GATEWAY, &a, 16);
	off = mat_rta(buf, off, RTA_OIF, &oif, sizeof(oif));
	return mat_nl_close(buf, start, off, RTM_NEWROUTE);
}

Test(member_agent, route_parse_default)
{
	uint8_t		 buf[2048];
	struct in6_addr	 gw, want = mat_addr("fe80::1");
	size_t		 len = 0;
	bool		 found, done;
	int		 error;

	len = mat_route(buf, len, 64, RT_TABLE_MAIN, "fe80::99", 2);
	len = mat_route(buf, len, 0, RT_TABLE_LOCAL, "fe80::98", 2);
	len = mat_route(buf, len, 0, RT_TABLE_MAIN, "fe80::1", 2);
	len = mat_route(buf, len, 0, RT_TABLE_MAIN, "fe80::2", 3);
	len = mat_nl_done(buf, len);

	found = done = false;
	cr_assert_eq(ma_route_parse(buf, len, 2, &gw, &found, &done, &error),
	    0);
	cr_assert(found && done);
	cr_assert(IN6_ARE_ADDR_EQUAL(&gw, &want));

	want = mat_addr("fe80::2");
	found = done = false;
	cr_assert_eq(ma_route_parse(buf, len, 3, &gw, &found, &done, &error),
	    0);
	cr_assert(found);
	cr_assert(IN6_ARE_ADDR_EQUAL(&gw, &want));

	found = done = false;
	cr_assert_eq(ma_route_parse(buf, len, 4, &gw, &found, &done, &error),
	    0);
	cr_assert(!found && done);

	/* Truncated anywhere: never a crash, never a false find. */
	for (size_t n = 0; n < len; n++) {
		uint8_t	*copy = malloc(n == 0 ? 1 : n);

		memcpy(copy, buf, n);
		found = done = false;
		(void)ma_route_parse(copy, n, 4, &gw, &found, &done, &error);
		cr_assert(!found);
		free(copy);
	}
}

Test(member_agent, route_parse_multipath)
{
	uint8_t			 buf[512];
	struct rtmsg		 rtm;
	struct rtnexthop	 nh;
	struct in6_addr		 g1 = mat_addr("fe80::a"), g2 =
	    mat_addr("fe80::b"), gw;
	uint8_t			 mp[128];
	size_t			 off = 0, mlen = 0;
	bool			 found = false, done = false;
	int			 error;

	for (int i = 0; i < 2; i++) {
		size_t	 start = mlen;

		memset(&nh, 0, sizeof(nh));
		nh.rtnh_ifindex = 5 + i;
		mlen += RTNH_LENGTH(0);
		mlen = mat_rta(mp, mlen, RTA_GATEWAY, i == 0 ? &g1 : &g2, 16);
		nh.rtnh_len = (unsigned short)(mlen - start);
		memcpy(mp + start, &nh, sizeof(nh));
	}
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = AF_INET6;
	rtm.rtm_table = RT_TABLE_MAIN;
	rtm.rtm_type = RTN_UNICAST;
	off = NLMSG_HDRLEN;
	memcpy(buf + off, &rtm, sizeof(rtm));
	off += NLMSG_ALIGN(sizeof(rtm));
	off = mat_rta(buf, off, RTA_MULTIPATH, mp, mlen);
	off = mat_nl_close(buf, 0, off, RTM_NEWROUTE);

	cr_assert_eq(ma_route_parse(buf, off, 6, &gw, &found, &done, &error),
	    0);
	cr_assert(found);
	cr_assert(IN6_ARE_ADDR_EQUAL(&gw, &g2));
}

static size_t
mat_ifaddr(uint8_t *buf, size_t off, uint32_t index, uint8_t scope,
    uint32_t flags, bool flags_attr, const char *addr)
{
	struct ifaddrmsg	 ifa;
	struct in6_addr		 a = mat_addr(addr);
	size_t			 start = off;

	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = AF_INET6;
	ifa.ifa_prefixlen = 64;
	ifa.ifa_scope = scope;
	ifa.ifa_index = index;
	ifa.ifa_flags = flags_attr ? 0 : (uint8_t)flags;
	off += NLMSG_HDRLEN;
	memcpy(buf + off, &ifa, sizeof(ifa));
	off += NLMSG_ALIGN(sizeof(ifa));
	off = mat_rta(buf, off, IFA_ADDRESS, &a, 16);
	if (flags_attr)
		off = mat_rta(buf, off, IFA_FLAGS, &flags, sizeof(flags));
	return mat_nl_close(buf, start, off, RTM_NEWADDR);
}

Test(member_agent, addr_parse_picks_usable_global)
{
	uint8_t			 buf[2048];
	struct ma_addr_pick	 p;
	struct in6_addr		 want = mat_addr("2001:db8:1::10");
	size_t			 len = 0;
	bool			 done = false;
	int			 error;

	len = mat_ifaddr(buf, len, 2, RT_SCOPE_LINK, 0, false, "fe80::10");
	len = mat_ifaddr(buf, len, 2, RT_SCOPE_UNIVERSE, IFA_F_TENTATIVE,
	    false, "2001:db8:1::11");
	len = mat_ifaddr(buf, len, 2, RT_SCOPE_UNIVERSE, IFA_F_DEPRECATED,
	    true, "2001:db8:1::12");
	len = mat_ifaddr(buf, len, 2, RT_SCOPE_UNIVERSE, IFA_F_DADFAILED,
	    true, "2001:db8:1::13");
	len = mat_ifaddr(buf, len, 3, RT_SCOPE_UNIVERSE, 0, false,
	    "2001:db8:3::10");
	len = mat_ifaddr(buf, len, 2, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT,
	    true, "2001:db8:1::10");
	len = mat_ifaddr(buf, len, 2, RT_SCOPE_UNIVERSE, 0, false,
	    "2001:db8:1::14");
	len = mat_nl_done(buf, len);

	memset(&p, 0, sizeof(p));
	p.ifindex = 2;
	cr_assert_eq(ma_addr_parse(buf, len, &p, &done, &error), 0);
	cr_assert(done && p.found && p.tentative);
	cr_assert(IN6_ARE_ADDR_EQUAL(&p.addr, &want));

	memset(&p, 0, sizeof(p));
	p.ifindex = 9;
	done = false;
	cr_assert_eq(ma_addr_parse(buf, len, &p, &done, &error), 0);
	cr_assert(done && !p.found && !p.tentative);

	/* Looking for one address: found only once it is usable. */
	memset(&p, 0, sizeof(p));
	p.ifindex = 2;
	p.match = true;
	p.want = mat_addr("2001:db8:1::14");
	cr_assert_eq(ma_addr_parse(buf, len, &p, &done, &error), 0);
	cr_assert(p.found && !p.tentative);
	cr_assert(IN6_ARE_ADDR_EQUAL(&p.addr, &p.want));
	memset(&p, 0, sizeof(p));
	p.ifindex = 2;
	p.match = true;
	p.want = mat_addr("2001:db8:1::11");
	cr_assert_eq(ma_addr_parse(buf, len, &p, &done, &error), 0);
	cr_assert(!p.found && p.tentative);
}

Test(member_agent, addr_request_layout)
{
	uint8_t			 buf[256];
	struct nlmsghdr		 nh;
	struct ifaddrmsg	 ifa;
	struct rtattr		 rta;
	struct in6_addr		 a = mat_addr(MAT_GROUP);
	size_t			 len, off;
	uint32_t		 flags;
	int			 seen = 0;

	cr_assert_eq(ma_addr_request(buf, 16, true, 1, &a, 128, IFA_F_NODAD,
	    5), 0);
	len = ma_addr_request(buf, sizeof(buf), true, 1, &a, 128,
	    IFA_F_NODAD, 5);
	memcpy(&nh, buf, sizeof(nh));
	cr_assert_eq(nh.nlmsg_len, len);
	cr_assert_eq(nh.nlmsg_type, RTM_NEWADDR);
	cr_assert_eq(nh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
	    NLM_F_CREATE | NLM_F_EXCL);
	memcpy(&ifa, buf + NLMSG_HDRLEN, sizeof(ifa));
	cr_assert_eq(ifa.ifa_family, AF_INET6);
	cr_assert_eq(ifa.ifa_prefixlen, 128);
	cr_assert_eq(ifa.ifa_flags, IFA_F_NODAD);
	cr_assert_eq(ifa.ifa_scope, RT_SCOPE_UNIVERSE);
	cr_assert_eq(ifa.ifa_index, 1);
	off = NLMSG_SPACE(sizeof(ifa));
	while (off < len) {
		memcpy(&rta, buf + off, sizeof(rta));
		cr_assert_geq(rta.rta_len, sizeof(rta));
		switch (rta.rta_type) {
		case IFA_LOCAL:
		case IFA_ADDRESS:
			cr_assert_eq(rta.rta_len, RTA_LENGTH(16));
			cr_assert_eq(memcmp(buf + off + RTA_LENGTH(0), &a, 16),
			    0);
			seen |= 1 << rta.rta_type;
			break;
		case IFA_FLAGS:
			memcpy(&flags, buf + off + RTA_LENGTH(0),
			    sizeof(flags));
			cr_assert_eq(flags, IFA_F_NODAD);
			seen |= 1 << rta.rta_type;
			break;
		default:
			cr_assert_fail("unexpected attribute %d", rta.rta_type);
		}
		off += RTA_ALIGN(rta.rta_len);
	}
	cr_assert_eq(off, len);
	cr_assert_eq(seen, (1 << IFA_LOCAL) | (1 << IFA_ADDRESS) |
	    (1 << IFA_FLAGS));

	len = ma_addr_request(buf, sizeof(buf), false, 1, &a, 128, 0, 6);
	memcpy(&nh, buf, sizeof(nh));
	cr_assert_eq(nh.nlmsg_type, RTM_DELADDR);
	cr_assert_eq(nh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
}

Test(member_agent, netlink_error_reported)
{
	uint8_t			 buf[64];
	struct ma_addr_pick	 p;
	size_t			 len;
	bool			 done = false;
	int			 error = 0;

	memset(&p, 0, sizeof(p));
	len = mat_nl_error(buf, 0, -EOPNOTSUPP);
	cr_assert_eq(ma_addr_parse(buf, len, &p, &done, &error), -1);
	cr_assert_eq(error, EOPNOTSUPP);
}

/* ---------------------------------------------------------------- */
/* Load and sequence numbers */

Test(member_agent, load_values)
{
	cr_assert_eq(ma_load_pct(5, 10, 9.0, 1), 50);
	cr_assert_eq(ma_load_pct(0, 10, 9.0, 1), 0);
	cr_assert_eq(ma_load_pct(20, 10, 0, 1), 100);
	cr_assert_eq(ma_load_pct(UINT32_MAX, 1, 0, 1), 100);
	cr_assert_eq(ma_load_pct(1, 3, 0, 1), 33);
	/* No capacity: the load average per CPU. */
	cr_assert_eq(ma_load_pct(7, 0, 0.5, 2), 25);
	cr_assert_eq(ma_load_pct(7, 0, 3.0, 2), 100);
	cr_assert_eq(ma_load_pct(7, 0, 0.994, 1), 99);
	cr_assert_eq(ma_load_pct(7, 0, 0.5, 0), 50);
	cr_assert_eq(ma_load_pct(7, 0, -1.0, 1), 0);
	cr_assert_eq(ma_load_pct(7, 0, __builtin_nan(""), 1), 0);
}

Test(member_agent, load_from_text)
{
	uint8_t	 pct = 0;

	cr_assert_eq(ma_load_from_text("42", &pct), 0);
	cr_assert_eq(pct, 42);
	cr_assert_eq(ma_load_from_text("  42.4\n", &pct), 0);
	cr_assert_eq(pct, 42);
	cr_assert_eq(ma_load_from_text("42.5", &pct), 0);
	cr_assert_eq(pct, 43);
	cr_assert_eq(ma_load_from_text("50%\n", &pct), 0);
	cr_assert_eq(pct, 50);
	cr_assert_eq(ma_load_from_text("100", &pct), 0);
	cr_assert_eq(pct, 100);
	cr_assert_eq(ma_load_from_text("0", &pct), 0);
	cr_assert_eq(pct, 0);
	pct = 7;
	cr_assert_eq(ma_load_from_text("100.1", &pct), -1);
	cr_assert_eq(ma_load_from_text("-1", &pct), -1);
	cr_assert_eq(ma_load_from_text("", &pct), -1);
	cr_assert_eq(ma_load_from_text("high", &pct), -1);
	cr_assert_eq(ma_load_from_text("12 34", &pct), -1);
	cr_assert_eq(ma_load_from_text("inf", &pct), -1);
	cr_assert_eq(ma_load_from_text("1e999", &pct), -1);
	cr_assert_eq(pct, 7);
}

Test(member_agent, loadavg_from_text)
{
	double	 avg = -1;

	cr_assert_eq(ma_loadavg_from_text("0.52 0.58 0.59 1/123 4567\n",
	    &avg), 0);
	cr_assert_float_eq(avg, 0.52, 1e-9);
	cr_assert_eq(ma_loadavg_from_text("12.00\n", &avg), 0);
	cr_assert_float_eq(avg, 12.0, 1e-9);
	cr_assert_eq(ma_loadavg_from_text("x 0.5", &avg), -1);
	cr_assert_eq(ma_loadavg_from_text("0.5x", &avg), -1);
	cr_assert_eq(ma_loadavg_from_text("", &avg), -1);
}

Test(member_agent, seq_strictly_increasing)
{
	uint64_t	 last = 0, s1, s2, s3, s4;

	s1 = ma_next_seq(&last, 1000);
	s2 = ma_next_seq(&last, 1000);		/* same clock reading */
	s3 = ma_next_seq(&last, 500);		/* clock went back */
	s4 = ma_next_seq(&last, 5000);
	cr_assert_eq(s1, 1000);
	cr_assert_eq(s2, 1001);
	cr_assert_eq(s3, 1002);
	cr_assert_eq(s4, 5000);
	cr_assert_eq(last, 5000);
}
