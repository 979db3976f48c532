/*
 * anycast-member's options one by one: for each, a good value and a bad
 * one with the whole message it gets, in its short and long forms; the
 * number parser at its edges; and the usage text against the same list.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../hosts/member/agent.h"

#define MOT_KEY		"000102030405060708090a0b0c0d0e0f" \
			"101112131415161718191a1b1c1d1e1f"
#define MOT_GROUP	"2001:db8:a::80"

/* One option: what ma_usage() lists and what the parser must say. */
struct mot_opt {
	const char	*shrt;		/* "-p", NULL: long form only */
	const char	*lng;		/* "--port" */
	const char	*good;		/* NULL: takes no argument */
	int		 good_rv;	/* 0, or 1 and 2 for --help, --version */
	const char	*bad;		/* NULL: no value is bad */
	const char	*msg;		/* the whole message for bad */
};

static const struct mot_opt mot_opts[] = {
	{ "-g", "--group", "2001:db8:b::1", 0, "fe80::1",
	    "-g fe80::1: not a global unicast IPv6 address" },
	{ "-k", "--key", "2:" MOT_KEY, 0, "1:00",
	    "-k: expected KEYID:HEXKEY (key id 1-65535, 64 hex digits)" },
	/* A good key file is in test_member_agent.c (opts_key_file). */
	{ "-K", "--key-file", NULL, 0, "/nonexistent/key",
	    "key file /nonexistent/key: No such file or directory" },
	{ "-a", "--address", "2001:db8:1::10", 0, "::ffff:10.0.0.1",
	    "-a ::ffff:10.0.0.1: not a global unicast IPv6 address" },
	{ "-i", "--interface", "veth0", 0, "a/b",
	    "-i a/b: not an interface name" },
	{ "-r", "--router", "fe80::1", 0, "::1",
	    "-r ::1: not a unicast IPv6 address" },
	{ "-p", "--port", "65535", 0, "0", "-p 0: not a port (1-65535)" },
	{ NULL, "--health-tcp", "1", 0, "65536",
	    "--health-tcp 65536: not a port (1-65535)" },
	{ NULL, "--health-cmd", "true", 0, "",
	    "--health-cmd: empty command" },
	{ NULL, "--load-cmd", "echo 5", 0, "", "--load-cmd: empty command" },
	{ NULL, "--cgroup", "/sys/fs/cgroup/web", 0, "web",
	    "--cgroup web: not an absolute path" },
	{ NULL, "--capacity", "100000000", 0, "100000001",
	    "--capacity 100000001: must be 1-100000000" },
	{ NULL, "--weight", "0", 0, "65536",
	    "--weight 65536: must be 0-65535" },
	{ NULL, "--bandwidth", "4294967295", 0, "4294967296",
	    "--bandwidth 4294967296: not a number of Mbit/s" },
	{ NULL, "--interval", "50", 0, "49",
	    "--interval 49: must be 50-60000 ms" },
	{ NULL, "--session-rate", "1000", 0, "1001",
	    "--session-rate 1001: must be 1-1000" },
	{ NULL, "--keep-address", NULL, 0, NULL, NULL },
	{ "-d", "--debug", NULL, 0, NULL, NULL },
	{ "-h", "--help", NULL, 1, NULL, NULL },
	{ "-V", "--version", NULL, 2, NULL, NULL },
};
#define MOT_NOPTS	(sizeof(mot_opts) / sizeof(mot_opts[0]))

/* A minimal good command line, then opt and its value (if any). */
static int
mot_parse(struct ma_opts *o, char *err, size_t errlen, const char *opt,
    const char *val)
{
	char	*argv[8];
	int	 argc = 0;

	argv[argc++] = (char *)(uintptr_t)"anycast-member";
	argv[argc++] = (char *)(uintptr_t)"-g";
	argv[argc++] = (char *)(uintptr_t)MOT_GROUP;
	argv[argc++] = (char *)(uintptr_t)"-k";
	argv[argc++] = (char *)(uintptr_t)("1:" MOT_KEY);
	if (opt != NULL)
		argv[argc++] = (char *)(uintptr_t)opt;
	if (val != NULL)
		argv[argc++] = (char *)(uintptr_t)val;
	argv[argc] = NULL;
	err[0] = '\0';
	return ma_opts_parse(argc, argv, o, err, errlen);
}

TestSuite(member_opts);

