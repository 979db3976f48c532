/*
 * The anycast flow table on a virtual clock: keys and reverse keys,
 * the TCP state machine, idle timeouts, second-chance eviction, release
 * callbacks, session accounting (a closed connection stops counting at
 * once, and every way out of the table ends a session exactly once),
 * flushes, paged walks, hash quality, and a long random run against a
 * naive reference model.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "flow.h"
#include "flow_test.h"

#define ICMP6	58
#define FIN	FLOW_TCP_FIN
#define RST	FLOW_TCP_RST
#define PSH	0x08

static void
addr(struct in6_addr *a, uint16_t net, uint32_t host)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[0] = 0x20;
	a->s6_addr[1] = 0x01;
	a->s6_addr[2] = 0x0d;
	a->s6_addr[3] = 0xb8;
	a->s6_addr[4] = (uint8_t)(net >> 8);
	a->s6_addr[5] = (uint8_t)net;
	a->s6_addr[12] = (uint8_t)(host >> 24);
	a->s6_addr[13] = (uint8_t)(host >> 16);
	a->s6_addr[14] = (uint8_t)(host >> 8);
	a->s6_addr[15] = (uint8_t)host;
}

/* Client c of group g, ports and protocol as given. */
static void
mkkey(struct flow_key *k, uint32_t c, uint32_t g, uint16_t cport,
    uint16_t gport, uint8_t proto)
{
	struct in6_addr	 src, dst;

	addr(&src, 1, c);
	addr(&dst, 0xa, g);
	flow_key_set(k, &src, &dst, cport, gport, proto);
}

/* Release callback that counts calls per member id. */
struct released {
	unsigned int	 calls;
	unsigned int	 per_member[64];
	uint32_t	 last_member;
};

static void
count_release(struct flow *f, void *arg)
{
	struct released	*r = arg;

	r->calls++;
	if (f->member < 64)
		r->per_member[f->member]++;
	r->last_member = f->member;
}

/*
 * Session callback keeping a count per member id, as the router does;
 * a session ended twice (a count going below 0) fails at once.
 */
struct sessions {
	int		 per_member[64];
	unsigned int	 starts, ends;
};

static void
count_session(const struct flow *f, int delta, void *arg)
{
	struct sessions	*s = arg;

	cr_assert(delta == 1 || delta == -1, "delta %d", delta);
	cr_assert_lt(f->member, 64);
	if (delta > 0) {
		s->starts++;
		s->per_member[f->member]++;
	} else {
		cr_assert_gt(s->per_member[f->member], 0,
		    "member %u: a session ended twice", f->member);
		s->ends++;
		s->per_member[f->member]--;
	}
}

static const struct flow_timeouts distinct_to = {
	.syn_ms = 1000, .established_ms = 2000, .fin_ms = 3000,
	.udp_ms = 4000, .other_ms = 5000, .closed_ms = 600,
};

Test(flow, insert_lookup)
{
	struct flow_table	*t = flow_table_new(16, NULL);
	struct flow_key		 k1, k2;
	struct flow		*f;

	mkkey(&k1, 1, 1, 40000, 80, TCP);
	mkkey(&k2, 2, 1, 40000, 80, TCP);
	cr_assert_null(flow_lookup(t, &k1, 0));
	f = flow_insert(t, &k1, 7, 3, 100);
	cr_assert_not_null(f);
	cr_assert_eq(f->group_id, 7);
	cr_assert_eq(f->member, 3);
	cr_assert_eq(f->state, FLOW_NEW);
	cr_assert_eq(f->created_ns, 100);
	cr_assert_eq(f->last_ns, 100);
	cr_assert(flow_key_equal(&f->key, &k1));
	cr_assert_eq(flow_lookup(t, &k1, 200), f);
	cr_assert_null(flow_lookup(t, &k2, 200));
	cr_assert_eq(flow_count(t), 1);
	cr_assert_eq(flow_stats(t)->inserted, 1);
	cr_assert_eq(flow_capacity(t), 16);
	flow_table_free(t);
}

/* Keys differing in any one field are different flows. */
Test(flow, every_key_field_counts)
{
	struct flow_table	*t = flow_table_new(16, NULL);
	struct flow_key		 k[6];
	struct flow		*f[6];

	mkkey(&k[0], 1, 1, 1000, 53, UDP);
	mkkey(&k[1], 2, 1, 1000, 53, UDP);
	mkkey(&k[2], 1, 2, 1000, 53, UDP);
	mkkey(&k[3], 1, 1, 1001, 53, UDP);
	mkkey(&k[4], 1, 1, 1000, 54, UDP);
	mkkey(&k[5], 1, 1, 1000, 53, TCP);
	for (int i = 0; i < 6; i++)
		f[i] = flow_insert(t, &k[i], 0, (uint32_t)i, 0);
	cr_assert_eq(flow_count(t), 6);
	for (int i = 0; i < 6; i++) {
		cr_assert_eq(flow_lookup(t, &k[i], 0), f[i]);
		cr_assert_eq(f[i]->member, (uint32_t)i);
		for (int j = 0; j < 6; j++)
			cr_assert_eq(flow_key_equal(&k[i], &k[j]), i == j);
	}
	flow_table_free(t);
}

/* Padding bytes in a caller's key never matter. */
Test(flow, key_padding_ignored)
{
	struct flow_table	*t = flow_table_new(4, NULL);
	struct flow_key		 a, b;
	struct flow		*f;

	memset(&a, 0x00, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	addr(&a.client, 1, 9);
	addr(&a.group, 0xa, 1);
	a.cport = 5;
	a.gport = 6;
	a.proto = UDP;
	b.client = a.client;
	b.group = a.group;
	b.cport = 5;
	b.gport = 6;
	b.proto = UDP;
	b.tag = 0;
	cr_assert_eq(flow_hash(&a), flow_hash(&b));
	f = flow_insert(t, &a, 0, 1, 0);
	cr_assert_eq(flow_lookup(t, &b, 0), f);
	flow_table_free(t);
}

/* Datagrams of one socket told apart by their tag are flows apart. */
Test(flow, tag_separates)
{
	struct flow_table	*t = flow_table_new(4, NULL);
	struct flow_key		 a, b;
	struct flow		*f, *g;

	memset(&a, 0, sizeof(a));
	addr(&a.client, 1, 9);
	addr(&a.group, 0xa, 1);
	a.cport = 5;
	a.gport = 53;
	a.proto = UDP;
	b = a;
	a.tag = FLOW_TAG_DATAGRAM | 0x1234;
	b.tag = FLOW_TAG_DATAGRAM | 0x1235;
	cr_assert_neq(flow_hash(&a), flow_hash(&b));
	f = flow_insert(t, &a, 0, 1, 0);
	g = flow_insert(t, &b, 0, 2, 0);
	cr_assert_neq(f, g);
	cr_assert_eq(flow_lookup(t, &a, 0)->member, 1);
	cr_assert_eq(flow_lookup(t, &b, 0)->member, 2);
	b.tag = 0;
	cr_assert_null(flow_lookup(t, &b, 0));
	flow_table_free(t);
}

Test(flow, reverse_lookup)
{
	struct flow_table	*t = flow_table_new(8, NULL);
	struct in6_addr		 client, group;
	struct flow_key		 fwd, rev;
	struct flow		*f;

	addr(&client, 1, 0x1234);
	addr(&group, 0xa, 1);
	/* TCP: client port 40001 -> group port 443, reply swapped. */
	flow_key_set(&fwd, &client, &group, 40001, 443, TCP);
	flow_key_reverse(&rev, &group, &client, 443, 40001, TCP);
	cr_assert(flow_key_equal(&fwd, &rev));
	cr_assert_eq(flow_hash(&fwd), flow_hash(&rev));
	f = flow_insert(t, &fwd, 1, 2, 0);
	cr_assert_eq(flow_lookup(t, &rev, 1), f);

	/* A reply from another port is another flow. */
	flow_key_reverse(&rev, &group, &client, 444, 40001, TCP);
	cr_assert_null(flow_lookup(t, &rev, 1));

	/* ICMPv6 echo: identifier 77. */
	flow_key_set(&fwd, &client, &group, 77, 0, ICMP6);
	flow_key_reverse(&rev, &group, &client, 0, 77, ICMP6);
	f = flow_insert(t, &fwd, 1, 3, 0);
	cr_assert_eq(f->state, FLOW_UDP);
	cr_assert_eq(flow_lookup(t, &rev, 1), f);
	cr_assert_eq(f->member, 3);
	flow_table_free(t);
}

struct tcp_step {
	int		 dir;
	uint8_t		 flags;
	enum flow_tcp_state want;
	uint8_t		 fin_seen;
};

static void
run_steps(const char *name, uint8_t proto, const struct tcp_step *s,
    size_t n)
{
	struct flow_table	*t = flow_table_new(4, NULL);
	struct flow_key		 k;
	struct flow		*f;
	struct sessions		 ss = { 0 };
	uint64_t		 pin = 0, pout = 0, bin = 0, bout = 0;

	flow_set_session_cb(t, count_session, &ss);
	mkkey(&k, 1, 1, 50000, 80, proto);
	f = flow_insert(t, &k, 0, 0, 0);
	cr_assert_eq(ss.per_member[0], 1, "%s: a new flow is a session", name);
	for (size_t i = 0; i < n; i++) {
		uint32_t len = 60 + (uint32_t)i;

		flow_update(t, f, s[i].dir, s[i].flags, len, (i + 1) * MS);
		if (s[i].dir == 0) {
			pin++;
			bin += len;
		} else {
			pout++;
			bout += len;
		}
		cr_assert_eq(f->state, s[i].want,
		    "%s: step %zu: state %s, want %s", name, i,
		    flow_state_name(f->state), flow_state_name(s[i].want));
		cr_assert_eq(f->fin_seen, s[i].fin_seen,
		    "%s: step %zu: fin_seen %u, want %u", name, i,
		    f->fin_seen, s[i].fin_seen);
		cr_assert_eq(f->last_ns, (i + 1) * MS);
		/* Service end is the close itself, not the entry's expiry. */
		cr_assert_eq(ss.per_member[0], f->state == FLOW_CLOSED ? 0 : 1,
		    "%s: step %zu: %d sessions in state %s", name, i,
		    ss.per_member[0], flow_state_name(f->state));
		cr_assert_eq(flow_is_session(f), f->state != FLOW_CLOSED);
	}
	cr_assert_eq(f->packets_in, pin, "%s", name);
	cr_assert_eq(f->packets_out, pout, "%s", name);
	cr_assert_eq(f->bytes_in, bin, "%s", name);
	cr_assert_eq(f->bytes_out, bout, "%s", name);
	/* Released, closed or not: no session left, none ended twice. */
	flow_remove(t, f);
	cr_assert_eq(ss.per_member[0], 0, "%s: sessions after removal", name);
	cr_assert_eq(ss.starts, ss.ends, "%s", name);
	flow_table_free(t);
}

#define STEPS(name, proto, ...) do {					\
	const struct tcp_step steps[] = { __VA_ARGS__ };		\
	run_steps(name, proto, steps, sizeof(steps) / sizeof(steps[0]));\
} while (0)

