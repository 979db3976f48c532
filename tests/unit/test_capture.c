/*
 * Captures on a router made by hand: frames go in through
 * capture_frame(), the savefiles are read back with libpcap.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <pcap/pcap.h>

#include "log.h"
#include "pbuf.h"
#include "iface.h"
#include "router.h"

#define FRAME_MAX	(PBUF_DATA + 64)

static char		 cap_tmp[] = "/tmp/vrouter-capture-XXXXXX";
static struct router	 cap_r;
static struct iface	 cap_if[2];
static struct config	*cap_conf;
static char		 cap_err[256];

static void
cap_setup(void)
{
	log_level = LOG_LVL_WARN;
	cr_assert_not_null(mkdtemp(cap_tmp));
	cap_conf = config_new();
	cr_assert_not_null(cap_conf);
	/* A directory that does not exist yet: capture_start creates it. */
	snprintf(cap_conf->capture_dir, sizeof(cap_conf->capture_dir),
	    "%s/spool/captures", cap_tmp);

	memset(&cap_r, 0, sizeof(cap_r));
	memset(cap_if, 0, sizeof(cap_if));
	cap_r.conf = cap_conf;
	TAILQ_INIT(&cap_r.captures);
	cap_r.start_ns = 5000000000ull;
	cap_r.now_ns = cap_r.start_ns + 1500000000ull;
	cap_r.wall_base.tv_sec = 1700000000;
	snprintf(cap_if[0].conf.name, IFNAMSIZ, "c1");
	snprintf(cap_if[1].conf.name, IFNAMSIZ, "m1");
	cap_if[0].name = cap_if[0].conf.name;
	cap_if[1].name = cap_if[1].conf.name;
	cap_if[0].router = cap_if[1].router = &cap_r;
	cap_if[1].index = 1;
	cap_r.ifaces[0] = &cap_if[0];
	cap_r.ifaces[1] = &cap_if[1];
	cap_r.nifaces = 2;
}

static void
cap_teardown(void)
{
	char	cmd[128];

	capture_shutdown(&cap_r);
	config_free(cap_conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cap_tmp);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", cap_tmp);
}

TestSuite(capture, .init = cap_setup, .fini = cap_teardown);

/*
 * An Ethernet + IPv6 + UDP (proto 17) or ICMPv6 (58) frame of len bytes
 * whose payload starts with a 32-bit sequence number.  Returns f.
 */
static const uint8_t *
cap_frame(uint8_t *f, size_t len, uint8_t proto, uint16_t dport,
    uint32_t seq)
{
	size_t	 plen = len - 14 - 40;
	size_t	 i;

	cr_assert_geq(len, 14 + 40 + 8 + 4);
	for (i = 0; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seq);
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
	    "\x86\xdd", 14);
	f[14] = 0x60; f[15] = 0; f[16] = 0; f[17] = 0;
	f[18] = (uint8_t)(plen >> 8);
	f[19] = (uint8_t)plen;
	f[20] = proto;
	f[21] = 64;
	memset(f + 22, 0, 32);
	f[22] = 0x20; f[23] = 0x01; f[24] = 0x0d; f[25] = 0xb8; f[37] = 1;
	f[38] = 0x20; f[39] = 0x01; f[40] = 0x0d; f[41] = 0xb8; f[53] = 2;
	if (proto == 17) {
		f[54] = 0x30; f[55] = 0x39;
		f[56] = (uint8_t)(dport >> 8);
		f[57] = (uint8_t)dport;
		f[58] = (uint8_t)(plen >> 8);
		f[59] = (uint8_t)plen;
	} else {
		f[54] = 128; f[55] = 0;		/* echo request */
	}
	f[62] = (uint8_t)(seq >> 24);
	f[63] = (uint8_t)(seq >> 16);
	f[64] = (uint8_t)(seq >> 8);
	f[65] = (uint8_t)seq;
	return f;
}

static uint32_t
cap_seq(const uint8_t *f)
{
	return (uint32_t)f[62] << 24 | (uint32_t)f[63] << 16 |
	    (uint32_t)f[64] << 8 | f[65];
}

/*
 * Read a savefile; returns the number of records and stores up to max
 * sequence numbers.  Checks every record against the frame it should
 * be when want_len is non-zero.
 */