Test(member_opts, each_option_good_and_bad)
{
	struct ma_opts	 o;
	char		 err[256];

	for (size_t i = 0; i < MOT_NOPTS; i++) {
		const struct mot_opt	*t = &mot_opts[i];
		const char		*forms[2] = { t->shrt, t->lng };

		for (int f = 0; f < 2; f++) {
			if (forms[f] == NULL)
				continue;
			if (t->good != NULL || t->bad == NULL)
				cr_assert_eq(mot_parse(&o, err, sizeof(err),
				    forms[f], t->good), t->good_rv,
				    "%s %s: %s", forms[f], t->good, err);
			if (t->bad == NULL)
				continue;
			/* The message names the short form either way. */
			cr_assert_eq(mot_parse(&o, err, sizeof(err), forms[f],
			    t->bad), -1, "%s %s accepted", forms[f], t->bad);
			cr_assert_str_eq(err, t->msg);
		}
	}
}

Test(member_opts, values_land_in_their_fields)
{
	struct ma_opts	 o;
	char		 err[256];

	/* The widest values of the 16-bit fields are not cut. */
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "--weight", "65535"), 0);
	cr_assert(o.have_weight);
	cr_assert_eq(o.weight, 65535);
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "--interval", "60000"),
	    0);
	cr_assert_eq(o.interval_ms, 60000);
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "-p", "65535"), 0);
	cr_assert_eq(o.port, 65535);
	cr_assert_eq(o.health_port, 65535);
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "--bandwidth",
	    "4294967295"), 0);
	cr_assert(o.have_bandwidth);
	cr_assert_eq(o.bandwidth, UINT32_MAX);
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "-i", "abcdefghijklmno"),
	    0);
	cr_assert_str_eq(o.ifname, "abcdefghijklmno");
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "-i",
	    "abcdefghijklmnop"), -1);
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "-i", ""), -1);
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "--keep-address", NULL),
	    0);
	cr_assert(o.keep_address && !o.debug);
	cr_assert(!o.have_unicast && !o.have_router);
}

Test(member_opts, cgroup_and_load_cmd_exclude_each_other)
{
	char		*argv[] = { "anycast-member", "-g", MOT_GROUP, "-k",
	    "1:" MOT_KEY, "--cgroup", "/sys/fs/cgroup/m1", "--load-cmd",
	    "echo 5", NULL };
	struct ma_opts	 o;
	char		 err[256];

	cr_assert_eq(mot_parse(&o, err, sizeof(err), "--cgroup",
	    "/sys/fs/cgroup/m1"), 0);
	cr_assert_str_eq(o.cgroup, "/sys/fs/cgroup/m1");
	cr_assert_eq(ma_opts_parse(9, argv, &o, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "--load-cmd and --cgroup exclude each other");
}

Test(member_opts, numbers_are_plain_decimal)
{
	static const char *const bad[] = {
		"", "+1", "-1", " 1", "1 ", "0x10", "1e3", "18446744073709551616",
	};
	struct ma_opts	 o;
	char		 err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(mot_parse(&o, err, sizeof(err), "--bandwidth",
		    bad[i]), -1, "\"%s\" accepted", bad[i]);
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "--bandwidth", "007"),
	    0);
	cr_assert_eq(o.bandwidth, 7);
}

Test(member_opts, last_key_option_counts)
{
	struct ma_opts	 o;
	char		 err[256];
	char		*argv[] = {
		(char *)(uintptr_t)"anycast-member",
		(char *)(uintptr_t)"-g", (char *)(uintptr_t)MOT_GROUP,
		(char *)(uintptr_t)"-K", (char *)(uintptr_t)"/nonexistent/key",
		(char *)(uintptr_t)"-k", (char *)(uintptr_t)("9:" MOT_KEY),
		NULL
	};

	/* -k after -K: the file is never read. */
	cr_assert_eq(ma_opts_parse(7, argv, &o, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_eq(o.key_id, 9);
	/* -K after -k: it is. */
	cr_assert_eq(mot_parse(&o, err, sizeof(err), "-K", "/nonexistent/key"),
	    -1);
	cr_assert(strstr(err, "/nonexistent/key") != NULL, "%s", err);
}

Test(member_opts, usage_lists_every_option)
{
	char	*text = NULL, *line, *save;
	size_t	 len = 0, listed = 0;
	FILE	*f;

	cr_assert_not_null(f = open_memstream(&text, &len));
	ma_usage(f);
	cr_assert_eq(fclose(f), 0);
	for (size_t i = 0; i < MOT_NOPTS; i++) {
		const struct mot_opt	*t = &mot_opts[i];
		char			 want[64];

		if (t->shrt != NULL)
			snprintf(want, sizeof(want), "\n  %s, %s", t->shrt,
			    t->lng);
		else
			snprintf(want, sizeof(want), "\n      %s", t->lng);
		cr_assert(strstr(text, want) != NULL, "usage lacks %s", t->lng);
	}
	/* And no option this test does not know. */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "  -", 3) == 0 ||
		    strncmp(line, "      --", 8) == 0)
			listed++;
	cr_assert_eq(listed, MOT_NOPTS);
	free(text);
}