Test(flow, tcp_states)
{
	STEPS("client closes", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 },
	    { 0, ACK, FLOW_ESTABLISHED, 0 },
	    { 0, ACK | PSH, FLOW_ESTABLISHED, 0 },
	    { 1, ACK, FLOW_ESTABLISHED, 0 },
	    { 0, FIN | ACK, FLOW_FIN, 1 },
	    { 1, ACK, FLOW_FIN, 1 },
	    { 1, ACK | PSH, FLOW_FIN, 1 },	/* half-closed, data flows */
	    { 1, FIN | ACK, FLOW_FIN, 3 },
	    { 0, ACK, FLOW_CLOSED, 3 });
	STEPS("member closes with FIN+ACK", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 },
	    { 1, FIN | ACK, FLOW_FIN, 2 },
	    { 0, FIN | ACK, FLOW_FIN, 3 },
	    { 1, ACK, FLOW_CLOSED, 3 },
	    { 0, ACK, FLOW_CLOSED, 3 });
	STEPS("RST when established", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 },
	    { 0, ACK, FLOW_ESTABLISHED, 0 },
	    { 1, RST, FLOW_CLOSED, 0 },
	    { 0, ACK, FLOW_CLOSED, 0 },
	    { 1, FIN | ACK, FLOW_CLOSED, 0 });
	STEPS("refused", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, RST | ACK, FLOW_CLOSED, 0 });
	STEPS("RST during close", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 },
	    { 0, FIN | ACK, FLOW_FIN, 1 },
	    { 0, RST, FLOW_CLOSED, 1 });
	STEPS("replies not seen: the client's ACK establishes", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 0, SYN, FLOW_SYN, 0 },
	    { 0, ACK, FLOW_ESTABLISHED, 0 });
	STEPS("picked up mid-stream", TCP,
	    { 0, 0, FLOW_NEW, 0 },
	    { 0, ACK | PSH, FLOW_ESTABLISHED, 0 });
	STEPS("SYN when established is ignored", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 },
	    { 0, SYN, FLOW_ESTABLISHED, 0 });
	STEPS("FIN before any handshake", TCP,
	    { 0, FIN | ACK, FLOW_FIN, 1 },
	    { 1, FIN | ACK, FLOW_FIN, 3 },
	    { 0, ACK, FLOW_CLOSED, 3 });
	STEPS("new connection on the same ports", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 },
	    { 0, FIN | ACK, FLOW_FIN, 1 },
	    { 1, FIN | ACK, FLOW_FIN, 3 },
	    { 0, ACK, FLOW_CLOSED, 3 },
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 });
	STEPS("RST repeated, then stragglers", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 },
	    { 0, RST, FLOW_CLOSED, 0 },
	    { 1, RST | ACK, FLOW_CLOSED, 0 },
	    { 0, RST, FLOW_CLOSED, 0 },
	    { 1, ACK, FLOW_CLOSED, 0 });
	STEPS("RST after the last ACK", TCP,
	    { 0, SYN, FLOW_SYN, 0 },
	    { 1, SYN | ACK, FLOW_ESTABLISHED, 0 },
	    { 1, FIN | ACK, FLOW_FIN, 2 },
	    { 0, FIN | ACK, FLOW_FIN, 3 },
	    { 1, ACK, FLOW_CLOSED, 3 },
	    { 0, RST, FLOW_CLOSED, 3 },
	    { 1, ACK, FLOW_CLOSED, 3 });
	STEPS("UDP ignores flags", UDP,
	    { 0, SYN, FLOW_UDP, 0 },
	    { 1, FIN, FLOW_UDP, 0 },
	    { 0, RST, FLOW_UDP, 0 });
	STEPS("ICMPv6 ignores flags", ICMP6,
	    { 0, 0, FLOW_UDP, 0 },
	    { 1, SYN | FIN, FLOW_UDP, 0 });
}

/* The routing-header marks belong to one connection. */
Test(flow, restart_clears_rh_marks)
{
	struct flow_table	*t = flow_table_new(4, NULL);
	struct flow_key		 k;
	struct flow		*f;

	mkkey(&k, 1, 1, 50000, 80, TCP);
	f = flow_insert(t, &k, 0, 0, 0);
	flow_update(t, f, 0, SYN, 60, 1);
	f->rh_to_member_done = f->rh_to_client_done = true;
	flow_update(t, f, 1, SYN | ACK, 60, 2);
	flow_update(t, f, 0, ACK, 60, 3);
	cr_assert(f->rh_to_member_done && f->rh_to_client_done);
	flow_update(t, f, 1, RST, 60, 4);
	cr_assert(f->rh_to_member_done && f->rh_to_client_done);
	flow_update(t, f, 0, SYN, 60, 5);
	cr_assert_eq(f->state, FLOW_SYN);
	cr_assert(!f->rh_to_member_done && !f->rh_to_client_done);
	flow_table_free(t);
}

/*
 * Paper 1's "service end": a connection closed by FINs both ways and
 * the last ACK, or by a RST, stops counting as a session at that
 * packet, although its entry stays closed_ms for stragglers; its later
 * expiry ends nothing more.
 */