static int
cap_read(const char *path, uint32_t *seqs, int max, size_t want_len)
{
	char			 errbuf[PCAP_ERRBUF_SIZE];
	pcap_t			*p;
	struct pcap_pkthdr	*h;
	const u_char		*data;
	static uint8_t		 want[FRAME_MAX];
	int			 n = 0, rc;

	p = pcap_open_offline(path, errbuf);
	cr_assert_not_null(p, "%s: %s", path, errbuf);
	cr_assert_eq(pcap_datalink(p), DLT_EN10MB);
	cr_assert_geq(pcap_snapshot(p), 65535);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		cr_assert_eq(h->caplen, h->len);
		if (want_len != 0) {
			cr_assert_eq(h->len, want_len);
			cap_frame(want, want_len, data[20],
			    (uint16_t)(data[56] << 8 | data[57]),
			    cap_seq(data));
			cr_assert_arr_eq(data, want, want_len);
		}
		if (n < max)
			seqs[n] = cap_seq(data);
		n++;
	}
	cr_assert_eq(rc, PCAP_ERROR_BREAK, "%s: %s", path, pcap_geterr(p));
	pcap_close(p);
	return n;
}

static bool
cap_exists(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0;
}

static off_t
cap_size(const char *path)
{
	struct stat	 st;

	cr_assert_eq(stat(path, &st), 0, "%s missing", path);
	return st.st_size;
}

static struct capture *
cap_start(const char *iface, int dir, const char *filter, uint64_t max_bytes,
    uint32_t rotate)
{
	struct capture	*c;

	c = capture_start(&cap_r, iface, dir, filter, max_bytes, rotate,
	    cap_err, sizeof(cap_err));
	cr_assert_not_null(c, "capture_start: %s", cap_err);
	return c;
}

Test(capture, writes_frames_as_given)
{
	static uint8_t	 f[3][300];
	size_t		 lens[3] = { 100, 300, 66 };
	struct capture	*c;
	struct timeval	 tv;
	struct stat	 st;
	char		 errbuf[PCAP_ERRBUF_SIZE], dir[PATH_MAX];
	pcap_t		*p;
	struct pcap_pkthdr *h;
	const u_char	*data;
	int		 i;

	c = cap_start("", CAP_BOTH, NULL, 0, 0);
	cr_assert_eq(cap_r.ncaptures_running, 1);
	cr_assert(c->running);
	cr_assert_eq(capture_find(&cap_r, c->id), c);
	cr_assert_null(capture_find(&cap_r, c->id + 1));
	cr_assert(strstr(c->path, "/spool/captures/cap") != NULL, "%s",
	    c->path);
	cr_assert(strstr(c->path, "-all.pcap") != NULL, "%s", c->path);
	snprintf(dir, sizeof(dir), "%s/spool/captures", cap_tmp);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));

	for (i = 0; i < 3; i++) {
		cap_frame(f[i], lens[i], 17, 53, (uint32_t)i);
		CAPTURE(&cap_r, &cap_if[i % 2], i == 1 ? CAP_TX : CAP_RX,
		    f[i], lens[i]);
	}
	cr_assert_eq(c->packets, 3);
	cr_assert_eq(c->bytes, 100 + 300 + 66);
	capture_stop(&cap_r, c);
	cr_assert_not(c->running);
	cr_assert_eq(cap_r.ncaptures_running, 0);
	/* A stopped capture sees nothing more and keeps its file. */
	CAPTURE(&cap_r, &cap_if[0], CAP_RX, f[0], lens[0]);
	cr_assert_eq(c->packets, 3);
	cr_assert_eq(cap_size(c->path), 24 + 3 * 16 + 100 + 300 + 66);

	router_walltime(&cap_r, &tv);
	p = pcap_open_offline(c->path, errbuf);
	cr_assert_not_null(p, "%s", errbuf);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(pcap_next_ex(p, &h, &data), 1);
		cr_assert_eq(h->len, lens[i]);
		cr_assert_eq(h->caplen, lens[i]);
		cr_assert_arr_eq(data, f[i], lens[i]);
		cr_assert_eq(h->ts.tv_sec, tv.tv_sec);
		cr_assert_eq(h->ts.tv_usec, tv.tv_usec);
	}
	cr_assert_eq(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(p);
}

