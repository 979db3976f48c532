/*
 * anycast-client's options: defaults, each option good and bad with the
 * whole message, and what only the whole line settles.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../hosts/client/client.h"

static int
cot_parse(struct cl_opts *o, char *err, size_t errlen, ...)
{
	char	*argv[32];
	int	 argc = 0;
	va_list	 ap;

	argv[argc++] = (char *)"anycast-client";
	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	err[0] = '\0';
	return cl_opts_parse(argc, argv, o, err, errlen);
}

Test(client_opts, defaults)
{
	struct cl_opts	 o;
	char		 err[256];

	cr_assert_eq(cot_parse(&o, err, sizeof(err), NULL), 0, "%s", err);
	cr_expect_str_eq(o.ifname, "eth0");
	cr_expect_str_eq(o.control, CL_DEFAULT_CONTROL);
	cr_expect_eq(o.max, CL_DEFAULT_MAX);
	cr_expect_eq(o.idle_s, CL_DEFAULT_IDLE);
	cr_expect_eq(o.poll_ms, CL_DEFAULT_POLL);
	cr_expect_eq(o.priority, CL_DEFAULT_PRIORITY);
	cr_expect_eq(o.table_base, CL_DEFAULT_TABLE_BASE);
	cr_expect_eq(o.nprefixes, 0);
	cr_expect(!o.status && !o.json && !o.debug);
}

Test(client_opts, good)
{
	struct cl_opts	 o;
	char		 err[256];
	struct in6_addr	 a;

	cr_assert_eq(cot_parse(&o, err, sizeof(err), "-i", "veth1", "-A",
	    "2001:db8:ac::1/64", "--anycast", "2001:db8:ad::5", "-m", "8",
	    "--idle", "0", "--poll", "50", "-P", "200", "-T", "70000", "-S",
	    "/tmp/x.sock", "-d", NULL), 0, "%s", err);
	cr_expect_str_eq(o.ifname, "veth1");
	cr_assert_eq(o.nprefixes, 2);
	inet_pton(AF_INET6, "2001:db8:ac::", &a);
	cr_expect(IN6_ARE_ADDR_EQUAL(&o.prefixes[0].addr, &a), "masked");
	cr_expect_eq(o.prefixes[0].plen, 64);
	cr_expect_eq(o.prefixes[1].plen, 128);
	cr_expect_eq(o.max, 8);
	cr_expect_eq(o.idle_s, 0);
	cr_expect_eq(o.poll_ms, 50);
	cr_expect_eq(o.priority, 200);
	cr_expect_eq(o.table_base, 70000);
	cr_expect_str_eq(o.control, "/tmp/x.sock");
	cr_expect(o.debug);
	cr_assert_eq(cot_parse(&o, err, sizeof(err), "-s", "-j", NULL), 0);
	cr_expect(o.status && o.json);
	cr_expect_eq(cot_parse(&o, err, sizeof(err), "-h", NULL), 1);
	cr_expect_eq(cot_parse(&o, err, sizeof(err), "--version", NULL), 2);
}

Test(client_opts, bad)
{
	static const struct {
		const char	*opt, *arg, *msg;
	} cases[] = {
		{ "-m", "0", "-m 0: must be 1-65536" },
		{ "--max", "65537", "-m 65537: must be 1-65536" },
		{ "-t", "x", "-t x: must be 0-86400" },
		{ "--poll", "49", "--poll 49: must be 50-60000" },
		{ "-P", "32766", "-P 32766: must be 1-32765" },
		{ "-T", "255", "-T 255: must be 256-4000000000" },
		{ "-A", "ff02::1", "-A ff02::1: not a global IPv6 address or "
		    "prefix" },
		{ "-A", "fe80::1/64", "-A fe80::1/64: not a global IPv6 "
		    "address or prefix" },
		{ "-i", "", "-i: must be 1-15 characters" },
		{ "-x", NULL, "unknown option -x" },
	};
	struct cl_opts	 o;
	char		 err[256];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(cot_parse(&o, err, sizeof(err), cases[i].opt,
		    cases[i].arg, NULL), -1, "%s", cases[i].opt);
		cr_expect_str_eq(err, cases[i].msg);
	}
	cr_expect_eq(cot_parse(&o, err, sizeof(err), "-j", NULL), -1);
	cr_expect_str_eq(err, "-j goes with -s");
	cr_expect_eq(cot_parse(&o, err, sizeof(err), "-m", NULL), -1);
	cr_expect_str_eq(err, "-m needs an argument");
	cr_expect_eq(cot_parse(&o, err, sizeof(err), "extra", NULL), -1);
	cr_expect_str_eq(err, "unexpected argument \"extra\"");
}
