/*
 * The router's receiver of membership messages (member_ctl.c) on a
 * router in packet-fixture mode: one link, one group with one key.
 * Each case sends messages as a member on the link would and checks
 * the step that stopped them by its counters: the router's failures by
 * reason, the group's, and what was sent back.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <criterion/criterion.h>

#include "config.h"
#include "log.h"
#include "iface.h"
#include "pbuf.h"
#include "anycast.h"
#include "router.h"

#define MCT_NOW		(1700000000ull * 1000000000ull)	/* wall clock */
#define MCT_GROUP	"2001:db8:7a::80"
#define MCT_MEMBER	"2001:db8:72::10"
#define MCT_RATE	5		/* join_rate of the group */
#define MCT_KEY_HEX	"000102030405060708090a0b0c0d0e0f" \
			"101112131415161718191a1b1c1d1e1f"

static struct router	 mct_r;
static struct config	*mct_conf;
static struct group	*mct_g;
static uint8_t		 mct_key[MP_KEY_LEN];
static char		 mct_dir[] = "/tmp/test_member_ctl_XXXXXX";
static char		 mct_in[64];
static uint64_t		 mct_seq = MCT_NOW;

static struct in6_addr
mct_addr(const char *s)
{
	struct in6_addr	 a;

	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1, "bad address %s", s);
	return a;
}

/* An empty Ethernet capture: what the interface reads nothing from. */
static void
mct_empty_pcap(const char *path)
{
	static const uint8_t hdr[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 1, 0, 0, 0,
	};
	FILE	*f = fopen(path, "wb");

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	cr_assert_eq(fclose(f), 0);
}