Test(capture, bpf_filter_keeps_matching_frames)
{
	static uint8_t	 f[200];
	struct capture	*c;
	uint32_t	 seqs[8];
	int		 i;

	c = cap_start(NULL, CAP_BOTH, "udp dst port 53", 0, 0);
	cr_assert(c->has_filter);
	cr_assert_str_eq(c->filter, "udp dst port 53");
	for (i = 0; i < 6; i++) {
		/* 0, 3: udp/53; 1, 4: udp/80; 2, 5: icmp6 */
		if (i % 3 == 2)
			cap_frame(f, sizeof(f), 58, 0, (uint32_t)i);
		else
			cap_frame(f, sizeof(f), 17, i % 3 == 0 ? 53 : 80,
			    (uint32_t)i);
		CAPTURE(&cap_r, &cap_if[0], CAP_RX, f, sizeof(f));
	}
	cr_assert_eq(c->packets, 2);
	capture_stop(&cap_r, c);
	cr_assert_eq(cap_read(c->path, seqs, 8, sizeof(f)), 2);
	cr_assert_eq(seqs[0], 0);
	cr_assert_eq(seqs[1], 3);
}

Test(capture, interface_and_direction)
{
	static uint8_t	 f[120];
	struct capture	*rx, *tx, *all;
	uint32_t	 seqs[8];

	rx = cap_start("c1", CAP_RX, "", 0, 0);
	tx = cap_start("m1", CAP_TX, "", 0, 0);
	all = cap_start("", CAP_BOTH, "", 0, 0);
	cr_assert_neq(rx->id, tx->id);
	cr_assert(strstr(rx->path, "-c1.pcap") != NULL, "%s", rx->path);
	cr_assert_eq(cap_r.ncaptures_running, 3);

	CAPTURE(&cap_r, &cap_if[0], CAP_RX, cap_frame(f, sizeof(f), 17, 1, 1),
	    sizeof(f));
	CAPTURE(&cap_r, &cap_if[0], CAP_TX, cap_frame(f, sizeof(f), 17, 1, 2),
	    sizeof(f));
	CAPTURE(&cap_r, &cap_if[1], CAP_RX, cap_frame(f, sizeof(f), 17, 1, 3),
	    sizeof(f));
	CAPTURE(&cap_r, &cap_if[1], CAP_TX, cap_frame(f, sizeof(f), 17, 1, 4),
	    sizeof(f));
	capture_stop(&cap_r, rx);
	capture_stop(&cap_r, tx);
	capture_stop(&cap_r, all);
	cr_assert_eq(cap_r.ncaptures_running, 0);

	cr_assert_eq(cap_read(rx->path, seqs, 8, sizeof(f)), 1);
	cr_assert_eq(seqs[0], 1);
	cr_assert_eq(cap_read(tx->path, seqs, 8, sizeof(f)), 1);
	cr_assert_eq(seqs[0], 4);
	cr_assert_eq(cap_read(all->path, seqs, 8, sizeof(f)), 4);
	cr_assert_eq(seqs[0], 1);
	cr_assert_eq(seqs[3], 4);
}

Test(capture, rotation_keeps_rotate_old_files)
{
	static uint8_t	 f[1000];
	struct capture	*c;
	char		 name[PATH_MAX + 16];
	uint32_t	 seqs[128];
	uint32_t	 i, next;
	int		 k, n;
	/* 64 records of 16 + 1000 bytes fit after the 24-byte header. */
	const int	 per_file = (65536 - 24) / (16 + 1000);

	cr_assert_eq(per_file, 64);
	c = cap_start("c1", CAP_BOTH, NULL, 65536, 2);
	for (i = 0; i < 200; i++)
		CAPTURE(&cap_r, &cap_if[0], CAP_RX,
		    cap_frame(f, sizeof(f), 17, 9, i), sizeof(f));
	cr_assert_eq(c->packets, 200);
	cr_assert_eq(c->files, 3, "%u rotations", c->files);
	capture_stop(&cap_r, c);

	/* Frames 0..63 are gone; .2 holds 64..127, .1 128..191. */
	next = 64;
	for (k = 2; k >= 0; k--) {
		if (k > 0)
			snprintf(name, sizeof(name), "%s.%d", c->path, k);
		else
			snprintf(name, sizeof(name), "%s", c->path);
		cr_assert_leq(cap_size(name), 65536);
		n = cap_read(name, seqs, 128, sizeof(f));
		cr_assert_eq(n, k > 0 ? per_file : 200 - 3 * per_file,
		    "%s: %d records", name, n);
		for (i = 0; i < (uint32_t)n; i++)
			cr_assert_eq(seqs[i], next++);
	}
	cr_assert_eq(next, 200);
	snprintf(name, sizeof(name), "%s.3", c->path);
	cr_assert_not(cap_exists(name));
}