Test(flow, session_ends_when_closed)
{
	struct flow_table	*t = flow_table_new(8, &distinct_to);
	struct flow_key		 k1, k2, k3;
	struct flow		*f1, *f2, *f3;
	struct sessions		 ss = { 0 };

	flow_set_session_cb(t, count_session, &ss);
	mkkey(&k1, 1, 1, 50001, 80, TCP);
	mkkey(&k2, 2, 1, 50002, 80, TCP);
	mkkey(&k3, 3, 1, 50003, 80, TCP);
	f1 = flow_insert(t, &k1, 0, 7, 0);
	f2 = flow_insert(t, &k2, 0, 7, 0);
	f3 = flow_insert(t, &k3, 0, 7, 0);
	cr_assert_eq(ss.per_member[7], 3);
	for (int i = 0; i < 3; i++) {
		struct flow *f = i == 0 ? f1 : i == 1 ? f2 : f3;

		flow_update(t, f, 0, SYN, 60, 1 * MS);
		flow_update(t, f, 1, SYN | ACK, 60, 2 * MS);
		flow_update(t, f, 0, ACK, 60, 3 * MS);
	}
	cr_assert_eq(ss.per_member[7], 3);

	/* f1: the member closes, the client closes, the last ACK. */
	flow_update(t, f1, 1, FIN | ACK, 60, 10 * MS);
	cr_assert_eq(ss.per_member[7], 3, "half closed is still a session");
	flow_update(t, f1, 0, FIN | ACK, 60, 11 * MS);
	cr_assert_eq(ss.per_member[7], 3, "both FINs, no last ACK yet");
	flow_update(t, f1, 1, ACK, 60, 12 * MS);
	cr_assert_eq(f1->state, FLOW_CLOSED);
	cr_assert_eq(ss.per_member[7], 2, "closed by FIN, FIN, ACK");

	/* f2: reset by the member. */
	flow_update(t, f2, 1, RST | ACK, 60, 12 * MS);
	cr_assert_eq(ss.per_member[7], 1, "closed by RST");

	/* Stragglers still find both closed flows, and change nothing. */
	cr_assert_eq(flow_lookup(t, &k1, 13 * MS), f1);
	cr_assert_eq(flow_lookup(t, &k2, 13 * MS), f2);
	flow_update(t, f1, 0, ACK, 60, 13 * MS);
	flow_update(t, f1, 1, FIN | ACK, 60, 13 * MS);
	flow_update(t, f2, 0, RST, 60, 13 * MS);
	cr_assert_eq(ss.per_member[7], 1);
	cr_assert_eq(ss.ends, 2);

	/* The closed entries expire (600 ms) without ending anything. */
	cr_assert_eq(flow_expire(t, 614 * MS, 100), 2);
	cr_assert_eq(flow_count(t), 1);
	cr_assert_eq(ss.per_member[7], 1);
	cr_assert_eq(ss.ends, 2);

	/* f3, still open, ends when it expires (2000 ms established). */
	cr_assert_eq(flow_expire(t, 2004 * MS, 100), 1);
	cr_assert_eq(ss.per_member[7], 0);
	cr_assert_eq(ss.starts, 3);
	cr_assert_eq(ss.ends, 3);
	flow_table_free(t);
}

/* A SYN on the ports of a closed flow is a new session, ended once. */
Test(flow, session_restarts_on_same_ports)
{
	struct flow_table	*t = flow_table_new(4, &distinct_to);
	struct flow_key		 k;
	struct flow		*f;
	struct sessions		 ss = { 0 };

	flow_set_session_cb(t, count_session, &ss);
	mkkey(&k, 1, 1, 50000, 80, TCP);
	f = flow_insert(t, &k, 0, 3, 0);
	flow_update(t, f, 0, SYN, 60, 1);
	flow_update(t, f, 1, RST | ACK, 60, 2);
	cr_assert_eq(ss.per_member[3], 0);
	flow_update(t, f, 0, SYN, 60, 3);
	cr_assert_eq(f->state, FLOW_SYN);
	cr_assert_eq(ss.per_member[3], 1);
	flow_update(t, f, 1, SYN | ACK, 60, 4);
	flow_update(t, f, 0, RST, 60, 5);
	cr_assert_eq(ss.per_member[3], 0);
	flow_update(t, f, 0, SYN, 60, 6);
	cr_assert_eq(ss.per_member[3], 1);
	flow_remove(t, f);
	cr_assert_eq(ss.per_member[3], 0);
	cr_assert_eq(ss.starts, 3);
	cr_assert_eq(ss.ends, 3);
	flow_table_free(t);
}

/*
 * Whichever way flows leave the table (expiry seen by a lookup or by
 * the sweep, eviction, removal, flush of a group or of a member,
 * replacement by an insert), an open one ends its session there and a
 * closed one, already ended, ends nothing: the count returns to 0 and
 * never goes below it.
 */
enum release_path { RP_LOOKUP, RP_EXPIRE, RP_EVICT, RP_REMOVE, RP_FLUSH,
	RP_FLUSH_ALL, RP_FLUSH_MEMBER, RP_REPLACE, RP_MAX };

static const char *const release_path_names[RP_MAX] = {
	"lookup", "expire", "evict", "remove", "flush", "flush all",
	"flush member", "replace",
};

Test(flow, session_ends_once_on_every_release)
{
	for (int path = 0; path < RP_MAX; path++) {
		for (int closed = 0; closed < 2; closed++) {
			const char		*name = release_path_names[path];
			struct flow_table	*t;
			struct flow_key		 k, k2;
			struct flow		*f;
			struct sessions		 ss = { 0 };
			uint64_t		 late = 10 * SEC;

			t = flow_table_new(1, &distinct_to);
			flow_set_session_cb(t, count_session, &ss);
			mkkey(&k, 1, 1, 50000, 80, TCP);
			mkkey(&k2, 2, 1, 50000, 80, TCP);
			f = flow_insert(t, &k, 4, 9, 0);
			flow_update(t, f, 0, SYN, 60, 0);
			flow_update(t, f, 1, SYN | ACK, 60, 0);
			if (closed)
				flow_update(t, f, 1, RST, 60, 0);
			cr_assert_eq(ss.per_member[9], closed ? 0 : 1, "%s",
			    name);
			switch (path) {
			case RP_LOOKUP:
				cr_assert_null(flow_lookup(t, &k, late));
				break;
			case RP_EXPIRE:
				cr_assert_eq(flow_expire(t, late, 10), 1);
				break;
			case RP_EVICT:	/* capacity 1: k2 takes k's place */
				cr_assert_not_null(flow_insert(t, &k2, 4, 8,
				    0));
				cr_assert_eq(flow_stats(t)->evicted, 1);
				break;
			case RP_REMOVE:
				flow_remove(t, f);
				break;
			case RP_FLUSH:
				flow_flush(t, 4);
				break;
			case RP_FLUSH_ALL:
				flow_flush(t, UINT32_MAX);
				break;
			case RP_FLUSH_MEMBER:
				cr_assert_eq(flow_flush_member(t, 4, 9), 1);
				break;
			case RP_REPLACE:	/* same key, other member */
				cr_assert_not_null(flow_insert(t, &k, 4, 8,
				    0));
				cr_assert_eq(flow_stats(t)->removed, 1);
				break;
			}
			cr_assert_eq(ss.per_member[9], 0,
			    "%s, %s: %d sessions left", name,
			    closed ? "closed" : "open", ss.per_member[9]);
			cr_assert_eq(ss.ends, 1, "%s, %s: %u ends", name,
			    closed ? "closed" : "open", ss.ends);
			/* The flow that took its place is a session. */
			cr_assert_eq(ss.per_member[8],
			    path == RP_EVICT || path == RP_REPLACE ? 1 : 0);
			flow_flush(t, UINT32_MAX);
			cr_assert_eq(ss.per_member[8], 0);
			cr_assert_eq(ss.starts, ss.ends);
			flow_table_free(t);
		}
	}
}

/* Datagram flows have no close: they are sessions until they go. */
Test(flow, session_datagram_until_released)
{
	struct flow_table	*t = flow_table_new(4, &distinct_to);
	struct flow_key		 k;
	struct flow		*f;
	struct sessions		 ss = { 0 };

	flow_set_session_cb(t, count_session, &ss);
	mkkey(&k, 1, 1, 5353, 53, UDP);
	f = flow_insert(t, &k, 0, 2, 0);
	flow_update(t, f, 0, RST | FIN, 60, 1);
	flow_update(t, f, 1, FIN | ACK, 60, 2);
	cr_assert(flow_is_session(f));
	cr_assert_eq(ss.per_member[2], 1);
	cr_assert_eq(flow_expire(t, 4003 * MS, 10), 1);
	cr_assert_eq(ss.per_member[2], 0);
	/* Freeing the table calls nothing. */
	flow_insert(t, &k, 0, 2, 0);
	cr_assert_eq(ss.per_member[2], 1);
	flow_table_free(t);
	cr_assert_eq(ss.starts, 2);
	cr_assert_eq(ss.ends, 1);
}