static void
mct_setup(void)
{
	struct in6_addr	 ga = mct_addr(MCT_GROUP);
	char		 json[1024], err[256];
	int		 n;

	log_level = LOG_LVL_WARN;
	cr_assert_geq(sodium_init(), 0);
	cr_assert_eq(mp_key_from_hex(MCT_KEY_HEX, mct_key), 0);
	cr_assert_not_null(mkdtemp(mct_dir));
	snprintf(mct_in, sizeof(mct_in), "%s/in.pcap", mct_dir);
	mct_empty_pcap(mct_in);
	n = snprintf(json, sizeof(json), "{ \"api\": { \"enabled\": false },"
	    " \"interfaces\": [ { \"name\": \"m1\","
	    " \"mac\": \"02:00:00:00:00:01\","
	    " \"addresses\": [\"2001:db8:72::1/64\"],"
	    " \"pcap\": { \"in\": \"%s\", \"out\": \"/dev/null\" } } ],"
	    " \"groups\": [ { \"address\": \"%s\", \"join_rate\": %d,"
	    " \"keys\": [ { \"id\": 1, \"key\": \"%s\" } ] } ] }",
	    mct_in, MCT_GROUP, MCT_RATE, MCT_KEY_HEX);
	cr_assert_lt((size_t)n, sizeof(json));
	cr_assert_not_null(mct_conf = config_new());
	cr_assert_eq(config_parse(json, (size_t)n, mct_conf, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(router_init(&mct_r, mct_conf, true, err, sizeof(err)),
	    0, "%s", err);
	mct_r.now_ns = MCT_NOW;
	cr_assert_not_null(mct_g = group_find(&mct_r, &ga));
}

static void
mct_teardown(void)
{
	router_shutdown(&mct_r);
	config_free(mct_conf);
	unlink(mct_in);
	rmdir(mct_dir);
}

TestSuite(member_ctl, .init = mct_setup, .fini = mct_teardown);

/* A message from the member: key id 1, the next sequence number. */
static struct mp_msg
mct_msg(uint8_t type)
{
	struct mp_msg	 m;

	memset(&m, 0, sizeof(m));
	m.version = MP_VERSION;
	m.type = type;
	m.key_id = 1;
	m.group = mct_addr(MCT_GROUP);
	m.member = mct_addr(MCT_MEMBER);
	m.seq = ++mct_seq;
	return m;
}

/* How a message is sent, when not as a member would send it. */
struct mct_how {
	const char	*src;		/* NULL: the member's address */
	uint8_t		 hlim;		/* 0: 255 */
	const uint8_t	*key;		/* NULL: the group's key */
	size_t		 cut;		/* bytes left off the end */
	bool		 bad_load;	/* LOAD 101, then tagged: authentic */
};

/* Send body to the router as an ICMPv6 message on m1. */
static void
mct_input(const uint8_t *body, size_t len, const struct in6_addr *src,
    uint8_t hlim)
{
	struct in6_addr	 dst = mct_addr("2001:db8:72::1");
	struct iface	*ifp = mct_r.ifaces[0];
	struct pbuf	*pb;
	struct pkt	 p;
	uint8_t		*ip6;
	size_t		 ip_len;

	cr_assert_not_null(pb = pbuf_alloc());
	memcpy(pb->data, ifp->mac, 6);
	memcpy(pb->data + 6, "\x52\x54\x00\x00\x72\x10", 6);
	pb->data[12] = 0x86;
	pb->data[13] = 0xdd;
	ip6 = pb->data + ETH_HLEN_;
	memcpy(ip6 + 44, body, len);
	ip_len = icmp6_finish(ip6, src, &dst, hlim, MP_ICMP6_TYPE,
	    MP_ICMP6_CODE, len);
	pb->len = (uint32_t)(ETH_HLEN_ + ip_len);
	pb->in = ifp;
	cr_assert_eq(pkt_parse(pb->data, pb->len, &p), DROP_NONE);
	member_ctl_input(&mct_r, ifp, pb, &p);
	pbuf_free(pb);
}

static void
mct_send_how(const struct mp_msg *m, const struct mct_how *how)
{
	struct in6_addr	 src = mct_addr(how->src != NULL ? how->src :
	    MCT_MEMBER);
	const uint8_t	*key = how->key != NULL ? how->key : mct_key;
	uint8_t		 body[MP_MAX_LEN], mac_in[16 + MP_MAX_LEN];
	ssize_t		 n;

	cr_assert_gt(n = mp_encode(body, sizeof(body), &src, m, key), 0);
	if (how->bad_load) {
		/* Past the encoder, which would refuse it. */
		cr_assert_eq(m->present, MP_HAS_LOAD);
		body[MP_OFF_TLV + 2] = 101;
		memcpy(mac_in, src.s6_addr, 16);
		memcpy(mac_in + 16, body, (size_t)n - MP_TAG_LEN);
		crypto_auth_hmacsha256(body + n - MP_TAG_LEN, mac_in,
		    16 + (size_t)n - MP_TAG_LEN, key);
	}
	mct_input(body, (size_t)n - how->cut, &src,
	    how->hlim != 0 ? how->hlim : MP_HOP_LIMIT);
}

static void
mct_send(const struct mp_msg *m)
{
	static const struct mct_how plain;

	mct_send_how(m, &plain);
}

static void
mct_join(void)
{
	struct mp_msg	 m = mct_msg(MP_JOIN);

	mct_send(&m);
	cr_assert_not_null(member_find(mct_g, &m.member), "join refused");
}

/* Only reason went up, by one, among the router's failures; -1: none. */
static void
mct_failed(const uint64_t before[MP_REASON_SLOTS], int reason)
{
	for (int i = 0; i < MP_REASON_SLOTS; i++)
		cr_assert_eq(mct_r.stats.mp_fail[i], before[i] +
		    (i == reason), "reason %s: %llu, was %llu",
		    mp_reason_name(i),
		    (unsigned long long)mct_r.stats.mp_fail[i],
		    (unsigned long long)before[i]);
}

#define MCT_SNAP(a)	uint64_t a[MP_REASON_SLOTS];			\
			memcpy(a, mct_r.stats.mp_fail, sizeof(a))

Test(member_ctl, join_accepted)
{
	struct in6_addr	 u = mct_addr(MCT_MEMBER);
	struct member	*m;
	MCT_SNAP(before);

	mct_join();
	cr_assert_eq(mct_r.stats.mp_in, 1);
	cr_assert_eq(mct_r.stats.mp_out, 1, "no ACCEPT");
	cr_assert_eq(mct_g->stats.joins, 1);
	cr_assert_not_null(m = member_find(mct_g, &u));
	cr_assert_eq(m->key_id, 1);
	cr_assert_eq(m->last_seq, mct_seq);
	mct_failed(before, -1);
}

/* A JOIN with SESSIONS (a router that restarted) sets the count at once. */
Test(member_ctl, join_carries_sessions)
{
	struct mp_msg	 m = mct_msg(MP_JOIN);
	struct member	*mb;

	m.present = MP_HAS_SESSIONS;
	m.sessions = 3;
	mct_send(&m);
	cr_assert_not_null(mb = member_find(mct_g, &m.member));
	cr_assert_eq(mb->sessions, 3);
	/* Joined again with a new count: the count is the member's. */
	m = mct_msg(MP_JOIN);
	m.present = MP_HAS_SESSIONS;
	m.sessions = 5;
	mct_send(&m);
	cr_assert_eq(mb->sessions, 5);
	/* Without SESSIONS the count is kept. */
	m = mct_msg(MP_JOIN);
	mct_send(&m);
	cr_assert_eq(mb->sessions, 5);
}

/*
 * FLOW_CLAIM: from a member about nothing asked, counted and not
 * answered; from an address that is no member, REJECT not_member.  A
 * FLOW_QUERY is the router's to send: dropped without a word.
 */
Test(member_ctl, flow_claims)
{
	struct mp_msg	 m;
	uint64_t	 out;
	MCT_SNAP(s0);

	mct_join();
	out = mct_r.stats.mp_out;
	m = mct_msg(MP_FLOW_CLAIM);
	m.present = MP_HAS_FLOW;
	m.flow.client = mct_addr("2001:db8:1::10");
	m.flow.cport = 40000;
	m.flow.gport = 80;
	m.flow.proto = 6;
	mct_send(&m);
	cr_assert_eq(mct_g->stats.claims_unmatched, 1);
	cr_assert_eq(mct_g->stats.flows_recovered, 0);
	cr_assert_eq(mct_r.stats.mp_out, out, "a claim is not answered");
	mct_failed(s0, -1);

	m.type = MP_FLOW_QUERY;
	m.seq = ++mct_seq;
	mct_send(&m);
	cr_assert_eq(mct_r.stats.mp_out, out, "a query is not answered");

	m.type = MP_FLOW_CLAIM;
	m.member = mct_addr("2001:db8:72::11");
	m.seq = ++mct_seq;
	mct_send_how(&m, &(struct mct_how){ .src = "2001:db8:72::11" });
	mct_failed(s0, MP_REASON_NOT_MEMBER);
	cr_assert_eq(mct_r.stats.mp_out, out + 1, "REJECT not_member");
	cr_assert_eq(mct_g->stats.claims_unmatched, 1);
}

/* Each step of the receiver drops what it is for, counted as it says. */
Test(member_ctl, drops_by_step)
{
	static const uint8_t other_key[MP_KEY_LEN] = { 1 };
	struct mp_msg	 m;
	MCT_SNAP(s0);

	/* 1. length: a message cut short */
	m = mct_msg(MP_JOIN);
	mct_send_how(&m, &(struct mct_how){ .cut = 1 });
	mct_failed(s0, MP_REASON_MALFORMED);
	/* 2. hop limit */
	MCT_SNAP(s1);
	m = mct_msg(MP_JOIN);
	mct_send_how(&m, &(struct mct_how){ .hlim = 64 });
	mct_failed(s1, MP_REASON_NOT_ON_LINK);
	cr_assert_eq(mct_r.stats.mp_out, 0, "answered a bad frame");
	/* 4. key: an id the group does not have, answered */
	MCT_SNAP(s2);
	m = mct_msg(MP_JOIN);
	m.key_id = 2;
	mct_send(&m);
	mct_failed(s2, MP_REASON_UNKNOWN_KEY);
	cr_assert_eq(mct_g->stats.auth_fail[MP_REASON_UNKNOWN_KEY], 1);
	cr_assert_eq(mct_g->stats.rejects, 1);
	cr_assert_eq(mct_r.stats.mp_out, 1);
	/* 5. tag: the right id, another key */
	MCT_SNAP(s3);
	m = mct_msg(MP_JOIN);
	mct_send_how(&m, &(struct mct_how){ .key = other_key });
	mct_failed(s3, MP_REASON_BAD_TAG);
	cr_assert_eq(mct_g->stats.auth_fail[MP_REASON_BAD_TAG], 1);
	cr_assert_eq(mct_r.stats.mp_out, 2);
	cr_assert_null(member_find(mct_g, &m.member));
	cr_assert_eq(mct_r.stats.mp_in, 4);
}

Test(member_ctl, unknown_group_answered)
{
	struct mp_msg	 m = mct_msg(MP_JOIN);
	MCT_SNAP(before);

	m.group = mct_addr("2001:db8:7a::81");
	mct_send(&m);
	mct_failed(before, MP_REASON_UNKNOWN_GROUP);
	cr_assert_eq(mct_r.stats.mp_out, 1);
	cr_assert_eq(mct_g->stats.rejects, 0);
}

/* 3. rate limit: per source, before the key is even looked at. */
Test(member_ctl, rate_limited_per_source)
{
	struct mp_msg	 m;

	for (int i = 0; i < MCT_RATE; i++) {
		m = mct_msg(MP_REPORT);
		mct_send(&m);		/* not a member: NOT_MEMBER */
	}
	cr_assert_eq(mct_r.stats.mp_fail[MP_REASON_NOT_MEMBER], MCT_RATE);
	MCT_SNAP(before);
	m = mct_msg(MP_JOIN);
	m.key_id = 9;
	mct_send(&m);
	mct_failed(before, MP_REASON_RATE_LIMITED);
	cr_assert_eq(mct_g->stats.auth_fail[MP_REASON_RATE_LIMITED], 1);
	cr_assert_eq(mct_r.stats.mp_out, MCT_RATE, "answered over the limit");
	/* Another source has its own budget. */
	MCT_SNAP(again);
	m = mct_msg(MP_JOIN);
	mct_send_how(&m, &(struct mct_how){ .src = "fe80::72:10" });
	cr_assert_not_null(member_find(mct_g, &m.member));
	mct_failed(again, -1);
}

/* 6. sequence numbers: strictly increasing, fresh, never answered. */
Test(member_ctl, replays_counted_not_answered)
{
	struct mp_msg	 m, stale;
	uint64_t	 out;

	mct_join();
	out = mct_r.stats.mp_out;
	m = mct_msg(MP_REPORT);
	mct_send(&m);
	cr_assert_eq(member_find(mct_g, &m.member)->stats.reports, 1);
	MCT_SNAP(before);
	mct_send(&m);				/* the same again */
	mct_failed(before, MP_REASON_REPLAY);
	stale = mct_msg(MP_REPORT);
	stale.seq = MCT_NOW - 301ull * 1000000000ull;	/* out of window */
	mct_send(&stale);
	cr_assert_eq(mct_r.stats.mp_fail[MP_REASON_REPLAY], 2);
	cr_assert_eq(mct_g->stats.auth_fail[MP_REASON_REPLAY], 2);
	cr_assert_eq(mct_r.stats.mp_out, out, "a replay was answered");
	cr_assert_eq(member_find(mct_g, &m.member)->stats.reports, 1);
}

/* A LEAVE's sequence number outlives the member. */
Test(member_ctl, leave_then_replayed_join)
{
	struct mp_msg	 join = mct_msg(MP_JOIN), leave;

	mct_send(&join);
	leave = mct_msg(MP_LEAVE);
	mct_send(&leave);
	cr_assert_null(member_find(mct_g, &join.member));
	cr_assert_eq(mct_g->stats.leaves, 1);
	cr_assert_eq(mct_r.stats.mp_out, 2, "no LEAVE_ACK");
	MCT_SNAP(before);
	mct_send(&join);
	mct_failed(before, MP_REASON_REPLAY);
	cr_assert_null(member_find(mct_g, &join.member));
	/* A LEAVE from one not in the group is acknowledged all the same. */
	leave = mct_msg(MP_LEAVE);
	mct_send(&leave);
	cr_assert_eq(mct_r.stats.mp_out, 3);
	cr_assert_eq(mct_g->stats.leaves, 1);
}

/*
 * A router started again (same configuration) at wall time at_ns: it
 * knows no member and no sequence number.
 */
static void
mct_restart(uint64_t at_ns)
{
	struct in6_addr	 ga = mct_addr(MCT_GROUP);
	char		 err[256];

	router_shutdown(&mct_r);
	memset(&mct_r, 0, sizeof(mct_r));
	cr_assert_eq(router_init(&mct_r, mct_conf, true, err, sizeof(err)),
	    0, "%s", err);
	/* Fixture mode: the first frame's time is the start. */
	mct_r.now_ns = mct_r.start_ns = at_ns;
	cr_assert_not_null(mct_g = group_find(&mct_r, &ga));
}

/* Encode m as the member would, into body; its length. */
static size_t
mct_encode(const struct mp_msg *m, uint8_t body[MP_MAX_LEN])
{
	struct in6_addr	 src = mct_addr(MCT_MEMBER);
	ssize_t		 n;

	cr_assert_gt(n = mp_encode(body, MP_MAX_LEN, &src, m, mct_key), 0);
	return (size_t)n;
}

/*
 * Messages captured before a restart and replayed after it, well inside
 * the freshness window: counted as replays, never answered, and the
 * member is not brought back.  The member's own JOIN, made after the
 * restart, is accepted at once.
 */
Test(member_ctl, replay_after_restart)
{
	struct in6_addr	 src = mct_addr(MCT_MEMBER);
	struct mp_msg	 join = mct_msg(MP_JOIN), report = mct_msg(MP_REPORT);
	uint8_t		 jb[MP_MAX_LEN], rb[MP_MAX_LEN];
	size_t		 jn = mct_encode(&join, jb), rn = mct_encode(&report, rb);

	mct_input(jb, jn, &src, MP_HOP_LIMIT);
	mct_input(rb, rn, &src, MP_HOP_LIMIT);
	cr_assert_not_null(member_find(mct_g, &join.member));
	cr_assert_eq(mct_r.stats.mp_out, 1, "no ACCEPT");

	mct_restart(mct_seq + 2000000000ull);	/* 2 s later */
	cr_assert_null(member_find(mct_g, &join.member));
	MCT_SNAP(before);
	mct_input(jb, jn, &src, MP_HOP_LIMIT);
	mct_failed(before, MP_REASON_REPLAY);
	cr_assert_null(member_find(mct_g, &join.member), "replayed JOIN taken");
	mct_input(rb, rn, &src, MP_HOP_LIMIT);
	cr_assert_eq(mct_r.stats.mp_fail[MP_REASON_REPLAY], 2);
	cr_assert_eq(mct_g->stats.auth_fail[MP_REASON_REPLAY], 2);
	cr_assert_eq(mct_r.stats.mp_out, 0, "a replay was answered");

	/* The member joins again: a sequence number from after the start. */
	mct_seq = mct_r.start_ns;
	mct_join();
	cr_assert_eq(mct_r.stats.mp_out, 1, "no ACCEPT after the restart");
	cr_assert_eq(mct_r.stats.mp_fail[MP_REASON_REPLAY], 2);
}

/* The tag before the sequence number: a forgery cannot use one up. */
Test(member_ctl, tag_checked_before_sequence)
{
	static const uint8_t other_key[MP_KEY_LEN] = { 1 };
	struct in6_addr	 u = mct_addr(MCT_MEMBER);
	struct mp_msg	 m;
	uint64_t	 last;
	MCT_SNAP(before);

	mct_join();
	last = member_find(mct_g, &u)->last_seq;
	m = mct_msg(MP_REPORT);
	m.seq = last;				/* a replay, and forged */
	mct_send_how(&m, &(struct mct_how){ .key = other_key });
	mct_failed(before, MP_REASON_BAD_TAG);
	m = mct_msg(MP_REPORT);			/* a forgery from the future */
	m.seq = last + 1000;
	mct_send_how(&m, &(struct mct_how){ .key = other_key });
	cr_assert_eq(member_find(mct_g, &u)->last_seq, last);
}

/* 7. the body only after all that: authentic but malformed. */
Test(member_ctl, malformed_body_answered)
{
	struct mp_msg	 m;
	uint64_t	 out;

	mct_join();
	out = mct_r.stats.mp_out;
	m = mct_msg(MP_REPORT);
	m.present = MP_HAS_LOAD;
	m.load = 50;
	MCT_SNAP(before);
	mct_send_how(&m, &(struct mct_how){ .bad_load = true });
	mct_failed(before, MP_REASON_MALFORMED);
	cr_assert_eq(mct_r.stats.mp_out, out + 1, "no REJECT");
	cr_assert_eq(member_find(mct_g, &m.member)->load_pct, 0);
	/* Its sequence number was used up all the same. */
	cr_assert_eq(member_find(mct_g, &m.member)->last_seq, m.seq);
}

/* Dispatch by type. */
Test(member_ctl, reports_and_sessions_update_the_member)
{
	struct mp_msg	 m;
	struct member	*mb;

	mct_join();
	m = mct_msg(MP_REPORT);
	mb = member_find(mct_g, &m.member);
	m.present = MP_HAS_LOAD | MP_HAS_SESSIONS;
	m.load = 42;
	m.sessions = 7;
	mct_send(&m);
	cr_assert_eq(mb->load_pct, 42);
	cr_assert_eq(mb->sessions, 7);
	cr_assert_eq(mb->stats.reports, 1);
	m = mct_msg(MP_SESSION);
	m.present = MP_HAS_SESSION_OP;
	m.session_op = MP_SESSION_START;
	mct_send(&m);
	cr_assert_eq(mb->sessions, 8);
	cr_assert_eq(mb->stats.session_msgs, 1);
	cr_assert_eq(mb->stats.reports, 1);
}

Test(member_ctl, join_from_off_link_refused)
{
	struct mp_msg	 m = mct_msg(MP_JOIN);
	MCT_SNAP(before);

	m.member = mct_addr("2001:db8:99::10");
	mct_send_how(&m, &(struct mct_how){ .src = "2001:db8:99::10" });
	mct_failed(before, MP_REASON_NOT_ON_LINK);
	cr_assert_null(member_find(mct_g, &m.member));
	cr_assert_eq(mct_g->stats.rejects, 1);
	cr_assert_eq(mct_r.stats.mp_out, 1);
}

/* Types the router does not take are dropped after the rate limit. */
Test(member_ctl, member_side_types_ignored)
{
	static const uint8_t types[] = { MP_ACCEPT, MP_LEAVE_ACK };
	struct mp_msg	 m;
	MCT_SNAP(before);

	for (size_t i = 0; i < sizeof(types); i++) {
		m = mct_msg(types[i]);
		if (types[i] == MP_ACCEPT) {
			m.present = MP_HAS_HOLD_TIME | MP_HAS_INTERVAL;
			m.hold_time = 3;
			m.interval = 1000;
		}
		mct_send(&m);
	}
	mct_failed(before, -1);
	cr_assert_eq(mct_r.stats.mp_in, sizeof(types));
	cr_assert_eq(mct_r.stats.mp_out, 0);
}

/* Two messages in one pass of the loop (one clock reading) still differ. */
Test(member_ctl, sequence_numbers_strictly_increase)
{
	uint64_t	 a, b, c;

	a = member_ctl_next_seq(&mct_r);
	b = member_ctl_next_seq(&mct_r);
	c = member_ctl_next_seq(&mct_r);
	cr_assert_eq(a, MCT_NOW, "the wall clock, %llu",
	    (unsigned long long)a);
	cr_assert_eq(b, a + 1);
	cr_assert_eq(c, b + 1);
	mct_r.now_ns += 1000000000ull;
	cr_assert_eq(member_ctl_next_seq(&mct_r), MCT_NOW + 1000000000ull,
	    "the clock again once it has moved past");
	/* An ACCEPT and a LEAVE_ACK in one pass. */
	mct_join();
	a = mct_r.mp_seq_out;
	{
		struct mp_msg	 m = mct_msg(MP_LEAVE);

		mct_send(&m);
	}
	cr_assert_eq(mct_r.stats.mp_out, 2);
	cr_assert_gt(mct_r.mp_seq_out, a);
}

/* The member is held to the interval ACCEPT grants, not the one it asked. */
Test(member_ctl, granted_interval_kept)
{
	struct in6_addr	 u = mct_addr(MCT_MEMBER);
	struct mp_msg	 m = mct_msg(MP_JOIN);
	struct member	*mb;

	m.interval = 200;
	m.hold_time = 1;
	m.present = MP_HAS_INTERVAL | MP_HAS_HOLD_TIME;
	mct_send(&m);
	cr_assert_not_null(mb = member_find(mct_g, &u));
	cr_assert_neq(mct_g->conf.report_ms, 200);
	cr_assert_eq(mb->report_ms, mct_g->conf.report_ms);
}