Test(capture, delete_removes_every_file)
{
	static uint8_t	 f[1000];
	struct capture	*c;
	char		 path[PATH_MAX], name[PATH_MAX + 16];
	uint32_t	 i;
	int		 k;

	c = cap_start("", CAP_BOTH, NULL, 65536, 3);
	for (i = 0; i < 150; i++)
		CAPTURE(&cap_r, &cap_if[1], CAP_TX,
		    cap_frame(f, sizeof(f), 17, 9, i), sizeof(f));
	cr_assert_eq(c->files, 2);
	snprintf(path, sizeof(path), "%s", c->path);
	for (k = 1; k <= 2; k++) {
		snprintf(name, sizeof(name), "%s.%d", path, k);
		cr_assert(cap_exists(name), "%s missing", name);
	}
	capture_delete(&cap_r, c);
	cr_assert_eq(cap_r.ncaptures_running, 0);
	cr_assert_not(cap_exists(path));
	for (k = 1; k <= 3; k++) {
		snprintf(name, sizeof(name), "%s.%d", path, k);
		cr_assert_not(cap_exists(name), "%s left behind", name);
	}
}

Test(capture, rotate_zero_restarts_the_file)
{
	static uint8_t	 f[1000];
	struct capture	*c;
	char		 name[PATH_MAX + 16];
	uint32_t	 seqs[128];
	uint32_t	 i;
	int		 n;

	c = cap_start("", CAP_BOTH, NULL, 65536, 0);
	for (i = 0; i < 70; i++)
		CAPTURE(&cap_r, &cap_if[0], CAP_RX,
		    cap_frame(f, sizeof(f), 17, 9, i), sizeof(f));
	capture_stop(&cap_r, c);
	cr_assert_eq(c->files, 1);
	n = cap_read(c->path, seqs, 128, sizeof(f));
	cr_assert_eq(n, 70 - 64);
	cr_assert_eq(seqs[0], 64);
	cr_assert_eq(seqs[n - 1], 69);
	snprintf(name, sizeof(name), "%s.1", c->path);
	cr_assert_not(cap_exists(name));
}

Test(capture, frame_larger_than_a_file_is_cut)
{
	static uint8_t	 f[PBUF_DATA];
	struct capture	*c;
	char		 errbuf[PCAP_ERRBUF_SIZE];
	pcap_t		*p;
	struct pcap_pkthdr *h;
	const u_char	*data;

	c = cap_start("", CAP_BOTH, NULL, 65536, 1);
	cap_frame(f, 200, 17, 9, 1);
	CAPTURE(&cap_r, &cap_if[0], CAP_RX, f, 200);
	cap_frame(f, sizeof(f), 17, 9, 2);
	CAPTURE(&cap_r, &cap_if[0], CAP_RX, f, sizeof(f));
	capture_stop(&cap_r, c);
	cr_assert_eq(c->files, 1);
	cr_assert_eq(c->bytes, 200 + sizeof(f));
	cr_assert_eq(cap_size(c->path), 65536);

	p = pcap_open_offline(c->path, errbuf);
	cr_assert_not_null(p, "%s", errbuf);
	cr_assert_eq(pcap_next_ex(p, &h, &data), 1);
	cr_assert_eq(h->len, sizeof(f));
	cr_assert_eq(h->caplen, 65536 - 24 - 16);
	cr_assert_arr_eq(data, f, h->caplen);
	pcap_close(p);
}

Test(capture, bad_filter_is_an_error)
{
	struct capture	*c;
	char		 dir[PATH_MAX];
	struct stat	 st;

	c = capture_start(&cap_r, "", CAP_BOTH, "udp port", 0, 0, cap_err,
	    sizeof(cap_err));
	cr_assert_null(c);
	cr_assert_eq(errno, EINVAL);
	cr_assert(strstr(cap_err, "udp port") != NULL, "%s", cap_err);
	cr_assert(strstr(cap_err, "syntax error") != NULL, "%s", cap_err);
	c = capture_start(&cap_r, "", CAP_BOTH, "tcp port 99999", 0, 0,
	    cap_err, sizeof(cap_err));
	cr_assert_null(c);
	cr_assert(strstr(cap_err, "99999") != NULL, "%s", cap_err);
	cr_assert_eq(cap_r.ncaptures_running, 0);
	cr_assert_null(TAILQ_FIRST(&cap_r.captures));
	snprintf(dir, sizeof(dir), "%s/spool", cap_tmp);
	cr_assert_neq(stat(dir, &st), 0, "nothing should be created");
}