Test(flow, timeout_per_state)
{
	struct flow_table	*t = flow_table_new(8, &distinct_to);
	struct flow_key		 k;
	struct flow		*f;
	struct flow_timeouts	 got;

	mkkey(&k, 1, 1, 50000, 80, TCP);
	f = flow_insert(t, &k, 0, 0, 0);
	cr_assert_eq(flow_timeout_ms(t, f), 1000);	/* new */
	flow_update(t, f, 0, SYN, 60, 1);
	cr_assert_eq(flow_timeout_ms(t, f), 1000);
	flow_update(t, f, 1, SYN | ACK, 60, 2);
	/* Until the client acknowledges, an unfinished handshake. */
	cr_assert_eq(flow_timeout_ms(t, f), 1000);
	flow_update(t, f, 0, ACK, 60, 2);
	cr_assert_eq(flow_timeout_ms(t, f), 2000);
	flow_update(t, f, 0, FIN | ACK, 60, 3);
	cr_assert_eq(flow_timeout_ms(t, f), 3000);
	flow_update(t, f, 1, RST, 60, 4);
	cr_assert_eq(flow_timeout_ms(t, f), 600);

	mkkey(&k, 1, 1, 5353, 53, UDP);
	f = flow_insert(t, &k, 0, 0, 0);
	cr_assert_eq(flow_timeout_ms(t, f), 4000);
	mkkey(&k, 1, 1, 99, 0, ICMP6);
	f = flow_insert(t, &k, 0, 0, 0);
	cr_assert_eq(flow_timeout_ms(t, f), 5000);
	flow_table_free(t);

	/* Defaults, for NULL and for zero fields. */
	t = flow_table_new(1, NULL);
	flow_get_timeouts(t, &got);
	cr_assert_eq(got.syn_ms, 10000);
	cr_assert_eq(got.established_ms, 300000);
	cr_assert_eq(got.fin_ms, 10000);
	cr_assert_eq(got.udp_ms, 30000);
	cr_assert_eq(got.other_ms, 30000);
	cr_assert_eq(got.closed_ms, FLOW_DEFAULT_CLOSED_MS);
	flow_table_free(t);
	t = flow_table_new(1, &(struct flow_timeouts){ .udp_ms = 1234 });
	flow_get_timeouts(t, &got);
	cr_assert_eq(got.udp_ms, 1234);
	cr_assert_eq(got.established_ms, 300000);
	flow_table_free(t);
}

Test(flow, state_names)
{
	cr_assert_str_eq(flow_state_name(FLOW_NEW), "new");
	cr_assert_str_eq(flow_state_name(FLOW_SYN), "syn");
	cr_assert_str_eq(flow_state_name(FLOW_ESTABLISHED), "established");
	cr_assert_str_eq(flow_state_name(FLOW_FIN), "fin");
	cr_assert_str_eq(flow_state_name(FLOW_CLOSED), "closed");
	cr_assert_str_eq(flow_state_name(FLOW_UDP), "datagram");
	cr_assert_str_eq(flow_state_name((enum flow_tcp_state)99), "unknown");
}

/* A flow brought into a state by a packet sequence at 10 s. */
struct idle_case {
	const char	*name;
	uint8_t		 proto;
	uint8_t		 flags[4];	/* client, member, client, member */
	unsigned int	 nflags;
	uint64_t	 timeout_ms;
};

static const struct idle_case idle_cases[] = {
	{ "udp", UDP, { 0 }, 1, 4000 },
	{ "icmpv6", ICMP6, { 0 }, 1, 5000 },
	{ "tcp new", TCP, { 0 }, 0, 1000 },
	{ "tcp syn", TCP, { SYN }, 1, 1000 },
	{ "tcp established", TCP, { SYN, SYN | ACK, ACK }, 3, 2000 },
	{ "tcp fin", TCP, { SYN, SYN | ACK, FIN | ACK }, 3, 3000 },
	{ "tcp closed", TCP, { SYN, SYN | ACK, ACK, RST }, 4, 600 },
};

static struct flow *
idle_setup(struct flow_table *t, const struct idle_case *c, uint64_t t0)
{
	struct flow_key	 k;
	struct flow	*f;

	mkkey(&k, 1, 1, 40000, 80, c->proto);
	if (c->nflags == 0)
		return flow_insert(t, &k, 0, 5, t0);
	f = flow_insert(t, &k, 0, 5, t0 - SEC);
	/* The last packet at t0. */
	for (unsigned int i = 0; i < c->nflags; i++)
		flow_update(t, f, (int)(i % 2), c->flags[i], 100,
		    t0 - (c->nflags - 1 - i));
	return f;
}

/* Idle timeouts expire exactly after the configured time, not before. */
Test(flow, idle_timeout_exact)
{
	const uint64_t	 t0 = 10 * SEC;

	for (size_t i = 0; i < sizeof(idle_cases) / sizeof(idle_cases[0]);
	    i++) {
		const struct idle_case	*c = &idle_cases[i];
		struct flow_table	*t;
		struct flow		*f;
		struct released		 r = { 0 };
		uint64_t		 deadline = t0 + c->timeout_ms * MS;

		/* Through flow_lookup(). */
		t = flow_table_new(4, &distinct_to);
		flow_set_release_cb(t, count_release, &r);
		f = idle_setup(t, c, t0);
		cr_assert_eq(flow_timeout_ms(t, f), c->timeout_ms, "%s",
		    c->name);
		cr_assert(!flow_is_expired(t, f, deadline), "%s", c->name);
		cr_assert(flow_is_expired(t, f, deadline + 1), "%s", c->name);
		cr_assert_eq(flow_lookup(t, &f->key, deadline - 1), f);
		cr_assert_eq(flow_lookup(t, &f->key, deadline), f, "%s",
		    c->name);
		cr_assert_eq(r.calls, 0);
		cr_assert_null(flow_lookup(t, &f->key, deadline + 1), "%s",
		    c->name);
		cr_assert_eq(r.calls, 1, "%s", c->name);
		cr_assert_eq(r.last_member, 5);
		cr_assert_eq(flow_count(t), 0);
		cr_assert_eq(flow_stats(t)->expired, 1);
		flow_table_free(t);

		/* Through flow_expire(). */
		memset(&r, 0, sizeof(r));
		t = flow_table_new(4, &distinct_to);
		flow_set_release_cb(t, count_release, &r);
		f = idle_setup(t, c, t0);
		cr_assert_eq(flow_expire(t, t0, 100), 0);
		cr_assert_eq(flow_expire(t, deadline, 100), 0, "%s", c->name);
		cr_assert_eq(flow_count(t), 1);
		cr_assert_eq(flow_expire(t, deadline + 1, 100), 1, "%s",
		    c->name);
		cr_assert_eq(flow_count(t), 0);
		cr_assert_eq(r.calls, 1);
		cr_assert_eq(flow_stats(t)->expired, 1);
		flow_table_free(t);
	}
}

/* Traffic keeps a flow alive; a clock that steps back expires nothing. */
Test(flow, activity_refreshes)
{
	struct flow_table	*t = flow_table_new(4, &distinct_to);
	struct flow_key		 k;
	struct flow		*f;
	uint64_t		 now = SEC;

	mkkey(&k, 1, 1, 1000, 53, UDP);
	f = flow_insert(t, &k, 0, 0, now);
	for (int i = 0; i < 100; i++) {
		now += 3999 * MS;
		cr_assert_eq(flow_expire(t, now, 10), 0);
		cr_assert_eq(flow_lookup(t, &k, now), f);
		flow_update(t, f, i % 2, 0, 10, now);
	}
	cr_assert_eq(flow_expire(t, now - 60 * SEC, 10), 0);
	cr_assert_eq(f->last_ns, now);
	flow_update(t, f, 0, 0, 10, now - SEC);	/* late timestamp */
	cr_assert_eq(f->last_ns, now);
	cr_assert_eq(flow_expire(t, now + 4001 * MS, 10), 1);
	flow_table_free(t);
}

/*
 * A bounded budget: flows with a short timeout near the head are still
 * found within a few calls, and no call does more than its budget.
 */
Test(flow, expire_budget_sweeps_everything)
{
	const struct flow_timeouts to = { .udp_ms = 1000,
	    .established_ms = 300000 };
	struct flow_table	*t = flow_table_new(1000, &to);
	struct flow_key		 k;
	struct flow		*f;
	size_t			 n, total = 0, calls = 0;

	/* 600 established TCP flows at the tail, 400 UDP at the head. */
	for (uint32_t i = 0; i < 1000; i++) {
		mkkey(&k, i, 1, 1000, 80, i < 600 ? TCP : UDP);
		f = flow_insert(t, &k, 0, 0, 0);
		if (i < 600) {
			flow_update(t, f, 0, SYN, 60, 0);
			flow_update(t, f, 1, SYN | ACK, 60, 0);
			flow_update(t, f, 0, ACK, 60, 0);
		}
	}
	/* The oldest flow is live, so only the sweep finds the idle ones. */
	while (total < 400 && calls < 100) {
		n = flow_expire(t, 1001 * MS, 37);
		cr_assert_leq(n, 37);
		total += n;
		calls++;
	}
	cr_assert_eq(total, 400);
	cr_assert_leq(calls, 1000 / 36 + 2);
	cr_assert_eq(flow_count(t), 600);
	cr_assert_eq(flow_stats(t)->expired, 400);
	cr_assert_eq(flow_expire(t, 1001 * MS, 5000), 0);
	cr_assert_eq(flow_expire(t, 300000 * MS, 5000), 0);
	cr_assert_eq(flow_expire(t, 300000 * MS + 1, 5000), 600);
	flow_table_free(t);
}

