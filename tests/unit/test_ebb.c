/*
 * The E-BB's pure tables (vrouter/ebb_table.c): the route cache, the
 * reservation table, the filter of DISCOVERs seen; the reservation
 * table checked against a naive sum over random operations.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "config.h"
#include "ebb.h"

#define MS	1000000ull

static struct in6_addr
a6(const char *s)
{
	struct in6_addr	 a;

	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1, "%s", s);
	return a;
}

Test(ebb_cache, slot_get_and_reuse)
{
	struct ebb_route	 tab[3];
	struct in6_addr		 g = a6("2001:db8:ac::1");
	struct in6_addr		 u[4] = { a6("2001:db8:99::1"),
				    a6("2001:db8:99::2"), a6("2001:db8:99::3"),
				    a6("2001:db8:99::4") };
	struct ebb_route	*e;

	memset(tab, 0, sizeof(tab));
	cr_assert_null(ebb_cache_get(tab, 3, &g, &u[0]));
	for (int i = 0; i < 3; i++) {
		e = ebb_cache_slot(tab, 3, &g, &u[i], 0);
		cr_assert_not_null(e);
		e->expires_ns = (uint64_t)(i + 1) * 1000 * MS;
	}
	/* the same key: the same entry, its fields kept */
	e = ebb_cache_slot(tab, 3, &g, &u[1], 0);
	cr_assert_eq(e, ebb_cache_get(tab, 3, &g, &u[1]));
	cr_assert_eq(e->expires_ns, 2000 * MS);
	/* full and nothing expired: no slot */
	cr_assert_null(ebb_cache_slot(tab, 3, &g, &u[3], 500 * MS));
	cr_assert_eq(ebb_cache_count(tab, 3, &g, 500 * MS), 3);
	/* the first expired: reused, cleared */
	e = ebb_cache_slot(tab, 3, &g, &u[3], 1500 * MS);
	cr_assert_not_null(e);
	cr_assert_eq(e, &tab[0]);
	cr_assert_eq(e->expires_ns, 0);
	cr_assert(memcmp(&e->server, &u[3], sizeof(u[3])) == 0);
	cr_assert_null(ebb_cache_get(tab, 3, &g, &u[0]));
	cr_assert_eq(ebb_cache_count(tab, 3, NULL, 1500 * MS), 2);
}

Test(ebb_cache, held_reservation_not_evicted)
{
	struct ebb_route	 tab[1];
	struct in6_addr		 g = a6("2001:db8:ac::1");
	struct in6_addr		 u = a6("2001:db8:99::1");
	struct in6_addr		 v = a6("2001:db8:99::2");
	struct ebb_route	*e;

	memset(tab, 0, sizeof(tab));
	e = ebb_cache_slot(tab, 1, &g, &u, 0);
	e->expires_ns = 10 * MS;
	e->resv_until_ns = 100 * MS;
	cr_assert_null(ebb_cache_slot(tab, 1, &g, &v, 50 * MS));
	e->resv_until_ns = 0;
	e->resv_pending = true;
	cr_assert_null(ebb_cache_slot(tab, 1, &g, &v, 50 * MS));
	e->resv_pending = false;
	cr_assert_not_null(ebb_cache_slot(tab, 1, &g, &v, 50 * MS));
}

Test(ebb_resv, slot_find_sum)
{
	struct ebb_resv		 tab[4];
	struct in6_addr		 o1 = a6("2001:db8::1"), o2 = a6("2001:db8::2");
	struct ebb_resv		*e;

	memset(tab, 0, sizeof(tab));
	e = ebb_resv_slot(tab, 4, &o1, 5, 0);
	e->kbit = 1000;
	cr_assert_eq(ebb_resv_slot(tab, 4, &o1, 5, 0), e, "same key");
	e = ebb_resv_slot(tab, 4, &o1, 5, 1);
	e->kbit = 700;
	e = ebb_resv_slot(tab, 4, &o2, 5, 0);
	e->kbit = 300;
	cr_assert_eq(ebb_resv_sum(tab, 4, 0, NULL, 0), 1300);
	cr_assert_eq(ebb_resv_sum(tab, 4, 1, NULL, 0), 700);
	cr_assert_eq(ebb_resv_sum(tab, 4, 0, &o1, 5), 300, "others only");
	cr_assert_not_null(ebb_resv_find(tab, 4, &o2, 5, 0));
	cr_assert_null(ebb_resv_find(tab, 4, &o2, 5, 1));
	cr_assert_not_null(ebb_resv_slot(tab, 4, &o2, 6, 2));
	cr_assert_null(ebb_resv_slot(tab, 4, &o2, 7, 2), "full");
}

