/*
 * The flow table at scale: flow_lookup_bulk() against the same calls
 * one by one on a twin table, eviction in a table kept full (second
 * chance, exactly which flows stay, and the bound on a run of marked
 * flows), and flood mode with many flows.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "flow.h"
#include "flow_test.h"

/* Key number n: its own client and port, TCP or UDP. */
static void
nkey(struct flow_key *k, uint32_t n)
{
	key(k, n, (uint16_t)(1024 + n % 50000), n % 3 == 0 ? UDP : TCP);
}

static uint32_t
key_num(const struct flow *f)
{
	uint32_t	 n;

	memcpy(&n, &f->key.client.s6_addr[12], sizeof(n));
	return n;
}

/* Every flow a table lets go of, in order. */
#define REL_LOG	(1 << 17)

struct rel_log {
	uint32_t	 key[REL_LOG];
	size_t		 n;
};

static void
log_release(struct flow *f, void *arg)
{
	struct rel_log	*l = arg;

	cr_assert_lt(l->n, REL_LOG);
	l->key[l->n++] = key_num(f);
}

/* Sessions per member; a session ended twice fails at once. */
static void
count_session(const struct flow *f, int delta, void *arg)
{
	int	*s = arg;

	cr_assert_lt(f->member, 8);
	s[f->member] += delta;
	cr_assert_geq(s[f->member], 0);
}

/*
 * Two tables, the same operations on both: inserts, packets, time
 * passing (flows expire), and batches of keys (present, absent, idle,
 * the same key twice) looked up with flow_lookup_bulk() in one and
 * flow_lookup() one by one in the other.  The results, the flows
 * released on the way (in order), the counts and the counters agree.
 */
Test(flow_bulk, equals_single_lookups, .timeout = 60)
{
	static struct rel_log	 la, lb;
	const struct flow_timeouts to = { .syn_ms = 40, .udp_ms = 70,
	    .established_ms = 200 };
	struct flow_table	*a = flow_table_new(512, &to);
	struct flow_table	*b = flow_table_new(512, &to);
	struct flow_key		 keys[80];
	struct flow		*out[80], *f, *g;
	uint64_t		 now = SEC;
	size_t			 hits = 0, misses = 0, batches = 0;

	la.n = lb.n = 0;
	flow_set_release_cb(a, log_release, &la);
	flow_set_release_cb(b, log_release, &lb);
	for (int round = 0; round < 3000; round++) {
		uint32_t	 n;

		now += rng_below(2 * MS);
		for (int i = rng_below(20); i > 0; i--) {
			n = rng_below(4000);
			nkey(&keys[0], n);
			f = flow_insert(a, &keys[0], n % 4, n % 8, now);
			g = flow_insert(b, &keys[0], n % 4, n % 8, now);
			cr_assert_not_null(f);
			cr_assert_not_null(g);
			if (rng_below(2)) {
				flow_update(a, f, 0, ACK, 100, now);
				flow_update(b, g, 0, ACK, 100, now);
			}
		}
		/* A batch, up to 80 keys, some twice, some never seen. */
		n = rng_below(81);
		for (uint32_t i = 0; i < n; i++) {
			if (i > 0 && rng_below(8) == 0)
				keys[i] = keys[rng_below(i)];
			else
				nkey(&keys[i], rng_below(5000));
		}
		flow_lookup_bulk(a, keys, n, now, out);
		for (uint32_t i = 0; i < n; i++) {
			g = flow_lookup(b, &keys[i], now);
			cr_assert_eq(out[i] != NULL, g != NULL,
			    "round %d key %u: bulk %s, single %s", round, i,
			    out[i] ? "hit" : "miss", g ? "hit" : "miss");
			if (g == NULL) {
				misses++;
				continue;
			}
			hits++;
			cr_assert(flow_key_equal(&out[i]->key, &keys[i]));
			cr_assert_eq(out[i]->member, g->member);
			cr_assert_eq(out[i]->packets_in, g->packets_in);
		}
		batches++;
		cr_assert_eq(la.n, lb.n, "round %d: released %zu and %zu",
		    round, la.n, lb.n);
		for (size_t i = 0; i < la.n; i++)
			cr_assert_eq(la.key[i], lb.key[i]);
		cr_assert_eq(flow_count(a), flow_count(b));
		cr_assert_eq(flow_stats(a)->expired, flow_stats(b)->expired);
		cr_assert_eq(flow_stats(a)->evicted, flow_stats(b)->evicted);
		la.n = lb.n = 0;
	}
	/* Every path was taken: hits, misses, expiry, eviction. */
	cr_assert_gt(hits, 10000);
	cr_assert_gt(misses, 10000);
	cr_assert_gt(flow_stats(a)->expired, 1000);
	cr_assert_gt(flow_stats(a)->evicted, 100);
	flow_lookup_bulk(a, keys, 0, now, out);
	flow_table_free(a);
	flow_table_free(b);
}

/*
 * A full table keeps its marked flows: keys looked up since they were
 * queued outlive the others, and the others go in the order they came,
 * so exactly the newest of them stay.
 */