/* A flow looked up since it was queued outlives the unmarked ones. */
Test(flow, second_chance_eviction)
{
	struct flow_table	*t = flow_table_new(4, NULL);
	struct flow_key		 k[6];
	struct released		 r = { 0 };

	flow_set_release_cb(t, count_release, &r);
	for (uint32_t i = 0; i < 6; i++)
		mkkey(&k[i], i, 1, 1000, 80, UDP);
	for (uint32_t i = 0; i < 4; i++)
		cr_assert_not_null(flow_insert(t, &k[i], 0, i, i));
	/* 0 is marked: queued again, so 1 is the one to go. */
	cr_assert_not_null(flow_lookup(t, &k[0], 10));
	cr_assert_not_null(flow_insert(t, &k[4], 0, 4, 11));
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.last_member, 1);
	cr_assert_null(flow_lookup(t, &k[1], 12));
	cr_assert_not_null(flow_lookup(t, &k[0], 12));
	cr_assert_eq(flow_count(t), 4);
	/* Queue now, oldest first: 2 3 0 4, 0 marked again.  Mark 2. */
	cr_assert_not_null(flow_lookup(t, &k[2], 13));
	cr_assert_not_null(flow_insert(t, &k[5], 0, 5, 14));
	cr_assert_eq(r.last_member, 3);
	cr_assert_eq(r.calls, 2);
	cr_assert_eq(flow_stats(t)->evicted, 2);
	cr_assert_eq(flow_stats(t)->expired, 0);
	cr_assert_eq(flow_stats(t)->inserted, 6);
	for (uint32_t i = 0; i < 6; i++)
		cr_assert_eq(flow_lookup(t, &k[i], 15) != NULL,
		    i == 0 || i == 2 || i == 4 || i == 5);
	flow_table_free(t);
}

Test(flow, capacity_limits)
{
	struct flow_table	*t;
	struct flow_key		 k;

	mkkey(&k, 1, 1, 1, 1, UDP);
	t = flow_table_new(0, NULL);
	cr_assert_not_null(t);
	cr_assert_null(flow_insert(t, &k, 0, 0, 0));
	cr_assert_null(flow_lookup(t, &k, 0));
	cr_assert_eq(flow_expire(t, 0, 10), 0);
	flow_table_free(t);

	errno = 0;
	cr_assert_null(flow_table_new(FLOW_MAX_CAPACITY + 1, NULL));
	cr_assert_eq(errno, EINVAL);

	t = flow_table_new(1, NULL);
	cr_assert_not_null(flow_insert(t, &k, 0, 0, 0));
	mkkey(&k, 2, 1, 1, 1, UDP);
	cr_assert_not_null(flow_insert(t, &k, 0, 1, 0));
	cr_assert_eq(flow_count(t), 1);
	flow_table_free(t);
}

/* Inserting a key again replaces the flow; the old one is released. */
Test(flow, insert_replaces)
{
	struct flow_table	*t = flow_table_new(4, &distinct_to);
	struct flow_key		 k;
	struct released		 r = { 0 };
	struct flow		*f;

	flow_set_release_cb(t, count_release, &r);
	mkkey(&k, 1, 1, 1, 1, UDP);
	f = flow_insert(t, &k, 0, 1, 0);
	flow_update(t, f, 0, 0, 100, 0);
	f = flow_insert(t, &k, 0, 2, SEC);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.per_member[1], 1);
	cr_assert_eq(flow_stats(t)->removed, 1);
	cr_assert_eq(f->member, 2);
	cr_assert_eq(f->packets_in, 0);
	cr_assert_eq(flow_count(t), 1);
	/* Replacing an idle one counts as expiry. */
	f = flow_insert(t, &k, 0, 3, 10 * SEC);
	cr_assert_eq(flow_stats(t)->expired, 1);
	cr_assert_eq(flow_lookup(t, &k, 10 * SEC), f);
	cr_assert_eq(f->member, 3);
	flow_table_free(t);
}

/* The release callback fires exactly once per flow, whatever the cause. */
Test(flow, release_cb_once_per_flow)
{
	struct flow_table	*t = flow_table_new(8, &distinct_to);
	struct flow_key		 k[16];
	struct released		 r = { 0 };
	const struct flow_stats	*st = flow_stats(t);
	struct flow		*f;

	flow_set_release_cb(t, count_release, &r);
	for (uint32_t i = 0; i < 16; i++)
		mkkey(&k[i], i, 1, 1000, 80, UDP);
	/* Members 0..7 fill it; 8..11 evict 0..3. */
	for (uint32_t i = 0; i < 12; i++)
		flow_insert(t, &k[i], i % 2, i, 0);
	for (uint32_t i = 0; i < 4; i++)
		cr_assert_eq(r.per_member[i], 1);
	cr_assert_eq(st->evicted, 4);
	/* Removal: 4. */
	f = flow_lookup(t, &k[4], 0);
	flow_remove(t, f);
	cr_assert_eq(r.per_member[4], 1);
	/* Removing something that is not a live flow does nothing. */
	flow_remove(t, f);
	flow_remove(t, NULL);
	cr_assert_eq(r.per_member[4], 1);
	/* Flush group 1: 5 7 9 11. */
	flow_flush(t, 1);
	cr_assert_eq(r.per_member[5] + r.per_member[7] + r.per_member[9] +
	    r.per_member[11], 4);
	/* Flush member 6 of group 0. */
	cr_assert_eq(flow_flush_member(t, 0, 6), 1);
	cr_assert_eq(r.per_member[6], 1);
	/* Expiry of 8 and 10. */
	cr_assert_eq(flow_expire(t, 4001 * MS, 100), 2);
	cr_assert_eq(flow_count(t), 0);
	for (uint32_t i = 0; i < 12; i++)
		cr_assert_eq(r.per_member[i], 1, "member %u: %u calls", i,
		    r.per_member[i]);
	cr_assert_eq(r.calls, 12);
	cr_assert_eq(st->evicted + st->removed + st->expired, 12);
	cr_assert_eq(st->removed, 6);
	cr_assert_eq(st->expired, 2);

	/* Freeing the table releases nothing through the callback. */
	flow_insert(t, &k[12], 0, 12, 0);
	flow_table_free(t);
	cr_assert_eq(r.calls, 12);
}

Test(flow, flush_group_and_member)
{
	struct flow_table	*t = flow_table_new(64, NULL);
	struct flow_key		 k;
	struct released		 r = { 0 };

	flow_set_release_cb(t, count_release, &r);
	/* 48 flows: group i % 3, member i % 4. */
	for (uint32_t i = 0; i < 48; i++) {
		mkkey(&k, i, 1, 1000, 80, TCP);
		flow_insert(t, &k, i % 3, i % 4, 0);
	}
	cr_assert_eq(flow_flush_member(t, 2, 1), 4);	/* i = 5 17 29 41 */
	cr_assert_eq(flow_flush_member(t, 2, 1), 0);
	cr_assert_eq(flow_count(t), 44);
	cr_assert_eq(flow_flush_member(t, UINT32_MAX, 3), 12);
	cr_assert_eq(flow_count(t), 32);
	flow_flush(t, 0);
	for (uint32_t i = 0; i < 48; i++) {
		struct flow	*f;

		mkkey(&k, i, 1, 1000, 80, TCP);
		f = flow_lookup(t, &k, 0);
		cr_assert_eq(f != NULL,
		    i % 3 != 0 && i % 4 != 3 && !(i % 3 == 2 && i % 4 == 1),
		    "flow %u", i);
	}
	cr_assert_eq(r.calls, 48 - flow_count(t));
	flow_flush(t, UINT32_MAX);
	cr_assert_eq(flow_count(t), 0);
	cr_assert_eq(r.calls, 48);
	cr_assert_eq(flow_stats(t)->removed, 48);
	/* The table works after a flush. */
	mkkey(&k, 1, 1, 1000, 80, TCP);
	cr_assert_not_null(flow_insert(t, &k, 0, 0, 0));
	cr_assert_not_null(flow_lookup(t, &k, 0));
	flow_table_free(t);
}