/* Random takes and gives against a plain array of what each key holds. */
Test(ebb_resv, against_naive)
{
	struct ebb_resv		 tab[32];
	uint32_t		 naive[4][8][3];	/* origin, id, link */
	struct in6_addr		 o[4];
	struct ebb_resv		*e;
	uint64_t		 want;

	memset(tab, 0, sizeof(tab));
	memset(naive, 0, sizeof(naive));
	for (int i = 0; i < 4; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].s6_addr[0] = 0x20;
		o[i].s6_addr[15] = (uint8_t)(i + 1);
	}
	srand(12);
	for (int step = 0; step < 5000; step++) {
		int	oi = rand() % 4, id = rand() % 8, l = rand() % 3;

		if (rand() % 3 != 0) {
			e = ebb_resv_slot(tab, 32, &o[oi], (uint32_t)id + 1, l);
			if (e == NULL) {
				int	held = 0;

				for (int x = 0; x < 4 * 8 * 3; x++)
					held += ((uint32_t *)naive)[x] != 0;
				cr_assert_eq(held, 32, "no slot with %d held",
				    held);
				continue;
			}
			e->kbit = (uint32_t)(rand() % 1000 + 1);
			naive[oi][id][l] = e->kbit;
		} else if ((e = ebb_resv_find(tab, 32, &o[oi],
		    (uint32_t)id + 1, l)) != NULL) {
			e->used = false;
			naive[oi][id][l] = 0;
		} else
			cr_assert_eq(naive[oi][id][l], 0);
		for (int link = 0; link < 3; link++) {
			want = 0;
			for (int a = 0; a < 4; a++)
				for (int b = 0; b < 8; b++)
					want += naive[a][b][link];
			cr_assert_eq(ebb_resv_sum(tab, 32, link, NULL, 0), want,
			    "link %d after step %d", link, step);
		}
	}
}

Test(ebb_seen, duplicates_and_window)
{
	struct ebb_seen		 tab[2];
	struct in6_addr		 o = a6("2001:db8::1");
	size_t			 next = 0;

	memset(tab, 0, sizeof(tab));
	cr_assert_not(ebb_seen_check(tab, 2, &next, &o, 1, 100 * MS,
	    1000 * MS));
	cr_assert(ebb_seen_check(tab, 2, &next, &o, 1, 200 * MS, 1000 * MS));
	cr_assert_not(ebb_seen_check(tab, 2, &next, &o, 2, 300 * MS,
	    1000 * MS));
	/* out of the window: new again */
	cr_assert_not(ebb_seen_check(tab, 2, &next, &o, 1, 1200 * MS,
	    1000 * MS));
	/* pushed out of the ring by two others */
	cr_assert_not(ebb_seen_check(tab, 2, &next, &o, 3, 1300 * MS,
	    1000 * MS));
	cr_assert_not(ebb_seen_check(tab, 2, &next, &o, 4, 1300 * MS,
	    1000 * MS));
	cr_assert_not(ebb_seen_check(tab, 2, &next, &o, 1, 1300 * MS,
	    1000 * MS));
}

Test(ebb_path, has)
{
	struct in6_addr	 p[2] = { a6("2001:db8::1"), a6("2001:db8::2") };
	struct in6_addr	 x = a6("2001:db8::2"), y = a6("2001:db8::3");

	cr_assert(ebb_path_has(p, 2, &x));
	cr_assert_not(ebb_path_has(p, 2, &y));
	cr_assert_not(ebb_path_has(p, 1, &x));
}

/* The "ebb" block's defaults and the flags of interfaces and groups. */
Test(ebb_config, defaults_and_flags)
{
	static const char json[] = "{\"interfaces\": ["
	    "{\"name\": \"c1\", \"addresses\": [\"2001:db8:1::1/64\"]},"
	    "{\"name\": \"t1\", \"addresses\": [\"2001:db8:f1::1/64\"],"
	    " \"ebb\": false}],"
	    "\"groups\": [{\"address\": \"2001:db8:ac::1\", \"ebb\": true}],"
	    "\"ebb\": {\"keys\": [{\"id\": 3, \"key\": \"0102030405060708"
	    "090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\"}],"
	    " \"cache_lifetime_ms\": 4000}}";
	struct config	*c = config_new();
	char		 err[256];

	cr_assert_eq(config_parse(json, strlen(json), c, err, sizeof(err)), 0,
	    "%s", err);
	cr_assert(c->ebb.enabled);
	cr_assert_eq(c->ebb.nkeys, 1);
	cr_assert_eq(c->ebb.keys[0].id, 3);
	cr_assert_eq(c->ebb.wait_ms, 50);
	cr_assert_eq(c->ebb.cache_lifetime_ms, 4000);
	cr_assert_eq(c->ebb.reserve_kbit, 1000);
	cr_assert_eq(c->ebb.reserve_ms, 4000, "the cache's lifetime");
	cr_assert(IN6_IS_ADDR_UNSPECIFIED(&c->ebb.router_id));
	cr_assert_eq(c->ifaces[0].ebb, -1, "as RIPng");
	cr_assert_eq(c->ifaces[1].ebb, 0);
	cr_assert(c->groups[0].ebb);
	config_free(c);
}