Test(capture, bad_arguments)
{
	static const struct {
		const char	*iface;
		int		 dir;
		uint64_t	 max_bytes;
		uint32_t	 rotate;
		const char	*msg;
	} cases[] = {
		{ "eth9", CAP_BOTH, 0, 0, "\"eth9\" is not an interface" },
		{ "c1", 0, 0, 0, "direction" },
		{ "c1", 4, 0, 0, "direction" },
		{ "c1", CAP_RX, 65535, 0, "max_bytes" },
		{ "c1", CAP_RX, 1, 0, "max_bytes" },
		{ "", CAP_TX, 65536, 101, "rotate" },
	};
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cap_err[0] = '\0';
		errno = 0;
		cr_assert_null(capture_start(&cap_r, cases[i].iface,
		    cases[i].dir, NULL, cases[i].max_bytes, cases[i].rotate,
		    cap_err, sizeof(cap_err)), "case %zu", i);
		cr_assert_eq(errno, EINVAL, "case %zu", i);
		cr_assert(strstr(cap_err, cases[i].msg) != NULL,
		    "case %zu: %s", i, cap_err);
	}
	cr_assert_eq(cap_r.ncaptures_running, 0);
	/* The limits themselves are accepted. */
	cap_start("m1", CAP_TX, NULL, 65536, 100);
	cr_assert_eq(cap_r.ncaptures_running, 1);
}

Test(capture, ids_increase_and_shutdown_keeps_files)
{
	struct capture	*a, *b;
	char		 pa[PATH_MAX], pb[PATH_MAX];

	a = cap_start("", CAP_BOTH, NULL, 0, 0);
	b = cap_start("c1", CAP_BOTH, NULL, 0, 0);
	cr_assert_gt(b->id, a->id);
	capture_stop(&cap_r, a);
	snprintf(pa, sizeof(pa), "%s", a->path);
	snprintf(pb, sizeof(pb), "%s", b->path);
	capture_shutdown(&cap_r);
	cr_assert_eq(cap_r.ncaptures_running, 0);
	cr_assert_null(TAILQ_FIRST(&cap_r.captures));
	cr_assert(cap_exists(pa));
	cr_assert(cap_exists(pb));
	cr_assert_eq(cap_size(pb), 24);
}

Test(capture, direction_names)
{
	int	 d = 0;

	cr_assert_str_eq(capture_dir_name(CAP_RX), "rx");
	cr_assert_str_eq(capture_dir_name(CAP_TX), "tx");
	cr_assert_str_eq(capture_dir_name(CAP_BOTH), "both");
	cr_assert_str_eq(capture_dir_name(0), "unknown");
	cr_assert_str_eq(capture_dir_name(4), "unknown");
	cr_assert_eq(capture_dir_from_name("rx", &d), 0);
	cr_assert_eq(d, CAP_RX);
	cr_assert_eq(capture_dir_from_name("both", &d), 0);
	cr_assert_eq(d, CAP_BOTH);
	cr_assert_eq(capture_dir_from_name("tx", &d), 0);
	cr_assert_eq(d, CAP_TX);
	cr_assert_eq(capture_dir_from_name("rx+tx", &d), -1);
	cr_assert_eq(capture_dir_from_name(NULL, &d), -1);
	cr_assert_eq(d, CAP_TX);
}

/* The tick flushes a running capture's file: readers see whole records. */
Test(capture, tick_flushes_the_running_file)
{
	static uint8_t	 f[200];
	struct capture	*c;
	uint32_t	 seqs[4];
	int		 i;

	c = cap_start("c1", CAP_RX, NULL, 0, 0);
	capture_tick(&cap_r);
	cr_assert_eq(cap_size(c->path), 24, "the header, before any frame");
	cr_assert_not(c->dirty);
	for (i = 0; i < 3; i++) {
		cap_frame(f, sizeof(f), 58, 0, (uint32_t)i);
		CAPTURE(&cap_r, &cap_if[0], CAP_RX, f, sizeof(f));
	}
	cr_assert(c->dirty);
	capture_tick(&cap_r);
	cr_assert_not(c->dirty);
	cr_assert(c->running);
	cr_assert_eq(cap_size(c->path), 24 + 3 * (16 + 200));
	cr_assert_eq(cap_read(c->path, seqs, 4, sizeof(f)), 3);
	cr_assert_eq(seqs[0], 0);
	cr_assert_eq(seqs[2], 2);
	/* Nothing written: nothing to flush. */
	capture_tick(&cap_r);
	cr_assert_not(c->dirty);
	cr_assert_eq(c->nstreams, 0);
}