struct walk_rec {
	size_t		 n;
	uint32_t	 member[64];
	uint32_t	 group[64];
};

static void
walk_collect(const struct flow *f, void *arg)
{
	struct walk_rec	*w = arg;

	cr_assert_lt(w->n, 64);
	w->member[w->n] = f->member;
	w->group[w->n] = f->group_id;
	w->n++;
}

Test(flow, walk_paged_filtered)
{
	struct flow_table	*t = flow_table_new(32, NULL);
	struct flow_key		 k;
	struct walk_rec		 w;

	/* Members 0..24, group = member % 2; 24 is the most recent. */
	for (uint32_t i = 0; i < 25; i++) {
		mkkey(&k, i, 1, 1000, 80, UDP);
		flow_insert(t, &k, i % 2, i, i);
	}
	memset(&w, 0, sizeof(w));
	cr_assert_eq(flow_walk(t, UINT32_MAX, 0, SIZE_MAX, walk_collect, &w),
	    25);
	for (uint32_t i = 0; i < 25; i++)
		cr_assert_eq(w.member[i], 24 - i);

	/* Group 1, pages of 5: 23 21 19 17 15 | 13 11 9 7 5 | 3 1. */
	for (size_t page = 0; page < 3; page++) {
		memset(&w, 0, sizeof(w));
		cr_assert_eq(flow_walk(t, 1, page * 5, 5, walk_collect, &w),
		    page < 2 ? 5 : 2);
		for (size_t i = 0; i < w.n; i++) {
			cr_assert_eq(w.group[i], 1);
			cr_assert_eq(w.member[i], 23 - 2 * (page * 5 + i));
		}
	}
	memset(&w, 0, sizeof(w));
	cr_assert_eq(flow_walk(t, 1, 12, 5, walk_collect, &w), 0);
	cr_assert_eq(flow_walk(t, 7, 0, 5, walk_collect, &w), 0);
	cr_assert_eq(flow_walk(t, 0, 0, 0, walk_collect, &w), 0);

	/*
	 * A lookup only marks a flow: the order stays.  An eviction gives
	 * the marked flow a second chance, queued again as the newest.
	 */
	mkkey(&k, 3, 1, 1000, 80, UDP);
	cr_assert_not_null(flow_lookup(t, &k, 30));
	memset(&w, 0, sizeof(w));
	cr_assert_eq(flow_walk(t, 1, 0, 2, walk_collect, &w), 2);
	cr_assert_eq(w.member[0], 23);
	cr_assert_eq(w.member[1], 21);
	/* 25..31 fill it; 32..35 evict 0 1 2 4, and 3 moves up. */
	for (uint32_t i = 25; i < 36; i++) {
		mkkey(&k, i, 1, 1000, 80, UDP);
		flow_insert(t, &k, i % 2, i, 31);
	}
	cr_assert_eq(flow_stats(t)->evicted, 4);
	memset(&w, 0, sizeof(w));
	cr_assert_eq(flow_walk(t, 1, 0, 3, walk_collect, &w), 3);
	cr_assert_eq(w.member[0], 35);
	cr_assert_eq(w.member[1], 3);
	cr_assert_eq(w.member[2], 33);
	for (uint32_t i = 0; i < 5; i++) {
		mkkey(&k, i, 1, 1000, 80, UDP);
		cr_assert_eq(flow_lookup(t, &k, 32) != NULL, i == 3, "%u", i);
	}
	flow_table_free(t);
}

/* e^-x for 0 <= x <= 1, without libm. */
static double
exp_neg(double x)
{
	double	 sum = 1, term = 1;

	for (int i = 1; i < 30; i++) {
		term *= -x / i;
		sum += term;
	}
	return sum;
}

static double
absdiff(double a, double b)
{
	return a > b ? a - b : b - a;
}

/* Max chain length and empty buckets for n keys over 2^bits buckets. */
static void
check_spread(const char *name, const uint64_t *h, size_t n, unsigned int bits)
{
	size_t		 nb = (size_t)1 << bits, empty_lo = 0, empty_hi = 0;
	uint16_t	*lo = calloc(nb, sizeof(*lo));
	uint16_t	*hi = calloc(nb, sizeof(*hi));
	unsigned int	 max_lo = 0, max_hi = 0;
	double		 expect;

	cr_assert(lo != NULL && hi != NULL);
	for (size_t i = 0; i < n; i++) {
		unsigned int a = ++lo[h[i] & (nb - 1)];
		unsigned int b = ++hi[h[i] >> (64 - bits)];

		max_lo = a > max_lo ? a : max_lo;
		max_hi = b > max_hi ? b : max_hi;
	}
	for (size_t i = 0; i < nb; i++) {
		empty_lo += lo[i] == 0;
		empty_hi += hi[i] == 0;
	}
	/* Poisson: at load 0.38 a chain of 10 is ~1e-10 per bucket. */
	cr_assert_leq(max_lo, 10, "%s: low bits: max chain %u", name, max_lo);
	cr_assert_leq(max_hi, 10, "%s: high bits: max chain %u", name, max_hi);
	expect = (double)nb * exp_neg((double)n / (double)nb);
	cr_assert_lt(absdiff((double)empty_lo, expect), 0.01 * nb,
	    "%s: %zu empty buckets, expected %.0f", name, empty_lo, expect);
	cr_assert_lt(absdiff((double)empty_hi, expect), 0.01 * nb,
	    "%s: %zu empty buckets, expected %.0f", name, empty_hi, expect);
	free(lo);
	free(hi);
}

Test(flow, hash_quality)
{
	const size_t	 n = 100000;
	uint64_t	*h = calloc(n, sizeof(*h));
	struct flow_key	 k;
	const uint8_t	 protos[3] = { TCP, UDP, ICMP6 };

	cr_assert_not_null(h);
	/* Random keys. */
	for (size_t i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		for (int j = 0; j < 16; j += 8) {
			uint64_t a = rng(), b = rng();

			memcpy(&k.client.s6_addr[j], &a, 8);
			memcpy(&k.group.s6_addr[j], &b, 8);
		}
		k.cport = (uint16_t)rng();
		k.gport = (uint16_t)rng();
		k.proto = protos[rng_below(3)];
		h[i] = flow_hash(&k);
	}
	check_spread("random", h, n, 18);
	/* Sequential clients of one group and port. */
	for (size_t i = 0; i < n; i++) {
		mkkey(&k, (uint32_t)i, 1, 40000, 443, TCP);
		h[i] = flow_hash(&k);
	}
	check_spread("sequential clients", h, n, 18);
	/* One client, every source port, to two groups. */
	for (size_t i = 0; i < n; i++) {
		mkkey(&k, 1, (uint32_t)(i & 1), (uint16_t)(1 + i / 2), 53,
		    UDP);
		h[i] = flow_hash(&k);
	}
	check_spread("sequential ports", h, n, 18);
	free(h);

	/* Fields are not interchangeable: a reply key built wrong misses. */
	for (int i = 0; i < 1000; i++) {
		struct flow_key	 a, b;
		uint32_t	 c = (uint32_t)rng(), g = (uint32_t)rng();
		uint16_t	 p = (uint16_t)rng(), q = (uint16_t)rng();

		if (c == g || p == q)
			continue;
		mkkey(&a, c, g, p, q, TCP);
		mkkey(&b, c, g, q, p, TCP);
		cr_assert_neq(flow_hash(&a), flow_hash(&b));
		b = a;
		b.client = a.group;
		b.group = a.client;
		cr_assert_neq(flow_hash(&a), flow_hash(&b));
	}
}

/* Flipping any one input bit flips each output bit about half the time. */
Test(flow, hash_avalanche)
{
	const int	 trials = 20000;
	static unsigned	 flips[64];
	struct flow_key	 a, b;
	uint64_t	 d, total = 0;

	for (int i = 0; i < trials; i++) {
		uint32_t bit = rng_below(296), byte = bit / 8;
		uint8_t mask = (uint8_t)(1u << (bit % 8));

		mkkey(&a, (uint32_t)rng(), (uint32_t)rng(), (uint16_t)rng(),
		    (uint16_t)rng(), (uint8_t)rng());
		b = a;
		if (byte < 16)
			b.client.s6_addr[byte] ^= mask;
		else if (byte < 32)
			b.group.s6_addr[byte - 16] ^= mask;
		else if (byte < 34)
			b.cport ^= (uint16_t)(mask << (8 * (byte - 32)));
		else if (byte < 36)
			b.gport ^= (uint16_t)(mask << (8 * (byte - 34)));
		else
			b.proto ^= mask;
		d = flow_hash(&a) ^ flow_hash(&b);
		cr_assert_neq(d, 0);
		total += (uint64_t)__builtin_popcountll(d);
		for (int j = 0; j < 64; j++)
			flips[j] += (d >> j) & 1;
	}
	cr_assert_gt(total, (uint64_t)trials * 31);
	cr_assert_lt(total, (uint64_t)trials * 33);
	for (int j = 0; j < 64; j++) {
		cr_assert_gt(flips[j], trials * 45 / 100, "bit %d", j);
		cr_assert_lt(flips[j], trials * 55 / 100, "bit %d", j);
	}
}

