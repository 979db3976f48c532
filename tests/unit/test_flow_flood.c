/*
 * Flood mode of the flow table on a virtual clock: flow kinds
 * (embryonic until the client acknowledges), the high- and low-water
 * marks, embryonic flows and idle ones given up first, new flows
 * refused (to be forwarded without an entry) when nothing else can go,
 * and a SYN flood from spoofed sources that never evicts an
 * established flow.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "flow.h"
#include "flow_test.h"

/* A TCP flow through its handshake: SYN, SYN-ACK, and the client's ACK. */
static struct flow *
connect_flow(struct flow_table *t, uint32_t c, uint32_t member, uint64_t now)
{
	struct flow_key	 k;
	struct flow	*f;

	key(&k, c, 40000, TCP);
	f = flow_insert(t, &k, 0, member, now);
	cr_assert_not_null(f);
	flow_update(t, f, FLOW_DIR_TO_MEMBER, SYN, 80, now);
	flow_update(t, f, FLOW_DIR_TO_CLIENT, SYN | ACK, 80, now);
	flow_update(t, f, FLOW_DIR_TO_MEMBER, ACK, 72, now);
	return f;
}

/*
 * A spoofed SYN: the member answers, the client never does.  NULL when
 * the table refused the flow.
 */
static struct flow *
spoofed_syn(struct flow_table *t, uint32_t c, uint64_t now)
{
	struct flow_key	 k;
	struct flow	*f;

	key(&k, c, (uint16_t)(c * 7919u), TCP);
	if ((f = flow_insert(t, &k, 0, 1, now)) == NULL)
		return NULL;
	flow_update(t, f, FLOW_DIR_TO_MEMBER, SYN, 80, now);
	flow_update(t, f, FLOW_DIR_TO_CLIENT, SYN | ACK, 80, now);
	return f;
}

struct flood_log {
	unsigned int	 on, off;
	size_t		 count;		/* at the last change */
};

static void
log_flood(bool on, size_t count, void *arg)
{
	struct flood_log *l = arg;

	if (on)
		l->on++;
	else
		l->off++;
	l->count = count;
}

Test(flow_flood, kinds)
{
	struct flow_table	*t = flow_table_new(16, NULL);
	struct flow_key		 k;
	struct flow		*f, *u;

	key(&k, 1, 1000, TCP);
	f = flow_insert(t, &k, 0, 1, 0);
	cr_assert_eq(flow_kind(f), FLOW_KIND_EMBRYONIC);
	flow_update(t, f, FLOW_DIR_TO_MEMBER, SYN, 80, 0);
	/* The member's SYN-ACK does not make it connected: the client must. */
	flow_update(t, f, FLOW_DIR_TO_CLIENT, SYN | ACK, 80, 0);
	cr_assert_eq(f->state, FLOW_ESTABLISHED);
	cr_assert_eq(flow_kind(f), FLOW_KIND_EMBRYONIC);
	cr_assert_eq(flow_count_kind(t, FLOW_KIND_EMBRYONIC), 1);
	flow_update(t, f, FLOW_DIR_TO_MEMBER, ACK, 72, 0);
	cr_assert_eq(flow_kind(f), FLOW_KIND_CONNECTED);
	cr_assert_eq(flow_count_kind(t, FLOW_KIND_EMBRYONIC), 0);
	cr_assert_eq(flow_count_kind(t, FLOW_KIND_CONNECTED), 1);

	key(&k, 2, 1000, UDP);
	u = flow_insert(t, &k, 0, 1, 0);
	cr_assert_eq(flow_kind(u), FLOW_KIND_DATAGRAM);
	cr_assert_eq(flow_count_kind(t, FLOW_KIND_DATAGRAM), 1);
	flow_remove(t, f);
	flow_remove(t, u);
	for (int i = 0; i < FLOW_NKINDS; i++)
		cr_assert_eq(flow_count_kind(t, (enum flow_kind)i), 0);
	cr_assert_str_eq(flow_kind_name(FLOW_KIND_EMBRYONIC), "embryonic");
	cr_assert_str_eq(flow_kind_name(FLOW_KIND_CONNECTED), "connected");
	cr_assert_str_eq(flow_kind_name(FLOW_KIND_DATAGRAM), "datagram");
	flow_table_free(t);
}

/* A flow picked up mid-stream (an ACK first) is connected at once. */
Test(flow_flood, midstream_is_connected)
{
	struct flow_table	*t = flow_table_new(16, NULL);
	struct flow_key		 k;
	struct flow		*f;

	key(&k, 1, 1000, TCP);
	f = flow_insert(t, &k, 0, 1, 0);
	flow_update(t, f, FLOW_DIR_TO_MEMBER, ACK, 1000, 0);
	cr_assert_eq(flow_kind(f), FLOW_KIND_CONNECTED);
	flow_table_free(t);
}