Test(flow_bulk, eviction_full_table, .timeout = 60)
{
	static struct rel_log	 l;
	const uint32_t		 cap = 8192, total = 60000;
	struct flow_table	*t = flow_table_new(cap, NULL);
	struct flow_key		 k;
	struct flow		*f;
	int			 sessions[8] = { 0 };
	uint32_t		 hot = 0;

	l.n = 0;
	flow_set_release_cb(t, log_release, &l);
	flow_set_session_cb(t, count_session, sessions);
	for (uint32_t n = 0; n < total; n++) {
		nkey(&k, n);
		cr_assert_not_null(flow_insert(t, &k, 0, n % 8, n));
		if (n < 1400 && n % 7 == 0)
			hot++;
		/* The hot keys, every seventh of the first 1400. */
		if (n % 512 == 511) {
			for (uint32_t h = 0; h < 1400 && h <= n; h += 7) {
				nkey(&k, h);
				cr_assert_not_null(flow_lookup(t, &k, n),
				    "hot key %u lost at %u", h, n);
			}
		}
		cr_assert_eq(flow_count(t), n < cap ? n + 1 : cap);
	}
	cr_assert_eq(flow_stats(t)->evicted, total - cap);
	cr_assert_eq(flow_stats(t)->expired, 0);
	cr_assert_eq(l.n, total - cap);
	for (uint32_t n = 0; n < total; n++) {
		bool	 is_hot = n < 1400 && n % 7 == 0;
		bool	 newest = n >= total - (cap - hot);

		nkey(&k, n);
		f = flow_lookup(t, &k, total);
		cr_assert_eq(f != NULL, is_hot || newest, "key %u", n);
		if (f != NULL)
			cr_assert_eq(f->member, n % 8);
	}
	flow_flush(t, UINT32_MAX);
	for (int m = 0; m < 8; m++)
		cr_assert_eq(sessions[m], 0);
	flow_table_free(t);
}

/*
 * When every flow is marked, an insert gives FLOW_EVICT_SCAN of them a
 * second chance and then evicts the next whatever its mark: one insert
 * never walks the whole table.
 */
Test(flow_bulk, eviction_scan_bounded)
{
	static struct rel_log	 l;
	const uint32_t		 cap = FLOW_EVICT_SCAN * 2;
	struct flow_table	*t = flow_table_new(cap, NULL);
	struct flow_key		 k;

	l.n = 0;
	flow_set_release_cb(t, log_release, &l);
	for (uint32_t n = 0; n < cap; n++) {
		nkey(&k, n);
		flow_insert(t, &k, 0, 0, 0);
	}
	for (uint32_t n = 0; n < cap; n++) {
		nkey(&k, n);
		cr_assert_not_null(flow_lookup(t, &k, 0));
	}
	nkey(&k, 1000);
	flow_insert(t, &k, 0, 0, 0);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.key[0], FLOW_EVICT_SCAN);
	/* The rest of the marked ones go to the back; then 0, unmarked. */
	nkey(&k, 1001);
	flow_insert(t, &k, 0, 0, 0);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.key[1], 0);
	flow_table_free(t);
}

/*
 * Flood mode in a table of 65 536: 300 000 SYNs from spoofed sources
 * against 40 000 connected flows.  No connected flow goes, the
 * embryonic ones go oldest first (so the newest stay), and the table
 * never passes its high-water mark.
 */
Test(flow_bulk, flood_many_flows, .timeout = 60)
{
	const uint32_t		 cap = 65536, conn = 40000, syns = 300000;
	const uint32_t		 high = (cap * 90 + 99) / 100;
	struct flow_table	*t = flow_table_new(cap, NULL);
	struct flow_key		 keys[64];
	struct flow		*out[64], *f;
	uint64_t		 now = 0;
	uint32_t		 emb;

	cr_assert_eq(flow_set_flood(t, 90, 80), 0);
	for (uint32_t n = 0; n < conn; n++) {
		nkey(&keys[0], n * 3 + 1);	/* TCP */
		f = flow_insert(t, &keys[0], 0, n % 8, now);
		flow_update(t, f, FLOW_DIR_TO_MEMBER, SYN, 80, now);
		flow_update(t, f, FLOW_DIR_TO_CLIENT, SYN | ACK, 80, now);
		flow_update(t, f, FLOW_DIR_TO_MEMBER, ACK, 72, now);
	}
	for (uint32_t n = 0; n < syns; n++) {
		now += 10 * 1000;
		nkey(&keys[0], 1000000 + n * 3 + 1);
		f = flow_insert(t, &keys[0], 0, 7, now);
		cr_assert_not_null(f, "an embryonic flow could go");
		flow_update(t, f, FLOW_DIR_TO_MEMBER, SYN, 80, now);
		cr_assert_leq(flow_count(t), high);
	}
	cr_assert(flow_flood(t));
	cr_assert_eq(flow_stats(t)->evicted, 0);
	emb = (uint32_t)flow_count_kind(t, FLOW_KIND_EMBRYONIC);
	cr_assert_eq(emb + conn, flow_count(t));
	cr_assert_eq(flow_stats(t)->embryonic_evicted, syns - emb);
	/* Every connected flow, 64 keys at a time. */
	for (uint32_t n = 0; n < conn; n += 64) {
		uint32_t m = conn - n < 64 ? conn - n : 64;

		for (uint32_t i = 0; i < m; i++)
			nkey(&keys[i], (n + i) * 3 + 1);
		flow_lookup_bulk(t, keys, m, now, out);
		for (uint32_t i = 0; i < m; i++) {
			cr_assert_not_null(out[i], "connected %u lost", n + i);
			cr_assert_eq(out[i]->member, (n + i) % 8);
		}
	}
	/* The embryonic flows left are the newest. */
	for (uint32_t n = syns - emb - 100; n < syns; n++) {
		nkey(&keys[0], 1000000 + n * 3 + 1);
		cr_assert_eq(flow_lookup(t, &keys[0], now) != NULL,
		    n >= syns - emb, "syn %u", n);
	}
	flow_table_free(t);
}