/*
 * The reference model: a plain array of what should be in the table,
 * with a tick for the order of the queue and the mark of a lookup, for
 * second-chance eviction (the order of flow.h, written out plainly).  The release callback checks every
 * flow the table lets go of against what the current operation allows,
 * then drops it from the model.  The session callback keeps a count
 * per group and member, which must always equal the model's flows that
 * are not closed.
 */
#define M_CAP		64
#define M_KEYS		512
#define M_GROUPS	4
#define M_MEMBERS	8

enum m_op { OP_LOOKUP, OP_INSERT, OP_EXPIRE, OP_REMOVE, OP_FLUSH,
	OP_FLUSH_MEMBER };

struct m_entry {
	bool		 used;
	uint32_t	 key;
	uint32_t	 group, member;
	uint64_t	 created, last, tick;	/* tick: queued */
	bool		 ref;		/* looked up since queued */
	uint64_t	 pin, bin, pout, bout;
	enum flow_tcp_state state;
	bool		 acked;		/* an ACK from the client */
	struct flow	*f;
};

struct model {
	struct m_entry	 e[M_CAP];
	size_t		 n;
	uint64_t	 tick;
	uint64_t	 now;
	struct flow_stats st;
	/* The operation in progress, for the release callback. */
	enum m_op	 op;
	uint32_t	 op_key, op_group, op_member;
	bool		 op_full;
	struct m_entry	*op_victim;	/* an insert's, if it evicts */
	size_t		 released;
	int		 sessions[M_GROUPS][M_MEMBERS];
};

static const struct flow_timeouts model_to = {
	.syn_ms = 7, .established_ms = 40, .fin_ms = 9, .udp_ms = 20,
	.other_ms = 13, .closed_ms = 3,
};

static uint8_t
m_proto(uint32_t key)
{
	static const uint8_t protos[3] = { TCP, UDP, ICMP6 };

	return protos[key % 3];
}

static void
m_key(struct flow_key *k, uint32_t key)
{
	mkkey(k, key, key % 5, (uint16_t)(1024 + key % 7), 80, m_proto(key));
}