Test(flow_flood, bad_marks)
{
	struct flow_table	*t = flow_table_new(16, NULL);

	errno = 0;
	cr_assert_eq(flow_set_flood(t, 101, 50), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(flow_set_flood(t, 80, 80), -1);
	cr_assert_eq(flow_set_flood(t, 80, 90), -1);
	cr_assert_eq(flow_set_flood(t, 100, 99), 0);
	cr_assert_eq(flow_set_flood(t, 0, 0), 0);
	flow_table_free(t);
}

Test(flow_flood, enter_and_leave)
{
	struct flow_table	*t = flow_table_new(10, NULL);
	struct flood_log	 l = { 0 };
	struct flow		*f[10];

	cr_assert_eq(flow_set_flood(t, 90, 50), 0);
	flow_set_flood_cb(t, log_flood, &l);
	for (uint32_t i = 0; i < 8; i++)
		f[i] = connect_flow(t, i, 1, 0);
	cr_assert_not(flow_flood(t));
	f[8] = connect_flow(t, 8, 1, 0);
	cr_assert(flow_flood(t), "9 of 10 is the high-water mark");
	cr_assert_eq(l.on, 1);
	cr_assert_eq(l.count, 9);
	cr_assert_eq(flow_stats(t)->flood_entered, 1);

	/* Draining: still in flood mode until below 5. */
	for (int i = 0; i < 4; i++)
		flow_remove(t, f[i]);
	cr_assert(flow_flood(t));
	cr_assert_eq(l.off, 0);
	flow_remove(t, f[4]);
	cr_assert_not(flow_flood(t));
	cr_assert_eq(l.off, 1);
	cr_assert_eq(l.count, 4);
	cr_assert_eq(flow_stats(t)->flood_entered, 1);
	/* Below the mark the table grows again. */
	cr_assert_not_null(connect_flow(t, 100, 1, 0));
	cr_assert_eq(flow_count(t), 5);
	flow_table_free(t);
}

/*
 * At the mark: the oldest embryonic flow goes, then the next; when none
 * is left a new flow gets no entry, and no connected flow ever goes.
 */
Test(flow_flood, embryonic_first_then_stateless)
{
	struct flow_table	*t = flow_table_new(10, NULL);
	struct flow		*conn[6], *e1, *e2, *n;
	struct flow_key		 k;

	cr_assert_eq(flow_set_flood(t, 80, 50), 0);
	for (uint32_t i = 0; i < 6; i++)
		conn[i] = connect_flow(t, i, i, 0);
	e1 = spoofed_syn(t, 1000, 1 * MS);
	e2 = spoofed_syn(t, 1001, 2 * MS);
	cr_assert(flow_flood(t));
	cr_assert_eq(flow_count(t), 8);

	/* Use e1 more recently: age on the embryonic list is insertion. */
	key(&k, 1000, (uint16_t)(1000 * 7919u), TCP);
	cr_assert_eq(flow_lookup(t, &k, 3 * MS), e1);

	n = connect_flow(t, 50, 9, 4 * MS);
	cr_assert_eq(flow_count(t), 8, "the table does not grow");
	cr_assert_eq(flow_stats(t)->embryonic_evicted, 1);
	cr_assert_null(flow_lookup(t, &k, 4 * MS), "the oldest went first");
	key(&k, 1001, (uint16_t)(1001 * 7919u), TCP);
	cr_assert_not_null(flow_lookup(t, &k, 4 * MS));
	cr_assert_eq(flow_kind(n), FLOW_KIND_CONNECTED);
	(void)e2;

	cr_assert_not_null(spoofed_syn(t, 1002, 5 * MS));
	cr_assert_eq(flow_stats(t)->embryonic_evicted, 2);
	cr_assert_not_null(spoofed_syn(t, 1003, 6 * MS));
	cr_assert_eq(flow_stats(t)->embryonic_evicted, 3);
	/* Connect the last embryonic one: nothing may go now. */
	key(&k, 1003, (uint16_t)(1003 * 7919u), TCP);
	flow_update(t, flow_lookup(t, &k, 7 * MS), FLOW_DIR_TO_MEMBER, ACK, 72,
	    7 * MS);
	cr_assert_eq(flow_count_kind(t, FLOW_KIND_EMBRYONIC), 0);
	cr_assert_null(spoofed_syn(t, 1004, 8 * MS));
	key(&k, 1005, 1, UDP);
	cr_assert_null(flow_insert(t, &k, 0, 1, 8 * MS));
	cr_assert_eq(flow_stats(t)->flood_stateless, 2);
	cr_assert_eq(flow_stats(t)->evicted, 0);
	cr_assert_eq(flow_count(t), 8);
	for (uint32_t i = 0; i < 6; i++) {
		key(&k, i, 40000, TCP);
		cr_assert_eq(flow_lookup(t, &k, 8 * MS), conn[i]);
		cr_assert_eq(conn[i]->member, i);
	}
	flow_table_free(t);
}

/* An idle flow is given up before an embryonic one. */
Test(flow_flood, idle_flow_first)
{
	struct flow_timeouts	 to = { .syn_ms = 5000, .established_ms = 1000 };
	struct flow_table	*t = flow_table_new(4, &to);
	struct flow_key		 k;

	cr_assert_eq(flow_set_flood(t, 75, 50), 0);
	connect_flow(t, 1, 1, 0);
	connect_flow(t, 2, 1, 500 * MS);
	cr_assert_not_null(spoofed_syn(t, 3, 600 * MS));
	cr_assert(flow_flood(t));
	/* Flow 1 has been idle 1.1 s: its slot is taken. */
	cr_assert_not_null(spoofed_syn(t, 4, 1100 * MS));
	cr_assert_eq(flow_stats(t)->expired, 1);
	cr_assert_eq(flow_stats(t)->embryonic_evicted, 0);
	key(&k, 2, 40000, TCP);
	cr_assert_not_null(flow_lookup(t, &k, 1100 * MS));
	cr_assert_eq(flow_count_kind(t, FLOW_KIND_EMBRYONIC), 2);
	flow_table_free(t);
}

/* The same key again reuses its own slot, even with nothing to evict. */
Test(flow_flood, same_key_reuses_its_slot)
{
	struct flow_table	*t = flow_table_new(4, NULL);
	struct flow_key		 k;

	cr_assert_eq(flow_set_flood(t, 50, 25), 0);
	connect_flow(t, 1, 1, 0);
	connect_flow(t, 2, 1, 0);
	cr_assert(flow_flood(t));
	key(&k, 2, 40000, TCP);
	cr_assert_not_null(flow_insert(t, &k, 0, 3, 0));
	cr_assert_eq(flow_count(t), 2);
	cr_assert_eq(flow_stats(t)->flood_stateless, 0);
	cr_assert_eq(flow_stats(t)->removed, 1);
	flow_table_free(t);
}

/* Off (the default): a full table evicts its least recently used flow. */
Test(flow_flood, off_evicts_lru)
{
	struct flow_table	*t = flow_table_new(4, NULL);
	struct flow_key		 k;

	for (uint32_t i = 0; i < 4; i++)
		connect_flow(t, i, 1, i * MS);
	cr_assert_not(flow_flood(t));
	cr_assert_not_null(spoofed_syn(t, 99, 10 * MS));
	cr_assert_eq(flow_stats(t)->evicted, 1);
	key(&k, 0, 40000, TCP);
	cr_assert_null(flow_lookup(t, &k, 10 * MS));
	flow_table_free(t);
}

/*
 * 200 000 SYNs from spoofed sources against a table of 1024 holding 300
 * established flows, with a new real connection now and then: every
 * established flow keeps its member, the real connections get in, the
 * table never passes its high-water mark, and it leaves flood mode
 * once the embryonic flows have timed out.
 */
Test(flow_flood, syn_flood)
{
	struct flow_timeouts	 to = { .syn_ms = 10000 };
	struct flow_table	*t = flow_table_new(1024, &to);
	struct flood_log	 l = { 0 };
	struct flow_key		 k;
	struct flow		*f;
	uint64_t		 now = 0;
	uint32_t		 real = 0, refused = 0, high = (1024 * 90 + 99) / 100;

	cr_assert_eq(flow_set_flood(t, 90, 80), 0);
	flow_set_flood_cb(t, log_flood, &l);
	for (uint32_t i = 0; i < 300; i++)
		connect_flow(t, i, i % 7, now);
	for (uint32_t i = 0; i < 200000; i++) {
		now += 20 * 1000;	/* 50 000 SYN/s */
		if (spoofed_syn(t, 0x80000000u + i, now) == NULL)
			refused++;
		if (i % 1000 == 999) {
			/* A real client: its ACK follows within a round trip. */
			connect_flow(t, 10000 + real, 3, now);
			real++;
		}
		cr_assert_leq(flow_count(t), high);
	}
	cr_assert(flow_flood(t));
	cr_assert_eq(l.on, 1);
	cr_assert_eq(refused, 0, "there was always an embryonic flow to go");
	cr_assert_eq(flow_stats(t)->evicted, 0);
	cr_assert_gt(flow_stats(t)->embryonic_evicted, 190000);
	for (uint32_t i = 0; i < 300; i++) {
		key(&k, i, 40000, TCP);
		f = flow_lookup(t, &k, now);
		cr_assert_not_null(f, "established flow %u lost", i);
		cr_assert_eq(f->member, i % 7);
	}
	for (uint32_t i = 0; i < real; i++) {
		key(&k, 10000 + i, 40000, TCP);
		cr_assert_not_null(flow_lookup(t, &k, now), "real %u lost", i);
	}

	/* The flood stops: embryonic flows time out, the table drains. */
	now += 11 * SEC;
	for (uint32_t i = 0; i < 300; i++) {
		key(&k, i, 40000, TCP);
		flow_update(t, flow_lookup(t, &k, now), FLOW_DIR_TO_MEMBER,
		    ACK, 72, now);
	}
	flow_expire(t, now, 4096);
	cr_assert_eq(flow_count_kind(t, FLOW_KIND_EMBRYONIC), 0);
	cr_assert_not(flow_flood(t));
	cr_assert_eq(l.off, 1);
	cr_assert_eq(flow_count(t), 300 + real);
	flow_table_free(t);
}