static uint32_t
m_key_of(const struct flow *f)
{
	const uint8_t	*a = f->key.client.s6_addr;

	return (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
	    (uint32_t)a[14] << 8 | a[15];
}

static uint64_t
m_timeout_ns(const struct m_entry *e)
{
	/* A handshake the client never completed keeps the SYN timeout. */
	if (m_proto(e->key) == TCP && !e->acked && e->state != FLOW_CLOSED)
		return model_to.syn_ms * MS;
	switch (e->state) {
	case FLOW_NEW:
	case FLOW_SYN:
		return model_to.syn_ms * MS;
	case FLOW_ESTABLISHED:
		return model_to.established_ms * MS;
	case FLOW_FIN:
		return model_to.fin_ms * MS;
	case FLOW_CLOSED:
		return model_to.closed_ms * MS;
	default:
		return (m_proto(e->key) == UDP ? model_to.udp_ms :
		    model_to.other_ms) * MS;
	}
}

static bool
m_expired(const struct model *m, const struct m_entry *e)
{
	return m->now - e->last > m_timeout_ns(e);
}

static struct m_entry *
m_find(struct model *m, uint32_t key)
{
	for (size_t i = 0; i < M_CAP; i++)
		if (m->e[i].used && m->e[i].key == key)
			return &m->e[i];
	return NULL;
}

static struct m_entry *
m_oldest(struct model *m)
{
	struct m_entry	*o = NULL;

	for (size_t i = 0; i < M_CAP; i++)
		if (m->e[i].used && (o == NULL || m->e[i].tick < o->tick))
			o = &m->e[i];
	return o;
}

/*
 * The flow an insert into the full table gives up: the oldest unless
 * marked (then queued again, unmarked) or idle, FLOW_EVICT_SCAN times
 * at most.
 */
static struct m_entry *
m_victim(struct model *m)
{
	struct m_entry	*o;

	for (int n = 0;; n++) {
		o = m_oldest(m);
		if (!o->ref || n == FLOW_EVICT_SCAN || m_expired(m, o))
			return o;
		o->ref = false;
		o->tick = ++m->tick;
	}
}

static void
m_release(struct flow *f, void *arg)
{
	struct model	*m = arg;
	struct m_entry	*e = m_find(m, m_key_of(f));
	bool		 expired;

	cr_assert_not_null(e, "released a flow the model does not have");
	cr_assert_eq(e->f, f);
	cr_assert_eq(f->group_id, e->group);
	cr_assert_eq(f->member, e->member);
	expired = m_expired(m, e);
	switch (m->op) {
	case OP_LOOKUP:
		cr_assert_eq(e->key, m->op_key);
		cr_assert(expired);
		break;
	case OP_INSERT:
		cr_assert_eq(m->released, 0, "two flows released by insert");
		if (e->key != m->op_key) {
			cr_assert(m->op_full);
			cr_assert_eq(e, m->op_victim, "evicted another");
			if (!expired)
				m->st.evicted++;
		} else if (!expired)
			m->st.removed++;
		break;
	case OP_EXPIRE:
		cr_assert(expired);
		break;
	case OP_REMOVE:
		cr_assert_eq(e->key, m->op_key);
		m->st.removed++;
		break;
	case OP_FLUSH:
		cr_assert(m->op_group == UINT32_MAX || e->group == m->op_group);
		m->st.removed++;
		break;
	case OP_FLUSH_MEMBER:
		cr_assert_eq(e->group, m->op_group);
		cr_assert_eq(e->member, m->op_member);
		m->st.removed++;
		break;
	}
	if (expired && m->op != OP_REMOVE && m->op != OP_FLUSH &&
	    m->op != OP_FLUSH_MEMBER)
		m->st.expired++;
	e->used = false;
	m->n--;
	m->released++;
}

static void
m_session(const struct flow *f, int delta, void *arg)
{
	struct model	*m = arg;

	cr_assert_lt(f->group_id, M_GROUPS);
	cr_assert_lt(f->member, M_MEMBERS);
	if (delta < 0)
		cr_assert_gt(m->sessions[f->group_id][f->member], 0,
		    "group %u member %u: a session ended twice", f->group_id,
		    f->member);
	m->sessions[f->group_id][f->member] += delta;
}

static void
m_check_sessions(const struct model *m)
{
	int	 want[M_GROUPS][M_MEMBERS];

	memset(want, 0, sizeof(want));
	for (size_t i = 0; i < M_CAP; i++)
		if (m->e[i].used && m->e[i].state != FLOW_CLOSED)
			want[m->e[i].group][m->e[i].member]++;
	for (int g = 0; g < M_GROUPS; g++)
		for (int j = 0; j < M_MEMBERS; j++)
			cr_assert_eq(m->sessions[g][j], want[g][j],
			    "group %d member %d: %d sessions, %d open flows",
			    g, j, m->sessions[g][j], want[g][j]);
}

static void
m_check_flow(const struct m_entry *e, const struct flow *f)
{
	cr_assert_eq(f, e->f, "flow moved");
	cr_assert_eq(f->group_id, e->group);
	cr_assert_eq(f->member, e->member);
	cr_assert_eq(f->created_ns, e->created);
	cr_assert_eq(f->last_ns, e->last);
	cr_assert_eq(f->packets_in, e->pin);
	cr_assert_eq(f->bytes_in, e->bin);
	cr_assert_eq(f->packets_out, e->pout);
	cr_assert_eq(f->bytes_out, e->bout);
	cr_assert_eq(f->state, e->state);
}

/* Lookup with the model's expectations; the model entry on a hit. */
static struct m_entry *
m_lookup(struct flow_table *t, struct model *m, uint32_t key)
{
	struct flow_key	 k;
	struct m_entry	*e = m_find(m, key);
	bool		 live = e != NULL && !m_expired(m, e);
	struct flow	*f;

	m_key(&k, key);
	m->op = OP_LOOKUP;
	m->op_key = key;
	m->released = 0;
	f = flow_lookup(t, &k, m->now);
	cr_assert_eq(f != NULL, live, "key %u: lookup %s, model %s", key,
	    f ? "hit" : "miss", live ? "live" : "absent");
	cr_assert_eq(m->released, e != NULL && !live ? 1 : 0);
	if (!live)
		return NULL;
	m_check_flow(e, f);
	e->ref = true;
	return e;
}

struct m_walk {
	const struct m_entry	*want[M_CAP];
	size_t			 n, i;
};

static void
m_walk_cb(const struct flow *f, void *arg)
{
	struct m_walk	*w = arg;

	cr_assert_lt(w->i, w->n);
	m_check_flow(w->want[w->i], f);
	w->i++;
}

/* Walk pages of a group and compare with the model's order. */
static void
m_check_walk(struct flow_table *t, struct model *m, uint32_t group,
    size_t offset, size_t limit)
{
	struct m_walk		 w = { .n = 0 };
	const struct m_entry	*all[M_CAP];
	size_t			 n = 0, visited;

	for (size_t i = 0; i < M_CAP; i++)
		if (m->e[i].used &&
		    (group == UINT32_MAX || m->e[i].group == group))
			all[n++] = &m->e[i];
	/* Newest of the queue first. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && all[j]->tick > all[j - 1]->tick;
		    j--) {
			const struct m_entry *tmp = all[j];

			all[j] = all[j - 1];
			all[j - 1] = tmp;
		}
	for (size_t i = offset; i < n && w.n < limit; i++)
		w.want[w.n++] = all[i];
	visited = flow_walk(t, group, offset, limit, m_walk_cb, &w);
	cr_assert_eq(visited, w.n);
	cr_assert_eq(w.i, w.n);
}

static void
m_check_stats(struct flow_table *t, const struct model *m)
{
	const struct flow_stats	*st = flow_stats(t);

	cr_assert_eq(st->inserted, m->st.inserted);
	cr_assert_eq(st->expired, m->st.expired);
	cr_assert_eq(st->evicted, m->st.evicted);
	cr_assert_eq(st->removed, m->st.removed);
}

static void
m_flush(struct flow_table *t, struct model *m)
{
	size_t	 before = m->n;

	m->op = OP_FLUSH;
	m->op_group = rng_below(8) == 0 ? UINT32_MAX : rng_below(M_GROUPS);
	m->released = 0;
	flow_flush(t, m->op_group);
	for (size_t i = 0; i < M_CAP; i++)
		cr_assert(!m->e[i].used || (m->op_group != UINT32_MAX &&
		    m->e[i].group != m->op_group));
	cr_assert_eq(before - m->n, m->released);
}

static void
m_flush_member(struct flow_table *t, struct model *m)
{
	size_t	 n;

	m->op = OP_FLUSH_MEMBER;
	m->op_group = rng_below(M_GROUPS);
	m->op_member = rng_below(M_MEMBERS);
	m->released = 0;
	n = flow_flush_member(t, m->op_group, m->op_member);
	cr_assert_eq(n, m->released);
	for (size_t i = 0; i < M_CAP; i++)
		cr_assert(!m->e[i].used || m->e[i].group != m->op_group ||
		    m->e[i].member != m->op_member);
}

Test(flow, random_against_model, .timeout = 120)
{
	static struct model	 m;
	static const uint8_t	 flags[] = { SYN, SYN | ACK, ACK, ACK | PSH,
				    FIN | ACK, RST, RST | ACK, 0, ACK, ACK };
	struct flow_table	*t = flow_table_new(M_CAP, &model_to);
	struct flow_key		 k;
	struct m_entry		*e;
	struct flow		*f;
	uint32_t		 key;
	size_t			 n, before, idle;

	memset(&m, 0, sizeof(m));
	m.now = SEC;
	flow_set_release_cb(t, m_release, &m);
	flow_set_session_cb(t, m_session, &m);
	for (long op = 0; op < 1000000; op++) {
		unsigned int r = rng_below(100);

		m.now += rng_below(60000);
		key = rng_below(M_KEYS);
		if (r < 30) {
			m_lookup(t, &m, key);
		} else if (r < 55) {
			struct m_entry *old = m_find(&m, key);
			uint32_t g = rng_below(M_GROUPS);
			uint32_t mem = rng_below(M_MEMBERS);

			m_key(&k, key);
			m.op = OP_INSERT;
			m.op_key = key;
			m.op_full = m.n == M_CAP;
			m.op_victim = old == NULL && m.op_full ?
			    m_victim(&m) : NULL;
			m.released = 0;
			f = flow_insert(t, &k, g, mem, m.now);
			cr_assert_not_null(f);
			cr_assert_eq(m.released, old != NULL || m.op_full);
			for (e = m.e; e->used; e++)
				;
			e->used = true;
			e->key = key;
			e->group = g;
			e->member = mem;
			e->created = e->last = m.now;
			e->tick = ++m.tick;
			e->ref = false;
			e->pin = e->bin = e->pout = e->bout = 0;
			e->state = m_proto(key) == TCP ? FLOW_NEW : FLOW_UDP;
			e->acked = false;
			e->f = f;
			m.n++;
			m.st.inserted++;
			m_check_flow(e, f);
		} else if (r < 80) {
			int dir = (int)rng_below(2);
			uint8_t fl = flags[rng_below(sizeof(flags))];
			uint32_t len = rng_below(9000);

			if ((e = m_lookup(t, &m, key)) != NULL) {
				flow_update(t, e->f, dir, fl, len, m.now);
				e->last = m.now;
				if (dir == 0) {
					e->pin++;
					e->bin += len;
				} else {
					e->pout++;
					e->bout += len;
				}
				/* The state machine has its own tests. */
				e->state = e->f->state;
				if (m_proto(key) == TCP && dir == 0 &&
				    (fl & ACK))
					e->acked = true;
				cr_assert_eq(e->f->client_acked, e->acked);
				if (m_proto(key) != TCP)
					cr_assert_eq(e->state, FLOW_UDP);
			}
		} else if (r < 86) {
			if ((e = m_lookup(t, &m, key)) != NULL) {
				m.op = OP_REMOVE;
				m.released = 0;
				flow_remove(t, e->f);
				cr_assert_eq(m.released, 1);
				cr_assert_null(m_find(&m, key));
			}
		} else if (r < 94) {
			size_t budget = rng_below(2 * M_CAP);

			before = m.n;
			m.op = OP_EXPIRE;
			m.released = 0;
			n = flow_expire(t, m.now, budget);
			cr_assert_eq(n, m.released);
			cr_assert_leq(n, budget);
			if (budget > before) {
				idle = 0;
				for (size_t i = 0; i < M_CAP; i++)
					idle += m.e[i].used &&
					    m_expired(&m, &m.e[i]);
				cr_assert_eq(idle, 0, "full sweep left %zu",
				    idle);
			}
		} else if (r < 95) {
			/* A few hot keys, looked up often, stay marked. */
			m_lookup(t, &m, key % 8);
		} else if (r < 96) {
			m.now += rng_below(20 * MS);
		} else if (r < 98) {
			if (rng_below(10) == 0)
				m_flush(t, &m);
		} else {
			if (rng_below(10) == 0)
				m_flush_member(t, &m);
		}
		cr_assert_eq(flow_count(t), m.n, "op %ld: count %zu, model %zu",
		    op, flow_count(t), m.n);
		m_check_sessions(&m);
		if (op % 997 == 0) {
			m_check_stats(t, &m);
			m_check_walk(t, &m, UINT32_MAX, 0, SIZE_MAX);
			m_check_walk(t, &m, rng_below(M_GROUPS),
			    rng_below(20), 1 + rng_below(20));
		}
	}
	m_check_stats(t, &m);
	/* It did exercise every path. */
	cr_log_info("inserted %ju expired %ju evicted %ju removed %ju",
	    (uintmax_t)m.st.inserted, (uintmax_t)m.st.expired,
	    (uintmax_t)m.st.evicted, (uintmax_t)m.st.removed);
	cr_assert_gt(m.st.evicted, 1000);
	cr_assert_gt(m.st.expired, 1000);
	cr_assert_gt(m.st.removed, 1000);
	m.op = OP_FLUSH;
	m.op_group = UINT32_MAX;
	flow_flush(t, UINT32_MAX);
	m_check_sessions(&m);
	for (int g = 0; g < M_GROUPS; g++)
		for (int j = 0; j < M_MEMBERS; j++)
			cr_assert_eq(m.sessions[g][j], 0);
	flow_table_free(t);
}
